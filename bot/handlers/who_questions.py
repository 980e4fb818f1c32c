"""/who: the who-questions (the flow :mod:`bot.flows.who_questions`), privately only; the list's
one-tap "Nodig uit" and "Meer vragen" buttons."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.flows import who_questions as flow
from bot.flows.flow import Reply
from bot.flows.invite import link_message
from bot.flows.new_circle import deep_link
from bot.handlers import flows
from bot.handlers.circle_choice import CircleCommand, with_circle
from bot.messages import who_questions as messages
from bot.runtime import KringContext
from bot.services import authz, circles, who_questions
from bot.services.authz import Action


async def start(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:  # the names are for the family (or the young person) only
        await message.reply_text(messages.private_only())
        return
    await with_circle(context, message, WHO_COMMAND)


async def _round(context: KringContext, session: AsyncSession, chat_id: int, circle_id: int) -> Reply:
    """Begin a round of questions in this chat (inside the caller's transaction)."""
    person_id = context.person_id
    asker = await who_questions.asker(session, circle_id, person_id=person_id)
    keys = await who_questions.next_questions(session, circle_id, person_id=person_id)
    turn = await flows.begin(context, session, chat_id, flow.WHO, flow.draft(circle_id, asker, keys), step="ask")
    reply = await flow.first(turn)
    await flow.WHO.save(turn)
    return reply


async def _begin(context: KringContext, message: Message, circle_id: int) -> None:
    try:
        async with context.runtime.sessions.begin() as session:
            text, buttons = await _round(context, session, message.chat.id, circle_id)
    except authz.NotAllowed:
        await message.reply_text(messages.refusal())
        return
    await message.reply_text(text, reply_markup=buttons)


async def more_pressed(update: Update, context: KringContext) -> None:
    """ "Meer vragen" under the list: the next round, as a new message (the list stays)."""
    query = update.callback_query
    assert query is not None
    message = query.message

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> Reply:
        if not isinstance(message, Message) or message.chat.type != ChatType.PRIVATE:
            raise callbacks.BadCallbackData(values[0])
        return await _round(context, session, message.chat.id, callbacks.as_int(values[0]))

    reply = await flows.button_action(update, context, messages.MORE, 1, apply)
    if reply is None or not isinstance(message, Message):
        return
    await query.answer()
    await message.reply_text(reply[0], reply_markup=reply[1])


async def invite_pressed(update: Update, context: KringContext) -> None:
    """One tap on a name: the usual invitation link (the family confirms whoever opens it), and
    the list shows that name as invited."""
    query = update.callback_query
    assert query is not None
    now = context.runtime.clock.now()

    async def apply(session: AsyncSession, person_id: int, values: list[str]) -> tuple[Reply, Reply]:
        invited, token = await who_questions.invite(session, callbacks.as_int(values[0]), person_id=person_id, now=now)
        invitation_id = await circles.invitation_of(session, invited.id)
        asker = await who_questions.asker(session, invited.circle_id, person_id=person_id)
        names = await who_questions.names(session, invited.circle_id, person_id=person_id)
        return (
            messages.list_view(names, invited.circle_id, young=asker.young),
            link_message(invited.display_name, deep_link(context.bot.username, token), invitation_id),
        )

    made = await flows.button_action(update, context, messages.INVITE, 1, apply)
    if made is None or not isinstance(query.message, Message):
        return
    await query.answer()
    (list_text, list_buttons), (link_text, revoke) = made
    await query.edit_message_text(list_text, reply_markup=list_buttons)
    await query.message.reply_text(link_text, reply_markup=revoke, disable_web_page_preview=True)


WHO_COMMAND = CircleCommand("who", authz.RULES[Action.ASK_WHO_QUESTIONS], messages.refusal, _begin)


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("who", start),
        WHO_COMMAND.handler(),
        CallbackQueryHandler(more_pressed, pattern=callbacks.pattern(messages.MORE)),
        CallbackQueryHandler(invite_pressed, pattern=callbacks.pattern(messages.INVITE)),
    ]
