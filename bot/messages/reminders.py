"""The buttons on a reminder, on the backup's question and on "het is gedaan"."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import pgettext
from bot.messages.buttons import choices

ANSWER = "occ"
THANK = "thx"


def reminder_buttons(occurrence_id: int) -> InlineKeyboardMarkup:
    return choices(
        ANSWER,
        occurrence_id,
        (pgettext("button", "Gedaan"), "done"),
        (pgettext("button", "Lukt deze keer niet"), "cant"),
    )


def backup_buttons(occurrence_id: int) -> InlineKeyboardMarkup:
    return choices(
        ANSWER,
        occurrence_id,
        (pgettext("button", "Ik doe het"), "bdone"),
        (pgettext("button", "Lukt mij ook niet"), "bcant"),
    )


def thanks_button(occurrence_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(pgettext("button", "Bedankt!"), callback_data=callbacks.encode(THANK, occurrence_id))]]
    )
