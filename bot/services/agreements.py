"""The "wie doet wat" agreements: who does what and when, and who may see them.

Coordinators make agreements; the former professional may only suggest one, which a coordinator
confirms. The doer is asked and only an accepted agreement becomes active. Every change is in the
audit trail and told to those it concerns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy import update as sql_update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import (
    Agreement,
    AgreementOccurrence,
    AgreementStatus,
    Circle,
    Frequency,
    Member,
    MemberStatus,
    Outcome,
    Schedule,
    SchedulePurpose,
    SupportKind,
    Visibility,
)
from bot.services import audit, authz, consent, notifications, sharing
from bot.services.authz import Access, Action, Role
from bot.services.consent import Consent

MAX_WHAT = 200
MAX_FOR_WHOM = 60
_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:uur|u|h)?\s*$", re.IGNORECASE)
_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?\s*$")


@dataclass(frozen=True)
class When:
    """An agreement's rhythm. ``None`` instead of a When means "when needed"."""

    frequency: Frequency
    at_time: time
    interval: int = 1
    weekday: int | None = None  # 0 = Monday
    day_of_month: int | None = None
    on_date: date | None = None

    @classmethod
    def from_schedule(cls, schedule: Schedule | None) -> When | None:
        if schedule is None:
            return None
        return cls(
            frequency=schedule.frequency,
            at_time=schedule.at_time,
            interval=schedule.interval,
            weekday=schedule.weekday,
            day_of_month=schedule.day_of_month,
            on_date=schedule.starts_on,
        )

    @classmethod
    def from_data(cls, data: dict[str, object]) -> When | None:
        if data.get("frequency") in (None, "needed"):
            return None
        hour, minute = (int(part) for part in str(data["at_time"]).split(":"))
        on = data.get("on_date")
        return cls(
            frequency=Frequency(str(data["frequency"])),
            at_time=time(hour, minute),
            interval=int(data.get("interval") or 1),  # type: ignore[call-overload]
            weekday=int(data["weekday"]) if data.get("weekday") is not None else None,  # type: ignore[call-overload]
            day_of_month=int(data["day_of_month"]) if data.get("day_of_month") is not None else None,  # type: ignore[call-overload]
            on_date=date.fromisoformat(str(on)) if on else None,
        )


def parse_time(text: str) -> str | None:
    """Read a time of day ("15:00", "15.30", "9", "9 uur") as "HH:MM"; ``None`` when it is none."""
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def parse_date(text: str, today: date) -> date | None:
    """Read a day ("12-12" or "12-12-2026") as the first such date from today on; else ``None``."""
    match = _DATE.match(text)
    if not match:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        if year:
            found = date(int(year) + (2000 if len(year) == 2 else 0), month, day)
            return found if found >= today else None
        found = date(today.year, month, day)
        return found if found >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    doer: Member
    backup: Member | None
    schedule: Schedule | None
    #: Someone must not know it (safety circles): never in the group, where everyone reads along.
    kept_from_someone: bool = False

    @property
    def in_group(self) -> bool:
        """Whether the family's group may read it."""
        return self.agreement.visibility == Visibility.CIRCLE and not self.kept_from_someone


class Invalid(authz.NoLongerPossible):
    """The agreement does not fit the circle (a doer or backup who is not an active member)."""


async def _active_member(session: AsyncSession, circle_id: int, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = await session.get(Member, member_id)
    if member is None or member.circle_id != circle_id or member.status != MemberStatus.ACTIVE:
        raise Invalid(member_id)
    return member


async def make(
    session: AsyncSession,
    circle_id: int,
    *,
    person_id: int,
    doer_member_id: int,
    what: str,
    for_whom: str | None,
    support_kind: SupportKind,
    when: When | None,
    backup_member_id: int | None,
    visibility: Visibility,
    now: datetime,
) -> Agreement:
    """A coordinator makes an agreement (the doer is asked), or the professional suggests one (a
    coordinator confirms first). An agreement the coordinator makes for themselves is active at once."""
    try:
        access = await authz.authorize(session, person_id, circle_id, Action.MAKE_AGREEMENT)
    except authz.NotAllowed:
        access = await authz.authorize(session, person_id, circle_id, Action.SUGGEST_AGREEMENT)
    doer = await _active_member(session, circle_id, doer_member_id)
    backup = await _active_member(session, circle_id, backup_member_id)
    assert doer is not None
    if backup is not None and backup.id == doer.id:
        raise Invalid(backup_member_id)
    if access.role == Role.PROFESSIONAL:
        if access.circle.follow_up_ends_on is None or now.date() > access.circle.follow_up_ends_on:
            raise authz.NotAllowed(Action.SUGGEST_AGREEMENT)  # after follow-up the professional steps back
        status = AgreementStatus.SUGGESTED
    elif access.member is not None and access.member.id == doer.id:
        status = AgreementStatus.ACTIVE
    else:
        status = AgreementStatus.PROPOSED
    agreement = Agreement(
        circle_id=circle_id,
        doer_member_id=doer.id,
        backup_member_id=backup.id if backup else None,
        what=what,
        for_whom=for_whom,
        support_kind=support_kind,
        visibility=visibility,
        status=status,
        proposed_by_person_id=person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(agreement)
    await session.flush()
    if when is not None:
        session.add(_schedule(access.circle, agreement, when, now))
    audit.record(
        session,
        at=now,
        action="agreement.made",
        actor_person_id=person_id,
        circle_id=circle_id,
        subject_type="agreement",
        subject_id=agreement.id,
        detail={"status": status.value},
    )
    consent.record(
        session,
        at=now,
        person_id=person_id,
        circle_id=circle_id,
        what=Consent.VISIBILITY,
        given=True,
        detail={"visibility": visibility.value},
        subject=("agreement", agreement.id),
    )
    await _announce(session, access.circle, agreement, now)
    return agreement


def _schedule(circle: Circle, agreement: Agreement, when: When, now: datetime) -> Schedule:
    return Schedule(
        circle_id=circle.id,
        agreement_id=agreement.id,
        purpose=SchedulePurpose.AGREEMENT,
        frequency=when.frequency,
        interval=when.interval,
        weekday=when.weekday,
        day_of_month=when.day_of_month,
        at_time=when.at_time,
        starts_on=when.on_date or now.date(),
        time_zone=circle.time_zone,
        active=True,
        created_at=now,
        planned_until=now,
        next_due_at=now,
    )


async def _announce(session: AsyncSession, circle: Circle, agreement: Agreement, now: datetime) -> None:
    """Ask whoever has to act next: coordinators for a suggestion, the doer for a proposal."""
    payload = {"agreement_id": agreement.id}
    if agreement.status == AgreementStatus.SUGGESTED:
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.AGREEMENT_SUGGESTED,
            key=f"agreement.suggested:{agreement.id}",
            payload=payload,
            now=now,
        )
    elif agreement.status == AgreementStatus.PROPOSED:
        await notifications.tell_member(
            session,
            circle,
            agreement.doer_member_id,
            kind=DeliveryKind.AGREEMENT_ASK,
            key=f"agreement.ask:{agreement.id}",
            payload=payload,
            now=now,
        )


async def confirm_suggestion(
    session: AsyncSession, agreement_id: int, *, person_id: int, accept: bool, now: datetime
) -> Agreement:
    agreement = await _agreement(session, agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.MANAGE_AGREEMENT)
    if agreement.status != AgreementStatus.SUGGESTED:
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    if not accept:
        _set_status(session, agreement, AgreementStatus.ENDED, person_id, now, "agreement.suggestion_declined")
        return agreement
    own = access.member is not None and access.member.id == agreement.doer_member_id
    _set_status(
        session,
        agreement,
        AgreementStatus.ACTIVE if own else AgreementStatus.PROPOSED,
        person_id,
        now,
        "agreement.suggestion_confirmed",
    )
    await _announce(session, access.circle, agreement, now)
    return agreement


async def answer(
    session: AsyncSession, agreement_id: int, *, person_id: int, accept: bool, reason: str | None, now: datetime
) -> Agreement:
    """The doer says "Ja, dat doe ik" or "Liever anders" (with an optional reason)."""
    agreement, access = await check_can_answer(session, agreement_id, person_id=person_id)
    agreement.decline_reason = None if accept else reason
    action = DeliveryKind.AGREEMENT_ACCEPTED if accept else DeliveryKind.AGREEMENT_DECLINED
    _set_status(
        session, agreement, AgreementStatus.ACTIVE if accept else AgreementStatus.DECLINED, person_id, now, action
    )
    await notifications.tell_family(
        session,
        access.circle,
        kind=action,
        key=f"{action}:{agreement.id}",
        payload={"agreement_id": agreement.id},
        now=now,
    )
    return agreement


async def check_can_answer(session: AsyncSession, agreement_id: int, *, person_id: int) -> tuple[Agreement, Access]:
    """The agreement asked of this person, still waiting for their answer; else ``NotAllowed``."""
    agreement = await _agreement(session, agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.ANSWER_AGREEMENT)
    if (
        access.member is None
        or access.member.id != agreement.doer_member_id
        or agreement.status != AgreementStatus.PROPOSED
    ):
        raise authz.NotAllowed(Action.ANSWER_AGREEMENT)
    return agreement, access


async def check_can_change(session: AsyncSession, agreement_id: int, *, person_id: int) -> AgreementView:
    """An agreement this person may change (its doer stays; ended ones are done); else ``NotAllowed``."""
    agreement = await _agreement(session, agreement_id)
    if agreement.status in (AgreementStatus.ENDED, AgreementStatus.DECLINED):
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    await authz.authorize(session, person_id, agreement.circle_id, Action.MANAGE_AGREEMENT)
    return await view(session, agreement)


async def maker_role(session: AsyncSession, circle_id: int, person_id: int | None) -> Role:
    """How this person makes agreements in the circle: a coordinator makes them, a professional
    suggests them; ``NotAllowed`` for anyone else."""
    for action in (Action.MAKE_AGREEMENT, Action.SUGGEST_AGREEMENT):
        try:
            return (await authz.authorize(session, person_id, circle_id, action)).role
        except authz.NotAllowed:
            continue
    raise authz.NotAllowed(Action.MAKE_AGREEMENT)


async def update(
    session: AsyncSession,
    agreement_id: int,
    *,
    person_id: int,
    what: str,
    for_whom: str | None,
    support_kind: SupportKind,
    when: When | None,
    backup_member_id: int | None,
    visibility: Visibility,
    now: datetime,
) -> Agreement:
    """A coordinator changes what is agreed (the doer stays the same, and is told)."""
    agreement = await _agreement(session, agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.MANAGE_AGREEMENT)
    if agreement.status in (AgreementStatus.ENDED, AgreementStatus.DECLINED):
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    backup = await _active_member(session, agreement.circle_id, backup_member_id)
    if backup is not None and backup.id == agreement.doer_member_id:
        raise Invalid(backup_member_id)
    agreement.what, agreement.for_whom, agreement.support_kind = what, for_whom, support_kind
    agreement.backup_member_id = backup.id if backup else None
    await sharing.forget_must_not(session, agreement.id, agreement.backup_member_id)  # a backup must know
    if visibility != agreement.visibility:
        consent.record(
            session,
            at=now,
            person_id=person_id,
            circle_id=agreement.circle_id,
            what=Consent.VISIBILITY,
            given=True,
            detail={"visibility": visibility.value},
            subject=("agreement", agreement.id),
        )
    agreement.visibility = visibility
    agreement.updated_at = now
    old = await session.scalar(select(Schedule).where(Schedule.agreement_id == agreement.id))
    if old is not None:
        await session.delete(old)
    await _forget_future(session, agreement, now)
    if when is not None:
        session.add(_schedule(access.circle, agreement, when, now))
    audit.record(
        session,
        at=now,
        action="agreement.changed",
        actor_person_id=person_id,
        circle_id=agreement.circle_id,
        subject_type="agreement",
        subject_id=agreement.id,
    )
    if access.member is None or access.member.id != agreement.doer_member_id:
        await notifications.tell_member(
            session,
            access.circle,
            agreement.doer_member_id,
            kind=DeliveryKind.AGREEMENT_CHANGED,
            key=f"agreement.changed:{agreement.id}:{now.isoformat()}",
            payload={"agreement_id": agreement.id},
            now=now,
        )
    return agreement


CHANGES = {
    "pause": ({AgreementStatus.ACTIVE}, AgreementStatus.PAUSED),
    "resume": ({AgreementStatus.PAUSED}, AgreementStatus.ACTIVE),
    "end": (
        {AgreementStatus.ACTIVE, AgreementStatus.PAUSED, AgreementStatus.PROPOSED, AgreementStatus.SUGGESTED},
        AgreementStatus.ENDED,
    ),
}
#: What the doer is told about each change.
CHANGE_KINDS = {
    "pause": DeliveryKind.AGREEMENT_PAUSE,
    "resume": DeliveryKind.AGREEMENT_RESUME,
    "end": DeliveryKind.AGREEMENT_END,
}


async def change(session: AsyncSession, agreement_id: int, *, person_id: int, change: str, now: datetime) -> Agreement:
    """A coordinator pauses, resumes or ends an agreement; the doer is told."""
    agreement = await _agreement(session, agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.MANAGE_AGREEMENT)
    allowed_from, to = CHANGES[change]
    if agreement.status not in allowed_from:
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    _set_status(session, agreement, to, person_id, now, f"agreement.{change}")
    await _forget_future(session, agreement, now)
    if access.member is None or access.member.id != agreement.doer_member_id:
        await notifications.tell_member(
            session,
            access.circle,
            agreement.doer_member_id,
            kind=CHANGE_KINDS[change],
            key=f"agreement.{change}:{agreement.id}:{now.isoformat()}",
            payload={"agreement_id": agreement.id},
            now=now,
        )
    return agreement


async def _forget_future(session: AsyncSession, agreement: Agreement, now: datetime) -> None:
    """What was planned but has not happened yet is planned again from now (with the new rhythm,
    or after a pause); its queued reminders find no occurrence and are skipped."""
    await session.execute(
        delete(AgreementOccurrence).where(
            AgreementOccurrence.agreement_id == agreement.id,
            AgreementOccurrence.outcome == Outcome.PENDING,
            AgreementOccurrence.occurs_at > now,
        )
    )
    await session.execute(
        sql_update(Schedule).where(Schedule.agreement_id == agreement.id).values(planned_until=now, next_due_at=now)
    )


async def step_back(session: AsyncSession, agreement_id: int, *, person_id: int, now: datetime) -> Agreement:
    """The doer stops doing this; the family is told."""
    agreement = await _agreement(session, agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.STEP_BACK)
    if (
        access.member is None
        or access.member.id != agreement.doer_member_id
        or agreement.status not in (AgreementStatus.ACTIVE, AgreementStatus.PAUSED)
    ):
        raise authz.NotAllowed(Action.STEP_BACK)
    _set_status(session, agreement, AgreementStatus.ENDED, person_id, now, "agreement.stepped_back")
    await notifications.tell_family(
        session,
        access.circle,
        kind=DeliveryKind.AGREEMENT_STEPPED_BACK,
        key=f"agreement.stepped_back:{agreement.id}",
        payload={"agreement_id": agreement.id},
        now=now,
    )
    return agreement


OPEN = (AgreementStatus.SUGGESTED, AgreementStatus.PROPOSED, AgreementStatus.ACTIVE, AgreementStatus.PAUSED)


@dataclass(frozen=True)
class EndedFor:
    """What stopped when a member left or was taken out: the agreements they did, and the ones
    where they were the backup (those go on, without a backup)."""

    ended: list[Agreement]
    without_backup: list[Agreement]


async def end_for_member(
    session: AsyncSession, member: Member, *, now: datetime, by_person_id: int | None = None
) -> EndedFor:
    """A member left (or was taken out, ``by_person_id``): their open agreements end, and they
    are nobody's backup any more."""
    actor = member.person_id if by_person_id is None else by_person_id
    ended = list(
        await session.scalars(
            select(Agreement)
            .where(Agreement.doer_member_id == member.id, Agreement.status.in_(OPEN))
            .order_by(Agreement.id)
        )
    )
    for agreement in ended:
        _set_status(session, agreement, AgreementStatus.ENDED, actor, now, "agreement.ended_member_left")
        await _forget_future(session, agreement, now)
    without_backup = list(
        await session.scalars(
            select(Agreement)
            .where(Agreement.backup_member_id == member.id, Agreement.status.in_(OPEN))
            .order_by(Agreement.id)
        )
    )
    for agreement in await session.scalars(select(Agreement).where(Agreement.backup_member_id == member.id)):
        agreement.backup_member_id = None
        agreement.updated_at = now
    return EndedFor(ended, without_backup)


def _set_status(
    session: AsyncSession,
    agreement: Agreement,
    status: AgreementStatus,
    person_id: int | None,
    now: datetime,
    action: str,
) -> None:
    agreement.status = status
    agreement.updated_at = now
    audit.record(
        session,
        at=now,
        action=action,
        actor_person_id=person_id,
        circle_id=agreement.circle_id,
        subject_type="agreement",
        subject_id=agreement.id,
    )


async def _agreement(session: AsyncSession, agreement_id: int) -> Agreement:
    agreement = await session.get(Agreement, agreement_id)
    if agreement is None:
        raise authz.NotAllowed(Action.MANAGE_AGREEMENT)
    return agreement


async def view(session: AsyncSession, agreement: Agreement) -> AgreementView:
    doer = await session.get(Member, agreement.doer_member_id)
    assert doer is not None
    backup = await session.get(Member, agreement.backup_member_id) if agreement.backup_member_id else None
    schedule = await session.scalar(select(Schedule).where(Schedule.agreement_id == agreement.id))
    kept = await sharing.kept_from_someone(session, sharing.Subject(agreement_id=agreement.id))
    return AgreementView(agreement, doer, backup, schedule, kept)


async def visible_to(session: AsyncSession, access: Access) -> list[AgreementView]:
    """The agreements this person may see (domain rule 8). The family sees all that are not ended
    or declined; a network member and the young person see the ones shared with the whole circle
    and the ones they do themselves, once they are active or paused — and the family's choice in
    the safety circles goes first (:mod:`bot.services.sharing`)."""
    query = select(Agreement).where(Agreement.circle_id == access.circle.id).order_by(Agreement.id)
    if access.is_family:
        query = query.where(Agreement.status.not_in([AgreementStatus.ENDED, AgreementStatus.DECLINED]))
        return [await view(session, agreement) for agreement in await session.scalars(query)]
    if access.role not in (Role.NETWORK, Role.YOUNG) or access.member is None:
        return []
    member_id = access.member.id
    rules = await sharing.rules(session, access.circle.id)
    query = query.where(Agreement.status.in_([AgreementStatus.ACTIVE, AgreementStatus.PAUSED]))
    return [
        await view(session, agreement)
        for agreement in await session.scalars(query)
        if sharing.agreement_seen(
            rules,
            agreement,
            member_id,
            default=agreement.visibility == Visibility.CIRCLE or agreement.doer_member_id == member_id,
        )
    ]


async def seen_by(
    session: AsyncSession, circle_id: int, *, person_id: int | None
) -> tuple[Access, list[AgreementView]]:
    """What this person may see of the circle's agreements (``NotAllowed`` outside it)."""
    access = await authz.authorize(session, person_id, circle_id, Action.VIEW_PLAN)
    return access, await visible_to(session, access)


async def seen_as(session: AsyncSession, agreement: Agreement, *, person_id: int) -> tuple[Access, AgreementView]:
    """One agreement, with the person's place in its circle (for the buttons they get)."""
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.VIEW_PLAN)
    return access, await view(session, agreement)


async def doers(session: AsyncSession, circle_id: int) -> list[Member]:
    """Who can be asked to do something: every active member (the young person too)."""
    return list(
        await session.scalars(
            select(Member)
            .where(
                Member.circle_id == circle_id,
                Member.status == MemberStatus.ACTIVE,
            )
            .order_by(Member.id)
        )
    )


OCCURRENCE_ANSWERS = {
    # answer: (who may give it, outcome before, outcome after)
    "done": ("doer", Outcome.PENDING, Outcome.DONE),
    "cant": ("doer", Outcome.PENDING, Outcome.NOT_DONE),
    "bdone": ("backup", Outcome.NOT_DONE, Outcome.BACKUP_DONE),
    "bcant": ("backup", Outcome.NOT_DONE, Outcome.BACKUP_CANT),
}
#: What the family is told about each answer.
OUTCOME_KINDS = {
    Outcome.DONE: DeliveryKind.OCCURRENCE_DONE,
    Outcome.NOT_DONE: DeliveryKind.OCCURRENCE_NOT_DONE,
    Outcome.BACKUP_DONE: DeliveryKind.OCCURRENCE_BACKUP_DONE,
    Outcome.BACKUP_CANT: DeliveryKind.OCCURRENCE_BACKUP_CANT,
}


async def report(
    session: AsyncSession, occurrence_id: int, *, person_id: int, answer: str, now: datetime
) -> AgreementOccurrence:
    """The doer's "Gedaan" or "Lukt deze keer niet", or the backup's answer when asked. The
    family is told; when the doer cannot, the backup (if the family chose one) is asked."""
    occurrence = await session.get(AgreementOccurrence, occurrence_id)
    if occurrence is None or answer not in OCCURRENCE_ANSWERS:
        raise authz.NotAllowed(Action.ANSWER_AGREEMENT)
    agreement = await _agreement(session, occurrence.agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.ANSWER_AGREEMENT)
    who, before, after = OCCURRENCE_ANSWERS[answer]
    expected = agreement.doer_member_id if who == "doer" else agreement.backup_member_id
    if (
        access.member is None
        or access.member.id != expected
        or occurrence.outcome != before
        or agreement.status != AgreementStatus.ACTIVE
    ):
        raise authz.NotAllowed(Action.ANSWER_AGREEMENT)
    occurrence.outcome = after
    occurrence.answered_by_member_id = access.member.id
    occurrence.answered_at = now
    audit.record(
        session,
        at=now,
        action=f"occurrence.{after.value}",
        actor_person_id=person_id,
        circle_id=agreement.circle_id,
        subject_type="agreement_occurrence",
        subject_id=occurrence.id,
    )
    payload = {"occurrence_id": occurrence.id}
    await notifications.tell_family(
        session,
        access.circle,
        kind=OUTCOME_KINDS[after],
        key=f"occurrence.{after.value}:{occurrence.id}",
        payload=payload,
        now=now,
    )
    if after == Outcome.NOT_DONE and agreement.backup_member_id is not None:
        await notifications.tell_member(
            session,
            access.circle,
            agreement.backup_member_id,
            kind=DeliveryKind.OCCURRENCE_BACKUP_ASK,
            key=f"occurrence.backup_ask:{occurrence.id}",
            now=now,
            payload={**payload, "expires_at": occurrence.occurs_at.isoformat()},
        )
    return occurrence


async def thank(session: AsyncSession, occurrence_id: int, *, person_id: int, now: datetime) -> AgreementOccurrence:
    """A family member thanks whoever did it, once (reciprocity, domain rule 9)."""
    occurrence = await session.get(AgreementOccurrence, occurrence_id)
    if occurrence is None or occurrence.outcome not in (Outcome.DONE, Outcome.BACKUP_DONE) or occurrence.thanked_at:
        raise authz.NotAllowed(Action.THANK)
    agreement = await _agreement(session, occurrence.agreement_id)
    access = await authz.authorize(session, person_id, agreement.circle_id, Action.THANK)
    helper = occurrence.answered_by_member_id
    if helper is None:  # the helper has left the circle since
        raise authz.NotAllowed(Action.THANK)
    occurrence.thanked_at = now
    audit.record(
        session,
        at=now,
        action="occurrence.thanked",
        actor_person_id=person_id,
        circle_id=agreement.circle_id,
        subject_type="agreement_occurrence",
        subject_id=occurrence.id,
    )
    await notifications.tell_member(
        session,
        access.circle,
        helper,
        kind=DeliveryKind.OCCURRENCE_THANKS,
        key=f"occurrence.thanks:{occurrence.id}",
        payload={"occurrence_id": occurrence.id, "by_member_id": access.member.id if access.member else None},
        now=now,
    )
    return occurrence
