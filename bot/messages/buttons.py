"""Buttons on a message about one thing (an agreement, a reminder): ``action:id:choice``."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks


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
