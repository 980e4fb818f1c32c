"""What one person may see of the plan, here: the same for the text, the picture and the PDF.

The family sees everything in a private chat; in the family's group only what is shared with the
whole circle (everyone there reads along). A network member sees the agreements shared with the
circle and their own, and of the "als het misgaat" plan only the steps that name them; so does the
young person (they have their own help: the young person's check-in). The family's safety circles
(:mod:`bot.services.sharing`) come first: shared with someone, or kept from them, in every form.
The former professional sees no content (domain rule 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Member
from bot.services import agreements, authz, checkins, reviews, safety_plan, sharing
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
    #: For a network member: the other steps the family shared with them (safety circles).
    shared_steps: list[StepView] = field(default_factory=list)
    #: The family's own words from looking back (issue 23): privately, for the family only.
    proud: list[str] = field(default_factory=list)
    keep_doing: list[str] = field(default_factory=list)

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
        views = [view for view in views if view.in_group]
    plan = await safety_plan.load(session, access.circle.id)
    rules = await sharing.rules(session, access.circle.id)
    if access.is_family:
        if in_group:  # everyone in the group reads along: not what someone must not know
            steps = [s for s in plan.steps if not rules.kept_from_someone(sharing.Subject(plan_step_id=s.step.id))]
            plan = replace(plan, steps=steps)
        kept = reviews.InPlan([], []) if in_group else await reviews.in_plan(session, access)
        return PlanView(
            access.circle,
            access.role,
            access.member,
            in_group,
            views,
            plan,
            [],
            await checkins.family(session, access.circle.id),
            proud=kept.proud,
            keep_doing=kept.keep_doing,
        )
    member_id = access.member.id if access.member is not None else 0
    seen = [
        s
        for s in plan.steps
        if sharing.step_seen(rules, s.step, member_id)
        and not (in_group and rules.kept_from_someone(sharing.Subject(plan_step_id=s.step.id)))
    ]
    named = [s for s in seen if s.step.member_id == member_id]
    others = [s for s in seen if s.step.member_id != member_id]
    return PlanView(access.circle, access.role, access.member, in_group, views, None, named, [], others)


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
