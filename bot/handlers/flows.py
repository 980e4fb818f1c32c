"""Typed answers in multi-step conversations (a name, a short text) go to the flow whose draft is
open in this chat; ``/cancel`` stops it. Without an open draft, text gets the kind pointer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot import callbacks
from bot.db.models import Draft
from bot.handlers.fallback import stale_button, unexpected_message
from bot.i18n import _
from bot.runtime import KringContext
from bot.services import authz, drafts

TextStep = Callable[[Update, KringContext, str], Awaitable[None]]
TEXT_STEPS: dict[str, TextStep] = {}
#: How long an open draft waits for typed text (a week, unless the flow says otherwise): after
#: that, text is not taken as an answer to a question asked long ago.
WAITS: dict[str, timedelta] = {}
DEFAULT_WAIT = timedelta(days=7)

#: What a step answers: the text and buttons that replace the question.
StepReply = tuple[str, InlineKeyboardMarkup | None]
#: Applies one button press to this person's draft, inside its transaction: (context, session,
#: draft, field, value) → reply, or ``None`` when the press does not fit the draft's step.
ButtonStep = Callable[[KringContext, AsyncSession, Draft, str, str], Awaitable[StepReply | None]]


def on_text(flow: str, *, waits: timedelta = DEFAULT_WAIT) -> Callable[[TextStep], TextStep]:
    def register(step: TextStep) -> TextStep:
        TEXT_STEPS[flow] = step
        WAITS[flow] = waits
        return step

    return register


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


async def draft_button(update: Update, context: KringContext, action: str, flow: str, apply: ButtonStep) -> None:
    """A button in a flow (``action:draft_id:field:value``): apply it to the presser's own draft,
    then show the next question in place of the old one. A press on someone else's draft, a
    finished one, or one that does not fit gets the short "stale button" answer."""

    async def to_own_draft(session: AsyncSession, person_id: int, values: list[str]) -> StepReply:
        draft_id, field, value = values
        draft = await drafts.owned(session, callbacks.as_int(draft_id), person_id=person_id, flow=flow)
        reply = await apply(context, session, draft, field, value) if draft is not None else None
        if reply is None:
            raise callbacks.BadCallbackData(field)  # not this person's draft, or not this step
        return reply

    reply = await button_action(update, context, action, 3, to_own_draft)
    if reply is None:
        return
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(reply[0], reply_markup=reply[1], disable_web_page_preview=True)


#: Saves a typed note for the draft's subject: (session, draft, person_id, note) → what the
#: handler needs to answer; ``NotAllowed`` when the subject is gone or not the person's.
NoteSaver = Callable[[AsyncSession, Draft, int, str], Awaitable[T]]


async def take_note(update: Update, context: KringContext, text: str, *, limit: int, save: NoteSaver[T]) -> T | None:
    """A few words typed as the answer to an open note draft: checked for length, then saved in
    the transaction that closes the draft. ``None`` when it was refused (the person was told)."""
    message = update.effective_message
    assert message is not None and context.person_id is not None
    note = text.strip()
    if len(note) > limit:
        await message.reply_text(_("Dat is te lang. Gebruik hoogstens {count} tekens.").format(count=limit))
        return None
    async with context.runtime.sessions.begin() as session:
        draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        assert draft is not None
        await drafts.finish(session, draft)
        try:
            return await save(session, draft, context.person_id, note)
        except authz.NotAllowed:
            await message.reply_text(_("Dit kan ik niet meer bewaren. Je antwoord op de check-in staat wel."))
            return None


async def begin_for_circle(
    context: KringContext,
    session: AsyncSession,
    message: Message,
    circle_id: int,
    *,
    action: authz.Action,
    refusal: str,
    flow: str,
    step: str,
) -> Draft | None:
    """Start a flow about a circle, after checking (again: the id may come from a button) that
    this person may; says ``refusal`` and returns ``None`` when not."""
    try:
        await authz.authorize(session, context.person_id, circle_id, action)
    except authz.NotAllowed:
        await message.reply_text(refusal)
        return None
    assert context.person_id is not None
    return await drafts.begin(
        session,
        person_id=context.person_id,
        chat_id=message.chat.id,
        flow=flow,
        step=step,
        now=context.runtime.clock.now(),
        data={"circle_id": circle_id},
    )


async def route_text(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = None
    if context.person_id is not None:
        async with context.runtime.sessions() as session:  # read only: most text has no draft
            draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        if draft is not None and draft.updated_at + WAITS.get(draft.flow, DEFAULT_WAIT) < context.runtime.clock.now():
            async with context.runtime.sessions.begin() as session:
                await drafts.finish(session, await session.merge(draft))  # asked too long ago
            draft = None
    if draft is None or draft.flow not in TEXT_STEPS:
        if message.chat.type == ChatType.PRIVATE:  # in a group, a reply to Kring needs no answer
            await unexpected_message(update, context)
        return
    await TEXT_STEPS[draft.flow](update, context, message.text)


async def cancel(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    async with context.runtime.sessions.begin() as session:
        draft = None
        if context.person_id is not None:
            draft = await drafts.current(session, person_id=context.person_id, chat_id=message.chat.id)
        if draft is not None:
            await drafts.finish(session, draft)
    await message.reply_text(_("Gestopt. Er is niets bewaard.") if draft else _("Er is niets om te stoppen."))


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
    ]
