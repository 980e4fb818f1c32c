"""Settings from the environment (``KRING_*``), checked once at start.

A wrong value must never end in a traceback: :class:`ConfigError` names the variable, and the
command line turns it into one plain line and exit status 2.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.db import crypto
from bot.i18n import _, available_languages

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATA_DIR = Path("data")
_TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """A setting is missing or malformed; ``variable`` names it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


@dataclass(frozen=True)
class Settings:
    bot_token: str | None
    telegram_api_url: str
    database_url: str
    timezone: ZoneInfo
    default_language: str
    log_level: int
    organisation_contact: str | None = None
    #: The key that seals free text at rest (``KRING_SECRET_KEY``); without it, the key file.
    secret_key: bytes | None = None
    secret_key_file: Path = DEFAULT_DATA_DIR / "secret.key"
    retention_months: int = 12
    #: Kring's HTTP server (webhook, /healthz, /metrics): off without a port, unless in webhook mode.
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    log_json: bool = False
    #: The organisation's places to turn to (JSON or TOML; read by ``bot.services.places``).
    places_file: Path | None = None
    #: Worker processes for pictures and PDFs (``None``: half the cores); 0 renders in the bot's own
    #: process, in a thread (the tests, for speed).
    render_workers: int | None = None
    #: Updates handled at once (different chats; one chat's updates always one after another).
    concurrent_updates: int = 24

    @property
    def api_base_url(self) -> str:
        """Where Bot API methods live: ``{root}/bot{token}/{method}``."""
        return f"{self.telegram_api_url}/bot"

    @property
    def api_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"

    def require_token(self) -> str:
        if not self.bot_token:
            raise ConfigError("KRING_BOT_TOKEN", _("Deze instelling is leeg. Vraag een token aan bij @BotFather."))
        return self.bot_token

    def key(self) -> bytes:
        """The sealing key: ``KRING_SECRET_KEY``, or the key file (created, owner-only, if missing)."""
        return self.secret_key or crypto.key_from_file(self.secret_key_file)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and check every ``KRING_*`` variable; raise :class:`ConfigError` on the first bad one."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    return Settings(
        bot_token=_token(get("KRING_BOT_TOKEN")),
        telegram_api_url=_api_url(get("KRING_TELEGRAM_API_URL") or DEFAULT_API_URL),
        database_url=_database_url(get("KRING_DATABASE_URL")),
        timezone=_timezone(get("KRING_TIMEZONE") or "Europe/Amsterdam"),
        default_language=_language(get("KRING_DEFAULT_LANGUAGE") or "nl"),
        log_level=_log_level(get("KRING_LOG_LEVEL") or "INFO"),
        organisation_contact=_organisation_contact(get("KRING_ORGANISATION_CONTACT")),
        secret_key=_secret_key(get("KRING_SECRET_KEY")),
        secret_key_file=Path(get("KRING_SECRET_KEY_FILE") or DEFAULT_DATA_DIR / "secret.key"),
        retention_months=_months(get("KRING_RETENTION_MONTHS") or "12"),
        http_host=get("KRING_HTTP_HOST") or "127.0.0.1",
        http_port=_port(get("KRING_HTTP_PORT")),
        webhook_url=_webhook_url(get("KRING_WEBHOOK_URL")),
        webhook_secret=_webhook_secret(get("KRING_WEBHOOK_SECRET")),
        log_json=_log_format(get("KRING_LOG_FORMAT") or "text"),
        places_file=_places_file(get("KRING_PLACES_FILE")),
    )


def _token(value: str | None) -> str | None:
    if value is not None and not _TOKEN_PATTERN.match(value):
        raise ConfigError(
            "KRING_BOT_TOKEN", _("Dit is geen geldig token. Een token is een getal, een dubbele punt en dan letters.")
        )
    return value


def _api_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            "KRING_TELEGRAM_API_URL", _("Dit moet een http- of https-adres zijn, zoals https://api.telegram.org.")
        )
    return value.rstrip("/")


def _database_url(value: str | None) -> str:
    if value is None:
        return f"sqlite+aiosqlite:///{(DEFAULT_DATA_DIR / 'kring.sqlite3').resolve()}"
    try:
        url = make_url(value)
    except ArgumentError:
        raise ConfigError("KRING_DATABASE_URL", _("Dit is geen adres van een database.")) from None
    if url.drivername not in _SUPPORTED_DRIVERS:
        raise ConfigError(
            "KRING_DATABASE_URL",
            _("Gebruik sqlite+aiosqlite:///pad of postgresql+asyncpg://gebruiker@host/database."),
        )
    return value


def _timezone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "KRING_TIMEZONE",
            _("De tijdzone {value} bestaat niet. Gebruik een naam zoals Europe/Amsterdam.").format(value=value),
        ) from None


def _language(value: str) -> str:
    code = value.replace("-", "_").split("_")[0].lower()
    if code not in available_languages():
        known = ", ".join(available_languages())
        raise ConfigError(
            "KRING_DEFAULT_LANGUAGE",
            _("Voor de taal {value} is er geen vertaling. Kies uit: {known}.").format(value=value, known=known),
        )
    return code


def _log_level(value: str) -> int:
    name = value.upper()
    if name not in _LOG_LEVELS:
        raise ConfigError("KRING_LOG_LEVEL", _("Kies uit: {levels}.").format(levels=", ".join(_LOG_LEVELS)))
    return int(logging.getLevelName(name))


def _organisation_contact(value: str | None) -> str | None:
    if value is not None and len(value) > 300:
        raise ConfigError(
            "KRING_ORGANISATION_CONTACT", _("Dit is te lang. Gebruik hoogstens {count} tekens.").format(count=300)
        )
    return value


def _secret_key(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        return crypto.decode_key(value)
    except ValueError:
        raise ConfigError("KRING_SECRET_KEY", _("Dit is geen geldige sleutel. Maak er een met: kring key")) from None


def _months(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 120:
        raise ConfigError("KRING_RETENTION_MONTHS", _("Kies een aantal maanden van 1 tot en met 120."))
    return int(value)


def _port(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise ConfigError("KRING_HTTP_PORT", _("Kies een poort van 1 tot en met 65535."))
    return int(value)


def _webhook_url(value: str | None) -> str | None:
    if value and urlsplit(value).scheme != "https":
        raise ConfigError(
            "KRING_WEBHOOK_URL",
            _("Telegram stuurt alleen naar een https-adres, zoals https://kring.example.org/telegram."),
        )
    return value or None


_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


def _webhook_secret(value: str | None) -> str | None:
    if value and not _SECRET_PATTERN.match(value):
        raise ConfigError("KRING_WEBHOOK_SECRET", _("Gebruik 16 tot 256 tekens: letters, cijfers, _ en -."))
    return value or None


def _places_file(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    if path.suffix.lower() not in (".json", ".toml") or not path.is_file():
        raise ConfigError(
            "KRING_PLACES_FILE",
            _("Het bestand {path} bestaat niet, of is geen .json of .toml.").format(path=path.resolve()),
        )
    return path


def _log_format(value: str) -> bool:
    if value not in ("text", "json"):
        raise ConfigError("KRING_LOG_FORMAT", _("Kies uit: {levels}.").format(levels="text, json"))
    return value == "json"
