"""/pause (a break from Kring's messages) and /leave (stop being in a circle)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _, format_date, ngettext, pgettext
from bot.runtime import KringContext
from bot.services import authz, circles, removal
from bot.services.authz import Action
from bot.texts import last_coordinator

PAUSE = "pause"
LEAVE = "leave"


async def ask_pause(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, PAUSE_COMMAND)


async def _pause_choices(context: KringContext, message: Message, circle_id: int) -> None:
    def label(days: int) -> str:
        return ngettext("{count} dag", "{count} dagen", days).format(count=days)

    buttons = [
        InlineKeyboardButton(label(d), callback_data=callbacks.encode(PAUSE, circle_id, d)) for d in circles.PAUSE_DAYS
    ]
    buttons.append(
        InlineKeyboardButton(pgettext("button", "Geen pauze"), callback_data=callbacks.encode(PAUSE, circle_id, 0))
    )
    await message.reply_text(
        _("Pauze? Zo lang stuur ik je geen vragen en herinneringen. Je blijft gewoon in de kring."),
        reply_markup=InlineKeyboardMarkup([buttons[:3], buttons[3:]]),
    )


async def pause_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[datetime | None]:
        circle_id, days = (callbacks.as_int(value) for value in values)
        member = await circles.pause(session, circle_id, person_id=person_id, days=days, now=runtime.clock.now())
        return (member.paused_until,)  # (None,): the pause has ended

    paused = await flows.button_action(update, context, PAUSE, 2, apply)
    if paused is None:
        return
    (until,) = paused
    await query.answer()
    if until is None:
        await query.edit_message_text(_("Geen pauze. Je krijgt mijn berichten weer."))
    else:
        day = format_date(until.astimezone(runtime.settings.timezone).date())
        await query.edit_message_text(
            _("Goed. Tot en met {date} stuur ik je niets. Daarna gaat het vanzelf weer door.").format(date=day)
        )


async def ask_leave(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, LEAVE_COMMAND)


async def _leave_question(context: KringContext, message: Message, circle_id: int) -> None:
    async with context.runtime.reads() as session:
        try:
            await circles.check_can_leave(session, circle_id, person_id=context.person_id)
        except removal.LastCoordinator:
            await message.reply_text(last_coordinator())
            return
        except authz.NotAllowed:
            await message.reply_text(LEAVE_COMMAND.refusal())
            return
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    pgettext("button", "Ja, ik stop"), callback_data=callbacks.encode(LEAVE, circle_id, "yes")
                ),
                InlineKeyboardButton(
                    pgettext("button", "Nee, ik blijf"), callback_data=callbacks.encode(LEAVE, circle_id, "no")
                ),
            ]
        ]
    )
    await message.reply_text(
        _("Wil je stoppen met deze kring? Je afspraken stoppen dan ook. Het gezin krijgt daar een bericht over."),
        reply_markup=buttons,
    )


async def leave_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> str:
        if not callbacks.as_yes_no(values[1]):
            return _("Fijn, je blijft.")
        try:
            await circles.leave(session, callbacks.as_int(values[0]), person_id=person_id, now=runtime.clock.now())
        except removal.LastCoordinator:  # the other coordinator left in the meantime
            return last_coordinator()
        return _("Je doet niet meer mee. Dank je wel voor wat je hebt gedaan.")

    said = await flows.button_action(update, context, LEAVE, 2, apply)
    if said is None:
        return
    await query.answer()
    await query.edit_message_text(said)


PAUSE_COMMAND = CircleCommand(
    "pause", authz.RULES[Action.PAUSE_SELF], lambda: _("Je doet nog niet mee in een kring."), _pause_choices
)
LEAVE_COMMAND = CircleCommand(
    "leave", authz.RULES[Action.LEAVE], lambda: _("Je doet nog niet mee in een kring."), _leave_question
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("pause", ask_pause),
        PAUSE_COMMAND.handler(),
        CommandHandler("leave", ask_leave),
        LEAVE_COMMAND.handler(),
        CallbackQueryHandler(pause_pressed, pattern=callbacks.pattern(PAUSE)),
        CallbackQueryHandler(leave_pressed, pattern=callbacks.pattern(LEAVE)),
    ]
