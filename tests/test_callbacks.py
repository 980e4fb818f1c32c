"""Values from button data are parsed by type: anything we did not make is ``BadCallbackData``,
never a ``ValueError`` (which would be a bug, for the error handler)."""

from __future__ import annotations

import pytest

from bot import callbacks
from bot.db.models import HelpAnswer
from bot.services import authz


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


def test_a_stale_button_is_not_a_value_error() -> None:
    """So ``except ValueError`` can no longer hide one, nor one hide a real bug."""
    assert not issubclass(callbacks.BadCallbackData, ValueError)
    assert issubclass(authz.NoLongerPossible, authz.NotAllowed) and not issubclass(authz.NoLongerPossible, ValueError)
