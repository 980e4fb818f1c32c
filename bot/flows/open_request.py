"""/ask: the family posts a need to the circle, one question per screen: what, to whom (everyone,
or people chosen one tap each), how long it stays open, then "Vraag het"."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, rows, say, too_long
from bot.i18n import _, ngettext, pgettext
from bot.messages import open_requests as messages
from bot.messages.buttons import marked
from bot.services import circles, open_requests


@dataclass(frozen=True)
class RequestDraft:
    circle_id: int
    what: str = ""
    #: Member ids chosen; empty: everyone.
    chosen: tuple[int, ...] = ()
    days: int = open_requests.LASTS_TIP


Post = Turn[RequestDraft]


def _days(days: int) -> str:
    if days == 7:
        return pgettext("button", "1 week")
    return ngettext("{count} dag", "{count} dagen", days).format(count=days)


async def _ask(turn: Post) -> Reply:
    data = turn.data
    match turn.step:
        case "what":
            return say(
                "\n\n".join(
                    [
                        _("Wat kan iemand voor jullie doen? Bijvoorbeeld: zaterdag de boodschappen doen."),
                        _("Schrijf het kort op. Stoppen? Stuur /cancel."),
                    ]
                )
            )
        case "who":
            people = await open_requests.askable(turn.session, data.circle_id, person_id=turn.person_id)
            chosen = set(data.chosen)
            buttons = [turn.button(pgettext("button", "👥 Iedereen"), "everyone")]
            buttons += [turn.button(marked(m.display_name, chosen=m.id in chosen), "member", m.id) for m in people]
            if chosen:
                buttons.append(turn.button(pgettext("button", "Verder"), "next"))
            return _("Aan wie vraag ik het? Kies iedereen, of tik de mensen aan."), rows(buttons)
        case "lasts":
            buttons = [
                turn.button(marked(_days(days), tip=days == open_requests.LASTS_TIP), "days", days)
                for days in open_requests.LASTS
            ]
            return _("Hoe lang staat de hulpvraag open?"), rows(buttons, per_row=3)
    names = await _names(turn)
    lines = [
        _("Klopt dit?"),
        _("Hulpvraag: {what}").format(what=data.what),
        _("Aan: {who}").format(who=names),
        _("Staat open: {days}").format(days=_days(data.days)),
        "",
        _("Wie 'Ik doe het' zegt, hoor jij. Niemand hoort wie nee zegt."),
    ]
    return "\n".join(lines), InlineKeyboardMarkup([[turn.button(pgettext("button", "📣 Vraag het"), "send")]])


async def _names(turn: Post) -> str:
    if not turn.data.chosen:
        return _("iedereen in de kring")
    people = await open_requests.askable(turn.session, turn.data.circle_id, person_id=turn.person_id)
    return ", ".join(m.display_name for m in people if m.id in turn.data.chosen)


async def _what(turn: Post, text: str) -> Reply | None:
    what = circles.clean_name(text, open_requests.MAX_WHAT)
    if what is None:
        return too_long(open_requests.MAX_WHAT)
    people = await open_requests.askable(turn.session, turn.data.circle_id, person_id=turn.person_id)
    if not people:
        turn.finish()
        return say(messages.nobody_text())
    turn.go("who", what=what)
    return None


async def _who(turn: Post, name: str, value: str) -> Reply | None:
    match name:
        case "everyone":
            turn.go("lasts", chosen=())
        case "next" if turn.data.chosen:
            turn.go("lasts")
        case "member":
            member_id = callbacks.as_int(value)
            people = await open_requests.askable(turn.session, turn.data.circle_id, person_id=turn.person_id)
            if member_id not in {m.id for m in people}:
                raise callbacks.BadCallbackData(value)
            chosen = set(turn.data.chosen) ^ {member_id}
            turn.go("who", chosen=tuple(sorted(chosen)))
        case _:
            raise callbacks.BadCallbackData(name)
    return None


async def _lasts(turn: Post, name: str, value: str) -> Reply | None:
    days = callbacks.as_int(value) if name == "days" else 0
    if days not in open_requests.LASTS:
        raise callbacks.BadCallbackData(value)
    turn.go("confirm", days=days)
    return None


async def _send(turn: Post, name: str, value: str) -> Reply | None:
    if name != "send":
        raise callbacks.BadCallbackData(name)
    data = turn.data
    request = await open_requests.post(
        turn.session,
        data.circle_id,
        person_id=turn.person_id,
        what=data.what,
        member_ids=list(data.chosen) or None,
        days=data.days,
        now=turn.now,
    )
    turn.finish()
    return say(messages.sent_text(await open_requests.asked_count(turn.session, request.id)))


async def _may_post(turn: Post) -> None:
    await open_requests.check_can_post(turn.session, turn.data.circle_id, person_id=turn.person_id)


POST = Flow(
    "open_request",
    RequestDraft,
    action="rqf",  # rqf:draft_id:name:value
    check=_may_post,
    gone=messages.refusal,
    steps={
        "what": Step(_ask, typed=_what),
        "who": Step(_ask, pressed=_who),
        "lasts": Step(_ask, pressed=_lasts),
        "confirm": Step(_ask, pressed=_send),
    },
)
