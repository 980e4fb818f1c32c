"""Shared fixtures. Every test that touches the database runs twice: on SQLite and on a real
PostgreSQL server that the session starts itself (see ``tests/postgres.py``)."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import SimulatedClock
from bot.config import Settings, load_settings
from bot.db import crypto, migrate
from bot.db.session import SessionMaker, create_engine, create_sessionmaker
from bot.sandbox import Sandbox
from tests.postgres import PostgresServer, PostgresUnavailable

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
_database_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except PostgresUnavailable as error:
        if os.environ.get("KRING_TEST_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL is required here: {error}")
        pytest.skip(f"no PostgreSQL for this run: {error}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"kring_test_{next(_database_names)}"
    connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="postgres")
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return server.url(name)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


#: The tests' sealing key (a fixed one: no key file is ever written by a test run).
TEST_KEY = crypto.encode_key(bytes(range(64)))


@pytest.fixture(autouse=True)
def sealing_key() -> None:
    """Every test seals with the test key (the demo, run in this process, uses its own)."""
    crypto.use_key(crypto.decode_key(TEST_KEY))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings({"KRING_DATABASE_URL": database_url, "KRING_SECRET_KEY": TEST_KEY})


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def sessions(engine: AsyncEngine) -> SessionMaker:
    await migrate.upgrade(engine)
    return create_sessionmaker(engine)


@pytest.fixture
async def session(sessions: SessionMaker) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@pytest.fixture
async def sandbox(settings: Settings, clock: SimulatedClock) -> AsyncIterator[Sandbox]:
    async with Sandbox(settings, clock, bot_username="kring_test_bot") as running:
        yield running
