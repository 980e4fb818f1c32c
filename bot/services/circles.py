"""Circles: started by a professional at the end of care, then run by the family.

The family is in charge (domain rule 1): the parent who got the links at closure becomes the first
coordinator ("regiehouder"); coordinators confirm who joins (:mod:`bot.services.joining`), make
others coordinators, invite the network and can take people out (:mod:`bot.services.removal`).
The professional only starts the circle and cannot invite anyone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Circle,
    CircleStatus,
    Invitation,
    InvitationKind,
    Member,
    MemberRole,
    MemberStatus,
    Professional,
    ProfessionalStatus,
)
from bot.i18n import available_languages
from bot.services import (
    agreements,
    audit,
    authz,
    consent,
    invitations,
    joining,
    menus,
    notifications,
    professionals,
    removal,
)
from bot.services.authz import Action
from bot.services.consent import Consent

MAX_NAME = 60
FOLLOW_UP_MONTHS = (1, 2, 3, 6)
DEFAULT_FOLLOW_UP_MONTHS = 3


class AlreadyLinked(Exception):
    """This group chat already belongs to another circle."""


@dataclass(frozen=True)
class NewCircle:
    circle: Circle
    group_token: str
    family_token: str
    young: Member | None = None  # the young person the care was about, invited with their own link
    young_token: str | None = None


def clean_name(text: str, limit: int = MAX_NAME) -> str | None:
    """A name as people typed it, on one line; ``None`` when empty or too long."""
    name = " ".join(text.split())
    return name if 0 < len(name) <= limit else None


def follow_up_end(today: date, months: int) -> date:
    """The same day ``months`` later (or the month's last day, for 31 January + 1 month)."""
    index = today.month - 1 + months
    year, month = today.year + index // 12, index % 12 + 1
    return today.replace(year=year, month=month, day=min(today.day, calendar.monthrange(year, month)[1]))


async def create(
    session: AsyncSession,
    *,
    professional: Professional,
    name: str,
    language: str,
    time_zone: str,
    follow_up_ends_on: date,
    now: datetime,
    young: str | None = None,
) -> NewCircle:
    circle = Circle(
        name=name,
        language=language,
        time_zone=time_zone,
        status=CircleStatus.SETTING_UP,
        professional_id=professional.id,
        follow_up_ends_on=follow_up_ends_on,
        created_at=now,
    )
    session.add(circle)
    await session.flush()
    by = professional.person_id
    _, group_token = invitations.create(
        session, kind=InvitationKind.GROUP, now=now, circle_id=circle.id, created_by_person_id=by
    )
    _, family_token = invitations.create(
        session, kind=InvitationKind.FAMILY, now=now, circle_id=circle.id, created_by_person_id=by
    )
    audit.record(
        session,
        at=now,
        action="circle.created",
        actor_person_id=by,
        circle_id=circle.id,
        subject_type="circle",
        subject_id=circle.id,
    )
    young_member, young_token = None, None
    if young is not None:  # invited like anyone: the family confirms them when they open the link
        young_member = Member(
            circle_id=circle.id,
            display_name=young,
            role=MemberRole.YOUNG,
            is_coordinator=False,
            status=MemberStatus.INVITED,
            created_at=now,
        )
        session.add(young_member)
        await session.flush()
        assert by is not None  # (an active professional has an account)
        young_token = await joining.link_for(
            session,
            young_member,
            person_id=by,
            now=now,
            action="member.invited",
            detail={"role": "young"},
            lifetime=invitations.LIFETIME[InvitationKind.FAMILY],  # as long as the family's links
        )
    await menus.refresh(session, by, now=now)  # a first circle adds the professional's circle commands
    return NewCircle(circle, group_token, family_token, young_member, young_token)


async def starter(session: AsyncSession, person_id: int | None) -> Professional:
    """The professional who may start a circle: only an active one; ``NotAllowed`` otherwise."""
    professional = await professionals.active_for_person(session, person_id)
    if professional is None:
        raise authz.NotAllowed("start_circle")
    return professional


async def attach_group(
    session: AsyncSession, invitation: Invitation, *, chat_id: int, person_id: int, now: datetime
) -> Circle:
    """The bot was added to the family's group with the circle's group link."""
    circle = await session.get(Circle, invitation.circle_id)
    assert circle is not None
    other = await session.scalar(select(Circle).where(Circle.group_chat_id == chat_id, Circle.id != circle.id))
    if other is not None:
        raise AlreadyLinked(chat_id)
    circle.group_chat_id = chat_id
    invitations.complete(session, invitation, now=now)
    audit.record(
        session,
        at=now,
        action="circle.group_linked",
        actor_person_id=person_id,
        circle_id=circle.id,
        subject_type="circle",
        subject_id=circle.id,
    )
    await menus.refresh_group(session, circle, now=now)
    return circle


async def circle_for_group(session: AsyncSession, chat_id: int) -> Circle | None:
    return await session.scalar(select(Circle).where(Circle.group_chat_id == chat_id))


async def follow_group_migration(session: AsyncSession, old_chat_id: int, new_chat_id: int, *, now: datetime) -> None:
    """A group became a supergroup: the circle keeps its group under the new id (and its menu)."""
    await session.execute(update(Circle).where(Circle.group_chat_id == old_chat_id).values(group_chat_id=new_chat_id))
    circle = await session.scalar(
        select(Circle).where(Circle.group_chat_id == new_chat_id).execution_options(populate_existing=True)
    )
    if circle is not None:
        await menus.refresh_group(session, circle, now=now)


async def make_coordinator(session: AsyncSession, *, person_id: int, member_id: int, now: datetime) -> Member:
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NotAllowed(Action.MAKE_COORDINATOR)
    await authz.authorize(session, person_id, member.circle_id, Action.MAKE_COORDINATOR)
    if member.role != MemberRole.FAMILY or member.status != MemberStatus.ACTIVE:
        raise authz.NotAllowed(Action.MAKE_COORDINATOR)
    if not member.is_coordinator:
        member.is_coordinator = True
        audit.record(
            session,
            at=now,
            action="member.made_coordinator",
            actor_person_id=person_id,
            circle_id=member.circle_id,
            subject_type="member",
            subject_id=member.id,
        )
        await menus.refresh(session, member.person_id, now=now)
    return member


async def active_members(session: AsyncSession, circle_id: int) -> list[Member]:
    return list(
        await session.scalars(
            select(Member)
            .where(Member.circle_id == circle_id, Member.status == MemberStatus.ACTIVE)
            .order_by(Member.role, Member.id)
        )
    )


@dataclass(frozen=True)
class MemberList:
    """/members: who is in the circle, who is invited or waits for a yes, and (for a coordinator)
    whom they took out; ``manage``: this person may open each member's choices."""

    circle_id: int
    circle_name: str
    members: list[Member]
    removed: list[Member]
    manage: bool


async def member_list(session: AsyncSession, circle_id: int, *, person_id: int | None) -> MemberList:
    """The circle's members as the family sees them; ``NotAllowed`` for anyone else."""
    access = await authz.authorize(session, person_id, circle_id, Action.LIST_MEMBERS)
    manage = access.role in authz.RULES[Action.REMOVE_MEMBER]
    shown = [MemberStatus.ACTIVE, MemberStatus.PENDING, MemberStatus.INVITED]
    if manage:  # whom the family took out, with their "do not invite again" mark
        shown.append(MemberStatus.REMOVED)
    listed = list(
        await session.scalars(
            select(Member)
            .where(Member.circle_id == circle_id, Member.status.in_(shown))
            .order_by(Member.role, Member.id)
        )
    )
    return MemberList(
        access.circle.id,
        access.circle.name,
        [m for m in listed if m.status != MemberStatus.REMOVED],
        [m for m in listed if m.status == MemberStatus.REMOVED],
        manage,
    )


@dataclass(frozen=True)
class MemberCard:
    """One member's choices for a coordinator, one screen per member."""

    member: Member
    is_self: bool
    invited: bool  # has a personal invitation (a pending one: "is this really them?")
    may_coordinate: bool
    may_take_back: bool
    may_remove: bool
    may_send_link: bool
    may_mark: bool


async def member_card(session: AsyncSession, member_id: int, *, person_id: int | None) -> MemberCard:
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(Action.REMOVE_MEMBER)
    access = await authz.authorize(session, person_id, member.circle_id, Action.REMOVE_MEMBER)
    active = member.status == MemberStatus.ACTIVE
    is_self = access.member is not None and access.member.id == member.id
    return MemberCard(
        member,
        is_self=is_self,
        invited=await joining.is_invited(session, member.id),
        may_coordinate=active and member.role == MemberRole.FAMILY and not member.is_coordinator,
        may_take_back=active and member.is_coordinator and bool(await removal.other_coordinators(session, member)),
        may_remove=active and not is_self,
        may_send_link=member.status == MemberStatus.INVITED,
        may_mark=member.status == MemberStatus.REMOVED,
    )


async def check_can_invite(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    await authz.authorize(session, person_id, circle_id, Action.INVITE)


async def dissolvable(session: AsyncSession, person_id: int) -> list[Circle]:
    """The circles this person may dissolve (those they coordinate)."""
    return [
        c
        for c in await circles_of(session, person_id)
        if (await authz.role_in(session, person_id, c))[0] in authz.RULES[Action.DISSOLVE_CIRCLE]
    ]


async def invitation_of(session: AsyncSession, member_id: int) -> int:
    """The newest link for an invited member."""
    invitation_id = await session.scalar(
        select(Invitation.id).where(Invitation.member_id == member_id).order_by(Invitation.id.desc()).limit(1)
    )
    assert invitation_id is not None
    return invitation_id


async def circles_of(session: AsyncSession, person_id: int | None) -> list[Circle]:
    """The circles a person is an active member of."""
    if person_id is None:
        return []
    return list(
        await session.scalars(
            select(Circle)
            .join(Member, Member.circle_id == Circle.id)
            .where(Member.person_id == person_id, Member.status == MemberStatus.ACTIVE)
            .order_by(Circle.id)
        )
    )


MAX_HELPS_WITH = 200


async def invite(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    name: str,
    role: MemberRole,
    helps_with: str | None,
    now: datetime,
) -> tuple[Member, str]:
    """A coordinator invites someone by name; returns the member-to-be and the link's token."""
    await authz.authorize(session, person_id, circle_id, Action.INVITE)
    member = Member(
        circle_id=circle_id,
        display_name=name,
        role=role,
        is_coordinator=False,
        status=MemberStatus.INVITED,
        helps_with=helps_with,
        created_at=now,
    )
    session.add(member)
    await session.flush()
    token = await joining.link_for(
        session, member, person_id=person_id, now=now, action="member.invited", detail={"role": role.value}
    )
    return member, token


async def revoke_invitation(session: AsyncSession, invitation_id: int, *, person_id: int, now: datetime) -> Member:
    invitation = await session.get(Invitation, invitation_id)
    if invitation is None or invitation.kind != InvitationKind.NETWORK:
        raise authz.NotAllowed(Action.REVOKE_INVITATION)
    await authz.authorize(session, person_id, invitation.circle_id, Action.REVOKE_INVITATION)
    member = await session.get(Member, invitation.member_id)
    if member is None or invitation.used_at is not None or invitation.revoked_at is not None:
        raise authz.NotAllowed(Action.REVOKE_INVITATION)
    invitations.revoke(session, invitation, by_person_id=person_id, now=now)
    member.status = MemberStatus.DECLINED
    return member


async def circles_of_professional(session: AsyncSession, person_id: int | None) -> list[Circle]:
    """The circles an active professional started (and is still attached to)."""
    if person_id is None:
        return []
    return list(
        await session.scalars(
            select(Circle)
            .join(Professional, Professional.id == Circle.professional_id)
            .where(Professional.person_id == person_id, Professional.status == ProfessionalStatus.ACTIVE)
            .order_by(Circle.id)
        )
    )


PAUSE_DAYS = (7, 14, 30)


async def pause(session: AsyncSession, circle_id: int, *, person_id: int, days: int, now: datetime) -> Member:
    """Pause one's own messages in a circle for ``days`` (0: end the pause)."""
    access = await authz.authorize(session, person_id, circle_id, Action.PAUSE_SELF)
    if days not in (0, *PAUSE_DAYS) or access.member is None:
        raise authz.NotAllowed(Action.PAUSE_SELF)
    access.member.paused_until = now + timedelta(days=days) if days else None
    audit.record(
        session,
        at=now,
        action="member.paused" if days else "member.unpaused",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=access.member.id,
        detail={"days": days},
    )
    return access.member


async def leave(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> Member:
    """Leave a circle: one's agreements end and the family is told. The last coordinator hands
    over first (:class:`~bot.services.removal.LastCoordinator`): a circle always has one."""
    access = await authz.authorize(session, person_id, circle_id, Action.LEAVE)
    member = access.member
    assert member is not None
    await removal.check_not_last_coordinator(session, member)
    member.status = MemberStatus.LEFT
    member.is_coordinator = False
    await agreements.end_for_member(session, member, now=now)
    audit.record(
        session,
        at=now,
        action="member.left",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    consent.record(session, at=now, person_id=person_id, circle_id=circle_id, what=Consent.JOINED, given=False)
    await menus.refresh(session, person_id, now=now)
    await notifications.tell_family(
        session,
        access.circle,
        kind=DeliveryKind.MEMBER_LEFT,
        key=f"member.left:{member.id}",
        payload={"member_id": member.id},
        now=now,
    )
    return member


async def check_can_leave(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    """Before asking "are you sure?": ``LastCoordinator`` when someone else must take over first."""
    access = await authz.authorize(session, person_id, circle_id, Action.LEAVE)
    assert access.member is not None
    await removal.check_not_last_coordinator(session, access.member)


async def set_group_language(
    session: AsyncSession, circle_id: int, *, person_id: int, code: str | None, second: bool, now: datetime
) -> Circle:
    """The family chooses the language(s) Kring writes in their group; ``second``: the optional
    second language (``None`` switches it off)."""
    if code is not None and code not in available_languages():
        raise authz.NoLongerPossible(code)
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_GROUP_LANGUAGE)
    circle = access.circle
    if second:
        circle.second_language = code if code != circle.language else None
    elif code is not None:
        circle.language = code
        if circle.second_language == code:
            circle.second_language = None
    audit.record(
        session,
        at=now,
        action="circle.language_chosen",
        actor_person_id=person_id,
        circle_id=circle_id,
        detail={"language": circle.language, "second": circle.second_language or ""},
    )
    await menus.refresh_group(session, circle, now=now)
    return circle
