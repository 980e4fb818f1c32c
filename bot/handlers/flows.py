"""The Telegram side of multi-step conversations (:mod:`bot.flows`): typed text goes to the flow
whose draft is open in this chat, a flow's buttons to its step, ``/cancel`` stops it. Without an
open draft, text gets the kind pointer. Every flow is listed here, in one place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.flows import (
    agreement,
    checkins,
    contact,
    forget,
    giving,
    invite,
    mentor,
    network_checkins,
    network_reviews,
    new_circle,
    open_request,
    review,
    safety_plan,
    sharing,
    who_questions,
)
from bot.flows.flow import Flow, Reply, Turn, take_press, take_text
from bot.handlers.fallback import stale_button, unexpected_message
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import authz, drafts

FLOWS: dict[str, Flow[Any]] = {
    flow.name: flow
    for flow in (
        agreement.MAKE,
        agreement.DECLINE,
        contact.REQUEST,
        contact.ANSWER,
        new_circle.NEW,
        invite.INVITE,
        mentor.PROPOSE,
        safety_plan.SAFETY_PLAN,
        sharing.SHARING,
        forget.FORGET,
        checkins.CHECKIN,
        checkins.NOTE,
        network_checkins.NOTE,
        network_reviews.WORDS,
        open_request.POST,
        who_questions.WHO,
        giving.GIVEN,
        review.REVIEW,
    )
}

D = TypeVar("D")
T = TypeVar("T")
#: Applies a button press for the presser (session, person_id, the values after the action) in one
#: transaction and returns what the handler needs to answer; raising ``NotAllowed`` or
#: ``BadCallbackData`` means "this button is not for you (any more)".
ButtonAction = Callable[[AsyncSession, int, list[str]], Awaitable[T]]


async def button_action(
    update: Update, context: KringContext, action: str, arity: int, apply: ButtonAction[T]
) -> T | None:
    """A button that is not part of a draft (``action:value…``): decode it, apply it for this
    person, or give the short "stale button" answer and return ``None``."""
    query = update.callback_query
    assert query is not None
    try:
        values = callbacks.decode(query.data, action, arity)
        if context.person_id is None:
            raise authz.NotAllowed(action)
        async with context.runtime.sessions.begin() as session:
            return await apply(session, context.person_id, values)
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return None


async def start(
    context: KringContext,
    message: Message,
    flow: Flow[D],
    data: D,
    *,
    step: str,
    intro: str = "",
    refusal: Callable[[], str] | None = None,
) -> None:
    """Begin ``flow`` in this chat and ask its first question (after ``intro``). When its check
    says no, nothing is kept and the person hears ``refusal`` (or the flow's own words)."""
    try:
        async with context.runtime.sessions.begin() as session:  # begin() refuses an unknown person
            turn = await begin(context, session, message.chat.id, flow, data, step=step)
            text, buttons = await turn.question()
            await flow.save(turn)
    except authz.NotAllowed:
        await message.reply_text((refusal or flow.gone)())
        return
    await message.reply_text(f"{intro}\n\n{text}" if intro else text, reply_markup=buttons)


async def begin(
    context: KringContext, session: AsyncSession, chat_id: int, flow: Flow[D], data: D, *, step: str
) -> Turn[D]:
    """Begin ``flow`` inside a transaction the caller holds (a button that opens a question)."""
    if context.person_id is None:
        raise authz.NotAllowed(flow.name)
    runtime = context.runtime
    return await flow.begin(
        session,
        person_id=context.person_id,
        chat_id=chat_id,
        now=runtime.clock.now(),
        zone=runtime.settings.timezone,
        bot_username=context.bot.username,
        step=step,
        data=data,
    )


async def offer(
    context: KringContext, session: AsyncSession, chat_id: int, flow: Flow[D], data: D, *, step: str
) -> None:
    """Open ``flow`` quietly, so that a typed reply becomes its answer (a note to a check-in) —
    unless another conversation is open here: that one is never cut short."""
    if context.person_id is None:
        return
    open_draft = await drafts.current(session, person_id=context.person_id, chat_id=chat_id)
    if open_draft is None or open_draft.flow == flow.name:
        await begin(context, session, chat_id, flow, data, step=step)


async def route_text(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    runtime = context.runtime
    now = runtime.clock.now()
    draft = None
    if context.person_id is not None:
        async with runtime.reads() as session:  # read only: most text has no draft
            draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
    flow = FLOWS.get(draft.flow) if draft is not None else None
    if draft is None or flow is None or draft.updated_at + flow.waits < now:
        if draft is not None:
            async with runtime.sessions.begin() as session:
                await drafts.finish(session, await session.merge(draft))  # asked too long ago
        await unexpected_message(update, context)  # own words (in a group: a reply to me): help buttons
        return
    async with runtime.sessions.begin() as session:
        turn = flow.resume(
            session,
            await session.merge(draft),
            now=now,
            zone=runtime.settings.timezone,
            bot_username=context.bot.username,
        )
        if turn is None:
            await drafts.finish(session, await session.merge(draft))
            reply: Reply = (flow.gone(), None)
        else:
            reply = await take_text(turn, message.text)
    await message.reply_text(reply[0], reply_markup=reply[1], disable_web_page_preview=True)


def pressed(flow: Flow[Any]) -> Callable[[Update, KringContext], Coroutine[Any, Any, None]]:
    """The handler of a flow's buttons (``action:draft_id:name:value``): applies the press to the
    presser's own draft and shows the next question in place of the old one. A press on someone
    else's draft, a finished one, or one that does not fit gets the short "stale button" answer."""

    async def on_press(update: Update, context: KringContext) -> None:
        assert flow.action is not None
        runtime = context.runtime

        async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
            draft_id, name, value = values
            draft = await drafts.owned(session, callbacks.as_int(draft_id), person_id=person_id, flow=flow.name)
            turn = None
            if draft is not None:
                turn = flow.resume(
                    session,
                    draft,
                    now=runtime.clock.now(),
                    zone=runtime.settings.timezone,
                    bot_username=context.bot.username,
                )
            if turn is None:
                raise callbacks.BadCallbackData(draft_id)  # not this person's draft, or not any more
            return await take_press(turn, name, value)

        reply = await button_action(update, context, flow.action, 3, apply)
        if reply is None:
            return
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(reply[0], reply_markup=reply[1], disable_web_page_preview=True)

    return on_press


async def cancel(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    async with context.runtime.sessions.begin() as session:
        draft = None
        if context.person_id is not None:
            draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        if draft is not None:
            await drafts.finish(session, draft)
    if draft is None:
        await message.reply_text(_("Er is niets om te stoppen."))
        return
    flow = FLOWS.get(draft.flow)  # a flow that keeps each answer at once says so
    await message.reply_text(flow.stopped() if flow is not None else _("Gestopt. Er is niets bewaard."))


class _ReplyToKring(filters.MessageFilter):
    """A reply to one of Kring's own messages (an admin bot sees every reply in a group)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


REPLY_TO_KRING = _ReplyToKring()


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("cancel", cancel),
        # In a group: only replies to Kring's own messages (a note to a check-in, a short message).
        MessageHandler(filters.TEXT & ~filters.COMMAND & (filters.ChatType.PRIVATE | REPLY_TO_KRING), route_text),
        *(
            CallbackQueryHandler(pressed(flow), pattern=callbacks.pattern(flow.action))
            for flow in FLOWS.values()
            if flow.action is not None
        ),
    ]
