"""/quiet: each person picks the hours in which Kring sends them nothing (their own night)."""

from __future__ import annotations

from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.app import KringContext
from bot.handlers.fallback import stale_button
from bot.i18n import _
from bot.services import people
from scheduler.quiet_hours import DEFAULT_FROM, DEFAULT_UNTIL

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
        await message.reply_text(_("Je rustige uren kies je in een privégesprek met mij. Stuur mij daar /quiet."))
        return
    async with context.runtime.sessions() as session:
        person = await people.find(session, message.from_user.id) if message.from_user else None
        current = people.quiet_hours(person)
    buttons = [InlineKeyboardButton(("✓ " if choice == current else "") + _span(*choice),
                                    callback_data=callbacks.encode(ACTION, index)) for index, choice in enumerate(CHOICES)]
    await message.reply_text(
        _("Tussen welke tijden wil je geen berichten van mij? Wat dan komt, stuur ik daarna. Nu: {span}.").format(
            span=_span(*current)),
        reply_markup=InlineKeyboardMarkup([[b] for b in buttons]))


async def choose(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (index,) = callbacks.decode(query.data, ACTION, 1)
        start, end = CHOICES[int(index)]
        async with runtime.sessions.begin() as session:
            person = await people.find(session, query.from_user.id)
            if person is None:
                raise callbacks.BadCallbackData(query.data)
            people.set_quiet_hours(session, person, start, end, now=runtime.clock.now())
    except (callbacks.BadCallbackData, ValueError, IndexError):
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(_("Goed. Van {span} stuur ik je niets.").format(span=_span(start, end)))


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("quiet", ask),
        CallbackQueryHandler(choose, pattern=callbacks.pattern(ACTION)),
    ]
