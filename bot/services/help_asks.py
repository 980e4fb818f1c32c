"""When it goes wrong: a family member asks someone named in their own "als het misgaat" plan.

Nobody is messaged until a family member presses (domain rule 5). The person asked answers with
one tap, and the family sees it: in the group, or — when the family member asked privately —
only the one who asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Circle,
    HelpAnswer,
    HelpAsk,
    Member,
    MemberStatus,
    Person,
    PlanStep,
    StepKind,
)
from bot.services import audit, authz, circles, contact, notifications, people, safety_plan, sharing
from bot.services.authz import Action
from bot.services.quiet_hours import quiet_until

STILL_USEFUL = timedelta(hours=12)  # a call for help that could not be delivered by then is dropped
ASK_AGAIN_AFTER = timedelta(minutes=30)  # a second tap before this asks nobody twice


@dataclass(frozen=True)
class Asked:
    request: HelpAsk
    helper: Member
    held_until: datetime | None  # the helper's quiet hours: it arrives then
    again: bool  # asked a moment ago already
    zone: ZoneInfo  # the circle's, for the time it arrives


@dataclass(frozen=True)
class HelpView:
    """What /askhelp shows: the family's own steps, who of them Kring can ask, the professional."""

    circle_id: int
    steps: list[safety_plan.StepView]
    askable: list[safety_plan.StepView]
    professional: str | None  # their name, while the follow-up lasts
    full_helplines: bool  # the whole block (privately, or the group's first today); else the button


async def view(
    session: AsyncSession, circle_id: int, *, person_id: int | None, chat_id: int, private: bool, now: datetime
) -> HelpView:
    """For a family member, privately or in the family's own group (a button carried into another
    group is refused)."""
    access = await authz.authorize(session, person_id, circle_id, Action.ASK_HELP)
    if not private and chat_id != access.circle.group_chat_id:
        raise authz.NotAllowed(Action.ASK_HELP)
    steps = (await safety_plan.load(session, circle_id)).steps
    rules = await sharing.rules(session, circle_id)
    if not private:  # everyone in the group reads along: not what someone must not know
        steps = [s for s in steps if not rules.kept_from_someone(sharing.Subject(plan_step_id=s.step.id))]
    askable = [
        s
        for s in steps
        if s.step.kind == StepKind.ASK
        and s.member is not None
        and can_be_asked(s.member, now)
        and sharing.step_seen(rules, s.step, s.member.id)  # never someone who must not know it
    ]
    professional = await contact.professional_of(session, access.circle, now)
    full = private or await full_helplines(session, access.circle, now)
    return HelpView(circle_id, steps, askable, professional.name if professional else None, full)


async def full_helplines(session: AsyncSession, circle: Circle, now: datetime) -> bool:
    """Whether a message to the circle's group shows the whole helplines block: only the first one
    of the circle's local day (children read along); the others carry the button. Marks it shown."""
    today = now.astimezone(ZoneInfo(circle.time_zone)).date()
    if circle.helplines_shown_on == today:
        return False
    circle.helplines_shown_on = today
    return True


async def full_helplines_in_group(session: AsyncSession, circle_id: int, now: datetime) -> bool:
    return await full_helplines(session, await session.get_one(Circle, circle_id), now)


async def circles_to_ask_from(
    session: AsyncSession, person_id: int | None, *, chat_id: int, private: bool
) -> list[Circle]:
    """Where this person may ask for help from this chat: privately, each circle they are family
    in; in a group, only that group's own circle."""
    found = []
    for circle in await circles.circles_of(session, person_id):
        if not private and circle.group_chat_id != chat_id:
            continue
        try:
            await authz.authorize(session, person_id, circle.id, Action.ASK_HELP)
        except authz.NotAllowed:
            continue
        found.append(circle)
    return found


@dataclass(frozen=True)
class AskView:
    """A call for help with the people in it, for the messages about it."""

    request: HelpAsk
    asker: Member
    helper: Member
    circle: Circle


async def ask_view(session: AsyncSession, ask_id: int | None) -> AskView | None:
    asked = await session.get(HelpAsk, ask_id) if ask_id is not None else None
    if asked is None:
        return None
    return AskView(
        asked,
        await session.get_one(Member, asked.asked_by_member_id),
        await session.get_one(Member, asked.helper_member_id),
        await session.get_one(Circle, asked.circle_id),
    )


async def ask(
    session: AsyncSession, step_id: int, *, person_id: int, chat_id: int, private: bool, now: datetime
) -> Asked:
    """Ask the member named in this plan step, from ``chat_id`` (the family's group, or a private
    chat: then the whole exchange stays private)."""
    step = await session.get(PlanStep, step_id)
    if step is None or step.kind != StepKind.ASK or not await sharing.may_be_asked(session, step):
        raise authz.NotAllowed(Action.ASK_HELP)  # never someone who must not know this step
    access = await authz.authorize(session, person_id, step.circle_id, Action.ASK_HELP)
    helper = await session.get(Member, step.member_id)
    if (
        helper is None
        or not can_be_asked(helper, now)
        or access.member is None
        or (not private and access.circle.group_chat_id != chat_id)
    ):  # a button carried to another group
        raise authz.NotAllowed(Action.ASK_HELP)
    person = await session.get_one(Person, helper.person_id)
    zone = ZoneInfo(access.circle.time_zone)
    held_until = quiet_until(now, ZoneInfo(person.time_zone or access.circle.time_zone), *people.quiet_hours(person))
    recent = await session.scalar(
        select(HelpAsk).where(
            HelpAsk.asked_by_member_id == access.member.id,
            HelpAsk.helper_member_id == helper.id,
            HelpAsk.answer.is_(None),
            HelpAsk.created_at > now - ASK_AGAIN_AFTER,
        )
    )
    if recent is not None:  # a second tap: asked already
        return Asked(recent, helper, held_until, again=True, zone=zone)
    request = HelpAsk(
        circle_id=step.circle_id,
        asked_by_member_id=access.member.id,
        helper_member_id=helper.id,
        private=private,
        created_at=now,
    )
    session.add(request)
    await session.flush()
    payload = {"ask_id": request.id, "expires_at": (now + STILL_USEFUL).isoformat()}
    if private:  # privately to the helper too, also when the helper is family with a group
        await notifications.tell_person(
            session,
            person,
            circle_id=step.circle_id,
            kind=DeliveryKind.HELP_ASK,
            key=f"help.ask:{request.id}",
            payload=payload,
            now=now,
        )
    else:
        await notifications.tell_member(
            session,
            access.circle,
            helper.id,
            kind=DeliveryKind.HELP_ASK,
            key=f"help.ask:{request.id}",
            payload=payload,
            now=now,
        )
    audit.record(
        session,
        at=now,
        action="help.asked",
        actor_person_id=person_id,
        circle_id=step.circle_id,
        subject_type="help_ask",
        subject_id=request.id,
    )
    return Asked(request, helper, held_until, again=False, zone=zone)


def can_be_asked(member: Member, now: datetime) -> bool:
    """Active, reachable through Kring, and not on a pause."""
    return (
        member.status == MemberStatus.ACTIVE
        and member.person_id is not None
        and not (member.paused_until and member.paused_until > now)
    )


async def answer(session: AsyncSession, ask_id: int, *, person_id: int, answer: HelpAnswer, now: datetime) -> HelpAsk:
    """The one asked answers (again, if they change their mind); the asker hears it."""
    request = await session.get(HelpAsk, ask_id)
    if request is None:
        raise authz.NotAllowed(Action.ANSWER_HELP)
    await authz.authorize_own(session, person_id, request.circle_id, Action.ANSWER_HELP, request.helper_member_id)
    request.answer, request.answered_at = answer, now
    key = f"help.answer:{request.id}:{now.isoformat()}"  # changing one's mind is told again
    payload = {"ask_id": request.id}
    if request.private:
        asker = await session.get(Member, request.asked_by_member_id)
        person = await session.get(Person, asker.person_id) if asker and asker.person_id else None
        if person is not None:
            await notifications.tell_person(
                session,
                person,
                circle_id=request.circle_id,
                kind=DeliveryKind.HELP_ANSWER,
                key=key,
                payload=payload,
                now=now,
            )
    else:
        circle = await session.get_one(Circle, request.circle_id)
        await notifications.tell_family(
            session, circle, kind=DeliveryKind.HELP_ANSWER, key=key, payload=payload, now=now
        )
    audit.record(
        session,
        at=now,
        action="help.answered",
        actor_person_id=person_id,
        circle_id=request.circle_id,
        subject_type="help_ask",
        subject_id=request.id,
        detail={"answer": answer.value},
    )
    return request
