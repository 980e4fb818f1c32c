"""/start, /help and /privacy: what Kring is, what you can do, and what it keeps."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, CommandHandler

from bot.handlers import links
from bot.i18n import _, ngettext, pgettext
from bot.messages.menus import bot_commands
from bot.runtime import KringContext
from bot.services import menus
from bot.services.authz import FAMILY_ROLES, Role
from bot.services.roles import menu_of, menu_once_started, roles_of
from bot.texts import helplines_button


def helplines() -> InlineKeyboardMarkup:
    """112 and the helplines, one tap away, under /start and /help."""
    return InlineKeyboardMarkup([[helplines_button()]])


def welcome_text() -> str:
    return "\n\n".join(
        [
            _("Hallo! Ik ben Kring. Na de hulp help ik een gezin met de afspraken: wie doet wat?"),
            _("Het gezin beslist wie meedoet en wie wat ziet. Zonder hun ja stuur ik niemand een bericht."),
            _("Ik ben geen noodhulp. Is er gevaar? Bel 112."),
            _("Kies /help om te zien wat je kunt doen. Kies /language voor een andere taal."),
        ]
    )


def help_text(commands: tuple[menus.Command, ...], roles: set[Role]) -> str:
    """The commands of this person's menu (:func:`bot.services.roles.menu_of`)."""
    lines: list[str] = [_("Dit kun je doen:")]
    lines += [f"/{c.command} - {c.description}" for c in bot_commands(commands)]
    if roles is not None and Role.NETWORK in roles and not roles & FAMILY_ROLES:
        lines += [
            "",
            _(
                "Maak je je zorgen over het gezin? Praat erover met het gezin. "
                "Ben je bang dat iemand niet veilig is? Bel Veilig Thuis: 0800-2000. Is er direct gevaar? Bel 112."
            ),
        ]
    if roles is not None and Role.YOUNG in roles and not roles & FAMILY_ROLES:
        lines += [
            "",
            pgettext(
                "jongere",
                "Wil je met iemand praten? Bel of chat met de Kindertelefoon: 0800-0432. Is er direct gevaar? Bel 112.",
            ),
        ]
    return "\n".join(lines)


def privacy_text(retention_months: int) -> str:
    return "\n\n".join(
        [
            _("Wat bewaar ik?"),
            _("Je Telegram-account en je taal. Zo kan ik je berichten sturen, in jouw taal."),
            _(
                "Doe je mee in een kring? Dan bewaar ik ook je naam, je rol en de afspraken. "
                "En je antwoorden op de vraag hoe het gaat."
            ),
            _(
                "In een groep zie ik alleen berichten die voor mij zijn. "
                "Andere berichten lees ik niet en bewaar ik niet."
            ),
            _("Het gezin beslist wie wat ziet. De hulpverlener leest niet mee met jullie berichten."),
            _("Wat jullie schrijven, bewaar ik op slot.")
            + " "
            + ngettext(
                "Antwoorden en berichten wis ik na {count} maand.",
                "Antwoorden en berichten wis ik na {count} maanden.",
                retention_months,
            ).format(count=retention_months),
            _("Met /mydata krijg je alles wat ik over jou bewaar. Met /forget wis je alles over jou."),
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
    await message.reply_text(welcome_text(), reply_markup=helplines())
    if message.chat.type == ChatType.PRIVATE:
        async with context.runtime.sessions.begin() as session:
            await menu_once_started(session, context.person_id, now=context.runtime.clock.now())


async def show_help(update: Update, context: KringContext) -> None:
    assert update.effective_message is not None
    async with context.runtime.reads() as session:
        found = await roles_of(session, context.person_id)
        commands = await menu_of(session, context.person_id, found)
    await update.effective_message.reply_text(help_text(commands, found), reply_markup=helplines())


async def privacy(update: Update, context: KringContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(privacy_text(context.runtime.settings.retention_months))


def handlers() -> list[BaseHandler[Update, KringContext, None]]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", show_help),
        CommandHandler("privacy", privacy),
    ]
