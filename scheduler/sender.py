"""The sender: turns due outbox rows into Telegram messages, within Telegram's rules.

- 429: wait ``retry_after`` — nothing at all is sent before it has passed (python-telegram-bot's
  rate limiter re-opens too early, so the sender keeps this pause itself).
- 5xx and time-outs: try again later with a growing pause, up to ``max_attempts``.
- 403 (blocked, never started, removed from the group): failed at once, the person marked
  unreachable; never retried.
- A group upgraded to a supergroup: the circle follows the new chat id and the message is sent there.
- 400: failed (the message itself is wrong; retrying cannot help).

Each delivery is rendered at send time in its recipient's language, by the renderer for its kind
(``bot/handlers/deliveries.py: RENDERERS``); a renderer that returns ``None`` skips a message that
is no longer relevant.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.clock import Clock
from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Delivery, DeliveryStatus, Member, MemberStatus, Person
from bot.db.session import SessionMaker
from bot.i18n import use_language
from bot.services import notifications, removal
from bot.services.quiet_hours import quiet_until

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: InlineKeyboardMarkup | None = None
    #: Runs in the transaction that records a successful send (e.g. the family's copy of a pulse,
    #: which must only exist if the pulse itself was sent).
    after_sent: Callable[[AsyncSession, Delivery], Awaitable[None]] | None = None


Renderer = Callable[[AsyncSession, Delivery], Awaitable[Rendered | None]]


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def count_error(self, name: str) -> None:
        self.errors[name] = self.errors.get(name, 0) + 1


class Sender:
    def __init__(
        self,
        bot: Bot,
        sessions: SessionMaker,
        clock: Clock,
        renderers: Mapping[DeliveryKind, Renderer],
        *,
        default_language: str,
        default_tz: ZoneInfo,
        batch_size: int = 30,
        max_attempts: int = 6,
        first_backoff: timedelta = timedelta(seconds=30),
        name: str = "kring",
    ) -> None:
        self.bot = bot
        self.sessions = sessions
        self.clock = clock
        self.renderers = renderers
        self.default_language = default_language
        self.default_tz = default_tz
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.first_backoff = first_backoff
        self.paused_until: datetime | None = None
        #: This process's name on the rows it claims (several processes may share the outbox).
        self.name = name

    async def recover(self) -> int:
        """Rows a crashed process had claimed, once their lease ran out, go back in the queue."""
        async with self.sessions.begin() as session:
            count = await outbox.recover_interrupted(session, now=self.clock.now())
        if count:
            log.warning("deliveries interrupted by a crash are queued again", extra={"count": count})
        return count

    async def send_due(self) -> SendReport:
        """Send everything that is due now, batch by batch, unless Telegram asked us to wait."""
        report = SendReport()
        await self.recover()
        while not self._paused():
            async with self.sessions.begin() as session:
                batch = [
                    d.id
                    for d in await outbox.claim_due(session, now=self.clock.now(), limit=self.batch_size, by=self.name)
                ]
            if not batch:
                break
            for delivery_id in batch:
                try:
                    if self._paused():  # a 429 during this batch: give the rest back untouched
                        await self._release(delivery_id)
                    else:
                        await self._send_one(delivery_id, report)
                except Exception:  # a bug in one message must not hold up all the others
                    log.exception("delivery could not be handled", extra={"delivery_id": delivery_id})
                    await self._give_up(delivery_id, report)
        return report

    async def _give_up(self, delivery_id: int, report: SendReport) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is not None and delivery.status == DeliveryStatus.SENDING and delivery.claimed_by == self.name:
                outbox.mark_failed(delivery, error="internal error")
                report.failed += 1

    def _paused(self) -> bool:
        return self.paused_until is not None and self.clock.now() < self.paused_until

    async def _release(self, delivery_id: int) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is not None and delivery.status == DeliveryStatus.SENDING and delivery.claimed_by == self.name:
                delivery.attempts -= 1
                outbox.mark_retry(delivery, at=self.paused_until or self.clock.now(), error="paused after 429")

    async def _send_one(self, delivery_id: int, report: SendReport) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id, with_for_update=True)
            if delivery is None or not outbox.still_ours(delivery, by=self.name, now=self.clock.now()):
                return  # erased while queued, or (after a long stall) taken over by another process
            expires = delivery.payload.get("expires_at")
            if expires and self.clock.now() >= datetime.fromisoformat(expires):
                outbox.mark_skipped(delivery, reason="stale: its moment has passed")
                report.skipped += 1
                return
            if delivery.person_id is not None:
                person = await session.get(Person, delivery.person_id)
                if person is not None and person.unreachable_since is not None:  # blocked: stop trying
                    outbox.mark_skipped(delivery, reason="unreachable")
                    report.skipped += 1
                    return
                if delivery.circle_id is not None and await removal.is_removed(
                    session, circle_id=delivery.circle_id, person_id=delivery.person_id
                ):  # taken out of the circle: nothing of it reaches them any more
                    outbox.mark_skipped(delivery, reason="taken out of the circle")
                    report.skipped += 1
                    return
            wait_until = await self._paused_until(session, delivery) or await self._quiet_until(session, delivery)
            if wait_until is not None:  # a pause or the night is not a failure: no attempt counted
                delivery.attempts -= 1
                outbox.mark_retry(delivery, at=wait_until, error="pause or quiet hours")
                return
            rendered = await self._render(session, delivery)
            if rendered is None:
                outbox.mark_skipped(delivery, reason="no longer relevant")
                report.skipped += 1
                return
            chat_id = delivery.chat_id
        outcome = await self._deliver(delivery_id, chat_id, rendered)
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is not None:
                await self._record(session, delivery, outcome, report)
                if outcome.kind == "sent" and rendered.after_sent is not None:
                    await rendered.after_sent(session, delivery)

    async def _paused_until(self, session: AsyncSession, delivery: Delivery) -> datetime | None:
        """A member who paused this circle gets its private messages after the pause (whatever was
        queued before they chose it; what is stale by then is dropped)."""
        if delivery.person_id is None or delivery.circle_id is None:
            return None
        until = await session.scalar(
            select(Member.paused_until).where(
                Member.person_id == delivery.person_id, Member.circle_id == delivery.circle_id
            )
        )
        return until if until is not None and until > self.clock.now() else None

    async def _quiet_until(self, session: AsyncSession, delivery: Delivery) -> datetime | None:
        """The recipient's quiet hours, in their own time zone (a group: the circle's)."""
        person = await session.get(Person, delivery.person_id) if delivery.person_id is not None else None
        circle = await session.get(Circle, delivery.circle_id) if delivery.circle_id is not None else None
        zone = (person.time_zone if person else None) or (circle.time_zone if circle else None)
        tz = ZoneInfo(zone) if zone else self.default_tz
        return quiet_until(
            self.clock.now(), tz, person.quiet_from if person else None, person.quiet_until if person else None
        )

    async def _render(self, session: AsyncSession, delivery: Delivery) -> Rendered | None:
        renderer = self.renderers.get(cast(DeliveryKind, delivery.kind))  # a stored value finds its member
        if renderer is None:
            log.error(
                "no renderer for this kind of delivery", extra={"delivery_id": delivery.id, "kind": delivery.kind}
            )
            return None
        with use_language(await self._language(session, delivery)):
            rendered = await renderer(session, delivery)
        second = await self._second_language(session, delivery)
        if rendered is None or second is None:
            return rendered
        with use_language(second):  # a group that reads two languages: both, the first one first
            also = await renderer(session, delivery)
        if also is None or len(rendered.text) + len(also.text) + 2 > MAX_TEXT:
            return rendered  # too long for one message in two languages: the group's first language only
        return _both(rendered, also)

    async def _second_language(self, session: AsyncSession, delivery: Delivery) -> str | None:
        if delivery.person_id is not None or delivery.circle_id is None:
            return None
        circle = await session.get(Circle, delivery.circle_id)
        if (
            circle is None
            or circle.group_chat_id != delivery.chat_id
            or circle.second_language in (None, circle.language)
        ):
            return None
        return circle.second_language

    async def _language(self, session: AsyncSession, delivery: Delivery) -> str:
        if delivery.person_id is not None:
            person = await session.get(Person, delivery.person_id)
            if person is not None:
                return person.language
        if delivery.circle_id is not None:
            circle = await session.get(Circle, delivery.circle_id)
            if circle is not None:
                return circle.language
        return delivery.payload.get("language") or self.default_language  # (a dissolved circle's group)

    async def _deliver(self, delivery_id: int, chat_id: int, rendered: Rendered) -> Outcome:
        """Send once, and say what happened."""
        extra = {"delivery_id": delivery_id}
        try:
            message = await self.bot.send_message(chat_id, rendered.text, reply_markup=rendered.buttons)
        except RetryAfter as error:
            wait = (
                error.retry_after if isinstance(error.retry_after, timedelta) else timedelta(seconds=error.retry_after)
            )
            self.paused_until = self.clock.now() + wait
            log.warning("Telegram asked to wait", extra={**extra, "seconds": wait.total_seconds()})
            return Outcome("wait", "429")
        except ChatMigrated as error:
            log.info("group became a supergroup", extra={**extra, "new_chat_id": error.new_chat_id})
            return Outcome("migrated", "migrated", new_chat_id=error.new_chat_id)
        except Forbidden:
            log.info("recipient cannot be reached", extra=extra)
            return Outcome("unreachable", "403")
        except BadRequest as error:
            log.error("Telegram refused a message", extra={**extra, "error": error.message})
            return Outcome("failed", "400")
        except TelegramError as error:  # 5xx, time-outs, connection errors
            log.warning("sending failed for now", extra={**extra, "error": type(error).__name__})
            return Outcome("retry", type(error).__name__)
        return Outcome("sent", message_id=message.message_id)

    async def _record(self, session: AsyncSession, delivery: Delivery, outcome: Outcome, report: SendReport) -> None:
        now = self.clock.now()
        if outcome.error:
            report.count_error(outcome.error)
        if outcome.kind == "sent":
            outbox.mark_sent(delivery, message_id=outcome.message_id or 0, now=now)
            report.sent += 1
        elif outcome.kind == "wait":  # waiting for Telegram is not this message's fault
            delivery.attempts -= 1
            outbox.mark_retry(delivery, at=self.paused_until or now, error="429")
            report.retried += 1
        elif outcome.kind == "migrated":
            assert outcome.new_chat_id is not None
            await _follow_migration(session, delivery.chat_id, outcome.new_chat_id)
            delivery.attempts -= 1
            outbox.mark_retry(delivery, at=now, error="chat migrated")
            report.retried += 1
        elif outcome.kind == "retry" and delivery.attempts < self.max_attempts:
            outbox.mark_retry(delivery, at=now + self.first_backoff * 2 ** (delivery.attempts - 1), error=outcome.error)
            report.retried += 1
        else:
            outbox.mark_failed(
                delivery, error=outcome.error if outcome.kind != "retry" else f"gave up: {outcome.error}"
            )
            report.failed += 1
            if outcome.kind == "unreachable" and delivery.person_id is not None:
                person = await session.get(Person, delivery.person_id)
                if person is not None and person.unreachable_since is None:
                    person.unreachable_since = now
                    await _tell_families(session, person, now)


@dataclass(frozen=True)
class Outcome:
    kind: str  # sent | wait | migrated | unreachable | failed | retry
    error: str = ""
    message_id: int | None = None
    new_chat_id: int | None = None


MAX_TEXT = 4096  # Telegram's limit for one message


def _both(first: Rendered, second: Rendered) -> Rendered:
    """One message in two languages; each button shows both labels ("Goed · جيد")."""
    buttons = first.buttons
    if first.buttons is not None and second.buttons is not None:
        rows = [
            [
                InlineKeyboardButton(_two_labels(a.text, b.text), callback_data=a.callback_data)
                for a, b in zip(row_a, row_b, strict=False)
            ]
            for row_a, row_b in zip(first.buttons.inline_keyboard, second.buttons.inline_keyboard, strict=False)
        ]
        buttons = InlineKeyboardMarkup(rows)
    return Rendered(f"{first.text}\n\n{second.text}", buttons, after_sent=first.after_sent)


def _two_labels(first: str, second: str) -> str:
    if first == second:
        return first
    emoji, _space, rest = second.partition(" ")
    if rest and not emoji[:1].isalnum() and first.startswith(emoji + " "):
        second = rest  # "😊 Goed · Good", not "😊 Goed · 😊 Good"
    return f"{first} · {second}"


async def _tell_families(session: AsyncSession, person: Person, now: datetime) -> None:
    """Someone can no longer be reached (blocked Kring, or left Telegram): each of their circles
    is told once, so the family can ask them in person."""
    memberships = await session.scalars(
        select(Member).where(Member.person_id == person.id, Member.status == MemberStatus.ACTIVE)
    )
    for member in memberships:
        circle = await session.get(Circle, member.circle_id)
        if circle is not None:
            await notifications.tell_family(
                session,
                circle,
                kind=DeliveryKind.MEMBER_UNREACHABLE,
                key=f"member.unreachable:{member.id}:{now.isoformat()}",
                payload={"member_id": member.id},
                now=now,
            )


async def _follow_migration(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group became a supergroup: its circle and everything queued for it move along."""
    await session.execute(update(Circle).where(Circle.group_chat_id == old_chat_id).values(group_chat_id=new_chat_id))
    await session.execute(
        update(Delivery)
        .where(Delivery.chat_id == old_chat_id, Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]))
        .values(chat_id=new_chat_id)
    )
