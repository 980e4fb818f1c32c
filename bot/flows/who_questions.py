"""/who: a few who-questions, one per screen. Each typed answer is kept at once (stopping halfway
loses nothing); every question can be skipped; at the end the list, with "Nodig uit"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say
from bot.i18n import _, pgettext
from bot.messages import who_questions as messages
from bot.services import circles, who_questions

#: At most this many names in one answer ("Oma, Kees en Lisa").
MAX_PER_ANSWER = 5


@dataclass(frozen=True)
class WhoDraft:
    circle_id: int
    young: bool = False
    #: This round's questions (keys of :data:`who_questions.QUESTIONS`) and where we are.
    keys: list[str] = field(default_factory=list)
    index: int = 0


Who = Turn[WhoDraft]


async def _ask(turn: Who) -> Reply:
    data = turn.data
    text = "\n\n".join(
        [
            messages.counter(data.index + 1, len(data.keys))
            + "\n"
            + messages.question(data.keys[data.index], young=data.young),
            messages.how_to_answer(),
        ]
    )
    return text, rows(
        [turn.button(pgettext("button", "Overslaan"), "skip"), turn.button(pgettext("button", "Klaar voor nu"), "done")]
    )


async def _next(turn: Who) -> Reply | None:
    """On to the next question, or the list when this round is done."""
    if turn.data.index + 1 < len(turn.data.keys):
        turn.go("ask", index=turn.data.index + 1)
        return None
    return await _the_list(turn)


async def _the_list(turn: Who) -> Reply:
    turn.finish()
    names = await who_questions.names(turn.session, turn.data.circle_id, person_id=turn.person_id)
    return messages.list_view(names, turn.data.circle_id, young=turn.data.young)


def _split(text: str) -> list[str] | None:
    """The names in one answer; ``None`` when one is too long or there are too many. Commas as
    people type them: "," and ";", and the Arabic/Persian "،" and "؛"."""
    parts = [p for p in (" ".join(part.split()) for part in re.split(r"[,;،؛]", text)) if p]
    if not parts or len(parts) > MAX_PER_ANSWER:
        return None
    cleaned = [circles.clean_name(p) for p in parts]
    return None if None in cleaned else [c for c in cleaned if c is not None]


async def _typed(turn: Who, text: str) -> Reply | None:
    names = _split(text)
    if names is None:
        return say(
            _("Stuur hoogstens {count} namen, van elk hoogstens {length} tekens.").format(
                count=MAX_PER_ANSWER, length=circles.MAX_NAME
            )
        )
    question = turn.data.keys[turn.data.index]
    added = [
        name
        for name in names
        if await who_questions.add(
            turn.session, turn.data.circle_id, person_id=turn.person_id, question=question, name=name, now=turn.now
        )
    ]
    before = messages.kept(added) if added else ""
    if not added and await who_questions.is_full(turn.session, turn.data.circle_id, person_id=turn.person_id):
        before = messages.full()
    reply = await _next(turn)
    if reply is None:
        reply = await turn.question()
    return (f"{before}\n\n{reply[0]}" if before else reply[0]), reply[1]


async def _pressed(turn: Who, name: str, value: str) -> Reply | None:
    if name == "skip":
        return await _next(turn)
    if name == "done":
        return await _the_list(turn)
    raise callbacks.BadCallbackData(name)


async def _may_ask(turn: Who) -> None:
    await who_questions.asker(turn.session, turn.data.circle_id, person_id=turn.person_id)


async def first(turn: Who) -> Reply:
    """The intro and the first question of a new round."""
    text, buttons = await turn.question()
    return messages.intro(len(turn.data.keys), young=turn.data.young) + "\n\n" + text, buttons


def draft(circle_id: int, asker: who_questions.Asker, keys: list[str]) -> WhoDraft:
    return WhoDraft(circle_id, young=asker.young, keys=keys)


WHO = Flow(
    "who",
    WhoDraft,
    action="who",  # who:draft_id:name:value
    check=_may_ask,
    gone=messages.refusal,
    stopped=messages.stopped,
    steps={"ask": Step(_ask, typed=_typed, pressed=_pressed)},
)
