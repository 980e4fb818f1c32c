"""Safety circles: "Wie mag dit weten?" for one part of the plan. A coordinator picks a person,
then must know / may know / must not know. The questions are shared by /safetyplan (a step of
the plan) and /agreements (an agreement: the flow :data:`SHARING` below)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import KnowLevel
from bot.flows.flow import Flow, Reply, Step, Turn, say
from bot.i18n import _, pgettext
from bot.services import sharing
from bot.services.sharing import Subject

#: Button value → level; "none" goes back to what Kring does without a choice.
LEVELS: dict[str, KnowLevel | None] = {
    "must": KnowLevel.MUST,
    "may": KnowLevel.MAY,
    "not": KnowLevel.MUST_NOT,
    "none": None,
}


def level_label(level: KnowLevel | None) -> str:
    match level:
        case KnowLevel.MUST:
            return _("moet het weten")
        case KnowLevel.MAY:
            return _("mag het weten")
        case KnowLevel.MUST_NOT:
            return _("mag het niet weten")
    return _("nog niet gekozen")


async def people_question(turn: Turn[Any], subject: Subject, about: str) -> Reply:
    """Everyone around the family with their level now, one button each."""
    choices = await sharing.choices(turn.session, subject, person_id=turn.person_id)
    lines = ["🔒 " + _("Wie mag dit weten?"), about]
    buttons: list[list[InlineKeyboardButton]] = []
    if choices:
        lines.append(_("Kies een persoon. Het gezin zelf ziet altijd alles."))
        buttons = [
            [turn.button(f"{c.member.display_name}: {level_label(c.level)}", "who", c.member.id)] for c in choices
        ]
    else:
        lines.append(_("Er is nog niemand om jullie heen in de kring om te kiezen."))
    buttons.append([turn.button(pgettext("button", "Klaar"), "share_done")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


async def level_question(turn: Turn[Any], subject: Subject, member_id: int | None) -> Reply:
    choice = await _choice(turn, subject, member_id)
    text = _("Wat mag {name} weten van dit deel van het plan?").format(name=choice.member.display_name)
    return text, InlineKeyboardMarkup(
        [
            [turn.button(pgettext("button", "Moet het weten"), "level", "must")],
            [turn.button(pgettext("button", "Mag het weten"), "level", "may")],
            [turn.button(pgettext("button", "Mag het niet weten"), "level", "not")],
            [turn.button(pgettext("button", "Niet kiezen"), "level", "none")],
            [turn.button(pgettext("button", "Terug"), "back")],
        ]
    )


async def take_level(turn: Turn[Any], subject: Subject, member_id: int | None, value: str) -> str | None:
    """Store the level; what "must not know" means is said once, plainly."""
    if value not in LEVELS:
        raise callbacks.BadCallbackData(value)
    choice = await _choice(turn, subject, member_id)
    level = LEVELS[value]
    await sharing.set_level(turn.session, subject, choice.member.id, level, person_id=turn.person_id, now=turn.now)
    if level == KnowLevel.MUST_NOT:
        return _("Goed. {name} krijgt dit nooit te zien, ook niet als plaatje of PDF.").format(
            name=choice.member.display_name
        )
    return None


async def _choice(turn: Turn[Any], subject: Subject, member_id: int | None) -> sharing.Choice:
    for choice in await sharing.choices(turn.session, subject, person_id=turn.person_id):
        if choice.member.id == member_id:
            return choice
    raise sharing.Invalid(member_id)


def with_note(note: str | None, reply: Reply) -> Reply:
    return (f"{note}\n\n{reply[0]}" if note else reply[0]), reply[1]


# -- /agreements: "Wie mag het weten?" for one agreement -----------------------------------------


@dataclass(frozen=True)
class SharingDraft:
    circle_id: int
    agreement_id: int
    member_id: int | None = None


Share = Turn[SharingDraft]


def refusal() -> str:
    return _("Alleen wie de kring regelt, kiest wie wat mag weten.")


def _subject(turn: Share) -> Subject:
    return Subject(agreement_id=turn.data.agreement_id)


async def _ask(turn: Share) -> Reply:
    if turn.step == "level":
        return await level_question(turn, _subject(turn), turn.data.member_id)
    about = await sharing.agreement_text(turn.session, turn.data.agreement_id)
    return await people_question(turn, _subject(turn), f"• {about}")


async def _pressed(turn: Share, name: str, value: str) -> Reply | None:
    if name == "share_done":
        turn.finish()
        return say(_("Bewaard. Met /plan zie je het plan."))
    if name == "who" and turn.step == "people":
        turn.go("level", member_id=callbacks.as_int(value))
        return None
    if name == "back" and turn.step == "level":
        turn.go("people", member_id=None)
        return None
    if name == "level" and turn.step == "level":
        note = await take_level(turn, _subject(turn), turn.data.member_id, value)
        turn.go("people", member_id=None)
        return with_note(note, await turn.question())
    raise callbacks.BadCallbackData(name)


async def _may_set(turn: Share) -> None:
    await sharing.check_can_set(turn.session, turn.data.circle_id, person_id=turn.person_id)


SHARING = Flow(
    "sharing",
    SharingDraft,
    action="sh",
    check=_may_set,
    gone=refusal,
    steps={
        "people": Step(_ask, pressed=_pressed),
        "level": Step(_ask, pressed=_pressed),
    },
)
