"""Many circles at once, written straight into the database (the benchmarks measure Kring, not
how fast a fake family can tap through its set-up), and Kring itself, started for real."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert

from bot.app import build_application
from bot.clock import SystemClock
from bot.config import load_settings
from bot.db import crypto, migrate
from bot.db.models import (
    Agreement,
    AgreementStatus,
    Circle,
    CircleStatus,
    Frequency,
    Member,
    MemberRole,
    MemberStatus,
    Person,
    Schedule,
    SchedulePurpose,
    SupportKind,
    Visibility,
)
from bot.db.session import create_engine, create_sessionmaker
from bot.runtime import KringApplication
from sandbox.fake_telegram import FakeTelegram
from sandbox.harness import SANDBOX_TOKEN
from scheduler import planner

CHUNK = 2_000


def midday_zone(now: datetime) -> ZoneInfo:
    """A time zone where it is about noon now: no quiet hours get in the way of a benchmark."""
    offset = (12 - now.hour + 12) % 24 - 12  # −11 … +12
    return ZoneInfo(f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT")


@dataclass
class World:
    database_url: str
    circles: int
    due: datetime  # when every check-in and every reminder falls due
    group_ids: list[int]
    network_ids: list[int]  # the network members' Telegram ids (their reminders)


async def build_world(
    database_url: str, circles: int, *, due_in: timedelta, telegram: FakeTelegram | None, plan: bool = True
) -> World:
    """``circles`` families, each in its own group with a coordinator, and a neighbour with a weekly
    agreement; every check-in and every reminder is due at the same moment."""
    crypto.use_key(crypto.decode_key(BENCH_KEY))
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    now = datetime.now(UTC)
    due = (now + due_in).replace(second=0, microsecond=0) + timedelta(minutes=1)
    zone = midday_zone(due)
    local = due.astimezone(zone)
    happens = (due + timedelta(hours=1)).astimezone(zone)
    groups = [-1_000_000_000_000 - i for i in range(1, circles + 1)]
    neighbours = [3_000_000 + i for i in range(1, circles + 1)]
    coordinators = [2_000_000 + i for i in range(1, circles + 1)]
    async with create_sessionmaker(engine).begin() as session:
        for start in range(0, circles, CHUNK):
            ids = range(start + 1, min(start + CHUNK, circles) + 1)
            await session.execute(
                insert(Person),
                [
                    {
                        "id": 2 * i - 1,
                        "telegram_user_id": coordinators[i - 1],
                        "language": "nl",
                        "language_chosen": True,
                        "time_zone": zone.key,
                        "created_at": now,
                    }
                    for i in ids
                ]
                + [
                    {
                        "id": 2 * i,
                        "telegram_user_id": neighbours[i - 1],
                        "language": "nl",
                        "language_chosen": True,
                        "time_zone": zone.key,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Circle),
                [
                    {
                        "id": i,
                        "name": f"Gezin {i}",
                        "language": "nl",
                        "time_zone": zone.key,
                        "status": CircleStatus.ACTIVE,
                        "group_chat_id": groups[i - 1],
                        "review_weeks": 6,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Member),
                [
                    {
                        "id": 2 * i - 1,
                        "circle_id": i,
                        "person_id": 2 * i - 1,
                        "display_name": "Ouder",
                        "role": MemberRole.FAMILY,
                        "is_coordinator": True,
                        "status": MemberStatus.ACTIVE,
                        "joined_at": now,
                        "created_at": now,
                    }
                    for i in ids
                ]
                + [
                    {
                        "id": 2 * i,
                        "circle_id": i,
                        "person_id": 2 * i,
                        "display_name": "Buur",
                        "role": MemberRole.NETWORK,
                        "is_coordinator": False,
                        "status": MemberStatus.ACTIVE,
                        "joined_at": now,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
            await session.execute(
                insert(Agreement),
                [
                    {
                        "id": i,
                        "circle_id": i,
                        "doer_member_id": 2 * i,
                        "what": "Boodschappen",
                        "support_kind": SupportKind.PRACTICAL,
                        "visibility": Visibility.CIRCLE,
                        "status": AgreementStatus.ACTIVE,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for i in ids
                ],
            )
            # (not to be planned now: as if planned long ago, next looked at in three days)
            next_due = now if plan else now + timedelta(days=3)
            weekly = {
                "frequency": Frequency.WEEKLY,
                "interval": 1,
                "time_zone": zone.key,
                "active": True,
                "created_at": now - timedelta(minutes=1),
                "planned_until": now - timedelta(minutes=1),
                "next_due_at": next_due,
            }
            await session.execute(
                insert(Schedule),
                [
                    {
                        **weekly,
                        "circle_id": i,
                        "purpose": SchedulePurpose.CHECKIN,
                        "weekday": local.weekday(),
                        "at_time": time(local.hour, local.minute),
                        "starts_on": local.date(),
                    }
                    for i in ids
                ]
                + [
                    {
                        **weekly,
                        "circle_id": i,
                        "agreement_id": i,
                        "purpose": SchedulePurpose.AGREEMENT,
                        "weekday": happens.weekday(),
                        "at_time": time(happens.hour, happens.minute),
                        "starts_on": happens.date(),
                        "remind_hours_before": 1,
                    }
                    for i in ids
                ],
            )
    if plan:  # as Kring does two days ahead: every message is in the outbox before it is due
        sessions = create_sessionmaker(engine)
        while True:
            async with sessions.begin() as session:
                if not await planner.plan_due(session, now=datetime.now(UTC), default_tz=zone):
                    break
    await engine.dispose()
    if telegram is not None:
        for chat_id in groups:
            telegram.group(chat_id, "Familie").bot_member = True
        for user_id in coordinators + neighbours:
            telegram.user(user_id, "Iemand").private_chat.started = True
    return World(database_url, circles, due, groups, neighbours)


BENCH_KEY = crypto.encode_key(bytes(range(1, 65)))


def application_for(
    database_url: str, telegram: FakeTelegram | str, *, tick_seconds: float | None = 0.2
) -> KringApplication:
    """Kring as it runs in production (real clock, python-telegram-bot's rate limiter), on the fake
    API (the server, or its address from another process). ``tick_seconds=None``: no scheduler and no
    pacing of its own (to measure handling alone)."""
    settings = load_settings(
        {
            "KRING_DATABASE_URL": database_url,
            "KRING_BOT_TOKEN": SANDBOX_TOKEN,
            "KRING_TELEGRAM_API_URL": telegram if isinstance(telegram, str) else telegram.url,
            "KRING_SECRET_KEY": BENCH_KEY,
        }
    )
    return build_application(settings, clock=SystemClock(), tick_seconds=tick_seconds)


def sqlite_url(folder: Path, name: str = "bench.sqlite3") -> str:
    return f"sqlite+aiosqlite:///{folder / name}"
