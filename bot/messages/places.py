"""Places to turn to: the button that offers them and the screen that lists them. Shown only to
a family with few people around them, and always after their own people."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.i18n import _, bidi, current_language, pgettext
from bot.services.places import Place

SHOW = "plc"  # plc:circle_id — show the places to turn to


def places_button(circle_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        "🏡 " + pgettext("button", "Hulp in de buurt"), callback_data=callbacks.encode(SHOW, circle_id)
    )


def places_view(places: list[Place], default_language: str) -> str:
    language = current_language()
    lines = [
        _("Jullie eigen mensen blijven het belangrijkst. Wil je er meer mensen bij?"),
        _("Deze plekken in de buurt helpen gezinnen:"),
        "",
    ]
    for place in places:
        lines.append(f"🏡 {bidi(place.text('name', language, default_language))}")
        lines.append(bidi(place.text("offer", language, default_language)))
        lines.append("👉 " + bidi(place.text("reach", language, default_language)))
        lines.append("")
    lines.append(_("Je kiest zelf of je contact opneemt. Ik stuur hun niets."))
    return "\n".join(lines)


def places_markup(circle_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[places_button(circle_id)]])
