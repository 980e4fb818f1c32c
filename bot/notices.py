"""Renderers for messages that tell the family what happened (sent through the outbox)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery, Member
from bot.deliveries import renderer
from bot.i18n import _
from scheduler.sender import Rendered


async def _member(session: AsyncSession, delivery: Delivery) -> Member | None:
    return await session.get(Member, delivery.payload.get("member_id"))


@renderer("member.joined")
async def member_joined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    return Rendered(_("{name} doet nu mee in de kring, als gezinslid.").format(name=member.display_name)) if member else None


@renderer("member.accepted")
async def member_accepted(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    return Rendered(_("{name} doet mee in de kring. Welkom!").format(name=member.display_name)) if member else None


@renderer("member.declined")
async def member_declined(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await _member(session, delivery)
    if member is None:
        return None
    return Rendered(_("{name} doet niet mee. Dat is goed: niet iedereen kan helpen.").format(name=member.display_name))
