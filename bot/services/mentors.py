"""The young person's trusted adult ("vertrouwenspersoon", as in the JIM approach): proposed by the
young person, agreed by the parents, then invited and confirmed like anyone else."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, MemberStatus


async def active_mentor(session: AsyncSession, young: Member) -> Member | None:
    """The young person's trusted adult, once they are in the circle (``None`` before that)."""
    return await session.scalar(
        select(Member)
        .where(Member.mentor_of_member_id == young.id, Member.status == MemberStatus.ACTIVE)
        .order_by(Member.id.desc())
        .limit(1)
    )
