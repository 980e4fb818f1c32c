"""Buttons on a message about one thing (an agreement, a reminder): ``action:id:choice``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import pgettext


def choices(action: str, subject_id: int, *labelled: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of buttons, each a (label, choice) about the subject."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(label, callback_data=callbacks.encode(action, subject_id, choice))
                for label, choice in labelled
            ]
        ]
    )


def marked(label: str, *, chosen: bool = False, tip: bool = False) -> str:
    """A choice's label: ✓ only for what is chosen now; a suggestion says so in words."""
    if chosen:
        return "✓ " + label
    if tip:
        return pgettext("button", "{choice} (tip)").format(choice=label)
    return label
