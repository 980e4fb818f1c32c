"""Telling the family: through the outbox, to the family's group if it has one, otherwise to each
coordinator privately (in their own language)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Member, MemberRole, MemberStatus, Person


async def tell_family(
    session: AsyncSession,
    circle: Circle,
    *,
    kind: DeliveryKind,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    due_at = due_at or now
    if circle.group_chat_id is not None:
        await outbox.enqueue(
            session,
            key=f"{key}:group",
            kind=kind,
            chat_id=circle.group_chat_id,
            due_at=due_at,
            now=now,
            circle_id=circle.id,
            payload=payload,
        )
        return
    await tell_coordinators(session, circle, kind=kind, key=key, payload=payload, now=now, due_at=due_at)


async def tell_coordinators(
    session: AsyncSession,
    circle: Circle,
    *,
    kind: DeliveryKind,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
    except_person_id: int | None = None,
) -> None:
    """Each coordinator privately (in their own language), except ``except_person_id``."""
    due_at = due_at or now
    coordinators = await session.execute(
        select(Member, Person)
        .join(Person, Person.id == Member.person_id)
        .where(Member.circle_id == circle.id, Member.is_coordinator, Member.status == MemberStatus.ACTIVE)
    )
    for member, person in coordinators:
        if person.id == except_person_id:
            continue
        await tell_person(
            session,
            person,
            circle_id=circle.id,
            kind=kind,
            key=f"{key}:m{member.id}",
            payload=payload,
            now=now,
            due_at=after_pause(member, due_at),
        )


async def tell_person(
    session: AsyncSession,
    person: Person,
    *,
    circle_id: int | None,
    kind: DeliveryKind,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    await outbox.enqueue(
        session,
        key=key,
        kind=kind,
        chat_id=person.telegram_user_id,
        due_at=due_at or now,
        now=now,
        person_id=person.id,
        circle_id=circle_id,
        payload=payload,
    )


async def tell_member(
    session: AsyncSession,
    circle: Circle,
    member_id: int,
    *,
    kind: DeliveryKind,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    """Write to one member: privately, or, for a family member, in the family's group if there is
    one (a family member who joined there may never have opened a private chat with Kring)."""
    member = await session.get(Member, member_id)
    if member is None or member.person_id is None or member.status != MemberStatus.ACTIVE:
        return
    if member.role == MemberRole.FAMILY and circle.group_chat_id is not None:
        await outbox.enqueue(
            session,
            key=key,
            kind=kind,
            chat_id=circle.group_chat_id,
            due_at=due_at or now,
            now=now,
            circle_id=circle.id,
            payload=payload,
        )
        return
    person = await session.get(Person, member.person_id)
    assert person is not None
    await tell_person(
        session,
        person,
        circle_id=circle.id,
        kind=kind,
        key=key,
        payload=payload,
        now=now,
        due_at=after_pause(member, due_at or now),
    )


def after_pause(member: Member, due_at: datetime) -> datetime:
    """A member who paused Kring's messages gets them when the pause is over."""
    return max(due_at, member.paused_until) if member.paused_until else due_at
