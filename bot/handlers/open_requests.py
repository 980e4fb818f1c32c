"""/ask: the family posts an open request (the flow :mod:`bot.flows.open_request`); the answers of
those asked ("Ik doe het" / "Deze keer niet"); and the one tap that makes a yes an agreement."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.flows import open_request as flow
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.messages import open_requests as messages
from bot.runtime import KringContext
from bot.services import authz, open_requests
from bot.services.authz import Action


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:  # whom to ask is the family's own choice
        await message.reply_text(messages.private_only())
        return
    await with_circle(context, message, ASK_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    await flows.start(context, message, flow.POST, flow.RequestDraft(circle_id), step="what", refusal=messages.refusal)


async def answer_pressed(update: Update, context: KringContext) -> None:
    """The one asked answers; only they see their answer (and a no is told nobody)."""

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> open_requests.Answered:
        if values[1] not in ("yes", "no"):
            raise callbacks.BadCallbackData(values[1])
        return await open_requests.answer(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            yes=values[1] == "yes",
            now=context.runtime.clock.now(),
        )

    answered = await flows.button_action(update, context, messages.ANSWER, 2, apply)
    query = update.callback_query
    if answered is None or query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.edit_message_text((query.message.text or "") + "\n\n" + messages.answered_text(answered))


async def make_pressed(update: Update, context: KringContext) -> None:
    """A coordinator makes the yes an agreement, with one tap."""

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        if values[1] != "make":
            raise callbacks.BadCallbackData(values[1])
        agreement = await open_requests.make_agreement(
            session, callbacks.as_int(values[0]), person_id=person_id, now=context.runtime.clock.now()
        )
        return agreement.what

    what = await flows.button_action(update, context, messages.MAKE, 2, apply)
    query = update.callback_query
    if what is None or query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.edit_message_text((query.message.text or "") + "\n\n" + messages.made_text(what))


ASK_COMMAND = CircleCommand("ask", authz.RULES[Action.POST_REQUEST], messages.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("ask", start),
        ASK_COMMAND.handler(),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(messages.ANSWER)),
        CallbackQueryHandler(make_pressed, pattern=callbacks.pattern(messages.MAKE)),
    ]
