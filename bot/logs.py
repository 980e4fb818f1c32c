"""Logging: one line per event, with the ids passed in ``extra``. Never names or message texts.

Some libraries log secrets or personal data at low levels; :func:`hold_library_loggers` keeps
them above that, whatever ``KRING_LOG_LEVEL`` says, and keeps python-telegram-bot from quoting
what Telegram sent at any level (:class:`HoldBackContents`).
"""

from __future__ import annotations

import logging

from telegram.error import TelegramError

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class KeyValueFormatter(logging.Formatter):
    """``time level logger message key=value ...`` with the record's extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if not extras:
            return line
        fields = " ".join(f"{key}={value}" for key, value in sorted(extras.items()))
        head, sep, tail = line.partition("\n")  # keep a traceback below the fields
        return f"{head} {fields}{sep}{tail}"


#: Library loggers and the lowest level they may log at. httpx logs request URLs (with the bot
#: token); python-telegram-bot logs request parameters (message texts) and whole updates (names)
#: at DEBUG; aiosqlite logs every statement with its parameters at DEBUG; Alembic lists its plugins
#: at INFO on every start.
_HELD_LOGGERS = {
    "httpx": logging.WARNING,
    "weasyprint": logging.WARNING,  # a progress line per step of each picture
    "fontTools": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "aiohttp.access": logging.WARNING,  # one line per request (Kring's own server turns it off too)
    "alembic.runtime.plugins": logging.WARNING,
    # every statement with its parameters (sealed text, ids, token hashes) at DEBUG
    "aiosqlite": logging.INFO,
    # "skipped: maximum number of running instances reached" each time a long tick (a big send)
    # is still running when the next one is due: expected, and the ticker folds them into one.
    "apscheduler.scheduler": logging.ERROR,
}


#: python-telegram-bot loggers that can quote what Telegram sent at any level: "Error while parsing
#: updates! Received data was …" (``telegram.Bot``, CRITICAL: the whole batch, names, texts, invite
#: tokens), "Can not load invalid JSON data" (the request's, ERROR), and exceptions whose message
#: may quote a value (the Updater's "Something went wrong processing the data", CRITICAL).
_QUOTING_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot", "telegram.request.BaseRequest", "telegram.ext.Updater")


class HoldBackContents(logging.Filter):
    """Keeps a library's line but not what it quotes: its arguments become ``…``, and an exception
    is reduced to its type (a Telegram error keeps its message: Telegram's own description)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            count = len(record.args) if isinstance(record.args, tuple) else 1
            try:
                record.msg = str(record.msg) % (("…",) * count)
            except (TypeError, ValueError):
                record.msg = str(record.msg)
            record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            if not isinstance(error, TelegramError):
                record.msg = f"{record.msg} ({type(error).__name__})"
                record.exc_info = None
                record.exc_text = None
        return True


_HOLD_BACK = HoldBackContents()


def hold_library_loggers() -> None:
    for name, lowest in _HELD_LOGGERS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), lowest))
    for name in _QUOTING_LOGGERS:
        logger = logging.getLogger(name)
        if _HOLD_BACK not in logger.filters:
            logger.addFilter(_HOLD_BACK)


def json_formatter() -> logging.Formatter:
    """One JSON object a line, for log collectors; the ``extra`` ids become fields."""
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"})


def setup_logging(level: int, *, json: bool = False) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        json_formatter() if json else KeyValueFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    hold_library_loggers()
