"""Felt support, measured as the literature describes it (Spilsbury & Korbin 2013): per kind of
support, whether one *felt* supported (perceived), and how often and from whom one got it (actual),
over a stated time frame (the weeks since the last review).

At each review moment every family member and, separately, the young person get the questions
privately. Each answers only for themselves; the answers are kept per review. "Hoe ging het?"
shows counts only: how many answers were yes, somewhat or no, never who gave which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    CheckinRound,
    Circle,
    FeltSupport,
    Member,
    MemberRole,
    MemberStatus,
    Person,
    SupportAnswer,
    SupportKind,
)
from bot.services import audit, authz, notifications
from bot.services.authz import Action

#: The kinds asked, in this order (company and keeping an eye are asked as one).
ASKED = (SupportKind.EMOTIONAL, SupportKind.PRACTICAL, SupportKind.ADVICE, SupportKind.COMPANY)
SOURCES = ("family", "friends", "neighbours", "network", "professional")
HOW_OFTEN = ("never", "once", "weekly", "more")
AFTER_REVIEW = timedelta(minutes=2)  # right after the review message, so it reads as part of it
GRACE = timedelta(days=3)  # a question held by a pause or quiet hours still comes this late
ASKED_ROLES = (MemberRole.FAMILY, MemberRole.YOUNG)


async def ask(session: AsyncSession, circle: Circle, checkin: CheckinRound, *, now: datetime) -> int:
    """At a review moment: the questions privately to each family member and the young person.
    Never in the family's group (each answers for themselves). Returns how many were queued."""
    due = checkin.occurs_at + AFTER_REVIEW
    queued = 0
    for member, person in await session.execute(
        select(Member, Person)
        .join(Person, Person.id == Member.person_id)
        .where(
            Member.circle_id == circle.id,
            Member.status == MemberStatus.ACTIVE,
            Member.role.in_(ASKED_ROLES),
        )
        .order_by(Member.id)
    ):
        at = max(due, now, member.paused_until or due)
        await notifications.tell_person(
            session,
            person,
            circle_id=circle.id,
            kind=DeliveryKind.SUPPORT_ASK,
            key=f"{DeliveryKind.SUPPORT_ASK}:{checkin.id}:m{member.id}",
            payload={"round_id": checkin.id, "member_id": member.id, "expires_at": (at + GRACE).isoformat()},
            now=now,
            due_at=at,
        )
        queued += 1
    return queued


@dataclass(frozen=True)
class Own:
    """One person's answers at one review, as their next screen needs them."""

    round_id: int
    member: Member
    weeks: int  # the time frame the questions name: the weeks between reviews
    answers: dict[SupportKind, SupportAnswer]

    @property
    def young(self) -> bool:
        return self.member.role == MemberRole.YOUNG

    def after(self, kind: SupportKind) -> SupportKind | None:
        """The kind asked after ``kind``; ``None`` at the end."""
        index = ASKED.index(kind) + 1
        return ASKED[index] if index < len(ASKED) else None


async def to_ask(session: AsyncSession, round_id: int | None, member_id: int | None) -> Own | None:
    """At send time: ``None`` when the round is gone or the member left (or changed role)."""
    checkin = await session.get(CheckinRound, round_id) if round_id is not None else None
    member = await session.get(Member, member_id) if member_id is not None else None
    if checkin is None or member is None or member.status != MemberStatus.ACTIVE or member.role not in ASKED_ROLES:
        return None
    return await _own(session, checkin, member)


async def _own(session: AsyncSession, checkin: CheckinRound, member: Member) -> Own:
    circle = await session.get_one(Circle, checkin.circle_id)
    answers = {
        a.kind: a
        for a in await session.scalars(
            select(SupportAnswer).where(SupportAnswer.round_id == checkin.id, SupportAnswer.member_id == member.id)
        )
    }
    return Own(checkin.id, member, circle.review_weeks, answers)


async def _mine(session: AsyncSession, round_id: int, person_id: int) -> tuple[CheckinRound, Member]:
    """The round and the person's own place in its circle; ``NotAllowed`` unless they may answer."""
    checkin = await session.get(CheckinRound, round_id)
    if checkin is None or not checkin.with_review:
        raise authz.NotAllowed(Action.ANSWER_SUPPORT)
    access = await authz.authorize(session, person_id, checkin.circle_id, Action.ANSWER_SUPPORT)
    assert access.member is not None  # every role allowed is a member
    return checkin, access.member


async def answer(
    session: AsyncSession,
    round_id: int,
    *,
    person_id: int,
    kind: SupportKind,
    felt: FeltSupport | None = None,
    how_often: str | None = None,
    source: str | None = None,
    now: datetime,
) -> Own:
    """One tap: how supported one felt (first), how often, or one source on or off. Each person
    answers only for themselves; answering again changes the answer."""
    checkin, member = await _mine(session, round_id, person_id)
    if kind not in ASKED or (how_often is not None and how_often not in HOW_OFTEN):
        raise authz.NoLongerPossible(kind)
    if source is not None and source not in SOURCES:
        raise authz.NoLongerPossible(source)
    given = await session.scalar(
        select(SupportAnswer).where(
            SupportAnswer.round_id == checkin.id, SupportAnswer.member_id == member.id, SupportAnswer.kind == kind
        )
    )
    if given is None:
        if felt is None:  # how often or from whom before the first question: a button from elsewhere
            raise authz.NoLongerPossible(kind)
        given = SupportAnswer(
            circle_id=checkin.circle_id,
            round_id=checkin.id,
            member_id=member.id,
            kind=kind,
            felt=felt,
            sources=[],
            answered_at=now,
        )
        session.add(given)
        audit.record(
            session,
            at=now,
            action="support.answered",
            actor_person_id=person_id,
            circle_id=checkin.circle_id,
            subject_type="checkin_round",
            subject_id=checkin.id,
        )
    if felt is not None:
        given.felt = felt
    if how_often is not None:
        given.how_often = how_often
        if how_often == "never":
            given.sources = []
    if source is not None:
        chosen = list(given.sources or [])
        given.sources = [s for s in chosen if s != source] if source in chosen else [*chosen, source]
    given.answered_at = now
    await session.flush()
    return await _own(session, checkin, member)


async def own(session: AsyncSession, round_id: int, *, person_id: int) -> Own:
    checkin, member = await _mine(session, round_id, person_id)
    return await _own(session, checkin, member)


# -- the trend in "Hoe ging het?" ---------------------------------------------------------------


@dataclass
class SupportRound:
    """One review's answers, counted: one answer is one kind of support of one person."""

    occurs_at: datetime
    family: Counter[FeltSupport] = field(default_factory=Counter)
    young: Counter[FeltSupport] = field(default_factory=Counter)
    #: Where the family's support came from (the young person's sources are not counted here).
    sources: Counter[str] = field(default_factory=Counter)
    #: How many of the family's answers got this kind of support weekly or more.
    weekly: int = 0


async def trend(session: AsyncSession, circle_id: int, since: datetime, until: datetime) -> list[SupportRound]:
    """Per review in the period (oldest first), the counts of the answers given."""
    rounds: dict[int, SupportRound] = {}
    for given, role, round_id, occurs_at in await session.execute(
        select(SupportAnswer, Member.role, CheckinRound.id, CheckinRound.occurs_at)
        .join(Member, Member.id == SupportAnswer.member_id)
        .join(CheckinRound, CheckinRound.id == SupportAnswer.round_id)
        .where(SupportAnswer.circle_id == circle_id, CheckinRound.occurs_at >= since, CheckinRound.occurs_at <= until)
        .order_by(CheckinRound.occurs_at, SupportAnswer.id)
    ):
        counted = rounds.setdefault(round_id, SupportRound(occurs_at))
        if role == MemberRole.YOUNG:
            counted.young[given.felt] += 1
            continue
        counted.family[given.felt] += 1
        counted.sources.update(given.sources or [])
        if given.how_often in ("weekly", "more"):
            counted.weekly += 1
    return list(rounds.values())


async def young_names(session: AsyncSession, circle_id: int) -> list[str]:
    """The young person's name in the circle (for the trend's label)."""
    return list(
        await session.scalars(
            select(Member.display_name).where(
                Member.circle_id == circle_id, Member.role == MemberRole.YOUNG, Member.status == MemberStatus.ACTIVE
            )
        )
    )
