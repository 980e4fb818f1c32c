"""Answers to reminders: "Gedaan", "Lukt deze keer niet", the backup's answer, and "Bedankt!"."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import callbacks
from bot.db.models import Outcome
from bot.handlers.fallback import stale_button
from bot.i18n import _
from bot.messages.reminders import ANSWER, THANK
from bot.runtime import KringContext
from bot.services import agreements, authz

REPLIES = {
    Outcome.DONE: lambda: _("Top, dank je wel! Het gezin weet het."),
    Outcome.NOT_DONE: lambda: _("Dat is goed. Het gezin weet het."),
    Outcome.BACKUP_DONE: lambda: _("Fijn dat je inspringt! Het gezin weet het."),
    Outcome.BACKUP_CANT: lambda: _("Dat is goed. Het gezin weet het."),
}


async def answer_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        occurrence_id, answer = callbacks.decode(query.data, ANSWER, 2)
        if context.person_id is None:
            raise authz.NotAllowed(authz.Action.ANSWER_AGREEMENT)
        async with runtime.sessions.begin() as session:
            occurrence = await agreements.report(
                session,
                callbacks.as_int(occurrence_id),
                person_id=context.person_id,
                answer=answer,
                now=runtime.clock.now(),
            )
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(REPLIES[occurrence.outcome]())


async def thanks_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (occurrence_id,) = callbacks.decode_ints(query.data, THANK, 1)
        if context.person_id is None:
            raise authz.NotAllowed(authz.Action.THANK)
        async with runtime.sessions.begin() as session:
            await agreements.thank(session, occurrence_id, person_id=context.person_id, now=runtime.clock.now())
    except (callbacks.BadCallbackData, authz.NotAllowed):
        await stale_button(update, context)
        return
    await query.answer(_("Je bedankje is verstuurd."))
    await query.edit_message_reply_markup(None)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(thanks_pressed, pattern=callbacks.pattern(THANK)),
    ]
