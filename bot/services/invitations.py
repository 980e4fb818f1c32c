"""Invitation links: unguessable, single-use, expiring, revocable, and stored only as a hash.

A link is opened (claimed by the person who opened it, so a forwarded copy no longer works for
anyone else) and then completed when its purpose is done. Every refusal looks the same from the
outside, so a link reveals nothing about the circle behind it. Guessing is throttled per person.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEvent, Invitation, InvitationKind
from bot.services import audit

TOKEN_BYTES = 32  # 256 bits; 43 characters of base64url, within Telegram's 64 for a deep link
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
LIFETIME = {
    InvitationKind.PROFESSIONAL: timedelta(days=7),
    InvitationKind.GROUP: timedelta(days=30),
    InvitationKind.FAMILY: timedelta(days=30),
    InvitationKind.NETWORK: timedelta(days=14),
}
MAX_FAILED_TRIES = 5
FAILED_TRIES_WINDOW = timedelta(hours=1)


class LinkProblem(enum.StrEnum):
    NOT_VALID = "not_valid"  # unknown, used, expired or revoked: deliberately one answer
    TOO_MANY_TRIES = "too_many_tries"


class LinkRefused(Exception):
    def __init__(self, problem: LinkProblem, invitation: Invitation | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        #: The invitation behind a link that was opened before by another account (so its family
        #: can be told); ``None`` for any other refusal.
        self.invitation = invitation


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: AsyncSession,
    *,
    kind: InvitationKind,
    now: datetime,
    created_by_person_id: int | None = None,
    circle_id: int | None = None,
    member_id: int | None = None,
    professional_id: int | None = None,
    lifetime: timedelta | None = None,
) -> tuple[Invitation, str]:
    """A new invitation and its token (valid for ``lifetime``, by default its kind's). The token is
    returned once and never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        token_hash=hash_token(token),
        kind=kind,
        circle_id=circle_id,
        member_id=member_id,
        professional_id=professional_id,
        created_by_person_id=created_by_person_id,
        expires_at=now + (lifetime or LIFETIME[kind]),
        created_at=now,
    )
    session.add(invitation)
    return invitation, token


async def open_link(session: AsyncSession, token: str, *, person_id: int, now: datetime) -> Invitation:
    """The invitation behind ``token``, claimed for ``person_id``; raises :class:`LinkRefused`."""
    if await _recent_failures(session, person_id, now) >= MAX_FAILED_TRIES:
        audit.record(session, at=now, action="invitation.throttled", actor_person_id=person_id)
        raise LinkRefused(LinkProblem.TOO_MANY_TRIES)
    invitation = None
    if TOKEN_PATTERN.match(token):
        invitation = await session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    reason = _why_not(invitation, person_id, now)
    if reason is not None:
        audit.record(
            session,
            at=now,
            action="invitation.refused",
            actor_person_id=person_id,
            subject_type="invitation",
            subject_id=invitation.id if invitation else None,
            detail={"reason": reason},
        )
        raise LinkRefused(LinkProblem.NOT_VALID, invitation if reason in ("claimed", "used") else None)
    assert invitation is not None
    if invitation.used_by_person_id is None:
        invitation.used_by_person_id = person_id
        audit.record(
            session,
            at=now,
            action="invitation.opened",
            actor_person_id=person_id,
            circle_id=invitation.circle_id,
            subject_type="invitation",
            subject_id=invitation.id,
        )
    return invitation


def _why_not(invitation: Invitation | None, person_id: int, now: datetime) -> str | None:
    if invitation is None:
        return "unknown"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.used_at is not None:
        return "used"
    if invitation.used_by_person_id not in (None, person_id):
        return "claimed"
    if now >= invitation.expires_at:
        return "expired"
    return None


async def _recent_failures(session: AsyncSession, person_id: int, now: datetime) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.actor_person_id == person_id,
            AuditEvent.action == "invitation.refused",
            AuditEvent.at > now - FAILED_TRIES_WINDOW,
        )
    )
    return int(count or 0)


async def claimed(session: AsyncSession, invitation_id: int, *, person_id: int, now: datetime) -> Invitation | None:
    """An invitation this person opened and that is still open (for the buttons after opening)."""
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.used_by_person_id != person_id or _why_not(invitation, person_id, now):
        return None
    return invitation


def complete(session: AsyncSession, invitation: Invitation, *, now: datetime) -> None:
    invitation.used_at = now
    audit.record(
        session,
        at=now,
        action="invitation.used",
        actor_person_id=invitation.used_by_person_id,
        circle_id=invitation.circle_id,
        subject_type="invitation",
        subject_id=invitation.id,
    )


def revoke(session: AsyncSession, invitation: Invitation, *, by_person_id: int | None, now: datetime) -> None:
    invitation.revoked_at = now
    audit.record(
        session,
        at=now,
        action="invitation.revoked",
        actor_person_id=by_person_id,
        circle_id=invitation.circle_id,
        subject_type="invitation",
        subject_id=invitation.id,
    )
