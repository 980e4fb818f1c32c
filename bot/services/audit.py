"""The audit trail: what happened, when, by whom, in which circle — ids and event names only."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AuditEvent


def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    actor_person_id: int | None = None,
    circle_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an event to the session; it is written with the change it describes."""
    event = AuditEvent(
        at=at,
        action=action,
        actor_person_id=actor_person_id,
        circle_id=circle_id,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )
    session.add(event)
    return event
