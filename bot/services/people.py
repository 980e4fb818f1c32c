"""People: the Telegram accounts Kring talks to, and their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Member, Person, Schedule
from bot.i18n import available_languages, resolve_language
from bot.services import audit, authz, menus
from bot.services.quiet_hours import DEFAULT_FROM, DEFAULT_UNTIL


class UnknownLanguage(authz.NoLongerPossible):
    """The language asked for has no catalog (a forged or stale button)."""


async def find(session: AsyncSession, telegram_user_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.telegram_user_id == telegram_user_id))


async def get_or_create(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    language_code: str | None,
    default_language: str,
    now: datetime,
) -> Person:
    """The person behind a Telegram account; new people start in their app's language."""
    person = await find(session, telegram_user_id)
    if person is not None:
        return person
    person = Person(
        telegram_user_id=telegram_user_id,
        language=resolve_language(language_code, default_language),
        language_chosen=False,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(person)
    except IntegrityError:  # the same person, created by a concurrent update
        existing = await find(session, telegram_user_id)
        assert existing is not None
        return existing
    audit.record(
        session, at=now, action="person.created", actor_person_id=person.id, subject_type="person", subject_id=person.id
    )
    return person


@dataclass(frozen=True)
class Seen:
    """What every update needs to know of its person (read without taking the write lock)."""

    id: int
    language: str
    unreachable: bool


async def seen(session: AsyncSession, telegram_user_id: int) -> Seen | None:
    row = (
        await session.execute(
            select(Person.id, Person.language, Person.unreachable_since).where(
                Person.telegram_user_id == telegram_user_id
            )
        )
    ).first()
    return None if row is None else Seen(row.id, row.language, row.unreachable_since is not None)


def needs_writing(seen: Seen | None, *, in_private: bool) -> bool:
    """Whether :func:`arrived` would change anything: a new person, or a private message from
    someone Kring could not reach (the only two things it writes)."""
    return seen is None or (in_private and seen.unreachable)


async def arrived(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    language_code: str | None,
    default_language: str,
    in_private: bool,
    now: datetime,
) -> Person:
    """The person behind an update. Writing to Kring privately, they can be written to again."""
    person = await get_or_create(
        session,
        telegram_user_id=telegram_user_id,
        language_code=language_code,
        default_language=default_language,
        now=now,
    )
    if in_private and person.unreachable_since is not None:
        person.unreachable_since = None
    return person


def choose_language(session: AsyncSession, person: Person, code: str, *, now: datetime) -> None:
    if code not in available_languages():
        raise UnknownLanguage(code)
    person.language = code
    person.language_chosen = True
    audit.record(
        session,
        at=now,
        action="person.language_chosen",
        actor_person_id=person.id,
        subject_type="person",
        subject_id=person.id,
        detail={"language": code},
    )


async def choose_own_language(session: AsyncSession, person_id: int, code: str, *, now: datetime) -> None:
    choose_language(session, await session.get_one(Person, person_id), code, now=now)
    await menus.refresh(session, person_id, now=now)  # the menu in their own language, whatever the app's


def quiet_hours(person: Person | None) -> tuple[time, time]:
    """The hours in which nothing is sent to this person (the default if they chose none)."""
    if person is None or person.quiet_from is None or person.quiet_until is None:
        return DEFAULT_FROM, DEFAULT_UNTIL
    return person.quiet_from, person.quiet_until


def set_quiet_hours(session: AsyncSession, person: Person, start: time, end: time, *, now: datetime) -> None:
    person.quiet_from, person.quiet_until = start, end
    audit.record(
        session,
        at=now,
        action="person.quiet_hours_chosen",
        actor_person_id=person.id,
        subject_type="person",
        subject_id=person.id,
    )


async def choose_quiet_hours(session: AsyncSession, person_id: int, start: time, end: time, *, now: datetime) -> None:
    set_quiet_hours(session, await session.get_one(Person, person_id), start, end, now=now)


def clock_of(person: Person | None, default: ZoneInfo) -> ZoneInfo:
    """The time zone a person lives by: their own choice (/timezone), else ``default``."""
    return ZoneInfo(person.time_zone) if person is not None and person.time_zone else default


async def clock_of_person(session: AsyncSession, person_id: int | None, default: ZoneInfo) -> ZoneInfo:
    """:func:`clock_of` the person with this id."""
    person = await session.get(Person, person_id) if person_id is not None else None
    return clock_of(person, default)


def set_time_zone(session: AsyncSession, person: Person, zone: str, *, now: datetime) -> None:
    """Reminders and quiet hours follow this person's own clock from now on (what is already
    queued keeps its moment; the planner uses the new zone for what it plans next)."""
    person.time_zone = zone
    audit.record(
        session,
        at=now,
        action="person.time_zone_chosen",
        actor_person_id=person.id,
        subject_type="person",
        subject_id=person.id,
    )


async def choose_time_zone(session: AsyncSession, person_id: int, zone: str, *, now: datetime) -> None:
    set_time_zone(session, await session.get_one(Person, person_id), zone, now=now)


async def zone_of_member(session: AsyncSession, member: Member, circle: Circle) -> str:
    """The member's own clock (``/timezone``), else the circle's."""
    person = await session.get(Person, member.person_id) if member.person_id else None
    return (person.time_zone if person else None) or circle.time_zone


async def follow_member_clock(session: AsyncSession, schedule: Schedule) -> None:
    """A schedule on one member's own clock (their check-ins) follows a move (``/timezone``): 19:00
    stays 19:00 for them."""
    member = await session.get(Member, schedule.member_id) if schedule.member_id else None
    circle = await session.get(Circle, schedule.circle_id)
    if member is not None and circle is not None:
        schedule.time_zone = await zone_of_member(session, member, circle)
