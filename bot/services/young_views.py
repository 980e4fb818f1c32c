"""The young person's say: what they think of an agreement, and whom they would (not) want in
the circle. Only the coordinators see it; the doer, the person marked, the network, the group and
the professional never do (SEE_YOUNG_VIEW is the coordinators' alone)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOpinion,
    Member,
    MemberRole,
    MemberStatus,
    PersonWish,
    YoungOpinion,
    YoungWish,
)
from bot.services import agreements, audit, authz, notifications
from bot.services.authz import Access, Action

#: Whom the young person can mark: who is in the circle, or invited to it.
MARKABLE = (MemberStatus.ACTIVE, MemberStatus.INVITED)


@dataclass(frozen=True)
class Said:
    """One young person's opinion, as a coordinator reads it."""

    young: str
    opinion: AgreementOpinion


# -- opinions on agreements -----------------------------------------------------------------


async def check_can_give(
    session: AsyncSession, agreement_id: int, *, person_id: int | None
) -> tuple[Access, Agreement]:
    """The young person, on an agreement they may see (else ``NotAllowed``)."""
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None:
        raise authz.NoLongerPossible(Action.GIVE_YOUNG_VIEW)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.GIVE_YOUNG_VIEW)
    if agreement.id not in {view.agreement.id for view in await agreements.visible_to(session, access)}:
        raise authz.NoLongerPossible(Action.GIVE_YOUNG_VIEW)  # family-only, ended, or not yet agreed
    return access, agreement


async def own_opinion(session: AsyncSession, agreement_id: int, young: Member) -> AgreementOpinion | None:
    return await session.scalar(
        select(YoungOpinion.opinion).where(
            YoungOpinion.agreement_id == agreement_id, YoungOpinion.young_member_id == young.id
        )
    )


async def give_opinion(
    session: AsyncSession, agreement_id: int, *, person_id: int, opinion: AgreementOpinion, now: datetime
) -> Agreement:
    """Store (or change) the opinion; the coordinators hear it privately when it changed."""
    access, agreement = await check_can_give(session, agreement_id, person_id=person_id)
    young = access.member
    assert young is not None
    said = await session.scalar(
        select(YoungOpinion).where(YoungOpinion.agreement_id == agreement.id, YoungOpinion.young_member_id == young.id)
    )
    if said is not None and said.opinion == opinion:
        return agreement  # pressed twice: nothing new to tell
    if said is None:
        said = YoungOpinion(
            circle_id=agreement.circle_id,
            agreement_id=agreement.id,
            young_member_id=young.id,
            opinion=opinion,
            updated_at=now,
        )
        session.add(said)
    else:
        said.opinion, said.updated_at = opinion, now
    await session.flush()
    await notifications.tell_coordinators(
        session,
        access.circle,
        kind=DeliveryKind.YOUNG_OPINION,
        key=f"young.opinion:{said.id}:{opinion.value}:{now.isoformat()}",
        payload={"opinion_id": said.id, "opinion": opinion.value, "at": now.isoformat()},
        now=now,
        except_person_id=person_id,
    )
    audit.record(
        session,
        at=now,
        action="young.opinion",
        actor_person_id=person_id,
        circle_id=agreement.circle_id,
        subject_type="agreement",
        subject_id=agreement.id,
    )
    return agreement


@dataclass(frozen=True)
class OpinionNotice:
    young: Member
    agreement: Agreement
    opinion: AgreementOpinion


async def opinion_notice(
    session: AsyncSession, opinion_id: object, opinion: object, at: object = None
) -> OpinionNotice | None:
    """What a coordinator's message is about (``None``: gone, or changed again since: only the
    newest press is told, even when an older one waited for the end of a pause)."""
    said = await session.get(YoungOpinion, opinion_id) if isinstance(opinion_id, int) else None
    if said is None or said.opinion.value != opinion or (at is not None and said.updated_at.isoformat() != at):
        return None  # a newer press sends its own message
    young = await session.get(Member, said.young_member_id)
    agreement = await session.get(Agreement, said.agreement_id)
    if young is None or agreement is None:
        return None
    return OpinionNotice(young, agreement, said.opinion)


async def opinions_seen_by(session: AsyncSession, access: Access) -> dict[int, list[Said]]:
    """Per agreement, the opinions this person may read: a coordinator all of them, the young
    person their own (for the ✓); anyone else nothing."""
    query = (
        select(YoungOpinion, Member)
        .join(Member, Member.id == YoungOpinion.young_member_id)
        .where(YoungOpinion.circle_id == access.circle.id, Member.status == MemberStatus.ACTIVE)
        .order_by(YoungOpinion.id)
    )
    if access.role == authz.Role.YOUNG and access.member is not None:
        query = query.where(YoungOpinion.young_member_id == access.member.id)
    elif access.role not in authz.RULES[Action.SEE_YOUNG_VIEW]:
        return {}
    found: dict[int, list[Said]] = defaultdict(list)
    for said, young in await session.execute(query):
        found[said.agreement_id].append(Said(young.display_name, said.opinion))
    return dict(found)


async def opinions_for(session: AsyncSession, circle_id: int, *, person_id: int | None) -> dict[int, list[Said]]:
    """:func:`opinions_seen_by` for a person (nothing outside the circle)."""
    try:
        access = await authz.authorize(session, person_id, circle_id, Action.VIEW_PLAN)
    except authz.NotAllowed:
        return {}
    return await opinions_seen_by(session, access)


# -- whom they would want in the circle -----------------------------------------------------


@dataclass(frozen=True)
class PeopleView:
    circle_id: int
    circle_name: str
    people: list[tuple[Member, PersonWish | None]]


async def people(session: AsyncSession, circle_id: int, *, person_id: int | None) -> PeopleView:
    """The young person's list: everyone in the circle or invited, but themselves, with their mark."""
    access = await authz.authorize(session, person_id, circle_id, Action.GIVE_YOUNG_VIEW)
    young = access.member
    assert young is not None
    members = await session.scalars(
        select(Member)
        .where(Member.circle_id == circle_id, Member.status.in_(MARKABLE), Member.id != young.id)
        .order_by(Member.id)
    )
    rows = await session.execute(
        select(YoungWish.member_id, YoungWish.wish).where(YoungWish.young_member_id == young.id)
    )
    wishes = {row.member_id: row.wish for row in rows}
    return PeopleView(circle_id, access.circle.name, [(m, wishes.get(m.id)) for m in members])


async def check_can_mark(session: AsyncSession, member_id: int, *, person_id: int | None) -> tuple[Member, Member]:
    """The young person and someone in their circle (not themselves); else ``NotAllowed``."""
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(Action.GIVE_YOUNG_VIEW)
    access = await authz.authorize(session, person_id, member.circle_id, Action.GIVE_YOUNG_VIEW)
    young = access.member
    assert young is not None
    if member.id == young.id or member.status not in MARKABLE:
        raise authz.NoLongerPossible(Action.GIVE_YOUNG_VIEW)
    return young, member


async def own_wish(session: AsyncSession, young: Member, member: Member) -> PersonWish | None:
    return await session.scalar(
        select(YoungWish.wish).where(YoungWish.young_member_id == young.id, YoungWish.member_id == member.id)
    )


async def mark(
    session: AsyncSession, member_id: int, *, person_id: int, wish: PersonWish | None, now: datetime
) -> Member:
    """Store the mark (``None``: "I don't know", which clears it). Nobody gets a message: the
    coordinators see it in /members when they look, the person marked never does."""
    young, member = await check_can_mark(session, member_id, person_id=person_id)
    found = await session.scalar(
        select(YoungWish).where(YoungWish.young_member_id == young.id, YoungWish.member_id == member.id)
    )
    if wish is None:
        if found is not None:
            await session.delete(found)
    elif found is None:
        session.add(
            YoungWish(
                circle_id=member.circle_id, member_id=member.id, young_member_id=young.id, wish=wish, updated_at=now
            )
        )
    else:
        found.wish, found.updated_at = wish, now
    audit.record(
        session,
        at=now,
        action="young.wish",
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=young.id,  # (whom it is about stays out of the trail: it outlives an erasure)
    )
    return member


async def wishes_for(
    session: AsyncSession, circle_id: int, *, person_id: int | None
) -> dict[int, list[tuple[str, PersonWish]]]:
    """Per member, the young people's marks, for a coordinator only (anyone else: nothing)."""
    try:
        access = await authz.authorize(session, person_id, circle_id, Action.SEE_YOUNG_VIEW)
    except authz.NotAllowed:
        return {}
    rows = await session.execute(
        select(YoungWish, Member)
        .join(Member, Member.id == YoungWish.young_member_id)
        .where(
            YoungWish.circle_id == access.circle.id,
            YoungWish.member_id != (access.member.id if access.member else None),  # never about oneself
            Member.status == MemberStatus.ACTIVE,
            Member.role == MemberRole.YOUNG,
        )
        .order_by(YoungWish.id)
    )
    found: dict[int, list[tuple[str, PersonWish]]] = defaultdict(list)
    for wish, young in rows:
        found[wish.member_id].append((young.display_name, wish.wish))
    return dict(found)
