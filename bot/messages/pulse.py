"""The pulse to the former professional, the family's copy of it ("Dit ziet Anna"), and the
professional hearing that the family switched it on or off."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.delivery_kinds import DeliveryKind
from bot.db.models import Delivery
from bot.i18n import _, format_date
from bot.services import notifications, pulse
from scheduler.sender import Rendered


def stats_lines(stats: pulse.Stats) -> list[str]:
    """The pulse's content: counts only. The same lines go to the professional and the family."""
    return [
        _("Check-ins: {asked} gevraagd, {answered} beantwoord.").format(asked=stats.checkins, answered=stats.answers),
        _("Antwoorden: goed {good}, zo-zo {so_so}, niet goed {not_good}, wil erover praten {talk}.").format(
            good=stats.good, so_so=stats.so_so, not_good=stats.not_good, talk=stats.want_to_talk
        ),
        _("Afspraken: {kept} gelukt, {not_kept} niet gelukt of geen antwoord.").format(
            kept=stats.kept, not_kept=stats.not_kept
        ),
    ] + (
        [_("Check-ins van het netwerk: {count} beantwoord.").format(count=stats.network_answers)]
        if stats.network_answers
        else []
    )


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
    return pulse.Stats(**delivery.payload["stats"])


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
                "🫶 " + _("Korte stand van {circle}, sinds {date}:").format(circle=circle.name, date=since),
                *stats_lines(stats),
                _("Meer vertelt Kring niet. Wil het gezin contact, dan vragen ze dat zelf."),
            ]
        ),
        after_sent=show_the_family,
    )


async def pulse_shown(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    professional = await pulse.find_professional(session, delivery.payload.get("professional_id"))
    if professional is None:
        return None
    stats = pulse.Stats(**delivery.payload["stats"])
    if delivery.payload.get("last"):
        return Rendered(
            "\n".join(
                [
                    "🫶 " + _("Dit is de laatste stand die {name} krijgt:").format(name=professional.name),
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
            _("{circle} geeft je om de paar weken een korte stand: alleen tellingen.").format(circle=circle.name)
        )
    return Rendered(_("{circle} heeft de korte stand uitgezet. Je krijgt geen stand meer.").format(circle=circle.name))
