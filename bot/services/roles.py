"""Where a person has which role: the circles a command can mean, the roles /help shows commands
for, and whether an account belongs anywhere at all (the flood guard spares those)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Person, Professional
from bot.services import authz, circles, menus, people, professionals
from bot.services.authz import Role


async def _candidates(session: AsyncSession, person_id: int | None) -> list[Circle]:
    found = await circles.circles_of(session, person_id)
    return found + await circles.circles_of_professional(session, person_id)


async def circles_where(
    session: AsyncSession, person_id: int | None, roles: frozenset[Role], *, group_chat_id: int | None
) -> list[Circle]:
    """The circles in which the person has one of ``roles``: in a group (``group_chat_id``) only
    the group's own circle, in a private chat all of theirs."""
    if group_chat_id is not None:
        circle = await circles.circle_for_group(session, group_chat_id)
        candidates = [circle] if circle else []
    else:
        candidates = await _candidates(session, person_id)
    return [c for c in candidates if (await authz.role_in(session, person_id, c))[0] in roles]


async def roles_of(session: AsyncSession, person_id: int | None) -> set[Role]:
    """The person's roles over all their circles."""
    return {(await authz.role_in(session, person_id, c))[0] for c in await _candidates(session, person_id)}


async def coordinated_group(session: AsyncSession, chat_id: int, person_id: int | None) -> Circle | None:
    """The circle of this group chat, when the person is one of its coordinators."""
    circle = await circles.circle_for_group(session, chat_id)
    if circle is None or (await authz.role_in(session, person_id, circle))[0] != Role.COORDINATOR:
        return None
    return circle


async def belongs_somewhere(session: AsyncSession, telegram_user_id: int) -> bool:
    """A member of a circle, or a professional."""
    person = await people.find(session, telegram_user_id)
    if person is None:
        return False
    if await circles.circles_of(session, person.id):
        return True
    return await session.scalar(select(Professional.id).where(Professional.person_id == person.id)) is not None


async def menu_of(
    session: AsyncSession, person_id: int | None, roles: set[Role] | None = None
) -> tuple[menus.Command, ...]:
    """The commands in this person's private menu, from their roles now (``roles``: already known
    from :func:`roles_of`, so /help looks them up once)."""
    registered = await professionals.active_for_person(session, person_id) is not None
    found = roles if roles is not None else await roles_of(session, person_id)
    return menus.commands_for(found, registered_professional=registered)


async def menu_once_started(session: AsyncSession, person_id: int | None, *, now: datetime) -> None:
    """Someone opens their private chat: Telegram refuses a chat's menu before that, so one sent
    earlier (a family member who joined in the group) may have failed. Only a menu of their own."""
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is not None and (person.language_chosen or await menu_of(session, person.id) != menus.commands_for(())):
        await menus.refresh(session, person.id, now=now)
