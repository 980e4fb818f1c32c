"""/pulse: the family decides whether the former professional gets a short, activity-only update
during the follow-up period — and sees each one exactly as it is sent ("Dit ziet Anna"; the
pulse and the family's copy are rendered by :mod:`bot.messages.pulse`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.handlers.flows import button_action
from bot.i18n import _, ngettext, pgettext
from bot.messages.pulse import stats_lines
from bot.runtime import KringContext
from bot.services import authz, pulse
from bot.services.authz import Action

CHOOSE = "pl"  # pl:circle_id:weeks (0: off)


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, PULSE_COMMAND)


async def offer(context: KringContext, message: Message, circle_id: int) -> None:
    """The question with its buttons: after /pulse, and once at set-up, when the first
    coordinator joins (the family decides; nothing is sent to the professional until then)."""
    async with context.runtime.sessions() as session:
        try:
            offered = await pulse.offer(session, circle_id, person_id=context.person_id)
        except authz.NotAllowed:
            await message.reply_text(PULSE_COMMAND.refusal())
            return
    professional, schedule = offered.professional, offered.schedule
    if professional is None:
        await message.reply_text(_("Er is geen hulpverlener meer bij deze kring. Er gaat geen stand naar iemand."))
        return
    now_text = (
        ngettext("Nu: elke week.", "Nu: elke {count} weken.", schedule.interval).format(count=schedule.interval)
        if schedule
        else _("Nu: uit.")
    )
    example = pulse.Stats(checkins=2, answers=2, good=2, so_so=1, not_good=0, want_to_talk=0, kept=3, not_kept=1)
    text = "\n".join(
        [
            _("Mag {name} om de paar weken een korte stand zien? Zo houdt {name} een vinger aan de pols.").format(
                name=professional.name
            ),
            _(
                "{name} ziet alleen tellingen, nooit wat jullie schrijven. Jullie zien elke stand ook zelf. Bijvoorbeeld:"
            ).format(name=professional.name),
            *("  " + line for line in stats_lines(example)),
            now_text,
        ]
    )
    buttons = [
        InlineKeyboardButton(
            ngettext("Elke week", "Elke {count} weken", w).format(count=w) + (" ✓" if w == 2 else ""),
            callback_data=callbacks.encode(CHOOSE, circle_id, w),
        )
        for w in pulse.CHOICES
    ]
    buttons.append(
        InlineKeyboardButton(pgettext("button", "Uit"), callback_data=callbacks.encode(CHOOSE, circle_id, 0))
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([buttons]))


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
            _("De stand is uit. De hulpverlener krijgt niets meer, en weet dat jullie dit kozen.")
        )
    else:
        await query.edit_message_text(
            ngettext(
                "Goed. Elke week krijgt de hulpverlener een korte stand. Jullie zien hem ook.",
                "Goed. Elke {count} weken krijgt de hulpverlener een korte stand. Jullie zien hem ook.",
                every,
            ).format(count=every)
        )


PULSE_COMMAND = CircleCommand(
    "pulse",
    authz.RULES[Action.CHOOSE_PULSE],
    lambda: _("Alleen wie de kring regelt, kiest of de hulpverlener een korte stand krijgt."),
    offer,
)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("pulse", start),
        PULSE_COMMAND.handler(),
        CallbackQueryHandler(choose_pressed, pattern=callbacks.pattern(CHOOSE)),
    ]
