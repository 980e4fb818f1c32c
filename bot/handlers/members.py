"""Who is in the circle: /members (and letting others co-coordinate), /invite (the flow
:mod:`bot.flows.invite`) and revoking a link."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Member, MemberRole, MemberStatus
from bot.flows import invite
from bot.flows.invite import REVOKE
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import authz, circles
from bot.services.authz import Action

COORDINATE = "coord"


# -- /members -------------------------------------------------------------------------------


def _role_label(member: Member) -> str:
    if member.status == MemberStatus.INVITED:
        return _("uitgenodigd")
    if member.role == MemberRole.NETWORK:
        return _("netwerk")
    return _("gezin, regelt de kring") if member.is_coordinator else _("gezin")


async def list_members(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, MEMBERS_COMMAND)


async def _show_members(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.sessions() as session:
        try:
            listed = await circles.member_list(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(MEMBERS_COMMAND.refusal())
            return
        text, buttons = _members_view(listed)
    await message.reply_text(text, reply_markup=buttons)


def _members_view(listed: circles.MemberList) -> tuple[str, InlineKeyboardMarkup | None]:
    lines = [_("Wie doet mee in de kring van {circle}:").format(circle=listed.circle_name)]
    lines += [f"• {m.display_name} ({_role_label(m)})" for m in listed.members]
    buttons = [
        [
            InlineKeyboardButton(
                _("{name} laten meeregelen").format(name=m.display_name),
                callback_data=callbacks.encode(COORDINATE, m.id),
            )
        ]
        for m in listed.may_coordinate
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


async def make_coordinator_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, circles.MemberList]:
        member = await circles.make_coordinator(
            session, person_id=person_id, member_id=callbacks.as_int(values[0]), now=runtime.clock.now()
        )
        return member.display_name, await circles.member_list(session, member.circle_id, person_id=person_id)

    done = await flows.button_action(update, context, COORDINATE, 1, apply)
    if done is None:
        return
    name, listed = done
    await query.answer(_("{name} regelt nu ook de kring.").format(name=name))
    text, buttons = _members_view(listed)
    await query.edit_message_text(text, reply_markup=buttons)


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
        CallbackQueryHandler(revoke_pressed, pattern=callbacks.pattern(REVOKE)),
    ]
