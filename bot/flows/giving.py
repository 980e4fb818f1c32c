"""/given: the family records what they did for someone else — what (typed), then for whom (a
person around them, someone else by name, or nobody said). Help goes both ways."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, say, too_long
from bot.i18n import _, pgettext
from bot.services import circles, giving


@dataclass(frozen=True)
class GivenDraft:
    circle_id: int
    what: str = ""


Record = Turn[GivenDraft]


def _refusal() -> str:
    return _("Dit kan alleen het gezin.")


async def _ask(turn: Record) -> Reply:
    if turn.step == "what":
        return say(
            _(
                "Hulp gaat twee kanten op. Wat deden jullie voor een ander? Bijvoorbeeld: boodschappen voor de buurvrouw."
            )
            + "\n"
            + _("Stoppen? Stuur /cancel.")
        )
    if turn.step == "name":
        return say(_("Voor wie was het? Stuur de naam."))
    people = await giving.others(turn.session, turn.data.circle_id, person_id=turn.person_id)
    buttons = [[turn.button(m.display_name, "member", m.id)] for m in people]
    buttons.append([turn.button(pgettext("button", "Iemand anders"), "other")])
    buttons.append([turn.button(pgettext("button", "Overslaan"), "skip")])
    return _("Voor wie was het?"), InlineKeyboardMarkup(buttons)


async def _what(turn: Record, text: str) -> Reply | None:
    what = circles.clean_name(text, giving.MAX_WHAT)
    if what is None:
        return too_long(giving.MAX_WHAT)
    turn.go("whom", what=what)
    return None


async def _saved(turn: Record, *, for_member_id: int | None = None, for_name: str | None = None) -> Reply:
    await giving.record(
        turn.session,
        turn.data.circle_id,
        person_id=turn.person_id,
        what=turn.data.what,
        for_member_id=for_member_id,
        for_name=for_name,
        now=turn.now,
    )
    turn.finish()
    return say("🤝 " + _("Mooi. Ik noem het bij de volgende check-in."))


async def _whom(turn: Record, name: str, value: str) -> Reply | None:
    if name == "member":
        return await _saved(turn, for_member_id=callbacks.as_int(value))
    if name == "other":
        turn.go("name")
        return None
    if name == "skip":
        return await _saved(turn)
    raise callbacks.BadCallbackData(name)


async def _name(turn: Record, text: str) -> Reply | None:
    name = circles.clean_name(text)
    if name is None:
        return too_long(circles.MAX_NAME)
    return await _saved(turn, for_name=name)


async def _may_record(turn: Record) -> None:
    await giving.others(turn.session, turn.data.circle_id, person_id=turn.person_id)


GIVEN = Flow(
    "given",
    GivenDraft,
    action="gvn",  # gvn:draft_id:name:value
    check=_may_record,
    gone=_refusal,
    steps={
        "what": Step(_ask, typed=_what),
        "whom": Step(_ask, pressed=_whom),
        "name": Step(_ask, typed=_name),
    },
)
