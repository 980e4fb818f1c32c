"""Messages about the end of the follow-up period: the family's question whether to extend (with
its buttons), their answer for the professional, the professional's goodbye, the family's handover."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callbacks
from bot.db.models import Delivery
from bot.i18n import _, format_date, pgettext
from bot.messages import reviews
from bot.services import follow_up
from bot.texts import helplines_button, organisation_contact
from scheduler.sender import Rendered

EXTEND = "fu"  # fu:circle_id:ends_on (ordinal):1|0


def extend_buttons(circle_id: int, ends_on: date) -> InlineKeyboardMarkup:
    day = ends_on.toordinal()
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, een maand langer"),
                    callback_data=callbacks.encode(EXTEND, circle_id, day, 1),
                ),
                InlineKeyboardButton(
                    pgettext("button", "Nee, het is goed zo"), callback_data=callbacks.encode(EXTEND, circle_id, day, 0)
                ),
            ]
        ]
    )


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    asked = await follow_up.question(session, delivery.circle_id, delivery.payload.get("ends_on"))
    if asked is None:
        return None
    return Rendered(
        "\n".join(
            [
                _("{name} kijkt nog mee tot {date}. Daarna gaat de kring gewoon door.").format(
                    date=format_date(asked.ends_on), name=asked.professional
                ),
                _("Zal {name} een maand langer meekijken? Wie de kring regelt, kiest.").format(name=asked.professional),
            ]
        ),
        extend_buttons(asked.circle_id, asked.ends_on),
    )


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await follow_up.circle_name(session, delivery.circle_id)
    if circle is None:
        return None
    ends_on = format_date(date.fromisoformat(delivery.payload["ends_on"]))
    if delivery.payload.get("extend"):
        return Rendered(
            _("{circle} wil dat je een maand langer meekijkt, tot en met {date}.").format(circle=circle, date=ends_on)
        )
    return Rendered(_("{circle} vindt het goed zo. Je kijkt mee tot {date}.").format(circle=circle, date=ends_on))


async def goodbye(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await follow_up.circle_name(session, delivery.circle_id)
    if circle is None:
        return None
    return Rendered(
        _(
            "Je kijkt niet meer mee met {circle}. Je krijgt van deze kring geen berichten meer. "
            "Dank je wel voor je werk met dit gezin."
        ).format(circle=circle)
    )


async def handover(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    name = await follow_up.professional_name(session, delivery.payload.get("professional_id"))
    return Rendered(
        "\n".join(
            [
                "🌱 "
                + _("{name} kijkt niet meer mee. Vanaf nu doen jullie het samen, met de mensen om jullie heen.").format(
                    name=_("de hulpverlener") if name is None else name
                ),
                _("Ik blijf. De afspraken, de check-ins en jullie plan gaan gewoon door."),
                organisation_contact(),
                "",
                reviews.where_now_invitation(),  # "waar staan we nu?" (issue 23), kept in the plan
            ]
        ),
        InlineKeyboardMarkup([[reviews.end_button(delivery.circle_id)], [helplines_button()]])
        if delivery.circle_id is not None
        else InlineKeyboardMarkup([[helplines_button()]]),
    )
