"""The planner: turns schedules into outbox rows, ahead of time, exactly once per occurrence.

Each tick reads only the schedules whose ``next_due_at`` has come (an index), plans their
occurrences up to ``LOOK_AHEAD`` from now, and records how far it got (``planned_until``). The
outbox key (agreement + local date) and the unique occurrence row make a second planning of the
same occurrence — after a restart, or by a second process — a no-op. With several processes on
PostgreSQL, a schedule being planned is locked (``FOR UPDATE SKIP LOCKED``): the others pass it by.

Reminders go to the doer "on the morning of the day": 08:00 in the doer's own time zone; for
something before 09:00, 20:00 the evening before (so the quiet hours never swallow it). Or a
chosen number of hours before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import takewhile
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Table, bindparam, case, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.attributes import set_committed_value

from bot.db import outbox
from bot.db.base import Base
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementStatus,
    CheckinRound,
    Circle,
    Frequency,
    Member,
    MemberRole,
    MemberStatus,
    NetworkCheckin,
    Outcome,
    Person,
    Professional,
    Schedule,
    SchedulePurpose,
    YoungCheckin,
)
from bot.db.session import SessionMaker
from bot.services import (
    checkins,
    network_checkins,
    network_reviews,
    notifications,
    people,
    pulse,
    support,
    young_checkins,
)
from bot.services.occurrences import at_wall_clock, first_between, occurrences_between, rhythm_of

log = logging.getLogger(__name__)
LOOK_AHEAD = timedelta(days=2)
RECHECK = timedelta(hours=1)
MORNING = time(8, 0)
EVENING = time(20, 0)
#: Schedules planned in one transaction (the write lock is held that long: well under a second).
CHUNK = 500


def reminder_time(occurs_at: datetime, doer_tz: ZoneInfo, hours_before: int | None) -> datetime:
    if hours_before:
        return occurs_at - timedelta(hours=hours_before)
    local = occurs_at.astimezone(doer_tz)
    morning = at_wall_clock(local.date(), MORNING, doer_tz)
    if morning <= occurs_at - timedelta(hours=1):
        return morning
    return at_wall_clock(local.date() - timedelta(days=1), EVENING, doer_tz)  # before quiet hours end


PLANNED = (
    SchedulePurpose.AGREEMENT,
    SchedulePurpose.CHECKIN,
    SchedulePurpose.PULSE,
    SchedulePurpose.NETWORK_CHECKIN,
    SchedulePurpose.YOUNG_CHECKIN,
)
#: The unique key of each kind of occurrence: (owner, moment).
UNIQUE: dict[type[Base], tuple[str, str]] = {
    CheckinRound: ("circle_id", "occurs_at"),
    AgreementOccurrence: ("agreement_id", "occurs_on"),
    NetworkCheckin: ("member_id", "occurs_at"),
    YoungCheckin: ("member_id", "occurs_at"),
}
MEMBER_CLOCK = (SchedulePurpose.NETWORK_CHECKIN, SchedulePurpose.YOUNG_CHECKIN)  # on one member's own clock


async def next_planning(session: AsyncSession) -> datetime | None:
    """When the planner next has something to do (``None``: no active schedule)."""
    return await session.scalar(
        select(func.min(Schedule.next_due_at)).where(Schedule.active, Schedule.purpose.in_(PLANNED))
    )


async def plan_due(session: AsyncSession, *, now: datetime, default_tz: ZoneInfo, limit: int = CHUNK) -> int:
    """Plan up to ``limit`` due schedules in this transaction; returns how many reminders were queued."""
    _handled, queued = await _plan_chunk(session, now=now, default_tz=default_tz, limit=limit)
    return queued


async def plan_all_due(sessions: SessionMaker, *, now: datetime, default_tz: ZoneInfo, chunk: int = CHUNK) -> int:
    """Plan everything due, ``chunk`` schedules per transaction. Each chunk commits its rows with
    its schedules' new ``next_due_at``, so the write lock is held for one chunk at a time, and after
    a crash between chunks the next tick plans exactly the rest (what was committed is no longer due;
    the unique keys would refuse a double anyway)."""
    queued = 0
    seen: set[int] = set()
    while True:
        async with sessions.begin() as session:
            handled, count = await _plan_chunk(session, now=now, default_tz=default_tz, limit=chunk)
        queued += count
        if len(handled) < chunk or seen.issuperset(handled):  # (the second: nothing moved on; never loop)
            return queued
        seen.update(handled)


async def _plan_chunk(
    session: AsyncSession, *, now: datetime, default_tz: ZoneInfo, limit: int
) -> tuple[list[int], int]:
    query = (
        select(Schedule)
        .where(Schedule.active, Schedule.purpose.in_(PLANNED), Schedule.next_due_at <= now)
        .order_by(Schedule.next_due_at, Schedule.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":  # several processes: each schedule is planned by one at a time
        query = query.with_for_update(skip_locked=True)
    due = list(await session.scalars(query))
    ids = [schedule.id for schedule in due]
    if not due:
        return ids, 0
    try:
        async with session.begin_nested():
            return ids, await _Chunk(session, now, default_tz).plan(due)
    except Exception:  # one broken schedule must not stop all planning: find it, one at a time
        log.warning("planning a chunk failed, planning it one by one", extra={"schedules": len(due)})
    again = await session.scalars(
        select(Schedule).where(Schedule.id.in_(ids)).execution_options(populate_existing=True)
    )  # (the rolled-back savepoint expired them)
    by_id = {schedule.id: schedule for schedule in again}
    queued = 0
    for schedule_id in ids:
        schedule = by_id[schedule_id]
        try:
            async with session.begin_nested():
                queued += await _Chunk(session, now, default_tz).plan([schedule])
        except Exception:  # look at it again later
            log.exception("planning failed", extra={"schedule_id": schedule_id})
            schedule.next_due_at = now + RECHECK
    return ids, queued


@dataclass(eq=False)
class _New:
    """One occurrence the planner adds (a check-in round, an agreement's occurrence, a network
    member's or young person's check-in), or a pulse (``model`` ``None``: a delivery only)."""

    schedule: Schedule
    model: type[Base] | None
    values: dict[str, Any]
    moment: datetime
    day: date | None = None
    remind_at: datetime | None = None  # an agreement's reminder
    id: int = 0


class _Chunk:
    """Plans a list of schedules with one read per kind of data and one insert per table, in the
    order the one-at-a-time planner used (so ids, keys and rows come out the same)."""

    def __init__(self, session: AsyncSession, now: datetime, default_tz: ZoneInfo) -> None:
        self.session = session
        self.now = now
        self.default_tz = default_tz
        self.horizon = now + LOOK_AHEAD
        self.agreements: dict[int, Agreement] = {}
        self.circles: dict[int, Circle] = {}
        self.members: dict[int, Member] = {}
        self.people: dict[int, Person] = {}
        self.professionals: dict[int, Professional] = {}
        self.new: dict[int, list[_New]] = {}  # per schedule, in order
        self.family: dict[int, list[tuple[Member, Person]]] = {}
        self.asked: dict[int, list[tuple[Member, Person]]] = {}
        self.with_network: set[int] = set()
        self.coordinators: dict[int, list[tuple[Member, Person]]] = {}
        self.pending: list[outbox.Pending] = []

    async def plan(self, due: list[Schedule]) -> int:
        with self.session.no_autoflush:  # (the schedules' changes are written at the end, in one statement)
            await self._load(due)
            candidates = {schedule.id: self._candidates(schedule) for schedule in due}
            taken = await self._taken(due, candidates)
            queued = sum(self._decide(schedule, candidates[schedule.id], taken) for schedule in due)
            await self._insert()
            await self._enqueue(due)
            await _save(self.session, due)
        return queued

    # -- reads -------------------------------------------------------------------------------

    async def _load(self, due: list[Schedule]) -> None:
        agreement_ids = {s.agreement_id for s in due if s.purpose == SchedulePurpose.AGREEMENT and s.agreement_id}
        self.agreements = await _by_id(self.session, Agreement, agreement_ids)
        circle_ids = {s.circle_id for s in due} | {a.circle_id for a in self.agreements.values()}
        self.circles = await _by_id(self.session, Circle, circle_ids)
        member_ids = {s.member_id for s in due if s.member_id and s.purpose in MEMBER_CLOCK}
        member_ids |= {a.doer_member_id for a in self.agreements.values()}
        self.members = await _by_id(self.session, Member, member_ids)
        professional_ids = {
            circle.professional_id
            for s in due
            if s.purpose == SchedulePurpose.PULSE
            and (circle := self.circles.get(s.circle_id)) is not None
            and circle.professional_id is not None
        }
        self.professionals = await _by_id(self.session, Professional, professional_ids)
        person_ids = {m.person_id for m in self.members.values() if m.person_id}
        person_ids |= {p.person_id for p in self.professionals.values() if p.person_id}
        self.people = await _by_id(self.session, Person, person_ids)

    async def _taken(self, due: list[Schedule], candidates: dict[int, list[tuple[date, datetime]]]) -> _Taken:
        """What is planned already, for the moments that may be planned now (and, for check-ins,
        when the circle last looked at its plan)."""
        taken = _Taken()
        wanted: dict[SchedulePurpose, list[tuple[int, date, datetime]]] = {}
        for schedule in due:
            owner = {
                SchedulePurpose.CHECKIN: schedule.circle_id,
                SchedulePurpose.AGREEMENT: schedule.agreement_id,
                SchedulePurpose.NETWORK_CHECKIN: schedule.member_id,
                SchedulePurpose.YOUNG_CHECKIN: schedule.member_id,
            }.get(schedule.purpose)
            if owner is not None:
                wanted.setdefault(schedule.purpose, []).extend((owner, d, m) for d, m in candidates[schedule.id])
        session = self.session
        if found := wanted.get(SchedulePurpose.CHECKIN):
            circles = {o for o, _d, _m in found}
            taken.rounds = await _pairs(session, CheckinRound.circle_id, CheckinRound.occurs_at, found)
            last, first = (
                func.max(case((CheckinRound.with_review, CheckinRound.occurs_at))),
                func.min(case((CheckinRound.schedule_id.is_not(None), CheckinRound.occurs_at))),
            )
            looked = await session.execute(
                select(CheckinRound.circle_id, last, first)
                .where(CheckinRound.circle_id.in_(circles))
                .group_by(CheckinRound.circle_id)
            )
            taken.reviews = {circle_id: [last_at, first_at] for circle_id, last_at, first_at in looked}
        if found := wanted.get(SchedulePurpose.AGREEMENT):
            by_day = [(o, m, d) for o, d, m in found]  # (the day is what identifies an occurrence)
            taken.occurrences = await _pairs(
                session, AgreementOccurrence.agreement_id, AgreementOccurrence.occurs_on, by_day
            )
        if found := wanted.get(SchedulePurpose.NETWORK_CHECKIN):
            taken.network = await _pairs(session, NetworkCheckin.member_id, NetworkCheckin.occurs_at, found)
        if found := wanted.get(SchedulePurpose.YOUNG_CHECKIN):
            taken.young = await _pairs(session, YoungCheckin.member_id, YoungCheckin.occurs_at, found)
        return taken

    async def _recipients(self) -> None:
        """Who the new check-ins and review moments go to, for the circles that need it."""
        rounds = [n for news in self.new.values() for n in news if n.model is CheckinRound]
        no_group = {n.values["circle_id"] for n in rounds if self.circles[n.values["circle_id"]].group_chat_id is None}
        reviews = {n.values["circle_id"] for n in rounds if n.values["with_review"]}
        self.family = await self._members_with_people(
            no_group, Member.role == MemberRole.FAMILY
        )  # (as checkins.family, less those without an account: nothing is sent to them)
        self.asked = await self._members_with_people(reviews, Member.role.in_(support.ASKED_ROLES))
        if reviews:
            self.with_network = set(
                await self.session.scalars(
                    select(Member.circle_id)
                    .where(
                        Member.circle_id.in_(reviews),
                        Member.role == MemberRole.NETWORK,
                        Member.status == MemberStatus.ACTIVE,
                        Member.person_id.is_not(None),
                    )
                    .distinct()
                )
            )
        self.coordinators = await self._members_with_people(no_group & self.with_network, Member.is_coordinator)

    async def _members_with_people(
        self, circle_ids: set[int], which: ColumnElement[bool] | InstrumentedAttribute[bool]
    ) -> dict[int, list[tuple[Member, Person]]]:
        found: dict[int, list[tuple[Member, Person]]] = {}
        if not circle_ids:
            return found
        rows = await self.session.execute(
            select(Member, Person)
            .join(Person, Person.id == Member.person_id)
            .where(Member.circle_id.in_(circle_ids), Member.status == MemberStatus.ACTIVE, which)
            .order_by(Member.id)
        )
        for member, person in rows:
            found.setdefault(member.circle_id, []).append((member, person))
        return found

    # -- what to plan (no database) ----------------------------------------------------------

    def _candidates(self, schedule: Schedule) -> list[tuple[date, datetime]]:
        """The moments that may be planned now (before looking at what exists already)."""
        purpose, circle = schedule.purpose, self.circles.get(schedule.circle_id)
        since = schedule.planned_until or schedule.created_at
        if purpose == SchedulePurpose.CHECKIN:
            if circle is None:
                return []
            return self._between(schedule, max(since, self.now - checkins.GRACE))
        if purpose == SchedulePurpose.PULSE:
            if circle is None or circle.professional_id is None or circle.follow_up_ends_on is None:
                return []
            ends_on = circle.follow_up_ends_on
            return list(
                takewhile(
                    lambda found: found[0] <= ends_on, self._between(schedule, max(since, self.now - pulse.GRACE))
                )
            )
        if purpose in MEMBER_CLOCK:
            member = self.members.get(schedule.member_id) if schedule.member_id else None
            if member is not None and circle is not None:  # (as people.follow_member_clock)
                person = self.people.get(member.person_id) if member.person_id else None
                schedule.time_zone = (person.time_zone if person else None) or circle.time_zone
            grace = network_checkins.GRACE if purpose == SchedulePurpose.NETWORK_CHECKIN else young_checkins.GRACE
            return self._between(schedule, max(since, self.now - grace))
        agreement = self.agreements.get(schedule.agreement_id) if schedule.agreement_id else None
        if agreement is None or agreement.status != AgreementStatus.ACTIVE:
            return []
        return self._between(schedule, max(since, self.now))

    def _between(self, schedule: Schedule, start: datetime) -> list[tuple[date, datetime]]:
        return occurrences_between(rhythm_of(schedule), ZoneInfo(schedule.time_zone), start, self.horizon)

    def _decide(self, schedule: Schedule, candidates: list[tuple[date, datetime]], taken: _Taken) -> int:
        """Which moments are new (as ``_New``, in order), and the schedule's next look; returns how
        many were queued."""
        new = self.new.setdefault(schedule.id, [])
        purpose, now = schedule.purpose, self.now
        circle = self.circles.get(schedule.circle_id)
        if purpose == SchedulePurpose.CHECKIN:
            if circle is None:
                schedule.active = False
                return 0
            looked = taken.reviews.setdefault(circle.id, [None, None])  # [last review, first scheduled]
            for _day, moment in candidates:
                if (circle.id, moment) in taken.rounds:
                    continue
                taken.rounds.add((circle.id, moment))
                with_review = checkins.review_due(looked[0] or looked[1], circle.review_weeks, moment)
                values = {"circle_id": circle.id, "schedule_id": schedule.id, "occurs_at": moment}
                new.append(
                    _New(schedule, CheckinRound, {**values, "with_review": with_review, "created_at": now}, moment)
                )
                if with_review and (looked[0] is None or moment > looked[0]):
                    looked[0] = moment
                if looked[1] is None or moment < looked[1]:
                    looked[1] = moment
        elif purpose == SchedulePurpose.PULSE:
            if circle is None or circle.professional_id is None or circle.follow_up_ends_on is None:
                schedule.active = False
                return 0
            new.extend(_New(schedule, None, {}, moment, day) for day, moment in candidates)
        elif purpose in MEMBER_CLOCK:
            member = self.members.get(schedule.member_id) if schedule.member_id else None
            if member is None or circle is None or member.status != MemberStatus.ACTIVE:
                schedule.active = False
                return 0
            network = purpose == SchedulePurpose.NETWORK_CHECKIN
            model, seen = (NetworkCheckin, taken.network) if network else (YoungCheckin, taken.young)
            for _day, moment in candidates:
                if network and member.checkin_paused_until and moment < member.checkin_paused_until:
                    continue
                if (member.id, moment) in seen:
                    continue
                seen.add((member.id, moment))
                values = {"circle_id": circle.id, "member_id": member.id, "schedule_id": schedule.id}
                new.append(_New(schedule, model, {**values, "occurs_at": moment, "created_at": now}, moment))
        else:
            agreement = self.agreements.get(schedule.agreement_id) if schedule.agreement_id else None
            if agreement is None or agreement.status in (AgreementStatus.ENDED, AgreementStatus.DECLINED):
                schedule.active = False
                return 0
            if agreement.status != AgreementStatus.ACTIVE:  # not yet accepted, or paused: look again later
                schedule.next_due_at = now + RECHECK
                return 0
            doer = self.members.get(agreement.doer_member_id)
            circle = self.circles.get(agreement.circle_id)
            person = self.people.get(doer.person_id) if doer and doer.person_id else None
            doer_tz = people.clock_of(person, self.default_tz)
            for day, moment in candidates:
                # (an occurrence already past when it is planned — after downtime, or while the
                # agreement waited for a yes or was paused — gets no reminder: it would come too late)
                if doer is None or circle is None or (agreement.id, day) in taken.occurrences:
                    continue
                taken.occurrences.add((agreement.id, day))
                values = {"agreement_id": agreement.id, "occurs_on": day, "occurs_at": moment}
                new.append(
                    _New(
                        schedule,
                        AgreementOccurrence,
                        {**values, "outcome": Outcome.PENDING, "created_at": now},
                        moment,
                        day,
                        remind_at=max(now, reminder_time(moment, doer_tz, schedule.remind_hours_before)),
                    )
                )
        _advance(schedule, ZoneInfo(schedule.time_zone), self.horizon)
        return len(new)

    # -- writes ------------------------------------------------------------------------------

    async def _insert(self) -> None:
        """One insert per table, in the order planned. The new ids come back in any order (asking
        for them in order makes SQLAlchemy insert one row at a time on SQLite), so each is matched
        by the row's unique key: its owner and its moment."""
        per_model: dict[type[Base], list[_New]] = {}
        for news in self.new.values():
            for n in news:
                if n.model is not None:
                    per_model.setdefault(n.model, []).append(n)
        for model, news in per_model.items():
            owner, at = UNIQUE[model]
            table = model.__table__.c
            returned = await self.session.execute(
                insert(model).returning(table.id, table[owner], table[at]), [n.values for n in news]
            )
            ids = {(row[1], row[2]): row[0] for row in returned}
            for n in news:
                n.id = ids[n.values[owner], n.values[at]]

    async def _enqueue(self, due: list[Schedule]) -> None:
        """The deliveries, in the order the one-at-a-time planner queued them."""
        await self._recipients()
        for schedule in due:
            for n in self.new[schedule.id]:
                if n.model is CheckinRound:
                    self._checkin(n)
                elif n.model is None:
                    self._pulse(n)
                elif n.model is AgreementOccurrence:
                    agreement = self.agreements[n.values["agreement_id"]]
                    payload = {"occurrence_id": n.id, "expires_at": n.moment.isoformat()}
                    self._tell_member(
                        self.circles[agreement.circle_id],
                        self.members[agreement.doer_member_id],
                        DeliveryKind.AGREEMENT_REMINDER,
                        f"reminder:{n.id}",
                        payload,
                        n.remind_at or self.now,
                    )
                else:
                    network = n.model is NetworkCheckin
                    kind, prefix = (
                        (DeliveryKind.NETCHECKIN, "netcheckin")
                        if network
                        else (DeliveryKind.YOUNG_CHECKIN, "young.checkin")
                    )
                    grace = network_checkins.GRACE if network else young_checkins.GRACE
                    payload = {"checkin_id": n.id, "expires_at": (n.moment + grace).isoformat()}
                    circle, member = self.circles[n.values["circle_id"]], self.members[n.values["member_id"]]
                    self._tell_member(circle, member, kind, f"{prefix}:{n.id}", payload, max(n.moment, self.now))
        await outbox.enqueue_many(self.session, self.pending, now=self.now)

    def _checkin(self, n: _New) -> None:
        """As checkins.start_round: the check-in, its nudge and maybe the review; at a review moment
        the questions on felt support (support.ask) and the offer to ask the network (network_reviews.offer)."""
        circle, now = self.circles[n.values["circle_id"]], self.now
        moments = [(DeliveryKind.CHECKIN, n.moment), (DeliveryKind.CHECKIN_NUDGE, n.moment + checkins.NUDGE_AFTER)]
        if n.values["with_review"]:
            moments.append((DeliveryKind.REVIEW, n.moment + timedelta(minutes=1)))
        for kind, due in moments:
            payload = {"round_id": n.id, "expires_at": (due + checkins.GRACE).isoformat()}
            if circle.group_chat_id is not None:
                self._add(f"{kind}:{n.id}", kind, circle.group_chat_id, max(due, now), circle, payload)
            else:
                for member, person in self.family.get(circle.id, []):
                    at = notifications.after_pause(member, max(due, now))
                    self._add(f"{kind}:{n.id}:m{member.id}", kind, person.telegram_user_id, at, circle, payload, person)
        if not n.values["with_review"]:
            return
        due = n.moment + support.AFTER_REVIEW
        for member, person in self.asked.get(circle.id, []):
            at = max(due, now, member.paused_until or due)
            payload = {"round_id": n.id, "member_id": member.id, "expires_at": (at + support.GRACE).isoformat()}
            key = f"{DeliveryKind.SUPPORT_ASK}:{n.id}:m{member.id}"
            self._add(key, DeliveryKind.SUPPORT_ASK, person.telegram_user_id, at, circle, payload, person)
        if circle.id not in self.with_network:
            return
        due = max(n.moment + network_reviews.OFFER_AFTER, now)
        payload = {"round_id": n.id, "expires_at": (due + network_reviews.OFFER_VALID).isoformat()}
        key, kind = f"netreview.offer:{n.id}", DeliveryKind.NETREVIEW_OFFER
        if circle.group_chat_id is not None:  # (as notifications.tell_family)
            self._add(f"{key}:group", kind, circle.group_chat_id, due, circle, payload)
            return
        for member, person in self.coordinators.get(circle.id, []):
            at = notifications.after_pause(member, due)
            self._add(f"{key}:m{member.id}", kind, person.telegram_user_id, at, circle, payload, person)

    def _pulse(self, n: _New) -> None:
        """As pulse.queue."""
        schedule, circle = n.schedule, self.circles[n.schedule.circle_id]
        professional = self.professionals.get(circle.professional_id) if circle.professional_id else None
        if professional is None or professional.person_id is None:
            return
        assert n.day is not None
        person = self.people[professional.person_id]
        since, until = n.moment - timedelta(weeks=schedule.interval), n.moment
        payload = {
            "since": max(since, schedule.created_at).isoformat(),
            "until": until.isoformat(),
            "professional_id": professional.id,
            "schedule_id": schedule.id,
            "expires_at": (until + pulse.GRACE).isoformat(),
            "last": False,
        }
        key = f"pulse:{schedule.id}:{n.day.isoformat()}"
        self._add(key, DeliveryKind.PULSE, person.telegram_user_id, max(until, self.now), circle, payload, person)

    def _tell_member(
        self, circle: Circle, member: Member, kind: DeliveryKind, key: str, payload: dict[str, Any], due_at: datetime
    ) -> None:
        """As notifications.tell_member."""
        if member.person_id is None or member.status != MemberStatus.ACTIVE:
            return
        if member.role == MemberRole.FAMILY and circle.group_chat_id is not None:
            self._add(key, kind, circle.group_chat_id, due_at, circle, payload)
            return
        person = self.people[member.person_id]
        self._add(
            key, kind, person.telegram_user_id, notifications.after_pause(member, due_at), circle, payload, person
        )

    def _add(
        self,
        key: str,
        kind: DeliveryKind,
        chat_id: int,
        due_at: datetime,
        circle: Circle,
        payload: dict[str, Any],
        person: Person | None = None,
    ) -> None:
        person_id = person.id if person is not None else None
        self.pending.append(outbox.Pending(key, kind, chat_id, due_at, person_id, circle.id, payload))


@dataclass
class _Taken:
    rounds: set[tuple[int, datetime]] = field(default_factory=set)
    reviews: dict[int, list[datetime | None]] = field(default_factory=dict)
    occurrences: set[tuple[int, date]] = field(default_factory=set)
    network: set[tuple[int, datetime]] = field(default_factory=set)
    young: set[tuple[int, datetime]] = field(default_factory=set)


async def _pairs(
    session: AsyncSession,
    owner: InstrumentedAttribute[int],
    at: InstrumentedAttribute[Any],
    wanted: list[tuple[int, Any, Any]],
) -> set[Any]:
    """The (owner, moment) pairs that exist among the owners' rows between the first and the last wanted moment."""
    moments = [m for _o, _d, m in wanted]
    rows = await session.execute(
        select(owner, at).where(owner.in_({o for o, _d, _m in wanted}), at.between(min(moments), max(moments)))
    )
    return {(row[0], row[1]) for row in rows}


#: What planning changes on a schedule.
PLANNING_STATE = ("planned_until", "next_due_at", "active", "time_zone")


async def _save(session: AsyncSession, due: list[Schedule]) -> None:
    """The schedules' new state in one statement. (Left to the ORM, the changes would be written
    in one statement per run of schedules that changed the same columns.)"""
    values = [{"b_id": s.id, **{name: getattr(s, name) for name in PLANNING_STATE}} for s in due]
    table = cast(Table, Schedule.__table__)  # (the table, not the ORM: this changes nothing in the session)
    columns: dict[str, Any] = {name: bindparam(name) for name in PLANNING_STATE}
    await session.execute(update(table).where(table.c.id == bindparam("b_id")).values(columns), values)
    for schedule, written in zip(due, values, strict=True):  # as written: nothing left for the ORM to flush
        for name in PLANNING_STATE:
            set_committed_value(schedule, name, written[name])


T = TypeVar("T", bound=Base)


async def _by_id(session: AsyncSession, model: type[T], ids: set[int]) -> dict[int, T]:
    found: dict[int, T] = {}
    ordered = sorted(ids)
    column = model.__table__.c.id
    for start in range(0, len(ordered), outbox.KEYS_PER_QUERY):
        rows = await session.scalars(select(model).where(column.in_(ordered[start : start + outbox.KEYS_PER_QUERY])))
        found.update({row.id: row for row in rows})  # type: ignore[attr-defined]
    return found


def _advance(schedule: Schedule, tz: ZoneInfo, horizon: datetime) -> None:
    """Planned up to ``horizon``; look again two days before the next occurrence after it."""
    schedule.planned_until = horizon
    reach = timedelta(days=36_600 if schedule.frequency == Frequency.ONCE else 400)  # a single date may be far off
    upcoming = first_between(rhythm_of(schedule), tz, horizon, horizon + reach)
    if upcoming is not None:
        schedule.next_due_at = upcoming - LOOK_AHEAD
    else:
        schedule.active = False  # a single date that has passed
        schedule.next_due_at = None
