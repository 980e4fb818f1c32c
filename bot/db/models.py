"""The domain as tables. The database is the single source of truth: the scheduler and the bot
keep no state of their own that a restart could lose.

Free text — names, agreement texts, notes, messages, drafts, queued payloads — is sealed at rest
(``SealedText``, ``SealedJSON``: see ``bot/db/crypto.py``).

A *person* is a Telegram account (language, time zone, reachability). A *member* is a person's
place in one circle (role, coordinator, status); one person can be in several circles. A network
member exists as a member row from the moment the family invites them, but has no person until
they accept, and Kring never writes to anybody who has not opened a chat with it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db.base import ID, Base
from bot.db.crypto import SealedJSON, SealedText


def _enum(cls: type[enum.Enum]) -> Enum:
    """Enums are stored as their value in a plain string column (no database enum types)."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class MemberRole(enum.StrEnum):
    FAMILY = "family"
    NETWORK = "network"
    #: The child or young person the care was about: a voice of their own, never a coordinator.
    YOUNG = "young"


class MemberStatus(enum.StrEnum):
    INVITED = "invited"
    PENDING = "pending"  # asked to join, or opened an invitation: a coordinator confirms first
    ACTIVE = "active"
    DECLINED = "declined"
    REFUSED = "refused"  # asked to join as family; a coordinator said no
    LEFT = "left"
    REMOVED = "removed"  # taken out by a coordinator; cannot come back by the group button
    #: A trusted adult the young person proposed; the parents agree (then: invited) or not (refused).
    PROPOSED = "proposed"


class ProfessionalStatus(enum.StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REMOVED = "removed"


class CircleStatus(enum.StrEnum):
    SETTING_UP = "setting_up"
    ACTIVE = "active"


class InvitationKind(enum.StrEnum):
    PROFESSIONAL = "professional"
    GROUP = "group"
    FAMILY = "family"
    NETWORK = "network"


class SupportKind(enum.StrEnum):
    PRACTICAL = "practical"
    EMOTIONAL = "emotional"
    ADVICE = "advice"
    COMPANY = "company"
    KEEPING_AN_EYE = "keeping_an_eye"


class Visibility(enum.StrEnum):
    CIRCLE = "circle"
    FAMILY_AND_DOER = "family_and_doer"


class AgreementStatus(enum.StrEnum):
    SUGGESTED = "suggested"  # by the professional; a coordinator confirms first
    PROPOSED = "proposed"  # the doer is asked
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"
    DECLINED = "declined"


class SchedulePurpose(enum.StrEnum):
    AGREEMENT = "agreement"  # when an agreement happens; its reminders are derived from it
    CHECKIN = "checkin"
    REMINDER = "reminder"
    REVIEW = "review"
    PULSE = "pulse"
    NETWORK_CHECKIN = "network_checkin"  # a check-in with one network member (``member_id``)
    YOUNG_CHECKIN = "young_checkin"  # the young person's own private check-in (``member_id``)


class Frequency(enum.StrEnum):
    ONCE = "once"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Outcome(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    NOT_DONE = "not_done"
    BACKUP_DONE = "backup_done"
    BACKUP_CANT = "backup_cant"


class StepKind(enum.StrEnum):
    OURSELVES = "ourselves"  # what we do ourselves
    ASK = "ask"  # whom we ask (a member, or someone named with a phone number)
    PROFESSIONAL = "professional"  # when we ask the former professional


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class CheckinAnswerKind(enum.StrEnum):
    GOOD = "good"
    SO_SO = "so_so"
    NOT_GOOD = "not_good"
    WANT_TO_TALK = "want_to_talk"


class WorryTrend(enum.StrEnum):
    LESS = "less"
    SAME = "same"
    MORE = "more"


class HadContact(enum.StrEnum):
    YES = "yes"
    NO = "no"
    TRIED = "tried"


class Feeling(enum.StrEnum):
    FINE = "fine"
    HEAVY = "heavy"
    WANT_TO_TALK = "want_to_talk"


class Mood(enum.StrEnum):
    """The young person's answers: how it goes, at home, at school or work."""

    GOOD = "good"
    SO_SO = "so_so"
    NOT_GOOD = "not_good"


class TalkWish(enum.StrEnum):
    """Whom the young person would like to talk with."""

    MENTOR = "mentor"
    SOMEONE_ELSE = "someone_else"
    NOBODY = "nobody"


class AgreementOpinion(enum.StrEnum):
    """What the young person thinks of an agreement made for them."""

    HELPS = "helps"
    DOES_NOT_HELP = "does_not_help"
    RATHER_ELSE = "rather_else"


class PersonWish(enum.StrEnum):
    """Whether the young person would want someone in the circle involved."""

    WANT = "want"
    RATHER_NOT = "rather_not"


class KnowLevel(enum.StrEnum):
    """Safety circles: what one person may learn of a part of the plan."""

    MUST = "must"  # must know: always shown and sent to them
    MAY = "may"  # may know (today's default for whom it concerns)
    MUST_NOT = "must_not"  # never reaches them, in any form


class OpenRequestStatus(enum.StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class RequestAnswer(enum.StrEnum):
    YES = "yes"
    NOT_THIS_TIME = "not_this_time"


class ReviewTopic(enum.StrEnum):
    """The questions of a review moment (and of "waar staan we nu?" at the end of the follow-up)."""

    WENT_WELL = "went_well"
    PROUD = "proud"
    CHANGE = "change"
    NEED_MOST = "need_most"
    WHERE_NOW = "where_now"  # end of the follow-up: what changed since closure
    KEEP_DOING = "keep_doing"  # end of the follow-up: what we keep doing without the professional


class AgreementVerdict(enum.StrEnum):
    KEEP = "keep"
    CHANGE = "change"
    STOP = "stop"


class StillWorks(enum.StrEnum):
    """A network member's look at their own part."""

    YES = "yes"
    SOMEWHAT = "somewhat"
    NO = "no"


class FeltSupport(enum.StrEnum):
    """Felt (perceived) support over the last weeks, per kind of support."""

    YES = "yes"
    SOMEWHAT = "somewhat"
    NO = "no"


class Urgency(enum.StrEnum):
    TODAY = "today"
    THIS_WEEK = "this_week"


class ContactRequestStatus(enum.StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    TIMED_OUT = "timed_out"
    WITHDRAWN = "withdrawn"


class Person(Base):
    """A Telegram account that has talked to Kring."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    time_zone: Mapped[str | None] = mapped_column(String(64))
    quiet_from: Mapped[time | None] = mapped_column(Time)  # None: the default quiet hours
    quiet_until: Mapped[time | None] = mapped_column(Time)
    unreachable_since: Mapped[datetime | None]
    created_at: Mapped[datetime]

    memberships: Mapped[list[Member]] = relationship(back_populates="person")


class Professional(Base):
    """A care professional registered by the organisation's administrator."""

    __tablename__ = "professionals"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), unique=True)
    name: Mapped[str] = mapped_column(SealedText)
    status: Mapped[ProfessionalStatus] = mapped_column(_enum(ProfessionalStatus))
    created_at: Mapped[datetime]


class Circle(Base):
    """One family and the people they chose, with its follow-up period."""

    __tablename__ = "circles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(SealedText)
    language: Mapped[str] = mapped_column(String(8))
    second_language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str] = mapped_column(String(64))
    status: Mapped[CircleStatus] = mapped_column(_enum(CircleStatus))
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id", ondelete="SET NULL"), index=True)
    follow_up_ends_on: Mapped[date | None] = mapped_column(Date)
    group_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    #: How often the family looks at whether the plan still fits (at the next check-in after this).
    review_weeks: Mapped[int] = mapped_column(Integer, default=6, server_default="6")
    #: The end date the family was last asked about ("extend the follow-up?"), so it is asked once.
    follow_up_asked_for: Mapped[date | None] = mapped_column(Date)
    #: The local date the group last saw the full helplines block (at most once a day there).
    helplines_shown_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]

    members: Mapped[list[Member]] = relationship(back_populates="circle", passive_deletes=True)


class Member(Base):
    """A person's place in a circle. ``person_id`` stays empty until an invitation is accepted."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("circle_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(SealedText)
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole))
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MemberStatus] = mapped_column(_enum(MemberStatus))
    helps_with: Mapped[str | None] = mapped_column(SealedText)
    paused_until: Mapped[datetime | None]
    #: A network member's own pause of their check-ins (their reminders go on).
    checkin_paused_until: Mapped[datetime | None]
    #: The network member's consent: the family may see whether they had contact and want to talk.
    checkin_shared: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: The network member stopped their check-ins themselves: only they can switch them on again.
    checkin_stopped_at: Mapped[datetime | None]
    #: The Telegram account's own name while a coordinator decides whether this is the right
    #: person (``pending``); cleared once decided.
    account_name: Mapped[str | None] = mapped_column(SealedText)
    #: A trusted adult: the young person (member) who proposed them. Set from the proposal on.
    mentor_of_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    #: Why the young person trusts the mentor they propose, for the parents; cleared once decided.
    proposal_reason: Mapped[str | None] = mapped_column(SealedText)
    #: The family's private mark on someone they took out: do not invite again.
    do_not_invite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    joined_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    circle: Mapped[Circle] = relationship(back_populates="members")
    person: Mapped[Person | None] = relationship(back_populates="memberships")


class Invitation(Base):
    """A single-use link. Only a hash of its token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[InvitationKind] = mapped_column(_enum(InvitationKind))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id", ondelete="CASCADE"))
    created_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Agreement(Base):
    """A "wie doet wat" agreement: one promise by one member, with an optional backup."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    doer_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    backup_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(SealedText)
    for_whom: Mapped[str | None] = mapped_column(SealedText)
    support_kind: Mapped[SupportKind] = mapped_column(_enum(SupportKind))
    visibility: Mapped[Visibility] = mapped_column(_enum(Visibility))
    status: Mapped[AgreementStatus] = mapped_column(_enum(AgreementStatus))
    decline_reason: Mapped[str | None] = mapped_column(SealedText)
    proposed_by_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Schedule(Base):
    """When something recurs, as wall-clock time in ``time_zone`` (19:00 stays 19:00 across DST)."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[SchedulePurpose] = mapped_column(_enum(SchedulePurpose))
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency))
    interval: Mapped[int] = mapped_column(Integer, default=1)
    weekday: Mapped[int | None] = mapped_column(Integer)
    day_of_month: Mapped[int | None] = mapped_column(Integer)
    at_time: Mapped[time] = mapped_column(Time)
    starts_on: Mapped[date] = mapped_column(Date)
    time_zone: Mapped[str] = mapped_column(String(64))
    remind_hours_before: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_fired_at: Mapped[datetime | None]
    #: Occurrences up to this moment have been planned (their deliveries are in the outbox).
    planned_until: Mapped[datetime | None]
    #: When the planner must look at this schedule again; only due schedules are read per tick.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime]


class Delivery(Base):
    """The outbox: a message is a row (with a unique key per occurrence) before it is sent."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    due_at: Mapped[datetime]
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None]
    #: The Kring process sending it (while ``sending``; its lease ends at ``next_attempt_at``).
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]


class CheckinAnswer(Base):
    """One family member's answer to one check-in occurrence."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("member_id", "occurrence_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    occurrence_key: Mapped[str] = mapped_column(String(100))
    answer: Mapped[CheckinAnswerKind] = mapped_column(_enum(CheckinAnswerKind))
    worry_trend: Mapped[WorryTrend | None] = mapped_column(_enum(WorryTrend))
    note: Mapped[str | None] = mapped_column(SealedText)
    answered_at: Mapped[datetime]


class ContactRequest(Base):
    """A family member asking the former professional for contact. Only ever made on request."""

    __tablename__ = "contact_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    asked_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    professional_id: Mapped[int | None] = mapped_column(ForeignKey("professionals.id", ondelete="SET NULL"))
    urgency: Mapped[Urgency] = mapped_column(_enum(Urgency))
    message: Mapped[str | None] = mapped_column(SealedText)
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[ContactRequestStatus] = mapped_column(_enum(ContactRequestStatus))
    answer: Mapped[str | None] = mapped_column(String(32))
    answer_text: Mapped[str | None] = mapped_column(SealedText)
    answer_due_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class HelpAnswer(enum.StrEnum):
    CALL = "call"
    COME = "come"
    CANT = "cant"


class HelpAsk(Base):
    """A family member asking someone named in their "als het misgaat" plan for help — only ever
    when a family member pressed the button."""

    __tablename__ = "help_asks"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    asked_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    helper_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    private: Mapped[bool] = mapped_column(Boolean, default=False)  # asked in a private chat: the answer stays there
    answer: Mapped[HelpAnswer | None] = mapped_column(_enum(HelpAnswer))
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class AuditEvent(Base):
    """Who did what, when, in which circle: ids and event names only, never names or texts."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    circle_id: Mapped[int | None] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(ID)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Draft(Base):
    """A multi-step conversation in progress (for example a new circle), kept in the database so
    that a restart halfway loses nothing the person already typed. One per person per chat."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("person_id", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(SealedJSON, default=dict)
    updated_at: Mapped[datetime]


class WarningSign(Base):
    """A warning sign for the "als het misgaat" plan, in the family's own words."""

    __tablename__ = "warning_signs"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[datetime]


class PlanStep(Base):
    """One step of the "als het misgaat" plan, in order. The emergency numbers are always shown too."""

    __tablename__ = "plan_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[StepKind] = mapped_column(_enum(StepKind))
    text: Mapped[str | None] = mapped_column(SealedText)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    contact_name: Mapped[str | None] = mapped_column(SealedText)
    phone: Mapped[str | None] = mapped_column(SealedText)
    #: The member this step named was taken out of the circle: the family redoes the step.
    redo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]


class AgreementOccurrence(Base):
    """One time an agreement happens: was it done, not done, or done by the backup?"""

    __tablename__ = "agreement_occurrences"
    __table_args__ = (UniqueConstraint("agreement_id", "occurs_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    occurs_on: Mapped[date] = mapped_column(Date)
    occurs_at: Mapped[datetime]
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    answered_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]
    thanked_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class CheckinRound(Base):
    """One check-in moment of a circle: the question everyone in the family can answer."""

    __tablename__ = "checkin_rounds"
    __table_args__ = (UniqueConstraint("circle_id", "occurs_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    occurs_at: Mapped[datetime]
    with_review: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]


class NetworkCheckin(Base):
    """One check-in with one network member: how it goes for them in their role. The family sees
    only what the member's consent allows; the professional never sees it."""

    __tablename__ = "network_checkins"
    __table_args__ = (UniqueConstraint("member_id", "occurs_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    occurs_at: Mapped[datetime]
    had_contact: Mapped[HadContact | None] = mapped_column(_enum(HadContact))
    feeling: Mapped[Feeling | None] = mapped_column(_enum(Feeling))
    note: Mapped[str | None] = mapped_column(SealedText)
    note_shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    family_told_at: Mapped[datetime | None]  # the member asked Kring to tell the family they want to talk
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Worker(Base):
    """A running Kring process: its heartbeat (``kring health``, ``/healthz``) and its name on the
    outbox rows it is sending."""

    __tablename__ = "workers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    started_at: Mapped[datetime]
    last_tick_at: Mapped[datetime]


class SendLease(Base):
    """Which process sends a bot's outbox, and until when: Telegram's 30 messages a second are per
    bot, so one process at a time paces them (see ``bot/services/workers.py``)."""

    __tablename__ = "send_leases"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: The holder's worker name; ``None``: given up (a clean stop), anyone may take it.
    holder: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime]


class YoungCheckin(Base):
    """One private check-in with the young person. Their answers are theirs: a parent sees only
    what the young person shares (``shared_*``); the professional never sees them."""

    __tablename__ = "young_checkins"
    __table_args__ = (UniqueConstraint("member_id", "occurs_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(ForeignKey("schedules.id", ondelete="SET NULL"))
    occurs_at: Mapped[datetime]
    overall: Mapped[Mood | None] = mapped_column(_enum(Mood))
    at_home: Mapped[Mood | None] = mapped_column(_enum(Mood))
    at_school: Mapped[Mood | None] = mapped_column(_enum(Mood))
    talk: Mapped[TalkWish | None] = mapped_column(_enum(TalkWish))
    shared_overall: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shared_at_home: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    shared_at_school: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    parent_told_at: Mapped[datetime | None]  # the young person asked Kring to let a parent know
    mentor_told_at: Mapped[datetime | None]  # the young person asked Kring to tell their mentor
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class YoungOpinion(Base):
    """The young person's say on one agreement made for them; the coordinators see it."""

    __tablename__ = "young_opinions"
    __table_args__ = (UniqueConstraint("agreement_id", "young_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    young_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    opinion: Mapped[AgreementOpinion] = mapped_column(_enum(AgreementOpinion))
    updated_at: Mapped[datetime]


class YoungWish(Base):
    """The young person's mark on someone in the circle: want them involved, or rather not.
    Only the coordinators see it (the person marked does not)."""

    __tablename__ = "young_wishes"
    __table_args__ = (UniqueConstraint("member_id", "young_member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    young_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    wish: Mapped[PersonWish] = mapped_column(_enum(PersonWish))
    updated_at: Mapped[datetime]


class WhoName(Base):
    """An answer to a who-question ("Wie vertrouw jij?"): a name the family keeps for itself. Not a
    member, nobody is contacted; the family can invite them later with one tap."""

    __tablename__ = "who_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    #: Whose list it is: a coordinator's (the family's) or the young person's own.
    asked_by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    question: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(SealedText)
    invited_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class SharingRule(Base):
    """Safety circles: one person's level for one agreement or one step of the "als het misgaat"
    plan. No rule: today's default."""

    __tablename__ = "sharing_rules"
    __table_args__ = (UniqueConstraint("agreement_id", "plan_step_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    plan_step_id: Mapped[int | None] = mapped_column(ForeignKey("plan_steps.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    level: Mapped[KnowLevel] = mapped_column(_enum(KnowLevel))
    updated_at: Mapped[datetime]


class OpenRequest(Base):
    """A need the family posts to the circle ("Wie kan zaterdag de boodschappen doen?"). The first
    yes takes it; nobody sees who said no."""

    __tablename__ = "open_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    what: Mapped[str] = mapped_column(SealedText)
    status: Mapped[OpenRequestStatus] = mapped_column(_enum(OpenRequestStatus))
    expires_at: Mapped[datetime] = mapped_column(index=True)
    taken_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreements.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]


class OpenRequestAsk(Base):
    """One person asked by an open request, and their answer (private to them)."""

    __tablename__ = "open_request_asks"
    __table_args__ = (UniqueConstraint("request_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("open_requests.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    answer: Mapped[RequestAnswer | None] = mapped_column(_enum(RequestAnswer))
    answered_at: Mapped[datetime | None]


class GivenBack(Base):
    """What the family does for others (help goes both ways): the look-back mentions it."""

    __tablename__ = "given_back"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    by_member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    for_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    for_name: Mapped[str | None] = mapped_column(SealedText)  # someone outside the circle
    what: Mapped[str] = mapped_column(SealedText)
    created_at: Mapped[datetime]


class ReviewAnswer(Base):
    """One answer of the family at a review moment (or at the end of the follow-up), in their own
    words or a chosen button; kept with the plan."""

    __tablename__ = "review_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_rounds.id", ondelete="SET NULL"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    topic: Mapped[ReviewTopic] = mapped_column(_enum(ReviewTopic))
    text: Mapped[str | None] = mapped_column(SealedText)
    created_at: Mapped[datetime]


class AgreementReview(Base):
    """Does this agreement still fit? One tap per agreement at a review moment."""

    __tablename__ = "agreement_reviews"
    __table_args__ = (UniqueConstraint("round_id", "agreement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_rounds.id", ondelete="CASCADE"))
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    verdict: Mapped[AgreementVerdict] = mapped_column(_enum(AgreementVerdict))
    created_at: Mapped[datetime]


class NetworkReview(Base):
    """A network member's own look at their part, asked only when the family wants it; the family
    sees what the member chose to share."""

    __tablename__ = "network_reviews"
    __table_args__ = (UniqueConstraint("round_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_rounds.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    still_works: Mapped[StillWorks | None] = mapped_column(_enum(StillWorks))
    rather_else: Mapped[str | None] = mapped_column(SealedText)
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    answered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class SupportAnswer(Base):
    """Felt support, as the literature measures it: per kind of support, whether one felt supported
    in the last weeks, by whom (family, friends, neighbours, …) and how often. Kept per review, for
    the family and, separately, the young person."""

    __tablename__ = "support_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("checkin_rounds.id", ondelete="SET NULL"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SupportKind] = mapped_column(_enum(SupportKind))
    felt: Mapped[FeltSupport] = mapped_column(_enum(FeltSupport))
    #: Where it came from (``family``, ``friends``, ``neighbours``, ``network``, ``professional``).
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: How often in the last weeks: ``never``, ``once``, ``weekly``, ``more``.
    how_often: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime]
