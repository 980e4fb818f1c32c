"""The planner as it was before issue 24: one schedule at a time, a few queries each. Kept only to
compare with: the batched planner (``scheduler/planner.py``) must queue exactly the same rows."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementStatus,
    Circle,
    Frequency,
    Member,
    Outcome,
    Person,
    Schedule,
    SchedulePurpose,
)
from bot.services import checkins, network_checkins, notifications, people, pulse, young_checkins
from bot.services.occurrences import at_wall_clock, occurrences_between, rhythm_of

log = logging.getLogger(__name__)
LOOK_AHEAD = timedelta(days=2)
RECHECK = timedelta(hours=1)
MORNING = time(8, 0)
EVENING = time(20, 0)
BATCH = 200


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


async def next_planning(session: AsyncSession) -> datetime | None:
    """When the planner next has something to do (``None``: no active schedule)."""
    return await session.scalar(
        select(func.min(Schedule.next_due_at)).where(Schedule.active, Schedule.purpose.in_(PLANNED))
    )


async def plan_due(session: AsyncSession, *, now: datetime, default_tz: ZoneInfo) -> int:
    """Plan what is due; returns how many reminders were queued."""
    query = (
        select(Schedule)
        .where(Schedule.active, Schedule.purpose.in_(PLANNED), Schedule.next_due_at <= now)
        .order_by(Schedule.next_due_at)
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":  # several processes: each schedule is planned by one at a time
        query = query.with_for_update(skip_locked=True)
    due = await session.scalars(query)
    queued = 0
    for schedule in list(due):
        try:
            async with session.begin_nested():
                if schedule.purpose == SchedulePurpose.CHECKIN:
                    queued += await _plan_checkins(session, schedule, now=now)
                elif schedule.purpose == SchedulePurpose.PULSE:
                    queued += await _plan_pulses(session, schedule, now=now)
                elif schedule.purpose == SchedulePurpose.NETWORK_CHECKIN:
                    queued += await _plan_network_checkins(session, schedule, now=now)
                elif schedule.purpose == SchedulePurpose.YOUNG_CHECKIN:
                    queued += await _plan_young_checkins(session, schedule, now=now)
                else:
                    queued += await _plan_agreement(session, schedule, now=now, default_tz=default_tz)
        except Exception:  # one broken schedule must not stop all planning: look at it again later
            log.exception("planning failed", extra={"schedule_id": schedule.id})
            schedule.next_due_at = now + RECHECK
    return queued


async def _plan_checkins(session: AsyncSession, schedule: Schedule, *, now: datetime) -> int:
    """Queue the family's check-ins. After downtime a check-in is still sent up to ``GRACE``
    late; one that is older is recorded as missed by not being sent at all."""
    circle = await session.get(Circle, schedule.circle_id)
    if circle is None:
        schedule.active = False
        return 0
    tz = ZoneInfo(schedule.time_zone)
    start = max(schedule.planned_until or schedule.created_at, now - checkins.GRACE)
    horizon = now + LOOK_AHEAD
    queued = 0
    for _day, moment in occurrences_between(rhythm_of(schedule), tz, start, horizon):
        if await checkins.start_round(session, circle, occurs_at=moment, schedule_id=schedule.id, now=now):
            queued += 1
    _advance(schedule, tz, horizon)
    return queued


async def _plan_pulses(session: AsyncSession, schedule: Schedule, *, now: datetime) -> int:
    """The professional's pulse, while the follow-up period lasts (it ends with it)."""
    circle = await session.get(Circle, schedule.circle_id)
    if circle is None or circle.professional_id is None or circle.follow_up_ends_on is None:
        schedule.active = False
        return 0
    tz = ZoneInfo(schedule.time_zone)
    queued = 0
    start = max(schedule.planned_until or schedule.created_at, now - pulse.GRACE)
    for day, moment in occurrences_between(rhythm_of(schedule), tz, start, now + LOOK_AHEAD):
        if day > circle.follow_up_ends_on:
            break
        await pulse.queue(
            session,
            circle,
            schedule,
            since=moment - timedelta(weeks=schedule.interval),
            until=moment,
            now=now,
            key=f"pulse:{schedule.id}:{day.isoformat()}",
        )
        queued += 1
    _advance(schedule, tz, now + LOOK_AHEAD)
    return queued


async def _plan_network_checkins(session: AsyncSession, schedule: Schedule, *, now: datetime) -> int:
    """A network member's check-ins, at 19:00 on their own clock (wherever they live now)."""
    await people.follow_member_clock(session, schedule)
    tz = ZoneInfo(schedule.time_zone)
    start = max(schedule.planned_until or schedule.created_at, now - network_checkins.GRACE)
    horizon = now + LOOK_AHEAD
    moments = [moment for _day, moment in occurrences_between(rhythm_of(schedule), tz, start, horizon)]
    queued = await network_checkins.plan(session, schedule, moments, now=now)
    if schedule.active:
        _advance(schedule, tz, horizon)
    return queued


async def _plan_young_checkins(session: AsyncSession, schedule: Schedule, *, now: datetime) -> int:
    """The young person's own check-ins, at 17:00 on their own clock (wherever they live now)."""
    await people.follow_member_clock(session, schedule)
    tz = ZoneInfo(schedule.time_zone)
    start = max(schedule.planned_until or schedule.created_at, now - young_checkins.GRACE)
    horizon = now + LOOK_AHEAD
    moments = [moment for _day, moment in occurrences_between(rhythm_of(schedule), tz, start, horizon)]
    queued = await young_checkins.plan(session, schedule, moments, now=now)
    if schedule.active:
        _advance(schedule, tz, horizon)
    return queued


def _advance(schedule: Schedule, tz: ZoneInfo, horizon: datetime) -> None:
    """Planned up to ``horizon``; look again two days before the next occurrence after it."""
    schedule.planned_until = horizon
    reach = timedelta(days=36_600 if schedule.frequency == Frequency.ONCE else 400)  # a single date may be far off
    upcoming = occurrences_between(rhythm_of(schedule), tz, horizon, horizon + reach)
    if upcoming:
        schedule.next_due_at = upcoming[0][1] - LOOK_AHEAD
    else:
        schedule.active = False  # a single date that has passed
        schedule.next_due_at = None


async def _plan_agreement(session: AsyncSession, schedule: Schedule, *, now: datetime, default_tz: ZoneInfo) -> int:
    agreement = await session.get(Agreement, schedule.agreement_id)
    if agreement is None or agreement.status in (AgreementStatus.ENDED, AgreementStatus.DECLINED):
        schedule.active = False
        return 0
    if agreement.status != AgreementStatus.ACTIVE:  # not yet accepted, or paused: look again later
        schedule.next_due_at = now + RECHECK
        return 0
    horizon = now + LOOK_AHEAD
    start = schedule.planned_until or schedule.created_at
    tz = ZoneInfo(schedule.time_zone)
    queued = 0
    doer = await session.get(Member, agreement.doer_member_id)
    circle = await session.get(Circle, agreement.circle_id)
    person = await session.get(Person, doer.person_id) if doer and doer.person_id else None
    doer_tz = people.clock_of(person, default_tz)
    for day, moment in occurrences_between(rhythm_of(schedule), tz, max(start, now), horizon):
        # (an occurrence already past when it is planned — after downtime, or while the
        # agreement waited for a yes or was paused — gets no reminder: it would come too late)
        if doer is None or circle is None or await _already_planned(session, agreement.id, day):
            continue
        occurrence = AgreementOccurrence(
            agreement_id=agreement.id, occurs_on=day, occurs_at=moment, outcome=Outcome.PENDING, created_at=now
        )
        session.add(occurrence)
        await session.flush()
        remind_at = max(now, reminder_time(moment, doer_tz, schedule.remind_hours_before))
        await notifications.tell_member(
            session,
            circle,
            doer.id,
            kind=DeliveryKind.AGREEMENT_REMINDER,
            key=f"reminder:{occurrence.id}",
            payload={"occurrence_id": occurrence.id, "expires_at": moment.isoformat()},
            now=now,
            due_at=remind_at,
        )
        queued += 1
    _advance(schedule, tz, horizon)
    return queued


async def _already_planned(session: AsyncSession, agreement_id: int, day: object) -> bool:
    found = await session.scalar(
        select(AgreementOccurrence.id).where(
            AgreementOccurrence.agreement_id == agreement_id, AgreementOccurrence.occurs_on == day
        )
    )
    return found is not None
