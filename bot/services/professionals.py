"""Professionals: registered by the organisation's administrator with a single-use link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callbacks import MAX_NUMBER
from bot.db.models import Invitation, InvitationKind, Professional, ProfessionalStatus
from bot.services import audit, invitations, menus

MAX_NAME = 100


class NotFound(LookupError):
    pass


async def invite(session: AsyncSession, name: str, *, now: datetime) -> tuple[Professional, str]:
    """A professional-to-be and the token of their registration link."""
    name = " ".join(name.split())
    if not 0 < len(name) <= MAX_NAME:
        raise ValueError(f"a name has 1 to {MAX_NAME} characters")
    professional = Professional(name=name, status=ProfessionalStatus.INVITED, created_at=now)
    session.add(professional)
    await session.flush()
    _, token = invitations.create(session, kind=InvitationKind.PROFESSIONAL, now=now, professional_id=professional.id)
    audit.record(
        session, at=now, action="professional.invited", subject_type="professional", subject_id=professional.id
    )
    return professional, token


async def all_professionals(session: AsyncSession) -> list[Professional]:
    return list(await session.scalars(select(Professional).order_by(Professional.id)))


async def remove(session: AsyncSession, professional_id: int, *, now: datetime) -> Professional:
    if not 0 < professional_id <= MAX_NUMBER:  # (typed by an administrator: no id of ours)
        raise NotFound(professional_id)
    professional = await session.get(Professional, professional_id)
    if professional is None or professional.status == ProfessionalStatus.REMOVED:
        raise NotFound(professional_id)
    professional.status = ProfessionalStatus.REMOVED
    await menus.refresh(session, professional.person_id, now=now)
    professional.person_id = None  # the account may be registered again with a new link
    for invitation in await session.scalars(
        select(Invitation).where(Invitation.professional_id == professional_id, Invitation.used_at.is_(None))
    ):
        invitations.revoke(session, invitation, by_person_id=None, now=now)
    audit.record(
        session, at=now, action="professional.removed", subject_type="professional", subject_id=professional_id
    )
    return professional


async def register(session: AsyncSession, invitation: Invitation, *, person_id: int, now: datetime) -> Professional:
    """The person who opened a professional link becomes that professional."""
    professional = await session.get(Professional, invitation.professional_id)
    if professional is None or professional.status == ProfessionalStatus.REMOVED:
        raise NotFound(invitation.professional_id)
    earlier = await active_for_person(session, person_id)
    if earlier is not None and earlier.id != professional.id:
        earlier.person_id = None  # one account, one professional record
        earlier.status = ProfessionalStatus.REMOVED
    professional.person_id = person_id
    professional.status = ProfessionalStatus.ACTIVE
    invitations.complete(session, invitation, now=now)
    audit.record(
        session,
        at=now,
        action="professional.registered",
        actor_person_id=person_id,
        subject_type="professional",
        subject_id=professional.id,
    )
    await menus.refresh(session, person_id, now=now)
    return professional


async def active_for_person(session: AsyncSession, person_id: int | None) -> Professional | None:
    if person_id is None:
        return None
    return await session.scalar(
        select(Professional).where(
            Professional.person_id == person_id, Professional.status == ProfessionalStatus.ACTIVE
        )
    )
