"""Consent, recorded: who agreed to what, and when — and when they took it back.

Each consent is an audit event named ``consent.<what>.given`` or ``consent.<what>.withdrawn``
(ids only). The daily purge keeps these events as long as the person's account exists, so /mydata
can always show what someone agreed to. Withdrawing is as easy as giving: each has its own button
or command (``/leave``, ``/pulse``, "🙈 Het gezin hoeft dit niet te zien", ``/agreements``).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit


class Consent(enum.StrEnum):
    JOINED = "joined"  # taking part in the circle (an invitation accepted, "Ik hoor bij het gezin")
    PULSE = "pulse"  # the family lets the former professional see counts every few weeks
    VISIBILITY = "visibility"  # who may see an agreement: the whole circle, or the family and the doer
    NETWORK_ANSWERS = "network_answers"  # a network member lets the family see their check-in answers
    NETWORK_NOTE = "network_note"  # ... and one note they wrote


def record(
    session: AsyncSession,
    *,
    at: datetime,
    person_id: int | None,
    circle_id: int | None,
    what: Consent,
    given: bool,
    detail: dict[str, Any] | None = None,
    subject: tuple[str, int] | None = None,
) -> None:
    audit.record(
        session,
        at=at,
        action=f"consent.{what.value}.{'given' if given else 'withdrawn'}",
        actor_person_id=person_id,
        circle_id=circle_id,
        detail=detail,
        subject_type=subject[0] if subject else None,
        subject_id=subject[1] if subject else None,
    )


def parse(action: str) -> tuple[Consent, bool] | None:
    """``("pulse", True)`` for ``consent.pulse.given``; ``None`` for any other event."""
    parts = action.split(".")
    if len(parts) != 3 or parts[0] != "consent" or parts[2] not in ("given", "withdrawn"):
        return None
    try:
        return Consent(parts[1]), parts[2] == "given"
    except ValueError:
        return None
