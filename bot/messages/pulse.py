"""The pulse ("de cijfers") to the former professional, the family's copy of it ("Dit ziet
Anna"), the professional hearing that the family switched it on or off, and the question to the
family (after /pulse, or once after the first check-in choice)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Delivery
from bot.i18n import _, format_date, ngettext, pgettext
from bot.messages.buttons import marked
from bot.services import notifications, pulse
from scheduler.sender import Rendered

CHOOSE = "pl"  # pl:circle_id:weeks (0: off)
#: An example of the figures, shown when the family is asked.
EXAMPLE = pulse.Stats(
    checkins=2, answers=2, good=2, so_so=1, not_good=0, want_to_talk=0, kept=3, not_done=0, no_answer=1
)


def _agreements_line(stats: pulse.Stats) -> str:
    if stats.not_kept is not None:  # queued before the two were counted apart
        return _("Afspraken: {kept} gelukt, {not_kept} niet gelukt of geen antwoord.").format(
            kept=stats.kept, not_kept=stats.not_kept
        )
    return _("Afspraken: {kept} gelukt, {not_done} niet gelukt, {no_answer} zonder antwoord.").format(
        kept=stats.kept, not_done=stats.not_done, no_answer=stats.no_answer
    )


def stats_lines(stats: pulse.Stats) -> list[str]:
    """The pulse's content: counts only. The same lines go to the professional and the family."""
    return [
        _("Check-ins: {asked} gevraagd, {answered} beantwoord.").format(asked=stats.checkins, answered=stats.answers),
        _("Antwoorden: goed {good}, zo-zo {so_so}, niet goed {not_good}, wil erover praten {talk}.").format(
            good=stats.good, so_so=stats.so_so, not_good=stats.not_good, talk=stats.want_to_talk
        ),
        _agreements_line(stats),
    ] + (
        [_("Check-ins van het netwerk: {count} beantwoord.").format(count=stats.network_answers)]
        if stats.network_answers
        else []
    )


def offer(offered: pulse.Offer, circle_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    """May the professional see the figures? ✓ marks what is chosen now (off by default)."""
    professional, schedule = offered.professional, offered.schedule
    if professional is None:
        return _("Er is geen hulpverlener meer bij deze kring. De cijfers gaan naar niemand."), None
    now = schedule.interval if schedule is not None else 0
    text = "\n".join(
        [
            _("Mag {name} om de paar weken de cijfers zien?").format(name=professional.name),
            _("Zo kijkt {name} nog mee.").format(name=professional.name),  # the family's copy: after choosing
            _("Nooit wat jullie schrijven, alleen dit:"),
            *("  " + line for line in stats_lines(EXAMPLE)),
        ]
    )
    buttons = [
        InlineKeyboardButton(
            marked(ngettext("Elke week", "Elke {count} weken", w).format(count=w), chosen=w == now, tip=w == 2),
            callback_data=callbacks.encode(CHOOSE, circle_id, w),
        )
        for w in pulse.CHOICES
    ]
    buttons.append(
        InlineKeyboardButton(
            marked(pgettext("button", "Uit"), chosen=not now), callback_data=callbacks.encode(CHOOSE, circle_id, 0)
        )
    )
    return text, InlineKeyboardMarkup([buttons])


async def _stats_of(session: AsyncSession, delivery: Delivery) -> pulse.Stats:
    """Counted once, when first sent: the family's copy shows exactly these numbers."""
    if "stats" not in delivery.payload:
        stats = await pulse.stats(
            session,
            delivery.circle_id or 0,
            datetime.fromisoformat(delivery.payload["since"]),
            datetime.fromisoformat(delivery.payload["until"]),
        )
        delivery.payload = {**delivery.payload, "stats": stats.as_payload()}
    return pulse.Stats.from_payload(delivery.payload["stats"])


async def pulse_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    found = await pulse.to_send(session, delivery.circle_id, delivery.payload.get("professional_id"), delivery)
    if found is None:
        return None  # switched off, the professional removed, or the follow-up over since it was queued
    circle, professional = found
    stats = await _stats_of(session, delivery)
    local_since = datetime.fromisoformat(delivery.payload["since"]).astimezone(ZoneInfo(circle.time_zone))
    since = format_date(local_since.date(), format="d MMMM")

    async def show_the_family(session: AsyncSession, sent: Delivery) -> None:
        await notifications.tell_family(
            session,
            circle,
            kind=DeliveryKind.PULSE_SHOWN,
            key=f"{sent.key}:shown",
            now=sent.due_at,
            payload={
                "stats": stats.as_payload(),
                "professional_id": professional.id,
                "last": sent.payload.get("last", False),
            },
        )

    return Rendered(
        "\n".join(
            [
                "🫶 " + _("De cijfers van {circle}, sinds {date}:").format(circle=circle.name, date=since),
                *stats_lines(stats),
                _("Meer vertel ik niet. Wil het gezin contact, dan vragen ze dat zelf."),
            ]
        ),
        after_sent=show_the_family,
    )


async def pulse_shown(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    professional = await pulse.find_professional(session, delivery.payload.get("professional_id"))
    if professional is None:
        return None
    stats = pulse.Stats.from_payload(delivery.payload["stats"])
    if delivery.payload.get("last"):
        return Rendered(
            "\n".join(
                [
                    "🫶 " + _("Dit zijn de laatste cijfers die {name} krijgt:").format(name=professional.name),
                    *stats_lines(stats),
                ]
            )
        )
    return Rendered(
        "\n".join(
            [
                "🫶 " + _("Dit ziet {name} vandaag:").format(name=professional.name),
                *stats_lines(stats),
                _("Liever niet meer? Kies /pulse."),
            ]
        )
    )


async def pulse_switched(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await pulse.find_circle(session, delivery.circle_id)
    if circle is None:
        return None
    if delivery.payload.get("on"):
        return Rendered(
            _("{circle} laat je om de paar weken de cijfers zien. Nooit wat ze schrijven.").format(circle=circle.name)
        )
    return Rendered(_("{circle} heeft de cijfers uitgezet. Je krijgt ze niet meer.").format(circle=circle.name))
