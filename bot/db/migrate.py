"""Upgrade (or downgrade) the schema with Alembic, sharing the application's engine.

Alembic is loaded only when there is something to do: a database already at the newest revision
(every start but the first after an upgrade) is recognised by reading ``alembic_version`` and the
revision lines of ``migrations/versions/``, which keeps Alembic's 20-odd MB out of the bot."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from logging.handlers import BufferingHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import crypto

if TYPE_CHECKING:
    from alembic.config import Config

#: ``migrations/`` sits beside ``bot/``, in the checkout and in an installed wheel alike.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade — but only with the key the database was sealed with (checked before and after:
    a new or wrong key must never seal half a database, or make messages fail one by one)."""
    await check_key(engine)
    if revision == "head" and await _at(engine, newest_revision()):
        return
    from alembic import command

    await _migrate(engine, command.upgrade, revision)
    await check_key(engine)


_REVISION = re.compile(r"^(down_revision|revision)\b[^=]*=\s*['\"]?([\w]+)['\"]?", re.MULTILINE)


@cache
def newest_revision() -> str:
    """The head of the chain in ``migrations/versions/``: the revision no other one builds on."""
    revisions: set[str] = set()
    built_on: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for kind, value in _REVISION.findall(path.read_text(encoding="utf-8")):
            (revisions if kind == "revision" else built_on).add(value)
    (head,) = revisions - built_on
    return str(head)


async def _at(engine: AsyncEngine, revision: str) -> bool:
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        if "alembic_version" not in tables:
            return False
        return (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all() == [revision]


#: Sealed columns that every database in use has values in.
_KEY_PROBES = (("circles", "name"), ("members", "display_name"), ("professionals", "name"))


async def check_key(engine: AsyncEngine) -> None:
    """Raise :class:`crypto.WrongKey` when the configured key cannot open this database."""
    async with engine.connect() as connection:
        tables = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        for table, column in _KEY_PROBES:
            if table in tables:
                value = await connection.scalar(
                    text(f"SELECT {column} FROM {table} WHERE {column} LIKE :sealed LIMIT 1"),
                    {"sealed": crypto.PREFIX + "%"},
                )
                if value is not None:
                    crypto.unseal(value)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    await _migrate(engine, command.downgrade, revision)


async def _migrate(engine: AsyncEngine, action: object, revision: str) -> None:
    """On SQLite a changed table is copied, dropped and renamed (Alembic's batch mode); with
    foreign keys on, the drop would first delete every row that points at it. So foreign keys
    are off while migrating (it must be set outside a transaction), and checked afterwards."""
    async with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.run_sync(_pragma, "PRAGMA foreign_keys=OFF")
        try:
            async with connection.begin():
                with _alembic_lines_only_on_failure():
                    await connection.run_sync(_run, action, revision)
                dangling = await connection.run_sync(_pragma, "PRAGMA foreign_key_check") if sqlite else []
                if dangling:
                    raise RuntimeError("the migration left rows that point nowhere")
        finally:
            if sqlite:
                await connection.run_sync(_pragma, "PRAGMA foreign_keys=ON")


_ALEMBIC = logging.getLogger("alembic")
_held: list[BufferingHandler] = []  # while a migration runs (one; or more, in tests)


@contextmanager
def _alembic_lines_only_on_failure() -> Iterator[None]:
    """Alembic says "Running upgrade …" at INFO on every command; keep those lines back and let
    them out only when the migration fails (they say which step) — or at once at DEBUG."""
    if _ALEMBIC.isEnabledFor(logging.DEBUG):
        yield
        return
    buffer = BufferingHandler(capacity=10_000)
    if not _held:
        _ALEMBIC.propagate = False
    _held.append(buffer)
    _ALEMBIC.addHandler(buffer)
    try:
        yield
    except BaseException:
        _release(buffer)
        for record in buffer.buffer:
            if logging.getLogger().isEnabledFor(record.levelno):
                logging.getLogger().handle(record)
        raise
    else:
        kept_back = [record for record in buffer.buffer if record.levelno >= logging.WARNING]
        _release(buffer)
        for record in kept_back:  # warnings go out as always
            logging.getLogger().handle(record)


def _release(buffer: BufferingHandler) -> None:
    _ALEMBIC.removeHandler(buffer)
    _held.remove(buffer)
    if not _held:
        _ALEMBIC.propagate = True


def _pragma(connection: Connection, statement: str, /) -> list[Any]:
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _run(connection: Connection, action: object, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    action(config, revision)  # type: ignore[operator]
