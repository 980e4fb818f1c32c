"""The command menu: registered per language, and shown again by ``/help`` and ``/language``."""

from __future__ import annotations

from telegram import BotCommand

from bot.i18n import N_, available_languages, gettext, use_language
from bot.runtime import KringApplication, runtime_of

#: The command menu, in the order people see it. Descriptions are translated per language.
MENU: tuple[tuple[str, str], ...] = (
    ("askhelp", N_("Het gaat niet goed: hulp vragen")),
    ("plan", N_("Wie doet wat, en wat doen we als het misgaat?")),
    ("agreements", N_("Afspraken bekijken en aanpassen")),
    ("agreement", N_("Een nieuwe afspraak maken")),
    ("safetyplan", N_("Het plan voor als het misgaat")),
    ("checkin", N_("Wanneer vraag ik hoe het gaat?")),
    ("contact", N_("Contact met de hulpverlener vragen")),
    ("pulse", N_("Een korte stand voor de hulpverlener")),
    ("members", N_("Wie doet mee?")),
    ("invite", N_("Nodig iemand uit")),
    ("pause", N_("Even rust van berichten")),
    ("leave", N_("Stoppen met een kring")),
    ("overview", N_("Overzicht voor hulpverleners")),
    ("language", N_("Kies je taal")),
    ("quiet", N_("Wanneer wil je geen berichten?")),
    ("timezone", N_("Woon je in een andere tijdzone?")),
    ("privacy", N_("Wat bewaart Kring?")),
    ("mydata", N_("Alles wat Kring over jou bewaart, als bestand")),
    ("forget", N_("Wis je gegevens, of hef een kring op")),
    ("help", N_("Wat kan ik hier doen?")),
    ("start", N_("Wat is Kring?")),
    ("cancel", N_("Stop waar je mee bezig bent")),
)


def menu_commands() -> list[BotCommand]:
    """The command menu in the current language."""
    return [BotCommand(command, gettext(description)) for command, description in MENU]


async def register_menus(application: KringApplication) -> None:
    """One menu per language (Telegram shows the one matching the app's language), and the
    default language's menu for everyone else."""
    default = runtime_of(application).settings.default_language
    with use_language(default):
        await application.bot.set_my_commands(menu_commands())
    for code in available_languages():
        with use_language(code):
            await application.bot.set_my_commands(menu_commands(), language_code=code)
