"""Who is in the circle: /members (and letting others co-coordinate), /invite and revoking a link."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Circle, Draft, Member, MemberRole, MemberStatus
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.circle_setup import deep_link
from bot.handlers.fallback import stale_button
from bot.handlers.flows import begin_for_circle, draft_button, on_text
from bot.i18n import _, pgettext
from bot.runtime import KringContext
from bot.services import authz, circles, drafts
from bot.services.authz import Action, Role

FLOW = "invite"
INVITE = "invt"
REVOKE = "rev"
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
            access = await authz.authorize(session, context.person_id, circle_id, Action.LIST_MEMBERS)
        except authz.NotAllowed:
            await message.reply_text(_("Dit kan alleen iemand van het gezin in een kring."))
            return
    text, buttons = await _members_view(context, access.circle)
    await message.reply_text(text, reply_markup=buttons)


async def _members_view(context: KringContext, circle: Circle) -> tuple[str, InlineKeyboardMarkup | None]:
    async with context.runtime.sessions() as session:
        role, _member = await authz.role_in(session, context.person_id, circle)
        members = await circles.all_members(session, circle.id)
    lines = [_("Wie doet mee in de kring van {circle}:").format(circle=circle.name)]
    lines += [f"• {m.display_name} ({_role_label(m)})" for m in members]
    buttons = [
        [
            InlineKeyboardButton(
                _("{name} laten meeregelen").format(name=m.display_name),
                callback_data=callbacks.encode(COORDINATE, m.id),
            )
        ]
        for m in members
        if role == Role.COORDINATOR
        and m.role == MemberRole.FAMILY
        and m.status == MemberStatus.ACTIVE
        and not m.is_coordinator
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


async def make_coordinator_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (member_id,) = callbacks.decode_ints(query.data, COORDINATE, 1)
        if context.person_id is None:
            raise authz.NotAllowed(Action.MAKE_COORDINATOR)
        async with runtime.sessions.begin() as session:
            member = await circles.make_coordinator(
                session, person_id=context.person_id, member_id=member_id, now=runtime.clock.now()
            )
            circle = await session.get(Circle, member.circle_id)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    assert circle is not None
    await query.answer(_("{name} regelt nu ook de kring.").format(name=member.display_name))
    text, buttons = await _members_view(context, circle)
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
    async with context.runtime.sessions.begin() as session:
        draft = await begin_for_circle(
            context,
            session,
            message,
            circle_id,
            action=Action.INVITE,
            flow=FLOW,
            step="role",
            refusal=_("Alleen wie de kring regelt, kan mensen uitnodigen."),
        )
        if draft is None:
            return
        draft_id = draft.id
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Iemand van het gezin"),
                    callback_data=callbacks.encode(INVITE, draft_id, "role", "family"),
                )
            ],
            [
                InlineKeyboardButton(
                    pgettext("button", "Iemand om het gezin heen"),
                    callback_data=callbacks.encode(INVITE, draft_id, "role", "network"),
                )
            ],
        ]
    )
    await message.reply_text(
        _(
            "Wie wil je uitnodigen? Hoort die persoon bij het gezin? Of is het iemand om het gezin heen, "
            "zoals familie, een vriend of een buur?"
        )
        + "\n\n"
        + _("Stoppen? Stuur /cancel."),
        reply_markup=buttons,
    )


@on_text(FLOW)
async def invite_text(update: Update, context: KringContext, text: str) -> None:
    message = update.effective_message
    assert message is not None and context.person_id is not None
    runtime = context.runtime
    async with runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        if draft.step == "name":
            name = circles.clean_name(text)
            if name is None:
                await message.reply_text(
                    _("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME)
                )
                return
            drafts.advance(draft, "helps_with", now=runtime.clock.now(), name=name)
            skip = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            pgettext("button", "Overslaan"), callback_data=callbacks.encode(INVITE, draft.id, "skip", 1)
                        )
                    ]
                ]
            )
            reply: tuple[str, InlineKeyboardMarkup | None] = (
                _("Waarmee zou {name} kunnen helpen? Schrijf het kort op. Of druk op 'Overslaan'.").format(name=name),
                skip,
            )
        elif draft.step == "helps_with":
            helps_with = circles.clean_name(text, circles.MAX_HELPS_WITH)
            if helps_with is None:
                await message.reply_text(
                    _("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_HELPS_WITH)
                )
                return
            reply = await _finish_invite(context, session, draft, helps_with)
        else:
            reply = (_("Kies een van de knoppen hierboven. Stoppen? Stuur /cancel."), None)
    await message.reply_text(reply[0], reply_markup=reply[1], disable_web_page_preview=True)


async def invite_button(update: Update, context: KringContext) -> None:
    await draft_button(update, context, INVITE, FLOW, _invite_press)


async def _invite_press(
    context: KringContext, session: AsyncSession, draft: Draft, field: str, value: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    runtime = context.runtime
    if field == "role" and draft.step == "role" and value in ("family", "network"):
        drafts.advance(draft, "name", now=runtime.clock.now(), role=value)
        return _("Hoe heet die persoon? Zo ziet het gezin de naam in Kring."), None
    if field == "skip" and draft.step == "helps_with":
        return await _finish_invite(context, session, draft, None)
    return None


async def _finish_invite(
    context: KringContext, session: AsyncSession, draft: Draft, helps_with: str | None
) -> tuple[str, InlineKeyboardMarkup]:
    assert context.person_id is not None
    member, token = await circles.invite(
        session,
        draft.data["circle_id"],
        person_id=context.person_id,
        name=draft.data["name"],
        role=MemberRole(draft.data["role"]),
        helps_with=helps_with,
        now=context.runtime.clock.now(),
    )
    await drafts.finish(session, draft)
    invitation_id = await circles.invitation_of(session, member.id)
    text = "\n\n".join(
        [
            _("Stuur deze link aan {name}, bijvoorbeeld via WhatsApp of sms:").format(name=member.display_name)
            + "\n"
            + deep_link(context.bot.username, token),
            _(
                "De link werkt één keer, 14 dagen lang. {name} kiest zelf of hij of zij meedoet. Jullie horen het antwoord."
            ).format(name=member.display_name),
        ]
    )
    revoke = InlineKeyboardButton(
        pgettext("button", "Link intrekken"), callback_data=callbacks.encode(REVOKE, invitation_id)
    )
    return text, InlineKeyboardMarkup([[revoke]])


async def revoke_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (invitation_id,) = callbacks.decode_ints(query.data, REVOKE, 1)
        if context.person_id is None:
            raise authz.NotAllowed(Action.REVOKE_INVITATION)
        async with runtime.sessions.begin() as session:
            member = await circles.revoke_invitation(
                session, invitation_id, person_id=context.person_id, now=runtime.clock.now()
            )
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(
        _("De link voor {name} is ingetrokken. Hij werkt niet meer.").format(name=member.display_name)
    )


MEMBERS_COMMAND = CircleCommand(
    "members",
    authz.RULES[Action.LIST_MEMBERS],
    lambda: _("Dit kan alleen iemand van het gezin in een kring."),
    _show_members,
)
INVITE_COMMAND = CircleCommand(
    "invite", authz.RULES[Action.INVITE], lambda: _("Alleen wie de kring regelt, kan mensen uitnodigen."), _begin_invite
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("members", list_members),
        MEMBERS_COMMAND.handler(),
        CommandHandler("invite", start_invite),
        INVITE_COMMAND.handler(),
        CallbackQueryHandler(make_coordinator_pressed, pattern=callbacks.pattern(COORDINATE)),
        CallbackQueryHandler(invite_button, pattern=callbacks.pattern(INVITE)),
        CallbackQueryHandler(revoke_pressed, pattern=callbacks.pattern(REVOKE)),
    ]
