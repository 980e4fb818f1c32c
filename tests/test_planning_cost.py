"""Planning follows due work cheaply (issue 24): the batched planner queues exactly the rows the
one-at-a-time planner did, with a number of SQL statements that does not grow with the number due,
in chunks that each commit, so a crash between chunks loses and doubles nothing."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import migrate
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementStatus,
    CheckinRound,
    Circle,
    CircleStatus,
    Delivery,
    Frequency,
    Member,
    MemberRole,
    MemberStatus,
    NetworkCheckin,
    Person,
    Professional,
    ProfessionalStatus,
    Schedule,
    SchedulePurpose,
    SupportKind,
    Visibility,
    YoungCheckin,
)
from bot.db.session import SessionMaker, create_engine, create_sessionmaker
from scheduler import planner
from tests import planner_reference

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
AMS = "Europe/Amsterdam"
TOMORROW = (NOW + timedelta(days=1)).astimezone(ZoneInfo(AMS))
TABLES = (Delivery, CheckinRound, AgreementOccurrence, NetworkCheckin, YoungCheckin, Schedule)


class World:
    """Circles of every kind the planner meets, ``copies`` times over."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.telegram_id = 1_000

    async def person(self, zone: str | None = None) -> Person:
        self.telegram_id += 1
        person = Person(telegram_user_id=self.telegram_id, language="nl", time_zone=zone, created_at=NOW)
        self.session.add(person)
        await self.session.flush()
        return person

    async def circle(self, *, group: bool, review_weeks: int = 6, **extra: Any) -> Circle:
        self.telegram_id += 1
        circle = Circle(
            name="Gezin",
            language="nl",
            time_zone=AMS,
            status=CircleStatus.ACTIVE,
            group_chat_id=-self.telegram_id if group else None,
            review_weeks=review_weeks,
            created_at=NOW,
            **extra,
        )
        self.session.add(circle)
        await self.session.flush()
        return circle

    async def member(
        self, circle: Circle, role: MemberRole, *, person: bool = True, zone: str | None = None, **extra: Any
    ) -> Member:
        extra.setdefault("status", MemberStatus.ACTIVE)
        owner = await self.person(zone) if person else None
        member = Member(
            circle_id=circle.id,
            person_id=owner.id if owner else None,
            display_name="Iemand",
            role=role,
            joined_at=NOW,
            created_at=NOW,
            **extra,
        )
        self.session.add(member)
        await self.session.flush()
        return member

    async def schedule(self, circle: Circle, purpose: SchedulePurpose, **extra: Any) -> Schedule:
        values: dict[str, Any] = {
            "frequency": Frequency.WEEKLY,
            "interval": 1,
            "weekday": TOMORROW.weekday(),
            "at_time": time(10, 0),
            "starts_on": date(2025, 1, 1),
            "time_zone": AMS,
            "active": True,
            "created_at": NOW - timedelta(weeks=10),
            "planned_until": NOW - timedelta(hours=1),
            "next_due_at": NOW - timedelta(hours=1),
        }
        schedule = Schedule(circle_id=circle.id, purpose=purpose, **{**values, **extra})
        self.session.add(schedule)
        await self.session.flush()
        return schedule

    async def agreement(self, circle: Circle, doer: Member, status: AgreementStatus, **extra: Any) -> Agreement:
        agreement = Agreement(
            circle_id=circle.id,
            doer_member_id=doer.id,
            what="Boodschappen",
            support_kind=SupportKind.PRACTICAL,
            visibility=Visibility.CIRCLE,
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )
        self.session.add(agreement)
        await self.session.flush()
        await self.schedule(circle, SchedulePurpose.AGREEMENT, agreement_id=agreement.id, **extra)
        return agreement

    async def round(self, circle: Circle, schedule: Schedule | None, at: datetime, *, review: bool = False) -> None:
        self.session.add(
            CheckinRound(
                circle_id=circle.id,
                schedule_id=schedule.id if schedule else None,
                occurs_at=at,
                with_review=review,
                created_at=at,
            )
        )
        await self.session.flush()

    async def build(self) -> None:
        """One of each."""
        add, role = self.member, MemberRole
        # a family with a group, a review moment due (last review five weeks ago, every four weeks)
        grouped = await self.circle(group=True, review_weeks=4)
        await add(grouped, role.FAMILY, is_coordinator=True)
        await add(grouped, role.FAMILY, paused_until=NOW + timedelta(days=3))
        await add(grouped, role.YOUNG)
        await add(grouped, role.NETWORK)
        checkin = await self.schedule(grouped, SchedulePurpose.CHECKIN)
        await self.round(grouped, checkin, NOW - timedelta(weeks=5), review=True)
        await self.round(grouped, None, NOW - timedelta(days=2))  # started by hand: no review counts from it
        # a family without a group: everyone privately; the first scheduled check-in six weeks ago
        private = await self.circle(group=False)
        await add(private, role.FAMILY, is_coordinator=True, zone="Asia/Tokyo")
        await add(private, role.FAMILY, is_coordinator=True, paused_until=NOW + timedelta(days=5))
        await add(private, role.FAMILY, person=False)  # invited, never came: nothing goes to them
        await add(private, role.FAMILY, status=MemberStatus.LEFT)
        await add(private, role.NETWORK)
        alone = await self.schedule(private, SchedulePurpose.CHECKIN, interval=2)
        await self.round(private, alone, NOW - timedelta(weeks=6) + timedelta(days=1, hours=0))
        # a circle whose check-in was planned already (after a crash), a young circle, no review yet
        planned = await self.circle(group=True)
        young = await add(planned, role.YOUNG, zone="America/Curacao")
        done = await self.schedule(planned, SchedulePurpose.CHECKIN)
        moment = datetime.combine(TOMORROW.date(), time(10, 0), tzinfo=ZoneInfo(AMS)).astimezone(UTC)
        await self.round(planned, done, moment)
        await self.schedule(planned, SchedulePurpose.YOUNG_CHECKIN, member_id=young.id, at_time=time(17, 0))
        # agreements: a network member abroad, a family doer (reminded in the group), a doer without
        # an account, paused, ended, hours before, one whose occurrence exists already
        neighbour = await add(planned, role.NETWORK, zone="Europe/London")
        parent = await add(planned, role.FAMILY, is_coordinator=True)
        ghost = await add(planned, role.NETWORK, person=False)
        await self.agreement(planned, neighbour, AgreementStatus.ACTIVE)
        await self.agreement(planned, parent, AgreementStatus.ACTIVE, at_time=time(8, 30))  # the evening before
        await self.agreement(planned, ghost, AgreementStatus.ACTIVE)
        await self.agreement(planned, neighbour, AgreementStatus.PAUSED)
        await self.agreement(planned, neighbour, AgreementStatus.ENDED)
        await self.agreement(planned, neighbour, AgreementStatus.ACTIVE, remind_hours_before=3)
        twice = await self.agreement(planned, parent, AgreementStatus.ACTIVE, at_time=time(14, 0))
        self.session.add(
            AgreementOccurrence(
                agreement_id=twice.id,
                occurs_on=TOMORROW.date(),
                occurs_at=moment + timedelta(hours=4),
                outcome="pending",
                created_at=NOW,
            )
        )
        # network check-ins: on their own clock, paused, left, without an account
        for extra in ({}, {"checkin_paused_until": NOW + timedelta(days=9)}, {"status": MemberStatus.LEFT}):
            member = await add(private, role.NETWORK, zone="Europe/Lisbon", **extra)
            await self.schedule(private, SchedulePurpose.NETWORK_CHECKIN, member_id=member.id, at_time=time(19, 0))
        nobody = await add(private, role.NETWORK, person=False)
        await self.schedule(private, SchedulePurpose.NETWORK_CHECKIN, member_id=nobody.id, at_time=time(19, 0))
        # the professional's pulse: running, ending before the next one, without a follow-up period
        professional_person = await self.person()
        professional = Professional(
            person_id=professional_person.id, name="Petra", status=ProfessionalStatus.ACTIVE, created_at=NOW
        )
        self.session.add(professional)
        await self.session.flush()
        for ends_on in (NOW.date() + timedelta(weeks=8), NOW.date(), None):
            followed = await self.circle(group=True, professional_id=professional.id, follow_up_ends_on=ends_on)
            await self.schedule(followed, SchedulePurpose.PULSE, interval=2)
        # a broken schedule (an unknown time zone) does not stop the others
        broken = await self.circle(group=True)
        await self.schedule(broken, SchedulePurpose.CHECKIN, time_zone="Mars/Olympus_Mons")
        # a single date, far off
        await self.agreement(
            grouped, parent, AgreementStatus.ACTIVE, frequency=Frequency.ONCE, starts_on=date(2026, 6, 1)
        )


async def fresh(folder: Path, name: str, copies: int) -> str:
    url = f"sqlite+aiosqlite:///{folder / name}"
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine).begin() as session:
        world = World(session)
        for _ in range(copies):
            await world.build()
    await engine.dispose()
    return url


def copy(url: str, name: str) -> str:
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    shutil.copyfile(path, path.with_name(name))
    return f"sqlite+aiosqlite:///{path.with_name(name)}"


async def rows(sessions: SessionMaker) -> dict[str, list[dict[str, Any]]]:
    found = {}
    async with sessions() as session:
        for model in TABLES:
            columns = [c.key for c in model.__table__.columns]
            found[model.__tablename__] = [
                {c: getattr(row, c) for c in columns}
                for row in await session.scalars(select(model).order_by(model.id))  # type: ignore[attr-defined]
            ]
    return found


Planner = Callable[[SessionMaker, datetime], Awaitable[object]]


async def new_planner(sessions: SessionMaker, now: datetime, chunk: int = 7) -> None:
    await planner.plan_all_due(sessions, now=now, default_tz=ZoneInfo(AMS), chunk=chunk)


async def old_planner(sessions: SessionMaker, now: datetime) -> None:
    async with sessions.begin() as session:
        await planner_reference.plan_due(session, now=now, default_tz=ZoneInfo(AMS))


TICKS = [NOW, NOW + timedelta(days=7), NOW + timedelta(days=8, hours=3), NOW + timedelta(weeks=9)]


async def test_the_same_rows_as_one_at_a_time(tmp_path: Path) -> None:
    """Group and private check-ins, review moments (felt support, the network offer), network and
    young check-ins, reminders of every kind, pulses, a broken schedule: over several ticks (one
    after weeks of downtime), in chunks of seven, exactly the rows the old planner made."""
    old_url = await fresh(tmp_path, "old.sqlite3", copies=3)
    new_url = copy(old_url, "new.sqlite3")
    results = []
    for url, plan in ((old_url, old_planner), (new_url, new_planner)):
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        for now in TICKS:
            await plan(sessions, now)
        results.append(await rows(sessions))
        await engine.dispose()
    old, new = results
    kinds = {row["kind"] for row in old["deliveries"]}
    assert {"checkin", "checkin.nudge", "review", "support.ask", "netreview.offer", "pulse"} <= kinds, kinds
    assert {"agreement.reminder", "netcheckin", "young.checkin"} <= kinds, kinds
    assert len(old["deliveries"]) > 100
    for table in old:
        assert new[table] == old[table], table


class Statements:
    def __init__(self, sessions: SessionMaker) -> None:
        self.count = 0
        event.listen(sessions.kw["bind"].sync_engine, "before_cursor_execute", self.seen)

    def seen(self, *_args: object) -> None:
        self.count += 1


async def in_one_chunk(sessions: SessionMaker, now: datetime) -> None:
    await new_planner(sessions, now, chunk=planner.CHUNK)


@pytest.mark.parametrize("plan", [in_one_chunk])
async def test_statements_do_not_grow_with_what_is_due(tmp_path: Path, plan: Planner) -> None:
    """One read per kind of data and one insert per table: 2 or 12 times the same circles, due
    at once, cost the same number of SQL statements (the old planner: ~14 per item)."""
    counts = []
    for copies in (2, 12):
        url = await fresh(tmp_path, f"{copies}.sqlite3", copies=copies)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        async with sessions() as session:  # (without the broken one: it is planned one at a time, by design)
            broken = await session.scalars(select(Schedule).where(Schedule.time_zone == "Mars/Olympus_Mons"))
            for schedule in broken:
                await session.delete(schedule)
            await session.commit()
        statements = Statements(sessions)
        await plan(sessions, NOW)
        counts.append(statements.count)
        async with sessions() as session:
            assert len(list(await session.scalars(select(Delivery.id)))) > 10 * copies
        await engine.dispose()
    assert counts[0] == counts[1], counts


async def test_a_crash_between_chunks_plans_the_rest_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks commit one by one: the process dies in the third chunk; the next tick plans exactly
    what was not committed (the same rows as a run without the crash: nothing doubled or lost)."""
    whole_url = await fresh(tmp_path, "whole.sqlite3", copies=3)
    crashed_url = copy(whole_url, "crashed.sqlite3")
    engine = create_engine(whole_url)
    await new_planner(create_sessionmaker(engine), NOW, chunk=5)
    whole = await rows(create_sessionmaker(engine))
    await engine.dispose()

    engine = create_engine(crashed_url)
    sessions = create_sessionmaker(engine)
    real = planner._plan_chunk
    chunks = 0

    async def dies_in_the_third(session: AsyncSession, **kwargs: Any) -> tuple[list[int], int]:
        nonlocal chunks
        chunks += 1
        result = await real(session, **kwargs)
        if chunks == 3:
            raise SystemExit("killed")  # the chunk's work is done but not committed
        return result

    monkeypatch.setattr(planner, "_plan_chunk", dies_in_the_third)
    with pytest.raises(SystemExit):
        await new_planner(sessions, NOW, chunk=5)
    half = await rows(sessions)
    assert 0 < len(half["deliveries"]) < len(whole["deliveries"])
    monkeypatch.setattr(planner, "_plan_chunk", real)
    await new_planner(sessions, NOW, chunk=5)  # started again
    assert await rows(sessions) == whole
    await engine.dispose()
