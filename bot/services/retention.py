"""Keeping data only as long as it is needed (AVG article 5: storage limitation).

Once a day the ticker deletes what is older than the retention period (``KRING_RETENTION_MONTHS``,
12 by default): check-in answers and rounds, network check-ins, how agreements went, help asks,
answered contact requests, delivery records, used or expired invitation links, and audit events —
except the consent events, which prove what someone agreed to for as long as their account exists.
A person (a Telegram account) who is in no circle, is no professional, has no conversation open and
did nothing for the retention period is deleted too: only an id and settings, but not kept forever.
Conversations left half-way are deleted after 30 days; a notice that had to carry a name (someone
erased, a circle dissolved) after a week, whether it could be sent or not. The plan itself (agreements, the "als het
misgaat" steps, who takes part) stays as long as the circle does: it is the family's current plan.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    AgreementOccurrence,
    AgreementReview,
    AuditEvent,
    CheckinAnswer,
    CheckinRound,
    ContactRequest,
    ContactRequestStatus,
    Delivery,
    DeliveryStatus,
    Draft,
    HelpAsk,
    Invitation,
    Member,
    MemberStatus,
    NetworkCheckin,
    NetworkReview,
    Person,
    Professional,
    ReviewAnswer,
    SupportAnswer,
    YoungCheckin,
)
from bot.db.session import SessionMaker
from bot.services import audit

DEFAULT_MONTHS = 12
DRAFTS_KEPT = timedelta(days=30)
NOTICES_WITH_NAMES = (DeliveryKind.MEMBER_FORGOTTEN, DeliveryKind.CIRCLE_DISSOLVED)
NOTICES_KEPT = timedelta(days=7)
EVERY = timedelta(days=1)


def cutoff(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 365.25 / 12))


async def purge(session: AsyncSession, *, now: datetime, months: int = DEFAULT_MONTHS) -> dict[str, int]:
    """Delete what is older than ``months``; returns how many rows of each kind (for the log)."""
    before = cutoff(now, months)
    statements = {
        "checkin_answers": delete(CheckinAnswer).where(CheckinAnswer.answered_at < before),
        "checkin_rounds": delete(CheckinRound).where(CheckinRound.occurs_at < before),
        "network_checkins": delete(NetworkCheckin).where(NetworkCheckin.occurs_at < before),
        "young_checkins": delete(YoungCheckin).where(YoungCheckin.occurs_at < before),
        "review_answers": delete(ReviewAnswer).where(ReviewAnswer.created_at < before),
        "agreement_reviews": delete(AgreementReview).where(AgreementReview.created_at < before),
        "network_reviews": delete(NetworkReview).where(NetworkReview.created_at < before),
        "support_answers": delete(SupportAnswer).where(SupportAnswer.answered_at < before),
        # whom the young person once proposed but who never joined (a name and a reason)
        "proposed_and_refused": delete(Member).where(
            Member.status == MemberStatus.REFUSED, Member.person_id.is_(None), Member.created_at < before
        ),
        "agreement_occurrences": delete(AgreementOccurrence).where(AgreementOccurrence.occurs_at < before),
        "help_asks": delete(HelpAsk).where(HelpAsk.created_at < before),
        "contact_requests": delete(ContactRequest).where(
            ContactRequest.created_at < before, ContactRequest.status != ContactRequestStatus.OPEN
        ),
        "deliveries": delete(Delivery).where(
            Delivery.created_at < before,
            Delivery.status.in_((DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.SKIPPED)),
        ),
        "invitations": delete(Invitation).where(Invitation.expires_at < before),
        "audit_events": delete(AuditEvent).where(
            AuditEvent.at < before, or_(AuditEvent.action.not_like("consent.%"), AuditEvent.actor_person_id.is_(None))
        ),  # (consent of the erased)
        # a notice that carries a name (someone erased, a circle dissolved) is not kept, sent or not
        "notices_with_names": delete(Delivery).where(
            Delivery.kind.in_(NOTICES_WITH_NAMES), Delivery.created_at < now - NOTICES_KEPT
        ),
        "drafts": delete(Draft).where(Draft.updated_at < now - DRAFTS_KEPT),
        # after the drafts: a conversation left open a month ago no longer keeps its person
        "people": delete(Person).where(
            Person.created_at < before,
            ~exists().where(Member.person_id == Person.id),
            ~exists().where(Professional.person_id == Person.id),
            ~exists().where(Draft.person_id == Person.id),
            ~exists().where(AuditEvent.actor_person_id == Person.id, AuditEvent.at >= before),
            ~exists().where(Delivery.person_id == Person.id, Delivery.created_at >= before),
        ),
    }
    counts = {}
    for name, statement in statements.items():
        result = await session.execute(statement.execution_options(synchronize_session=False))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    if any(counts.values()):
        audit.record(session, at=now, action="retention.purged", detail={k: v for k, v in counts.items() if v})
    return counts


class DailyPurge:
    """The ticker's work: purge once a day (and once after each start)."""

    def __init__(self, sessions: SessionMaker, clock: Clock, months: int) -> None:
        self.sessions = sessions
        self.clock = clock
        self.months = months
        self.last: datetime | None = None

    async def __call__(self) -> None:
        now = self.clock.now()
        if self.last is not None and now - self.last < EVERY:
            return
        async with self.sessions.begin() as session:
            await purge(session, now=now, months=self.months)
        self.last = now
