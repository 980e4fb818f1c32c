"""Texts that more than one message shares. Kept in one place so that the safety lines are the
same wherever help is discussed (domain rule 12)."""

from __future__ import annotations

from telegram import InlineKeyboardButton

from bot import callbacks
from bot.db.models import CheckinAnswerKind
from bot.i18n import _, pgettext

HELPLINES = "hl"  # hl — show 112 and the helplines to the presser only
#: Telegram's limit for the text of a callback alert.
ALERT_LIMIT = 200

_organisation_contact: str | None = None


def configure(organisation_contact: str | None) -> None:
    """Set by the administrator (``KRING_ORGANISATION_CONTACT``) when the bot is built."""
    global _organisation_contact
    _organisation_contact = organisation_contact


def organisation_contact() -> str:
    """Where the family can go later, or when the professional does not answer in time."""
    if _organisation_contact:
        return _("Contact met de organisatie: {contact}").format(contact=_organisation_contact)
    return _("Bel je gemeente en vraag naar het wijkteam of jeugdteam.")


def not_an_emergency_service() -> str:
    return _(
        "Ik ben geen noodhulp. Ik lees niet altijd mee.\n"
        "Is er gevaar? Bel 112.\n"
        "Veilig Thuis: 0800-2000\n"
        "113 Zelfmoordpreventie: 0800-0113\n"
        "Kindertelefoon: 0800-0432"
    )


def helplines_button() -> InlineKeyboardButton:
    """Under every message where help is discussed: the helplines, one tap away, for the presser only."""
    return InlineKeyboardButton("☎️ " + pgettext("button", "Hulplijnen"), callback_data=callbacks.encode(HELPLINES))


def helplines_short() -> str:
    """The numbers alone, for an alert when the whole block is too long for one."""
    return "\n".join([_("Gevaar? Bel 112."), "Veilig Thuis: 0800-2000", "113: 0800-0113", "Kindertelefoon: 0800-0432"])


def answer_labels() -> dict[CheckinAnswerKind, str]:
    """The four check-in answers, as on the buttons (also in the pictures and in /mydata)."""
    return {
        CheckinAnswerKind.GOOD: "😊 " + pgettext("button", "Goed"),
        CheckinAnswerKind.SO_SO: "😐 " + pgettext("button", "Zo-zo"),
        CheckinAnswerKind.NOT_GOOD: "😟 " + pgettext("button", "Niet goed"),
        CheckinAnswerKind.WANT_TO_TALK: "💬 " + pgettext("button", "Ik wil erover praten"),
    }


def last_coordinator() -> str:
    """To the one coordinator of a circle that has more family: hand over first."""
    return _(
        "Jij bent de enige die de kring regelt. Laat eerst iemand anders meeregelen met /members. "
        "Wil je de hele kring stoppen? Kies dan /forget."
    )
