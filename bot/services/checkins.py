"""Check-ins: a short "how is it going?" for the family, on the rhythm the coordinators chose.

Every check-in starts by looking back (domain rule 7): how people answered last time and how
the agreements went since. A "not good" answer contacts nobody (rule 5): it shows the family's
own plan for when things go wrong. If not everyone answered, one gentle reminder follows the next
day — to those who did not answer, and no more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    CheckinAnswer,
    CheckinAnswerKind,
    CheckinRound,
    Circle,
    Frequency,
    Member,
    MemberRole,
    MemberStatus,
    Outcome,
    Schedule,
    SchedulePurpose,
    WorryTrend,
)
from bot.services import audit, authz, network_reviews, notifications, safety_plan, support
from bot.services.authz import Action

REVIEW_CHOICES = (4, 6, 8, 12)  # weeks between looks at the plan; the circle's default is 6
GRACE = timedelta(hours=12)  # a check-in is still sent this late after downtime; later it is missed
NUDGE_AFTER = timedelta(days=1)
RHYTHMS = {"weekly": (Frequency.WEEKLY, 1), "biweekly": (Frequency.WEEKLY, 2), "monthly": (Frequency.MONTHLY, 1)}
DEFAULT_RHYTHM = "biweekly"


async def check_can_choose(session: AsyncSession, circle_id: int, person_id: int) -> None:
    """Raises ``NotAllowed`` unless the person may choose the circle's check-ins."""
    await authz.authorize(session, person_id, circle_id, Action.CHOOSE_CHECKIN)


@dataclass(frozen=True)
class Setting:
    """What /checkin shows first: the rhythm now (``None``: no fixed check-ins) and how often
    the plan is looked at."""

    rhythm: Schedule | None
    review_weeks: int


async def setting(session: AsyncSession, circle_id: int) -> Setting:
    circle = await session.get_one(Circle, circle_id)
    return Setting(await current_rhythm(session, circle_id), circle.review_weeks)


async def current_rhythm(session: AsyncSession, circle_id: int) -> Schedule | None:
    return await session.scalar(
        select(Schedule).where(
            Schedule.circle_id == circle_id, Schedule.purpose == SchedulePurpose.CHECKIN, Schedule.active
        )
    )


async def set_rhythm(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    rhythm: str | None,
    weekday: int | None,
    at_time: time | None,
    now: datetime,
) -> Schedule | None:
    """Coordinators choose (or stop) the check-in rhythm; the old one ends."""
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_CHECKIN)
    old = await current_rhythm(session, circle_id)
    if old is not None:
        old.active = False
    schedule = None
    if rhythm is not None:
        frequency, interval = RHYTHMS[rhythm]
        assert at_time is not None
        schedule = Schedule(
            circle_id=circle_id,
            purpose=SchedulePurpose.CHECKIN,
            frequency=frequency,
            interval=interval,
            weekday=weekday,
            day_of_month=1 if frequency == Frequency.MONTHLY else None,
            at_time=at_time,
            starts_on=now.astimezone(ZoneInfo(access.circle.time_zone)).date(),
            time_zone=access.circle.time_zone,
            active=True,
            created_at=now,
            planned_until=now,
            next_due_at=now,
        )
        session.add(schedule)
    audit.record(
        session,
        at=now,
        action="checkin.rhythm_set",
        actor_person_id=person_id,
        circle_id=circle_id,
        detail={"rhythm": rhythm or "off"},
    )
    return schedule


async def start_round(
    session: AsyncSession, circle: Circle, *, occurs_at: datetime, schedule_id: int | None, now: datetime
) -> CheckinRound | None:
    """Queue one check-in (and its one reminder); ``None`` if this moment was queued already."""
    exists = await session.scalar(
        select(CheckinRound.id).where(CheckinRound.circle_id == circle.id, CheckinRound.occurs_at == occurs_at)
    )
    if exists is not None:
        return None
    with_review = schedule_id is not None and await _review_due(session, circle, occurs_at)
    checkin = CheckinRound(
        circle_id=circle.id, schedule_id=schedule_id, occurs_at=occurs_at, with_review=with_review, created_at=now
    )
    session.add(checkin)
    await session.flush()
    moments = [(DeliveryKind.CHECKIN, occurs_at), (DeliveryKind.CHECKIN_NUDGE, occurs_at + NUDGE_AFTER)]
    if with_review:
        moments.append((DeliveryKind.REVIEW, occurs_at + timedelta(minutes=1)))  # right after the check-in
    for kind, due in moments:
        payload = {"round_id": checkin.id, "expires_at": (due + GRACE).isoformat()}
        if circle.group_chat_id is not None:
            await outbox.enqueue(
                session,
                key=f"{kind}:{checkin.id}",
                kind=kind,
                chat_id=circle.group_chat_id,
                due_at=max(due, now),
                now=now,
                circle_id=circle.id,
                payload=payload,
            )
        else:  # a family without a group: each family member privately
            for member in await family(session, circle.id):
                await notifications.tell_member(
                    session,
                    circle,
                    member.id,
                    kind=kind,
                    key=f"{kind}:{checkin.id}:m{member.id}",
                    payload=payload,
                    now=now,
                    due_at=max(due, now),
                )
    if with_review:  # felt support: each family member and the young person, privately
        await support.ask(session, circle, checkin, now=now)
    if with_review:  # the family may ask the network too (issue 23)
        await network_reviews.offer(session, circle, checkin, now=now)
    return checkin


async def _review_due(session: AsyncSession, circle: Circle, occurs_at: datetime) -> bool:
    """The first scheduled check-in at least ``review_weeks`` after the last review (or after the
    first scheduled check-in) looks at the plan too. A day's slack absorbs months and clock changes."""
    last = await session.scalar(
        select(func.max(CheckinRound.occurs_at)).where(CheckinRound.circle_id == circle.id, CheckinRound.with_review)
    )
    if last is None:
        last = await session.scalar(
            select(func.min(CheckinRound.occurs_at)).where(
                CheckinRound.circle_id == circle.id, CheckinRound.schedule_id.is_not(None)
            )
        )
    return review_due(last, circle.review_weeks, occurs_at)


def review_due(since: datetime | None, review_weeks: int, occurs_at: datetime) -> bool:
    """:func:`_review_due` once ``since`` (the last review, else the first scheduled check-in) is known."""
    return since is not None and occurs_at - since >= timedelta(weeks=review_weeks, days=-1)


async def set_review_weeks(session: AsyncSession, circle_id: int, *, person_id: int, weeks: int, now: datetime) -> None:
    if weeks not in REVIEW_CHOICES:
        raise authz.NoLongerPossible(weeks)
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_CHECKIN)
    access.circle.review_weeks = weeks
    audit.record(
        session,
        at=now,
        action="checkin.review_set",
        actor_person_id=person_id,
        circle_id=circle_id,
        detail={"weeks": weeks},
    )


async def start_now(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> CheckinRound | None:
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_CHECKIN)
    return await start_round(session, access.circle, occurs_at=now, schedule_id=None, now=now)


async def family(session: AsyncSession, circle_id: int) -> list[Member]:
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.circle_id == circle_id, Member.role == MemberRole.FAMILY, Member.status == MemberStatus.ACTIVE
            )
            .order_by(Member.id)
        )
    )


async def answer(
    session: AsyncSession, round_id: int, *, person_id: int, kind: CheckinAnswerKind, now: datetime
) -> CheckinAnswer:
    """A family member answers for themselves (again, if they change their mind)."""
    checkin = await session.get(CheckinRound, round_id)
    if checkin is None:
        raise authz.NotAllowed(Action.ANSWER_CHECKIN)
    access = await authz.authorize(session, person_id, checkin.circle_id, Action.ANSWER_CHECKIN)
    assert access.member is not None
    key = str(checkin.id)
    given = await session.scalar(
        select(CheckinAnswer).where(CheckinAnswer.member_id == access.member.id, CheckinAnswer.occurrence_key == key)
    )
    if given is None:
        given = CheckinAnswer(
            circle_id=checkin.circle_id, member_id=access.member.id, occurrence_key=key, answer=kind, answered_at=now
        )
        session.add(given)
    given.answer, given.answered_at = kind, now
    await session.flush()
    audit.record(
        session,
        at=now,
        action="checkin.answered",
        actor_person_id=person_id,
        circle_id=checkin.circle_id,
        subject_type="checkin_round",
        subject_id=checkin.id,
    )
    return given


@dataclass(frozen=True)
class Answered:
    """An answer as its reply shows it: who gave it, and the family's own plan for a hard moment."""

    answer: CheckinAnswer
    name: str
    steps: list[safety_plan.StepView]
    first: bool  # the circle's first check-in: there is no "last time" to compare with


async def answer_for(
    session: AsyncSession, round_id: int, *, person_id: int, kind: CheckinAnswerKind, now: datetime
) -> Answered:
    given = await answer(session, round_id, person_id=person_id, kind=kind, now=now)
    access = await authz.authorize(session, person_id, given.circle_id, Action.ANSWER_CHECKIN)
    assert access.member is not None
    steps = (await safety_plan.load(session, given.circle_id)).steps
    checkin = await session.get_one(CheckinRound, round_id)
    first = await previous_round(session, checkin) is None
    return Answered(given, access.member.display_name, steps, first)


async def current_round(session: AsyncSession, round_id: int | None) -> CheckinRound | None:
    """The round a delivery is about, unless its rhythm was changed or stopped since it was queued."""
    checkin = await session.get(CheckinRound, round_id) if round_id is not None else None
    if checkin is None or checkin.schedule_id is None:
        return checkin
    schedule = await session.get(Schedule, checkin.schedule_id)
    return checkin if schedule is not None and schedule.active else None


async def worry(
    session: AsyncSession, answer_id: int, *, person_id: int, trend: WorryTrend, now: datetime
) -> CheckinAnswer:
    given = await _own_answer(session, answer_id, person_id)
    given.worry_trend = trend
    return given


@dataclass(frozen=True)
class LookBack:
    """What the next check-in opens with."""

    answers: Counter[CheckinAnswerKind]
    no_answer: int  # family members who did not answer, leaving out those on a pause
    notes: list[tuple[str, str]]  # (name, what they wrote) — the family's own words, for the family
    outcomes: Counter[Outcome]
    first: bool


async def previous_round(session: AsyncSession, checkin: CheckinRound) -> CheckinRound | None:
    return await session.scalar(
        select(CheckinRound)
        .where(CheckinRound.circle_id == checkin.circle_id, CheckinRound.occurs_at < checkin.occurs_at)
        .order_by(CheckinRound.occurs_at.desc())
        .limit(1)
    )


async def look_back(session: AsyncSession, checkin: CheckinRound) -> LookBack:
    previous = await previous_round(session, checkin)
    since = previous.occurs_at if previous else checkin.occurs_at - timedelta(days=14)
    answers: Counter[CheckinAnswerKind] = Counter()
    notes: list[tuple[str, str]] = []
    no_answer = 0
    if previous is not None:
        given = list(
            await session.execute(
                select(CheckinAnswer, Member.display_name)
                .join(Member, Member.id == CheckinAnswer.member_id)
                .where(CheckinAnswer.occurrence_key == str(previous.id))
                .order_by(CheckinAnswer.answered_at)
            )
        )
        answers.update(answer.answer for answer, _name in given)
        notes = [(name, answer.note) for answer, name in given if answer.note]
        no_answer = len(await not_answered(session, previous, previous.occurs_at))
    outcomes: Counter[Outcome] = Counter(
        o.outcome
        for o in await session.scalars(
            select(AgreementOccurrence)
            .join(Agreement, Agreement.id == AgreementOccurrence.agreement_id)
            .where(
                Agreement.circle_id == checkin.circle_id,
                AgreementOccurrence.occurs_at > since,
                AgreementOccurrence.occurs_at <= checkin.occurs_at,
            )
        )
    )
    return LookBack(answers, no_answer, notes, outcomes, first=previous is None)


async def not_answered(session: AsyncSession, checkin: CheckinRound, now: datetime) -> list[Member]:
    """Family members who did not answer (people on a pause are left out)."""
    answered = set(
        await session.scalars(select(CheckinAnswer.member_id).where(CheckinAnswer.occurrence_key == str(checkin.id)))
    )
    return [
        m
        for m in await family(session, checkin.circle_id)
        if m.id not in answered and not (m.paused_until and m.paused_until > now)
    ]


MAX_NOTE = 500


async def add_note(session: AsyncSession, answer_id: int, *, person_id: int, text: str, now: datetime) -> CheckinAnswer:
    """A few words with one's own answer; the family reads them in the next look back."""
    given = await _own_answer(session, answer_id, person_id)
    given.note = text
    audit.record(
        session,
        at=now,
        action="checkin.note_added",
        actor_person_id=person_id,
        circle_id=given.circle_id,
        subject_type="checkin_answer",
        subject_id=given.id,
    )
    return given


async def own_answer_name(session: AsyncSession, answer_id: int, *, person_id: int) -> str:
    """The name the family gave the one who gave this answer; raises ``NotAllowed`` unless it is
    the person's own answer (before asking them for a note)."""
    given = await _own_answer(session, answer_id, person_id)
    return (await session.get_one(Member, given.member_id)).display_name


async def _own_answer(session: AsyncSession, answer_id: int, person_id: int) -> CheckinAnswer:
    given = await session.get(CheckinAnswer, answer_id)
    if given is None:
        raise authz.NotAllowed(Action.ANSWER_CHECKIN)
    await authz.authorize_own(session, person_id, given.circle_id, Action.ANSWER_CHECKIN, given.member_id)
    return given
