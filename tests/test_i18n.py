"""Language plumbing: choosing a shipped language, per-task locales, Babel formatting."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import i18n
from bot.callbacks import BadCallbackData, decode, encode


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "en"), ("en-GB", "en"), ("EN_us", "en"), ("nl-BE", "nl"), ("pt-BR", "nl"), ("", "nl"), (None, "nl")],
)
def test_resolve_language(code: str | None, expected: str) -> None:
    assert i18n.resolve_language(code) == expected


def test_use_language_restores_the_previous_one() -> None:
    with i18n.use_language("en"):
        assert i18n._("Wat is Kring?") == "What is Kring?"
        with i18n.use_language("nl"):
            assert i18n._("Wat is Kring?") == "Wat is Kring?"
        assert i18n.current_language() == "en"
    assert i18n.current_language() == "nl"


async def test_each_task_has_its_own_language() -> None:
    async def serve(code: str) -> str:
        i18n.set_language(code)
        await asyncio.sleep(0)
        return i18n._("Wat is Kring?")

    assert await asyncio.gather(serve("en"), serve("nl")) == ["What is Kring?", "Wat is Kring?"]


def test_dates_and_times_follow_the_language_and_the_readers_time_zone() -> None:
    moment = datetime(2026, 3, 29, 17, 0, tzinfo=UTC)  # the first evening of summer time
    with i18n.use_language("nl"):
        assert i18n.format_date(date(2026, 11, 23)) == "23 november 2026"
        assert i18n.format_time(moment, ZoneInfo("Europe/Amsterdam")) == "19:00"
    with i18n.use_language("en"):
        assert i18n.format_date(date(2026, 11, 23)) == "November 23, 2026"
        assert i18n.format_time(moment, ZoneInfo("America/New_York")) == "1:00\u202fPM"


def test_language_names_are_in_their_own_language() -> None:
    assert i18n.language_name("nl") == "Nederlands"
    assert i18n.language_name("en") == "English"


def test_callback_data_round_trip_and_limits() -> None:
    assert decode(encode("lang", "en"), "lang", 1) == ["en"]
    with pytest.raises(ValueError):
        encode("x", "y" * 64)
    for forged in (
        None,
        "",
        "lang",
        "lang:",
        "other:en",
        "lang:en:x",
        "é" * 40,
        "lang:+99999999999999999999",
        "lang:-1",
        "lang: 12",
        "lang:12 ",
    ):
        with pytest.raises(BadCallbackData):
            decode(forged, "lang", 1)
    assert decode("glang:1:2:-", "glang", 3) == ["1", "2", "-"]  # a plain "-" is a value ("no second language")
