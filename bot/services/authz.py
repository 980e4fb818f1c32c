"""Who may do what in which circle — decided here and nowhere else.

Every handler and every button press asks :func:`authorize` with the person behind the update;
ids in commands and buttons are never trusted. A refusal is logged with ids only (never names
or texts) and tells the caller nothing about the circle.
"""

from __future__ import annotations

import enum
import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Circle,
    Member,
    MemberRole,
    MemberStatus,
    Professional,
    ProfessionalStatus,
)

log = logging.getLogger(__name__)


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    FAMILY = "family"
    NETWORK = "network"
    YOUNG = "young"  # the young person the care was about
    PROFESSIONAL = "professional"
    STRANGER = "stranger"


class Action(enum.StrEnum):
    VIEW_PLAN = "view_plan"
    VIEW_SAFETY_PLAN = "view_safety_plan"
    EDIT_SAFETY_PLAN = "edit_safety_plan"
    MAKE_AGREEMENT = "make_agreement"
    SUGGEST_AGREEMENT = "suggest_agreement"
    MANAGE_AGREEMENT = "manage_agreement"
    ANSWER_AGREEMENT = "answer_agreement"
    STEP_BACK = "step_back"
    THANK = "thank"
    CHOOSE_CHECKIN = "choose_checkin"
    ANSWER_CHECKIN = "answer_checkin"
    PAUSE_SELF = "pause_self"
    LEAVE = "leave"
    INVITE = "invite"
    REVOKE_INVITATION = "revoke_invitation"
    MAKE_COORDINATOR = "make_coordinator"
    TAKE_BACK_COORDINATOR = "take_back_coordinator"
    CONFIRM_JOIN = "confirm_join"
    REMOVE_MEMBER = "remove_member"
    MARK_DO_NOT_INVITE = "mark_do_not_invite"
    LIST_MEMBERS = "list_members"
    JOIN_AS_FAMILY = "join_as_family"
    ASK_HELP = "ask_help"
    ANSWER_HELP = "answer_help"
    CONTACT_PROFESSIONAL = "contact_professional"
    ANSWER_CONTACT = "answer_contact"
    CHOOSE_PULSE = "choose_pulse"
    EXTEND_FOLLOW_UP = "extend_follow_up"
    CHOOSE_GROUP_LANGUAGE = "choose_group_language"
    ANSWER_NETWORK_CHECKIN = "answer_network_checkin"
    DISSOLVE_CIRCLE = "dissolve_circle"
    VIEW_HOW_IT_WENT = "view_how_it_went"
    ANSWER_YOUNG_CHECKIN = "answer_young_checkin"
    PROPOSE_MENTOR = "propose_mentor"
    DECIDE_MENTOR = "decide_mentor"
    GIVE_YOUNG_VIEW = "give_young_view"
    SEE_YOUNG_VIEW = "see_young_view"
    ASK_WHO_QUESTIONS = "ask_who_questions"
    SET_SHARING = "set_sharing"
    POST_REQUEST = "post_request"
    ANSWER_REQUEST = "answer_request"
    RECORD_GIVING = "record_giving"
    THANK_FAMILY = "thank_family"
    ANSWER_REVIEW = "answer_review"
    ASK_NETWORK_REVIEW = "ask_network_review"
    ANSWER_NETWORK_REVIEW = "answer_network_review"
    ANSWER_SUPPORT = "answer_support"


FAMILY_ROLES = frozenset({Role.COORDINATOR, Role.FAMILY})
MEMBERS = frozenset({Role.COORDINATOR, Role.FAMILY, Role.NETWORK, Role.YOUNG})

#: The matrix. A role missing from an action's set may not do it.
RULES: dict[Action, frozenset[Role]] = {
    Action.VIEW_PLAN: MEMBERS,  # the professional sees no content (domain rule 6)
    Action.VIEW_SAFETY_PLAN: FAMILY_ROLES,
    Action.EDIT_SAFETY_PLAN: frozenset({Role.COORDINATOR}),
    Action.MAKE_AGREEMENT: frozenset({Role.COORDINATOR}),
    Action.SUGGEST_AGREEMENT: frozenset({Role.PROFESSIONAL}),
    Action.MANAGE_AGREEMENT: frozenset({Role.COORDINATOR}),
    Action.ANSWER_AGREEMENT: MEMBERS,  # and only the doer: checked on the agreement itself
    Action.STEP_BACK: MEMBERS,  # and only the doer
    Action.THANK: FAMILY_ROLES,
    Action.CHOOSE_CHECKIN: frozenset({Role.COORDINATOR}),
    Action.ANSWER_CHECKIN: FAMILY_ROLES,
    Action.PAUSE_SELF: MEMBERS,
    Action.LEAVE: MEMBERS,
    Action.INVITE: frozenset({Role.COORDINATOR}),
    Action.REVOKE_INVITATION: frozenset({Role.COORDINATOR}),
    Action.MAKE_COORDINATOR: frozenset({Role.COORDINATOR}),
    Action.TAKE_BACK_COORDINATOR: frozenset({Role.COORDINATOR}),  # never the circle's last one
    # the family decides who belongs: a coordinator confirms every newcomer, and can take people out
    Action.CONFIRM_JOIN: frozenset({Role.COORDINATOR}),
    Action.REMOVE_MEMBER: frozenset({Role.COORDINATOR}),  # after a second, explicit "yes"
    Action.MARK_DO_NOT_INVITE: frozenset({Role.COORDINATOR}),
    Action.LIST_MEMBERS: frozenset({Role.COORDINATOR, Role.FAMILY}),
    # "I live in this household", pressed in the family's own group: asks; a coordinator decides
    Action.JOIN_AS_FAMILY: frozenset({Role.STRANGER, Role.FAMILY, Role.COORDINATOR}),
    # when it goes wrong: the family asks (rule 5); network members answer when asked
    Action.ASK_HELP: FAMILY_ROLES,
    Action.ANSWER_HELP: MEMBERS,  # and only the one asked: checked on the ask itself
    # during the follow-up period; never the network. A young person's request stays private.
    Action.CONTACT_PROFESSIONAL: FAMILY_ROLES | {Role.YOUNG},
    Action.ANSWER_CONTACT: frozenset({Role.PROFESSIONAL}),
    Action.CHOOSE_PULSE: frozenset({Role.COORDINATOR}),
    Action.EXTEND_FOLLOW_UP: frozenset({Role.COORDINATOR}),
    Action.CHOOSE_GROUP_LANGUAGE: frozenset({Role.COORDINATOR}),
    # a network member's own check-in (and its pause, stop and sharing): only their own
    Action.ANSWER_NETWORK_CHECKIN: frozenset({Role.NETWORK}),
    Action.DISSOLVE_CIRCLE: frozenset({Role.COORDINATOR}),  # after a second, explicit "yes"
    Action.VIEW_HOW_IT_WENT: frozenset({Role.COORDINATOR}),  # counts over three months, for a review
    # the young person's own voice: their check-in (its rhythm, what they share), the trusted adult
    # they propose (the parents agree first), and their say on agreements and people
    Action.ANSWER_YOUNG_CHECKIN: frozenset({Role.YOUNG}),  # and only their own
    Action.PROPOSE_MENTOR: frozenset({Role.YOUNG}),
    Action.DECIDE_MENTOR: frozenset({Role.COORDINATOR}),
    Action.GIVE_YOUNG_VIEW: frozenset({Role.YOUNG}),
    Action.SEE_YOUNG_VIEW: frozenset({Role.COORDINATOR}),  # never the person marked, nor the network
    # growing the circle and sharing by choice (issue 22): the family's own list of names (and the
    # young person's own), who may know what, open requests, and help that goes both ways
    Action.ASK_WHO_QUESTIONS: frozenset({Role.COORDINATOR, Role.YOUNG}),  # each their own list
    Action.SET_SHARING: frozenset({Role.COORDINATOR}),
    Action.POST_REQUEST: frozenset({Role.COORDINATOR}),
    Action.ANSWER_REQUEST: MEMBERS,  # and only those asked: checked on the ask itself
    Action.RECORD_GIVING: FAMILY_ROLES,
    Action.THANK_FAMILY: frozenset({Role.NETWORK, Role.YOUNG}),
    # looking back together (issue 23): the family answers the review; the network only when the
    # family wants it, about their own part; felt support for the family and the young person apart
    Action.ANSWER_REVIEW: FAMILY_ROLES,
    Action.ASK_NETWORK_REVIEW: frozenset({Role.COORDINATOR}),
    Action.ANSWER_NETWORK_REVIEW: frozenset({Role.NETWORK}),  # and only their own
    Action.ANSWER_SUPPORT: FAMILY_ROLES | {Role.YOUNG},  # each their own answers
}


class NotAllowed(Exception):
    """The person may not do this here. Deliberately says nothing more."""


class NoLongerPossible(NotAllowed):
    """This cannot be done (any more): a choice that is not offered, nothing left to pause or
    stop, someone who is no longer a member. Asked with a button, the button is stale or forged."""


class Access:
    """Who the person is in the circle they act on."""

    def __init__(self, circle: Circle, role: Role, member: Member | None) -> None:
        self.circle = circle
        self.role = role
        self.member = member

    @property
    def is_family(self) -> bool:
        return self.role in FAMILY_ROLES


async def role_in(session: AsyncSession, person_id: int | None, circle: Circle) -> tuple[Role, Member | None]:
    if person_id is None:
        return Role.STRANGER, None
    member = await session.scalar(
        select(Member).where(
            Member.circle_id == circle.id, Member.person_id == person_id, Member.status == MemberStatus.ACTIVE
        )
    )
    if member is not None:
        if member.role == MemberRole.NETWORK:
            return Role.NETWORK, member
        if member.role == MemberRole.YOUNG:
            return Role.YOUNG, member
        return (Role.COORDINATOR if member.is_coordinator else Role.FAMILY), member
    if circle.professional_id is not None:
        professional = await session.get(Professional, circle.professional_id)
        if professional and professional.person_id == person_id and professional.status == ProfessionalStatus.ACTIVE:
            return Role.PROFESSIONAL, None
    return Role.STRANGER, None


async def authorize(session: AsyncSession, person_id: int | None, circle_id: int | None, action: Action) -> Access:
    """The person's access to the circle for ``action``; raises :class:`NotAllowed` otherwise."""
    circle = await session.get(Circle, circle_id) if circle_id is not None else None
    if circle is None:
        log.info("denied: no such circle", extra={"person_id": person_id, "action": action.value})
        raise NotAllowed(action)
    role, member = await role_in(session, person_id, circle)
    if role not in RULES[action]:
        log.info(
            "denied", extra={"person_id": person_id, "circle_id": circle.id, "role": role.value, "action": action.value}
        )
        raise NotAllowed(action)
    return Access(circle, role, member)


async def authorize_own(
    session: AsyncSession, person_id: int | None, circle_id: int | None, action: Action, member_id: int
) -> Member:
    """As :func:`authorize`, and only as that member (returned): a check-in, an ask or an answer
    that is someone's own (ids in buttons are never trusted)."""
    access = await authorize(session, person_id, circle_id, action)
    if access.member is None or access.member.id != member_id:
        log.info(
            "denied: not their own", extra={"person_id": person_id, "circle_id": circle_id, "action": action.value}
        )
        raise NotAllowed(action)
    return access.member


async def still_allowed(session: AsyncSession, person_id: int | None, circle_id: int | None, action: Action) -> bool:
    """At send time: whether the recipient of a queued message still has the role it was queued
    for. A parent whose coordinator role was taken back, or who left, gets nothing of the young
    person's that was queued for them (a pause can hold a message for weeks)."""
    if person_id is None or circle_id is None:
        return False
    circle = await session.get(Circle, circle_id)
    return circle is not None and (await role_in(session, person_id, circle))[0] in RULES[action]
