"""The network asked too, at a review moment (issue 23).

Only when someone who runs the circle chooses it: each active network member is then asked
privately whether their part still works for them and whether they would rather do something
else. The answers are theirs; the family sees them only when the member shares them. The
professional never sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    CheckinRound,
    Circle,
    Member,
    MemberRole,
    MemberStatus,
    NetworkReview,
    StillWorks,
)
from bot.services import audit, authz, consent, notifications
from bot.services.authz import Action
from bot.services.consent import Consent

MAX_WORDS = 500
OFFER_AFTER = timedelta(minutes=2)  # right after the review message itself
OFFER_VALID = timedelta(days=2)
ASK_VALID = timedelta(days=7)  # a member who paused Kring's messages may still get it this late


async def network(session: AsyncSession, circle_id: int) -> list[Member]:
    """The network members who can be asked: active, with an account."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.circle_id == circle_id,
                Member.role == MemberRole.NETWORK,
                Member.status == MemberStatus.ACTIVE,
                Member.person_id.is_not(None),
            )
            .order_by(Member.id)
        )
    )


async def offer(session: AsyncSession, circle: Circle, review_round: CheckinRound, *, now: datetime) -> bool:
    """At a review moment: ask the family whether to ask the network too (nothing without a network)."""
    if not review_round.with_review or not await network(session, circle.id):
        return False
    due = max(review_round.occurs_at + OFFER_AFTER, now)
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.NETREVIEW_OFFER,
        key=f"netreview.offer:{review_round.id}",
        payload={"round_id": review_round.id, "expires_at": (due + OFFER_VALID).isoformat()},
        now=now,
        due_at=due,
    )
    return True


async def review_round(session: AsyncSession, round_id: int | None) -> CheckinRound | None:
    """The review moment, while it is the circle's latest one (an older offer is over)."""
    found = await session.get(CheckinRound, round_id) if round_id is not None else None
    if found is None or not found.with_review:
        return None
    latest = await session.scalar(
        select(CheckinRound.id)
        .where(CheckinRound.circle_id == found.circle_id, CheckinRound.with_review)
        .order_by(CheckinRound.occurs_at.desc())
        .limit(1)
    )
    return found if latest == found.id else None


async def already_asked(session: AsyncSession, round_id: int) -> list[Member]:
    return list(
        await session.scalars(
            select(Member)
            .join(NetworkReview, NetworkReview.member_id == Member.id)
            .where(NetworkReview.round_id == round_id)
            .order_by(Member.id)
        )
    )


@dataclass(frozen=True)
class Asked:
    """Who was asked (now, or already before by someone else)."""

    members: list[Member]
    before: bool


async def ask(session: AsyncSession, round_id: int, *, person_id: int, now: datetime) -> Asked:
    """A coordinator chose "yes": each network member gets the questions privately, once."""
    found = await review_round(session, round_id)
    if found is None:
        raise authz.NoLongerPossible("no review moment")
    await authz.authorize(session, person_id, found.circle_id, Action.ASK_NETWORK_REVIEW)
    before = await already_asked(session, found.id)
    if before:
        return Asked(before, before=True)
    circle = await session.get_one(Circle, found.circle_id)
    members = await network(session, circle.id)
    for member in members:
        review = NetworkReview(circle_id=circle.id, round_id=found.id, member_id=member.id, created_at=now)
        session.add(review)
        await session.flush()
        await notifications.tell_member(
            session,
            circle,
            member.id,
            kind=DeliveryKind.NETREVIEW,
            key=f"netreview:{review.id}",
            payload={"review_id": review.id, "expires_at": (now + ASK_VALID).isoformat()},
            now=now,
        )
    audit.record(
        session,
        at=now,
        action="network_review.asked",
        actor_person_id=person_id,
        circle_id=circle.id,
        subject_type="checkin_round",
        subject_id=found.id,
        detail={"members": len(members)},
    )
    return Asked(members, before=False)


async def decline(session: AsyncSession, round_id: int, *, person_id: int, now: datetime) -> None:
    """A coordinator chose "not now": nobody is asked."""
    found = await review_round(session, round_id)
    if found is None:
        raise authz.NoLongerPossible("no review moment")
    await authz.authorize(session, person_id, found.circle_id, Action.ASK_NETWORK_REVIEW)
    audit.record(
        session,
        at=now,
        action="network_review.not_asked",
        actor_person_id=person_id,
        circle_id=found.circle_id,
        subject_type="checkin_round",
        subject_id=found.id,
    )


# -- the member answers -----------------------------------------------------------------------


@dataclass(frozen=True)
class ToAsk:
    """A member's review as they see it."""

    review: NetworkReview
    member: Member
    circle: Circle


async def to_ask(session: AsyncSession, review_id: int | None) -> ToAsk | None:
    """``None`` when it is no longer to be asked: answered already, or the member is gone."""
    review = await session.get(NetworkReview, review_id) if review_id is not None else None
    if review is None or review.answered_at is not None:
        return None
    member = await session.get(Member, review.member_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        return None
    return ToAsk(review, member, await session.get_one(Circle, review.circle_id))


async def own(session: AsyncSession, review_id: int, person_id: int) -> tuple[NetworkReview, Member]:
    """The member's own review; anyone else's is refused."""
    review = await session.get(NetworkReview, review_id)
    if review is None:
        raise authz.NotAllowed(Action.ANSWER_NETWORK_REVIEW)
    member = await authz.authorize_own(
        session, person_id, review.circle_id, Action.ANSWER_NETWORK_REVIEW, review.member_id
    )
    return review, member


async def answer(
    session: AsyncSession, review_id: int, *, person_id: int, still_works: StillWorks, now: datetime
) -> NetworkReview:
    review, _member = await own(session, review_id, person_id)
    review.still_works, review.answered_at = still_works, review.answered_at or now
    audit.record(
        session,
        at=now,
        action="network_review.answered",
        actor_person_id=person_id,
        circle_id=review.circle_id,
        subject_type="network_review",
        subject_id=review.id,
    )
    return review


async def rather_else(
    session: AsyncSession, review_id: int, *, person_id: int, text: str, now: datetime
) -> NetworkReview:
    """Their own words: private until they share them."""
    review, _member = await own(session, review_id, person_id)
    if review.still_works is None:
        raise authz.NoLongerPossible("not answered")
    review.rather_else, review.shared = text, False
    return review


async def share(session: AsyncSession, review_id: int, *, person_id: int, shared: bool, now: datetime) -> NetworkReview:
    """The member's choice. Sharing tells the family once; not sharing tells nobody anything."""
    review, _member = await own(session, review_id, person_id)
    if review.still_works is None:
        raise authz.NoLongerPossible("not answered")
    review.shared = shared
    consent.record(
        session,
        at=now,
        person_id=person_id,
        circle_id=review.circle_id,
        what=Consent.NETWORK_ANSWERS,
        given=shared,
        subject=("network_review", review.id),
    )
    if shared:
        circle = await session.get_one(Circle, review.circle_id)
        await notifications.tell_family(  # the outbox's key makes a second "yes" tell nobody twice
            session,
            circle,
            kind=DeliveryKind.NETREVIEW_SHARED,
            key=f"netreview.shared:{review.id}",
            payload={"review_id": review.id},
            now=now,
        )
    return review


# -- what the family sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """One member's review as the family may see it."""

    name: str
    still_works: StillWorks
    rather_else: str | None


async def shared_review(session: AsyncSession, review_id: int | None) -> Shared | None:
    """``None`` unless the member (still in the circle) shares it."""
    review = await session.get(NetworkReview, review_id) if review_id is not None else None
    if review is None or not review.shared or review.still_works is None:
        return None
    member = await session.get(Member, review.member_id)
    if member is None or member.status != MemberStatus.ACTIVE:
        return None
    return Shared(member.display_name, review.still_works, review.rather_else)


async def shared_with_family(session: AsyncSession, round_id: int) -> list[Shared]:
    """What the network shared at this review moment (for the family's look at the plan)."""
    rows = await session.execute(
        select(NetworkReview, Member)
        .join(Member, Member.id == NetworkReview.member_id)
        .where(
            NetworkReview.round_id == round_id,
            NetworkReview.shared,
            NetworkReview.still_works.is_not(None),
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(Member.id)
    )
    return [
        Shared(member.display_name, review.still_works, review.rather_else)
        for review, member in rows
        if review.still_works is not None
    ]


async def own_reviews(session: AsyncSession, member_ids: list[int]) -> list[NetworkReview]:
    """A person's own answers, for /mydata."""
    return list(
        await session.scalars(
            select(NetworkReview).where(NetworkReview.member_id.in_(member_ids)).order_by(NetworkReview.created_at)
        )
    )
