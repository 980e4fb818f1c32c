"""The pulse ("de cijfers"): how the former professional still keeps in touch, transparent to
the family.

Only if the family chose it, only during the follow-up period, and only activity: how many
check-ins were answered, how the answers went (counts), how many agreements were done, not done or
not answered (apart, so silence never reads as failure). Never free text, never names. The family
sees each pulse exactly as it is sent (domain rules 6 and 12). The family is asked once, after
it first chose its check-ins: not in the first minute, when it knows nothing of Kring yet."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AuditEvent,
    CheckinAnswer,
    CheckinRound,
    Circle,
    Frequency,
    Outcome,
    Person,
    Professional,
    ProfessionalStatus,
    Schedule,
    SchedulePurpose,
)
from bot.services import audit, authz, consent, network_checkins, notifications
from bot.services.authz import Action
from bot.services.consent import Consent

CHOICES = (2, 4)  # weeks; 2 is the suggestion
AT = time(10, 0)
GRACE = timedelta(days=2)


@dataclass(frozen=True)
class Stats:
    """What a pulse holds. Nothing else ever goes to the professional."""

    checkins: int
    answers: int
    good: int
    so_so: int
    not_good: int
    want_to_talk: int
    kept: int
    not_done: int = 0
    no_answer: int = 0  # agreements nobody said anything about: not the same as not done
    network_answers: int = 0  # check-ins answered by network members: a count, never the answers
    #: Queued before "not done" and "no answer" were counted apart: the two together.
    not_kept: int | None = None

    def as_payload(self) -> dict[str, int | None]:
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Stats:
        return cls(**payload)


async def current(session: AsyncSession, circle_id: int) -> Schedule | None:
    return await session.scalar(
        select(Schedule).where(
            Schedule.circle_id == circle_id, Schedule.purpose == SchedulePurpose.PULSE, Schedule.active
        )
    )


@dataclass(frozen=True)
class Offer:
    """What /pulse asks about: the circle's professional (``None``: none any more) and the rhythm now."""

    professional: Professional | None
    schedule: Schedule | None


async def offer(session: AsyncSession, circle_id: int, *, person_id: int | None) -> Offer:
    """Raises ``NotAllowed`` unless the person may choose the pulse."""
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_PULSE)
    professional_id = access.circle.professional_id
    professional = await session.get(Professional, professional_id) if professional_id else None
    return Offer(professional, await current(session, circle_id))


#: Recorded when the family was asked, so it is asked once (and never after it chose).
OFFERED = "pulse.offered"


async def first_offer(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> Offer | None:
    """The question about the figures, the first time a coordinator has chosen the check-ins;
    ``None`` when it was asked or chosen before, or there is no professional (any more)."""
    asked = await session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.circle_id == circle_id,
            AuditEvent.action.in_(
                (OFFERED, f"consent.{Consent.PULSE.value}.given", f"consent.{Consent.PULSE.value}.withdrawn")
            ),
        )
        .limit(1)
    )
    if asked is not None:
        return None
    offered = await offer(session, circle_id, person_id=person_id)
    if offered.professional is None:
        return None
    audit.record(session, at=now, action=OFFERED, actor_person_id=person_id, circle_id=circle_id)
    return offered


async def find_circle(session: AsyncSession, circle_id: int | None) -> Circle | None:
    return await session.get(Circle, circle_id) if circle_id is not None else None


async def find_professional(session: AsyncSession, professional_id: int | None) -> Professional | None:
    return await session.get(Professional, professional_id) if professional_id is not None else None


async def choose(
    session: AsyncSession, circle_id: int, *, person_id: int, weeks: int | None, now: datetime
) -> Schedule | None:
    """Coordinators switch the pulse on (every ``weeks``) or off; the professional hears of a change."""
    if weeks is not None and weeks not in CHOICES:
        raise authz.NoLongerPossible(weeks)
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_PULSE)
    circle = access.circle
    old = await current(session, circle_id)
    if old is not None:
        old.active = False
    schedule = None
    if weeks is not None:
        tz = ZoneInfo(circle.time_zone)
        today = now.astimezone(tz).date()
        schedule = Schedule(
            circle_id=circle_id,
            purpose=SchedulePurpose.PULSE,
            frequency=Frequency.WEEKLY,
            interval=weeks,
            weekday=today.weekday(),
            at_time=AT,
            starts_on=today + timedelta(weeks=weeks),
            time_zone=circle.time_zone,
            active=True,
            created_at=now,
            planned_until=now,
            next_due_at=now,
        )
        session.add(schedule)
    if (old is None) != (schedule is None) and circle.professional_id is not None:
        professional = await session.get(Professional, circle.professional_id)
        person = await session.get(Person, professional.person_id) if professional and professional.person_id else None
        if person is not None:
            await notifications.tell_person(
                session,
                person,
                circle_id=circle_id,
                kind=DeliveryKind.PULSE_SWITCHED,
                key=f"pulse.switched:{circle_id}:{now.isoformat()}",
                payload={"on": schedule is not None},
                now=now,
            )
    consent.record(
        session,
        at=now,
        person_id=person_id,
        circle_id=circle_id,
        what=Consent.PULSE,
        given=weeks is not None,
        detail={"weeks": weeks or 0},
    )
    return schedule


async def still_wanted(session: AsyncSession, circle: Circle, professional: Professional, delivery: Any) -> bool:
    """At send time: the family still wants it, and the professional is still theirs (a last
    pulse goes out after the professional was detached, so it only needs them active)."""
    if professional.status != ProfessionalStatus.ACTIVE or professional.person_id != delivery.person_id:
        return False
    if delivery.payload.get("last"):
        return True
    schedule = await session.get(Schedule, delivery.payload.get("schedule_id"))
    return schedule is not None and schedule.active and circle.professional_id == professional.id


async def to_send(
    session: AsyncSession, circle_id: int | None, professional_id: int | None, delivery: Any
) -> tuple[Circle, Professional] | None:
    """The circle and professional of a pulse at send time; ``None`` when switched off, the
    professional removed, or the follow-up over since it was queued."""
    found, to = await find_circle(session, circle_id), await find_professional(session, professional_id)
    if found is None or to is None or not await still_wanted(session, found, to, delivery):
        return None
    return found, to


async def queue(
    session: AsyncSession,
    circle: Circle,
    schedule: Schedule,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    key: str,
    last: bool = False,
) -> None:
    """One pulse to the professional for ``since``–``until``; the family's copy follows when it is sent."""
    if circle.professional_id is None:
        return
    professional = await session.get(Professional, circle.professional_id)
    if professional is None or professional.person_id is None:
        return
    person = await session.get_one(Person, professional.person_id)
    await outbox.enqueue(
        session,
        key=key,
        kind=DeliveryKind.PULSE,
        chat_id=person.telegram_user_id,
        due_at=max(until, now),
        now=now,
        person_id=person.id,
        circle_id=circle.id,
        payload={
            "since": max(since, schedule.created_at).isoformat(),
            "until": until.isoformat(),
            "professional_id": professional.id,
            "schedule_id": schedule.id,
            "expires_at": (until + GRACE).isoformat(),
            "last": last,
        },
    )


async def stats(session: AsyncSession, circle_id: int, since: datetime, until: datetime) -> Stats:
    """Activity from ``since`` up to (not including) ``until``."""
    rounds = list(
        await session.scalars(
            select(CheckinRound.id).where(
                CheckinRound.circle_id == circle_id, CheckinRound.occurs_at >= since, CheckinRound.occurs_at < until
            )
        )
    )
    answers: Counter[str] = Counter()
    answered_rounds = 0
    if rounds:
        keys = [str(r) for r in rounds]
        answers.update(
            a.value
            for a in await session.scalars(
                select(CheckinAnswer.answer).where(
                    CheckinAnswer.circle_id == circle_id, CheckinAnswer.occurrence_key.in_(keys)
                )
            )
        )
        answered_rounds = int(
            await session.scalar(
                select(func.count(func.distinct(CheckinAnswer.occurrence_key))).where(
                    CheckinAnswer.circle_id == circle_id, CheckinAnswer.occurrence_key.in_(keys)
                )
            )
            or 0
        )
    outcomes = Counter(
        await session.scalars(
            select(AgreementOccurrence.outcome)
            .join(Agreement, Agreement.id == AgreementOccurrence.agreement_id)
            .where(
                Agreement.circle_id == circle_id,
                AgreementOccurrence.occurs_at >= since,
                AgreementOccurrence.occurs_at < until,
            )
        )
    )
    kept = outcomes[Outcome.DONE] + outcomes[Outcome.BACKUP_DONE]
    no_answer = outcomes[Outcome.PENDING]
    return Stats(
        checkins=len(rounds),
        answers=answered_rounds,
        good=answers["good"],
        so_so=answers["so_so"],
        not_good=answers["not_good"],
        want_to_talk=answers["want_to_talk"],
        kept=kept,
        not_done=sum(outcomes.values()) - kept - no_answer,
        no_answer=no_answer,
        network_answers=await network_checkins.answered_count(session, circle_id, since, until),
    )
