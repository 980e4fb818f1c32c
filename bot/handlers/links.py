"""Opening a link: ``/start <token>`` in a private chat, or in a group the bot was added to with
a ``startgroup`` link. What happens depends on the kind of invitation behind the token."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from bot.handlers.flows import button_action
from bot.i18n import _, pgettext, use_language
from bot.runtime import KringContext
from bot.services import circles, joining, links
from bot.services.invitations import LinkProblem, LinkRefused
from bot.services.joining import Invited
from bot.texts import helplines_button

JOIN = "join"
ANSWER = "inv"


async def open_link(update: Update, context: KringContext, token: str) -> None:
    """Called by /start when it carries a token."""
    message = update.effective_message
    assert message is not None
    if context.person_id is None:  # an anonymous group admin: Telegram does not say who it is
        await message.reply_text(
            _(
                "Ik kan deze link niet gebruiken als je anoniem bent. "
                "Zet 'anoniem blijven' even uit en open de link opnieuw."
            )
        )
        return
    user = update.effective_user
    assert user is not None
    runtime = context.runtime
    async with runtime.sessions.begin() as session:  # a refusal is committed too: it counts for throttling
        try:
            opened: links.Opened | LinkProblem = await links.open_link(
                session,
                token,
                person_id=context.person_id,
                chat_id=message.chat.id,
                private=message.chat.type == ChatType.PRIVATE,
                display_name=user.first_name,
                account_name=joining.account_label(user.full_name, user.username),
                now=runtime.clock.now(),
            )
        except LinkRefused as refused:
            opened = refused.problem
    await _reply(context, message, opened)


async def _reply(context: KringContext, message: Message, opened: links.Opened | LinkProblem) -> None:
    if isinstance(opened, LinkProblem):
        await message.reply_text(_refusal(opened))
    elif isinstance(opened, links.ProfessionalRegistered):
        await message.reply_text(_professional_welcome(opened.name))
    elif isinstance(opened, links.GroupTaken):
        await message.reply_text(_("Deze groep hoort al bij een andere kring. Maak een nieuwe groep voor deze kring."))
    elif isinstance(opened, links.GroupAttached):
        text, buttons = _group_greeting(opened)
        await message.reply_text(text, reply_markup=buttons)
    elif isinstance(opened, links.FamilyJoined):
        joined = opened.joined
        if joined.pending:
            await message.reply_text(_asked())
        else:
            await message.reply_text(_family_welcome(opened.circle_name, joined.is_coordinator))
    elif isinstance(opened, Invited):
        if opened.already_member:
            await message.reply_text(_("Je doet al mee in de kring van {circle}.").format(circle=opened.circle_name))
        else:
            text, buttons = _invitation_question(opened)
            await message.reply_text(text, reply_markup=buttons)
    elif opened.private:
        await message.reply_text(
            _("Deze link is om mij toe te voegen aan de groep van het gezin. Open de link en kies de groep.")
        )
    else:
        await message.reply_text(_("Deze link is voor een privégesprek met mij. Open de link zelf, niet in de groep."))


def _refusal(problem: LinkProblem) -> str:
    if problem == LinkProblem.TOO_MANY_TRIES:
        return _("Je hebt te vaak een link geprobeerd die niet werkt. Probeer het over een uur opnieuw.")
    return _(
        "Deze link werkt niet (meer). Misschien is hij al gebruikt of verlopen. "
        "Vraag degene die je de link gaf om een nieuwe."
    )


def _professional_welcome(name: str) -> str:
    return "\n\n".join(
        [
            _("Welkom, {name}. Je bent nu aangemeld als hulpverlener.").format(name=name),
            _("Start een kring voor een gezin met /new. Daarna beslist het gezin wie er meedoet."),
        ]
    )


def _family_welcome(circle_name: str, coordinator: bool) -> str:
    parts = [_("Welkom in de kring van {circle}.").format(circle=circle_name)]
    if coordinator:
        parts.append(_("Jij regelt de kring. Jij beslist wie er meedoet. Nodig mensen uit met /invite."))
    parts.append(_("Met /plan zie je de afspraken. Met /help zie je wat je kunt doen."))
    return "\n\n".join(parts)


def _asked() -> str:
    return _("Dank je! Ik vraag het aan wie de kring regelt. Daarna hoor je het.")


def _group_greeting(attached: links.GroupAttached) -> tuple[str, InlineKeyboardMarkup]:
    with use_language(attached.language):
        names = ", ".join(attached.coordinator_names)
        who = (
            [
                _("{coordinators} regelt de kring.").format(coordinators=names),
                _("Woon je in dit huis? Druk op de knop."),
                _("Familie, vrienden of buren? Vraag {coordinators} om een uitnodiging.").format(coordinators=names),
            ]
            if names
            else [  # the professional added Kring: the parent with the family link will lead
                _("Woon je in dit huis? Druk op de knop."),
                _("Familie, vrienden of buren? Vraag wie de kring regelt om een uitnodiging."),
            ]
        )
        text = "\n\n".join(
            [
                _("Hallo allemaal! Ik ben Kring. Ik help {circle} met afspraken: wie doet wat?").format(
                    circle=attached.circle_name
                ),
                _("Zonder jullie ja stuur ik niemand een bericht."),
                (
                    _("{name} leest hier niet mee.").format(name=attached.professional_name)
                    if attached.professional_name
                    else _("De hulpverlener leest hier niet mee.")
                ),
                "\n".join(who),
                _("Ik ben geen noodhulp. Is er gevaar? Bel 112."),
            ]
        )
        button = pgettext("button", "🏠 Ik woon in dit huis")
    return text, InlineKeyboardMarkup(
        [[InlineKeyboardButton(button, callback_data=callbacks.encode(JOIN, attached.circle_id))], [helplines_button()]]
    )


def _invitation_question(invited: Invited) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        _("{inviter} nodigt je uit voor de kring van {circle}.").format(
            inviter=invited.inviter_name, circle=invited.circle_name
        )
        if invited.inviter_name
        else _("Je bent uitgenodigd voor de kring van {circle}.").format(circle=invited.circle_name)
    ]
    if invited.mentor_of:
        lines.append(
            _("{young} kiest jou als vertrouwenspersoon: iemand die {young} vertrouwt.").format(young=invited.mentor_of)
        )
    if invited.helps_with:
        lines.append(_("De vraag is of je wilt helpen met: {what}").format(what=invited.helps_with))
    if invited.for_young:
        lines += [
            pgettext("jongere", "Ik ben Kring. Ik help jouw gezin en de mensen om jullie heen met hun afspraken."),
            pgettext("jongere", "Ik vraag jou af en toe zelf hoe het gaat. Wat je zegt, blijft van jou."),
        ]
    else:
        lines += [
            _(
                "Ik ben Kring, een hulpmiddel in Telegram. Ik help een gezin en de mensen om hen heen met hun afspraken."
            ),
            _("Je ziet alleen wat over jou gaat, en wat het gezin met je deelt."),
        ]
    lines.append(_("Je kunt altijd stoppen."))
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, ik doe mee"),
                    callback_data=callbacks.encode(ANSWER, invited.invitation_id, "yes"),
                ),
                InlineKeyboardButton(
                    pgettext("button", "Nee, liever niet"),
                    callback_data=callbacks.encode(ANSWER, invited.invitation_id, "no"),
                ),
            ]
        ]
    )
    return "\n\n".join(lines), buttons


async def join_pressed(update: Update, context: KringContext) -> None:
    """The household button, pressed in the family's group: asks; a coordinator decides."""
    query = update.callback_query
    assert query is not None and query.message is not None
    chat_id = query.message.chat.id

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> links.JoinedInGroup:
        return await links.join_in_group(
            session,
            callbacks.as_int(values[0]),
            chat_id=chat_id,
            person_id=person_id,
            display_name=query.from_user.first_name,
            account_name=joining.account_label(query.from_user.full_name, query.from_user.username),
            now=context.runtime.clock.now(),
        )

    in_group = await button_action(update, context, JOIN, 1, apply)
    if in_group is None:
        return
    joined = in_group.joined
    if not joined.pending:
        await query.answer(_("Je doet al mee."))
    elif not joined.is_new:
        await query.answer(_("Je vraag wacht nog op een ja."))
    else:
        await query.answer(_asked(), show_alert=True)
        context.runtime.ticker.wake()


async def invitation_answered(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        invitation_id, answer = values
        accept = callbacks.as_yes_no(answer)
        member = await joining.answer_invitation(
            session,
            callbacks.as_int(invitation_id),
            person_id=person_id,
            accept=accept,
            account_name=joining.account_label(query.from_user.full_name, query.from_user.username),
            now=runtime.clock.now(),
        )
        if member is None:
            raise callbacks.BadCallbackData(invitation_id)  # not (or no longer) theirs
        return answer

    answer = await button_action(update, context, ANSWER, 2, apply)
    if answer is None:
        return
    await query.answer()
    if answer == "yes":
        text = _asked()
    else:
        text = _("Dank je wel. Het gezin weet dat je niet meedoet. Dat is helemaal goed.")
    await query.edit_message_text(text)
    runtime.ticker.wake()


async def group_without_circle(message: Message, context: KringContext) -> bool:
    """``/start`` in a group that no circle uses: explain that a link is needed. (Nothing is said
    when the bot is added: with a link, the ``/start <token>`` only arrives just after that.)"""
    async with context.runtime.reads() as session:
        if await circles.circle_for_group(session, message.chat.id) is not None:
            return False
    await message.reply_text(
        _(
            "Hallo! Ik ben Kring. Ik werk alleen in een groep als de hulpverlener jullie een link heeft gegeven. "
            "Vraag de hulpverlener om de link om mij toe te voegen."
        )
    )
    return True


async def group_migrated(update: Update, context: KringContext) -> None:
    """The group became a supergroup: keep the circle with the new chat id."""
    message = update.effective_message
    assert message is not None
    if message.migrate_to_chat_id is None:
        return
    async with context.runtime.sessions.begin() as session:
        await circles.follow_group_migration(
            session, message.chat.id, message.migrate_to_chat_id, now=context.runtime.clock.now()
        )


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated),
        CallbackQueryHandler(join_pressed, pattern=callbacks.pattern(JOIN)),
        CallbackQueryHandler(invitation_answered, pattern=callbacks.pattern(ANSWER)),
    ]
