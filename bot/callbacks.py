"""Callback data: a short action code and small values, never trusted.

Every press is parsed here and then re-checked by the service that acts on it; Telegram allows
at most 64 bytes.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
SEPARATOR = ":"
MAX_ID_DIGITS = 18


class BadCallbackData(ValueError):
    """Callback data we did not make, or no longer understand."""


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


def pattern(action: str, *values: str) -> str:
    """A regex for a handler that takes this action's presses (those whose data starts with
    ``values``, when given)."""
    return "^" + re.escape(SEPARATOR.join([action, *values]) + SEPARATOR)
