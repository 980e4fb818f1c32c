"""Renderers for what others are told when someone erases themselves or a circle is dissolved."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Delivery
from bot.i18n import _
from scheduler.sender import Rendered


async def _forget_the_name(session: AsyncSession, sent: Delivery) -> None:
    """Once told, the name (of someone erased, of a dissolved circle) is not kept in the outbox either."""
    sent.payload = {}


async def member_forgotten(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    payload = delivery.payload
    lines = [
        _("{name} doet niet meer mee en heeft gevraagd om alles over zichzelf te wissen. Dat is goed zo.").format(
            name=payload["name"]
        )
    ]
    if payload.get("agreements"):
        lines.append(
            _("Deze afspraken zijn daarom gestopt: {what}. Kijk samen wie dat nu doet (/plan).").format(
                what=", ".join(payload["agreements"])
            )
        )
    if payload.get("backup_for"):
        lines.append(
            _("{name} zou inspringen bij: {what}. Nu springt daar niemand meer in.").format(
                name=payload["name"], what=", ".join(payload["backup_for"])
            )
        )
    if payload.get("in_plan"):
        lines.append(
            _(
                "{name} staat ook niet meer in jullie plan voor als het misgaat. Kijk wie jullie dan vragen (/safetyplan)."
            ).format(name=payload["name"])
        )
    return Rendered("\n".join(lines), after_sent=_forget_the_name)


async def circle_dissolved(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    return Rendered(
        _(
            "De kring {circle} is opgeheven door iemand van het gezin. Alles ervan is gewist. "
            "Ik stuur over deze kring geen berichten meer."
        ).format(circle=delivery.payload["circle"]),
        after_sent=_forget_the_name,
    )
