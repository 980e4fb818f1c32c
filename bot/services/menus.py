"""Which commands a person's menu holds: only what their roles let them do.

The menu follows the authorisation matrix (:data:`bot.services.authz.RULES`): a command about a
circle names the actions its handler authorises, and shows for exactly the roles those actions
allow. Commands that are not about a circle are for everyone (``EVERYONE``), for anyone who takes
part somewhere or is a registered professional (``TAKING_PART``: settings for the messages they
get, and stopping a conversation), or for a registered professional (``/new``: checked on the
professional's registration, not in a circle, so it is not in the matrix).

A changed menu goes through the outbox (:func:`refresh`, :func:`refresh_group`, :func:`forget`),
so a failed call is tried again and a 429 pause holds it like any message.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import outbox
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Circle, Delivery, DeliveryStatus, Person
from bot.i18n import N_
from bot.services.authz import RULES, Action, Role


class For:
    """Who sees a command that is not about a circle."""

    EVERYONE = "everyone"
    TAKING_PART = "taking_part"  # a role in a circle, or a registered professional
    PROFESSIONALS = "professionals"  # registered by the organisation, with or without circles


@dataclass(frozen=True)
class Command:
    name: str
    description: str  # Dutch source; translated when the menu is sent
    #: The actions its handler authorises; empty for a command that is not about a circle.
    actions: tuple[Action, ...] = ()
    audience: str = For.EVERYONE
    #: Also in a group's menu (it works there and concerns the whole group).
    in_group: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that may use it, straight from the matrix (empty: not about a circle)."""
        return frozenset().union(*(RULES[action] for action in self.actions))


#: Every command, in the order people see them.
COMMANDS: tuple[Command, ...] = (
    Command("askhelp", N_("Het gaat niet goed: hulp vragen"), (Action.ASK_HELP,), in_group=True),
    Command("plan", N_("Wie doet wat, en wat doen we als het misgaat?"), (Action.VIEW_PLAN,), in_group=True),
    # /agreements lists what the person may see; a coordinator changes them there
    Command("agreements", N_("Afspraken bekijken en aanpassen"), (Action.VIEW_PLAN,), in_group=True),
    Command(
        "newagreement",
        N_("Een nieuwe afspraak maken"),
        (Action.MAKE_AGREEMENT, Action.SUGGEST_AGREEMENT),
    ),
    Command("safetyplan", N_("Het plan voor als het misgaat"), (Action.EDIT_SAFETY_PLAN,)),
    Command("checkin", N_("Wanneer vraag ik hoe het gaat?"), (Action.CHOOSE_CHECKIN,)),
    Command("mycheckin", N_("Je eigen check-in"), (Action.ANSWER_YOUNG_CHECKIN,)),
    Command("contact", N_("Contact met de hulpverlener vragen"), (Action.CONTACT_PROFESSIONAL,)),
    Command("people", N_("Wie wil jij erbij?"), (Action.GIVE_YOUNG_VIEW,)),
    Command("given", N_("Wat deden jullie voor een ander?"), (Action.RECORD_GIVING,)),
    Command("thanks", N_("Bedank het gezin"), (Action.THANK_FAMILY,)),
    Command("pulse", N_("De cijfers voor de hulpverlener"), (Action.CHOOSE_PULSE,)),
    Command("members", N_("Wie doet mee?"), (Action.LIST_MEMBERS,)),
    Command("invite", N_("Nodig iemand uit"), (Action.INVITE,)),
    Command("ask", N_("Vraag de kring om hulp bij iets"), (Action.POST_REQUEST,)),
    Command("who", N_("Wie is er om jullie heen?"), (Action.ASK_WHO_QUESTIONS,)),
    Command("mentor", N_("Kies iemand die je vertrouwt"), (Action.PROPOSE_MENTOR,)),
    Command("pause", N_("Pauze van berichten"), (Action.PAUSE_SELF,)),
    Command("leave", N_("Stoppen met een kring"), (Action.LEAVE,)),
    # the professional's own circles and their open requests (those they answer)
    Command("overview", N_("Overzicht voor hulpverleners"), (Action.ANSWER_CONTACT,)),
    Command("new", N_("Een nieuwe kring starten"), audience=For.PROFESSIONALS),
    Command("language", N_("Kies je taal"), in_group=True),
    Command("quiet", N_("Wanneer wil je geen berichten?"), audience=For.TAKING_PART),
    Command("timezone", N_("Woon je in een andere tijdzone?"), audience=For.TAKING_PART),
    Command("privacy", N_("Wat bewaar ik, en hoe?")),
    Command("mydata", N_("Alles wat ik over jou bewaar, als bestand")),
    Command("forget", N_("Wis je gegevens, of hef een kring op")),
    Command("help", N_("Wat kan ik hier doen?"), in_group=True),
    Command("start", N_("Wat is Kring?")),
    Command("cancel", N_("Stop waar je mee bezig bent"), audience=For.TAKING_PART),
)


def commands_for(roles: Iterable[Role], *, registered_professional: bool = False) -> tuple[Command, ...]:
    """The private-chat menu of someone with ``roles`` over all their circles (``Role.STRANGER``
    and no roles mean the same: nobody yet)."""
    held = frozenset(roles) - {Role.STRANGER}
    taking_part = bool(held) or registered_professional

    def shown(command: Command) -> bool:
        if command.actions:
            return bool(command.roles & held)
        if command.audience == For.PROFESSIONALS:
            return registered_professional
        if command.audience == For.TAKING_PART:
            return taking_part
        return True

    return tuple(command for command in COMMANDS if shown(command))


def group_commands() -> tuple[Command, ...]:
    """The menu in a group chat (every group member sees the same one)."""
    return tuple(command for command in COMMANDS if command.in_group)


# -- sending a changed menu, through the outbox ------------------------------------------------


async def _enqueue(
    session: AsyncSession,
    *,
    chat_id: int,
    now: datetime,
    person_id: int | None = None,
    circle_id: int | None = None,
    payload: dict[str, object] | None = None,
) -> None:
    """One waiting menu per chat: it is rendered when it is sent, so it is always the newest.
    (A menu being sent right now may be older: then a new one follows it.)"""
    waiting = await session.scalar(
        select(Delivery).where(
            Delivery.kind == DeliveryKind.MENU.value,
            Delivery.chat_id == chat_id,
            Delivery.status == DeliveryStatus.PENDING,
        )
    )
    if waiting is not None:
        waiting.person_id, waiting.circle_id, waiting.payload = person_id, circle_id, dict(payload or {})
        return
    await outbox.enqueue(
        session,
        key=f"menu:{chat_id}:{uuid.uuid4().hex}",  # setting a menu twice is harmless
        kind=DeliveryKind.MENU,
        chat_id=chat_id,
        due_at=now,
        now=now,
        person_id=person_id,
        circle_id=circle_id,
        payload=dict(payload or {}),
    )


async def refresh(session: AsyncSession, person_id: int | None, *, now: datetime) -> None:
    """The person's roles or language changed: their private menu follows."""
    person = await session.get(Person, person_id) if person_id is not None else None
    if person is not None:
        await _enqueue(session, chat_id=person.telegram_user_id, person_id=person.id, now=now)


async def refresh_group(session: AsyncSession, circle: Circle, *, now: datetime) -> None:
    """The circle's group was linked, or its language changed: the group's menu in its language."""
    if circle.group_chat_id is not None:
        await _enqueue(session, chat_id=circle.group_chat_id, circle_id=circle.id, now=now)


async def forget(session: AsyncSession, chat_id: int, *, now: datetime) -> None:
    """The person was erased, or a group lost its circle: its own menu goes, Telegram's default
    menus (the "nobody yet" one, or the group one) apply again."""
    await _enqueue(session, chat_id=chat_id, now=now, payload={"delete": True})
