"""The ``kring`` command: ``run``, ``demo``, ``practice`` and ``migrate``.

Administrators read its output, so it is translated like everything else (into
``KRING_DEFAULT_LANGUAGE``). A fault is one plain line that says what to do, never a traceback or
a token: exit status 2 for what the administrator sets up (settings, files, folders, the token),
1 when the database or Telegram cannot be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from telegram import Bot
from telegram.error import InvalidToken, NetworkError

from bot.config import DEFAULT_DATA_DIR, ConfigError, Settings, load_settings
from bot.db import crypto
from bot.i18n import _, available_languages, current_language, ngettext, set_language
from bot.logs import setup_logging

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 1

#: Where ``kring demo`` leaves the demo family's picture, printable plan and calendar file.
DEMO_OUT = "kring-demo"
#: Where ``kring practice`` serves its page (on loopback).
PRACTICE_PORT = 8025


class _HelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: Iterable[argparse.Action], groups: Iterable[object], prefix: str | None = None
    ) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else _("Gebruik:") + " ")  # type: ignore[arg-type]


class _Parser(argparse.ArgumentParser):
    """argparse, with its own words (usage, headings, -h) in the administrator's language too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(formatter_class=_HelpFormatter, add_help=False)
        super().__init__(*args, **kwargs)
        self._positionals.title = _("Wat je kunt kiezen")
        self._optionals.title = _("Opties")
        self.add_argument("-h", "--help", action="help", help=_("Laat deze hulp zien."))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kring",
        description=_("Kring helpt een gezin en de mensen om hen heen met afspraken, na de hulp."),
        epilog=_("Instellingen komen uit omgevingsvariabelen (KRING_...). Zie de README."),
    )
    commands = parser.add_subparsers(
        title=_("Opdrachten"),
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
            "Speelt een kort verhaal af met de echte bot. Telegram en de klok zijn nep, op deze computer. "
            "Er gaat niets over het internet."
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
        choices=available_languages(),
        help=_("De taal van Omar en zijn plaatjes, en ook van de groep (bijvoorbeeld ar)."),
    )
    practice = commands.add_parser(
        "practice",
        help=_("Oefen met Kring in je browser: jij speelt alle mensen van een kring."),
        description=_(
            "Start een pagina op deze computer. Daar speel je alle mensen van een kring, met de echte bot. "
            "Telegram en de klok zijn nep. Er gaat niets over het internet."
        ),
    )
    practice.add_argument("--port", type=int, default=PRACTICE_PORT, help=_("De poort van de pagina."))
    practice.add_argument(
        "--host", default="127.0.0.1", help=_("Het adres van de pagina. Standaard 127.0.0.1: alleen deze computer.")
    )
    professional = commands.add_parser(
        "professional",
        help=_("Beheer de hulpverleners: uitnodigen, bekijken, verwijderen."),
        description=_("Beheer de hulpverleners. Je ziet hier nooit wat gezinnen in Kring doen."),
    )
    actions = professional.add_subparsers(title=_("Opdrachten"), dest="action", metavar="ACTION", required=True)
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
    places = commands.add_parser(
        "places",
        help=_("Plekken in de buurt waar gezinnen terecht kunnen (KRING_PLACES_FILE)."),
        description=_(
            "Plekken in de buurt waar gezinnen terecht kunnen. Kring toont ze aan gezinnen met weinig mensen."
        ),
    )
    places_actions = places.add_subparsers(title=_("Opdrachten"), dest="action", metavar="ACTION", required=True)
    check = places_actions.add_parser(
        "check",
        help=_("Kijk of een bestand met plekken klopt (JSON of TOML)."),
        description=_("Kijkt of een bestand met plekken klopt, en laat de plekken zien. Geeft 0 als alles klopt."),
    )
    check.add_argument("file", metavar="FILE", help=_("Het bestand met plekken."))
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
    quiet_demo = args.command in ("demo", "practice") and "KRING_LOG_LEVEL" not in os.environ
    setup_logging(
        max(settings.log_level, logging.WARNING) if quiet_demo else settings.log_level, json=settings.log_json
    )
    if args.command == "places":
        return _check_places(Path(args.file))
    try:
        if args.command == "run" and settings.places_file is not None:
            _places_must_be_usable(settings.places_file)
        if args.command in ("run", "migrate", "professional", "health"):
            _check_folders(settings, writing=args.command != "health")
        return _command(args, settings)
    except ConfigError as error:
        return _fail(str(error))
    except crypto.WrongKey:
        return _fail(
            _(
                "De geheime sleutel past niet bij deze database. Zet de juiste sleutel terug: "
                "in KRING_SECRET_KEY of in {path}."
            ).format(path=settings.secret_key_file.resolve())
        )
    except InvalidToken:  # (its message holds the token)
        return _fail(_("Telegram kent dit token niet (KRING_BOT_TOKEN). Vraag een nieuw token aan bij @BotFather."))
    except NetworkError:
        return _fail(
            _("Kring kan Telegram niet bereiken op {url}. Kijk of het adres klopt (KRING_TELEGRAM_API_URL).").format(
                url=settings.telegram_api_url
            ),
            status=EXIT_UNREACHABLE,
        )
    except (DBAPIError, OSError) as error:
        return _fail(*_database_or_file_fault(error, settings))


def _check_folders(settings: Settings, *, writing: bool) -> None:
    """A missing folder is made only for the default ``data/``: elsewhere it is more likely a
    typo, and a new empty database (or a new key) in the wrong place would go unnoticed."""
    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        path = Path(url.database).expanduser()
        _folder_must_exist(path.parent, "KRING_DATABASE_URL")
        # SQLite opens a file it may not write read-only, and fails only at the first write
        for written in (path, path.parent) if writing else ():
            if written.exists() and not os.access(written, os.W_OK):
                raise ConfigError(
                    "KRING_DATABASE_URL",
                    _("Kring mag niet schrijven in {path}. Geef Kring schrijfrechten, of kies een andere plek.").format(
                        path=written.resolve()
                    ),
                )
    if writing and settings.secret_key is None:
        _folder_must_exist(settings.secret_key_file.parent, "KRING_SECRET_KEY_FILE")


def _folder_must_exist(folder: Path, variable: str) -> None:
    if not folder.exists() and folder.resolve() != DEFAULT_DATA_DIR.resolve():
        raise ConfigError(
            variable,
            _("De map {folder} bestaat niet. Maak de map eerst aan, of kies een andere plek.").format(
                folder=folder.resolve()
            ),
        )


def _database_or_file_fault(error: DBAPIError | OSError, settings: Settings) -> tuple[str, int]:
    """One line for a database that cannot be reached or used, or a file Kring may not write."""
    if isinstance(error, OSError) and error.filename is not None:
        return (
            _(
                "Kring kan {path} niet gebruiken: {reason}. Kijk of de map bestaat en of Kring daar mag schrijven."
            ).format(path=Path(error.filename).resolve(), reason=error.strerror),
            EXIT_CONFIG,
        )
    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite"):
        return (
            _(
                "Kring kan de database {path} niet gebruiken: {reason}. "
                "Kijk of Kring in dit bestand en in de map mag schrijven (KRING_DATABASE_URL)."
            ).format(path=Path(url.database or "").resolve(), reason=_reason(error)),
            EXIT_CONFIG,
        )
    host = f"{url.host}:{url.port or 5432}"
    state = str(getattr(error.orig, "sqlstate", "") or "") if isinstance(error, DBAPIError) else ""
    if state and not state.startswith(("08", "57P")):  # PostgreSQL answered: a login or name is wrong
        return (
            _(
                "PostgreSQL op {host} weigert: {reason}. Kijk of gebruiker, wachtwoord en database kloppen (KRING_DATABASE_URL)."
            ).format(host=host, reason=_reason(error)),
            EXIT_CONFIG,
        )
    return (
        _(
            "Kring kan de database op {host} niet bereiken: {reason}. "
            "Kijk of PostgreSQL draait en of KRING_DATABASE_URL klopt."
        ).format(host=host, reason=_reason(error)),
        EXIT_UNREACHABLE,
    )


def _reason(error: BaseException) -> str:
    """The driver's own first line, without SQLAlchemy's statement and parameters."""
    original = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return re.sub(r"^<class '[\w.]+'>: ", "", text)[:200]


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

        return asyncio.run(run_professional_command(settings, args))
    if args.command == "practice":
        from sandbox.practice.server import run_practice

        _warn_without_pictures()
        try:
            return asyncio.run(run_practice(settings, host=args.host, port=args.port, say=_say))
        except KeyboardInterrupt:
            return 0
    from sandbox.demo import run_demo

    _warn_without_pictures()
    return asyncio.run(run_demo(settings, keep=args.keep, language=args.language, out_folder=args.out))


def _say(line: str) -> None:
    print(line, flush=True)  # (the link must show at once, also when the output goes to a pipe)


def _warn_without_pictures() -> None:
    """Kring runs without the fonts, but says so at once: the plan then only comes as text."""
    from bot.plan_files import render

    reason = render.problem_elsewhere()
    if reason is not None:
        print(
            _("Let op: plaatjes en PDF's maken lukt hier niet ({reason}). Het plan komt dan als tekst.").format(
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


def _check_places(path: Path) -> int:
    from bot.services import places

    try:
        found = places.read(path)
    except places.PlacesError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return EXIT_CONFIG
    for place in found:
        languages = ", ".join(sorted(place.languages())) or _("alle talen")
        print(f"- {place.text('name', current_language())} ({languages})")
    print(
        ngettext("Dit bestand klopt: {count} plek.", "Dit bestand klopt: {count} plekken.", len(found)).format(
            count=len(found)
        )
    )
    return 0


def _places_must_be_usable(path: Path) -> None:
    """A broken places file stops ``kring run`` at start, not quietly at a family's question."""
    from bot.services import places

    try:
        places.read(path)
    except places.PlacesError as error:
        raise ConfigError("KRING_PLACES_FILE", error.problems[0]) from None


def _fail(line: str, status: int = EXIT_CONFIG) -> int:
    print(line, file=sys.stderr)
    return status
