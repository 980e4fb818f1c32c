"""Answers to reminders: "Gedaan", "Lukt deze keer niet", the backup's answer, and "Bedankt!"."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import Outcome
from bot.handlers.flows import button_action
from bot.i18n import _
from bot.messages.reminders import ANSWER, THANK
from bot.runtime import KringContext
from bot.services import agreements

REPLIES = {
    Outcome.DONE: lambda: _("Top, dank je wel! Het gezin weet het."),
    Outcome.NOT_DONE: lambda: _("Dat is goed. Het gezin weet het."),
    Outcome.BACKUP_DONE: lambda: _("Fijn dat je inspringt! Het gezin weet het."),
    Outcome.BACKUP_CANT: lambda: _("Dat is goed. Het gezin weet het."),
}


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Outcome:
        occurrence_id, answer = values
        occurrence = await agreements.report(
            session,
            callbacks.as_int(occurrence_id),
            person_id=person_id,
            answer=answer,
            now=context.runtime.clock.now(),
        )
        return occurrence.outcome

    outcome = await button_action(update, context, ANSWER, 2, apply)
    if outcome is None:
        return
    await query.answer()
    await query.edit_message_text(REPLIES[outcome]())


async def thanks_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> bool:
        occurrence_id = callbacks.as_int(values[0])
        await agreements.thank(session, occurrence_id, person_id=person_id, now=context.runtime.clock.now())
        return True

    if await button_action(update, context, THANK, 1, apply) is None:
        return
    await query.answer(_("Je bedankje is verstuurd."))
    await query.edit_message_reply_markup(None)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(thanks_pressed, pattern=callbacks.pattern(THANK)),
    ]
