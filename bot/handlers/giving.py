"""Help goes both ways: /given (the family records what they did for someone else; the flow
:mod:`bot.flows.giving`) and /thanks (a network member or the young person thanks the family,
after one more tap)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.flows import giving as flow
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.messages import giving as messages
from bot.runtime import KringContext
from bot.services import authz, giving
from bot.services.authz import Action


async def given(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, GIVEN_COMMAND)


async def _begin_given(context: KringContext, message: Message, circle_id: int) -> None:
    await flows.start(context, message, flow.GIVEN, flow.GivenDraft(circle_id), step="what")


async def thanks(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await with_circle(context, message, THANKS_COMMAND)


async def _ask_thanks(context: KringContext, message: Message, circle_id: int) -> None:
    try:
        async with context.runtime.reads() as session:
            role = await giving.thanker_role(session, circle_id, person_id=context.person_id)
    except authz.NotAllowed:
        await message.reply_text(messages.thank_refusal())
        return
    text, buttons = messages.thank_question(role, circle_id)
    await message.reply_text(text, reply_markup=buttons)


async def thank_pressed(update: Update, context: KringContext) -> None:
    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> giving.Thanked:
        return await giving.thank(
            session, callbacks.as_int(values[0]), person_id=person_id, now=context.runtime.clock.now()
        )

    done = await flows.button_action(update, context, messages.THANK, 1, apply)
    query = update.callback_query
    if done is None or query is None:
        return
    await query.answer()
    await query.edit_message_text(messages.thank_sent(done.again))


GIVEN_COMMAND = CircleCommand("given", authz.RULES[Action.RECORD_GIVING], lambda: flow.GIVEN.gone(), _begin_given)
THANKS_COMMAND = CircleCommand("thanks", authz.RULES[Action.THANK_FAMILY], messages.thank_refusal, _ask_thanks)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("given", given),
        GIVEN_COMMAND.handler(),
        CommandHandler("thanks", thanks),
        THANKS_COMMAND.handler(),
        CallbackQueryHandler(thank_pressed, pattern=callbacks.pattern(messages.THANK)),
    ]
