"""Help goes both ways (issue 22, point 4): the family records what they do for others, and a
network member or the young person thanks the family. The next check-in looks back on both.

What the family did is sealed free text for the family; the thanks is an audit event (ids only)
and one message to the family."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import AuditEvent, CheckinRound, GivenBack, Member, MemberRole, MemberStatus
from bot.services import audit, authz, checkins, notifications
from bot.services.authz import Action, Role

MAX_WHAT = 200
THANKED = "family.thanked"  # the audit event the look-back counts


async def others(session: AsyncSession, circle_id: int, *, person_id: int | None) -> list[Member]:
    """The people around the family the family may have helped (the network, active)."""
    await authz.authorize(session, person_id, circle_id, Action.RECORD_GIVING)
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.circle_id == circle_id,
                Member.role == MemberRole.NETWORK,
                Member.status == MemberStatus.ACTIVE,
            )
            .order_by(Member.id)
        )
    )


async def record(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int | None,
    what: str,
    for_member_id: int | None = None,
    for_name: str | None = None,
    now: datetime,
) -> GivenBack:
    access = await authz.authorize(session, person_id, circle_id, Action.RECORD_GIVING)
    assert access.member is not None
    if for_member_id is not None and for_member_id not in {
        m.id for m in await others(session, circle_id, person_id=person_id)
    }:
        raise authz.NoLongerPossible(Action.RECORD_GIVING)
    given = GivenBack(
        circle_id=circle_id,
        by_member_id=access.member.id,
        for_member_id=for_member_id,
        for_name=for_name if for_member_id is None else None,
        what=what,
        created_at=now,
    )
    session.add(given)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="giving.recorded",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="given_back",
        subject_id=given.id,
    )
    return given


async def thanker_role(session: AsyncSession, circle_id: int, *, person_id: int | None) -> Role:
    """Who is about to thank the family (the young person reads their own words)."""
    return (await authz.authorize(session, person_id, circle_id, Action.THANK_FAMILY)).role


@dataclass(frozen=True)
class Thanked:
    again: bool  # already thanked today: nothing sent twice


async def thank(session: AsyncSession, circle_id: int, *, person_id: int | None, now: datetime) -> Thanked:
    """Tell the family, once a day per person at most: a thank-you from a network member or the
    young person. Sent only because that person pressed."""
    access = await authz.authorize(session, person_id, circle_id, Action.THANK_FAMILY)
    assert access.member is not None
    zone = ZoneInfo(access.circle.time_zone)
    today = now.astimezone(zone).date()
    key = f"thanks:{access.member.id}:{today.isoformat()}"
    already = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == THANKED,
            AuditEvent.circle_id == circle_id,
            AuditEvent.subject_id == access.member.id,
            AuditEvent.at >= datetime.combine(today, time(0), tzinfo=zone),
        )
    )
    if already:
        return Thanked(again=True)
    audit.record(
        session,
        at=now,
        action=THANKED,
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=access.member.id,
    )
    await notifications.tell_family(
        session,
        access.circle,
        kind=DeliveryKind.FAMILY_THANKED,
        key=key,
        payload={"member_id": access.member.id},
        now=now,
    )
    return Thanked(again=False)


@dataclass(frozen=True)
class BothWays:
    given: int  # times the family did something for someone else
    thanks: int  # thank-yous the family got


async def since_last_checkin(session: AsyncSession, checkin: CheckinRound) -> BothWays:
    """For the check-in's look back: since the round before (or the last two weeks)."""
    previous = await checkins.previous_round(session, checkin)
    start = previous.occurs_at if previous else checkin.occurs_at - timedelta(days=14)
    return await since(session, checkin.circle_id, start, checkin.occurs_at)


async def since(session: AsyncSession, circle_id: int, start: datetime, end: datetime) -> BothWays:
    given = await session.scalar(
        select(func.count())
        .select_from(GivenBack)
        .where(GivenBack.circle_id == circle_id, GivenBack.created_at > start, GivenBack.created_at <= end)
    )
    thanks = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == THANKED,
            AuditEvent.circle_id == circle_id,
            AuditEvent.at > start,
            AuditEvent.at <= end,
        )
    )
    return BothWays(int(given or 0), int(thanks or 0))
