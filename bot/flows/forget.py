"""/forget in two steps: first what will happen (erasing oneself, or dissolving a circle one
coordinates), then "yes". Nothing is erased before that second tap."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.flows.flow import Flow, Reply, Step, Turn, say
from bot.i18n import _, pgettext
from bot.services import circles, erasure, who_questions
from bot.texts import last_coordinator


@dataclass(frozen=True)
class ForgetDraft:
    #: The circle to dissolve, once chosen.
    circle_id: int | None = None


Forget = Turn[ForgetDraft]
#: The button that stops without erasing anything (on every step).
NO = "no"


def _no(turn: Forget) -> list[InlineKeyboardButton]:
    return [turn.button(pgettext("button", "Nee, toch niet"), NO)]


async def _ask(turn: Forget) -> Reply:
    """What to erase: oneself, or a circle this person coordinates."""
    rows = [[turn.button("🗑 " + _("Alles over mij wissen"), "self")]]
    rows += [
        [turn.button("🗑 " + _("Kring {circle} opheffen").format(circle=c.name), "circle", c.id)]
        for c in await circles.dissolvable(turn.session, turn.person_id)
    ]
    if names := await who_questions.count_own(turn.session, turn.person_id):
        rows.append([turn.button("🗑 " + _("Alleen de namen van /who ({count})").format(count=names), "names")])
    rows.append(_no(turn))
    return _("Wat wil je wissen? Eerst zie je wat er dan gebeurt. Pas daarna wis ik iets."), InlineKeyboardMarkup(rows)


async def _chosen(turn: Forget, name: str, value: str) -> Reply | None:
    if name == NO:
        return _nothing(turn)
    if name == "self":
        return await _what_erasing_does(turn)
    if name == "names":
        turn.go("confirm_names")
        return _("De namen die je bij /who opschreef, worden gewist. De rest blijft. Weet je het zeker?"), (
            InlineKeyboardMarkup([[turn.button(pgettext("button", "Ja, wis de namen"), "yes_names")], _no(turn)])
        )
    if name == "circle" and value.isdigit():
        circle = await erasure.check_can_dissolve(turn.session, callbacks.as_int(value), person_id=turn.person_id)
        turn.go("confirm_circle", circle_id=circle.id)
        return "\n".join(
            [
                _(
                    "Alles van de kring {circle} wordt gewist: het plan, de afspraken, de antwoorden en wie meedoet."
                ).format(circle=circle.name),
                _("Iedereen in de kring hoort dat de kring is opgeheven. Dit kan niet terug. Weet je het zeker?"),
            ]
        ), InlineKeyboardMarkup([[turn.button(pgettext("button", "Ja, hef de kring op"), "yes_circle")], _no(turn)])
    raise callbacks.BadCallbackData(name)


def _nothing(turn: Forget) -> Reply:
    turn.finish()
    return say(_("Goed. Ik wis niets."))


async def _what_erasing_does(turn: Forget) -> Reply:
    try:
        will = await erasure.consequences_for(turn.session, turn.person_id)
    except erasure.StillAProfessional:
        turn.finish()
        return say(
            _(
                "Je bent nog hulpverlener van een kring. Vraag je organisatie om je af te melden. Dan wis ik je gegevens."
            )
        )
    if will.must_hand_over:
        turn.finish()
        return say(last_coordinator())
    turn.go("confirm_self")
    lines = [
        _("Dit gebeurt als je alles over jou wist:"),
        "• " + _("Je naam, je antwoorden, je berichten en je instellingen worden gewist."),
    ]
    if will.agreements_ending:
        lines.append("• " + _("Deze afspraken stoppen: {what}").format(what=", ".join(will.agreements_ending)))
    if will.circles_left:
        lines.append(
            "• " + _("Het gezin hoort dat je gestopt bent ({circles}).").format(circles=", ".join(will.circles_left))
        )
    if will.circles_dissolved:
        lines.append(
            "• "
            + _("Je bent de enige van het gezin. Daarom wordt deze kring opgeheven: {circles}.").format(
                circles=", ".join(will.circles_dissolved)
            )
        )
    lines.append(_("Dit kan niet terug. Weet je het zeker?"))
    return "\n".join(lines), InlineKeyboardMarkup(
        [[turn.button(pgettext("button", "Ja, wis alles over mij"), "yes_self")], _no(turn)]
    )


async def _erase_self(turn: Forget, name: str, value: str) -> Reply | None:
    if name == NO:
        return _nothing(turn)
    if name != "yes_self":
        raise callbacks.BadCallbackData(name)
    turn.finish()
    await erasure.forget(turn.session, turn.person_id, now=turn.now)
    return say(_("Klaar. Alles over jou is gewist. Wil je ooit weer meedoen? Dan heb je een nieuwe link nodig."))


async def _erase_names(turn: Forget, name: str, value: str) -> Reply | None:
    if name == NO:
        return _nothing(turn)
    if name != "yes_names":
        raise callbacks.BadCallbackData(name)
    turn.finish()
    await who_questions.forget_own(turn.session, turn.person_id, now=turn.now)
    return say(_("Klaar. De namen van /who zijn gewist."))


async def _dissolve(turn: Forget, name: str, value: str) -> Reply | None:
    if name == NO:
        return _nothing(turn)
    if name != "yes_circle" or turn.data.circle_id is None:
        raise callbacks.BadCallbackData(name)
    turn.finish()
    circle = await erasure.dissolve(turn.session, turn.data.circle_id, person_id=turn.person_id, now=turn.now)
    return say(_("Klaar. De kring {circle} is opgeheven en alles ervan is gewist.").format(circle=circle))


FORGET = Flow(
    "forget",
    ForgetDraft,
    action="fg",
    steps={
        "choose": Step(_ask, pressed=_chosen),
        "confirm_self": Step(pressed=_erase_self),
        "confirm_names": Step(pressed=_erase_names),
        "confirm_circle": Step(pressed=_dissolve),
    },
)
