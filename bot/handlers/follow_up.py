"""The end of the follow-up period: the family's choice to extend it, the goodbye and the warm
handover; and /overview, the professional's short list of their circles."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import Circle, Delivery, Professional
from bot.handlers.flows import button_action
from bot.i18n import _, format_date, pgettext
from bot.runtime import KringContext
from bot.services import circles, contact, follow_up, pulse
from bot.texts import not_an_emergency_service, organisation_contact
from scheduler.sender import Rendered

EXTEND = "fu"  # fu:circle_id:ends_on (ordinal):1|0


async def _professional(session: AsyncSession, delivery: Delivery) -> Professional | None:
    return await session.get(Professional, delivery.payload.get("professional_id"))


async def ask_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    if (
        circle is None
        or circle.professional_id is None
        or str(circle.follow_up_ends_on) != delivery.payload.get("ends_on")
    ):
        return None
    professional = await session.get_one(Professional, circle.professional_id)
    ends_on = date.fromisoformat(delivery.payload["ends_on"])
    day = ends_on.toordinal()
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, een maand langer"),
                    callback_data=callbacks.encode(EXTEND, circle.id, day, 1),
                ),
                InlineKeyboardButton(
                    pgettext("button", "Nee, het is goed zo"), callback_data=callbacks.encode(EXTEND, circle.id, day, 0)
                ),
            ]
        ]
    )
    return Rendered(
        "\n".join(
            [
                _(
                    "Op {date} stopt de begeleiding door {name}. Daarna gaat de kring gewoon door, met jullie en jullie netwerk."
                ).format(date=format_date(ends_on), name=professional.name),
                _("Willen jullie de begeleiding een maand langer? Wie de kring regelt, kiest."),
            ]
        ),
        buttons,
    )


def _day(value: str) -> date:
    """The day a button names (as a date ordinal)."""
    try:
        return date.fromordinal(callbacks.as_int(value))
    except (ValueError, OverflowError):
        raise callbacks.BadCallbackData(value) from None  # (our buttons name a real day)


async def extend_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[bool, date]:
        circle_id, day, choice = values
        if choice not in ("0", "1"):
            raise callbacks.BadCallbackData(choice)
        circle = await follow_up.answer(
            session,
            callbacks.as_int(circle_id),
            person_id=person_id,
            ends_on=_day(day),
            extend=choice == "1",
            now=context.runtime.clock.now(),
        )
        assert circle.follow_up_ends_on is not None
        return choice == "1", circle.follow_up_ends_on

    done = await button_action(update, context, EXTEND, 3, apply)
    if done is None:
        return
    extended, ends_on = done
    await query.answer()
    if extended:
        await query.edit_message_text(
            _("Goed. De begeleiding loopt nu tot en met {date}. De hulpverlener weet het.").format(
                date=format_date(ends_on)
            )
        )
    else:
        await query.edit_message_text(
            _("Goed. De begeleiding stopt op {date}. De hulpverlener weet het. Jullie kring gaat door.").format(
                date=format_date(ends_on)
            )
        )


async def answer_message(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    if circle is None:
        return None
    ends_on = format_date(date.fromisoformat(delivery.payload["ends_on"]))
    if delivery.payload.get("extend"):
        return Rendered(
            _("{circle} wil de begeleiding een maand langer, tot en met {date}.").format(
                circle=circle.name, date=ends_on
            )
        )
    return Rendered(
        _("{circle} vindt het goed zo. De begeleiding stopt op {date}.").format(circle=circle.name, date=ends_on)
    )


async def goodbye(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    circle = await session.get(Circle, delivery.circle_id)
    if circle is None:
        return None
    return Rendered(
        _(
            "De begeleiding van {circle} is voorbij. Je bent niet meer aan deze kring verbonden. "
            "Dank je wel voor je werk met dit gezin."
        ).format(circle=circle.name)
    )


async def handover(session: AsyncSession, delivery: Delivery) -> Rendered | None:
    professional = await _professional(session, delivery)
    name = professional.name if professional else _("de hulpverlener")
    return Rendered(
        "\n".join(
            [
                "🌱 "
                + _(
                    "De begeleiding door {name} is voorbij. Vanaf nu doen jullie het samen, met de mensen om jullie heen."
                ).format(name=name),
                _("Kring blijft: de afspraken, de check-ins en jullie plan voor als het misgaat gaan gewoon door."),
                _("Is er later toch hulp nodig? Bel dan de organisatie."),
                organisation_contact(),
                "",
                not_an_emergency_service(),
            ]
        )
    )


async def overview(update: Update, context: KringContext) -> None:
    """The professional's circles: end dates, pulse on or off, open requests. Nothing more."""
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Dit overzicht zie je alleen in een privégesprek met mij."))
        return
    runtime = context.runtime
    async with runtime.sessions() as session:
        followed = await circles.circles_of_professional(session, context.person_id)
        if not followed:
            await message.reply_text(_("Dit overzicht is voor hulpverleners met een kring."))
            return
        lines = ["📋 " + _("Jouw kringen:")]
        for circle in followed:
            assert circle.professional_id is not None
            schedule = await pulse.current(session, circle.id)
            open_count = len(
                [r for r in await contact.open_requests(session, circle.professional_id) if r.circle_id == circle.id]
            )
            ends = format_date(circle.follow_up_ends_on) if circle.follow_up_ends_on else "–"
            lines.append(
                _("• {circle}: begeleiding tot en met {date}; stand {pulse}; open vragen: {count}").format(
                    circle=circle.name, date=ends, pulse=_("aan") if schedule else _("uit"), count=open_count
                )
            )
    await message.reply_text("\n".join(lines))


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("overview", overview),
        CallbackQueryHandler(extend_pressed, pattern=callbacks.pattern(EXTEND)),
    ]
