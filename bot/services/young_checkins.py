"""The young person's own check-in, privately: how it goes, at home, at school or work, and whether
they want to talk with someone.

It starts when their join is confirmed; the rhythm is theirs to change or stop (/mycheckin). The
answers are theirs: the coordinators hear only what the young person shares, and only when they
press "Klaar"; that they have a hard time, or want their trusted adult to know, only on their own
press too. Nobody else sees the answers (no plan, no /mydata of a parent); a pulse may count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Circle,
    Frequency,
    Member,
    MemberRole,
    MemberStatus,
    Mood,
    Schedule,
    SchedulePurpose,
    TalkWish,
    YoungCheckin,
)
from bot.services import audit, authz, mentors, notifications, people
from bot.services.authz import Action

CHOICES = (1, 2, 4)  # weeks between check-ins; 2 is the suggestion
SUGGESTED = 2
AT = time(17, 0)  # in the young person's own time zone: after school
FIRST_AFTER = timedelta(weeks=1)
GRACE = timedelta(days=2)  # still sent this late (after quiet hours, a pause, downtime); later it lapses
#: The answers the young person may share, in the order they were asked.
FIELDS = ("overall", "at_home", "at_school")


async def current(session: AsyncSession, member_id: int) -> Schedule | None:
    return await session.scalar(
        select(Schedule).where(
            Schedule.member_id == member_id, Schedule.purpose == SchedulePurpose.YOUNG_CHECKIN, Schedule.active
        )
    )


async def start(session: AsyncSession, circle: Circle, member: Member, *, weeks: int, now: datetime) -> Schedule:
    """A new rhythm from now: the first check-in a week later, at 17:00 on their own clock."""
    zone = await people.zone_of_member(session, member, circle)
    first = (now + FIRST_AFTER).astimezone(ZoneInfo(zone)).date()
    schedule = Schedule(
        circle_id=circle.id,
        member_id=member.id,
        purpose=SchedulePurpose.YOUNG_CHECKIN,
        frequency=Frequency.WEEKLY,
        interval=weeks,
        weekday=first.weekday(),
        at_time=AT,
        starts_on=first,
        time_zone=zone,
        active=True,
        created_at=now,
        planned_until=now,
        next_due_at=now,
    )
    session.add(schedule)
    return schedule


async def joined(session: AsyncSession, circle: Circle, member: Member, *, now: datetime) -> None:
    """A young person's join was confirmed: their own check-in starts (every two weeks)."""
    if member.role == MemberRole.YOUNG and await current(session, member.id) is None:
        await start(session, circle, member, weeks=SUGGESTED, now=now)


async def plan(session: AsyncSession, schedule: Schedule, occurrences: list[datetime], *, now: datetime) -> int:
    """Queue the check-ins at ``occurrences`` (from the planner), privately to the young person."""
    member = await session.get(Member, schedule.member_id) if schedule.member_id else None
    circle = await session.get(Circle, schedule.circle_id)
    if member is None or circle is None or member.status != MemberStatus.ACTIVE:
        schedule.active = False
        return 0
    queued = 0
    for moment in occurrences:
        exists = await session.scalar(
            select(YoungCheckin.id).where(YoungCheckin.member_id == member.id, YoungCheckin.occurs_at == moment)
        )
        if exists is not None:
            continue
        checkin = YoungCheckin(
            circle_id=circle.id, member_id=member.id, schedule_id=schedule.id, occurs_at=moment, created_at=now
        )
        session.add(checkin)
        await session.flush()
        await notifications.tell_member(  # (a young person is never written to in the family's group)
            session,
            circle,
            member.id,
            kind=DeliveryKind.YOUNG_CHECKIN,
            key=f"young.checkin:{checkin.id}",
            payload={"checkin_id": checkin.id, "expires_at": (moment + GRACE).isoformat()},
            now=now,
            due_at=max(moment, now),
        )
        queued += 1
    return queued


@dataclass(frozen=True)
class ToAsk:
    checkin: YoungCheckin
    member: Member


async def to_ask(session: AsyncSession, checkin_id: int | None) -> ToAsk | None:
    """At send time: ``None`` when stopped meanwhile, or the young person is no longer in the circle."""
    checkin = await session.get(YoungCheckin, checkin_id) if checkin_id is not None else None
    if checkin is None:
        return None
    member = await session.get(Member, checkin.member_id)
    schedule = await session.get(Schedule, checkin.schedule_id) if checkin.schedule_id else None
    if member is None or member.status != MemberStatus.ACTIVE or schedule is None or not schedule.active:
        return None
    return ToAsk(checkin, member)


# -- the young person answers -----------------------------------------------------------------


@dataclass(frozen=True)
class Own:
    """A check-in as its young person sees it, with their trusted adult (if in the circle)."""

    checkin: YoungCheckin
    member: Member
    mentor: Member | None

    @property
    def needs_help(self) -> bool:
        """ "Niet goed" anywhere, or wanting to talk: their own help is offered."""
        moods = (self.checkin.overall, self.checkin.at_home, self.checkin.at_school)
        return Mood.NOT_GOOD in moods or self.checkin.talk in (TalkWish.MENTOR, TalkWish.SOMEONE_ELSE)

    def answers(self) -> list[tuple[str, Mood]]:
        """The answers given, as (field, mood), in the order asked."""
        return [(field, mood) for field in FIELDS if (mood := getattr(self.checkin, field)) is not None]

    def shared(self) -> list[tuple[str, Mood]]:
        return [(field, mood) for field, mood in self.answers() if getattr(self.checkin, f"shared_{field}")]


async def own(session: AsyncSession, checkin_id: int, person_id: int) -> Own:
    """The young person's own check-in; anyone else's is refused (a forged press too)."""
    checkin = await session.get(YoungCheckin, checkin_id)
    if checkin is None:
        raise authz.NotAllowed(Action.ANSWER_YOUNG_CHECKIN)
    member = await authz.authorize_own(
        session, person_id, checkin.circle_id, Action.ANSWER_YOUNG_CHECKIN, checkin.member_id
    )
    return Own(checkin, member, await mentors.active_mentor(session, member))


async def answer(
    session: AsyncSession, checkin_id: int, *, person_id: int, field: str, value: str | None, now: datetime
) -> Own:
    """One answer: a mood for ``overall``/``at_home``/``at_school`` (``None``: skipped), or a talk wish."""
    found = await own(session, checkin_id, person_id)
    checkin = found.checkin
    if field in FIELDS:
        setattr(checkin, field, Mood(value) if value is not None else None)
    elif field == "talk" and value is not None:
        wish = TalkWish(value)
        if wish == TalkWish.MENTOR and found.mentor is None:
            raise authz.NoLongerPossible("no mentor")
        checkin.talk = wish
        if checkin.answered_at is None:
            checkin.answered_at = now
            audit.record(
                session,
                at=now,
                action="young_checkin.answered",
                actor_person_id=person_id,
                circle_id=checkin.circle_id,
                subject_type="young_checkin",
                subject_id=checkin.id,
            )
    else:
        raise authz.NoLongerPossible(field)
    return found


async def toggle_share(session: AsyncSession, checkin_id: int, *, person_id: int, field: str) -> Own:
    found = await own(session, checkin_id, person_id)
    if field not in FIELDS or getattr(found.checkin, field) is None:
        raise authz.NoLongerPossible(field)
    flag = f"shared_{field}"
    setattr(found.checkin, flag, not getattr(found.checkin, flag))
    return found


async def finish_sharing(session: AsyncSession, checkin_id: int, *, person_id: int, share: bool, now: datetime) -> Own:
    """ "Klaar" (``share``) sends exactly what is marked, once; "Niets delen" unmarks everything."""
    found = await own(session, checkin_id, person_id)
    checkin = found.checkin
    if not share:
        checkin.shared_overall = checkin.shared_at_home = checkin.shared_at_school = False
    elif found.shared():
        circle = await session.get_one(Circle, checkin.circle_id)
        await notifications.tell_coordinators(
            session,
            circle,
            kind=DeliveryKind.YOUNG_SHARED,
            key=f"young.shared:{checkin.id}",
            payload={"checkin_id": checkin.id, "fields": [field for field, _mood in found.shared()]},
            now=now,
        )
        audit.record(
            session,
            at=now,
            action="young_checkin.shared",
            actor_person_id=person_id,
            circle_id=checkin.circle_id,
            subject_type="young_checkin",
            subject_id=checkin.id,
        )
    return found


async def tell_parent(session: AsyncSession, checkin_id: int, *, person_id: int, now: datetime) -> Own:
    """Only on the young person's own press: the coordinators hear they have a hard time."""
    found = await own(session, checkin_id, person_id)
    checkin = found.checkin
    if checkin.parent_told_at is None:
        checkin.parent_told_at = now
        circle = await session.get_one(Circle, checkin.circle_id)
        await notifications.tell_coordinators(
            session,
            circle,
            kind=DeliveryKind.YOUNG_HARD,
            key=f"young.hard:{checkin.id}",
            payload={"member_id": found.member.id},
            now=now,
        )
        audit.record(
            session,
            at=now,
            action="young_checkin.parent_told",
            actor_person_id=person_id,
            circle_id=checkin.circle_id,
            subject_type="young_checkin",
            subject_id=checkin.id,
        )
    return found


async def tell_mentor(session: AsyncSession, checkin_id: int, *, person_id: int, now: datetime) -> Own:
    """Only on the young person's own press: their trusted adult hears they would like to talk."""
    found = await own(session, checkin_id, person_id)
    checkin, mentor = found.checkin, found.mentor
    if mentor is None:
        raise authz.NoLongerPossible("no mentor")
    if checkin.mentor_told_at is None:
        checkin.mentor_told_at = now
        circle = await session.get_one(Circle, checkin.circle_id)
        await notifications.tell_member(
            session,
            circle,
            mentor.id,
            kind=DeliveryKind.YOUNG_TALK_MENTOR,
            key=f"young.talk_mentor:{checkin.id}",
            payload={"member_id": found.member.id},
            now=now,
        )
        audit.record(
            session,
            at=now,
            action="young_checkin.mentor_told",
            actor_person_id=person_id,
            circle_id=checkin.circle_id,
            subject_type="young_checkin",
            subject_id=checkin.id,
        )
    return found


async def shared_answers(session: AsyncSession, checkin_id: int | None) -> tuple[Member, list[tuple[str, Mood]]] | None:
    """For the coordinators' message: the young person and what they shared (``None``: gone)."""
    checkin = await session.get(YoungCheckin, checkin_id) if checkin_id is not None else None
    member = await session.get(Member, checkin.member_id) if checkin is not None else None
    if checkin is None or member is None:
        return None
    shared = Own(checkin, member, None).shared()
    return (member, shared) if shared else None


# -- the young person's own rhythm -------------------------------------------------------------


@dataclass(frozen=True)
class Rhythm:
    """Their check-in now: every ``weeks`` weeks, or stopped (``None``)."""

    circle_id: int
    weeks: int | None


async def _self(session: AsyncSession, circle_id: int, person_id: int) -> tuple[Circle, Member]:
    access = await authz.authorize(session, person_id, circle_id, Action.ANSWER_YOUNG_CHECKIN)
    assert access.member is not None
    return access.circle, access.member


async def rhythm(session: AsyncSession, circle_id: int, *, person_id: int) -> Rhythm:
    _circle, member = await _self(session, circle_id, person_id)
    schedule = await current(session, member.id)
    return Rhythm(circle_id, schedule.interval if schedule else None)


async def choose(session: AsyncSession, circle_id: int, *, person_id: int, weeks: int | None, now: datetime) -> Rhythm:
    """The young person picks a rhythm (it starts again if it was stopped) or stops (``None``).
    Nobody else is told: it is theirs."""
    if weeks is not None and weeks not in CHOICES:
        raise authz.NoLongerPossible(weeks)
    circle, member = await _self(session, circle_id, person_id)
    schedule = await current(session, member.id)
    if weeks is None:  # every active one (should two ever exist, stop means stop)
        await session.execute(
            update(Schedule)
            .where(Schedule.member_id == member.id, Schedule.purpose == SchedulePurpose.YOUNG_CHECKIN)
            .values(active=False)
        )
    elif schedule is None:
        await start(session, circle, member, weeks=weeks, now=now)
    elif schedule.interval != weeks:
        schedule.interval, schedule.next_due_at = weeks, now  # (what is planned already stays)
    audit.record(
        session,
        at=now,
        action="young_checkin.rhythm",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
        detail={"weeks": weeks or 0},
    )
    return Rhythm(circle_id, weeks)


async def answered_count(session: AsyncSession, circle_id: int, since: datetime, until: datetime) -> int:
    """For the figures, at most: a number, nothing more."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(YoungCheckin)
            .where(
                YoungCheckin.circle_id == circle_id,
                YoungCheckin.answered_at.is_not(None),
                YoungCheckin.occurs_at >= since,
                YoungCheckin.occurs_at < until,
            )
        )
        or 0
    )


async def find_member(session: AsyncSession, member_id: int | None) -> Member | None:
    return await session.get(Member, member_id) if member_id is not None else None
