"""The outbox: every message Kring sends on its own (not as a direct reply) is first a
:class:`~bot.db.models.Delivery` row with a unique key, so it can be neither lost nor doubled.

States: ``pending`` → ``sending`` (claimed) → ``sent`` | ``failed`` | ``skipped``. Several Kring
processes can share one database: a claim names its process (``claimed_by``) and holds a lease
(``next_attempt_at`` of a ``sending`` row) of ``LEASE``; a process sends only rows it holds, and
renews the lease as it starts each send. A row whose lease ran out was interrupted by a crash
between claiming and recording: any process puts it back to ``pending`` and it is sent again.
That is the one double Kring accepts (Telegram may already have shown it), because the other
choice would be a reminder or check-in that is silently lost. A graceful stop finishes the sends
in flight first, and a cut database connection costs no double either (the sender keeps what
Telegram accepted and records it when the database answers again), so only a hard crash, or a
database away for longer than the lease while another process takes the row, can cause it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Delivery, DeliveryStatus

ERROR_LENGTH = 200
#: How long a claim holds. One send takes seconds (python-telegram-bot's time-outs are well under
#: a minute); the lease is renewed as each send starts, so only a dead process's claims run out.
LEASE = timedelta(minutes=2)


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    kind: DeliveryKind,
    chat_id: int,
    due_at: datetime,
    now: datetime,
    person_id: int | None = None,
    circle_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> Delivery | None:
    """Add a delivery unless one with ``key`` exists already; returns the new row or ``None``."""
    if await session.scalar(select(Delivery.id).where(Delivery.key == key)) is not None:
        return None
    delivery = Delivery(
        key=key,
        kind=str(kind),  # its plain value, as it reads back
        chat_id=chat_id,
        person_id=person_id,
        circle_id=circle_id,
        payload=payload or {},
        due_at=due_at,
        next_attempt_at=due_at,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(delivery)
    except IntegrityError:  # enqueued at the same moment by another process
        return None
    return delivery


@dataclass(frozen=True)
class Pending:
    """One delivery to add with :func:`enqueue_many` (the arguments of :func:`enqueue`)."""

    key: str
    kind: DeliveryKind
    chat_id: int
    due_at: datetime
    person_id: int | None = None
    circle_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)


#: Keys asked about in one ``IN`` (well under SQLite's and asyncpg's limit of 32,766 parameters).
KEYS_PER_QUERY = 5_000


async def enqueue_many(session: AsyncSession, pending: Sequence[Pending], *, now: datetime) -> int:
    """:func:`enqueue` for many at once (the planner): one read for the keys that exist already
    and one bulk insert, in order; a key that exists (or comes twice) is left out. Returns how
    many were added. A key added at the same moment by another process fails the whole insert:
    the caller plans again."""
    keys = [p.key for p in pending]
    taken: set[str] = set()
    for start in range(0, len(keys), KEYS_PER_QUERY):
        taken.update(
            await session.scalars(select(Delivery.key).where(Delivery.key.in_(keys[start : start + KEYS_PER_QUERY])))
        )
    rows = []
    for p in pending:
        if p.key in taken:
            continue
        taken.add(p.key)
        rows.append(
            {
                "key": p.key,
                "kind": str(p.kind),
                "chat_id": p.chat_id,
                "person_id": p.person_id,
                "circle_id": p.circle_id,
                "payload": p.payload,
                "due_at": p.due_at,
                "next_attempt_at": p.due_at,
                "status": DeliveryStatus.PENDING,
                "attempts": 0,
                "created_at": now,
            }
        )
    if rows:
        # (render_nulls: else empty columns are left out, and each run of rows with the same columns
        # becomes a statement of its own)
        await session.execute(insert(Delivery).execution_options(render_nulls=True), rows)
    return len(rows)


async def claim_due(session: AsyncSession, *, now: datetime, limit: int, by: str = "") -> list[Delivery]:
    """Claim up to ``limit`` due deliveries for process ``by``, oldest first. On PostgreSQL rows
    another process is claiming are skipped (``FOR UPDATE SKIP LOCKED``); SQLite has one writer
    at a time anyway."""
    query = (
        select(Delivery)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    deliveries = list(await session.scalars(query))
    for delivery in deliveries:
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.claimed_by = by
        delivery.next_attempt_at = now + LEASE
    return deliveries


def still_ours(delivery: Delivery, *, by: str, now: datetime) -> bool:
    """The claim is this process's and its lease holds; renew it for the send about to start."""
    if delivery.status != DeliveryStatus.SENDING or delivery.claimed_by != by or delivery.next_attempt_at <= now:
        return False
    delivery.next_attempt_at = now + LEASE
    return True


async def recover_interrupted(session: AsyncSession, *, now: datetime) -> int:
    """Put deliveries whose claim ran out back in the queue (see the module docstring)."""
    result = await session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING, Delivery.next_attempt_at <= now)
        .values(status=DeliveryStatus.PENDING, claimed_by=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


#: The longest a send can take once it has started (Telegram's connect, write and read time-outs,
#: a file's upload included): a claim renewed more recently may still be on its way to Telegram.
SEND_TIME = timedelta(seconds=45)


async def release_stale_claims(session: AsyncSession, *, holder: str, now: datetime) -> int:
    """The sender (``holder`` of the send lease) puts rows other processes claimed back in the
    queue once no send of theirs can still be on its way, without waiting out the whole claim.
    (Only the holder starts sends, and only while it holds the lease.)"""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_by != holder,
            Delivery.next_attempt_at <= now + LEASE - SEND_TIME,
        )
        .values(status=DeliveryStatus.PENDING, claimed_by=None, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_sent(delivery: Delivery, *, message_id: int, now: datetime) -> None:
    delivery.status = DeliveryStatus.SENT
    delivery.claimed_by = None
    delivery.telegram_message_id = message_id
    delivery.sent_at = now
    delivery.last_error = None


def mark_retry(delivery: Delivery, *, at: datetime, error: str) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.claimed_by = None
    delivery.next_attempt_at = at
    delivery.last_error = error[:ERROR_LENGTH]


def mark_failed(delivery: Delivery, *, error: str) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.claimed_by = None
    delivery.last_error = error[:ERROR_LENGTH]


def mark_skipped(delivery: Delivery, *, reason: str) -> None:
    delivery.status = DeliveryStatus.SKIPPED
    delivery.claimed_by = None
    delivery.last_error = reason[:ERROR_LENGTH]


async def next_attempt(session: AsyncSession) -> datetime | None:
    """When the next waiting delivery may be sent (``None``: nothing waits)."""
    return await session.scalar(
        select(func.min(Delivery.next_attempt_at)).where(Delivery.status == DeliveryStatus.PENDING)
    )


async def cancel_for(session: AsyncSession, *, person_id: int, circle_id: int, reason: str) -> int:
    """Everything still waiting for this person about this circle is not sent (a row being sent
    right now finishes; the sender checks again before each send)."""
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.person_id == person_id,
            Delivery.circle_id == circle_id,
            Delivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.SKIPPED, claimed_by=None, last_error=reason[:ERROR_LENGTH])
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
