"""/start, /help and /privacy: what Kring is, what you can do, and what it keeps."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.app import KringContext, menu_commands
from bot.handlers import links
from bot.i18n import _
from bot.texts import not_an_emergency_service


def welcome_text() -> str:
    return "\n\n".join(
        [
            _("Hallo! Ik ben Kring."),
            _(
                "Als de jeugdhulp stopt, maken jullie samen afspraken: wie doet wat? "
                "Ik help jullie om die afspraken vast te houden."
            ),
            _(
                "Ik vraag af en toe hoe het gaat. Ik herinner mensen aan wat ze beloofd hebben. "
                "En als jullie dat willen, kunnen jullie de hulpverlener nog bereiken."
            ),
            _(
                "Het gezin beslist. Het gezin kiest wie meedoet en wie wat ziet. "
                "Ik stuur niemand een bericht zonder dat het gezin dat goed vindt."
            ),
            not_an_emergency_service(),
            _("Kies /help om te zien wat je kunt doen. Kies /language voor een andere taal."),
        ]
    )


def help_text() -> str:
    """The same commands as the menu, so the two never disagree."""
    return "\n".join([_("Dit kun je doen:"), *(f"/{c.command} - {c.description}" for c in menu_commands())])


def privacy_text() -> str:
    return "\n\n".join(
        [
            _("Wat bewaart Kring?"),
            _(
                "Je Telegram-nummer en je taal. "
                "Zo kan ik je berichten sturen, in jouw taal."
            ),
            _(
                "Doe je mee in een kring? Dan bewaar ik ook je naam, je rol en de afspraken. "
                "En je antwoorden op de vraag hoe het gaat."
            ),
            _(
                "In een groep zie ik alleen berichten die voor mij zijn. "
                "Andere berichten lees ik niet en bewaar ik niet."
            ),
            _(
                "Het gezin beslist wie wat ziet. "
                "De hulpverlener leest niet mee met jullie berichten."
            ),
        ]
    )


async def start(update: Update, context: KringContext) -> None:
    """``/start``, or ``/start <token>`` when someone opens an invitation link."""
    message = update.effective_message
    assert message is not None
    if context.args:
        await links.open_link(update, context, context.args[0])
        return
    if message.chat.type != ChatType.PRIVATE and await links.group_without_circle(message, context):
        return
    await message.reply_text(welcome_text())


async def show_help(update: Update, context: KringContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text())


async def privacy(update: Update, context: KringContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(privacy_text())


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", show_help),
        CommandHandler("privacy", privacy),
    ]
