"""The people service: one person per Telegram account, and only shipped languages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SimulatedClock
from bot.db.models import AuditEvent, Person
from bot.services import people


async def test_get_or_create_makes_one_person_per_account(session: AsyncSession, clock: SimulatedClock) -> None:
    first = await people.get_or_create(
        session, telegram_user_id=5, language_code="en-US", default_language="nl", now=clock.now()
    )
    again = await people.get_or_create(
        session, telegram_user_id=5, language_code="nl", default_language="nl", now=clock.now()
    )
    await session.commit()
    assert first.id == again.id
    assert again.language == "en"  # the first guess stays until the person chooses
    assert await session.scalar(select(func.count()).select_from(Person)) == 1
    assert first.created_at == clock.now()


async def test_unknown_app_language_starts_in_the_default(session: AsyncSession, clock: SimulatedClock) -> None:
    person = await people.get_or_create(
        session, telegram_user_id=6, language_code=None, default_language="en", now=clock.now()
    )
    assert person.language == "en"


async def test_choose_language_is_recorded_without_personal_data(session: AsyncSession, clock: SimulatedClock) -> None:
    person = await people.get_or_create(
        session, telegram_user_id=7, language_code="nl", default_language="nl", now=clock.now()
    )
    people.choose_language(session, person, "en", now=clock.now())
    await session.commit()
    event = await session.scalar(select(AuditEvent).where(AuditEvent.action == "person.language_chosen"))
    assert event is not None and event.actor_person_id == person.id and event.detail == {"language": "en"}
    with pytest.raises(people.UnknownLanguage):
        people.choose_language(session, person, "xx", now=clock.now())
    assert person.language == "en"


async def test_timestamps_come_back_aware_in_utc(session: AsyncSession, clock: SimulatedClock) -> None:
    await people.get_or_create(session, telegram_user_id=8, language_code="nl", default_language="nl", now=clock.now())
    await session.commit()
    session.expunge_all()
    stored = await session.scalar(select(Person).where(Person.telegram_user_id == 8))
    assert stored is not None and stored.created_at == clock.now() and stored.created_at.utcoffset() is not None
