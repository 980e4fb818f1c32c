"""Who-questions ("Wie vertrouw jij?", seed 003, Bijlage II): a few at a time, at the family's own
pace. Each answer is a name kept privately (``WhoName``): not a member, nobody is contacted. A
coordinator keeps the family's list and can invite a name with one tap (the usual confirmed
invitation); the young person keeps a list of their own that only they see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Circle, Member, MemberRole, MemberStatus, WhoName
from bot.services import audit, authz, circles
from bot.services.authz import Action

#: The questions, in the order they are asked (keys: the texts live in ``bot.messages``). Shared
#: by the family's list and the young person's own.
QUESTIONS = ("trust", "asks", "there", "fish", "key", "laugh", "news", "talk", "first", "party")
#: How many questions one round asks: a few at a time, never a long form.
ROUND = 3
#: A list holds at most this many names (a list, not an address book).
MAX_NAMES = 40
#: Fewer active network members than this: Kring offers the who-questions, gently.
FEW = 2


@dataclass(frozen=True)
class Asker:
    """Who goes through the questions, and whose list the answers go on."""

    member_id: int
    young: bool  # the young person's own list (else the family's)
    circle_name: str


@dataclass(frozen=True)
class Name:
    id: int
    name: str
    question: str
    invited: bool  # invited (or joined) from this list


async def _asker(session: AsyncSession, circle_id: int, person_id: int | None) -> tuple[authz.Access, Member]:
    access = await authz.authorize(session, person_id, circle_id, Action.ASK_WHO_QUESTIONS)
    assert access.member is not None  # both roles are members
    return access, access.member


async def asker(session: AsyncSession, circle_id: int, *, person_id: int | None) -> Asker:
    access, member = await _asker(session, circle_id, person_id)
    return Asker(member.id, member.role == MemberRole.YOUNG, access.circle.name)


def _whose(member: Member) -> object:
    """The rows of this member's list: the young person's own, or the family's (every
    coordinator's answers: the family keeps one list)."""
    if member.role == MemberRole.YOUNG:
        return WhoName.asked_by_member_id == member.id
    family = select(Member.id).where(Member.circle_id == member.circle_id, Member.role != MemberRole.YOUNG)
    return WhoName.asked_by_member_id.in_(family.scalar_subquery())


async def _rows(session: AsyncSession, member: Member) -> list[WhoName]:
    return list(
        await session.scalars(
            select(WhoName).where(WhoName.circle_id == member.circle_id, _whose(member)).order_by(WhoName.id)  # type: ignore[arg-type]
        )
    )


async def _invited(session: AsyncSession, row: WhoName) -> bool:
    if row.invited_member_id is None:
        return False
    invited = await session.get(Member, row.invited_member_id)
    return invited is not None and invited.status in (MemberStatus.INVITED, MemberStatus.ACTIVE)


async def names(session: AsyncSession, circle_id: int, *, person_id: int | None) -> list[Name]:
    """The list of the person asking (the family's, or the young person's own)."""
    _access, member = await _asker(session, circle_id, person_id)
    return [Name(r.id, r.name, r.question, await _invited(session, r)) for r in await _rows(session, member)]


async def next_questions(session: AsyncSession, circle_id: int, *, person_id: int | None) -> list[str]:
    """The next round: questions this list has no name for yet (skipped ones come back later);
    once every question has a name, the round starts again from the top."""
    _access, member = await _asker(session, circle_id, person_id)
    answered = {r.question for r in await _rows(session, member)}
    open_ = [q for q in QUESTIONS if q not in answered]
    return (open_ or list(QUESTIONS))[:ROUND]


async def is_full(session: AsyncSession, circle_id: int, *, person_id: int | None) -> bool:
    _access, member = await _asker(session, circle_id, person_id)
    return len(await _rows(session, member)) >= MAX_NAMES


async def add(
    session: AsyncSession, circle_id: int, *, person_id: int, question: str, name: str, now: datetime
) -> bool:
    """Keep one answer; ``False`` when the name is already on the list or the list is full."""
    if question not in QUESTIONS:
        raise authz.NoLongerPossible(Action.ASK_WHO_QUESTIONS)
    _access, member = await _asker(session, circle_id, person_id)
    rows = await _rows(session, member)
    if len(rows) >= MAX_NAMES or name.casefold() in {r.name.casefold() for r in rows}:
        return False
    row = WhoName(circle_id=circle_id, asked_by_member_id=member.id, question=question, name=name, created_at=now)
    session.add(row)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="who.named",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="who_name",
        subject_id=row.id,
    )
    return True


async def _own_row(session: AsyncSession, who_name_id: int, person_id: int | None) -> tuple[WhoName, Member]:
    row = await session.get(WhoName, who_name_id)
    if row is None:
        raise authz.NoLongerPossible(Action.ASK_WHO_QUESTIONS)
    _access, member = await _asker(session, row.circle_id, person_id)
    if row.id not in {r.id for r in await _rows(session, member)}:
        raise authz.NotAllowed(Action.ASK_WHO_QUESTIONS)  # someone else's list
    return row, member


async def invite(session: AsyncSession, who_name_id: int, *, person_id: int, now: datetime) -> tuple[Member, str]:
    """One tap: the name on the family's list becomes the usual invitation (a link to pass on;
    the family confirms whoever opens it). Only for the family's list, by a coordinator."""
    row, member = await _own_row(session, who_name_id, person_id)
    if member.role == MemberRole.YOUNG or await _invited(session, row):
        raise authz.NoLongerPossible(Action.INVITE)
    invited, token = await circles.invite(
        session, row.circle_id, person_id=person_id, name=row.name, role=MemberRole.NETWORK, helps_with=None, now=now
    )
    row.invited_member_id = invited.id
    return invited, token


async def few_people(session: AsyncSession, circle_id: int) -> bool:
    """Fewer than two people around the family: the moment to offer the who-questions."""
    count = await session.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.circle_id == circle_id,
            Member.role == MemberRole.NETWORK,
            Member.status == MemberStatus.ACTIVE,
        )
    )
    return (count or 0) < FEW


async def may_offer(session: AsyncSession, circle_id: int, *, person_id: int | None) -> bool:
    """Whether to mention /who to this person now (never forced: a line, not a question)."""
    circle = await session.get(Circle, circle_id)
    if (
        circle is None
        or (await authz.role_in(session, person_id, circle))[0] not in authz.RULES[Action.ASK_WHO_QUESTIONS]
    ):
        return False
    return await few_people(session, circle_id)


# -- the person's own data -------------------------------------------------------------------


async def own_names(session: AsyncSession, member_ids: list[int]) -> list[WhoName]:
    """For /mydata: the names this person wrote down."""
    return list(
        await session.scalars(select(WhoName).where(WhoName.asked_by_member_id.in_(member_ids)).order_by(WhoName.id))
    )


async def count_own(session: AsyncSession, person_id: int) -> int:
    """For /forget: how many names this person wrote down, in all circles."""
    mine = select(Member.id).where(Member.person_id == person_id).scalar_subquery()
    return (
        await session.scalar(select(func.count()).select_from(WhoName).where(WhoName.asked_by_member_id.in_(mine))) or 0
    )


async def forget_own(session: AsyncSession, person_id: int, *, now: datetime) -> int:
    """/forget: wipe the names this person wrote down (the rest of their data stays)."""
    mine = select(Member.id).where(Member.person_id == person_id).scalar_subquery()
    result = await session.execute(delete(WhoName).where(WhoName.asked_by_member_id.in_(mine)))
    audit.record(session, at=now, action="who.forgotten", actor_person_id=person_id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
