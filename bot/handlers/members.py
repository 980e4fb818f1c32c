"""Who is in the circle: /members (a list, then one screen per member where a coordinator lets
someone co-coordinate, takes that back, sends a fresh link, or takes someone out in two steps),
confirming newcomers, /invite (the flow :mod:`bot.flows.invite`) and revoking a link."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Member, MemberRole, MemberStatus, PersonWish
from bot.flows import invite
from bot.flows.invite import REVOKE
from bot.flows.new_circle import deep_link
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _, pgettext
from bot.messages import membership
from bot.messages.young_views import wish_words
from bot.runtime import KringContext
from bot.services import authz, circles, joining, removal, young_views
from bot.services.authz import Action

#: Per member, the young person's marks (only a coordinator gets any: SEE_YOUNG_VIEW).
Wishes = dict[int, list[tuple[str, PersonWish]]]

COORDINATE = "coord"
TAKE_BACK = "uncoord"
CARD = "mbr"
LIST = "mbl"
REMOVE = "rm"


# -- /members: the list, then one screen per member -----------------------------------------


def _role_label(member: Member) -> str:
    if member.status == MemberStatus.INVITED:
        return _("uitgenodigd")
    if member.status == MemberStatus.PENDING:
        return _("wacht op jullie ja")
    if member.status == MemberStatus.REMOVED:
        return _("niet opnieuw uitnodigen") if member.do_not_invite else _("uit de kring gehaald")
    if member.status == MemberStatus.PROPOSED:
        return _("voorgesteld door de jongere")
    if member.role == MemberRole.YOUNG:
        return _("de jongere")
    if member.mentor_of_member_id is not None:
        return _("vertrouwenspersoon van de jongere")
    if member.role == MemberRole.NETWORK:
        return _("netwerk")
    return _("gezin, regelt de kring") if member.is_coordinator else _("gezin")


async def list_members(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, MEMBERS_COMMAND)


async def _show_members(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.reads() as session:
        try:
            listed = await circles.member_list(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(MEMBERS_COMMAND.refusal())
            return
        private = message.chat.type == ChatType.PRIVATE  # the young person's marks never in a group
        wishes = await young_views.wishes_for(session, circle_id, person_id=context.person_id) if private else {}
        text, buttons = _members_view(listed, wishes)
    await message.reply_text(text, reply_markup=buttons)


def _wish_note(member: Member, wishes: Wishes) -> str:
    return "".join(" · " + wish_words(young, wish) for young, wish in wishes.get(member.id, []))


def _members_view(listed: circles.MemberList, wishes: Wishes) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [_("Wie doet mee in de kring van {circle}:").format(circle=listed.circle_name)]
    lines += [f"• {m.display_name} ({_role_label(m)}){_wish_note(m, wishes)}" for m in listed.members]
    if listed.removed:
        lines += ["", _("Niet meer in de kring:")]
        lines += [f"• {m.display_name} ({_role_label(m)})" for m in listed.removed]
    if not listed.manage:
        return "\n".join(lines), None
    lines += ["", _("Kies iemand om meer te doen.")]
    buttons = [
        InlineKeyboardButton(m.display_name, callback_data=callbacks.encode(CARD, m.id))
        for m in listed.members + listed.removed
    ]
    return "\n".join(lines), InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


def _card_view(card: circles.MemberCard, wishes: Wishes) -> tuple[str, InlineKeyboardMarkup]:
    member = card.member
    lines = [f"{member.display_name} ({_role_label(member)})"]
    lines += [wish_words(young, wish) for young, wish in wishes.get(member.id, [])]
    rows: list[list[InlineKeyboardButton]] = []
    if member.status == MemberStatus.PENDING:
        lines.append(_("Telegram-account: {account}").format(account=member.account_name or "?"))
        rows += [list(row) for row in membership.decide_buttons(member, invited=card.invited).inline_keyboard]

    def button(label: str, action: str, *values: str | int) -> None:
        rows.append([InlineKeyboardButton(label, callback_data=callbacks.encode(action, member.id, *values))])

    if card.may_coordinate:
        button(_("{name} laten meeregelen").format(name=member.display_name), COORDINATE)
    if card.may_take_back:
        button(pgettext("button", "Niet meer laten regelen"), TAKE_BACK)
    if card.may_send_link:
        rows += [list(row) for row in membership.new_link_button(member).inline_keyboard]
    if card.may_remove:
        button(pgettext("button", "🚪 Uit de kring halen"), REMOVE, "ask")
    if card.may_mark:
        rows += [list(row) for row in membership.do_not_invite_button(member).inline_keyboard]
    rows.append(
        [InlineKeyboardButton(pgettext("button", "⬅️ Terug"), callback_data=callbacks.encode(LIST, member.circle_id))]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def _wishes(update: Update, session: AsyncSession, circle_id: int, person_id: int) -> Wishes:
    """The young person's marks for a coordinator, never in a group (everyone reads along there)."""
    query = update.callback_query
    message = query.message if query is not None else None
    if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
        return {}
    return await young_views.wishes_for(session, circle_id, person_id=person_id)


async def _card(
    update: Update, session: AsyncSession, member_id: int, person_id: int
) -> tuple[str, InlineKeyboardMarkup]:
    card = await circles.member_card(session, member_id, person_id=person_id)
    return _card_view(card, await _wishes(update, session, card.member.circle_id, person_id))


async def _edit(update: Update, view: tuple[str, InlineKeyboardMarkup | None]) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(view[0], reply_markup=view[1])


async def list_pressed(update: Update, context: KringContext) -> None:
    async def apply(
        session: AsyncSession, person_id: int, values: list[str]
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        listed = await circles.member_list(session, callbacks.as_int(values[0]), person_id=person_id)
        return _members_view(listed, await _wishes(update, session, listed.circle_id, person_id))

    view = await flows.button_action(update, context, LIST, 1, apply)
    if view is not None:
        await _edit(update, view)


async def card_pressed(update: Update, context: KringContext) -> None:
    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, InlineKeyboardMarkup]:
        return await _card(update, session, callbacks.as_int(values[0]), person_id)

    view = await flows.button_action(update, context, CARD, 1, apply)
    if view is not None:
        await _edit(update, view)


async def make_coordinator_pressed(update: Update, context: KringContext) -> None:
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, InlineKeyboardMarkup]:
        member = await circles.make_coordinator(
            session, person_id=person_id, member_id=callbacks.as_int(values[0]), now=runtime.clock.now()
        )
        return await _card(update, session, member.id, person_id)

    view = await flows.button_action(update, context, COORDINATE, 1, apply)
    if view is not None:
        await _edit(update, view)


async def take_back_pressed(update: Update, context: KringContext) -> None:
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, InlineKeyboardMarkup]:
        member = await removal.take_back_coordinator(
            session, callbacks.as_int(values[0]), person_id=person_id, now=runtime.clock.now()
        )
        return await _card(update, session, member.id, person_id)

    view = await flows.button_action(update, context, TAKE_BACK, 1, apply)
    if view is not None:
        await _edit(update, view)


async def remove_pressed(update: Update, context: KringContext) -> None:
    """Two steps: "ask" shows what removal means; "yes" does it."""
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, InlineKeyboardMarkup]:
        member_id, step = callbacks.as_int(values[0]), values[1]
        if step == "ask":
            member = await removal.check_can_remove(session, member_id, person_id=person_id)
            yes = pgettext("button", "Ja, haal {name} uit de kring").format(name=member.display_name)
            buttons = [
                [InlineKeyboardButton(yes, callback_data=callbacks.encode(REMOVE, member.id, "yes"))],
                [InlineKeyboardButton(pgettext("button", "Nee"), callback_data=callbacks.encode(CARD, member.id))],
            ]
            return membership.removal_question(member), InlineKeyboardMarkup(buttons)
        if step != "yes":
            raise callbacks.BadCallbackData(step)
        removed = await removal.remove(session, member_id, person_id=person_id, now=runtime.clock.now())
        return membership.removal_done(removed), membership.do_not_invite_button(removed.member)

    view = await flows.button_action(update, context, REMOVE, 2, apply)
    if view is not None:
        await _edit(update, view)
        runtime.ticker.wake()


async def do_not_invite_pressed(update: Update, context: KringContext) -> None:
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Member:
        return await removal.mark_do_not_invite(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            mark=callbacks.as_int(values[1]) == 1,
            now=runtime.clock.now(),
        )

    member = await flows.button_action(update, context, membership.DO_NOT_INVITE, 2, apply)
    if member is None:
        return
    query = update.callback_query
    assert query is not None
    await query.answer(
        _("Genoteerd: niet opnieuw uitnodigen.")
        if member.do_not_invite
        else _("Goed. Deze persoon mag later weer uitgenodigd worden.")
    )
    await query.edit_message_reply_markup(membership.do_not_invite_button(member))


async def join_decided(update: Update, context: KringContext) -> None:
    """A coordinator's yes or no to a newcomer (on the family's question, or on /members)."""
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> joining.Decided:
        return await joining.decide(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            accept=callbacks.as_yes_no(values[1]),
            now=runtime.clock.now(),
        )

    decided = await flows.button_action(update, context, membership.DECIDE, 2, apply)
    if decided is None:
        return
    refused_invitee = not decided.accepted and decided.invited
    await _edit(
        update,
        (
            membership.decided_text(decided),
            membership.new_link_button(decided.member) if refused_invitee else None,
        ),
    )
    runtime.ticker.wake()


async def new_link_pressed(update: Update, context: KringContext) -> None:
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, InlineKeyboardMarkup]:
        member, token = await joining.new_link(
            session, callbacks.as_int(values[0]), person_id=person_id, now=runtime.clock.now()
        )
        invitation_id = await circles.invitation_of(session, member.id)
        return invite.link_message(member.display_name, deep_link(context.bot.username, token), invitation_id)

    view = await flows.button_action(update, context, membership.NEW_LINK, 1, apply)
    if view is not None:
        await _edit(update, view)


# -- /invite --------------------------------------------------------------------------------


async def start_invite(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(
            _("Iemand uitnodigen doe je in een privégesprek met mij. Daar krijg je een link om door te sturen.")
        )
        return
    await with_circle(context, message, INVITE_COMMAND)


async def _begin_invite(context: KringContext, message: Message, circle_id: int) -> None:
    draft = invite.InviteDraft(circle_id)
    await flows.start(context, message, invite.INVITE, draft, step="role", refusal=invite.refusal)


async def revoke_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        member = await circles.revoke_invitation(
            session, callbacks.as_int(values[0]), person_id=person_id, now=runtime.clock.now()
        )
        return member.display_name

    name = await flows.button_action(update, context, REVOKE, 1, apply)
    if name is None:
        return
    await query.answer()
    await query.edit_message_text(_("De link voor {name} is ingetrokken. Hij werkt niet meer.").format(name=name))


MEMBERS_COMMAND = CircleCommand(
    "members",
    authz.RULES[Action.LIST_MEMBERS],
    lambda: _("Dit kan alleen iemand van het gezin in een kring."),
    _show_members,
)
INVITE_COMMAND = CircleCommand("invite", authz.RULES[Action.INVITE], invite.refusal, _begin_invite)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("members", list_members),
        MEMBERS_COMMAND.handler(),
        CommandHandler("invite", start_invite),
        INVITE_COMMAND.handler(),
        CallbackQueryHandler(make_coordinator_pressed, pattern=callbacks.pattern(COORDINATE)),
        CallbackQueryHandler(take_back_pressed, pattern=callbacks.pattern(TAKE_BACK)),
        CallbackQueryHandler(list_pressed, pattern=callbacks.pattern(LIST)),
        CallbackQueryHandler(card_pressed, pattern=callbacks.pattern(CARD)),
        CallbackQueryHandler(remove_pressed, pattern=callbacks.pattern(REMOVE)),
        CallbackQueryHandler(do_not_invite_pressed, pattern=callbacks.pattern(membership.DO_NOT_INVITE)),
        CallbackQueryHandler(join_decided, pattern=callbacks.pattern(membership.DECIDE)),
        CallbackQueryHandler(new_link_pressed, pattern=callbacks.pattern(membership.NEW_LINK)),
        CallbackQueryHandler(revoke_pressed, pattern=callbacks.pattern(REVOKE)),
    ]
