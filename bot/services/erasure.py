"""The right to be forgotten (AVG article 17), and a family dissolving its circle.

- A person erases themselves: in each circle their agreements end and the family is told, once,
  which agreements stopped; then their place in the circle, their answers, notes, requests and
  messages waiting for them are deleted, and finally their account. The audit trail keeps its
  events without them (ids only, the actor removed).
- The only family member left cannot leave a family behind without a family: their circle is
  dissolved instead. A professional still attached to circles is referred to their organisation,
  which removes them (``kring professional remove``), so no family loses its follow-up by accident.
- A coordinator dissolves a whole circle: everyone in it is told (the group too), then the circle
  and everything in it is deleted at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    Circle,
    Member,
    MemberRole,
    MemberStatus,
    Person,
    PlanStep,
    Professional,
    ProfessionalStatus,
)
from bot.services import agreements, audit, authz, circles, mentors, menus, notifications, removal
from bot.services.authz import Action


class StillAProfessional(Exception):
    """A professional with circles is removed by their organisation, not by /forget."""


@dataclass(frozen=True)
class Consequences:
    """What /forget will do, shown before the person confirms."""

    circles_left: list[str]  # circle names where the family goes on without them
    circles_dissolved: list[str]  # circle names where they are the only family member
    agreements_ending: list[str]
    #: circle names where they are the only coordinator of a family that goes on: they hand over
    #: first, so that a circle always has a coordinator
    must_hand_over: list[str]


async def _memberships(session: AsyncSession, person: Person) -> list[tuple[Member, Circle]]:
    rows = await session.execute(
        select(Member, Circle)
        .join(Circle, Circle.id == Member.circle_id)
        .where(Member.person_id == person.id)
        .order_by(Member.id)
    )
    return [(member, circle) for member, circle in rows]


async def _only_family(session: AsyncSession, member: Member) -> bool:
    if member.role != MemberRole.FAMILY or member.status != MemberStatus.ACTIVE:
        return False
    family = [m for m in await circles.active_members(session, member.circle_id) if m.role == MemberRole.FAMILY]
    return [m.id for m in family] == [member.id]


async def _open_agreements(session: AsyncSession, member: Member) -> list[Agreement]:
    return list(
        await session.scalars(
            select(Agreement)
            .where(Agreement.doer_member_id == member.id, Agreement.status.in_(agreements.OPEN))
            .order_by(Agreement.id)
        )
    )


async def _professional_with_circles(session: AsyncSession, person: Person) -> bool:
    professional = await session.scalar(select(Professional).where(Professional.person_id == person.id))
    if professional is None or professional.status != ProfessionalStatus.ACTIVE:
        return False
    return await session.scalar(select(Circle.id).where(Circle.professional_id == professional.id).limit(1)) is not None


async def consequences(session: AsyncSession, person: Person) -> Consequences:
    if await _professional_with_circles(session, person):
        raise StillAProfessional
    left, dissolved, ending, hand_over = [], [], [], []
    for member, circle in await _memberships(session, person):
        if await _only_family(session, member):
            dissolved.append(circle.name)
            continue
        if member.status == MemberStatus.ACTIVE:
            left.append(circle.name)
            ending += [a.what for a in await _open_agreements(session, member)]
            if member.is_coordinator and not await removal.other_coordinators(session, member):
                hand_over.append(circle.name)
    return Consequences(left, dissolved, ending, hand_over)


async def consequences_for(session: AsyncSession, person_id: int) -> Consequences:
    return await consequences(session, await session.get_one(Person, person_id))


async def forget_person(session: AsyncSession, person: Person, *, now: datetime) -> None:
    """Erase everything about ``person``; the families they were part of are told."""
    if await _professional_with_circles(session, person):
        raise StillAProfessional
    for member, circle in await _memberships(session, person):
        if await _only_family(session, member):
            await _dissolve(session, circle, actor=person, now=now)
            continue
        if member.status == MemberStatus.ACTIVE:
            stopped = [a.what for a in await _open_agreements(session, member)]
            backup_for = [
                a.what
                for a in await session.scalars(
                    select(Agreement).where(
                        Agreement.backup_member_id == member.id, Agreement.status.in_(agreements.OPEN)
                    )
                )
            ]
            in_plan = (
                await session.scalar(select(PlanStep.id).where(PlanStep.member_id == member.id).limit(1)) is not None
            )
            # agreements end and a coordinator stays; the "left" notice finds no member and is skipped
            await circles.leave(session, circle.id, person_id=person.id, now=now)
            await notifications.tell_family(
                session,
                circle,
                kind=DeliveryKind.MEMBER_FORGOTTEN,
                key=f"member.forgotten:{member.id}",
                payload={
                    "name": member.display_name,
                    "agreements": stopped,
                    "backup_for": backup_for,
                    "in_plan": in_plan,
                },
                now=now,
            )
        audit.record(
            session, at=now, action="member.erased", circle_id=circle.id, subject_type="member", subject_id=member.id
        )
        await mentors.forget_choices(session, member)
        await session.delete(member)  # with it: their agreements, answers, notes, requests and asks
    professional = await session.scalar(select(Professional).where(Professional.person_id == person.id))
    if professional is not None:
        await session.delete(professional)
    audit.record(session, at=now, action="person.erased", subject_type="person", subject_id=person.id)
    await session.flush()
    await menus.forget(session, person.telegram_user_id, now=now)  # back to the "nobody yet" menu
    await session.delete(person)  # with it: messages waiting for them and their open conversations


async def forget(session: AsyncSession, person_id: int, *, now: datetime) -> None:
    await forget_person(session, await session.get_one(Person, person_id), now=now)


async def check_can_dissolve(session: AsyncSession, circle_id: int, *, person_id: int) -> Circle:
    """The circle this person may dissolve; ``NotAllowed`` otherwise."""
    return (await authz.authorize(session, person_id, circle_id, Action.DISSOLVE_CIRCLE)).circle


async def dissolve(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> str:
    """A coordinator dissolves the circle; returns its name (for the confirmation)."""
    access = await authz.authorize(session, person_id, circle_id, Action.DISSOLVE_CIRCLE)
    actor = await session.get_one(Person, person_id)
    name = access.circle.name
    await _dissolve(session, access.circle, actor=actor, now=now)
    return name


async def _dissolve(session: AsyncSession, circle: Circle, *, actor: Person, now: datetime) -> None:
    """Tell everyone in the circle (not the one who chose it), then delete it and all it holds.
    The notices carry the circle's name themselves: the circle is gone when they are sent."""
    payload = {"circle": circle.name, "language": circle.language}
    key = f"circle.dissolved:{circle.id}:{now.isoformat()}"
    recipients = {
        person.id: person
        for person in await session.scalars(
            select(Person)
            .join(Member, Member.person_id == Person.id)
            .where(Member.circle_id == circle.id, Member.status == MemberStatus.ACTIVE)
        )
    }
    if circle.professional_id is not None:
        professional = await session.get(Professional, circle.professional_id)
        if professional is not None and professional.person_id is not None:
            recipients[professional.person_id] = await session.get_one(Person, professional.person_id)
    for person_id in recipients:  # (also the one who chose it) their menus shrink
        await menus.refresh(session, person_id, now=now)
    if circle.group_chat_id is not None:
        await menus.forget(session, circle.group_chat_id, now=now)
    recipients.pop(actor.id, None)
    for person in recipients.values():
        await notifications.tell_person(
            session,
            person,
            circle_id=None,
            kind=DeliveryKind.CIRCLE_DISSOLVED,
            key=f"{key}:p{person.id}",
            payload=payload,
            now=now,
        )
    if circle.group_chat_id is not None:
        await outbox.enqueue(
            session,
            key=f"{key}:group",
            kind=DeliveryKind.CIRCLE_DISSOLVED,
            chat_id=circle.group_chat_id,
            due_at=now,
            now=now,
            payload=payload,
        )
    audit.record(session, at=now, action="circle.dissolved", subject_type="circle", subject_id=circle.id)
    await session.delete(circle)
