"""Taking someone out of a circle, and taking back a coordinator role: the family decides who
belongs (domain rule 1), also when contact has to be broken, as with violence at home.

Removal is built to be safe: the person is told only that they are no longer in the circle (no
names, no reason, no "who did it"); nothing queued for them is sent; their agreements end and
the family sees which ones stopped; their open links stop working; the "als het misgaat" steps
that named them are marked for the family to redo; and the group button and old links do not
bring them back (:mod:`bot.services.joining`). A circle always keeps a coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Agreement, Circle, Invitation, Member, MemberRole, MemberStatus, Person, PlanStep, Schedule
from bot.services import agreements, audit, authz, invitations, menus, notifications
from bot.services.authz import Action


class LastCoordinator(authz.NoLongerPossible):
    """This would leave the circle without a coordinator: someone else must take over first."""


async def other_coordinators(session: AsyncSession, member: Member) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.circle_id == member.circle_id,
            Member.is_coordinator,
            Member.status == MemberStatus.ACTIVE,
            Member.id != member.id,
        )
    )
    return int(count or 0)


async def check_not_last_coordinator(session: AsyncSession, member: Member) -> None:
    if member.is_coordinator and not await other_coordinators(session, member):
        raise LastCoordinator(Action.LEAVE)


@dataclass(frozen=True)
class Removed:
    member: Member
    ended: list[Agreement]  # what they did: stopped
    without_backup: list[Agreement]  # where they were the backup: goes on without one
    steps_to_redo: int  # steps of the "als het misgaat" plan that named them


async def _target(session: AsyncSession, member_id: int, person_id: int, action: Action) -> tuple[Member, Member]:
    """The member acted on and the coordinator acting, both in the same circle."""
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(action)
    access = await authz.authorize(session, person_id, member.circle_id, action)
    if access.member is None or member.status != MemberStatus.ACTIVE:
        raise authz.NoLongerPossible(action)
    return member, access.member


async def check_can_remove(session: AsyncSession, member_id: int, *, person_id: int) -> Member:
    """The member this coordinator may take out (not themselves: that is /leave)."""
    member, actor = await _target(session, member_id, person_id, Action.REMOVE_MEMBER)
    if member.id == actor.id:
        raise authz.NoLongerPossible(Action.REMOVE_MEMBER)
    return member


async def remove(session: AsyncSession, member_id: int, *, person_id: int, now: datetime) -> Removed:
    """A coordinator takes someone out of the circle (the second, confirming step)."""
    member = await check_can_remove(session, member_id, person_id=person_id)
    circle = await session.get_one(Circle, member.circle_id)
    removed_person = member.person_id
    member.status = MemberStatus.REMOVED
    member.is_coordinator = False
    member.paused_until = None
    stopped = await agreements.end_for_member(session, member, now=now, by_person_id=person_id)
    await session.execute(
        update(Schedule).where(Schedule.member_id == member.id).values(active=False, next_due_at=None)
    )
    steps = await session.execute(
        update(PlanStep)
        .where(PlanStep.member_id == member.id)
        .values(redo=True)
        .execution_options(synchronize_session=False)
    )
    await _revoke_links(session, member, removed_person, by_person_id=person_id, now=now)
    await menus.refresh(session, removed_person, now=now)
    audit.record(
        session,
        at=now,
        action="member.removed",
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=member.id,
        detail={"role": member.role.value},
    )
    if removed_person is not None:
        await outbox.cancel_for(
            session, person_id=removed_person, circle_id=member.circle_id, reason="taken out of the circle"
        )
        person = await session.get_one(Person, removed_person)
        await notifications.tell_person(
            session,
            person,
            circle_id=None,  # not a message of the circle any more: only this, and nothing after
            kind=DeliveryKind.MEMBER_REMOVED_YOU,
            key=f"member.removed_you:{member.id}",
            payload={"circle_id": member.circle_id},
            now=now,
        )
    payload = {
        "member_id": member.id,
        "ended": [a.id for a in stopped.ended],
        "without_backup": [a.id for a in stopped.without_backup],
    }
    if member.role == MemberRole.NETWORK:
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.MEMBER_REMOVED,
            key=f"member.removed:{member.id}",
            payload=payload,
            now=now,
        )
    else:  # a family member may read the family's group: the other coordinators hear it privately
        await notifications.tell_coordinators(
            session,
            circle,
            kind=DeliveryKind.MEMBER_REMOVED,
            key=f"member.removed:{member.id}",
            payload=payload,
            now=now,
            except_person_id=person_id,
        )
    return Removed(member, stopped.ended, stopped.without_backup, int(getattr(steps, "rowcount", 0) or 0))


async def _revoke_links(
    session: AsyncSession, member: Member, person_id: int | None, *, by_person_id: int, now: datetime
) -> None:
    """Links for them, and links they sent that nobody has used yet."""
    theirs = [Invitation.member_id == member.id]
    if person_id is not None:
        theirs.append(Invitation.created_by_person_id == person_id)
    for invitation in await session.scalars(
        select(Invitation).where(
            Invitation.circle_id == member.circle_id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            or_(*theirs),
        )
    ):
        invitations.revoke(session, invitation, by_person_id=by_person_id, now=now)
        invited = await session.get(Member, invitation.member_id) if invitation.member_id else None
        if invited is not None and invited.id != member.id and invited.status == MemberStatus.INVITED:
            invited.status = MemberStatus.DECLINED


async def take_back_coordinator(session: AsyncSession, member_id: int, *, person_id: int, now: datetime) -> Member:
    """A coordinator takes back someone's coordinator role (their own, too, when another stays)."""
    member, _ = await _target(session, member_id, person_id, Action.TAKE_BACK_COORDINATOR)
    if not member.is_coordinator:
        raise authz.NoLongerPossible(Action.TAKE_BACK_COORDINATOR)
    await check_not_last_coordinator(session, member)
    member.is_coordinator = False
    audit.record(
        session,
        at=now,
        action="member.coordinator_taken_back",
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    await menus.refresh(session, member.person_id, now=now)
    return member


async def mark_do_not_invite(
    session: AsyncSession, member_id: int, *, person_id: int, mark: bool, now: datetime
) -> Member:
    """The family's private mark on someone they took out: do not invite again."""
    member = await session.get(Member, member_id)
    if member is None:
        raise authz.NoLongerPossible(Action.MARK_DO_NOT_INVITE)
    await authz.authorize(session, person_id, member.circle_id, Action.MARK_DO_NOT_INVITE)
    if member.status != MemberStatus.REMOVED:
        raise authz.NoLongerPossible(Action.MARK_DO_NOT_INVITE)
    member.do_not_invite = mark
    audit.record(
        session,
        at=now,
        action="member.do_not_invite" if mark else "member.may_be_invited",
        actor_person_id=person_id,
        circle_id=member.circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    return member
