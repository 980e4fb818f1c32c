"""Who joins a circle is the family's decision (domain rule 1), never chance or a forwarded link.

- The parent who got the links at closure becomes the first coordinator: whoever adds Kring to
  the family's group with the circle's group link (Telegram says who did), or opens the family's
  private link, while the circle has no coordinator yet.
- Everyone else *asks*: the household button in the group, the family link opened later, or "yes"
  to a personal invitation gives a ``pending`` place. A coordinator sees the Telegram account's own
  name next to the name the family gave, and confirms or refuses. Until then the newcomer has no
  role anywhere (:mod:`bot.services.authz` only counts active places), so they see nothing.
- Refusing someone who opened a personal invitation puts the invitation's place back to
  "invited", without a person, so the real invitee can be sent a fresh link.
- Someone taken out of the circle, or refused, cannot come back by the group button or the
  family link; only a new personal invitation, confirmed again, brings them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
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
    Person,
)
from bot.services import audit, authz, consent, invitations, menus, notifications, young_checkins
from bot.services.authz import Action
from bot.services.consent import Consent

MAX_ACCOUNT_NAME = 200


class NotAgain(authz.NoLongerPossible):
    """This account was taken out of the circle, or the family said no to it: the group button
    and the family link do not bring it back."""


@dataclass(frozen=True)
class Joined:
    member: Member
    is_new: bool  # False: they were in, or had asked, already

    @property
    def is_coordinator(self) -> bool:
        return self.member.status == MemberStatus.ACTIVE and self.member.is_coordinator

    @property
    def pending(self) -> bool:
        return self.member.status == MemberStatus.PENDING


def account_label(full_name: str, username: str | None) -> str:
    """How a coordinator recognises a Telegram account: its own name, and its @username if any."""
    label = " ".join(full_name.split()) or "?"
    if username:
        label = f"{label} (@{username})"
    return label[:MAX_ACCOUNT_NAME]


async def place_of(session: AsyncSession, circle_id: int, person_id: int) -> Member | None:
    """This person's place in the circle, whatever its status (there is at most one)."""
    return await session.scalar(select(Member).where(Member.circle_id == circle_id, Member.person_id == person_id))


async def coordinator_names(session: AsyncSession, circle_id: int) -> list[str]:
    return list(
        await session.scalars(
            select(Member.display_name)
            .where(Member.circle_id == circle_id, Member.is_coordinator, Member.status == MemberStatus.ACTIVE)
            .order_by(Member.id)
        )
    )


async def join_as_family(
    session: AsyncSession,
    circle: Circle,
    *,
    person_id: int,
    display_name: str,
    account_name: str,
    may_lead: bool,
    now: datetime,
) -> Joined:
    """Someone says they live in the family's household. With ``may_lead`` (they hold one of the
    links the professional gave at closure) and no coordinator yet, they become the first
    coordinator; otherwise they ask, and a coordinator decides."""
    place = await place_of(session, circle.id, person_id)
    if place is not None:
        if place.role == MemberRole.NETWORK and place.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
            raise authz.NotAllowed(Action.JOIN_AS_FAMILY)  # in the circle already, in another role
        if place.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
            return Joined(place, is_new=False)
        if place.status in (MemberStatus.REMOVED, MemberStatus.REFUSED):
            raise NotAgain(Action.JOIN_AS_FAMILY)
        await _detach(session, place)
    first = may_lead and not await coordinator_names(session, circle.id)
    member = Member(
        circle_id=circle.id,
        person_id=person_id,
        display_name=" ".join(display_name.split())[:200] or "?",
        role=MemberRole.FAMILY,
        is_coordinator=first,
        status=MemberStatus.ACTIVE if first else MemberStatus.PENDING,
        account_name=None if first else account_name,
        joined_at=now if first else None,
        created_at=now,
    )
    session.add(member)
    if circle.status == CircleStatus.SETTING_UP:
        circle.status = CircleStatus.ACTIVE
    await session.flush()
    if first:
        audit.record(
            session,
            at=now,
            action="member.joined",
            actor_person_id=person_id,
            circle_id=circle.id,
            subject_type="member",
            subject_id=member.id,
            detail={"role": "family", "coordinator": True},
        )
        consent.record(session, at=now, person_id=person_id, circle_id=circle.id, what=Consent.JOINED, given=True)
        await menus.refresh(session, person_id, now=now)
    else:
        await _ask_family(session, circle, member, person_id=person_id, earlier=None, now=now)
    return Joined(member, is_new=True)


async def _detach(session: AsyncSession, place: Member) -> None:
    """Someone who left (or declined) comes back: the old place keeps its history under its name,
    and the person gets a fresh one."""
    place.person_id = None
    await session.flush()


async def _ask_family(
    session: AsyncSession,
    circle: Circle,
    member: Member,
    *,
    person_id: int,
    earlier: Member | None,
    now: datetime,
) -> None:
    """``earlier``: the place this account had before, when the family took it out then."""
    audit.record(
        session,
        at=now,
        action="member.asked_to_join",
        actor_person_id=person_id,
        circle_id=circle.id,
        subject_type="member",
        subject_id=member.id,
        detail={"role": member.role.value},
    )
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.JOIN_ASKED,
        key=f"join.asked:{member.id}:{person_id}",
        payload={
            "member_id": member.id,
            "removed_before": earlier is not None,
            "do_not_invite": earlier is not None and earlier.do_not_invite,
        },
        now=now,
    )


@dataclass(frozen=True)
class Invited:
    """What someone who opened an invitation is shown: never more than the circle's name, who
    invited them and what they were asked to help with."""

    invitation_id: int
    circle_name: str
    inviter_name: str | None  # None: not a member (the professional made the link at /new)
    helps_with: str | None
    already_member: bool
    for_young: bool = False  # the young person the care was about
    mentor_of: str | None = None  # the young person who chose them as their trusted adult


async def describe_invitation(session: AsyncSession, invitation: Invitation) -> Invited:
    circle = await session.get_one(Circle, invitation.circle_id)
    member = await session.get_one(Member, invitation.member_id)
    inviter = await session.scalar(
        select(Member).where(Member.circle_id == circle.id, Member.person_id == invitation.created_by_person_id)
    )
    young = await session.get(Member, member.mentor_of_member_id) if member.mentor_of_member_id else None
    place = (
        await place_of(session, circle.id, invitation.used_by_person_id)
        if invitation.used_by_person_id is not None
        else None
    )
    return Invited(
        invitation.id,
        circle.name,
        inviter.display_name if inviter else None,
        member.helps_with,
        already_member=place is not None and place.status in (MemberStatus.ACTIVE, MemberStatus.PENDING),
        for_young=member.role == MemberRole.YOUNG,
        mentor_of=young.display_name if young is not None else None,
    )


async def answer_invitation(
    session: AsyncSession, invitation_id: int, *, person_id: int, accept: bool, account_name: str, now: datetime
) -> Member | None:
    """Yes or no to an opened invitation; ``None`` when it is not (or no longer) theirs. A yes
    asks the family to confirm that this account is the person they invited."""
    invitation = await invitations.claimed(session, invitation_id, person_id=person_id, now=now)
    if invitation is None or invitation.kind != InvitationKind.NETWORK:
        return None
    member = await session.get_one(Member, invitation.member_id)
    circle = await session.get_one(Circle, invitation.circle_id)
    place = await place_of(session, circle.id, person_id)
    if place is not None and place.status in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        return None  # one place per person per circle
    invitations.complete(session, invitation, now=now)
    if not accept:
        member.status = MemberStatus.DECLINED
        audit.record(
            session,
            at=now,
            action=DeliveryKind.MEMBER_DECLINED,
            actor_person_id=person_id,
            circle_id=circle.id,
            subject_type="member",
            subject_id=member.id,
        )
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.MEMBER_DECLINED,
            key=f"member.declined:{member.id}",
            payload={"member_id": member.id},
            now=now,
        )
        return member
    earlier = place if place is not None and place.status == MemberStatus.REMOVED else None
    if place is not None:
        await _detach(session, place)
    member.person_id = person_id
    member.status = MemberStatus.PENDING
    member.account_name = account_name
    await session.flush()
    await _ask_family(session, circle, member, person_id=person_id, earlier=earlier, now=now)
    return member


@dataclass(frozen=True)
class Decided:
    member: Member
    accepted: bool
    account_name: str
    invited: bool  # came through a personal invitation: the family can send a fresh link


async def decide(session: AsyncSession, member_id: int, *, person_id: int, accept: bool, now: datetime) -> Decided:
    """A coordinator confirms or refuses a pending join. ``NoLongerPossible`` once decided."""
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(Action.CONFIRM_JOIN)
    access = await authz.authorize(session, person_id, member.circle_id, Action.CONFIRM_JOIN)
    if member.status != MemberStatus.PENDING or member.person_id is None:
        raise authz.NoLongerPossible(Action.CONFIRM_JOIN)
    asker = member.person_id
    account_name = member.account_name or member.display_name
    invited = await _invitation_for(session, member.id) is not None
    member.account_name = None
    if accept:
        member.status = MemberStatus.ACTIVE
        member.joined_at = now
        consent.record(session, at=now, person_id=asker, circle_id=member.circle_id, what=Consent.JOINED, given=True)
        await menus.refresh(session, asker, now=now)
        await young_checkins.joined(session, access.circle, member, now=now)  # (only for the young person)
        await notifications.tell_member(
            session,
            access.circle,
            member.id,
            kind=DeliveryKind.JOIN_CONFIRMED,
            key=f"join.confirmed:{member.id}",
            payload={"member_id": member.id},
            now=now,
        )
    else:
        if invited:
            member.status, member.person_id = MemberStatus.INVITED, None
        else:
            member.status = MemberStatus.REFUSED
        person = await session.get_one(Person, asker)
        await notifications.tell_person(
            session,
            person,
            circle_id=None,  # not a message of the circle: they are not in it
            kind=DeliveryKind.JOIN_REFUSED,
            key=f"join.refused:{member.id}:{asker}",
            payload={"circle_id": member.circle_id},
            now=now,
        )
    audit.record(
        session,
        at=now,
        action="member.join_confirmed" if accept else "member.join_refused",
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    return Decided(member, accept, account_name, invited)


async def _invitation_for(session: AsyncSession, member_id: int) -> Invitation | None:
    return await session.scalar(
        select(Invitation).where(Invitation.member_id == member_id).order_by(Invitation.id.desc()).limit(1)
    )


async def new_link(session: AsyncSession, member_id: int, *, person_id: int, now: datetime) -> tuple[Member, str]:
    """A fresh link for someone invited who has not joined (the old one expired, or another
    account opened it). Any older link for them stops working."""
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(Action.INVITE)
    await authz.authorize(session, person_id, member.circle_id, Action.INVITE)
    if member.status != MemberStatus.INVITED:
        raise authz.NoLongerPossible(Action.INVITE)
    await revoke_open_links(session, member.id, by_person_id=person_id, now=now)
    return member, await link_for(session, member, person_id=person_id, now=now, action="member.invited_again")


async def revoke_open_links(session: AsyncSession, member_id: int, *, by_person_id: int, now: datetime) -> None:
    """Before a fresh link: the older ones for this member stop working."""
    for old in await session.scalars(
        select(Invitation).where(
            Invitation.member_id == member_id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None)
        )
    ):
        invitations.revoke(session, old, by_person_id=by_person_id, now=now)


async def link_for(
    session: AsyncSession,
    member: Member,
    *,
    person_id: int,
    now: datetime,
    action: str,
    detail: dict[str, str] | None = None,
    lifetime: timedelta | None = None,
) -> str:
    """A new personal link for an invited member (its token, shown once); audited as ``action``."""
    invitation, token = invitations.create(
        session,
        kind=InvitationKind.NETWORK,
        now=now,
        circle_id=member.circle_id,
        member_id=member.id,
        created_by_person_id=person_id,
        lifetime=lifetime,
    )
    await session.flush()
    audit.record(
        session,
        at=now,
        action=action,
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=member.id,
        detail={**(detail or {}), "invitation_id": invitation.id},
    )
    return token


async def tell_link_opened_again(
    session: AsyncSession, invitation: Invitation, *, person_id: int, now: datetime
) -> None:
    """Another account opened a personal link that someone had already opened: it may have been
    forwarded. The family hears it once per link."""
    if invitation.kind != InvitationKind.NETWORK or invitation.used_by_person_id in (None, person_id):
        return
    circle = await session.get(Circle, invitation.circle_id)
    if circle is None:
        return
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.LINK_OPENED_AGAIN,
        key=f"link.opened_again:{invitation.id}",
        payload={"member_id": invitation.member_id},
        now=now,
    )


async def is_invited(session: AsyncSession, member_id: int) -> bool:
    """Whether this place was made by a personal invitation (not by asking as household)."""
    return await _invitation_for(session, member_id) is not None
