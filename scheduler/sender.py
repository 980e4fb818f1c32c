"""The sender: turns due outbox rows into Telegram messages, within Telegram's rules.

- 429: wait ``retry_after`` — nothing at all is sent before it has passed. The pause is the bot's
  one :class:`~scheduler.pause.TelegramPause`, shared with replies, edits and files: a 429 that a
  reply met holds the outbox too, and the other way round.
- 5xx and time-outs: try again later with a growing pause, up to ``max_attempts``.
- 403 (blocked, removed from the group): failed at once, the person marked unreachable; never
  retried. 403 "can't initiate conversation" (never started a chat): failed, nobody marked.
- A group upgraded to a supergroup: the circle follows the new chat id and the message is sent there.
- 400: failed (the message itself is wrong; retrying cannot help).
- A cut database connection or a time-out (:func:`bot.db.transient.is_transient`) is not the
  message's fault: the row goes back in the queue, or, if even that cannot be written, stays under
  its claim's lease. A message Telegram accepted but whose recording failed is kept in memory and
  recorded at the next chance, never sent again by this process. Only a message that can never be
  sent (a bug in its renderer, say) is given up, and the log names it by delivery id and kind.

One process at a time sends a bot's outbox: the holder of its send lease
(:func:`bot.services.workers.hold_send_lease`), renewed every tick and before a send once a third
of it has passed, so a process never starts a send without a lease it has confirmed. Telegram's
30 messages a second are the bot's, not a process's. The holder keeps the outbox at
``per_second`` (25), leaving every process's replies to people headroom below 30; the others
plan and answer people, and take over once a holder's lease runs out.

A menu (``DeliveryKind.MENU``) is no message: its renderer gives the commands, sent with
``setMyCommands`` for that chat (or ``deleteMyCommands``), ignoring quiet hours and pauses (nobody
is disturbed by it), and a refusal marks nobody unreachable.

Each delivery is rendered at send time in its recipient's language, by the renderer for its kind
(``bot/handlers/deliveries.py: RENDERERS``); a renderer that returns ``None`` skips a message that
is no longer relevant.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, BotCommand, BotCommandScopeChat, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Delivery, DeliveryStatus, Member, MemberStatus, Person
from bot.db.session import SessionMaker
from bot.db.transient import is_transient
from bot.i18n import use_language
from bot.services import notifications, workers
from bot.services.quiet_hours import quiet_until
from scheduler.pause import NO_WAIT, TelegramPause

log = logging.getLogger(__name__)

#: A delivery the database failed on (a cut connection) is tried again after this.
DATABASE_RETRY = timedelta(seconds=10)
#: The outbox's pace when the bot is paced in real time: nine tenths of Telegram's 30 a second,
#: so that replies to people (from any process; a few a second even at the 08:00 peak) fit beside it.
OUTBOX_PER_SECOND = 27.0


@dataclass(frozen=True)
class Rendered:
    text: str
    buttons: InlineKeyboardMarkup | None = None
    #: Runs in the transaction that records a successful send (e.g. the family's copy of a pulse,
    #: which must only exist if the pulse itself was sent).
    after_sent: Callable[[AsyncSession, Delivery], Awaitable[None]] | None = None
    #: A menu instead of a message: these commands for the chat (``()`` with ``delete``: its own
    #: menu goes, Telegram's defaults apply again).
    commands: tuple[BotCommand, ...] | None = None
    delete: bool = False

    @property
    def is_menu(self) -> bool:
        return self.commands is not None


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
        pause: TelegramPause | None = None,
        default_language: str,
        default_tz: ZoneInfo,
        batch_size: int = 30,
        max_attempts: int = 6,
        first_backoff: timedelta = timedelta(seconds=30),
        name: str = "kring",
        lease: timedelta = workers.SEND_LEASE,
        per_second: float = OUTBOX_PER_SECOND,
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
        #: The bot's one pause after a 429: the bot's rate limiter, so replies wait for it too (a
        #: sender on a bot without it keeps a pause of its own).
        self.pause = pause or TelegramPause(clock)
        #: Sent to Telegram, but the database failed as it was recorded: recorded at the next
        #: chance, and never sent again by this process.
        self.unrecorded: dict[int, tuple[Outcome, Rendered]] = {}
        #: This process's name on the rows it claims and on the send lease it holds.
        self.name = name
        self.bot_id = workers.bot_id_of(bot.token)
        self.lease = lease
        #: Until when this process holds the send lease, as last confirmed (``None``: it does not).
        self.lease_until: datetime | None = None
        self.per_second = per_second
        self._next_send_at = 0.0  # (monotonic seconds)

    async def recover(self) -> int:
        """Rows a crashed process had claimed, once their lease ran out, go back in the queue."""
        async with self.sessions.begin() as session:
            count = await outbox.recover_interrupted(session, now=self.clock.now())
        if count:
            log.warning(
                "deliveries whose claim ran out (a crash or a lost connection) are queued again", extra={"count": count}
            )
        return count

    async def send_due(self) -> SendReport:
        """Send everything that is due now, batch by batch, unless Telegram asked us to wait."""
        report = SendReport()
        try:
            for delivery_id in list(self.unrecorded):  # what Telegram has, first
                await self._record_unrecorded(delivery_id, report)
            await self.recover()
            if not await self._hold_lease(renew=True):
                return report  # another process sends the outbox
            async with self.sessions.begin() as session:  # what an earlier holder had claimed
                await outbox.release_stale_claims(session, holder=self.name, now=self.clock.now())
            while not self._paused() and await self._hold_lease():
                async with self.sessions.begin() as session:
                    batch = [
                        d.id
                        for d in await outbox.claim_due(
                            session, now=self.clock.now(), limit=self.batch_size, by=self.name
                        )
                    ]
                if not batch:
                    break
                for delivery_id in batch:
                    await self._handle(delivery_id, report)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("the database cannot be reached: sending goes on at the next tick", extra=_error(error))
        return report

    async def _handle(self, delivery_id: int, report: SendReport) -> None:
        try:
            if delivery_id in self.unrecorded:  # sent before, claimed again: record, do not send twice
                await self._record_unrecorded(delivery_id, report)
            elif self._paused() or not await self._hold_lease():  # a 429, or the lease lost: give it back
                await self._release(delivery_id)
            else:
                await self._send_one(delivery_id, report)
        except Exception as error:
            if is_transient(error):  # a cut connection is not the message's fault
                log.warning(
                    "database error while sending: the delivery is tried again",
                    extra={"delivery_id": delivery_id, **_error(error)},
                )
                await self._put_back(delivery_id)
                return
            # a bug in one message must not hold up all the others
            log.exception("delivery could not be handled", extra={"delivery_id": delivery_id})
            try:
                await self._give_up(delivery_id, report)
            except Exception as again:
                if not is_transient(again):
                    raise
                # left under its lease: handled again (and given up) once the lease runs out

    async def _give_up(self, delivery_id: int, report: SendReport) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is not None and delivery.status == DeliveryStatus.SENDING and delivery.claimed_by == self.name:
                outbox.mark_failed(delivery, error="internal error")
                report.failed += 1
                log.error("delivery given up", extra={"delivery_id": delivery_id, "kind": delivery.kind})

    async def _put_back(self, delivery_id: int) -> None:
        """Back in the queue for a next try; if the database cannot even take that, the row stays
        under its claim's lease and :meth:`recover` puts it back when the lease runs out."""
        try:
            async with self.sessions.begin() as session:
                delivery = await session.get(Delivery, delivery_id)
                if (
                    delivery is not None
                    and delivery.status == DeliveryStatus.SENDING
                    and delivery.claimed_by == self.name
                ):
                    delivery.attempts -= 1  # not the message's fault
                    outbox.mark_retry(delivery, at=self.clock.now() + DATABASE_RETRY, error="database error")
        except Exception as error:
            if not is_transient(error):
                raise

    async def _record_unrecorded(self, delivery_id: int, report: SendReport) -> None:
        outcome, rendered = self.unrecorded[delivery_id]
        await self._record_outcome(delivery_id, outcome, rendered, report)
        del self.unrecorded[delivery_id]
        log.info("delivery recorded after a database error", extra={"delivery_id": delivery_id})

    def _paused(self) -> bool:
        return self.pause.paused()

    async def _hold_lease(self, session: AsyncSession | None = None, *, renew: bool = False) -> bool:
        """Whether this process is the bot's sender. While two thirds of the lease it last wrote are
        left nobody else can hold it; otherwise (and at each tick: ``renew``) it is confirmed in the
        database — in ``session`` when given: the transaction that starts a send, so a send never
        starts on a lease that may have passed on while it waited for the database."""
        now = self.clock.now()
        if not renew and self.lease_until is not None and now < self.lease_until - self.lease * 2 / 3:
            return True
        if session is None:
            async with self.sessions.begin() as own:
                return await self._hold_lease(own, renew=True)
        held = await workers.hold_send_lease(session, bot_id=self.bot_id, holder=self.name, now=now, lease=self.lease)
        if held != (self.lease_until is not None):
            log.info("outbox sender lease " + ("taken" if held else "lost"), extra={"worker": self.name})
        self.lease_until = now + self.lease if held else None
        return held

    async def step_down(self) -> None:
        """A clean stop: give the lease up, so another process sends from its next tick on."""
        if self.lease_until is None:
            return
        self.lease_until = None
        try:
            async with self.sessions.begin() as session:
                await workers.give_up_send_lease(session, bot_id=self.bot_id, holder=self.name)
        except Exception as error:
            if not is_transient(error):
                raise
            log.warning("the send lease could not be given up: it runs out instead", extra=_error(error))

    async def _keep_pace(self) -> None:
        """At most ``per_second`` outbox messages a second, evenly spaced; only when the bot is
        paced in real time (a simulated week must not wait for real seconds)."""
        if self.pause.pacing is None:
            return
        now = time.monotonic()
        wait = self._next_send_at - now
        self._next_send_at = max(now, self._next_send_at) + 1 / self.per_second
        if wait > 0:
            await asyncio.sleep(wait)

    async def _release(self, delivery_id: int) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is not None and delivery.status == DeliveryStatus.SENDING and delivery.claimed_by == self.name:
                delivery.attempts -= 1
                outbox.mark_retry(delivery, at=self.pause.until or self.clock.now(), error="paused after 429")

    async def _send_one(self, delivery_id: int, report: SendReport) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id, with_for_update=True)
            if delivery is None or not outbox.still_ours(delivery, by=self.name, now=self.clock.now()):
                return  # erased while queued, or (after a long stall) taken over by another process
            if not await self._hold_lease(session):
                delivery.attempts -= 1  # the new sender sends it
                outbox.mark_retry(delivery, at=self.clock.now(), error="send lease lost")
                return
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
            place = await self._place(session, delivery)
            if place is not None and place.status == MemberStatus.REMOVED:
                # taken out of the circle: nothing of it reaches them any more
                outbox.mark_skipped(delivery, reason="taken out of the circle")
                report.skipped += 1
                return
            is_menu = delivery.kind == DeliveryKind.MENU
            wait_until = None if is_menu else self._paused_until(place) or await self._quiet_until(session, delivery)
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
        await self._keep_pace()
        outcome = await self._deliver(delivery_id, chat_id, rendered)
        try:
            await self._record_outcome(delivery_id, outcome, rendered, report)
        except Exception as error:
            if not is_transient(error) or outcome.kind != "sent":
                raise  # (an outcome other than "sent" is simply tried again)
            self.unrecorded[delivery_id] = (outcome, rendered)
            log.warning(
                "sent, but the database failed as it was recorded: recorded at the next chance",
                extra={"delivery_id": delivery_id, **_error(error)},
            )

    async def _record_outcome(self, delivery_id: int, outcome: Outcome, rendered: Rendered, report: SendReport) -> None:
        async with self.sessions.begin() as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None or delivery.status == DeliveryStatus.SENT:
                return  # erased meanwhile, or recorded already (a commit that failed only on its reply)
            if outcome.kind != "sent" and (
                delivery.status != DeliveryStatus.SENDING or delivery.claimed_by != self.name
            ):
                return  # no longer ours: whoever holds it decides
            await self._record(session, delivery, outcome, report)
            if outcome.kind == "sent" and rendered.after_sent is not None:
                await rendered.after_sent(session, delivery)

    async def _place(self, session: AsyncSession, delivery: Delivery) -> Member | None:
        """The recipient's place in the circle the message is about (``None`` for a group, or a
        message that is not about a circle)."""
        if delivery.person_id is None or delivery.circle_id is None:
            return None
        return await session.scalar(
            select(Member).where(Member.person_id == delivery.person_id, Member.circle_id == delivery.circle_id)
        )

    def _paused_until(self, place: Member | None) -> datetime | None:
        """A member who paused this circle gets its private messages after the pause (whatever was
        queued before they chose it; what is stale by then is dropped)."""
        until = place.paused_until if place is not None else None
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
        if rendered is None or second is None or rendered.is_menu:
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
            message_id = await self._call(chat_id, rendered)
        except RetryAfter as error:  # the pause logged and counted it; the rows wait for its end
            wait = (
                error.retry_after if isinstance(error.retry_after, timedelta) else timedelta(seconds=error.retry_after)
            )
            self.pause.begin(wait)
            log.info("delivery waits for Telegram's pause", extra=extra)
            return Outcome("wait", "429")
        except ChatMigrated as error:
            log.info("group became a supergroup", extra={**extra, "new_chat_id": error.new_chat_id})
            return Outcome("migrated", "migrated", new_chat_id=error.new_chat_id)
        except (Forbidden, BadRequest) as error:
            if rendered.is_menu:  # never started the bot, or blocked it: their menu waits, nobody is unreachable
                log.info("a chat's menu was refused", extra=extra)
                return Outcome("failed", "menu refused")
            if isinstance(error, Forbidden) and "initiate" in error.message:
                # never opened a chat with Kring (a parent who only uses the family's group): not
                # blocked, so nobody is told they might be; this message cannot reach them
                log.info("recipient never started a chat", extra=extra)
                return Outcome("failed", "never started")
            if isinstance(error, Forbidden):
                log.info("recipient cannot be reached", extra=extra)
                return Outcome("unreachable", "403")
            log.error("Telegram refused a message", extra={**extra, "error": error.message})
            return Outcome("failed", "400")
        except TelegramError as error:  # 5xx, time-outs, connection errors
            log.warning("sending failed for now", extra={**extra, "error": type(error).__name__})
            return Outcome("retry", type(error).__name__)
        return Outcome("sent", message_id=message_id)

    async def _call(self, chat_id: int, rendered: Rendered) -> int:
        """The one Bot API call for a delivery: a message, or a chat's menu (set or deleted). The
        outbox never waits in line: its rows go back until the pause has passed."""
        paced = self.bot if isinstance(self.bot, ExtBot) and self.bot.rate_limiter is self.pause else None
        if not rendered.is_menu:
            if paced is not None:
                sent = await paced.send_message(
                    chat_id, rendered.text, reply_markup=rendered.buttons, rate_limit_args=NO_WAIT
                )
            else:
                sent = await self.bot.send_message(chat_id, rendered.text, reply_markup=rendered.buttons)
            return sent.message_id
        scope = BotCommandScopeChat(chat_id)
        if rendered.delete:
            await (
                paced.delete_my_commands(scope=scope, rate_limit_args=NO_WAIT)
                if paced is not None
                else self.bot.delete_my_commands(scope=scope)
            )
        else:
            commands = rendered.commands or ()
            await (
                paced.set_my_commands(commands, scope=scope, rate_limit_args=NO_WAIT)
                if paced is not None
                else self.bot.set_my_commands(commands, scope=scope)
            )
        return 0

    async def _record(self, session: AsyncSession, delivery: Delivery, outcome: Outcome, report: SendReport) -> None:
        now = self.clock.now()
        if outcome.error:
            report.count_error(outcome.error)
        if outcome.kind == "sent":
            outbox.mark_sent(delivery, message_id=outcome.message_id or 0, now=now)
            report.sent += 1
        elif outcome.kind == "wait":  # waiting for Telegram is not this message's fault
            delivery.attempts -= 1
            outbox.mark_retry(delivery, at=self.pause.until or now, error="429")
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
            if outcome.kind == "retry":
                log.warning(
                    "delivery given up after its last attempt",
                    extra={"delivery_id": delivery.id, "kind": delivery.kind, "error": outcome.error},
                )
            if outcome.kind == "unreachable" and delivery.person_id is not None:
                person = await session.get(Person, delivery.person_id)
                if person is not None and person.unreachable_since is None:
                    person.unreachable_since = now
                    await _tell_families(session, person, now)


def _error(error: BaseException) -> dict[str, str]:
    """The error's kind for a log line (its text may hold values from the database)."""
    return {"error": type(getattr(error, "orig", None) or error).__name__}


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
