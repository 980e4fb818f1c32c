"""Engine and sessions. SQLite gets WAL, foreign keys and ``BEGIN IMMEDIATE`` for every session that
may write (one writer at a time, so a read that turns into a write cannot fail with SQLITE_BUSY
halfway), and its folder and file are created owner-only (SQLite gives the -wal and -shm files the
database file's mode). Read sessions (:func:`create_read_sessionmaker`) begin without the write
lock (a deferred ``BEGIN`` on SQLite, ``READ ONLY`` on PostgreSQL) and refuse to write.
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
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

SessionMaker = async_sessionmaker[AsyncSession]

#: The execution option that marks a read session's connection (see ``_on_begin``).
READ_ONLY = "kring_read_only"


class ReadOnlySessionError(RuntimeError):
    """A read session was asked to write: use a write session (``sessions.begin()``)."""


class ReadSession(Session):
    """A session that only reads: flushing a change or running an INSERT, UPDATE or DELETE raises
    :class:`ReadOnlySessionError` (on SQLite its transaction holds no write lock to upgrade)."""


@event.listens_for(ReadSession, "before_flush")
def _refuse_flush(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.deleted or any(session.is_modified(row) for row in session.dirty):
        raise ReadOnlySessionError("a read session cannot write")


@event.listens_for(ReadSession, "do_orm_execute")
def _refuse_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise ReadOnlySessionError("a read session cannot write")


#: Connections kept open: enough for the updates handled at once (``Settings.concurrent_updates``),
#: since a connection beyond the pool is opened and closed for each session (on SQLite a thread and
#: its pragmas each time: about a millisecond of CPU). PostgreSQL keeps fewer open, as several
#: processes share its ``max_connections`` (100 by default).
SQLITE_POOL = {"pool_size": 24, "max_overflow": 8}
POSTGRES_POOL = {"pool_size": 12, "max_overflow": 12}


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        if url.database and url.database != ":memory:":  # the data folder is made when missing
            _create_owner_only(Path(url.database).expanduser())
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **SQLITE_POOL)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(database_url, pool_pre_ping=True, hide_parameters=True, **POSTGRES_POOL)


def _create_owner_only(path: Path) -> None:
    """Make a missing folder 0700 and a missing database file 0600 (an empty file is an empty
    database); existing ones keep their mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def create_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    """Sessions that may write (on SQLite each takes the write lock when it begins)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def create_read_sessionmaker(engine: AsyncEngine) -> SessionMaker:
    """Sessions for work that only reads (/help, menus, views): they never wait for a writer."""
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return async_sessionmaker(
        engine.execution_options(**options), expire_on_commit=False, sync_session_class=ReadSession
    )


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
        # A read takes no lock until its first SELECT, and then only a snapshot (WAL): writers
        # neither wait for it nor make it wait.
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")
