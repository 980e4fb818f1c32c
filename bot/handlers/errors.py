"""The last safety net: log ids and the traceback, and tell the person plainly."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.i18n import _
from bot.runtime import KringContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: KringContext) -> None:
    if not isinstance(update, Update):
        log.error("error outside an update", exc_info=context.error)
        return
    chat = update.effective_chat
    if isinstance(context.error, BadRequest) and "message is not modified" in context.error.message.lower():
        # a second tap on a button whose answer is already shown: nothing to do, nothing wrong
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):
                await update.callback_query.answer()
        return
    if isinstance(context.error, RetryAfter):
        # Telegram's pause outlasts what a reply may wait (scheduler/pause.py logged and counted
        # it): nothing can be sent now, not even "sorry"
        log.warning("reply not sent: Telegram asked to wait", extra={"update_id": update.update_id})
        return
    log.error(
        "error while handling an update",
        exc_info=context.error,
        extra={
            "update_id": update.update_id,
            "chat_id": chat.id if chat else None,
            "person_id": context.person_id,
        },
    )
    if chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await context.bot.send_message(
            chat.id,
            _("Sorry, er ging bij mij iets mis. Er is niets kwijtgeraakt. Probeer het over een paar minuten opnieuw."),
        )
    except TelegramError:
        log.warning("could not tell the person about the error", extra={"update_id": update.update_id})
