"""What one person may see of the plan, here: the same for the text, the picture and the PDF.

The family sees everything in a private chat; in the family's group only what is shared with the
whole circle (everyone there reads along). A network member sees the agreements shared with the
circle and their own, and of the "als het misgaat" plan only the steps that name them; so does the
young person (they have their own help: the young person's check-in). The former
professional sees no content (domain rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Member, Visibility
from bot.services import agreements, authz, checkins, safety_plan
from bot.services.agreements import AgreementView
from bot.services.authz import Access, Action, Role
from bot.services.safety_plan import SafetyPlan, StepView


@dataclass(frozen=True)
class PlanView:
    circle: Circle
    role: Role
    viewer: Member | None
    in_group: bool
    agreements: list[AgreementView]
    safety: SafetyPlan | None  # the family's own "als het misgaat" plan; None for a network member
    named_steps: list[StepView]  # for a network member: the steps in which they are the one asked
    family: list[Member]  # the names in the middle of the picture (none for a network member)

    @property
    def show_signs(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.FAMILY) and not self.in_group

    @property
    def can_edit(self) -> bool:
        return self.role == Role.COORDINATOR and not self.in_group

    @property
    def own_agreements(self) -> list[AgreementView]:
        """The agreements the viewer does themselves."""
        return [view for view in self.agreements if self.viewer is not None and view.doer.id == self.viewer.id]

    def only_own(self) -> PlanView:
        """A network member's own part: the picture and the PDF show nothing of others."""
        return replace(self, agreements=self.own_agreements) if self.role == Role.NETWORK else self


async def plan_for(session: AsyncSession, access: Access, *, in_group: bool) -> PlanView:
    views = await agreements.visible_to(session, access)
    if in_group:
        views = [view for view in views if view.agreement.visibility == Visibility.CIRCLE]
    plan = await safety_plan.load(session, access.circle.id)
    if access.is_family:
        return PlanView(
            access.circle,
            access.role,
            access.member,
            in_group,
            views,
            plan,
            [],
            await checkins.family(session, access.circle.id),
        )
    return PlanView(
        access.circle, access.role, access.member, in_group, views, None, safety_plan.steps_naming(plan, access), []
    )


@dataclass(frozen=True)
class PlanHere:
    """Who the person is in the circle, and the plan they may see in this chat."""

    access: Access
    view: PlanView


async def plan_here(
    session: AsyncSession, person_id: int | None, circle_id: int, action: Action, *, group_chat_id: int | None
) -> PlanHere:
    """The plan for ``action`` as this person may see it: in a group (``group_chat_id``) only
    the group's own circle's shared part. Raises ``NotAllowed`` otherwise."""
    access = await authz.authorize(session, person_id, circle_id, action)
    in_group = group_chat_id is not None
    if in_group and access.circle.group_chat_id != group_chat_id:
        raise authz.NotAllowed(action)  # a button carried into another group
    return PlanHere(access, await plan_for(session, access, in_group=in_group))
