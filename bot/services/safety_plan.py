"""The "als het misgaat" plan: warning signs in the family's own words, then ordered steps —
what we do ourselves, whom we ask, when we ask the former professional. The emergency numbers are
not stored: they are always shown with the plan."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Member, MemberStatus, PlanStep, StepKind, WarningSign
from bot.services import audit, authz
from bot.services.authz import Action

MAX_TEXT = 200
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


def clean_phone(text: str) -> str | None:
    phone = " ".join(text.split())
    return phone if _PHONE.match(phone) else None


@dataclass(frozen=True)
class StepView:
    step: PlanStep
    member: Member | None

    @property
    def name(self) -> str | None:
        return self.member.display_name if self.member else self.step.contact_name


@dataclass(frozen=True)
class SafetyPlan:
    signs: list[WarningSign]
    steps: list[StepView]


async def check_can_edit(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    await authz.authorize(session, person_id, circle_id, Action.EDIT_SAFETY_PLAN)


async def add_sign(session: AsyncSession, circle_id: int, *, person_id: int, text: str, now: datetime) -> WarningSign:
    await authz.authorize(session, person_id, circle_id, Action.EDIT_SAFETY_PLAN)
    sign = WarningSign(circle_id=circle_id, text=text, created_at=now)
    session.add(sign)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="safety_plan.sign_added",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="warning_sign",
        subject_id=sign.id,
    )
    return sign


async def add_step(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    kind: StepKind,
    text: str | None = None,
    member_id: int | None = None,
    contact_name: str | None = None,
    phone: str | None = None,
    now: datetime,
) -> PlanStep:
    await authz.authorize(session, person_id, circle_id, Action.EDIT_SAFETY_PLAN)
    if member_id is not None:
        member = await session.get(Member, member_id)
        if member is None or member.circle_id != circle_id or member.status != MemberStatus.ACTIVE:
            raise authz.NotAllowed(Action.EDIT_SAFETY_PLAN)
    last = await session.scalar(select(func.max(PlanStep.position)).where(PlanStep.circle_id == circle_id))
    step = PlanStep(
        circle_id=circle_id,
        position=(last or 0) + 1,
        kind=kind,
        text=text,
        member_id=member_id,
        contact_name=contact_name,
        phone=phone,
        created_at=now,
    )
    session.add(step)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="safety_plan.step_added",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="plan_step",
        subject_id=step.id,
        detail={"kind": kind.value},
    )
    return step


async def remove(session: AsyncSession, kind: str, item_id: int, *, person_id: int, now: datetime) -> None:
    item: WarningSign | PlanStep | None = (
        await session.get(WarningSign, item_id) if kind == "sign" else await session.get(PlanStep, item_id)
    )
    if item is None:
        raise authz.NotAllowed(Action.EDIT_SAFETY_PLAN)
    await authz.authorize(session, person_id, item.circle_id, Action.EDIT_SAFETY_PLAN)
    await session.delete(item)
    audit.record(
        session,
        at=now,
        action=f"safety_plan.{kind}_removed",
        actor_person_id=person_id,
        circle_id=item.circle_id,
        subject_type=item.__tablename__,
        subject_id=item_id,
    )


async def load(session: AsyncSession, circle_id: int) -> SafetyPlan:
    signs = list(
        await session.scalars(select(WarningSign).where(WarningSign.circle_id == circle_id).order_by(WarningSign.id))
    )
    steps = []
    for step in await session.scalars(
        select(PlanStep).where(PlanStep.circle_id == circle_id).order_by(PlanStep.position)
    ):
        member = await session.get(Member, step.member_id) if step.member_id else None
        steps.append(StepView(step, member))
    return SafetyPlan(signs, steps)
