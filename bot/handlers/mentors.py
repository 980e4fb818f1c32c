"""/mentor: the young person proposes their own trusted adult (the flow :mod:`bot.flows.mentor`);
the parents' yes or no; and the young person's link for the mentor once the parents agreed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.flows import mentor as flow
from bot.flows.new_circle import deep_link
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.messages import mentors as messages
from bot.runtime import KringContext
from bot.services import authz, mentors
from bot.services.authz import Action


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:  # a name and a reason are for the parents only
        await message.reply_text(messages.private_only())
        return
    await with_circle(context, message, MENTOR_COMMAND)


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    try:
        async with context.runtime.reads() as session:
            before = await mentors.before_proposing(session, circle_id, person_id=context.person_id)
    except authz.NotAllowed:
        await message.reply_text(messages.refusal())
        return
    if before.waiting is not None:  # (choosing again takes that question back: it may be stuck)
        intro = messages.waiting_text(before.waiting)
    else:
        intro = messages.current_text(before.mentor) if before.mentor is not None else ""
    await flows.start(
        context, message, flow.PROPOSE, flow.MentorDraft(circle_id), step="name", intro=intro, refusal=messages.refusal
    )


async def decide_pressed(update: Update, context: KringContext) -> None:
    """A coordinator's yes or no; the first answer decides, later presses are stale."""

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> mentors.Decided:
        if values[1] not in ("yes", "no"):
            raise callbacks.BadCallbackData(values[1])
        return await mentors.decide(
            session,
            callbacks.as_int(values[0]),
            person_id=person_id,
            agree=values[1] == "yes",
            now=context.runtime.clock.now(),
        )

    decided = await flows.button_action(update, context, messages.DECIDE, 2, apply)
    query = update.callback_query
    if decided is None or query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    await query.edit_message_text((query.message.text or "") + "\n\n" + messages.decided_text(decided))


async def link_pressed(update: Update, context: KringContext) -> None:
    """The young person's link for their mentor, made now (never kept in a message waiting)."""

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[str, str]:
        mentor, token = await mentors.link(
            session, callbacks.as_int(values[0]), person_id=person_id, now=context.runtime.clock.now()
        )
        return mentor.display_name, token

    made = await flows.button_action(update, context, messages.LINK, 1, apply)
    query = update.callback_query
    if made is None or query is None or not isinstance(query.message, Message):
        return
    await query.answer()
    name, token = made
    await query.message.reply_text(
        messages.link_text(name, deep_link(context.bot.username, token)), disable_web_page_preview=True
    )


MENTOR_COMMAND = CircleCommand("mentor", authz.RULES[Action.PROPOSE_MENTOR], messages.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("mentor", start),
        MENTOR_COMMAND.handler(),
        CallbackQueryHandler(decide_pressed, pattern=callbacks.pattern(messages.DECIDE)),
        CallbackQueryHandler(link_pressed, pattern=callbacks.pattern(messages.LINK)),
    ]
