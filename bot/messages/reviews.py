"""The words of looking back together: the questions, the buttons that open them (on the review
message and on the end of the follow-up), and what Kring says at the end."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import ReviewTopic
from bot.i18n import _, pgettext

START = "rv"  # rv:round_id — the questions of a review moment
END = "rve"  # rve:circle_id — "waar staan we nu?" at the end of the follow-up
EDIT = "agm"  # the /agreements button (``bot.handlers.agreements.MANAGE``): agm:agreement_id:edit


def start_button(round_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "🔄 " + pgettext("button", "Samen terugkijken"), callback_data=callbacks.encode(START, round_id)
                )
            ]
        ]
    )


def end_button(circle_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "🌱 " + pgettext("button", "Waar staan we nu?"), callback_data=callbacks.encode(END, circle_id)
    )


def invitation() -> str:
    """Under the review message: what the button does."""
    return _("Ik stel jullie een paar korte vragen. Antwoorden mag, hoeft niet.")


def question(topic: ReviewTopic) -> str:
    return {
        ReviewTopic.WENT_WELL: _("Wat ging er goed de laatste weken?"),
        ReviewTopic.PROUD: _("Waar zijn jullie trots op?"),
        ReviewTopic.CHANGE: _("Wat moet er anders?"),
        ReviewTopic.NEED_MOST: _("Wat hebben jullie nu het meest nodig?"),
        ReviewTopic.WHERE_NOW: _("Waar staan we nu? Wat is er veranderd sinds de hulp stopte?"),
        ReviewTopic.KEEP_DOING: _("Wat blijven jullie doen, nu zonder hulpverlener?"),
    }[topic]


def where_now_invitation() -> str:
    return _("Waar staan jullie nu? Waar zijn jullie trots op? Kijk samen even terug.")


def how_to_answer() -> str:
    return _("Schrijf het in een paar woorden. Of druk op 'Overslaan'.")


def counter(number: int, total: int) -> str:
    return _("Vraag {number} van {total}").format(number=number, total=total)


def intro(end: bool) -> str:
    if end:
        return "🌱 " + _("We kijken samen terug. Stoppen? Stuur /cancel.")
    return "🔄 " + _("We kijken samen terug. Stoppen? Stuur /cancel.")


def agreement_question() -> str:
    return _("Past deze afspraak nog?")


def stop_question(what: str) -> str:
    return _("Stoppen met “{what}”? Dan staat het niet meer in het plan.").format(what=what)


def stopped_agreement(what: str) -> str:
    return _("Gestopt: {what}").format(what=what)


def kept() -> str:
    return _("Bewaard.")


def thanks() -> str:
    return _("Dank je wel. Ik bewaar jullie antwoorden bij het plan. Met /plan zie je ze terug.")


def change_now() -> str:
    return _("Je wilde deze afspraken aanpassen. Druk op een afspraak om dat nu te doen.")


def sent_privately() -> str:
    return _("Ik stuur je de vragen privé.")


def start_privately_first() -> str:
    return _("Stuur mij eerst privé /start. Druk daarna nog een keer op de knop.")


def stopped() -> str:
    return _("Gestopt. Wat je al antwoordde, is bewaard.")


def refusal() -> str:
    return _("Deze vragen zijn voor het gezin.")
