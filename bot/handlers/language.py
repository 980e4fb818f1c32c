"""/language: each person picks the language Kring writes to them in."""

from __future__ import annotations

import logging

from telegram import (
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.app import KringContext, menu_commands
from bot.handlers.fallback import stale_button
from bot.i18n import (
    _,
    available_languages,
    current_language,
    language_name,
    set_language,
)
from bot.services import people

log = logging.getLogger(__name__)
ACTION = "lang"


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + language_name(code),
            callback_data=callbacks.encode(ACTION, code),
        )
        for code in available_languages()
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def ask_language(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE:
        await message.reply_text(_("Je taal kies je in een privégesprek met mij. Stuur mij daar /language."))
        return
    await message.reply_text(_("In welke taal wil je berichten van mij?"), reply_markup=language_keyboard(current_language()))


async def choose_language(update: Update, context: KringContext) -> None:
    query = update.callback_query
    assert query is not None
    try:
        (code,) = callbacks.decode(query.data, ACTION, 1)
        runtime = context.runtime
        async with runtime.sessions.begin() as session:
            person = await people.find(session, query.from_user.id)
            if person is None:
                raise callbacks.BadCallbackData(query.data)
            people.choose_language(session, person, code, now=runtime.clock.now())
    except (callbacks.BadCallbackData, people.UnknownLanguage):
        await stale_button(update, context)
        return
    set_language(code)
    await query.answer()
    await query.edit_message_text(
        _("Klaar. Ik schrijf je vanaf nu in het {language}.").format(language=language_name(code))
    )
    try:  # the menu in this person's own language, whatever their app's language is
        await context.bot.set_my_commands(menu_commands(), scope=BotCommandScopeChat(query.from_user.id))
    except TelegramError as error:
        log.warning("could not set the chat menu", extra={"person_id": context.person_id, "error": type(error).__name__})


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("language", ask_language),
        CallbackQueryHandler(choose_language, pattern=callbacks.pattern(ACTION)),
    ]
