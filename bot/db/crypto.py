"""Free text at rest is sealed: names, agreement texts, notes, messages and drafts are stored
encrypted with AES-SIV (RFC 5297) under one key from ``KRING_SECRET_KEY``, or from a key file
that Kring creates with owner-only permissions when no key is given.

AES-SIV is deterministic: the same text under the same key gives the same ciphertext. That lets
the database still compare a sealed column with a value (``Member.display_name == name``) while
a copy of the database, a backup or a dump shows no text. It also means equal texts look equal —
a small, known leak that the ability to query is worth here.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from sqlalchemy import Dialect, Text
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)
KEY_BYTES = 64  # AES-256-SIV
PREFIX = "k1:"
_cipher: AESSIV | None = None


class WrongKey(Exception):
    """The database was sealed with another key than the one configured."""


def new_key() -> bytes:
    return AESSIV.generate_key(bit_length=KEY_BYTES * 8)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str) -> bytes:
    """A key as written in ``KRING_SECRET_KEY`` or the key file; ``ValueError`` when it is not one."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("not base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"a key has {KEY_BYTES} bytes")
    return key


def key_from_file(path: Path) -> bytes:
    """Read the key file, or create it (owner-only, never overwritten) when there is none."""
    try:
        return decode_key(path.read_text())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = new_key()
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now: use theirs
        return decode_key(path.read_text())
    with os.fdopen(descriptor, "w") as file:
        file.write(encode_key(key) + "\n")
    log.warning("created a new secret key file; back it up with the database", extra={"path": str(path)})
    return key


def use_key(key: bytes) -> None:
    global _cipher
    _cipher = AESSIV(key)


def _active() -> AESSIV:
    if _cipher is None:
        raise RuntimeError("no secret key: call bot.db.crypto.use_key() at start")
    return _cipher


def seal(text: str) -> str:
    return PREFIX + base64.b64encode(_active().encrypt(text.encode("utf-8"), None)).decode("ascii")


def unseal(stored: str) -> str:
    if not stored.startswith(PREFIX):  # written before sealing existed (the migration seals it)
        return stored
    try:
        return _active().decrypt(base64.b64decode(stored[len(PREFIX) :]), None).decode("utf-8")
    except InvalidTag:
        raise WrongKey("this database was sealed with another KRING_SECRET_KEY") from None


class SealedText(TypeDecorator[str]):
    """Text stored sealed; reads and writes plain ``str``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else unseal(value)


class SealedJSON(TypeDecorator[Any]):
    """A JSON value stored sealed (a draft's typed answers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else seal(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(unseal(value))
