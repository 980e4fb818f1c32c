"""What Kring says when it does not understand: always kind, always a way forward."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot import callbacks
from bot.i18n import _
from bot.messages.help import own_words_reply
from bot.runtime import KringContext
from bot.services import help_asks


async def unknown_command(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE and not _addressed_to_me(message.text or "", context.bot.username):
        return  # in a group, a bare /command may be meant for another bot
    await message.reply_text(_("Dat commando ken ik niet. Kies /help om te zien wat ik kan."))


async def unexpected_message(update: Update, context: KringContext) -> None:
    """Someone writes in their own words: maybe it is not going well. No keyword list: everyone
    gets the help buttons, and nothing goes to anyone else."""
    message = update.effective_message
    assert message is not None
    private = message.chat.type == ChatType.PRIVATE
    if not private and not _spoken_to(message, context.bot.username, context.bot.id):
        return  # the family talking among themselves (Kring sees it all when it is a group admin)
    async with context.runtime.reads() as session:
        circles = await help_asks.circles_to_ask_from(
            session, context.person_id, chat_id=message.chat.id, private=private
        )
    text, buttons = own_words_reply([(c.id, c.name) for c in circles])
    await message.reply_text(text, reply_markup=buttons)


async def stale_button(update: Update, context: KringContext) -> None:
    """A button we did not make, that is too old, or that is not for this person."""
    query = update.callback_query
    assert query is not None
    await query.answer(_("Deze knop werkt niet meer."))


async def own_setting_pressed(
    update: Update, context: KringContext, action: str, apply: Callable[[AsyncSession, int, str], Awaitable[str]]
) -> None:
    """A button that changes the presser's own setting (``action:value``): ``apply`` changes it
    for the person (by id) and returns the confirmation; a button that does not fit gets the
    stale answer."""
    query = update.callback_query
    assert query is not None
    runtime = context.runtime
    try:
        (value,) = callbacks.decode(query.data, action, 1)
        if context.person_id is None:
            raise callbacks.BadCallbackData(query.data)
        async with runtime.sessions.begin() as session:
            confirmation = await apply(session, context.person_id, value)
    except callbacks.BadCallbackData:
        await stale_button(update, context)
        return
    await query.answer()
    await query.edit_message_text(confirmation)


def _spoken_to(message: Message, username: str, bot_id: int) -> bool:
    replied = message.reply_to_message
    mentioned = f"@{username.lower()}" in (message.text or message.caption or "").lower()
    return mentioned or bool(replied and replied.from_user and replied.from_user.id == bot_id)


def _addressed_to_me(text: str, username: str) -> bool:
    command = text.split(maxsplit=1)[0] if text else ""
    return command.lower().endswith("@" + username.lower())


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, unexpected_message),
        CallbackQueryHandler(stale_button),
    ]
