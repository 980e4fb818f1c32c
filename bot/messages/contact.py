"""Messages about a request for contact with the former professional: the request itself (with
the professional's answer buttons), the answer, a note with it, and "no answer in time"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, MemberRole, Urgency
from bot.i18n import _, format_datetime, pgettext
from bot.services import contact
from bot.texts import helplines_button, organisation_contact
from scheduler.sender import Rendered

ANSWER = "ca"  # ca:request_id:answer — the professional answers


def urgency_label(urgency: Urgency | str) -> str:
    return pgettext("button", "Vandaag") if Urgency(urgency) == Urgency.TODAY else pgettext("button", "Deze week")


def due(at: datetime, zone: ZoneInfo) -> str:
    return format_datetime(at, zone, format="EEEE d MMMM HH:mm")


def answer_buttons(request_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ik bel vandaag"), callback_data=callbacks.encode(ANSWER, request_id, "today")
                )
            ],
            [
                InlineKeyboardButton(
                    pgettext("button", "Ik reageer deze week"),
                    callback_data=callbacks.encode(ANSWER, request_id, "this_week"),
                )
            ],
        ]
    )


def _young_alone(found: contact.RequestView) -> bool:
    """The young person asked, privately: the professional answers them, not their parents."""
    return found.asker.role == MemberRole.YOUNG and not found.in_group


async def request_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await contact.view(session, delivery.payload.get("request_id"))
    if found is None or not found.open_for(delivery.person_id):
        return None  # answered, or the professional removed since: the asker hears it when time is up
    asked = found.request
    lines = [
        "📞 " + _("Vraag om contact: {circle}").format(circle=found.circle.name),
        _("Van: {name}").format(name=found.asker.display_name)
        + (" " + _("(de jongere zelf; alleen de jongere leest je antwoord)") if _young_alone(found) else ""),
        _("Hoe snel: {urgency}").format(urgency=urgency_label(asked.urgency)),
    ]
    if asked.message:
        lines.append(_("Bericht: {text}").format(text=asked.message))
    lines.append(_("Graag een antwoord voor {due}.").format(due=due(asked.answer_due_at, found.zone)))
    return Rendered("\n".join(lines), answer_buttons(asked.id))


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await contact.view(session, delivery.payload.get("request_id"))
    if found is None:
        return None
    promise = _("Ik bel je vandaag.") if found.request.answer == "today" else _("Ik reageer deze week.")
    return Rendered(
        "📞 "
        + _("{name} antwoordt {asker}: {promise}").format(
            name=found.professional.name, asker=found.asker.display_name, promise=promise
        )
    )


async def answer_text_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await contact.view(session, delivery.payload.get("request_id"))
    if found is None or not found.request.answer_text:
        return None
    return Rendered(
        "📞 " + _("{name} schrijft: {text}").format(name=found.professional.name, text=found.request.answer_text)
    )


async def timeout_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    """Never silently lost: no answer in time, so the asker hears it and gets other ways."""
    found = await contact.time_out(session, delivery.payload.get("request_id"))
    if found is None:
        return None
    return Rendered(
        "\n".join(
            [
                _(
                    "{asker}, {name} heeft nog niet gereageerd op je vraag om contact. Dat is vervelend. Bel zelf even:"
                ).format(asker=found.asker.display_name, name=found.professional.name),
                organisation_contact(),
            ]
        ),
        InlineKeyboardMarkup([[helplines_button()]]),
    )
