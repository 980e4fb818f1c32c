"""Worlds built once, then copied: the shared circle and the authorisation matrix's world are played
through the real application by the first test that needs them (per database kind and test
process), then frozen — the database copied, the fake Telegram's chats and messages deep-copied,
the clock noted. Every later test gets a copy of that world on its own database.

Both the building test and the copying ones continue after a restart of the bot, so a test sees
the same world whichever test happened to build it (with pytest-xdist that varies from run to run).
A snapshot is used only by a sandbox that has done nothing yet, at the same simulated moment.
"""

from __future__ import annotations

import copy
import itertools
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

from sandbox.harness import Sandbox

T = TypeVar("T")

#: What is copied of the fake Telegram: everything the people and the bot left there.
_TELEGRAM_STATE = (
    "chats",
    "messages",
    "timeline",
    "calls",
    "commands",
    "callback_answers",
    "webhook",
    "_faults",
    "_updates",
    "_last_ids",
)
_snapshot_names = itertools.count(1)


@dataclass
class _Frozen:
    database: str  # a file (SQLite) or a template database's name (PostgreSQL)
    started_at: datetime
    ended_at: datetime
    telegram_and_result: Any  # deep-copied together, so that the result's people share the chats


_store: dict[tuple[str, ...], _Frozen] = {}


def _is_pristine(sandbox: Sandbox) -> bool:
    return not sandbox.telegram.chats and not sandbox.telegram.messages and not sandbox.telegram.timeline


async def cached(sandbox: Sandbox, name: str, build: Callable[[Sandbox], Awaitable[T]]) -> T:
    """``build(sandbox)``'s world, played once and copied from then on."""
    if not _is_pristine(sandbox):
        return await build(sandbox)
    settings = sandbox.settings
    key = (
        name,
        sandbox.telegram.bot_username,
        repr(replace(settings, database_url="")),
        make_url(settings.database_url).get_backend_name(),
    )
    frozen = _store.get(key)
    if frozen is not None and frozen.started_at == sandbox.clock.now():
        return await _thaw(sandbox, frozen)
    started_at = sandbox.clock.now()
    result = await build(sandbox)

    async def freeze() -> None:
        database = await _copy_database_away(settings.database_url)
        state = ({field: getattr(sandbox.telegram, field) for field in _TELEGRAM_STATE}, result)
        _store[key] = _Frozen(
            database, started_at, sandbox.clock.now(), copy.deepcopy(state, memo={id(sandbox.telegram): _TELEGRAM})
        )

    await sandbox.restart(while_stopped=freeze)
    return result


async def _thaw(sandbox: Sandbox, frozen: _Frozen) -> Any:
    state, result = copy.deepcopy(frozen.telegram_and_result, memo={id(_TELEGRAM): sandbox.telegram})

    async def thaw() -> None:
        await _copy_database_back(frozen.database, sandbox.settings.database_url)
        for field, value in state.items():
            setattr(sandbox.telegram, field, value)
        sandbox.clock.set(frozen.ended_at)

    await sandbox.restart(while_stopped=thaw)
    return result


class _TelegramPlaceholder:
    """Stands in for the live fake Telegram inside a frozen world (it is not copied itself)."""


_TELEGRAM: Any = _TelegramPlaceholder()


async def _copy_database_away(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        target = f"{parsed.database}.snapshot-{next(_snapshot_names)}"
        _sqlite_copy(parsed.database, target)
        return target
    name = f"{parsed.database}_snapshot_{next(_snapshot_names)}"
    await _postgres_copy(url, source=str(parsed.database), target=name)
    return name


async def _copy_database_back(snapshot: str, url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database is not None
        _sqlite_copy(snapshot, parsed.database)
        return
    await _postgres_copy(url, source=snapshot, target=str(parsed.database))


def _sqlite_copy(source: str, target: str) -> None:
    """SQLite's backup API: a consistent copy, whatever is still in the write-ahead log."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy_:
        origin.backup(copy_)
    origin.close()
    copy_.close()


async def _postgres_copy(url: str, *, source: str, target: str) -> None:
    """``target`` becomes a copy of ``source`` (PostgreSQL copies a database by using it as a template;
    nobody may be connected to either meanwhile)."""
    parsed = make_url(url)
    connection = await asyncpg.connect(host=parsed.host, port=parsed.port, user=parsed.username, database="postgres")
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()",
            [source, target],
        )
        await connection.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    finally:
        await connection.close()
