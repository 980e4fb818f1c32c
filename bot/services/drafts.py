"""Drafts: the state of a multi-step conversation, kept in the database (not in memory), so a
restart in the middle loses nothing. A person has at most one draft per chat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Draft


async def begin(
    session: AsyncSession,
    *,
    person_id: int,
    chat_id: int,
    flow: str,
    step: str,
    now: datetime,
    data: dict[str, Any] | None = None,
) -> Draft:
    """Start a flow, replacing whatever this person had going in this chat."""
    await session.execute(delete(Draft).where(Draft.person_id == person_id, Draft.chat_id == chat_id))
    draft = Draft(person_id=person_id, chat_id=chat_id, flow=flow, step=step, data=data or {}, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def current(session: AsyncSession, *, person_id: int, chat_id: int) -> Draft | None:
    return await session.scalar(select(Draft).where(Draft.person_id == person_id, Draft.chat_id == chat_id))


async def owned(session: AsyncSession, draft_id: int, *, person_id: int, flow: str) -> Draft | None:
    """The draft a button belongs to, if it is this person's and still of this flow."""
    draft = await session.get(Draft, draft_id)
    if draft is None or draft.person_id != person_id or draft.flow != flow:
        return None
    return draft


def advance(draft: Draft, step: str, *, now: datetime, **data: Any) -> None:
    draft.step = step
    draft.data = {**draft.data, **data}  # a new dict, so SQLAlchemy sees the change
    draft.updated_at = now


async def finish(session: AsyncSession, draft: Draft) -> None:
    await session.delete(draft)
