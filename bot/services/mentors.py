"""The young person's trusted adult ("vertrouwenspersoon", as in the JIM approach): proposed by the
young person, agreed by the parents, then invited and confirmed like anyone else.

Nothing reaches the proposed mentor before the parents say yes: until then the proposal is only a
``proposed`` member row without a person, and only the coordinators hear of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Member, MemberRole, MemberStatus
from bot.services import audit, authz, joining, notifications
from bot.services.authz import Action

MAX_REASON = 200


async def active_mentor(session: AsyncSession, young: Member) -> Member | None:
    """The young person's trusted adult, once they are in the circle (``None`` before that)."""
    return await session.scalar(
        select(Member)
        .where(Member.mentor_of_member_id == young.id, Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id.desc())
        .limit(1)
    )


async def open_proposal(session: AsyncSession, young: Member) -> Member | None:
    """The proposal the parents have not decided on yet, if any."""
    return await session.scalar(
        select(Member)
        .where(Member.mentor_of_member_id == young.id, Member.status == MemberStatus.PROPOSED)
        .order_by(Member.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class Before:
    """What the young person is told before they propose someone."""

    waiting: str | None  # the name the parents are still deciding on
    mentor: str | None  # their trusted adult now


async def _young(session: AsyncSession, circle_id: int, person_id: int | None) -> Member:
    access = await authz.authorize(session, person_id, circle_id, Action.PROPOSE_MENTOR)
    assert access.member is not None  # only a member has the young person's role
    return access.member


async def check_can_propose(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    await _young(session, circle_id, person_id)


async def before_proposing(session: AsyncSession, circle_id: int, *, person_id: int | None) -> Before:
    young = await _young(session, circle_id, person_id)
    waiting, mentor = await open_proposal(session, young), await active_mentor(session, young)
    return Before(
        waiting.display_name if waiting is not None else None, mentor.display_name if mentor is not None else None
    )


async def propose(
    session: AsyncSession, circle_id: int, *, person_id: int, name: str, reason: str | None, now: datetime
) -> Member:
    """The young person proposes someone; each coordinator is asked privately. One open proposal
    at a time: a new one takes the open one back (its question may never have reached a parent),
    and the person first proposed still hears nothing."""
    access = await authz.authorize(session, person_id, circle_id, Action.PROPOSE_MENTOR)
    young = access.member
    assert young is not None
    earlier = await session.scalar(
        select(Member).where(Member.mentor_of_member_id == young.id, Member.status == MemberStatus.PROPOSED)
    )
    if earlier is not None:  # its buttons no longer work (the status is checked on every press)
        earlier.status, earlier.proposal_reason = MemberStatus.REFUSED, None
        audit.record(
            session,
            at=now,
            action="mentor.withdrawn",
            actor_person_id=person_id,
            circle_id=circle_id,
            subject_type="member",
            subject_id=earlier.id,
        )
    proposed = Member(
        circle_id=circle_id,
        display_name=name,
        role=MemberRole.NETWORK,
        is_coordinator=False,
        status=MemberStatus.PROPOSED,
        mentor_of_member_id=young.id,
        proposal_reason=reason or None,
        created_at=now,
    )
    session.add(proposed)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="mentor.proposed",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=proposed.id,
        detail={"young_member_id": young.id},
    )
    await notifications.tell_coordinators(
        session,
        access.circle,
        kind=DeliveryKind.MENTOR_PROPOSED,
        key=f"mentor.proposed:{proposed.id}",
        payload={"member_id": proposed.id},
        now=now,
    )
    return proposed


@dataclass(frozen=True)
class Decided:
    mentor: Member
    young: Member
    agreed: bool


async def decide(session: AsyncSession, member_id: int, *, person_id: int, agree: bool, now: datetime) -> Decided:
    """A coordinator's yes or no; the first answer decides (``NoLongerPossible`` after that). The
    young person hears it; the mentor hears nothing unless the young person sends them a link."""
    proposed = await session.get(Member, member_id, with_for_update=True)  # two parents at once: one decides
    if proposed is None:
        raise authz.NoLongerPossible(Action.DECIDE_MENTOR)
    access = await authz.authorize(session, person_id, proposed.circle_id, Action.DECIDE_MENTOR)
    young = await session.get(Member, proposed.mentor_of_member_id) if proposed.mentor_of_member_id else None
    if proposed.status != MemberStatus.PROPOSED or young is None or young.status != MemberStatus.ACTIVE:
        raise authz.NoLongerPossible(Action.DECIDE_MENTOR)
    proposed.status = MemberStatus.INVITED if agree else MemberStatus.REFUSED
    proposed.proposal_reason = None  # it was for the parents' decision only
    audit.record(
        session,
        at=now,
        action="mentor.agreed" if agree else "mentor.refused",
        actor_person_id=person_id,
        circle_id=proposed.circle_id,
        subject_type="member",
        subject_id=proposed.id,
        detail={"young_member_id": young.id},
    )
    kind = DeliveryKind.MENTOR_AGREED if agree else DeliveryKind.MENTOR_REFUSED
    await notifications.tell_member(
        session,
        access.circle,
        young.id,
        kind=kind,
        key=f"{kind.value}:{proposed.id}",
        payload={"member_id": proposed.id},
        now=now,
    )
    return Decided(proposed, young, agree)


async def link(session: AsyncSession, member_id: int, *, person_id: int, now: datetime) -> tuple[Member, str]:
    """The young person's own link for the mentor the parents agreed to (made when asked, never
    stored); any older link for them stops working."""
    mentor = await session.get(Member, member_id)
    if mentor is None or mentor.mentor_of_member_id is None:
        raise authz.NoLongerPossible(Action.PROPOSE_MENTOR)
    young = await _young(session, mentor.circle_id, person_id)
    if young.id != mentor.mentor_of_member_id:
        raise authz.NotAllowed(Action.PROPOSE_MENTOR)
    if mentor.status != MemberStatus.INVITED:
        raise authz.NoLongerPossible(Action.PROPOSE_MENTOR)
    await joining.revoke_open_links(session, mentor.id, by_person_id=person_id, now=now)
    token = await joining.link_for(session, mentor, person_id=person_id, now=now, action="mentor.invited")
    return mentor, token


async def forget_choices(session: AsyncSession, young: Member) -> None:
    """The young person is erased: whom they proposed (and why) goes with them, unless that
    person has joined the circle in their own right."""
    for proposed in await session.scalars(
        select(Member).where(Member.mentor_of_member_id == young.id, Member.person_id.is_(None))
    ):
        await session.delete(proposed)
