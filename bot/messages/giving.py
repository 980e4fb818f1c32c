"""Help goes both ways: the thank-you the family gets, the screens around it, and the line in the
check-in's look back."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery, MemberStatus
from bot.i18n import _, ngettext, pgettext
from bot.services import notices
from bot.services.authz import Role
from bot.services.giving import BothWays
from scheduler.sender import Rendered

THANK = "thk"  # thk:circle_id — send the thank-you to the family


def thank_question(role: Role, circle_id: int) -> tuple[str, InlineKeyboardMarkup]:
    if role == Role.YOUNG:
        text = pgettext("jongere", "Wil je je ouders bedanken? Ik stuur ze een bedankje van jou.")
    else:
        text = _("Wil je het gezin bedanken? Ik stuur hun een bedankje van jou.")
    button = InlineKeyboardButton(
        "💐 " + pgettext("button", "Stuur het bedankje"), callback_data=callbacks.encode(THANK, circle_id)
    )
    return text, InlineKeyboardMarkup([[button]])


def thank_sent(again: bool) -> str:
    if again:
        return _("Je bedankje van vandaag is al verstuurd.")
    return "💐 " + _("Verstuurd. Dank je wel!")


def thank_refusal() -> str:
    return _("Het gezin bedanken kan iemand om het gezin heen, of de jongere.")


async def thanked(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    member = await notices.member(session, delivery.payload.get("member_id"))
    if member is None or member.status != MemberStatus.ACTIVE:
        return None
    return Rendered("💐 " + _("{name} bedankt jullie voor alles wat jullie doen.").format(name=member.display_name))


def both_ways_lines(both: BothWays) -> list[str]:
    """For the check-in's look back: help goes both ways (counts only)."""
    lines = []
    if both.given:
        lines.append(
            "🤝 "
            + ngettext(
                "Jullie deden {count} keer iets voor een ander.",
                "Jullie deden {count} keer iets voor een ander.",
                both.given,
            ).format(count=both.given)
        )
    if both.thanks:
        lines.append(
            "💐 "
            + ngettext("Jullie kregen {count} bedankje.", "Jullie kregen {count} bedankjes.", both.thanks).format(
                count=both.thanks
            )
        )
    return lines
