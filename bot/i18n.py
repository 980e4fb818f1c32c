"""Languages: gettext catalogs, the locale of the person being served, and Babel formatting.

Dutch is the source language: the messages in the code are plain Dutch (B1) and
``locales/kring.pot`` is the source catalog. Every other language has
``locales/<code>/LC_MESSAGES/kring.po``; catalogs are compiled in memory when first used, so the
``.po`` files are the only thing to keep up to date.

The locale is a context variable: it is set for each update (from the person's chosen language)
and explicitly, with :func:`use_locale`, for each scheduled message.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, tzinfo
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

SOURCE_LANGUAGE = "nl"
DOMAIN = "kring"

_current: ContextVar[str] = ContextVar("kring_locale", default=SOURCE_LANGUAGE)


def locales_dir() -> Path:
    """``locales/`` sits beside ``bot/``, in the checkout and in an installed wheel alike."""
    return Path(__file__).resolve().parent.parent / "locales"


@cache
def _loaded() -> tuple[dict[str, _gettext.NullTranslations], frozenset[str]]:
    """Every catalog, compiled, and the codes of those a native speaker has checked: their header
    comment says ``# Review-Status: reviewed …`` (anything else, or nothing, means not yet)."""
    catalogs: dict[str, _gettext.NullTranslations] = {SOURCE_LANGUAGE: _gettext.NullTranslations()}
    reviewed = {SOURCE_LANGUAGE}
    for po_path in sorted(locales_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = po_path.parent.parent.name
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=code, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogs[code] = Translations(buffer, domain=DOMAIN)
        status = [
            line.split(":", 1)[1].strip()
            for line in (catalog.header_comment or "").splitlines()
            if "Review-Status:" in line
        ]
        if status and status[0].lower().startswith("reviewed"):
            reviewed.add(code)
    return catalogs, frozenset(reviewed)


def _catalogs() -> dict[str, _gettext.NullTranslations]:
    return _loaded()[0]


def available_languages() -> list[str]:
    """Language codes with a catalog, the source language first."""
    codes = list(_catalogs())
    return [SOURCE_LANGUAGE, *sorted(c for c in codes if c != SOURCE_LANGUAGE)]


def resolve_language(code: str | None, fallback: str = SOURCE_LANGUAGE) -> str:
    """Map a Telegram ``language_code`` (``en``, ``ar-MA``, ``pt-BR``) to a shipped language."""
    if code:
        base = code.replace("_", "-").split("-")[0].lower()
        if base in _catalogs():
            return base
    return fallback if fallback in _catalogs() else SOURCE_LANGUAGE


def current_language() -> str:
    return _current.get()


def set_language(code: str) -> None:
    """Serve the rest of this task (one update) in ``code``."""
    _current.set(resolve_language(code))


@contextmanager
def use_language(code: str) -> Iterator[None]:
    """Serve the block in ``code``, then restore the previous language."""
    token = _current.set(resolve_language(code))
    try:
        yield
    finally:
        _current.reset(token)


def _translations() -> _gettext.NullTranslations:
    return _catalogs()[_current.get()]


FSI, PDI = "\u2068", "\u2069"  # first-strong isolate … pop directional isolate


class Text(str):
    """A translated message. In a right-to-left language, :meth:`format` wraps each inserted value
    (a name, a date, a number) in Unicode isolation marks, so that a Dutch name inside Arabic or
    Persian text keeps its own direction and does not scramble the sentence around it."""

    def format(self, *args: object, **kwargs: object) -> str:
        if is_right_to_left(_current.get()):
            args = tuple(_isolated(value) for value in args)
            kwargs = {key: _isolated(value) for key, value in kwargs.items()}
        return str.format(self, *args, **kwargs)


def bidi(value: object) -> str:
    """A value for an f-string line in the current language: isolated in a right-to-left language
    (as :meth:`Text.format` does), so a Dutch name at the start does not turn the line around."""
    return _isolated(value) if is_right_to_left(_current.get()) else str(value)


def _isolated(value: object) -> str:
    """A value in isolation marks, unless it holds some already: it is then a piece of translated
    text with its own isolated values (nesting them would confuse some readers' apps)."""
    text = str(value)
    return text if FSI in text else f"{FSI}{text}{PDI}"


def gettext(message: str) -> Text:
    return Text(_translations().gettext(message))


def ngettext(singular: str, plural: str, n: int) -> Text:
    return Text(_translations().ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> Text:
    """A short text whose meaning depends on where it stands, such as a button label."""
    return Text(_translations().pgettext(context, message))


def npgettext(context: str, singular: str, plural: str, n: int) -> Text:
    return Text(_translations().npgettext(context, singular, plural, n))


@cache
def is_right_to_left(code: str) -> bool:
    return Locale.parse(code).character_order == "right-to-left"


def is_reviewed(code: str) -> bool:
    """Whether a native speaker has checked this language's catalog (the source counts as checked)."""
    return code in _loaded()[1]


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet (translate where it is shown)."""
    return message


_ = gettext


def language_name(code: str) -> str:
    """The language's own name for itself, as people look for it in a list ("Nederlands")."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def language_name_here(code: str) -> str:
    """The language's name in the current language ("Arabisch" for a Dutch reader)."""
    return Locale.parse(code).get_display_name(_current.get()) or code


def babel_locale() -> Locale:
    return Locale.parse(_current.get())


def format_date(value: date, format: str = "long") -> str:
    return babel_dates.format_date(value, format=format, locale=babel_locale())


def format_time(value: time | datetime, tz: tzinfo | None = None, format: str = "short") -> str:
    return babel_dates.format_time(value, format=format, tzinfo=tz, locale=babel_locale())


def format_datetime(value: datetime, tz: tzinfo | None = None, format: str = "medium") -> str:
    """``value`` must be aware; it is shown in ``tz`` (the reader's time zone)."""
    return babel_dates.format_datetime(value, format=format, tzinfo=tz, locale=babel_locale())
