"""The end of the follow-up period: the family's choice to extend it; and /overview, the
professional's short list of their circles. (The messages themselves: bot/messages/follow_up.py.)"""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.flows import button_action
from bot.i18n import _, format_date
from bot.messages.follow_up import EXTEND
from bot.runtime import KringContext
from bot.services import follow_up


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
            ends_on=callbacks.as_day(day),
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
            _("Goed. De hulpverlener kijkt nu mee tot en met {date}, en weet het.").format(date=format_date(ends_on))
        )
    else:
        await query.edit_message_text(
            _("Goed. De hulpverlener kijkt mee tot {date}, en weet het. Jullie kring gaat door.").format(
                date=format_date(ends_on)
            )
        )


async def overview(update: Update, context: KringContext) -> None:
    """The professional's circles: end dates, pulse on or off, open requests. Nothing more."""
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Dit overzicht zie je alleen in een privégesprek met mij."))
        return
    async with context.runtime.reads() as session:
        followed = await follow_up.overview(session, context.person_id)
    if not followed:
        await message.reply_text(_("Dit overzicht is voor hulpverleners met een kring."))
        return
    lines = ["📋 " + _("Jouw kringen:")]
    for circle in followed:
        lines.append(
            _("• {circle}: je kijkt mee tot en met {date}; cijfers {pulse}; open vragen: {count}").format(
                circle=circle.name,
                date=format_date(circle.ends_on) if circle.ends_on else "–",
                pulse=_("aan") if circle.pulse_on else _("uit"),
                count=circle.open_requests,
            )
        )
    await message.reply_text("\n".join(lines))


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("overview", overview),
        CallbackQueryHandler(extend_pressed, pattern=callbacks.pattern(EXTEND)),
    ]
