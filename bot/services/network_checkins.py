"""Check-ins with the network members the family chose: how it goes for *them* in their role.

Coordinators switch it on per network member (default: off). The member hears who chose it and
can pause or stop it themselves. The answers are theirs: the family sees whether they had contact
and whether they want to talk — unless the member said no to that — and a note only when the
member shares it. The professional never sees them; a pulse only counts them. Kring contacts
nobody on its own: "heavy" suggests talking with the family and offers to let them know.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AuditEvent,
    Circle,
    Feeling,
    Frequency,
    HadContact,
    Member,
    MemberRole,
    MemberStatus,
    NetworkCheckin,
    Outcome,
    Schedule,
    SchedulePurpose,
)
from bot.services import audit, authz, consent, notifications, people
from bot.services.authz import Action
from bot.services.consent import Consent

CHOICES = (2, 3, 4)  # weeks between check-ins; 3 is the suggestion
SUGGESTED = 3
AT = time(19, 0)  # in the member's own time zone
FIRST_AFTER = timedelta(weeks=1)
GRACE = timedelta(days=2)  # still sent this late (after quiet hours, a pause, downtime); later it lapses
PAUSE = timedelta(weeks=4)
MAX_NOTE = 500


async def current(session: AsyncSession, member_id: int) -> Schedule | None:
    return await session.scalar(
        select(Schedule).where(
            Schedule.member_id == member_id, Schedule.purpose == SchedulePurpose.NETWORK_CHECKIN, Schedule.active
        )
    )


async def network_members(session: AsyncSession, circle_id: int) -> list[tuple[Member, Schedule | None]]:
    """The circle's active network members with their check-in rhythm (``None``: off)."""
    members = await session.scalars(
        select(Member)
        .where(
            Member.circle_id == circle_id,
            Member.role == MemberRole.NETWORK,
            Member.status == MemberStatus.ACTIVE,
            Member.person_id.is_not(None),
        )
        .order_by(Member.id)
    )
    return [(member, await current(session, member.id)) for member in members]


class StoppedByMember(Exception):
    """The member stopped their check-ins themselves; only they switch them on again."""


async def network_member(session: AsyncSession, member_id: int, circle_id: int) -> Member:
    member = await session.get(Member, member_id)
    if (
        member is None
        or member.circle_id != circle_id
        or member.role != MemberRole.NETWORK
        or member.status != MemberStatus.ACTIVE
        or member.person_id is None
    ):
        raise authz.NotAllowed(Action.CHOOSE_CHECKIN)
    return member


async def choose(
    session: AsyncSession, circle_id: int, member_id: int, *, person_id: int, weeks: int | None, now: datetime
) -> Schedule | None:
    """A coordinator switches one network member's check-in on (every ``weeks``) or off; the
    member hears who chose it and how to stop it."""
    if weeks is not None and weeks not in CHOICES:
        raise authz.NoLongerPossible(weeks)
    access = await authz.authorize(session, person_id, circle_id, Action.CHOOSE_CHECKIN)
    member = await network_member(session, member_id, circle_id)
    if weeks is not None and member.checkin_stopped_at is not None:
        raise StoppedByMember(member.display_name)
    old = await current(session, member.id)
    if old is not None:
        old.active = False
    schedule = None
    if weeks is not None:
        zone = await people.zone_of_member(session, member, access.circle)
        first = (now + FIRST_AFTER).astimezone(ZoneInfo(zone)).date()
        schedule = Schedule(
            circle_id=circle_id,
            member_id=member.id,
            purpose=SchedulePurpose.NETWORK_CHECKIN,
            frequency=Frequency.WEEKLY,
            interval=weeks,
            weekday=first.weekday(),
            at_time=AT,
            starts_on=first,
            time_zone=zone,
            active=True,
            created_at=now,
            planned_until=now,
            next_due_at=now,
        )
        session.add(schedule)  # (a pause the member chose stays as it is)
    if (old is None) != (schedule is None) or (old and schedule and old.interval != schedule.interval):
        assert access.member is not None
        await notifications.tell_member(
            session,
            access.circle,
            member.id,
            kind=DeliveryKind.NETCHECKIN_CHOSEN,
            key=f"netcheckin.chosen:{member.id}:{now.isoformat()}",
            now=now,
            payload={"weeks": weeks or 0, "by_member_id": access.member.id},
        )
    audit.record(
        session,
        at=now,
        action="network_checkin.chosen",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
        detail={"weeks": weeks or 0},
    )
    return schedule


async def plan(session: AsyncSession, schedule: Schedule, occurrences: list[datetime], *, now: datetime) -> int:
    """Queue the check-ins at ``occurrences`` (from the planner) for the schedule's member."""
    member = await session.get(Member, schedule.member_id) if schedule.member_id else None
    circle = await session.get(Circle, schedule.circle_id)
    if member is None or circle is None or member.status != MemberStatus.ACTIVE:
        schedule.active = False
        return 0
    queued = 0
    for moment in occurrences:
        if member.checkin_paused_until and moment < member.checkin_paused_until:
            continue
        exists = await session.scalar(
            select(NetworkCheckin.id).where(NetworkCheckin.member_id == member.id, NetworkCheckin.occurs_at == moment)
        )
        if exists is not None:
            continue
        checkin = NetworkCheckin(
            circle_id=circle.id, member_id=member.id, schedule_id=schedule.id, occurs_at=moment, created_at=now
        )
        session.add(checkin)
        await session.flush()
        await notifications.tell_member(
            session,
            circle,
            member.id,
            kind=DeliveryKind.NETCHECKIN,
            key=f"netcheckin:{checkin.id}",
            payload={"checkin_id": checkin.id, "expires_at": (moment + GRACE).isoformat()},
            now=now,
            due_at=max(moment, now),
        )
        queued += 1
    return queued


async def still_open(session: AsyncSession, checkin: NetworkCheckin, now: datetime) -> bool:
    """At send time: still switched on, not paused, and the member still in the circle."""
    member = await session.get(Member, checkin.member_id)
    schedule = await session.get(Schedule, checkin.schedule_id) if checkin.schedule_id else None
    return (
        member is not None
        and member.status == MemberStatus.ACTIVE
        and schedule is not None
        and schedule.active
        and not (member.checkin_paused_until and member.checkin_paused_until > now)
    )


@dataclass(frozen=True)
class ToAsk:
    """A check-in at send time, with whom it asks and what it looks back on."""

    checkin: NetworkCheckin
    member: Member
    circle: Circle
    back: MemberLookBack


async def to_ask(session: AsyncSession, checkin_id: int | None, now: datetime) -> ToAsk | None:
    """``None`` when it is no longer to be asked (see :func:`still_open`)."""
    checkin = await session.get(NetworkCheckin, checkin_id) if checkin_id is not None else None
    if checkin is None or not await still_open(session, checkin, now):
        return None
    member = await session.get_one(Member, checkin.member_id)
    circle = await session.get_one(Circle, checkin.circle_id)
    return ToAsk(checkin, member, circle, await member_look_back(session, checkin))


@dataclass(frozen=True)
class Chosen:
    """A coordinator's choice as the member hears it."""

    circle: Circle
    by: Member | None
    member: Member


async def chosen(
    session: AsyncSession, circle_id: int | None, by_member_id: int | None, person_id: int | None
) -> Chosen | None:
    """``None`` when the circle or the member's place in it is gone."""
    circle = await session.get(Circle, circle_id) if circle_id is not None else None
    by = await session.get(Member, by_member_id) if by_member_id is not None else None
    member = await session.scalar(select(Member).where(Member.circle_id == circle_id, Member.person_id == person_id))
    if circle is None or member is None:
        return None
    return Chosen(circle, by, member)


async def find_member(session: AsyncSession, member_id: int | None) -> Member | None:
    return await session.get(Member, member_id) if member_id is not None else None


# -- the member answers -----------------------------------------------------------------------


async def own(session: AsyncSession, checkin_id: int, person_id: int) -> tuple[NetworkCheckin, Member]:
    """The member's own check-in; anyone else's is refused."""
    checkin = await session.get(NetworkCheckin, checkin_id)
    if checkin is None:
        raise authz.NotAllowed(Action.ANSWER_NETWORK_CHECKIN)
    member = await authz.authorize_own(
        session, person_id, checkin.circle_id, Action.ANSWER_NETWORK_CHECKIN, checkin.member_id
    )
    return checkin, member


async def answer_contact(
    session: AsyncSession, checkin_id: int, *, person_id: int, had_contact: HadContact, now: datetime
) -> NetworkCheckin:
    checkin, member = await own(session, checkin_id, person_id)
    checkin.had_contact, checkin.answered_at = had_contact, checkin.answered_at or now
    if member.checkin_shared and not await _consent_recorded(session, member):
        # the member was told what the family sees, with a button to say no: answering is agreeing
        consent.record(
            session,
            at=now,
            person_id=person_id,
            circle_id=checkin.circle_id,
            what=Consent.NETWORK_ANSWERS,
            given=True,
            subject=("member", member.id),
        )
    audit.record(
        session,
        at=now,
        action="network_checkin.answered",
        actor_person_id=person_id,
        circle_id=checkin.circle_id,
        subject_type="network_checkin",
        subject_id=checkin.id,
    )
    return checkin


async def answer_feeling(
    session: AsyncSession, checkin_id: int, *, person_id: int, feeling: Feeling, now: datetime
) -> NetworkCheckin:
    checkin, _member = await own(session, checkin_id, person_id)
    checkin.feeling, checkin.answered_at = feeling, checkin.answered_at or now  # (first answered: the family's window)
    return checkin


async def _consent_recorded(session: AsyncSession, member: Member) -> bool:
    return (
        await session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.action.like("consent.network_answers.%"),
                AuditEvent.subject_type == "member",
                AuditEvent.subject_id == member.id,
            )
            .limit(1)
        )
        is not None
    )


async def heavy_again(session: AsyncSession, checkin: NetworkCheckin) -> bool:
    """This answer and the one before were both heavy: time to offer a pause."""
    previous = await _previous(session, checkin)
    return (
        checkin.feeling in (Feeling.HEAVY, Feeling.WANT_TO_TALK)
        and previous is not None
        and previous.feeling in (Feeling.HEAVY, Feeling.WANT_TO_TALK)
    )


@dataclass(frozen=True)
class Answered:
    """An answered check-in as the member's thanks show it."""

    checkin: NetworkCheckin
    member: Member
    heavy_again: bool


async def answered(session: AsyncSession, checkin: NetworkCheckin) -> Answered:
    member = await session.get_one(Member, checkin.member_id)
    return Answered(checkin, member, await heavy_again(session, checkin))


async def answers_shared(session: AsyncSession, checkin: NetworkCheckin) -> bool:
    """Whether the member lets the family see their answers (then a note may be shared too)."""
    return (await session.get_one(Member, checkin.member_id)).checkin_shared


async def add_note(
    session: AsyncSession, checkin_id: int, *, person_id: int, text: str, now: datetime
) -> NetworkCheckin:
    checkin, _member = await own(session, checkin_id, person_id)
    checkin.note, checkin.note_shared = text, False  # a new note is private until the member shares it
    return checkin


async def share_note(
    session: AsyncSession, checkin_id: int, *, person_id: int, share: bool, now: datetime
) -> NetworkCheckin:
    checkin, _member = await own(session, checkin_id, person_id)
    if checkin.note is None:
        raise authz.NoLongerPossible("no note")
    checkin.note_shared = share
    consent.record(
        session,
        at=now,
        person_id=person_id,
        circle_id=checkin.circle_id,
        what=Consent.NETWORK_NOTE,
        given=share,
        subject=("network_checkin", checkin.id),
    )
    return checkin


async def tell_family(session: AsyncSession, checkin_id: int, *, person_id: int, now: datetime) -> NetworkCheckin:
    """Only on the member's own "yes, let them know": the family hears they would like to talk."""
    checkin, member = await own(session, checkin_id, person_id)
    if checkin.family_told_at is None:
        checkin.family_told_at = now
        circle = await session.get_one(Circle, checkin.circle_id)
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.NETCHECKIN_TALK,
            key=f"netcheckin.talk:{checkin.id}",
            payload={"member_id": member.id},
            now=now,
        )
        audit.record(
            session,
            at=now,
            action="network_checkin.family_told",
            actor_person_id=person_id,
            circle_id=checkin.circle_id,
            subject_type="network_checkin",
            subject_id=checkin.id,
        )
    return checkin


# -- the member's own settings ----------------------------------------------------------------


async def _self(session: AsyncSession, circle_id: int, person_id: int) -> tuple[Circle, Member]:
    access = await authz.authorize(session, person_id, circle_id, Action.ANSWER_NETWORK_CHECKIN)
    assert access.member is not None
    return access.circle, access.member


async def pause(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> Member:
    _circle, member = await _self(session, circle_id, person_id)
    if await current(session, member.id) is None:
        raise authz.NoLongerPossible("no check-ins to pause")
    member.checkin_paused_until = now + PAUSE
    audit.record(
        session,
        at=now,
        action="network_checkin.paused",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    return member


async def paused_until(session: AsyncSession, member: Member) -> date:
    """The last day of the member's pause, on their own calendar."""
    assert member.checkin_paused_until is not None
    circle = await session.get_one(Circle, member.circle_id)
    return member.checkin_paused_until.astimezone(ZoneInfo(await people.zone_of_member(session, member, circle))).date()


async def stop(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> Member:
    """The member stops their check-ins; the family hears it (so nobody waits for answers)."""
    circle, member = await _self(session, circle_id, person_id)
    schedule = await current(session, member.id)
    if schedule is None:
        raise authz.NoLongerPossible("no check-ins to stop")
    schedule.active = False
    member.checkin_stopped_at = now
    await notifications.tell_family(
        session,
        circle,
        kind=DeliveryKind.NETCHECKIN_STOPPED,
        key=f"netcheckin.stopped:{member.id}:{now.isoformat()}",
        payload={"member_id": member.id},
        now=now,
    )
    audit.record(
        session,
        at=now,
        action="network_checkin.stopped",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    return member


async def resume(session: AsyncSession, circle_id: int, *, person_id: int, now: datetime) -> Member:
    """The member switches their check-ins on again, with the rhythm the family chose last."""
    _circle, member = await _self(session, circle_id, person_id)
    last = await session.scalar(
        select(Schedule)
        .where(Schedule.member_id == member.id, Schedule.purpose == SchedulePurpose.NETWORK_CHECKIN)
        .order_by(Schedule.id.desc())
    )
    if member.checkin_stopped_at is None or last is None:
        raise authz.NoLongerPossible("nothing to switch on again")
    last.active, last.planned_until, last.next_due_at = True, now, now
    member.checkin_stopped_at = None
    audit.record(
        session,
        at=now,
        action="network_checkin.resumed",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="member",
        subject_id=member.id,
    )
    return member


async def set_shared(session: AsyncSession, circle_id: int, *, person_id: int, shared: bool, now: datetime) -> Member:
    """The member's consent: may the family see whether they had contact and want to talk?"""
    _circle, member = await _self(session, circle_id, person_id)
    member.checkin_shared = shared
    consent.record(
        session,
        at=now,
        person_id=person_id,
        circle_id=circle_id,
        what=Consent.NETWORK_ANSWERS,
        given=shared,
        subject=("member", member.id),
    )
    return member


# -- looking back -----------------------------------------------------------------------------


async def _previous(session: AsyncSession, checkin: NetworkCheckin) -> NetworkCheckin | None:
    return await session.scalar(
        select(NetworkCheckin)
        .where(
            NetworkCheckin.member_id == checkin.member_id,
            NetworkCheckin.occurs_at < checkin.occurs_at,
            NetworkCheckin.answered_at.is_not(None),
        )
        .order_by(NetworkCheckin.occurs_at.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class MemberLookBack:
    """What a member's check-in opens with: their own last answer and their agreements since."""

    previous: NetworkCheckin | None
    outcomes: Counter[Outcome]


async def member_look_back(session: AsyncSession, checkin: NetworkCheckin) -> MemberLookBack:
    previous = await _previous(session, checkin)
    since = previous.occurs_at if previous else checkin.occurs_at - timedelta(weeks=4)
    outcomes: Counter[Outcome] = Counter(
        await session.scalars(
            select(AgreementOccurrence.outcome)
            .join(Agreement, Agreement.id == AgreementOccurrence.agreement_id)
            .where(
                Agreement.doer_member_id == checkin.member_id,
                AgreementOccurrence.occurs_at > since,
                AgreementOccurrence.occurs_at <= checkin.occurs_at,
            )
        )
    )
    return MemberLookBack(previous, outcomes)


@dataclass(frozen=True)
class Shared:
    """One network check-in as the family may see it."""

    name: str
    had_contact: HadContact | None
    wants_to_talk: bool
    note: str | None


async def shared_with_family(session: AsyncSession, circle_id: int, since: datetime, until: datetime) -> list[Shared]:
    """The answers given in ``since``–``until``, as far as each member's consent allows."""
    rows = await session.execute(
        select(NetworkCheckin, Member)
        .join(Member, Member.id == NetworkCheckin.member_id)
        .where(
            NetworkCheckin.circle_id == circle_id,
            NetworkCheckin.answered_at > since,
            NetworkCheckin.answered_at <= until,
            Member.checkin_shared,
            Member.status == MemberStatus.ACTIVE,
        )
        .order_by(NetworkCheckin.answered_at)
    )
    return [
        Shared(
            member.display_name,
            checkin.had_contact,
            checkin.feeling == Feeling.WANT_TO_TALK,
            checkin.note if checkin.note_shared else None,
        )
        for checkin, member in rows
    ]


async def answered_count(session: AsyncSession, circle_id: int, since: datetime, until: datetime) -> int:
    """For the pulse: a number, nothing more."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(NetworkCheckin)
            .where(
                NetworkCheckin.circle_id == circle_id,
                NetworkCheckin.answered_at.is_not(None),
                NetworkCheckin.occurs_at >= since,
                NetworkCheckin.occurs_at < until,
            )
        )
        or 0
    )
