"""Engine and sessions. SQLite gets WAL, foreign keys and ``BEGIN IMMEDIATE`` (one writer at a
time, so a read that turns into a write cannot fail with SQLITE_BUSY halfway), and its folder and
file are created owner-only (SQLite gives the -wal and -shm files the database file's mode).
No engine writes SQL parameters into a log or an error message (``hide_parameters``)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SessionMaker = async_sessionmaker[AsyncSession]


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":  # the data folder is made when missing
            _create_owner_only(Path(url.database).expanduser())
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(database_url, pool_pre_ping=True, hide_parameters=True)


def _create_owner_only(path: Path) -> None:
    """Make a missing folder 0700 and a missing database file 0600 (an empty file is an empty
    database); existing ones keep their mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when a transaction starts (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
