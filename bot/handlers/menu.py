"""The default command menus, registered per language at start: the "nobody yet" menu in private
chats, the group menu in groups. A person with a role, and a circle's group, get a menu of their
own in their own language through the outbox (:mod:`bot.services.menus`)."""

from __future__ import annotations

from telegram import BotCommandScope, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats

from bot.i18n import available_languages, use_language
from bot.messages.menus import bot_commands
from bot.runtime import KringApplication, runtime_of
from bot.services import menus

DEFAULT_MENUS: tuple[tuple[BotCommandScope | None, tuple[menus.Command, ...]], ...] = (
    (None, menus.commands_for(())),  # Telegram's last resort
    (BotCommandScopeAllPrivateChats(), menus.commands_for(())),
    (BotCommandScopeAllGroupChats(), menus.group_commands()),
)


async def register_menus(application: KringApplication) -> None:
    """Each default menu in every language (Telegram shows the one matching the app's language),
    and in the default language for every other app language."""
    default = runtime_of(application).settings.default_language
    for scope, commands in DEFAULT_MENUS:
        with use_language(default):
            await application.bot.set_my_commands(bot_commands(commands), scope=scope)
        for code in available_languages():
            with use_language(code):
                await application.bot.set_my_commands(bot_commands(commands), scope=scope, language_code=code)
