"""/mentor: the young person proposes someone they trust, one question per screen: the name, why
(if they like), then "ask my parents". Nothing reaches that person: only the parents are asked."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, say, too_long
from bot.i18n import _, pgettext
from bot.messages import mentors as messages
from bot.services import circles, mentors


@dataclass(frozen=True)
class MentorDraft:
    circle_id: int
    name: str = ""
    reason: str | None = None


Propose = Turn[MentorDraft]


async def _ask(turn: Propose) -> Reply:
    data = turn.data
    match turn.step:
        case "name":
            return say(
                "\n\n".join(
                    [
                        pgettext(
                            "jongere",
                            "Wie vertrouw je? Iemand uit je eigen omgeving, zoals een oom, een trainer of een buurvrouw.",
                        ),
                        pgettext("jongere", "Stuur de naam. Stoppen? Stuur /cancel."),
                    ]
                )
            )
        case "reason":
            return pgettext(
                "jongere",
                "Waarom vertrouw je {name}? Schrijf het kort op. Je ouders lezen het. Of druk op 'Overslaan'.",
            ).format(name=data.name), turn.skip_button()
    lines = [
        _("Klopt dit?"),
        _("Naam: {name}").format(name=data.name),
    ]
    if data.reason:
        lines.append(_("Waarom: {reason}").format(reason=data.reason))
    lines += [
        "",
        pgettext("jongere", "Ik vraag het eerst je ouders. {name} hoort niets voordat zij ja zeggen.").format(
            name=data.name
        ),
        _("Stoppen? Stuur /cancel."),
    ]
    return "\n".join(lines), InlineKeyboardMarkup(
        [[turn.button(pgettext("button", "✅ Vraag het mijn ouders"), "ask")]]
    )


async def _name(turn: Propose, text: str) -> Reply | None:
    name = circles.clean_name(text)
    if name is None:
        return say(_("Die naam is te lang. Gebruik hoogstens {count} tekens.").format(count=circles.MAX_NAME))
    turn.go("reason", name=name)
    return None


async def _reason(turn: Propose, text: str) -> Reply | None:
    reason = circles.clean_name(text, mentors.MAX_REASON)
    if reason is None:
        return too_long(mentors.MAX_REASON)
    turn.go("confirm", reason=reason)
    return None


async def _skip(turn: Propose, name: str, value: str) -> Reply | None:
    if name != "skip":
        raise callbacks.BadCallbackData(name)
    turn.go("confirm", reason=None)
    return None


async def _send(turn: Propose, name: str, value: str) -> Reply | None:
    if name != "ask":
        raise callbacks.BadCallbackData(name)
    data = turn.data
    await mentors.propose(
        turn.session, data.circle_id, person_id=turn.person_id, name=data.name, reason=data.reason, now=turn.now
    )
    turn.finish()
    return say(messages.asked_text(data.name))


async def _may_propose(turn: Propose) -> None:
    await mentors.check_can_propose(turn.session, turn.data.circle_id, person_id=turn.person_id)


PROPOSE = Flow(
    "mentor",
    MentorDraft,
    action="mtp",  # mtp:draft_id:name:value
    check=_may_propose,
    gone=messages.refusal,
    steps={
        "name": Step(_ask, typed=_name),
        "reason": Step(_ask, typed=_reason, pressed=_skip),
        "confirm": Step(_ask, pressed=_send),
    },
)
