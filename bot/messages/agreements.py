"""The buttons on messages about an agreement: the doer's answer, a coordinator's approval."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.i18n import pgettext
from bot.messages.buttons import choices

ANSWER = "agq"
CONFIRM = "ags"


def answer_buttons(agreement_id: int) -> InlineKeyboardMarkup:
    return choices(
        ANSWER, agreement_id, (pgettext("button", "Ja, dat doe ik"), "yes"), (pgettext("button", "Liever anders"), "no")
    )


def confirm_buttons(agreement_id: int) -> InlineKeyboardMarkup:
    return choices(
        CONFIRM, agreement_id, (pgettext("button", "Goedkeuren"), "yes"), (pgettext("button", "Niet doen"), "no")
    )
