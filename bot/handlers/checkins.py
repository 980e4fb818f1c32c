"""/checkin (coordinators choose the rhythm, or ask now), the family's answers to a check-in, and
how much they worry. The steps of /checkin are :mod:`bot.flows.checkins`; the check-in itself and
its reminder are rendered by :mod:`bot.messages.checkins`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.db.models import CheckinAnswerKind, WorryTrend
from bot.flows import checkins as flow
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.i18n import _, pgettext
from bot.messages import help as help_flow
from bot.messages.buttons import choices
from bot.messages.checkins import ANSWER
from bot.plan_text import step_line
from bot.runtime import KringContext
from bot.services import authz, checkins, safety_plan
from bot.services.authz import Action
from bot.texts import not_an_emergency_service

WORRY = "cw"


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, CHECKIN_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    await flows.start(context, message, flow.CHECKIN, flow.CheckinDraft(circle_id), step="topic")


async def answer_pressed(update: Update, context: KringContext) -> None:
    """A family member answers; a typed reply after it becomes their note (the note flow)."""
    query = update.callback_query
    assert query is not None
    message = query.message
    runtime = context.runtime

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> checkins.Answered:
        if not isinstance(message, Message):
            raise callbacks.BadCallbackData(values[0])
        now = runtime.clock.now()
        answered = await checkins.answer_for(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            kind=callbacks.as_enum(CheckinAnswerKind, values[1]),
            now=now,
        )
        await flows.offer(context, session, message.chat.id, flow.NOTE, flow.NoteDraft(answered.answer.id), step="note")
        return answered

    answered = await flows.button_action(update, context, ANSWER, 2, apply)
    if answered is None or not isinstance(message, Message):
        return
    await query.answer(_("Dank je wel!"))
    given = answered.answer
    rows = [
        *choices(
            WORRY,
            given.id,
            (pgettext("button", "Minder"), "less"),
            (pgettext("button", "Even veel"), "same"),
            (pgettext("button", "Meer"), "more"),
        ).inline_keyboard
    ]
    text = "\n".join(
        [
            _("Dank je wel, {name}. Maak je je minder of meer zorgen dan vorige keer?").format(name=answered.name),
            _(
                "Wil je er iets bij vertellen? Antwoord dan op dit bericht. Het gezin leest het bij de volgende check-in."
            ),
        ]
    )
    if given.answer in (CheckinAnswerKind.NOT_GOOD, CheckinAnswerKind.WANT_TO_TALK):
        text += "\n\n" + _help_text(answered.steps)
        rows.append((help_flow.show_button(given.circle_id),))  # ask someone from the plan, or the professional
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup(rows))


def _help_text(steps: list[safety_plan.StepView]) -> str:
    """A hard moment: the family's own plan first. Kring contacts nobody by itself."""
    lines: list[str] = [_("Fijn dat je het zegt. Ik stuur niemand zomaar een bericht.")]
    if steps:
        lines.append(_("Dit hebben jullie afgesproken voor als het misgaat:"))
        lines += [step_line(i, step) for i, step in enumerate(steps, 1)]
    else:
        lines.append(_("Wie kun je vandaag bellen of appen? Iemand die je vertrouwt, helpt vaak al."))
    lines.append(not_an_emergency_service())
    return "\n".join(lines)


async def worry_pressed(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> object:
        return await checkins.worry(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            trend=callbacks.as_enum(WorryTrend, values[1]),
            now=context.runtime.clock.now(),
        )

    if await flows.button_action(update, context, WORRY, 2, apply) is None:
        return
    await query.answer(_("Bewaard."))
    markup = query.message.reply_markup if isinstance(query.message, Message) else None
    rest = [
        row
        for row in (markup.inline_keyboard if markup else ())  # keep "🆘 Hulp vragen"
        if not str(row[0].callback_data).startswith(WORRY + callbacks.SEPARATOR)
    ]
    await query.edit_message_reply_markup(InlineKeyboardMarkup(rest) if rest else None)


CHECKIN_COMMAND = CircleCommand("checkin", authz.RULES[Action.CHOOSE_CHECKIN], flow.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("checkin", start),
        CHECKIN_COMMAND.handler(),
        CallbackQueryHandler(answer_pressed, pattern=callbacks.pattern(ANSWER)),
        CallbackQueryHandler(worry_pressed, pattern=callbacks.pattern(WORRY)),
    ]
