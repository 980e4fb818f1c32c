"""Opening a link: what it does depends on the kind of invitation behind it and on the chat it is
opened in. Each outcome is a small result the Telegram side only has to put into words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Invitation, InvitationKind, Professional
from bot.services import authz, circles, invitations, joining, professionals
from bot.services.authz import Action
from bot.services.invitations import LinkProblem, LinkRefused
from bot.services.joining import Invited, Joined


@dataclass(frozen=True)
class ProfessionalRegistered:
    name: str


@dataclass(frozen=True)
class GroupAttached:
    circle_id: int
    circle_name: str
    language: str
    professional_name: str | None
    coordinator_names: list[str]
    adder: Joined | None  # whoever added Kring: the first coordinator, or asking to join


@dataclass(frozen=True)
class GroupTaken:
    """The group already belongs to another circle."""


@dataclass(frozen=True)
class FamilyJoined:
    circle_id: int
    circle_name: str
    joined: Joined


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
    account_name: str,
    now: datetime,
) -> Opened:
    """Use the link for this person in this chat; raises :class:`LinkRefused`. The caller commits
    a refusal too: it counts for throttling, and a personal link opened by a second account is
    told to the family."""
    try:
        invitation = await invitations.open_link(session, token, person_id=person_id, now=now)
    except LinkRefused as refused:
        if refused.invitation is not None:
            await joining.tell_link_opened_again(session, refused.invitation, person_id=person_id, now=now)
        raise
    try:
        async with session.begin_nested():
            return await _use(
                session,
                invitation,
                person_id=person_id,
                chat_id=chat_id,
                private=private,
                display_name=display_name,
                account_name=account_name,
                now=now,
            )
    except authz.NotAllowed:  # a family link opened by someone the family took out, or refused
        raise LinkRefused(LinkProblem.NOT_VALID) from None


async def _use(
    session: AsyncSession,
    invitation: Invitation,
    *,
    person_id: int,
    chat_id: int,
    private: bool,
    display_name: str,
    account_name: str,
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
        role, _ = await authz.role_in(session, person_id, circle)
        adder = (
            await joining.join_as_family(
                session,
                circle,
                person_id=person_id,
                display_name=display_name,
                account_name=account_name,
                may_lead=True,
                now=now,
            )
            if role in authz.RULES[Action.JOIN_AS_FAMILY]
            else None  # the professional added Kring: the parent with the family link will lead
        )
        attached = await session.get(Professional, circle.professional_id) if circle.professional_id else None
        return GroupAttached(
            circle.id,
            circle.name,
            circle.language,
            attached.name if attached else None,
            await joining.coordinator_names(session, circle.id),
            adder,
        )
    if invitation.kind == InvitationKind.FAMILY and private:
        circle = (await authz.authorize(session, person_id, invitation.circle_id, Action.JOIN_AS_FAMILY)).circle
        joined = await joining.join_as_family(
            session,
            circle,
            person_id=person_id,
            display_name=display_name,
            account_name=account_name,
            may_lead=True,
            now=now,
        )
        invitations.complete(session, invitation, now=now)
        return FamilyJoined(circle.id, circle.name, joined)
    if invitation.kind == InvitationKind.NETWORK and private:
        return await joining.describe_invitation(session, invitation)
    invitation.used_by_person_id = None
    return WrongChat(private)


@dataclass(frozen=True)
class JoinedInGroup:
    joined: Joined
    language: str


async def join_in_group(
    session: AsyncSession,
    circle_id: int,
    *,
    chat_id: int,
    person_id: int,
    display_name: str,
    account_name: str,
    now: datetime,
) -> JoinedInGroup:
    """The household button, pressed in the family's own group (not one it was carried to): asks
    to join as family; a coordinator decides."""
    circle = await session.get(Circle, circle_id)
    if circle is None or circle.group_chat_id != chat_id:
        raise authz.NotAllowed(Action.JOIN_AS_FAMILY)
    await authz.authorize(session, person_id, circle.id, Action.JOIN_AS_FAMILY)
    joined = await joining.join_as_family(
        session,
        circle,
        person_id=person_id,
        display_name=display_name,
        account_name=account_name,
        may_lead=False,
        now=now,
    )
    return JoinedInGroup(joined, circle.language)
