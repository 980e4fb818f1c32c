"""/timezone: someone who lives abroad (a grandmother in Istanbul, an uncle in Paramaribo) gets
reminders in their own morning. Telegram does not tell bots a person's time zone, so they pick it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.fallback import own_setting_pressed
from bot.i18n import _, format_time
from bot.messages.buttons import marked
from bot.runtime import KringContext
from bot.services import people

ACTION = "tz"
#: Where the families Kring serves and their networks often live; the default comes first.
ZONES = (
    "Europe/Amsterdam",
    "Europe/London",
    "Europe/Istanbul",
    "Africa/Casablanca",
    "Africa/Cairo",
    "Asia/Damascus",
    "Africa/Nairobi",
    "America/Paramaribo",
    "America/Curacao",
    "America/New_York",
)


def _label(zone: str, context: KringContext) -> str:
    city = zone.split("/")[-1].replace("_", " ")
    local = format_time(context.runtime.clock.now(), ZoneInfo(zone), format="HH:mm")
    return _("{city} (nu {time})").format(city=city, time=local)


async def ask(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Je tijdzone kies je in een privégesprek met mij. Stuur mij daar /timezone."))
        return
    async with context.runtime.reads() as session:
        person = await people.find(session, message.from_user.id) if message.from_user else None
        current = people.clock_of(person, context.runtime.settings.timezone).key
    buttons = [
        InlineKeyboardButton(
            marked(_label(zone, context), chosen=zone == current), callback_data=callbacks.encode(ACTION, index)
        )
        for index, zone in enumerate(ZONES)
    ]
    await message.reply_text(
        _("Waar woon je? Dan komen herinneringen op jouw tijd. Kies de plaats met dezelfde tijd als bij jou."),
        reply_markup=InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)]),
    )


async def choose(update: Update, context: KringContext) -> None:
    async def apply(session: AsyncSession, person_id: int, value: str) -> str:
        zone = callbacks.as_choice(ZONES, value)
        await people.choose_time_zone(session, person_id, zone, now=context.runtime.clock.now())
        return _("Goed. Ik houd nu de tijd aan van {place}.").format(place=_label(zone, context))

    await own_setting_pressed(update, context, ACTION, apply)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("timezone", ask),
        CallbackQueryHandler(choose, pattern=callbacks.pattern(ACTION)),
    ]
