"""Values from button data are parsed by type: anything we did not make is ``BadCallbackData``,
never a ``ValueError`` (which would be a bug, for the error handler)."""

from __future__ import annotations

from datetime import date

import pytest

from bot import callbacks
from bot.db.models import HelpAnswer
from bot.services import authz, people
from sandbox.harness import Sandbox
from tests.journey import STALE


@pytest.mark.parametrize("value", ["+1", "-1", " 1", "1 ", "٣", "²", "1_000", "0x1", "99999999999999999999", "x", ""])
def test_what_is_not_one_of_our_numbers_is_bad_callback_data(value: str) -> None:
    with pytest.raises(callbacks.BadCallbackData):
        callbacks.as_int(value)


def test_numbers_and_enums_from_button_data() -> None:
    assert callbacks.as_int("12") == 12 and callbacks.as_int("0") == 0
    assert callbacks.decode_ints("pick:3:45", "pick", 2) == [3, 45]
    with pytest.raises(callbacks.BadCallbackData):
        callbacks.decode_ints("pick:3:x", "pick", 2)
    member = next(iter(HelpAnswer))
    assert callbacks.as_enum(HelpAnswer, member.value) is member
    with pytest.raises(callbacks.BadCallbackData):
        callbacks.as_enum(HelpAnswer, "nonsense")
    assert callbacks.as_choice(("a", "b"), "1") == "b"
    for past_the_end in ("2", "-1", "x"):
        with pytest.raises(callbacks.BadCallbackData):
            callbacks.as_choice(("a", "b"), past_the_end)


def test_numbers_past_what_a_column_holds_and_days_past_the_calendar() -> None:
    """Checked here, before a database (64-bit ids) or ``date`` (days 1 to 3652059) sees them."""
    assert callbacks.as_int("999999999999999999") == 10**18 - 1 <= callbacks.MAX_NUMBER
    assert callbacks.as_int("7", at_most=7) == 7
    with pytest.raises(callbacks.BadCallbackData):
        callbacks.as_int("8", at_most=7)
    assert callbacks.as_day(str(date(2026, 12, 6).toordinal())) == date(2026, 12, 6)
    assert callbacks.as_day("1") == date.min and callbacks.as_day("3652059") == date.max
    for day in ("0", "3652060", "99999999999", "999999999999999999", "-1", "x"):
        with pytest.raises(callbacks.BadCallbackData):
            callbacks.as_day(day)


def test_yes_or_no_and_nothing_else() -> None:
    assert callbacks.as_yes_no("yes") is True and callbacks.as_yes_no("no") is False
    for other in ("", "YES", "ja", "1", "skip"):
        with pytest.raises(callbacks.BadCallbackData):
            callbacks.as_yes_no(other)


def test_a_stale_button_is_not_a_value_error() -> None:
    """So ``except ValueError`` can no longer hide one, nor one hide a real bug."""
    assert not issubclass(callbacks.BadCallbackData, ValueError)
    assert issubclass(authz.NoLongerPossible, authz.NotAllowed) and not issubclass(authz.NoLongerPossible, ValueError)


async def test_a_real_value_error_in_a_press_is_a_bug_not_a_stale_button(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It reaches the error handler, which says kindly that something went wrong (before, the
    press was answered as if the button were stale)."""

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a bug")

    monkeypatch.setattr(people, "set_quiet_hours", broken)
    sanne = sandbox.user(21, "Sanne")
    (question,) = await sanne.send("/quiet")
    answer = await sanne.press(question, question.button_texts()[0])
    assert answer.get("text") != STALE
    assert sandbox.telegram.messages_in(sanne.id)[-1].text.startswith("Sorry, er ging bij mij iets mis.")
