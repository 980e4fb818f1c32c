"""Felt support: each tap of the private question set edits the same message. The questions
themselves are rendered by :mod:`bot.messages.support`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import FeltSupport, SupportKind
from bot.handlers.flows import button_action
from bot.messages import support as messages
from bot.runtime import KringContext
from bot.services import support


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    message = query.message
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> messages.Reply:
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[2])  # one's own answers never show in a group
        round_id, kind = callbacks.as_int(values[0]), callbacks.as_enum(SupportKind, values[1])
        field, value = values[2], values[3]
        if field == "felt":
            felt = callbacks.as_enum(FeltSupport, value)
            own = await support.answer(session, round_id, person_id=person_id, kind=kind, felt=felt, now=now)
        elif field == "often":
            own = await support.answer(session, round_id, person_id=person_id, kind=kind, how_often=value, now=now)
        elif field == "src":
            own = await support.answer(session, round_id, person_id=person_id, kind=kind, source=value, now=now)
        elif field == "next":
            own = await support.own(session, round_id, person_id=person_id)
        else:
            raise callbacks.BadCallbackData(field)
        if field != "felt" and kind not in own.answers:
            raise callbacks.BadCallbackData(field)
        return messages.next_screen(own, kind, field)

    done = await button_action(update, context, messages.ANSWER, 4, apply)
    if done is None:
        return
    text, buttons = done
    await query.answer()
    await query.edit_message_text(text, reply_markup=buttons)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(messages.ANSWER))]
