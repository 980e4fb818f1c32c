"""Opening a link: what it does depends on the kind of invitation behind it and on the chat it is
opened in. Each outcome is a small result the Telegram side only has to put into words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Invitation, InvitationKind, Professional
from bot.services import authz, circles, invitations, professionals
from bot.services.authz import Action
from bot.services.circles import Invited, Joined
from bot.services.invitations import LinkProblem, LinkRefused


@dataclass(frozen=True)
class ProfessionalRegistered:
    name: str


@dataclass(frozen=True)
class GroupAttached:
    circle_id: int
    circle_name: str
    language: str
    professional_name: str | None


@dataclass(frozen=True)
class GroupTaken:
    """The group already belongs to another circle."""


@dataclass(frozen=True)
class FamilyJoined:
    circle_id: int
    circle_name: str
    is_coordinator: bool
    followed: bool  # a professional follows the circle up: the family decides on the pulse


@dataclass(frozen=True)
class WrongChat:
    """A link opened in the wrong kind of chat; it is given back untouched."""

    private: bool


Opened = ProfessionalRegistered | GroupAttached | GroupTaken | FamilyJoined | Invited | WrongChat


async def open_link(
    session: AsyncSession,
    token: str,
    *,
    person_id: int,
    chat_id: int,
    private: bool,
    display_name: str,
    now: datetime,
) -> Opened:
    """Use the link for this person in this chat; raises :class:`LinkRefused`. The caller commits
    a refusal too: it counts for throttling."""
    invitation = await invitations.open_link(session, token, person_id=person_id, now=now)
    try:
        async with session.begin_nested():
            return await _use(
                session,
                invitation,
                person_id=person_id,
                chat_id=chat_id,
                private=private,
                display_name=display_name,
                now=now,
            )
    except authz.NotAllowed:  # a family link opened by someone who is in the circle otherwise
        raise LinkRefused(LinkProblem.NOT_VALID) from None


async def _use(
    session: AsyncSession,
    invitation: Invitation,
    *,
    person_id: int,
    chat_id: int,
    private: bool,
    display_name: str,
    now: datetime,
) -> Opened:
    if invitation.kind == InvitationKind.PROFESSIONAL and private:
        professional = await professionals.register(session, invitation, person_id=person_id, now=now)
        return ProfessionalRegistered(professional.name)
    if invitation.kind == InvitationKind.GROUP and not private:
        try:
            circle = await circles.attach_group(session, invitation, chat_id=chat_id, person_id=person_id, now=now)
        except circles.AlreadyLinked:
            return GroupTaken()
        attached = await session.get(Professional, circle.professional_id) if circle.professional_id else None
        return GroupAttached(circle.id, circle.name, circle.language, attached.name if attached else None)
    if invitation.kind == InvitationKind.FAMILY and private:
        joined = await circles.join_with_family_link(
            session, invitation, person_id=person_id, display_name=display_name, now=now
        )
        circle = await session.get_one(Circle, invitation.circle_id)
        return FamilyJoined(circle.id, circle.name, joined.is_coordinator, circle.professional_id is not None)
    if invitation.kind == InvitationKind.NETWORK and private:
        return await circles.describe_invitation(session, invitation)
    invitation.used_by_person_id = None
    return WrongChat(private)


@dataclass(frozen=True)
class JoinedInGroup:
    joined: Joined
    language: str
    followed: bool


async def join_in_group(
    session: AsyncSession, circle_id: int, *, chat_id: int, person_id: int, display_name: str, now: datetime
) -> JoinedInGroup:
    """The "I am family" button, pressed in the family's own group (not one it was carried to)."""
    circle = await session.get(Circle, circle_id)
    if circle is None or circle.group_chat_id != chat_id:
        raise authz.NotAllowed(Action.JOIN_AS_FAMILY)
    joined = await circles.join_as_family(session, circle.id, person_id=person_id, display_name=display_name, now=now)
    return JoinedInGroup(joined, circle.language, circle.professional_id is not None)
