"""Safety circles: who must know, may know or must not know one part of the plan (an agreement,
or a step of the "als het misgaat" plan). The one rule everything that shows or sends the plan
asks: /plan, the picture, the PDF, the group's notices, help asks.

No rule for a person keeps today's default. The family always sees its own plan privately; the
choice is about the people around it (network members and the young person). In the group,
where everyone reads along, a part that someone must not know is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Agreement, KnowLevel, Member, MemberRole, MemberStatus, PlanStep, SharingRule
from bot.services import audit, authz
from bot.services.authz import Action


class Invalid(authz.NoLongerPossible):
    """That person cannot get a level for this part (the doer or backup, not in the circle)."""


@dataclass(frozen=True)
class Subject:
    """One part of the plan: an agreement or a step of the "als het misgaat" plan."""

    agreement_id: int | None = None
    plan_step_id: int | None = None

    def __post_init__(self) -> None:
        if (self.agreement_id is None) == (self.plan_step_id is None):
            raise ValueError("a subject is an agreement or a plan step")


@dataclass(frozen=True)
class Rules:
    """The levels set in one circle, read once per view."""

    agreements: dict[int, dict[int, KnowLevel]] = field(default_factory=dict)
    steps: dict[int, dict[int, KnowLevel]] = field(default_factory=dict)

    def level(self, subject: Subject, member_id: int) -> KnowLevel | None:
        if subject.agreement_id is not None:
            return self.agreements.get(subject.agreement_id, {}).get(member_id)
        assert subject.plan_step_id is not None
        return self.steps.get(subject.plan_step_id, {}).get(member_id)

    def knows(self, subject: Subject, member_id: int, *, default: bool) -> bool:
        """Whether this (non-family) member may learn of it; ``default`` is today's rule."""
        level = self.level(subject, member_id)
        if level is None:
            return default
        return level != KnowLevel.MUST_NOT

    def kept_from_someone(self, subject: Subject) -> bool:
        """Someone must not know it: then never in the group, where everyone reads along."""
        found = (
            self.agreements.get(subject.agreement_id, {})
            if subject.agreement_id is not None
            else self.steps.get(subject.plan_step_id or 0, {})
        )
        return KnowLevel.MUST_NOT in found.values()


async def rules(session: AsyncSession, circle_id: int) -> Rules:
    found = Rules()
    for rule in await session.scalars(select(SharingRule).where(SharingRule.circle_id == circle_id)):
        if rule.agreement_id is not None:
            found.agreements.setdefault(rule.agreement_id, {})[rule.member_id] = rule.level
        elif rule.plan_step_id is not None:
            found.steps.setdefault(rule.plan_step_id, {})[rule.member_id] = rule.level
    return found


def step_seen(rules_: Rules, step: PlanStep, member_id: int) -> bool:
    """A network member or the young person sees a step they are asked in (today's default), or
    one the family shared with them; never one they must not know."""
    return rules_.knows(Subject(plan_step_id=step.id), member_id, default=step.member_id == member_id)


def agreement_seen(rules_: Rules, agreement: Agreement, member_id: int, *, default: bool) -> bool:
    """The doer and the backup always know (they do it); for anyone else the family's choice."""
    if member_id == agreement.doer_member_id:
        return True
    if member_id == agreement.backup_member_id:
        return default
    return rules_.knows(Subject(agreement_id=agreement.id), member_id, default=default)


async def kept_from_someone(session: AsyncSession, subject: Subject) -> bool:
    """Someone must not know this part (then never in the group)."""
    found = await session.scalar(
        select(SharingRule.id)
        .where(
            SharingRule.agreement_id == subject.agreement_id
            if subject.agreement_id is not None
            else SharingRule.plan_step_id == subject.plan_step_id,
            SharingRule.level == KnowLevel.MUST_NOT,
        )
        .limit(1)
    )
    return found is not None


async def may_be_asked(session: AsyncSession, step: PlanStep) -> bool:
    """A help ask never goes to someone who must not know this step."""
    if step.member_id is None:
        return False
    level = await session.scalar(
        select(SharingRule.level).where(SharingRule.plan_step_id == step.id, SharingRule.member_id == step.member_id)
    )
    return level != KnowLevel.MUST_NOT


async def _subject_circle(session: AsyncSession, subject: Subject) -> tuple[int, Agreement | None]:
    if subject.agreement_id is not None:
        agreement = await session.get(Agreement, subject.agreement_id)
        if agreement is None:
            raise authz.NotAllowed(Action.SET_SHARING)
        return agreement.circle_id, agreement
    step = await session.get(PlanStep, subject.plan_step_id)
    if step is None:
        raise authz.NotAllowed(Action.SET_SHARING)
    return step.circle_id, None


async def check_can_set(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    await authz.authorize(session, person_id, circle_id, Action.SET_SHARING)


async def agreement_text(session: AsyncSession, agreement_id: int) -> str:
    """What the agreement is about, for the question (the coordinator sees it anyway)."""
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None:
        raise authz.NotAllowed(Action.SET_SHARING)
    return agreement.what


@dataclass(frozen=True)
class Choice:
    """One person the family can choose a level for, and the level now (``None``: as today)."""

    member: Member
    level: KnowLevel | None


async def choices(session: AsyncSession, subject: Subject, *, person_id: int | None) -> list[Choice]:
    """The people around the family (network members, the young person), without the doer and
    backup of an agreement (they must know); coordinators only."""
    circle_id, agreement = await _subject_circle(session, subject)
    await authz.authorize(session, person_id, circle_id, Action.SET_SHARING)
    found = await rules(session, circle_id)
    skip = {agreement.doer_member_id, agreement.backup_member_id} if agreement is not None else set()
    members = await session.scalars(
        select(Member)
        .where(
            Member.circle_id == circle_id,
            Member.status == MemberStatus.ACTIVE,
            Member.role.in_([MemberRole.NETWORK, MemberRole.YOUNG]),
        )
        .order_by(Member.id)
    )
    return [Choice(m, found.level(subject, m.id)) for m in members if m.id not in skip]


async def set_level(
    session: AsyncSession,
    subject: Subject,
    member_id: int,
    level: KnowLevel | None,
    *,
    person_id: int,
    now: datetime,
) -> None:
    """A coordinator sets one person's level for one part; ``None`` goes back to today's default."""
    chosen = {c.member.id for c in await choices(session, subject, person_id=person_id)}
    if member_id not in chosen:
        raise Invalid(member_id)
    circle_id, _agreement = await _subject_circle(session, subject)
    rule = await session.scalar(
        select(SharingRule).where(
            SharingRule.agreement_id.is_(None)
            if subject.agreement_id is None
            else SharingRule.agreement_id == subject.agreement_id,
            SharingRule.plan_step_id.is_(None)
            if subject.plan_step_id is None
            else SharingRule.plan_step_id == subject.plan_step_id,
            SharingRule.member_id == member_id,
        )
    )
    if level is None:
        if rule is not None:
            await session.delete(rule)
    elif rule is None:
        session.add(
            SharingRule(
                circle_id=circle_id,
                agreement_id=subject.agreement_id,
                plan_step_id=subject.plan_step_id,
                member_id=member_id,
                level=level,
                updated_at=now,
            )
        )
    else:
        rule.level, rule.updated_at = level, now
    await session.flush()
    audit.record(
        session,
        at=now,
        action="sharing.set",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="agreement" if subject.agreement_id is not None else "plan_step",
        subject_id=subject.agreement_id or subject.plan_step_id,
        detail={"member_id": member_id, "level": level.value if level else "default"},
    )


async def forget_must_not(session: AsyncSession, agreement_id: int, member_id: int | None) -> None:
    """Someone chosen as backup must know it: a "must not know" for them goes."""
    if member_id is None:
        return
    rule = await session.scalar(
        select(SharingRule).where(SharingRule.agreement_id == agreement_id, SharingRule.member_id == member_id)
    )
    if rule is not None and rule.level == KnowLevel.MUST_NOT:
        await session.delete(rule)
