"""/pulse: the family decides whether the former professional gets the figures (activity only)
during the follow-up period — and sees each one exactly as it is sent ("Dit ziet Anna"; the
question, the pulse and the family's copy are rendered by :mod:`bot.messages.pulse`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.flows import button_action
from bot.i18n import _, ngettext
from bot.messages import pulse as messages
from bot.runtime import KringContext
from bot.services import authz, pulse
from bot.services.authz import Action

CHOOSE = messages.CHOOSE


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, PULSE_COMMAND)


async def offer(context: KringContext, message: Message, circle_id: int) -> None:
    """The question with its buttons, after /pulse (the family decides; nothing is sent to the
    professional until then)."""
    async with context.runtime.reads() as session:
        try:
            offered = await pulse.offer(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(PULSE_COMMAND.refusal())
            return
    text, buttons = messages.offer(offered, circle_id)
    await message.reply_text(text, reply_markup=buttons)


async def choose_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> int:
        """The weeks between pulses now (0: switched off)."""
        chosen = await pulse.choose(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            weeks=callbacks.as_int(values[1]) or None,
            now=context.runtime.clock.now(),
        )
        return chosen.interval if chosen is not None else 0

    every = await button_action(update, context, CHOOSE, 2, apply)
    if every is None:
        return
    await query.answer()
    if not every:
        await query.edit_message_text(
            _("De cijfers zijn uit. De hulpverlener krijgt niets meer en weet dat jullie dit kozen.")
        )
    else:
        await query.edit_message_text(
            ngettext(
                "Goed. Elke week krijgt de hulpverlener de cijfers. Jullie zien ze ook.",
                "Goed. Elke {count} weken krijgt de hulpverlener de cijfers. Jullie zien ze ook.",
                every,
            ).format(count=every)
        )


PULSE_COMMAND = CircleCommand(
    "pulse",
    authz.RULES[Action.CHOOSE_PULSE],
    lambda: _("Alleen wie de kring regelt, kiest of de hulpverlener de cijfers krijgt."),
    offer,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("pulse", start),
        PULSE_COMMAND.handler(),
        CallbackQueryHandler(choose_pressed, pattern=callbacks.pattern(CHOOSE)),
    ]
