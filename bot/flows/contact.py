"""Asking the former professional for contact: how soon, a few words if you like, then "Versturen"
(nothing reaches the professional before that). And the professional's optional words with their
answer, typed within the hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Urgency
from bot.flows.flow import Flow, Reply, Step, Turn, say, too_long
from bot.i18n import _, pgettext
from bot.messages.contact import due, urgency_label
from bot.services import contact


@dataclass(frozen=True)
class ContactDraft:
    circle_id: int
    #: The professional's name, as shown when the request was begun.
    professional: str
    #: An :class:`Urgency` value.
    urgency: str | None = None
    message: str | None = None
    #: Asked by the young person: their request stays between them and the professional.
    young: bool = False


Request = Turn[ContactDraft]


async def _ask(turn: Request) -> Reply:
    data = turn.data
    match turn.step:
        case "urgency":
            return _(
                "Je vraagt {name} om contact. {name} krijgt je vraag pas als je op 'Versturen' drukt. Hoe snel is het nodig?"
            ).format(name=data.professional), InlineKeyboardMarkup(
                [[turn.button(urgency_label(u), "urgency", u.value) for u in Urgency]]
            )
        case "message":
            return (
                _(
                    "Wil je er kort iets bij schrijven? Stuur het nu als antwoord op dit bericht. Of druk op 'Overslaan'."
                ),
                turn.skip_button(),
            )
    assert data.urgency is not None
    lines = [
        _("Klopt dit?"),
        _("Aan: {name}").format(name=data.professional),
        _("Hoe snel: {urgency}").format(urgency=urgency_label(data.urgency)),
    ]
    if data.message:
        lines.append(_("Bericht: {text}").format(text=data.message))
    if data.young and turn.private:
        lines.append(pgettext("jongere", "Alleen jij krijgt het antwoord. Je ouders horen er niets van."))
    return "\n".join(lines), InlineKeyboardMarkup(
        [
            [
                turn.button("✉️ " + pgettext("button", "Versturen"), "send"),
                turn.button(pgettext("button", "Stoppen"), "stop"),
            ]
        ]
    )


async def _urgency(turn: Request, name: str, value: str) -> Reply | None:
    if name != "urgency":
        raise callbacks.BadCallbackData(name)
    turn.go("message", urgency=callbacks.as_enum(Urgency, value).value)
    return None


async def _message(turn: Request, text: str) -> Reply | None:
    message = text.strip()
    if len(message) > contact.MAX_MESSAGE:
        return too_long(contact.MAX_MESSAGE)
    turn.go("confirm", message=message)
    return None


async def _no_message(turn: Request, name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    turn.go("confirm", message=None)
    return None


async def _send(turn: Request, name: str, value: str) -> Reply | None:
    if name != "send":
        raise callbacks.BadCallbackData(name)
    data = turn.data
    assert data.urgency is not None
    asked = await contact.request(
        turn.session,
        data.circle_id,
        person_id=turn.person_id,
        urgency=Urgency(data.urgency),
        message=data.message,
        private=turn.private or data.young,  # the young person's answer never goes to the group
        now=turn.now,
    )
    turn.finish()
    when = due(asked.answer_due_at, await contact.circle_zone(turn.session, asked.circle_id))
    return say(
        _(
            "Verstuurd. {name} weet nu dat je contact wilt. Heb je voor {due} niets gehoord? Dan laat ik het je weten."
        ).format(name=data.professional, due=when)
    )


async def _may_ask(turn: Request) -> None:
    await contact.check_still_can_ask(turn.session, turn.data.circle_id, person_id=turn.person_id, now=turn.now)


def _not_sent() -> str:
    return _("Gestopt. Er is niets verstuurd.")


REQUEST = Flow(
    "contact",
    ContactDraft,
    action="cs",  # cs:draft_id:name:value
    check=_may_ask,
    gone=_not_sent,
    stopped=_not_sent,
    steps={
        "urgency": Step(_ask, pressed=_urgency),
        "message": Step(_ask, typed=_message, pressed=_no_message),
        "confirm": Step(_ask, pressed=_send),
    },
)


# -- the professional's words with their answer -----------------------------------------------


@dataclass(frozen=True)
class AnswerDraft:
    request_id: int


def answered(readers: contact.Readers) -> str:
    """Said under the request once the professional tapped an answer."""
    who = (
        _("de groep van {circle}").format(circle=readers.group)
        if readers.group is not None
        else _("alleen {name}").format(name=readers.asker)
    )
    return _(
        "Je antwoord is verstuurd. Wil je er nog iets bij schrijven? Dat leest {readers}. "
        "Stuur het binnen een uur. Of stuur /cancel."
    ).format(readers=who)


async def _answer_text(turn: Turn[AnswerDraft], text: str) -> Reply | None:
    note = text.strip()
    if len(note) > contact.MAX_MESSAGE:
        return too_long(contact.MAX_MESSAGE)
    turn.finish()
    await contact.add_answer_text(turn.session, turn.data.request_id, person_id=turn.person_id, text=note, now=turn.now)
    return say(_("Verstuurd."))


ANSWER = Flow(
    "contact_answer",
    AnswerDraft,
    gone=lambda: _("Dit kan ik niet meer doorsturen. De hulpverlener kijkt niet meer mee."),
    waits=timedelta(hours=1),
    steps={"text": Step(typed=_answer_text)},
)
