"""Everything Kring holds about one person (the right of access, AVG article 15), as plain data:
the handler turns it into a readable document and a machine-readable JSON file."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Agreement,
    AuditEvent,
    CheckinAnswer,
    Circle,
    ContactRequest,
    HelpAsk,
    Member,
    NetworkCheckin,
    Person,
    Professional,
    ReviewAnswer,
    SupportAnswer,
    YoungCheckin,
    YoungOpinion,
    YoungWish,
)
from bot.services import consent, network_reviews, who_questions


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _row(obj: Any, *fields: str) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


async def collect(session: AsyncSession, person: Person) -> dict[str, Any]:
    """The person's own data. What others wrote about the family stays with the family; what this
    person wrote, answered or agreed to is here."""
    members = list(await session.scalars(select(Member).where(Member.person_id == person.id).order_by(Member.id)))
    member_ids = [m.id for m in members]
    circles = {
        c.id: c for c in await session.scalars(select(Circle).where(Circle.id.in_([m.circle_id for m in members])))
    }
    professional = await session.scalar(select(Professional).where(Professional.person_id == person.id))
    agreements = list(
        await session.scalars(
            select(Agreement)
            .where(or_(Agreement.doer_member_id.in_(member_ids), Agreement.backup_member_id.in_(member_ids)))
            .order_by(Agreement.id)
        )
    )
    answers = list(
        await session.scalars(
            select(CheckinAnswer).where(CheckinAnswer.member_id.in_(member_ids)).order_by(CheckinAnswer.answered_at)
        )
    )
    network = list(
        await session.scalars(
            select(NetworkCheckin).where(NetworkCheckin.member_id.in_(member_ids)).order_by(NetworkCheckin.occurs_at)
        )
    )
    young = list(  # the young person's own check-ins: theirs alone (nobody else's /mydata has them)
        await session.scalars(
            select(YoungCheckin).where(YoungCheckin.member_id.in_(member_ids)).order_by(YoungCheckin.occurs_at)
        )
    )
    opinions = list(
        await session.execute(
            select(YoungOpinion, Agreement)
            .join(Agreement, Agreement.id == YoungOpinion.agreement_id)
            .where(YoungOpinion.young_member_id.in_(member_ids))
            .order_by(YoungOpinion.id)
        )
    )
    wishes = list(
        await session.execute(
            select(YoungWish, Member)
            .join(Member, Member.id == YoungWish.member_id)
            .where(YoungWish.young_member_id.in_(member_ids))
            .order_by(YoungWish.id)
        )
    )
    proposed = list(  # the trusted adults the young person proposed (name, status, reason)
        await session.scalars(select(Member).where(Member.mentor_of_member_id.in_(member_ids)).order_by(Member.id))
    )
    requests = list(
        await session.scalars(
            select(ContactRequest)
            .where(ContactRequest.asked_by_member_id.in_(member_ids))
            .order_by(ContactRequest.created_at)
        )
    )
    asks = list(
        await session.scalars(
            select(HelpAsk)
            .where(or_(HelpAsk.asked_by_member_id.in_(member_ids), HelpAsk.helper_member_id.in_(member_ids)))
            .order_by(HelpAsk.created_at)
        )
    )
    felt = list(  # felt support at the reviews: each person's own answers
        await session.scalars(
            select(SupportAnswer).where(SupportAnswer.member_id.in_(member_ids)).order_by(SupportAnswer.answered_at)
        )
    )
    reviewed = list(  # what this person answered when the family looked back together
        await session.scalars(
            select(ReviewAnswer).where(ReviewAnswer.member_id.in_(member_ids)).order_by(ReviewAnswer.created_at)
        )
    )
    who_names = await who_questions.own_names(session, member_ids)  # the names this person wrote down
    looked_back = await network_reviews.own_reviews(session, member_ids)  # issue 23: their own part
    events = list(
        await session.scalars(select(AuditEvent).where(AuditEvent.actor_person_id == person.id).order_by(AuditEvent.at))
    )
    return {
        "person": _row(
            person,
            "telegram_user_id",
            "language",
            "time_zone",
            "quiet_from",
            "quiet_until",
            "unreachable_since",
            "created_at",
        ),
        "professional": _row(professional, "name", "status", "created_at") if professional else None,
        "circles": [
            {
                **_row(
                    m,
                    "display_name",
                    "role",
                    "is_coordinator",
                    "status",
                    "helps_with",
                    "paused_until",
                    "checkin_paused_until",
                    "checkin_shared",
                    "joined_at",
                ),
                "circle": circles[m.circle_id].name,
            }
            for m in members
        ],
        "agreements": [
            {
                **_row(a, "what", "for_whom", "support_kind", "visibility", "status", "decline_reason", "created_at"),
                "as": "doer" if a.doer_member_id in member_ids else "backup",
            }
            for a in agreements
        ],
        "checkin_answers": [_row(a, "answered_at", "answer", "worry_trend", "note") for a in answers],
        "network_reviews": [_row(r, "created_at", "still_works", "rather_else", "shared") for r in looked_back],
        "network_checkins": [
            _row(n, "occurs_at", "had_contact", "feeling", "note", "note_shared", "family_told_at") for n in network
        ],
        "young_checkins": [
            _row(
                y,
                "occurs_at",
                "overall",
                "at_home",
                "at_school",
                "talk",
                "shared_overall",
                "shared_at_home",
                "shared_at_school",
                "parent_told_at",
                "mentor_told_at",
                "answered_at",
            )
            for y in young
        ],
        "review_answers": [_row(r, "created_at", "topic", "text") for r in reviewed],
        "support_answers": [_row(a, "answered_at", "kind", "felt", "sources", "how_often") for a in felt],
        "young_opinions": [{"agreement": a.what, "opinion": o.opinion.value} for o, a in opinions],
        "young_wishes": [{"name": m.display_name, "wish": w.wish.value} for w, m in wishes],
        "trusted_adults": [_row(m, "display_name", "status", "proposal_reason", "created_at") for m in proposed],
        "who_names": [
            {**_row(w, "name", "question", "created_at"), "invited": w.invited_member_id is not None} for w in who_names
        ],
        "contact_requests": [
            _row(r, "created_at", "urgency", "message", "status", "answer", "answer_text") for r in requests
        ],
        "help_asks": [
            {
                **_row(h, "created_at", "answer", "answered_at"),
                "as": "asked" if h.asked_by_member_id in member_ids else "helper",
            }
            for h in asks
        ],
        "consents": [
            {"at": _plain(e.at), "what": parsed[0].value, "given": parsed[1], "circle_id": e.circle_id}
            for e in events
            if (parsed := consent.parse(e.action))
        ],
        "events": [_row(e, "at", "action", "circle_id") for e in events],
    }
