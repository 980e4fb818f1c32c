"""What the notices about members, agreements and reminders read (:mod:`bot.messages.notices`):
the rows a delivery's payload points at, looked up again when the message is sent, so a notice
about something that has gone or changed can be left out."""

from __future__ import annotations

from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Agreement, AgreementOccurrence, Circle, Member, Person, Professional
from bot.services import agreements
from bot.services.agreements import AgreementView


class OccurrenceView(NamedTuple):
    occurrence: AgreementOccurrence
    view: AgreementView


async def member(session: AsyncSession, member_id: int | None) -> Member | None:
    return await session.get(Member, member_id) if member_id is not None else None


async def agreement_view(session: AsyncSession, agreement_id: int | None) -> AgreementView | None:
    agreement = await session.get(Agreement, agreement_id) if agreement_id is not None else None
    return await agreements.view(session, agreement) if agreement is not None else None


async def proposer_name(session: AsyncSession, agreement: Agreement) -> str:
    """The name of whoever proposed the agreement: a member of the circle, or the professional."""
    proposer = await session.scalar(
        select(Member).where(
            Member.circle_id == agreement.circle_id, Member.person_id == agreement.proposed_by_person_id
        )
    )
    if proposer is not None:
        return proposer.display_name
    professional = await session.scalar(
        select(Professional).where(Professional.person_id == agreement.proposed_by_person_id)
    )
    return professional.name if professional else "?"


async def occurrence_view(session: AsyncSession, occurrence_id: int | None) -> OccurrenceView | None:
    occurrence = await session.get(AgreementOccurrence, occurrence_id) if occurrence_id is not None else None
    if occurrence is None:
        return None
    agreement = await session.get(Agreement, occurrence.agreement_id)
    if agreement is None:
        return None
    return OccurrenceView(occurrence, await agreements.view(session, agreement))


async def answered_by(session: AsyncSession, occurrence: AgreementOccurrence) -> Member | None:
    return await member(session, occurrence.answered_by_member_id)


async def reader_zone(session: AsyncSession, person_id: int | None, circle_id: int | None) -> ZoneInfo:
    """The reader's own time zone (a network member may live abroad), else the circle's."""
    person = await session.get(Person, person_id) if person_id else None
    circle = await session.get(Circle, circle_id) if circle_id else None
    return ZoneInfo(
        (person.time_zone if person and person.time_zone else None) or (circle.time_zone if circle else "UTC")
    )


async def circle(session: AsyncSession, circle_id: int | None) -> Circle | None:
    return await session.get(Circle, circle_id) if circle_id is not None else None


async def agreements_by_id(session: AsyncSession, ids: list[int]) -> list[Agreement]:
    if not ids:
        return []
    return list(await session.scalars(select(Agreement).where(Agreement.id.in_(ids)).order_by(Agreement.id)))
