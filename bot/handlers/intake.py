"""What comes in from Telegram, before any handler sees it.

- Kring asks Telegram only for the kinds of update it handles (:data:`ALLOWED_UPDATES`, in polling
  and in ``setWebhook``); an edited message is not one of them: editing ``/plan`` or an answer
  changes nothing.
- An update python-telegram-bot cannot read (a newer Bot API, a self-hosted server) is skipped:
  in polling :class:`SkippingUpdatesRequest` hands PTB an empty update with only its id in its
  place, so the offset moves on; the webhook answers 400. Either way the log says its id, nothing
  of its contents.
- :func:`handlers` (run before everything else) handles each ``update_id`` once, whichever way it
  arrives, and lets through only the kinds in :data:`ALLOWED_UPDATES`.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from telegram import Bot, Update
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler
from telegram.request import HTTPXRequest, RequestData

from bot.metrics import Metrics
from bot.runtime import KringContext

log = logging.getLogger(__name__)

#: The kinds of update Kring handles: messages (commands, answers, a group's service messages)
#: and button presses. Not edits, channel posts, reactions or member changes.
ALLOWED_UPDATES: tuple[str, ...] = (Update.MESSAGE, Update.CALLBACK_QUERY)
#: How many recent ``update_id``\ s are remembered to handle each update once. Telegram re-sends a
#: webhook update only for a short while, and polling's offset already confirms what was fetched.
REMEMBERED_UPDATES = 10_000


class Unreadable(Exception):
    """Not an update Kring can read. ``update_id`` is its id when it has one (never its contents)."""

    def __init__(self, update_id: int | None) -> None:
        super().__init__(f"unreadable update {update_id}")
        self.update_id = update_id


def update_id_of(data: object) -> int | None:
    value = data.get("update_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def read_update(data: object, bot: Bot | None) -> Update:
    """``data`` as an :class:`Update`, or :class:`Unreadable`. Whatever python-telegram-bot raises
    on an odd shape (a message that is a string, a date out of range, JSON nested too deeply) is
    caught here: one unreadable update must not stop the ones after it."""
    update_id = update_id_of(data)
    if update_id is None:
        raise Unreadable(None)
    try:
        return Update.de_json(data, bot)  # type: ignore[arg-type]  # a dict with an update_id
    except Exception:  # any shape PTB cannot read; its message may quote the contents, so it is dropped
        raise Unreadable(update_id) from None


def note_skipped(metrics: Metrics | None, update_id: int | None, *, how: str) -> None:
    log.warning("update skipped: it could not be read", extra={"update_id": update_id, "via": how})
    if metrics is not None:
        metrics.updates_skipped.labels(reason="unreadable").inc()


class SkippingUpdatesRequest(HTTPXRequest):
    """The connection ``getUpdates`` goes over. Each update in a batch is read on its own; one that
    cannot be read is replaced by an empty update with only its id, which python-telegram-bot
    takes, counts for the offset (so Telegram drops it) and :func:`handlers` then ignores. Without
    this, PTB would log the whole batch at CRITICAL and fetch the same batch again, forever."""

    def __init__(self, metrics: Metrics | None = None) -> None:
        super().__init__(connection_pool_size=1)  # as PTB's own getUpdates connection
        self.metrics = metrics

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        write_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        connect_timeout: Any = HTTPXRequest.DEFAULT_NONE,
        pool_timeout: Any = HTTPXRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if status != 200 or not url.lower().endswith("/getupdates"):
            return status, payload
        return status, self._readable(payload)

    def _readable(self, payload: bytes) -> bytes:
        try:
            body = json.loads(payload)
        except (ValueError, RecursionError):
            return payload  # not JSON at all: PTB raises a network error and polls again
        results = body.get("result") if isinstance(body, dict) else None
        if not isinstance(results, list):
            return payload
        readable: list[object] = []
        changed = False
        for data in results:
            try:
                read_update(data, None)
            except Unreadable as unreadable:
                note_skipped(self.metrics, unreadable.update_id, how="polling")
                changed = True
                if unreadable.update_id is not None:  # (without an id Telegram cannot have sent it)
                    readable.append({"update_id": unreadable.update_id})
            else:
                readable.append(data)
        if not changed:
            return payload
        return json.dumps({**body, "result": readable}).encode()


class UpdateGate:
    """Lets each ``update_id`` through once, and only the kinds of update Kring handles. The ids
    are remembered in memory (the last :data:`REMEMBERED_UPDATES`): a restart starts from
    Telegram's offset, which already holds back what was fetched before."""

    def __init__(self, remembered: int = REMEMBERED_UPDATES) -> None:
        self.remembered = remembered
        self._seen: OrderedDict[int, None] = OrderedDict()

    def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > self.remembered:
            self._seen.popitem(last=False)
        return True

    async def __call__(self, update: Update, context: KringContext) -> None:
        if not self.first_time(update.update_id):
            reason = "duplicate"
        elif not any(getattr(update, kind) is not None for kind in ALLOWED_UPDATES):
            reason = "not_handled"  # an edit, an empty stand-in for an unreadable update, ...
        else:
            return
        log.info("update ignored", extra={"update_id": update.update_id, "reason": reason})
        context.runtime.metrics.updates_skipped.labels(reason=reason).inc()
        raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [TypeHandler(Update, UpdateGate())]
