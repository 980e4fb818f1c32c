"""Every ``kring`` command meets a fault with one plain line that says what to do — exit 2 for what
the administrator sets up (token, files, folders), 1 when the database or Telegram cannot be
reached — and never a traceback, a token or a password. Files are created owner-only, and the
DEBUG log holds no SQL parameters.

The file faults need a process that obeys file permissions: as root, the command runs without
the capability to override them (``setpriv``)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import stat
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.db import crypto, migrate
from bot.db.session import create_engine
from sandbox.fake_telegram import FakeTelegram
from tests.postgres import PostgresServer

TOKEN = "987654:CliFaultsTestTokenCliFaultsTestToken0"
SECRET = TOKEN.split(":")[1]
PASSWORD = "pg-Pa55word-of-the-test"
KEY = crypto.encode_key(crypto.new_key())


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as fake:
        yield fake


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once it is closed


def _obeying_permissions() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("as root, a file fault needs setpriv to drop the override of file permissions")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


async def _kring(
    tmp_path: Path, *args: str, env: dict[str, str], telegram: FakeTelegram | None = None, prefix: Sequence[str] = ()
) -> tuple[int, str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}
    clean.update(KRING_BOT_TOKEN=TOKEN, KRING_SECRET_KEY=KEY)
    clean.update(KRING_TELEGRAM_API_URL=telegram.url if telegram else f"http://127.0.0.1:{_closed_port()}")
    clean.update(env)
    process = await asyncio.create_subprocess_exec(
        *prefix,
        sys.executable,
        "-m",
        "bot",
        *args,
        env=clean,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


def _one_line(stderr: str, starts: str) -> None:
    """The fault is the only line (a note that pictures cannot be made may come before it)."""
    lines = [line for line in stderr.strip().splitlines() if not line.startswith("Let op: plaatjes")]
    assert len(lines) == 1 and lines[0].startswith(starts), stderr
    assert "Traceback" not in stderr and SECRET not in stderr and PASSWORD not in stderr


async def test_invite_with_a_token_telegram_refuses(telegram: FakeTelegram, tmp_path: Path) -> None:
    refused = "111111:ThisTokenIsNotKnownToTheFakeTelegramApi"
    status, out, err = await _kring(
        tmp_path, "professional", "invite", "Anna", env={"KRING_BOT_TOKEN": refused}, telegram=telegram
    )
    assert status == 2 and out == ""
    _one_line(err, "Telegram kent dit token niet (KRING_BOT_TOKEN).")
    assert refused.split(":")[1] not in err


async def test_invite_without_network(tmp_path: Path) -> None:
    status, out, err = await _kring(tmp_path, "professional", "invite", "Anna", env={})
    assert status == 1 and out == ""
    _one_line(err, "Kring kan Telegram niet bereiken op http://127.0.0.1:")


@pytest.mark.parametrize("args", [["migrate"], ["professional", "invite", "Anna"], ["run"]])
async def test_an_unreachable_postgresql(telegram: FakeTelegram, tmp_path: Path, args: list[str]) -> None:
    url = f"postgresql+asyncpg://kring:{PASSWORD}@127.0.0.1:{_closed_port()}/kring"
    status, _, err = await _kring(tmp_path, *args, env={"KRING_DATABASE_URL": url}, telegram=telegram)
    assert status == 1
    _one_line(err, "Kring kan de database op 127.0.0.1:")


@pytest.mark.postgres
async def test_a_postgresql_that_refuses_the_database_name(tmp_path: Path, postgres_server: PostgresServer) -> None:
    status, _, err = await _kring(tmp_path, "migrate", env={"KRING_DATABASE_URL": postgres_server.url("no_such_db")})
    assert status == 2
    _one_line(err, f'PostgreSQL op 127.0.0.1:{postgres_server.port} weigert: database "no_such_db" does not exist.')


async def test_health_with_an_unreachable_postgresql_says_so_in_its_report(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://kring:{PASSWORD}@127.0.0.1:{_closed_port()}/kring"
    status, out, err = await _kring(tmp_path, "health", env={"KRING_DATABASE_URL": url})
    assert status == 1 and '"database": false' in out
    assert "Traceback" not in err and PASSWORD not in err


@pytest.mark.parametrize("args", [["migrate"], ["professional", "list"], ["run"]])
async def test_a_read_only_sqlite_file(tmp_path: Path, args: list[str]) -> None:
    database = tmp_path / "kring.sqlite3"
    database.touch(mode=0o400)  # (SQLite would open it read-only, and fail only at the first write)
    url = f"sqlite+aiosqlite:///{database}"
    status, _, err = await _kring(tmp_path, *args, env={"KRING_DATABASE_URL": url}, prefix=_obeying_permissions())
    assert status == 2
    _one_line(err, f"KRING_DATABASE_URL: Kring mag niet schrijven in {database}.")


@pytest.mark.parametrize("args", [["migrate"], ["professional", "list"], ["run"]])
async def test_an_unwritable_data_folder(tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    url = f"sqlite+aiosqlite:///{folder}/kring.sqlite3"
    status, _, err = await _kring(tmp_path, *args, env={"KRING_DATABASE_URL": url}, prefix=_obeying_permissions())
    assert status == 2
    _one_line(err, f"KRING_DATABASE_URL: Kring mag niet schrijven in {folder}.")


async def test_an_unwritable_key_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    env = {"KRING_SECRET_KEY": "", "KRING_SECRET_KEY_FILE": str(folder / "secret.key")}
    status, _, err = await _kring(tmp_path, "migrate", env=env, prefix=_obeying_permissions())
    assert status == 2
    _one_line(err, f"Kring kan {folder / 'secret.key'} niet gebruiken: Permission denied.")
    assert not (folder / "secret.key").exists()


async def test_demo_with_a_folder_it_may_not_write(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o500)
    status, _, err = await _kring(
        tmp_path, "demo", "--keep", str(folder / "demo"), env={}, prefix=_obeying_permissions()
    )
    assert status == 2
    _one_line(err, f"Kring kan {folder / 'demo'} niet gebruiken: Permission denied.")


@pytest.mark.parametrize("variable", ["KRING_DATABASE_URL", "KRING_SECRET_KEY_FILE"])
async def test_a_folder_that_does_not_exist_is_refused_not_made(tmp_path: Path, variable: str) -> None:
    missing = tmp_path / "typo" / "data"
    value = f"sqlite+aiosqlite:///{missing}/kring.sqlite3" if variable == "KRING_DATABASE_URL" else f"{missing}/key"
    status, _, err = await _kring(tmp_path, "migrate", env={variable: value, "KRING_SECRET_KEY": ""})
    assert status == 2
    _one_line(err, f"{variable}: De map {missing} bestaat niet.")
    assert not (tmp_path / "typo").exists()


async def test_the_default_data_folder_is_made_owner_only(tmp_path: Path) -> None:
    status, out, err = await _kring(tmp_path, "health", env={})
    assert status == 1 and out.startswith('{"database": '), err  # (no tables, no tick: not well)
    data = tmp_path / "data"
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (data, *data.iterdir())}
    assert modes == {"data": 0o700, "kring.sqlite3": 0o600}, modes


def test_a_new_key_folder_is_owner_only(tmp_path: Path) -> None:
    crypto.key_from_file(tmp_path / "keys" / "secret.key")
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700


async def test_sqlite_side_files_are_owner_only_too(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3"
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in tmp_path.iterdir()}
    finally:
        await engine.dispose()
    assert modes == {"kring.sqlite3": 0o600, "kring.sqlite3-wal": 0o600, "kring.sqlite3-shm": 0o600}, modes


async def test_the_debug_log_holds_no_sql_parameters(telegram: FakeTelegram, tmp_path: Path, database_url: str) -> None:
    env = {"KRING_LOG_LEVEL": "DEBUG", "KRING_DATABASE_URL": database_url}
    status, out, err = await _kring(tmp_path, "professional", "remove", "424242", env=env, telegram=telegram)
    assert status == 1 and out.startswith("Er is geen hulpverlener met nummer 424242.")
    assert "DEBUG" in err and "424242" not in err


def test_alembic_lines_show_only_when_a_migration_fails(caplog: pytest.LogCaptureFixture) -> None:
    step = logging.getLogger("alembic.runtime.migration")
    caplog.set_level(logging.INFO)
    with migrate._alembic_lines_only_on_failure():
        step.info("Running upgrade 0001 -> 0002, that went well")
    assert "that went well" not in caplog.text
    with pytest.raises(RuntimeError), migrate._alembic_lines_only_on_failure():
        step.info("Running upgrade 0002 -> 0003, this one fails")
        raise RuntimeError("a broken migration")
    assert "this one fails" in caplog.text
    caplog.set_level(logging.DEBUG)
    with migrate._alembic_lines_only_on_failure():
        step.info("Running upgrade 0003 -> 0004, at DEBUG")
    assert "at DEBUG" in caplog.text


async def test_a_database_error_holds_no_sql_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3")
    try:
        with pytest.raises(DBAPIError) as raised:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT :x FROM nowhere"), {"x": "a-private-parameter"})
    finally:
        await engine.dispose()
    assert "a-private-parameter" not in str(raised.value)
