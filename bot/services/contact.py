"""Contact with the former professional: only when a family member asks (domain rule 4).

Kring never contacts the professional on its own — not on a "not good" answer, not on a missed
agreement, not on silence. A request is never lost either: if the professional has not answered
in time, the asker is told plainly and gets the organisation's contact details and the helplines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Circle,
    ContactRequest,
    ContactRequestStatus,
    Member,
    Person,
    Professional,
    ProfessionalStatus,
    Urgency,
)
from bot.services import audit, authz, notifications
from bot.services.authz import Action

MAX_MESSAGE = 500
WORKDAY = (time(9, 0), time(17, 0))  # Monday to Friday, in the circle's time zone
ANSWER_WITHIN = {Urgency.TODAY: timedelta(hours=4), Urgency.THIS_WEEK: timedelta(hours=16)}  # 2 working days
ANSWERS = ("today", "this_week")


class NoFollowUp(Exception):
    """The circle has no professional (any more): the follow-up period is over."""


def add_working_hours(start: datetime, amount: timedelta, tz: ZoneInfo) -> datetime:
    """``start`` plus ``amount`` of working time (Monday–Friday, 09:00–17:00 in ``tz``)."""
    moment, left = start.astimezone(tz), amount
    while True:
        day_start = moment.replace(hour=WORKDAY[0].hour, minute=0, second=0, microsecond=0)
        day_end = moment.replace(hour=WORKDAY[1].hour, minute=0, second=0, microsecond=0)
        if moment.weekday() >= 5 or moment >= day_end:
            moment = day_start + timedelta(days=1)
            continue
        moment = max(moment, day_start)
        if moment + left <= day_end:
            return (moment + left).astimezone(start.tzinfo)
        left -= day_end - moment
        moment = day_start + timedelta(days=1)


async def professional_of(session: AsyncSession, circle: Circle, today_at: datetime) -> Professional | None:
    """The professional while the follow-up period lasts, else ``None``."""
    if circle.professional_id is None or circle.follow_up_ends_on is None:
        return None
    if today_at.astimezone(ZoneInfo(circle.time_zone)).date() > circle.follow_up_ends_on:
        return None
    professional = await session.get(Professional, circle.professional_id)
    if professional is None or professional.status != ProfessionalStatus.ACTIVE or professional.person_id is None:
        return None
    return professional


async def check_can_ask(
    session: AsyncSession, circle_id: int, *, person_id: int | None, now: datetime
) -> tuple[authz.Access, Professional]:
    """A family member during the follow-up period; raises ``NotAllowed`` or :class:`NoFollowUp`."""
    access = await authz.authorize(session, person_id, circle_id, Action.CONTACT_PROFESSIONAL)
    professional = await professional_of(session, access.circle, now)
    if professional is None:
        raise NoFollowUp(circle_id)
    return access, professional


async def check_still_can_ask(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> None:
    """For a request being written: a follow-up that ended meanwhile makes it no longer possible."""
    try:
        await check_can_ask(session, circle_id, person_id=person_id, now=now)
    except NoFollowUp:
        raise authz.NoLongerPossible(Action.CONTACT_PROFESSIONAL) from None


async def check_from_chat(
    session: AsyncSession, circle_id: int, *, person_id: int, chat_id: int, private: bool
) -> None:
    """The 📞 button of the help view: a family member, privately or in the family's own group
    (a button carried into another group is refused)."""
    access = await authz.authorize(session, person_id, circle_id, Action.CONTACT_PROFESSIONAL)
    if not private and chat_id != access.circle.group_chat_id:
        raise authz.NotAllowed(Action.CONTACT_PROFESSIONAL)


async def circle_zone(session: AsyncSession, circle_id: int) -> ZoneInfo:
    return ZoneInfo((await session.get_one(Circle, circle_id)).time_zone)


async def request(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    urgency: Urgency,
    message: str | None,
    private: bool,
    now: datetime,
) -> ContactRequest:
    """The family member confirmed: now (and only now) the professional hears of it."""
    access, professional = await check_can_ask(session, circle_id, person_id=person_id, now=now)
    assert access.member is not None and professional.person_id is not None
    due = add_working_hours(now, ANSWER_WITHIN[urgency], ZoneInfo(access.circle.time_zone))
    asked = ContactRequest(
        circle_id=circle_id,
        asked_by_member_id=access.member.id,
        professional_id=professional.id,
        urgency=urgency,
        message=message,
        private=private,
        status=ContactRequestStatus.OPEN,
        answer_due_at=due,
        created_at=now,
    )
    session.add(asked)
    await session.flush()
    person = await session.get_one(Person, professional.person_id)
    await notifications.tell_person(
        session,
        person,
        circle_id=circle_id,
        kind=DeliveryKind.CONTACT_REQUEST,
        key=f"contact.request:{asked.id}",
        payload={"request_id": asked.id},
        now=now,
    )
    await _tell_asker(
        session, asked, kind=DeliveryKind.CONTACT_TIMEOUT, key=f"contact.timeout:{asked.id}", now=now, due_at=due
    )
    audit.record(
        session,
        at=now,
        action="contact.requested",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="contact_request",
        subject_id=asked.id,
        detail={"urgency": urgency.value},
    )
    return asked


async def answer(
    session: AsyncSession, request_id: int, *, person_id: int, answer: str, now: datetime
) -> ContactRequest:
    """The professional answers with a tap; the asker (or the group, if asked there) sees it."""
    asked = await session.get(ContactRequest, request_id)
    if asked is None or answer not in ANSWERS:
        raise authz.NotAllowed(Action.ANSWER_CONTACT)
    await authz.authorize(session, person_id, asked.circle_id, Action.ANSWER_CONTACT)
    if asked.status == ContactRequestStatus.ANSWERED:
        raise authz.NotAllowed(Action.ANSWER_CONTACT)  # answered once; a note can follow as text
    asked.status, asked.answer, asked.answered_at = ContactRequestStatus.ANSWERED, answer, now
    await _tell_asker(session, asked, kind=DeliveryKind.CONTACT_ANSWER, key=f"contact.answer:{asked.id}", now=now)
    audit.record(
        session,
        at=now,
        action="contact.answered",
        actor_person_id=person_id,
        circle_id=asked.circle_id,
        subject_type="contact_request",
        subject_id=asked.id,
        detail={"answer": answer},
    )
    return asked


@dataclass(frozen=True)
class Readers:
    """Who reads the professional's answer: the family's group (its circle's name), or only the asker."""

    group: str | None
    asker: str


async def readers(session: AsyncSession, asked: ContactRequest) -> Readers:
    circle = await session.get_one(Circle, asked.circle_id)
    asker = await session.get_one(Member, asked.asked_by_member_id)
    return Readers(circle.name if not asked.private and circle.group_chat_id else None, asker.display_name)


async def add_answer_text(session: AsyncSession, request_id: int, *, person_id: int, text: str, now: datetime) -> None:
    asked = await session.get(ContactRequest, request_id)
    if asked is None or asked.status != ContactRequestStatus.ANSWERED:
        raise authz.NotAllowed(Action.ANSWER_CONTACT)
    await authz.authorize(session, person_id, asked.circle_id, Action.ANSWER_CONTACT)
    asked.answer_text = text
    await _tell_asker(
        session,
        asked,
        kind=DeliveryKind.CONTACT_ANSWER_TEXT,
        key=f"contact.answer_text:{asked.id}:{now.isoformat()}",
        now=now,
    )


async def _tell_asker(
    session: AsyncSession,
    asked: ContactRequest,
    *,
    kind: DeliveryKind,
    key: str,
    now: datetime,
    due_at: datetime | None = None,
) -> None:
    """Privately to the one who asked (a young person's request stays private), or in the group."""
    circle = await session.get_one(Circle, asked.circle_id)
    payload = {"request_id": asked.id}
    if not asked.private and circle.group_chat_id is not None:
        await notifications.tell_family(session, circle, kind=kind, key=key, payload=payload, now=now, due_at=due_at)
        return
    asker = await session.get(Member, asked.asked_by_member_id)
    person = await session.get(Person, asker.person_id) if asker and asker.person_id else None
    if person is not None:
        await notifications.tell_person(
            session, person, circle_id=circle.id, kind=kind, key=key, payload=payload, now=now, due_at=due_at
        )


async def open_requests(session: AsyncSession, professional_id: int) -> list[ContactRequest]:
    return list(
        await session.scalars(
            select(ContactRequest).where(
                ContactRequest.professional_id == professional_id, ContactRequest.status == ContactRequestStatus.OPEN
            )
        )
    )


@dataclass(frozen=True)
class RequestView:
    """A request with its circle, the one who asked and the professional asked."""

    request: ContactRequest
    circle: Circle
    asker: Member
    professional: Professional

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.circle.time_zone)

    @property
    def in_group(self) -> bool:
        """The answer is read in the family's group (else only by the one who asked)."""
        return not self.request.private and bool(self.circle.group_chat_id)

    def open_for(self, person_id: int | None) -> bool:
        """Still waiting for this person, who is still the circle's professional."""
        professional = self.professional
        return (
            self.request.status == ContactRequestStatus.OPEN
            and professional.status == ProfessionalStatus.ACTIVE
            and professional.person_id == person_id
        )


async def view(session: AsyncSession, request_id: int | None) -> RequestView | None:
    """The request a message is about (``None``: gone, or its professional is)."""
    asked = await session.get(ContactRequest, request_id) if request_id is not None else None
    if asked is None:
        return None
    professional = await session.get(Professional, asked.professional_id) if asked.professional_id else None
    if professional is None:
        return None
    return RequestView(
        asked,
        await session.get_one(Circle, asked.circle_id),
        await session.get_one(Member, asked.asked_by_member_id),
        professional,
    )


async def time_out(session: AsyncSession, request_id: int | None) -> RequestView | None:
    """No answer in time: the request is timed out (``None``: answered, or gone). Told again
    after a failed send, so it stays marked."""
    found = await view(session, request_id)
    if found is None or found.request.answered_at is not None:
        return None
    found.request.status = ContactRequestStatus.TIMED_OUT
    return found
