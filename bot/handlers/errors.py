"""The last safety net: log ids and the traceback, and tell the person plainly what happened.

The handler's transaction was rolled back, so what the person just did was (most likely) not
saved: Kring says so. When the database could not be reached (a connection cut, a database that
is down, locked or full), it says that it could not save and asks for a second try in a minute.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import exc as sa
from telegram import Update
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.i18n import _
from bot.runtime import KringContext

log = logging.getLogger(__name__)

#: Errors that mean "the database could not be reached or could not write now", not a bug.
_DATABASE_DOWN: tuple[type[BaseException], ...] = (
    sa.OperationalError,
    sa.InterfaceError,
    sa.DisconnectionError,
    sa.TimeoutError,  # no connection free in the pool
    ConnectionError,  # refused or reset while connecting (asyncpg raises these unwrapped)
)


def database_was_down(error: BaseException | None) -> bool:
    """Whether ``error`` (or what caused it) is the database being unreachable or failing to write."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, _DATABASE_DOWN) or (isinstance(error, sa.DBAPIError) and error.connection_invalidated):
            return True
        error = error.__cause__ or error.__context__
    return False


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
            "database_down": database_was_down(context.error),
        },
    )
    if chat is None:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        if database_was_down(context.error):
            text = _(
                "Sorry, dat kon ik nu niet opslaan, want er is een storing. Probeer het over een minuut nog een keer."
            )
        else:
            text = _(
                "Sorry, er ging bij mij iets mis. Wat je net deed, is misschien niet gelukt. "
                "Probeer het over een paar minuten opnieuw."
            )
        await context.bot.send_message(chat.id, text)
    except TelegramError:
        log.warning("could not tell the person about the error", extra={"update_id": update.update_id})
