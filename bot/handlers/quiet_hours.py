"""/quiet: each person picks the hours in which Kring sends them nothing (their own night)."""

from __future__ import annotations

from datetime import time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.fallback import own_setting_pressed
from bot.i18n import _
from bot.messages.buttons import marked
from bot.runtime import KringContext
from bot.services import people
from bot.services.quiet_hours import DEFAULT_FROM, DEFAULT_UNTIL

ACTION = "qh"
#: The choices: most people's nights, early sleepers, late risers, night-shift workers.
CHOICES: tuple[tuple[time, time], ...] = (
    (DEFAULT_FROM, DEFAULT_UNTIL),
    (time(21, 0), time(7, 0)),
    (time(22, 30), time(9, 0)),
    (time(20, 0), time(10, 0)),
    (time(8, 0), time(16, 0)),
)


def _span(start: time, end: time) -> str:
    return _("{start} tot {end}").format(start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


async def ask(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(
            _("Je tijd zonder berichten kies je in een privégesprek met mij. Stuur mij daar /quiet.")
        )
        return
    async with context.runtime.reads() as session:
        person = await people.find(session, message.from_user.id) if message.from_user else None
        current = people.quiet_hours(person)
    buttons = [
        InlineKeyboardButton(
            marked(_span(*choice), chosen=choice == current), callback_data=callbacks.encode(ACTION, index)
        )
        for index, choice in enumerate(CHOICES)
    ]
    await message.reply_text(
        _("Tussen welke tijden wil je geen berichten van mij? Wat dan komt, stuur ik daarna. Nu: {span}.").format(
            span=_span(*current)
        ),
        reply_markup=InlineKeyboardMarkup([[b] for b in buttons]),
    )


async def choose(update: Update, context: KringContext) -> None:
    async def apply(session: AsyncSession, person_id: int, value: str) -> str:
        start, end = callbacks.as_choice(CHOICES, value)
        await people.choose_quiet_hours(session, person_id, start, end, now=context.runtime.clock.now())
        return _("Goed. Van {span} stuur ik je niets.").format(span=_span(start, end))

    await own_setting_pressed(update, context, ACTION, apply)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("quiet", ask),
        CallbackQueryHandler(choose, pattern=callbacks.pattern(ACTION)),
    ]
