"""What Kring says when it does not understand: always kind, always a way forward."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from bot.app import KringContext
from bot.i18n import _
from bot.texts import not_an_emergency_service


async def unknown_command(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    if message.chat.type != ChatType.PRIVATE and not _addressed_to_me(message.text or "", context.bot.username):
        return  # in a group, a bare /command may be meant for another bot
    await message.reply_text(_("Dat commando ken ik niet. Kies /help om te zien wat ik kan."))


async def unexpected_message(update: Update, context: KringContext) -> None:
    message = update.effective_message
    assert message is not None
    await message.reply_text(
        "\n\n".join(
            [
                _("Ik ben een computer en lees geen gewone berichten. Kies /help om te zien wat ik kan."),
                not_an_emergency_service(),
            ]
        )
    )


async def stale_button(update: Update, context: KringContext) -> None:
    """A button we did not make, that is too old, or that is not for this person."""
    query = update.callback_query
    assert query is not None
    await query.answer(_("Deze knop werkt niet meer."))


def _addressed_to_me(text: str, username: str) -> bool:
    command = text.split(maxsplit=1)[0] if text else ""
    return command.lower().endswith("@" + username.lower())


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        MessageHandler(filters.COMMAND, unknown_command),
        MessageHandler(filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, unexpected_message),
        CallbackQueryHandler(stale_button),
    ]
