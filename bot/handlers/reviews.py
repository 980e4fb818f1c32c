"""The buttons that open looking back together (:mod:`bot.flows.review`): "Samen terugkijken" on
the review message and "Waar staan we nu?" at the end of the follow-up. The questions are always
asked privately: pressed in the group, they arrive in the presser's own chat with me."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.flows import review as flow
from bot.flows.flow import Reply
from bot.handlers import flows
from bot.messages import reviews as messages
from bot.runtime import KringContext
from bot.services import reviews


def _pressed(action: str, end: bool) -> Callable[[Update, KringContext], Coroutine[Any, Any, None]]:
    async def on_press(update: Update, context: KringContext) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message
        private = isinstance(message, Message) and message.chat.type == ChatType.PRIVATE
        chat_id = query.from_user.id  # a private chat has the person's own id

        async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
            number = callbacks.as_int(values[0])
            if end:
                started = await reviews.start(session, person_id=person_id, circle_id=number)
            else:
                started = await reviews.start(session, person_id=person_id, round_id=number)
            turn = await flows.begin(context, session, chat_id, flow.REVIEW, flow.draft(started), step="ask")
            reply = await flow.first(turn)
            await flow.REVIEW.save(turn)
            return reply

        reply = await flows.button_action(update, context, action, 1, apply)
        if reply is None:
            return
        if private and isinstance(message, Message):
            await query.answer()
            await message.reply_text(reply[0], reply_markup=reply[1])
            return
        try:
            await context.bot.send_message(chat_id, reply[0], reply_markup=reply[1])
        except (Forbidden, BadRequest):  # never pressed Start with me
            await query.answer(messages.start_privately_first(), show_alert=True)
            return
        await query.answer(messages.sent_privately())

    return on_press


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(_pressed(messages.START, end=False), pattern=callbacks.pattern(messages.START)),
        CallbackQueryHandler(_pressed(messages.END, end=True), pattern=callbacks.pattern(messages.END)),
    ]
