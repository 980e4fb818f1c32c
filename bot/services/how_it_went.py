"""How it went, the last three months: the family's check-in answers over time and what became of
the agreements (done, taken over by the backup, not done). For coordinators, to look back
together at a review moment. Counts only: no notes, no names of who answered what."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    CheckinAnswer,
    CheckinAnswerKind,
    CheckinRound,
    Member,
    Outcome,
)
from bot.services import support
from bot.services.authz import Access
from bot.services.checkins import not_answered
from bot.services.support import SupportRound

PERIOD = timedelta(weeks=13)
STILL_OPEN = timedelta(days=1)


@dataclass(frozen=True)
class Round:
    occurs_at: datetime
    answers: Counter[CheckinAnswerKind]
    no_answer: int


@dataclass(frozen=True)
class AgreementResult:
    doer: str
    what: str
    done: int
    by_backup: int
    not_done: int
    unknown: int  # nobody said whether it happened


@dataclass(frozen=True)
class HowItWent:
    circle_name: str
    since: datetime
    until: datetime
    rounds: list[Round]
    agreements: list[AgreementResult]
    #: Felt support per review (counts only), next to what was done.
    support: list[SupportRound] = field(default_factory=list)
    #: The young person's name, for their own row in the trend.
    young: list[str] = field(default_factory=list)


async def collect(session: AsyncSession, access: Access, now: datetime) -> HowItWent:
    """For a coordinator (authorised by the caller): the circle's last three months, or since the
    circle began when that is later (a period before it would look like months of silence)."""
    circle_id, since = access.circle.id, max(now - PERIOD, access.circle.created_at)
    rounds = []
    for checkin in await session.scalars(
        select(CheckinRound)
        .where(CheckinRound.circle_id == circle_id, CheckinRound.occurs_at >= since, CheckinRound.occurs_at <= now)
        .order_by(CheckinRound.occurs_at)
    ):
        answers = Counter(
            await session.scalars(select(CheckinAnswer.answer).where(CheckinAnswer.occurrence_key == str(checkin.id)))
        )
        if checkin.occurs_at > now - STILL_OPEN:  # people may still answer: nobody counts as "no answer" yet
            if answers:
                rounds.append(Round(checkin.occurs_at, answers, 0))
            continue
        missing = [
            m
            for m in await not_answered(session, checkin, checkin.occurs_at)
            if m.joined_at is None or m.joined_at <= checkin.occurs_at
        ]  # not who joined later
        rounds.append(Round(checkin.occurs_at, answers, len(missing)))
    results: dict[int, tuple[Agreement, str, Counter[Outcome]]] = {}
    for occurrence, agreement, doer in await session.execute(
        select(AgreementOccurrence, Agreement, Member.display_name)
        .join(Agreement, Agreement.id == AgreementOccurrence.agreement_id)
        .join(Member, Member.id == Agreement.doer_member_id)
        .where(
            Agreement.circle_id == circle_id,
            AgreementOccurrence.occurs_at >= since,
            AgreementOccurrence.occurs_at <= now,
        )
        .order_by(Agreement.id)
    ):
        if occurrence.outcome == Outcome.PENDING and occurrence.occurs_at > now - STILL_OPEN:
            continue  # today's: the doer may still say how it went
        results.setdefault(agreement.id, (agreement, doer, Counter()))[2][occurrence.outcome] += 1
    return HowItWent(
        access.circle.name,
        since,
        now,
        rounds,
        [
            AgreementResult(
                doer,
                agreement.what,
                done=counts[Outcome.DONE],
                by_backup=counts[Outcome.BACKUP_DONE],
                not_done=counts[Outcome.NOT_DONE] + counts[Outcome.BACKUP_CANT],
                unknown=counts[Outcome.PENDING],
            )
            for agreement, doer, counts in results.values()
        ],
        await support.trend(session, circle_id, since, now),
        await support.young_names(session, circle_id),
    )
