"""Opening a link: ``/start <token>`` in a private chat, or in a group the bot was added to with
a ``startgroup`` link. What happens depends on the kind of invitation behind the token."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from bot.db.models import Circle, Invitation, InvitationKind, Professional
from bot.handlers import pulse
from bot.handlers.fallback import stale_button
from bot.i18n import _, pgettext, use_language
from bot.runtime import KringContext
from bot.services import authz, circles, invitations, professionals
from bot.services.invitations import LinkProblem, LinkRefused
from bot.texts import not_an_emergency_service

JOIN = "join"
ANSWER = "inv"

#: A reply prepared inside the database transaction and sent after it has been committed.
Reply = Callable[[Message], Awaitable[None]]


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
    runtime = context.runtime
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:  # a refusal is committed too: it counts for throttling
        try:
            invitation = await invitations.open_link(session, token, person_id=context.person_id, now=now)
        except LinkRefused as refused:
            reply = _send(_refusal(refused.problem))
        else:
            try:
                async with session.begin_nested():
                    reply = await _use(update, context, session, invitation)
            except authz.NotAllowed:  # a family link opened by someone who is in the circle otherwise
                reply = _send(_refusal(LinkProblem.NOT_VALID))
    await reply(message)


def _refusal(problem: LinkProblem) -> str:
    if problem == LinkProblem.TOO_MANY_TRIES:
        return _("Je hebt te vaak een link geprobeerd die niet werkt. Probeer het over een uur opnieuw.")
    return _(
        "Deze link werkt niet (meer). Misschien is hij al gebruikt of verlopen. "
        "Vraag degene die je de link gaf om een nieuwe."
    )


async def _use(update: Update, context: KringContext, session: AsyncSession, invitation: Invitation) -> Reply:
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None and context.person_id is not None
    now = context.runtime.clock.now()
    private = message.chat.type == ChatType.PRIVATE
    if invitation.kind == InvitationKind.PROFESSIONAL and private:
        professional = await professionals.register(session, invitation, person_id=context.person_id, now=now)
        return _send(_professional_welcome(professional))
    if invitation.kind == InvitationKind.GROUP and not private:
        try:
            circle = await circles.attach_group(
                session, invitation, chat_id=message.chat.id, person_id=context.person_id, now=now
            )
        except circles.AlreadyLinked:
            return _send(_("Deze groep hoort al bij een andere kring. Maak een nieuwe groep voor deze kring."))
        attached = await session.get(Professional, circle.professional_id) if circle.professional_id else None
        return _group_greeting(circle, attached.name if attached else None)
    if invitation.kind == InvitationKind.FAMILY and private:
        joined = await circles.join_with_family_link(
            session, invitation, person_id=context.person_id, display_name=user.first_name, now=now
        )
        joined_circle = await session.get_one(Circle, invitation.circle_id)
        welcome = _send(_family_welcome(joined_circle.name, joined.is_coordinator))
        if not joined.is_coordinator or joined_circle.professional_id is None:
            return welcome
        circle_id = joined_circle.id

        async def welcome_and_pulse(message: Message) -> None:
            await welcome(message)
            await pulse.offer(context, message, circle_id)  # the family decides this at set-up

        return welcome_and_pulse
    if invitation.kind == InvitationKind.NETWORK and private:
        invited = await circles.describe_invitation(session, invitation)
        if invited.already_member:
            return _send(_("Je doet al mee in de kring van {circle}.").format(circle=invited.circle_name))
        return _invitation_question(invited)
    # a link opened in the wrong kind of chat: give it back untouched
    invitation.used_by_person_id = None
    if private:
        return _send(_("Deze link is om mij toe te voegen aan de groep van het gezin. Open de link en kies de groep."))
    return _send(_("Deze link is voor een privégesprek met mij. Open de link zelf, niet in de groep."))


def _send(text: str, buttons: InlineKeyboardMarkup | None = None) -> Reply:
    async def reply(message: Message) -> None:
        await message.reply_text(text, reply_markup=buttons)

    return reply


def _professional_welcome(professional: Professional) -> str:
    return "\n\n".join(
        [
            _("Welkom, {name}. Je bent nu aangemeld als hulpverlener.").format(name=professional.name),
            _("Start een kring voor een gezin met /new. Daarna beslist het gezin wie er meedoet."),
        ]
    )


def _family_welcome(circle_name: str, coordinator: bool) -> str:
    parts = [_("Welkom in de kring van {circle}.").format(circle=circle_name)]
    if coordinator:
        parts.append(_("Jij regelt de kring. Jij beslist wie er meedoet. Nodig mensen uit met /invite."))
    parts.append(_("Met /plan zie je de afspraken. Met /help zie je wat je kunt doen."))
    return "\n\n".join(parts)


def _group_greeting(circle: Circle, professional_name: str | None) -> Reply:
    with use_language(circle.language):
        text = "\n\n".join(
            [
                _("Hallo allemaal! Ik ben Kring, de helper van {circle}.").format(circle=circle.name),
                _("Ik help jullie om de afspraken vast te houden: wie doet wat?"),
                _(
                    "Het gezin beslist: wie meedoet, wat jullie afspreken en wie wat ziet. "
                    "Ik stuur niemand een bericht zonder dat jullie dat goed vinden."
                ),
                (
                    _("{name} leest niet mee in deze groep.").format(name=professional_name)
                    if professional_name
                    else _("De hulpverlener leest niet mee in deze groep.")
                ),
                _("Hoor je bij het gezin? Druk dan op de knop. Wie als eerste drukt, regelt de kring."),
                not_an_emergency_service(),
            ]
        )
        button = pgettext("button", "Ik hoor bij het gezin")
    return _send(
        text, InlineKeyboardMarkup([[InlineKeyboardButton(button, callback_data=callbacks.encode(JOIN, circle.id))]])
    )


def _invitation_question(invited: circles.Invited) -> Reply:
    lines = [
        _("{inviter} nodigt je uit voor de kring van {circle}.").format(
            inviter=invited.inviter_name, circle=invited.circle_name
        )
    ]
    if invited.helps_with:
        lines.append(_("De vraag is of je wilt helpen met: {what}").format(what=invited.helps_with))
    lines += [
        _(
            "Kring is een hulpmiddel in Telegram. Het helpt een gezin en de mensen om hen heen om afspraken vast te houden."
        ),
        _("Je ziet alleen de afspraken die over jou gaan, en wat het gezin met je deelt."),
        _("Je kunt altijd stoppen."),
    ]
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
    return _send("\n\n".join(lines), buttons)


async def join_pressed(update: Update, context: KringContext) -> None:
    """The "I am family" button, pressed in the family's group."""
    query = update.callback_query
    assert query is not None and query.message is not None
    runtime = context.runtime
    try:
        (circle_id,) = callbacks.decode_ints(query.data, JOIN, 1)
        async with runtime.sessions.begin() as session:
            circle = await session.get(Circle, circle_id)
            if circle is None or circle.group_chat_id != query.message.chat.id or context.person_id is None:
                raise authz.NotAllowed(authz.Action.JOIN_AS_FAMILY)  # a button from another chat
            joined = await circles.join_as_family(
                session,
                circle.id,
                person_id=context.person_id,
                display_name=query.from_user.first_name,
                now=runtime.clock.now(),
            )
            language, followed = circle.language, circle.professional_id is not None
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    if not joined.is_new:
        await query.answer(_("Je doet al mee."))
        return
    await query.answer()
    with use_language(language):
        name = joined.member.display_name
        text = (
            _(
                "Welkom, {name}! Jij regelt nu de kring. Nodig mensen uit met /invite. "
                "Laat anderen meeregelen met /members."
            ).format(name=name)
            if joined.is_coordinator
            else _("Welkom, {name}! Je doet nu mee.").format(name=name)
        )
    await context.bot.send_message(query.message.chat.id, text)
    if joined.is_coordinator and followed and isinstance(query.message, Message):
        await pulse.offer(context, query.message, joined.member.circle_id)  # the family decides this at set-up


async def invitation_answered(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        invitation_id, answer = callbacks.decode(query.data, ANSWER, 2)
        if answer not in ("yes", "no") or context.person_id is None:
            raise callbacks.BadCallbackData(query.data)
        async with runtime.sessions.begin() as session:
            member = await circles.answer_invitation(
                session,
                callbacks.as_int(invitation_id),
                person_id=context.person_id,
                accept=answer == "yes",
                now=runtime.clock.now(),
            )
    except callbacks.BadCallbackData:
        member = None
    if member is None:
        await stale_button(update, context)
        return
    await query.answer()
    if answer == "yes":
        text = _(
            "Fijn dat je meedoet! Het gezin weet het nu. Met /plan zie je wat je afspreekt. Met /help zie je wat je kunt doen."
        )
    else:
        text = _("Dank je wel. Het gezin weet dat je niet meedoet. Dat is helemaal goed.")
    await query.edit_message_text(text)
    runtime.ticker.wake()


async def group_without_circle(message: Message, context: KringContext) -> bool:
    """``/start`` in a group that no circle uses: explain that a link is needed. (Nothing is said
    when the bot is added: with a link, the ``/start <token>`` only arrives just after that.)"""
    async with context.runtime.sessions() as session:
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
        await circles.follow_group_migration(session, message.chat.id, message.migrate_to_chat_id)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        MessageHandler(filters.StatusUpdate.MIGRATE, group_migrated),
        CallbackQueryHandler(join_pressed, pattern=callbacks.pattern(JOIN)),
        CallbackQueryHandler(invitation_answered, pattern=callbacks.pattern(ANSWER)),
    ]
