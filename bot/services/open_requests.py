"""Open requests: the family posts a need to the circle ("Wie kan zaterdag de boodschappen doen?"),
to everyone or to chosen people. Each person asked answers privately; the first yes takes it, the
family hears who, the others hear only that it is taken. Nobody sees who said no.

Asking is hard and answering easy: so a request is one tap to answer, and it ends by itself.
It expires at ``expires_at``: the buttons stop working then and the sender drops an ask not yet
sent; the one who asked hears that nobody took it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementStatus,
    Circle,
    Member,
    MemberRole,
    MemberStatus,
    OpenRequest,
    OpenRequestAsk,
    OpenRequestStatus,
    Person,
    RequestAnswer,
    SupportKind,
    Visibility,
)
from bot.services import agreements, audit, authz, notifications
from bot.services.authz import Action

MAX_WHAT = 200
#: How long a request stays open, in days: the choices, and the tip.
LASTS = (1, 3, 7)
LASTS_TIP = 3


async def _poster(session: AsyncSession, circle_id: int, person_id: int | None) -> authz.Access:
    access = await authz.authorize(session, person_id, circle_id, Action.POST_REQUEST)
    assert access.member is not None  # only a member leads a circle
    return access


async def check_can_post(session: AsyncSession, circle_id: int, *, person_id: int | None) -> None:
    await _poster(session, circle_id, person_id)


async def askable(session: AsyncSession, circle_id: int, *, person_id: int | None) -> list[Member]:
    """Whom a request can go to: everyone active in the circle with a Telegram account, but the
    one who asks (the professional is no member and never asked)."""
    access = await _poster(session, circle_id, person_id)
    assert access.member is not None
    found = await session.scalars(
        select(Member)
        .where(
            Member.circle_id == circle_id,
            Member.status == MemberStatus.ACTIVE,
            Member.person_id.is_not(None),
            Member.id != access.member.id,
        )
        .order_by(Member.id)
    )
    return list(found)


async def post(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    what: str,
    member_ids: list[int] | None,
    days: int,
    now: datetime,
) -> OpenRequest:
    """Post a request to ``member_ids`` (``None``: everyone askable); each is asked privately."""
    access = await _poster(session, circle_id, person_id)
    assert access.member is not None
    if days not in LASTS:
        raise authz.NoLongerPossible(Action.POST_REQUEST)
    everyone = {m.id: m for m in await askable(session, circle_id, person_id=person_id)}
    chosen = [everyone[i] for i in member_ids if i in everyone] if member_ids is not None else list(everyone.values())
    if not chosen:
        raise authz.NoLongerPossible(Action.POST_REQUEST)  # the people chosen left in the meantime
    request = OpenRequest(
        circle_id=circle_id,
        by_member_id=access.member.id,
        what=what,
        status=OpenRequestStatus.OPEN,
        expires_at=now + timedelta(days=days),
        created_at=now,
    )
    session.add(request)
    await session.flush()
    for member in chosen:
        ask = OpenRequestAsk(request_id=request.id, member_id=member.id)
        session.add(ask)
        await session.flush()
        await _tell_privately(
            session,
            member,
            kind=DeliveryKind.REQUEST_ASK,
            key=f"request.ask:{ask.id}",
            payload={"ask_id": ask.id},
            now=now,
        )
    await _tell_privately(
        session,
        access.member,
        kind=DeliveryKind.REQUEST_EXPIRED,
        key=f"request.expired:{request.id}",
        payload={"request_id": request.id},
        now=now,
        due_at=request.expires_at,
    )
    audit.record(
        session,
        at=now,
        action="request.posted",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="open_request",
        subject_id=request.id,
        detail={"asked": len(chosen), "days": days},
    )
    return request


async def _tell_privately(
    session: AsyncSession,
    member: Member,
    *,
    kind: DeliveryKind,
    key: str,
    payload: dict[str, int],
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    """Always a private chat (never the family's group): an answer is each person's own."""
    person = await session.get(Person, member.person_id) if member.person_id is not None else None
    if person is None:
        return
    due = due_at or now
    if member.paused_until is not None:
        due = max(due, member.paused_until)
    await notifications.tell_person(
        session, person, circle_id=member.circle_id, kind=kind, key=key, payload=payload, now=now, due_at=due
    )


async def asked_count(session: AsyncSession, request_id: int) -> int:
    return len(list(await session.scalars(select(OpenRequestAsk.id).where(OpenRequestAsk.request_id == request_id))))


def is_open(request: OpenRequest, now: datetime) -> bool:
    return request.status == OpenRequestStatus.OPEN and now < request.expires_at


class Outcome(enum.StrEnum):
    TAKEN_BY_YOU = "taken_by_you"
    ALREADY_TAKEN = "already_taken"  # someone else was first
    NOT_THIS_TIME = "not_this_time"
    CLOSED = "closed"  # expired or withdrawn


@dataclass(frozen=True)
class Answered:
    outcome: Outcome
    request: OpenRequest
    poster: Member


async def answer(session: AsyncSession, ask_id: int, *, person_id: int, yes: bool, now: datetime) -> Answered:
    """An answer of the one asked. The first yes takes the request (the row is locked, so two
    people at once cannot both take it); a no is kept for the one who gave it, and told nobody."""
    ask = await session.get(OpenRequestAsk, ask_id)
    if ask is None:
        raise authz.NoLongerPossible(Action.ANSWER_REQUEST)
    request = await session.get(OpenRequest, ask.request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise authz.NoLongerPossible(Action.ANSWER_REQUEST)
    await authz.authorize_own(
        session, person_id, request.circle_id, Action.ANSWER_REQUEST, ask.member_id
    )  # only the one asked
    poster = await session.get_one(Member, request.by_member_id)
    if request.status == OpenRequestStatus.OPEN and now >= request.expires_at:
        request.status = OpenRequestStatus.EXPIRED
    if request.status == OpenRequestStatus.TAKEN and request.taken_by_member_id != ask.member_id:
        return Answered(Outcome.ALREADY_TAKEN, request, poster)
    if request.status != OpenRequestStatus.OPEN:
        if request.status == OpenRequestStatus.TAKEN:
            return Answered(Outcome.TAKEN_BY_YOU, request, poster)  # a second press on "Ik doe het"
        return Answered(Outcome.CLOSED, request, poster)
    ask.answer, ask.answered_at = (RequestAnswer.YES if yes else RequestAnswer.NOT_THIS_TIME), now
    if not yes:
        return Answered(Outcome.NOT_THIS_TIME, request, poster)
    request.status, request.taken_by_member_id = OpenRequestStatus.TAKEN, ask.member_id
    audit.record(
        session,
        at=now,
        action="request.taken",
        actor_person_id=person_id,
        circle_id=request.circle_id,
        subject_type="open_request",
        subject_id=request.id,
    )
    circle = await session.get_one(Circle, request.circle_id)
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.REQUEST_TAKEN,
        key=f"request.taken:{request.id}",
        payload={"request_id": request.id},
        now=now,
    )
    others = await session.scalars(
        select(OpenRequestAsk).where(OpenRequestAsk.request_id == request.id, OpenRequestAsk.id != ask.id)
    )
    for other in others:
        member = await session.get(Member, other.member_id)
        if member is not None and member.status == MemberStatus.ACTIVE:
            await _tell_privately(
                session,
                member,
                kind=DeliveryKind.REQUEST_GONE,
                key=f"request.gone:{other.id}",
                payload={"ask_id": other.id},
                now=now,
            )
    return Answered(Outcome.TAKEN_BY_YOU, request, poster)


@dataclass(frozen=True)
class AskView:
    """One person's ask, for the messages about it."""

    ask: OpenRequestAsk
    request: OpenRequest
    member: Member
    poster: Member


async def ask_view(session: AsyncSession, ask_id: object) -> AskView | None:
    ask = await session.get(OpenRequestAsk, ask_id) if isinstance(ask_id, int) else None
    if ask is None:
        return None
    request = await session.get_one(OpenRequest, ask.request_id)
    member = await session.get(Member, ask.member_id)
    poster = await session.get(Member, request.by_member_id)
    if member is None or poster is None or member.status != MemberStatus.ACTIVE:
        return None
    return AskView(ask, request, member, poster)


@dataclass(frozen=True)
class RequestView:
    request: OpenRequest
    poster: Member
    taker: Member | None


async def request_view(session: AsyncSession, request_id: object) -> RequestView | None:
    request = await session.get(OpenRequest, request_id) if isinstance(request_id, int) else None
    if request is None:
        return None
    poster = await session.get(Member, request.by_member_id)
    taker = await session.get(Member, request.taken_by_member_id) if request.taken_by_member_id else None
    if poster is None:
        return None
    return RequestView(request, poster, taker)


async def make_agreement(session: AsyncSession, request_id: int, *, person_id: int, now: datetime) -> Agreement:
    """One tap: the yes becomes an agreement "when needed" for the one who took it. They said yes
    already, so it is active at once (their question about it is not sent); only the family and
    they see it, as the request may have gone to chosen people only."""
    request = await session.get(OpenRequest, request_id, with_for_update=True)
    if request is None:
        raise authz.NoLongerPossible(Action.MAKE_AGREEMENT)
    await authz.authorize(session, person_id, request.circle_id, Action.MAKE_AGREEMENT)
    if request.status != OpenRequestStatus.TAKEN or request.taken_by_member_id is None or request.agreement_id:
        raise authz.NoLongerPossible(Action.MAKE_AGREEMENT)
    agreement = await agreements.make(
        session,
        request.circle_id,
        person_id=person_id,
        doer_member_id=request.taken_by_member_id,
        what=request.what,
        for_whom=None,
        support_kind=SupportKind.PRACTICAL,
        when=None,
        backup_member_id=None,
        visibility=Visibility.FAMILY_AND_DOER,
        now=now,
    )
    agreement.status = AgreementStatus.ACTIVE  # the doer's yes was the "Ik doe het"
    request.agreement_id = agreement.id
    audit.record(
        session,
        at=now,
        action="request.agreement",
        actor_person_id=person_id,
        circle_id=request.circle_id,
        subject_type="open_request",
        subject_id=request.id,
        detail={"agreement_id": agreement.id},
    )
    return agreement


def young(member: Member) -> bool:
    return member.role == MemberRole.YOUNG
