"""A stranger who floods Kring is slowed down, politely.

Each Telegram account has a small bucket of updates (``CAPACITY``) that refills at ``PER_SECOND``
in real time. People in a circle and professionals are never held back: only when an account's
bucket is empty does Kring look it up, and it limits only accounts that belong to no circle. The
first update over the limit gets one kind sentence; the rest are answered silently (a button
stops spinning) or ignored, until the bucket refills. The buckets live in memory: a restart
forgets them, which is fine for a limit on speed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot.handlers.flows import REPLY_TO_KRING
from bot.i18n import _, resolve_language, use_language
from bot.runtime import KringContext
from bot.services import roles

log = logging.getLogger(__name__)
CAPACITY = 30
PER_SECOND = 0.5
MAX_TRACKED = 10_000


@dataclass
class Bucket:
    tokens: float
    at: float
    warned: bool = False


class FloodGuard:
    def __init__(
        self, clock: Callable[[], float] = time.monotonic, *, capacity: int = CAPACITY, per_second: float = PER_SECOND
    ) -> None:
        self.clock = clock
        self.capacity = capacity
        self.per_second = per_second
        self.buckets: dict[int, Bucket] = {}

    def take(self, user_id: int) -> Bucket | None:
        """``None`` when the account may go on; otherwise its (empty) bucket."""
        now = self.clock()
        bucket = self.buckets.get(user_id)
        if bucket is None:
            if len(self.buckets) >= MAX_TRACKED:  # forget the accounts that have been quiet longest
                for key in sorted(self.buckets, key=lambda k: self.buckets[k].at)[: MAX_TRACKED // 10]:
                    del self.buckets[key]
            bucket = self.buckets[user_id] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return None
        return bucket


def guard_of(context: KringContext) -> FloodGuard:
    return context.application.bot_data.setdefault("flood_guard", FloodGuard())  # type: ignore[no-any-return]


async def _in_a_circle(context: KringContext, telegram_user_id: int) -> bool:
    async with context.runtime.reads() as session:
        return await roles.belongs_somewhere(session, telegram_user_id)


def _addressed_to_kring(update: Update) -> bool:
    """A button, a private message, or in a group a command or a reply to Kring. The family's own
    chatter in their group is none of Kring's business, and never counted."""
    message = update.effective_message
    if update.callback_query is not None or message is None or message.chat.type == ChatType.PRIVATE:
        return True
    return bool(message.text and message.text.startswith("/")) or REPLY_TO_KRING.check_update(update) is True


async def slow_down(update: Update, context: KringContext) -> None:
    user = update.effective_user
    if user is None or user.is_bot or not _addressed_to_kring(update):
        return
    bucket = guard_of(context).take(user.id)
    if bucket is None or await _in_a_circle(context, user.id):
        return
    query = update.callback_query
    message = update.effective_message
    private = message is not None and message.chat.type == ChatType.PRIVATE
    if not bucket.warned:
        bucket.warned = True
        log.info("flood: updates held back", extra={"telegram_user_id": user.id})
        with use_language(resolve_language(user.language_code, context.runtime.settings.default_language)):
            text = _("Je stuurt heel veel tegelijk. Ik wacht even. Probeer het over een minuut opnieuw.")
        if query is not None:
            await query.answer(text)
        elif private and message is not None:
            await message.reply_text(text)  # (in a group: silence; the family's chat is not for this)
    elif query is not None:
        await query.answer()
    raise ApplicationHandlerStop


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [TypeHandler(Update, slow_down)]
