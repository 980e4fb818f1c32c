"""Every shipped catalog is complete, current and correct, and the source catalog matches the code."""

from __future__ import annotations

import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import SOURCE_LANGUAGE, available_languages, locales_dir, use_language
from bot.texts import ALERT_LIMIT, not_an_emergency_service

ROOT = Path(__file__).resolve().parent.parent
#: The extraction command from the README ("Languages"), run here to see whether kring.pot is current.
EXTRACT = [
    "extract",
    "-F",
    "locales/babel.cfg",
    "--no-location",
    "--sort-output",
    "-k",
    "_",
    "-k",
    "gettext",
    "-k",
    "ngettext:1,2",
    "-k",
    "pgettext:1c,2",
    "-k",
    "npgettext:1c,2,3",
    "-k",
    "N_",
]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TRANSLATED = [code for code in available_languages() if code != SOURCE_LANGUAGE]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog: Catalog) -> set[object]:
    return {
        (message.context, message.id if isinstance(message.id, str) else tuple(message.id))
        for message in catalog
        if message.id
    }


def _strings(message_id: object, string: object) -> tuple[list[str], list[str]]:
    ids = [message_id] if isinstance(message_id, str) else list(message_id)  # type: ignore[arg-type]
    strings = [string] if isinstance(string, str) else list(string)  # type: ignore[arg-type]
    return ids, strings


def test_source_catalog_matches_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "kring.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *EXTRACT, "-o", str(fresh), "bot", "scheduler", "sandbox"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    shipped = _read(locales_dir() / "kring.pot")
    missing = _ids(_read(fresh)) - _ids(shipped)
    stale = _ids(shipped) - _ids(_read(fresh))
    assert not missing, f"run the extraction command in the README; not in kring.pot: {missing}"
    assert not stale, f"run the extraction command in the README; no longer in the code: {stale}"


def test_english_is_shipped() -> None:
    assert "en" in TRANSLATED


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_and_correct(code: str) -> None:
    source = _read(locales_dir() / "kring.pot")
    catalog = _read(locales_dir() / code / "LC_MESSAGES" / "kring.po", locale=code)
    assert _ids(catalog) == _ids(source), "run the update command in the README"
    assert not catalog.obsolete, f"obsolete entries: {list(catalog.obsolete)}"
    assert catalog.num_plurals == get_plural(code).num_plurals, "Plural-Forms does not fit the language"
    for message in catalog:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, f"fuzzy: {message.id!r}"
        ids, strings = _strings(message.id, message.string)
        if not isinstance(message.id, str):
            assert len(strings) == catalog.num_plurals, f"plural count: {message.id!r}"
        assert all(s.strip() for s in strings), f"untranslated: {message.id!r}"
        # A plural's singular may leave out {count} ("elke week"), so compare the forms together.
        wanted = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        used = [set(PLACEHOLDER.findall(translated)) for translated in strings]
        assert all(u <= wanted for u in used) and set().union(*used) == wanted, f"placeholders differ: {message.id!r}"
        assert not list(message.check(catalog)), f"babel check: {message.id!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_compiles(code: str) -> None:
    catalog = _read(locales_dir() / code / "LC_MESSAGES" / "kring.po", locale=code)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    assert buffer.getvalue()


#: Per language, part of its word for *familie* (relatives, around the household), as it appears in
#: every inflected form. *gezin* (the household the care was about, in charge) must never read as
#: relatives, or a grandmother presses the household's button (issue 18).
RELATIVES = {
    "ar": "أقارب",
    "en": "relative",
    "fa": "فامیل",
    "pl": "krewn",
    "so": "qaraab",
    "ti": "ዝማድ",
    "tr": "akraba",
    "uk": "родич",
}
FAMILIE = re.compile(r"\bfamilie\b", re.IGNORECASE)
GEZIN = re.compile(r"\bgezin", re.IGNORECASE)


@pytest.mark.parametrize("code", TRANSLATED)
def test_gezin_and_familie_stay_apart(code: str) -> None:
    relatives = RELATIVES[code]
    catalog = _read(locales_dir() / code / "LC_MESSAGES" / "kring.po", locale=code)
    checked = 0
    for message in catalog:
        ids, strings = _strings(message.id, message.string)
        source = " ".join(ids)
        if not message.id:
            continue
        if FAMILIE.search(source):
            checked += 1
            assert all(relatives.lower() in s.lower() for s in strings), f"relatives, not the household: {source!r}"
        elif GEZIN.search(source):
            assert all(relatives.lower() not in s.lower() for s in strings), f"the household, not relatives: {source!r}"
    assert checked >= 6


@pytest.mark.parametrize("code", TRANSLATED)
def test_each_catalog_says_whether_a_native_speaker_checked_it(code: str) -> None:
    comment = _read(locales_dir() / code / "LC_MESSAGES" / "kring.po", locale=code).header_comment or ""
    assert re.search(r"^# Review-Status: (reviewed|awaiting native review)", comment, re.MULTILINE), comment


@pytest.mark.parametrize("code", sorted(available_languages()))
def test_the_helplines_fit_the_alert_of_the_button(code: str) -> None:
    """ "☎️ Hulplijnen" in a group shows the block as a pop-up: Telegram cuts it at 200 characters."""
    with use_language(code):
        block = not_an_emergency_service()
    assert len(block) <= ALERT_LIMIT and "0800-2000" in block and "112" in block
