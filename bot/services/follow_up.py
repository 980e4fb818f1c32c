"""The end of the follow-up period (domain rule 12): a week before, the family is asked whether
to extend it; at the end the professional is detached — a goodbye for them, a warm handover for
the family — and the circle simply goes on for the family and their network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Person, Professional, ProfessionalStatus
from bot.services import audit, authz, circles, contact, menus, notifications, pulse
from bot.services.authz import Action
from bot.services.circles import follow_up_end
from bot.services.occurrences import occurrences_between, rhythm_of

ASK_BEFORE = timedelta(days=7)
AT = time(10, 0)  # both moments are at ten in the morning, in the circle's time zone
EXTEND_MONTHS = 1
LAST_PULSE_AFTER = timedelta(days=2)  # a regular pulse this recent makes a last one superfluous


def ask_moment(circle: Circle) -> datetime:
    assert circle.follow_up_ends_on is not None
    return datetime.combine(circle.follow_up_ends_on - ASK_BEFORE, AT, tzinfo=ZoneInfo(circle.time_zone))


def end_moment(circle: Circle) -> datetime:
    """The morning after the last day."""
    assert circle.follow_up_ends_on is not None
    return datetime.combine(circle.follow_up_ends_on + timedelta(days=1), AT, tzinfo=ZoneInfo(circle.time_zone))


async def _followed(session: AsyncSession, *, ending_by: date | None = None) -> list[Circle]:
    """Circles with an active professional and an end date (a removed professional is not asked
    about); with ``ending_by``, only those whose follow-up ends by then."""
    query = (
        select(Circle)
        .join(Professional, Professional.id == Circle.professional_id)
        .where(Professional.status == ProfessionalStatus.ACTIVE, Circle.follow_up_ends_on.is_not(None))
    )
    if ending_by is not None:
        query = query.where(Circle.follow_up_ends_on <= ending_by)
    return list(await session.scalars(query))


def _next_moment(circle: Circle) -> datetime:
    return ask_moment(circle) if circle.follow_up_asked_for != circle.follow_up_ends_on else end_moment(circle)


async def next_moment(session: AsyncSession) -> datetime | None:
    """When :func:`run_due` next has something to do."""
    return min((_next_moment(c) for c in await _followed(session)), default=None)


async def run_due(session: AsyncSession, *, now: datetime) -> None:
    """Runs every tick: it only reads circles whose follow-up ends within about a week."""
    for circle in await _followed(session, ending_by=(now + ASK_BEFORE + timedelta(days=1)).date()):
        if now >= end_moment(circle):
            await _end(session, circle, now)
        elif now >= ask_moment(circle) and circle.follow_up_asked_for != circle.follow_up_ends_on:
            circle.follow_up_asked_for = circle.follow_up_ends_on
            await notifications.tell_family(
                session,
                circle,
                kind=DeliveryKind.FOLLOWUP_ASK,
                key=f"followup.ask:{circle.id}:{circle.follow_up_ends_on}",
                payload={"ends_on": str(circle.follow_up_ends_on)},
                now=now,
            )


async def _end(session: AsyncSession, circle: Circle, now: datetime) -> None:
    professional = await session.get(Professional, circle.professional_id)
    person = await session.get(Person, professional.person_id) if professional and professional.person_id else None
    schedule = await pulse.current(session, circle.id)
    if schedule is not None:
        schedule.active = False
        until = end_moment(circle)
        regular = [
            moment
            for day, moment in occurrences_between(
                rhythm_of(schedule), ZoneInfo(schedule.time_zone), schedule.created_at, until
            )
            if day < until.date()  # (until: the morning after the last day)
        ]
        since = regular[-1] if regular else schedule.created_at  # what the pulses sent so far did not cover
        if person is not None and until - since > LAST_PULSE_AFTER:  # a last pulse, as the family agreed to pulses
            await pulse.queue(
                session, circle, schedule, since=since, until=until, now=now, key=f"pulse:{schedule.id}:last", last=True
            )
    if person is not None:
        await notifications.tell_person(
            session,
            person,
            circle_id=circle.id,
            kind=DeliveryKind.FOLLOWUP_GOODBYE,
            key=f"followup.goodbye:{circle.id}:{circle.follow_up_ends_on}",
            payload={"professional_id": professional.id if professional else None},
            now=now,
        )
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.FOLLOWUP_HANDOVER,
        key=f"followup.handover:{circle.id}:{circle.follow_up_ends_on}",
        payload={"professional_id": professional.id if professional else None},
        now=now,
    )
    circle.professional_id = None
    if person is not None:
        await menus.refresh(session, person.id, now=now)
    audit.record(session, at=now, action="followup.ended", circle_id=circle.id)


async def answer(
    session: AsyncSession, circle_id: int, *, person_id: int, ends_on: date, extend: bool, now: datetime
) -> Circle:
    """A coordinator answers the question about ``ends_on`` (a stale question changes nothing)."""
    access = await authz.authorize(session, person_id, circle_id, Action.EXTEND_FOLLOW_UP)
    circle = access.circle
    if circle.professional_id is None or circle.follow_up_ends_on != ends_on:
        raise authz.NotAllowed(Action.EXTEND_FOLLOW_UP)
    if extend:
        circle.follow_up_ends_on = follow_up_end(ends_on, EXTEND_MONTHS)
    professional = await session.get(Professional, circle.professional_id)
    person = await session.get(Person, professional.person_id) if professional and professional.person_id else None
    if person is not None:
        await notifications.tell_person(
            session,
            person,
            circle_id=circle.id,
            kind=DeliveryKind.FOLLOWUP_ANSWER,
            key=f"followup.answer:{circle.id}:{ends_on}:{extend}",
            payload={"extend": extend, "ends_on": str(circle.follow_up_ends_on)},
            now=now,
        )
    audit.record(
        session,
        at=now,
        action="followup.answered",
        actor_person_id=person_id,
        circle_id=circle.id,
        detail={"extend": extend},
    )
    return circle


@dataclass(frozen=True)
class Question:
    """The question whether to extend: about which circle, whose follow-up, ending when."""

    circle_id: int
    professional: str
    ends_on: date


async def question(session: AsyncSession, circle_id: int | None, ends_on: str | None) -> Question | None:
    """``None`` when it no longer applies: the professional gone, or the end date changed."""
    circle = await session.get(Circle, circle_id) if circle_id is not None else None
    if circle is None or circle.professional_id is None or ends_on is None or str(circle.follow_up_ends_on) != ends_on:
        return None
    professional = await session.get_one(Professional, circle.professional_id)
    return Question(circle.id, professional.name, date.fromisoformat(ends_on))


async def circle_name(session: AsyncSession, circle_id: int | None) -> str | None:
    circle = await session.get(Circle, circle_id) if circle_id is not None else None
    return circle.name if circle is not None else None


async def professional_name(session: AsyncSession, professional_id: int | None) -> str | None:
    professional = await session.get(Professional, professional_id) if professional_id is not None else None
    return professional.name if professional is not None else None


@dataclass(frozen=True)
class Followed:
    """One line of a professional's /overview."""

    name: str
    ends_on: date | None
    pulse_on: bool
    open_requests: int


async def overview(session: AsyncSession, person_id: int | None) -> list[Followed]:
    """The circles this person follows as a professional: end date, pulse on or off, open requests."""
    followed = []
    for circle in await circles.circles_of_professional(session, person_id):
        assert circle.professional_id is not None
        open_requests = [
            r for r in await contact.open_requests(session, circle.professional_id) if r.circle_id == circle.id
        ]
        followed.append(
            Followed(
                circle.name,
                circle.follow_up_ends_on,
                await pulse.current(session, circle.id) is not None,
                len(open_requests),
            )
        )
    return followed
