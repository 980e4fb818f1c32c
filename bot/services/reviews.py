"""Looking back together (issue 23): at a review moment the family answers a few questions (what
went well, what they are proud of, what should change, what they need most) and says per agreement
keep / change / stop; at the end of the follow-up: "waar staan we nu?". The answers are kept with
the plan (`ReviewAnswer`, `AgreementReview`); /plan shows what the family is proud of and keeps doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    AgreementReview,
    AgreementStatus,
    AgreementVerdict,
    CheckinRound,
    ReviewAnswer,
    ReviewTopic,
)
from bot.services import agreements, audit, authz
from bot.services.agreements import AgreementView
from bot.services.authz import Access, Action, Role

MAX_TEXT = 500
#: The questions of a review moment, in order; ``AGREEMENTS`` marks where each agreement is asked.
AGREEMENTS = "agreements"
REVIEW_ORDER: tuple[str, ...] = (
    ReviewTopic.WENT_WELL,
    ReviewTopic.PROUD,
    ReviewTopic.CHANGE,
    AGREEMENTS,
    ReviewTopic.NEED_MOST,
)
#: The questions at the end of the follow-up period.
END_ORDER = (ReviewTopic.WHERE_NOW, ReviewTopic.PROUD, ReviewTopic.KEEP_DOING)
#: How many answers per topic /plan shows (the newest).
IN_PLAN = 3


async def reviewer(session: AsyncSession, circle_id: int | None, *, person_id: int | None) -> Access:
    """A family member of this circle (``NotAllowed`` otherwise)."""
    access = await authz.authorize(session, person_id, circle_id, Action.ANSWER_REVIEW)
    if access.member is None:
        raise authz.NotAllowed(Action.ANSWER_REVIEW)
    return access


async def review_round(session: AsyncSession, round_id: int) -> CheckinRound:
    """The check-in round that carries a review moment (``NotAllowed`` for any other)."""
    checkin = await session.get(CheckinRound, round_id)
    if checkin is None or not checkin.with_review:
        raise authz.NotAllowed(Action.ANSWER_REVIEW)
    return checkin


@dataclass(frozen=True)
class Started:
    circle_id: int
    round_id: int | None
    #: The items to ask: topic values, and ``a:<agreement id>`` for each agreement.
    items: list[str]


async def start(
    session: AsyncSession, *, person_id: int, round_id: int | None = None, circle_id: int | None = None
) -> Started:
    """What this family member is asked: a review moment (``round_id``) or the end of the
    follow-up (``circle_id``). Only who runs the circle is asked about the agreements (only they
    can change or stop one)."""
    if round_id is not None:
        circle_id = (await review_round(session, round_id)).circle_id
    access = await reviewer(session, circle_id, person_id=person_id)
    if round_id is None:
        return Started(access.circle.id, None, [t.value for t in END_ORDER])
    items: list[str] = []
    for item in REVIEW_ORDER:
        if item != AGREEMENTS:
            items.append(str(item))
        elif access.role == Role.COORDINATOR:
            items += [f"a:{view.agreement.id}" for view in await to_review(session, access)]
    return Started(access.circle.id, round_id, items)


async def to_review(session: AsyncSession, access: Access) -> list[AgreementView]:
    """The agreements that run now (active or paused)."""
    return [
        view
        for view in await agreements.visible_to(session, access)
        if view.agreement.status in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED)
    ]


async def keep(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    round_id: int | None,
    topic: ReviewTopic,
    text: str,
    now: datetime,
) -> ReviewAnswer:
    """One answer in the person's own words; a second answer to the same question replaces it."""
    access = await reviewer(session, circle_id, person_id=person_id)
    assert access.member is not None
    same = [ReviewAnswer.circle_id == circle_id, ReviewAnswer.member_id == access.member.id]
    same.append(ReviewAnswer.topic == topic)
    same.append(ReviewAnswer.round_id == round_id if round_id is not None else ReviewAnswer.round_id.is_(None))
    await session.execute(delete(ReviewAnswer).where(*same))
    answer = ReviewAnswer(
        circle_id=circle_id, round_id=round_id, member_id=access.member.id, topic=topic, text=text, created_at=now
    )
    session.add(answer)
    audit.record(
        session,
        at=now,
        action="review.answered",
        actor_person_id=person_id,
        circle_id=circle_id,
        detail={"topic": topic.value, "round_id": round_id},
    )
    return answer


async def agreement(session: AsyncSession, agreement_id: int, *, person_id: int) -> AgreementView:
    """An agreement this person may keep, change or stop (who runs the circle)."""
    view = await agreements.check_can_change(session, agreement_id, person_id=person_id)
    if view.agreement.status not in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED):
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    return view


async def judge(
    session: AsyncSession,
    agreement_id: int,
    *,
    person_id: int,
    round_id: int,
    verdict: AgreementVerdict,
    now: datetime,
) -> AgreementReview:
    """Keep, change or stop, one tap; a stop ends the agreement (the caller asked to confirm)."""
    view = await agreement(session, agreement_id, person_id=person_id)
    if (await review_round(session, round_id)).circle_id != view.agreement.circle_id:
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    access = await reviewer(session, view.agreement.circle_id, person_id=person_id)
    assert access.member is not None
    review = await session.scalar(
        select(AgreementReview).where(
            AgreementReview.round_id == round_id, AgreementReview.agreement_id == agreement_id
        )
    )
    if review is None:
        review = AgreementReview(
            circle_id=view.agreement.circle_id, round_id=round_id, agreement_id=agreement_id, created_at=now
        )
        session.add(review)
    review.member_id = access.member.id
    review.verdict = verdict
    review.created_at = now
    if verdict == AgreementVerdict.STOP:
        await agreements.change(session, agreement_id, person_id=person_id, change="end", now=now)
    audit.record(
        session,
        at=now,
        action="review.agreement",
        actor_person_id=person_id,
        circle_id=view.agreement.circle_id,
        detail={"agreement_id": agreement_id, "verdict": verdict.value, "round_id": round_id},
    )
    return review


async def to_change(session: AsyncSession, round_id: int, *, person_id: int) -> list[AgreementView]:
    """The agreements this person said should change at this review, still open to change."""
    ids = await session.scalars(
        select(AgreementReview.agreement_id).where(
            AgreementReview.round_id == round_id, AgreementReview.verdict == AgreementVerdict.CHANGE
        )
    )
    views = []
    for agreement_id in ids:
        try:
            views.append(await agreement(session, agreement_id, person_id=person_id))
        except authz.NotAllowed:
            continue
    return views


@dataclass(frozen=True)
class InPlan:
    """What the family is proud of and keeps doing, newest first, for /plan."""

    proud: list[str]
    keep_doing: list[str]


async def in_plan(session: AsyncSession, access: Access) -> InPlan:
    """Their own words: the family sees them (not the network, not the young person)."""
    if not access.is_family:
        return InPlan([], [])

    async def newest(topic: ReviewTopic) -> list[str]:
        texts = await session.scalars(
            select(ReviewAnswer.text)
            .where(ReviewAnswer.circle_id == access.circle.id, ReviewAnswer.topic == topic)
            .order_by(ReviewAnswer.created_at.desc(), ReviewAnswer.id.desc())
            .limit(IN_PLAN)
        )
        return [t for t in texts if t]

    return InPlan(await newest(ReviewTopic.PROUD), await newest(ReviewTopic.KEEP_DOING))
