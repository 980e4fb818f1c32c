"""The ``kring`` command: ``run``, ``demo`` and ``migrate``.

Administrators read its output, so it is translated like everything else (into
``KRING_DEFAULT_LANGUAGE``). A bad setting is one plain line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Sequence

from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.config import ConfigError, Settings, load_settings
from bot.db import crypto
from bot.i18n import _, available_languages, set_language
from bot.logs import setup_logging

EXIT_CONFIG = 2

#: Where ``kring demo`` leaves the demo family's picture, printable plan and calendar file.
DEMO_OUT = "kring-demo"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kring",
        description=_("Kring houdt de afspraken van een gezin en hun netwerk levend, na de jeugdhulp."),
        epilog=_("Instellingen komen uit omgevingsvariabelen (KRING_...). Zie de README."),
    )
    commands = parser.add_subparsers(
        dest="command",
        metavar="COMMAND",
        description=_("Zonder COMMAND: 'run' als KRING_BOT_TOKEN is gezet, anders 'demo'."),
    )
    run = commands.add_parser(
        "run",
        help=_("Start de bot (long polling). Heeft KRING_BOT_TOKEN nodig."),
        description=_("Start de bot. Kring werkt de database eerst bij en haalt dan berichten op bij Telegram."),
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help=_("Laat Telegram de berichten sturen (KRING_WEBHOOK_URL, KRING_WEBHOOK_SECRET, KRING_HTTP_PORT)."),
    )
    commands.add_parser(
        "health",
        help=_("Laat zien of Kring gezond is: database, planner en wachtrij."),
        description=_(
            "Kijkt of de database antwoordt, of Kring nog tikt en hoeveel berichten wachten. "
            "Geeft 0 als alles goed is, anders 1."
        ),
    )
    demo = commands.add_parser(
        "demo",
        help=_("Laat zien hoe Kring werkt, zonder Telegram-account."),
        description=_(
            "Speelt een kort verhaal af met de echte bot, een nep-Telegram op deze computer en een "
            "versnelde klok. Er gaat niets over het internet."
        ),
    )
    demo.add_argument("--keep", metavar="FOLDER", help=_("Bewaar de database van de demo in deze map."))
    demo.add_argument(
        "--out",
        metavar="FOLDER",
        default=DEMO_OUT,
        help=_("Zet het plaatje, de PDF en de agenda van het demogezin in deze map."),
    )
    demo.add_argument(
        "--language",
        metavar="CODE",
        choices=[c for c in available_languages() if c != "nl"],
        help=_("Laat de groep ook in deze taal lezen, en Omar in deze taal schrijven (bijvoorbeeld ar)."),
    )
    professional = commands.add_parser(
        "professional",
        help=_("Beheer de hulpverleners: uitnodigen, bekijken, verwijderen."),
        description=_("Beheer de hulpverleners. Je ziet hier nooit wat gezinnen in Kring doen."),
    )
    actions = professional.add_subparsers(dest="action", metavar="ACTION", required=True)
    invite = actions.add_parser(
        "invite",
        help=_("Maak een link waarmee een hulpverlener zich aanmeldt (7 dagen geldig, één keer)."),
        description=_("Maakt een link waarmee een hulpverlener zich aanmeldt. Heeft KRING_BOT_TOKEN nodig."),
    )
    invite.add_argument("name", help=_("De naam van de hulpverlener."))
    actions.add_parser("list", help=_("Laat alle hulpverleners zien."), description=_("Laat alle hulpverleners zien."))
    remove = actions.add_parser(
        "remove",
        help=_("Verwijder een hulpverlener."),
        description=_("Verwijder een hulpverlener. Open links werken dan niet meer."),
    )
    remove.add_argument("id", type=int, help=_("Het nummer uit 'kring professional list'."))
    commands.add_parser(
        "key",
        help=_("Maak een nieuwe geheime sleutel voor KRING_SECRET_KEY."),
        description=_(
            "Drukt een nieuwe geheime sleutel af. Zet die in KRING_SECRET_KEY en bewaar hem veilig: zonder sleutel is de database niet te lezen."
        ),
    )
    commands.add_parser(
        "migrate",
        help=_("Werk de database bij naar de nieuwste versie."),
        description=_("Werkt de database (KRING_DATABASE_URL) bij naar de nieuwste versie."),
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    set_language(os.environ.get("KRING_DEFAULT_LANGUAGE", ""))
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        return _fail(str(error))
    set_language(settings.default_language)
    if args.command is None:
        args.command = "run" if settings.bot_token else "demo"
        args.keep = args.language = None
        args.out = DEMO_OUT
        args.webhook = False
    quiet_demo = args.command == "demo" and "KRING_LOG_LEVEL" not in os.environ
    setup_logging(
        max(settings.log_level, logging.WARNING) if quiet_demo else settings.log_level, json=settings.log_json
    )
    try:
        return _command(args, settings)
    except crypto.WrongKey:
        return _fail(
            _(
                "De geheime sleutel past niet bij deze database. Zet de juiste sleutel terug: "
                "in KRING_SECRET_KEY of in {path}."
            ).format(path=settings.secret_key_file.resolve())
        )


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "run":
        return _run(settings, webhook=args.webhook)
    if args.command == "health":
        return asyncio.run(_health(settings))
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "key":
        print(crypto.encode_key(crypto.new_key()))
        return 0
    if args.command == "professional":
        from bot.admin import run_professional_command

        try:
            return asyncio.run(run_professional_command(settings, args))
        except ConfigError as error:
            return _fail(str(error))
    from sandbox.demo import run_demo

    _warn_without_pictures()
    return asyncio.run(run_demo(settings, keep=args.keep, language=args.language, out_folder=args.out))


def _warn_without_pictures() -> None:
    """Kring runs without the fonts, but says so at once: the plan then only comes as text."""
    from bot.plan_files import render

    reason = render.problem()
    if reason is not None:
        print(
            _("Let op: plaatjes en PDF's maken lukt hier niet ({reason}). Kring stuurt het plan dan als tekst.").format(
                reason=reason
            ),
            file=sys.stderr,
        )


def _run(settings: Settings, *, webhook: bool = False) -> int:
    from bot.app import build_application

    try:
        asyncio.run(_check_token(settings))
        _warn_without_pictures()
        from bot.handlers.intake import ALLOWED_UPDATES

        application = build_application(settings)
        if webhook:
            from bot import web

            asyncio.run(web.run_webhook(application, settings))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except ConfigError as error:
        return _fail(str(error))
    except InvalidToken:
        return _fail(_("Telegram kent dit token niet (KRING_BOT_TOKEN). Vraag een nieuw token aan bij @BotFather."))
    except NetworkError:
        return _fail(
            _("Kring kan Telegram niet bereiken op {url}. Kijk of het adres klopt (KRING_TELEGRAM_API_URL).").format(
                url=settings.telegram_api_url
            ),
            status=1,
        )
    return 0


async def _health(settings: Settings) -> int:
    """One JSON line: what ``/healthz`` says, read from the database by this separate process."""
    from bot import health
    from bot.clock import SystemClock
    from bot.db.session import create_engine, create_sessionmaker

    engine = create_engine(settings.database_url)
    try:
        report = await health.measure(create_sessionmaker(engine), SystemClock().now())
    finally:
        await engine.dispose()
    print(json.dumps(report.as_dict()))
    return 0 if report.ok else 1


async def _check_token(settings: Settings) -> None:
    """Ask Telegram who we are once, so that a wrong token is one plain line, not a retry loop."""
    bot = Bot(settings.require_token(), base_url=settings.api_base_url, base_file_url=settings.api_file_url)
    async with bot:
        pass


def _migrate(settings: Settings) -> int:
    from bot.db import migrate
    from bot.db.session import create_engine

    async def upgrade() -> None:
        crypto.use_key(settings.key())  # existing free text is sealed on the way
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(upgrade())
    print(_("De database is bijgewerkt naar de nieuwste versie."))
    return 0


def _fail(line: str, status: int = EXIT_CONFIG) -> int:
    print(line, file=sys.stderr)
    return status
