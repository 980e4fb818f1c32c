"""Places to turn to: the "🏡 Hulp in de buurt" button (under /askhelp when nobody is named, and at
the end of the who-questions) shows the organisation's list to a family with few people."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.handlers.flows import button_action
from bot.messages.places import SHOW, places_view
from bot.runtime import KringContext
from bot.services import places


async def show_pressed(update: Update, context: KringContext) -> None:
    settings = context.runtime.settings

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        found = await places.for_circle(
            session, callbacks.as_int(values[0]), person_id=person_id, path=settings.places_file
        )
        return places_view(found, settings.default_language)

    text = await button_action(update, context, SHOW, 1, apply)
    query = update.callback_query
    if text is None or query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.message.reply_text(text, disable_web_page_preview=True)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [CallbackQueryHandler(show_pressed, pattern=callbacks.pattern(SHOW))]
