"""When it goes wrong: a family member asks someone named in their own "als het misgaat" plan.

Nobody is messaged until a family member presses (domain rule 5). The person asked answers with
one tap, and the family sees it: in the group, or — when the family member asked privately —
only the one who asked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, HelpAnswer, HelpAsk, Member, MemberStatus, Person, PlanStep, StepKind
from bot.services import audit, authz, notifications
from bot.services.authz import Action


async def ask(session: AsyncSession, step_id: int, *, person_id: int, private: bool, now: datetime) -> HelpAsk:
    """Ask the member named in this plan step; ``private``: asked in a private chat."""
    step = await session.get(PlanStep, step_id)
    if step is None or step.kind != StepKind.ASK or step.member_id is None:
        raise authz.NotAllowed(Action.ASK_HELP)
    access = await authz.authorize(session, person_id, step.circle_id, Action.ASK_HELP)
    helper = await session.get(Member, step.member_id)
    if helper is None or helper.status != MemberStatus.ACTIVE or helper.person_id is None or access.member is None:
        raise authz.NotAllowed(Action.ASK_HELP)
    request = HelpAsk(circle_id=step.circle_id, asked_by_member_id=access.member.id, helper_member_id=helper.id,
                      private=private, created_at=now)
    session.add(request)
    await session.flush()
    await notifications.tell_member(session, access.circle, helper.id, kind="help.ask", key=f"help.ask:{request.id}",
                                    payload={"ask_id": request.id}, now=now)
    audit.record(session, at=now, action="help.asked", actor_person_id=person_id, circle_id=step.circle_id,
                 subject_type="help_ask", subject_id=request.id)
    return request


async def answer(session: AsyncSession, ask_id: int, *, person_id: int, answer: HelpAnswer, now: datetime) -> HelpAsk:
    """The one asked answers (again, if they change their mind); the asker hears it."""
    request = await session.get(HelpAsk, ask_id)
    if request is None:
        raise authz.NotAllowed(Action.ANSWER_HELP)
    access = await authz.authorize(session, person_id, request.circle_id, Action.ANSWER_HELP)
    if access.member is None or access.member.id != request.helper_member_id:
        raise authz.NotAllowed(Action.ANSWER_HELP)
    request.answer, request.answered_at = answer, now
    key = f"help.answer:{request.id}:{answer.value}"
    payload = {"ask_id": request.id}
    if request.private:
        asker = await session.get(Member, request.asked_by_member_id)
        person = await session.get(Person, asker.person_id) if asker and asker.person_id else None
        if person is not None:
            await notifications.tell_person(session, person, circle_id=request.circle_id, kind="help.answer", key=key,
                                            payload=payload, now=now)
    else:
        circle = await session.get_one(Circle, request.circle_id)
        await notifications.tell_family(session, circle, kind="help.answer", key=key, payload=payload, now=now)
    audit.record(session, at=now, action="help.answered", actor_person_id=person_id, circle_id=request.circle_id,
                 subject_type="help_ask", subject_id=request.id, detail={"answer": answer.value})
    return request
