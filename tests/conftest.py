"""Shared fixtures. A test that touches the database runs on SQLite; tests marked ``both_databases``
(what depends on the database engine) also run on a real PostgreSQL server that the test process
starts itself (see ``tests/postgres.py``). ``KRING_TEST_FULL=1`` runs every database test on both,
and the long fuzz run at its full size."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from importlib.metadata import distributions
from pathlib import Path

import asyncpg
import pytest
from packaging.utils import canonicalize_name
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import SimulatedClock
from bot.config import Settings, load_settings
from bot.db import crypto, migrate
from bot.db.session import SessionMaker, create_engine, create_sessionmaker
from sandbox.harness import Sandbox
from tests.postgres import PostgresServer, PostgresUnavailable

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"
_database_names = itertools.count(1)


def not_as_locked() -> list[str]:
    """Installed packages whose version is not the one in requirements.lock, as "name version
    (locked: version)": after an install of the newest allowed versions, the suspects."""
    locked = {
        canonicalize_name(name): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", LOCK.read_text(), re.MULTILINE)
    }
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    return sorted(
        f"{name} {installed[name]} (locked: {version})"
        for name, version in locked.items()
        if name in installed and installed[name] != version
    )


def pytest_report_header(config: pytest.Config) -> str:
    differ = not_as_locked()
    return f"not as locked: {', '.join(differ)}" if differ else "packages: as in requirements.lock"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    differ = not_as_locked()
    if exitstatus != 0 and differ:
        terminalreporter.section("packages that differ from requirements.lock (look here first)")
        for line in differ:
            terminalreporter.write_line(line)


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


#: The full matrix: every database test on both databases (CI runs it).
FULL = os.environ.get("KRING_TEST_FULL") == "1"
POSTGRESQL = pytest.param("postgresql", marks=pytest.mark.postgres)
#: A migrated database per kind, made once per run; each test gets a copy (migrating from scratch
#: for every test would be most of the suite's time).
_templates: dict[str, object] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Which databases a test runs on: SQLite, and PostgreSQL too under ``KRING_TEST_FULL=1`` or
    for a test marked ``both_databases``. A test that names its databases itself keeps them."""
    fixture = next((f for f in ("empty_database_url", "database_url") if f in metafunc.fixturenames), None)
    named = {name for mark in metafunc.definition.iter_markers("parametrize") for name in _argnames(mark)}
    if fixture is None or fixture in named or "database_url" in named:
        return
    both = FULL or metafunc.definition.get_closest_marker("both_databases") is not None
    metafunc.parametrize(fixture, ["sqlite", POSTGRESQL] if both else ["sqlite"], indirect=True)


def _argnames(mark: pytest.Mark) -> list[str]:
    names = mark.args[0]
    return [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)


@pytest.fixture
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database of this kind."""
    return await _fresh_database(request, tmp_path, migrated=True)


@pytest.fixture
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database without any tables (for the migration tests)."""
    return await _fresh_database(request, tmp_path, migrated=False)


async def _migrate(url: str) -> None:
    crypto.use_key(crypto.decode_key(TEST_KEY))
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _fresh_database(request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool) -> str:
    if request.param == "sqlite":
        path = tmp_path / "kring.sqlite3"
        if migrated:
            if "sqlite" not in _templates:
                template = request.getfixturevalue("tmp_path_factory").mktemp("template") / "kring.sqlite3"
                await _migrate(f"sqlite+aiosqlite:///{template}")
                _templates["sqlite"] = template
            shutil.copyfile(_templates["sqlite"], path)  # (closed cleanly: nothing left in a -wal file)
        return f"sqlite+aiosqlite:///{path}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user=server.user, database="postgres")
    try:
        if migrated and "postgresql" not in _templates:
            await connection.execute('CREATE DATABASE "kring_template"')
            await _migrate(server.url("kring_template"))
            _templates["postgresql"] = "kring_template"
        name = f"kring_test_{next(_database_names)}"
        template = ' TEMPLATE "kring_template"' if migrated else ""
        await connection.execute(f'CREATE DATABASE "{name}"{template}')
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
    # (pictures rendered in-process, for speed; tests/test_rendering_off_path.py covers the workers)
    return load_settings({"KRING_DATABASE_URL": database_url, "KRING_SECRET_KEY": TEST_KEY}).with_overrides(
        render_workers=0
    )


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
