"""When it is not going well: the help view with a button per person to ask, the call for help
that person gets (with their answer buttons), and their answer for the family."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, HelpAnswer
from bot.i18n import _, pgettext
from bot.messages.places import places_button
from bot.plan_text import step_line
from bot.services import help_asks, safety_plan
from bot.texts import helplines_button, not_an_emergency_service
from scheduler.sender import Rendered

SHOW = "hs"  # hs:circle_id — show the help view (from a check-in answer, from /plan)
ASK = "ha"  # ha:step_id — ask the person named in this step
ANSWER = "hr"  # hr:ask_id:answer — the person asked answers
CONTACT = "ct"  # ct:circle_id — ask the former professional (see handlers/contact.py)


def show_button(circle_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "🆘 " + pgettext("button", "Hulp vragen"), callback_data=callbacks.encode(SHOW, circle_id)
    )


def help_view(view: help_asks.HelpView, *, places: bool = False) -> tuple[str, InlineKeyboardMarkup]:
    """The family's own plan, a button per person to ask, the professional if still there; with
    ``places``, a button to the places to turn to (after the family's own people)."""
    lines: list[str] = [
        _(
            "Gaat het niet goed? Kijk eerst naar jullie eigen plan. Ik stuur niemand een bericht, tenzij jij op een knop drukt."
        )
    ]
    if view.steps:
        lines.append(_("Dit hebben jullie afgesproken voor als het misgaat:"))
        lines += [step_line(i, step) for i, step in enumerate(view.steps, 1)]
    buttons = [
        [
            InlineKeyboardButton(
                "🙋 " + _("Vraag {name}").format(name=s.name), callback_data=callbacks.encode(ASK, s.step.id)
            )
        ]
        for s in view.askable
    ]
    if not view.askable:
        lines.append(
            _(
                "Er staat nog niemand in jullie plan die ik kan vragen. Wie kun je vandaag bellen of appen? "
                "Denk aan familie, een buur, een vriend, of iemand van school, sport of geloof. "
                "Iemand die je kent en vertrouwt, helpt vaak al."
            )
        )
        if places:
            buttons.append([places_button(view.circle_id)])
    if view.professional is not None:
        buttons.append(
            [
                InlineKeyboardButton(
                    "📞 " + _("Contact met {name}").format(name=view.professional),
                    callback_data=callbacks.encode(CONTACT, view.circle_id),
                )
            ]
        )
    if view.full_helplines:
        lines.append(not_an_emergency_service())
    else:
        buttons.append([helplines_button()])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def own_words_reply(circles: list[tuple[int, str]]) -> tuple[str, InlineKeyboardMarkup]:
    """To someone who wrote in their own words: I cannot read it, but help is one tap away
    (their family's own plan, per circle they may ask from, and the helplines)."""
    text = "\n".join(
        [
            _("Dank je voor je bericht. Ik kan er zelf niet op antwoorden."),
            _("Gaat het niet goed? Druk dan op een knop hieronder."),
            _("Kies /help om te zien wat ik kan."),
        ]
    )
    many = len(circles) > 1
    rows = [
        [
            InlineKeyboardButton(
                "🆘 " + (name if many else pgettext("button", "Hulp vragen")), callback_data=callbacks.encode(SHOW, id_)
            )
        ]
        for id_, name in circles
    ]
    return text, InlineKeyboardMarkup([*rows, [helplines_button()]])


def hard_moment(steps: list[safety_plan.StepView], circle_id: int) -> tuple[str, InlineKeyboardMarkup]:
    """After "not good" in a check-in, to the one who answered: their own plan first, a button to
    ask someone from it, and the helplines. Kring contacts nobody by itself."""
    lines: list[str] = [_("Fijn dat je het zegt. Ik stuur niemand zomaar een bericht.")]
    if steps:
        lines.append(_("Dit hebben jullie afgesproken voor als het misgaat:"))
        lines += [step_line(i, step) for i, step in enumerate(steps, 1)]
    else:
        lines.append(_("Wie kun je vandaag bellen of appen? Iemand die je vertrouwt, helpt vaak al."))
    return "\n".join(lines), InlineKeyboardMarkup([[show_button(circle_id)], [helplines_button()]])


def answer_buttons(ask_id: int) -> InlineKeyboardMarkup:
    def button(label: str, answer: HelpAnswer) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=callbacks.encode(ANSWER, ask_id, answer.value))

    return InlineKeyboardMarkup(
        [
            [
                button("📞 " + pgettext("button", "Ik bel"), HelpAnswer.CALL),
                button("🚶 " + pgettext("button", "Ik kom langs"), HelpAnswer.COME),
            ],
            [button(pgettext("button", "Nu niet"), HelpAnswer.CANT)],
        ]
    )


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await help_asks.ask_view(session, delivery.payload.get("ask_id"))
    if found is None:
        return None
    return Rendered(
        "🙋 "
        + _("{name} van {circle} vraagt je om hulp. Het gaat nu niet goed. Kun je bellen of langskomen?").format(
            name=found.asker.display_name, circle=found.circle.name
        ),
        answer_buttons(found.request.id),
    )


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await help_asks.ask_view(session, delivery.payload.get("ask_id"))
    if found is None or found.request.answer is None:
        return None
    helper, asker = found.helper.display_name, found.asker.display_name
    if found.request.answer == HelpAnswer.CALL:
        return Rendered("📞 " + _("{helper} belt {asker} zo.").format(helper=helper, asker=asker))
    if found.request.answer == HelpAnswer.COME:
        return Rendered("🚶 " + _("{helper} komt langs bij {asker}.").format(helper=helper, asker=asker))
    return Rendered(
        _("{helper} kan nu niet. Vraag iemand anders uit jullie plan, met /askhelp.").format(helper=helper),
        InlineKeyboardMarkup([[show_button(found.circle.id)], [helplines_button()]]),
    )
