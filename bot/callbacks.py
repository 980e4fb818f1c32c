"""Callback data: a short action code and small values, never trusted.

Every press is parsed here and then re-checked by the service that acts on it; Telegram allows
at most 64 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import TypeVar

MAX_BYTES = 64
SEPARATOR = ":"
MAX_ID_DIGITS = 18
#: The largest number a button may carry: the largest id a database column holds (ids are 64-bit
#: on both databases). Anything past it would overflow the column, not find "no such row".
MAX_NUMBER = 2**63 - 1


class BadCallbackData(Exception):
    """Callback data we did not make, or no longer understand. (Not a ``ValueError``: a handler
    catches this to say "stale button", and a real ``ValueError`` is a bug for the error handler.)"""


E = TypeVar("E", bound=Enum)
T = TypeVar("T")


def encode(action: str, *values: str | int) -> str:
    data = SEPARATOR.join([action, *map(str, values)])
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data for {action!r} is longer than {MAX_BYTES} bytes")
    return data


def decode(data: str | None, action: str, arity: int) -> list[str]:
    """The values after ``action``; raises :class:`BadCallbackData` for anything else."""
    if not data or len(data.encode()) > MAX_BYTES:
        raise BadCallbackData(data)
    parts = data.split(SEPARATOR)
    if parts[0] != action or len(parts) != arity + 1 or not all(parts[1:]):
        raise BadCallbackData(data)
    if any(part.isdigit() and len(part) > MAX_ID_DIGITS for part in parts[1:]):
        raise BadCallbackData(data)  # no id of ours is that long (and the database would overflow)
    if any(part != part.strip() or (part[:1] in "+-" and part[1:].isdigit()) for part in parts[1:]):
        raise BadCallbackData(data)  # no number of ours has a sign or spaces (int() would take "+9…9")
    return parts[1:]


def as_int(value: str, *, at_most: int = MAX_NUMBER) -> int:
    """A value that is one of our numbers (an id, a count, an index): plain ASCII digits, not too
    many, no more than ``at_most`` (by default the largest id a column holds). Anything else, such
    as "+1", " 1", "٣" or "²" (which ``int()`` takes or chokes on), is :class:`BadCallbackData`."""
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
        raise BadCallbackData(value)
    number = int(value)
    if number > min(at_most, MAX_NUMBER):
        raise BadCallbackData(value)
    return number


def as_day(value: str) -> date:
    """A day named by its ordinal (``date.toordinal()``), within the calendar ``date`` knows;
    :class:`BadCallbackData` for any other number (``date.fromordinal`` would raise
    ``ValueError`` or ``OverflowError``)."""
    ordinal = as_int(value, at_most=date.max.toordinal())
    if ordinal < date.min.toordinal():
        raise BadCallbackData(value)
    return date.fromordinal(ordinal)


def as_choice(choices: Sequence[T], value: str) -> T:
    """The choice a button's index points at; :class:`BadCallbackData` for an index past the end."""
    index = as_int(value)
    if index >= len(choices):
        raise BadCallbackData(value)
    return choices[index]


def as_yes_no(value: str) -> bool:
    """The answer on a "yes"/"no" button pair; :class:`BadCallbackData` for anything else."""
    if value not in ("yes", "no"):
        raise BadCallbackData(value)
    return value == "yes"


def decode_ints(data: str | None, action: str, arity: int) -> list[int]:
    """:func:`decode` for an action whose values are all numbers (:func:`as_int`)."""
    return [as_int(value) for value in decode(data, action, arity)]


def as_enum(kind: type[E], value: str) -> E:
    """The member of ``kind`` with this value; :class:`BadCallbackData` when there is none."""
    try:
        return kind(value)
    except ValueError:
        raise BadCallbackData(value) from None


def pattern(action: str, *values: str) -> str:
    """A regex for a handler that takes this action's presses (those whose data starts with
    ``values``, when given)."""
    return "^" + re.escape(SEPARATOR.join([action, *values]) + SEPARATOR)
