"""Free text is sealed at rest: the raw database holds none of it, the key comes from the
environment or an owner-only key file, a wrong key is refused, and the migration seals what was
stored before."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import ConfigError, load_settings
from bot.db import crypto, migrate
from bot.db.models import Circle, CircleStatus
from bot.db.session import create_engine, create_sessionmaker
from sandbox.demo import pass_time
from sandbox.harness import Sandbox
from tests.journey import choose_network_checkin, make_agreement, set_up_circle

pytestmark = pytest.mark.both_databases  # depends on the database engine

#: (Each has a character base64 never uses, or is long enough never to turn up in a sealed value by chance.)
SECRETS = (
    "Oma Ayşe",
    "Buurman Kees",
    "Gezin Jansen",
    "Anna de Vries",
    "Oppassen",
    "Tante Sam",
    "12345678",
    "Geheime notitie",
    "slaapt slecht",
    "Fietsen",
)


async def _raw_values(engine: AsyncEngine) -> list[tuple[str, str, str]]:
    """Every text value in every table, as the database itself stores it."""
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        found = []
        for table in tables:
            result = await connection.execute(text(f'SELECT * FROM "{table}"'))
            for row in result.mappings():
                found += [(table, column, str(value)) for column, value in row.items() if value is not None]
    return found


async def test_the_raw_database_holds_no_free_text(sandbox: Sandbox) -> None:
    c = await set_up_circle(sandbox)
    await make_agreement(c.fatima, "Oma Ayşe", "Oppassen", for_whom="Sam")
    await make_agreement(c.fatima, "Buurman Kees", "Fietsen")  # Kees has not answered: a draft-free proposal
    (menu,) = await c.fatima.send("/safetyplan")
    await c.fatima.press(menu, "Wie we vragen")
    await c.fatima.press(menu, "Iemand anders")
    await c.fatima.send("Tante Sam")
    (_done,) = await c.fatima.send("06-12345678")
    checkin_question = (await c.fatima.send("/checkin", chat=c.group))[0]
    await c.fatima.press(checkin_question, "Nu een check-in")
    await sandbox.tick()
    checkin = sandbox.telegram.messages_in(c.group.id)[-1]
    await c.omar.press(checkin, "😟 Niet goed")
    await c.omar.send("Sam slaapt slecht.", chat=c.group, reply_to=sandbox.telegram.messages_in(c.group.id)[-1])
    await choose_network_checkin(c.fatima, "Oma Ayşe")
    await pass_time(sandbox, sandbox.clock.now() + timedelta(weeks=1, hours=10))
    own = sandbox.telegram.messages_in(3)[-1]
    await c.ayse.press(own, "Ja")
    await c.ayse.press(own, "🙂 Goed")
    await c.ayse.send("Geheime notitie van oma.")
    await c.fatima.send("/newagreement")  # a conversation left half-way: its draft is sealed too
    await sandbox.tick()

    values = await _raw_values(sandbox.runtime.engine)
    leaks = [(table, column) for table, column, value in values for secret in SECRETS if secret in value]
    assert leaks == []
    sealed = {(table, column) for table, column, value in values if value.startswith(crypto.PREFIX)}
    assert {
        ("members", "display_name"),
        ("agreements", "what"),
        ("agreements", "for_whom"),
        ("circles", "name"),
        ("professionals", "name"),
        ("checkin_answers", "note"),
        ("network_checkins", "note"),
        ("plan_steps", "phone"),
        ("deliveries", "payload"),
        ("drafts", "data"),
    } <= sealed
    async with sandbox.runtime.sessions() as session:  # and Kring itself reads them as ever
        assert (await session.scalar(select(Circle.name))) == "Gezin Jansen"


def test_the_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret.key"
    first = crypto.key_from_file(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert crypto.key_from_file(path) == first
    settings = load_settings({"KRING_SECRET_KEY_FILE": str(path)})
    assert settings.key() == first
    given = crypto.new_key()
    assert (
        load_settings({"KRING_SECRET_KEY": crypto.encode_key(given), "KRING_SECRET_KEY_FILE": str(path)}).key() == given
    )


def test_a_bad_or_wrong_key_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"KRING_SECRET_KEY": "te-kort"})
    assert error.value.variable == "KRING_SECRET_KEY"
    crypto.use_key(crypto.new_key())
    sealed = crypto.seal("Gezin Jansen")
    assert crypto.unseal(sealed) == "Gezin Jansen" and sealed != crypto.seal("Gezin Bakker")
    crypto.use_key(crypto.new_key())
    with pytest.raises(crypto.WrongKey):
        crypto.unseal(sealed)


async def test_the_migration_seals_what_was_stored_before(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)
    await migrate.upgrade(engine, "0008")
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO circles (name, language, time_zone, status, review_weeks, created_at) "
                "VALUES ('Gezin Jansen', 'nl', 'Europe/Amsterdam', 'active', 6, '2026-11-23 09:00:00+00:00')"
            )
        )
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        stored = await connection.scalar(text("SELECT name FROM circles"))
    assert stored.startswith(crypto.PREFIX) and "Jansen" not in stored
    async with create_sessionmaker(engine)() as session:
        assert await session.scalar(select(Circle.name)) == "Gezin Jansen"
    await engine.dispose()


async def test_kring_refuses_a_key_that_does_not_open_the_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/kring.sqlite3"
    key = crypto.new_key()
    crypto.use_key(key)
    engine = create_engine(url)
    await migrate.upgrade(engine)
    async with create_sessionmaker(engine).begin() as session:
        session.add(
            Circle(
                name="Gezin Jansen",
                language="nl",
                time_zone="Europe/Amsterdam",
                status=CircleStatus.ACTIVE,
                created_at=datetime.now(UTC),
            )
        )
    await engine.dispose()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KRING_")}

    def kring_migrate(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            env={**clean, "KRING_DATABASE_URL": url, **env},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    for wrong in ({"KRING_SECRET_KEY": crypto.encode_key(crypto.new_key())}, {}):  # another key; a new key file
        refused = kring_migrate(**wrong)
        assert refused.returncode == 2
        assert refused.stderr.strip().splitlines()[-1].startswith("De geheime sleutel past niet bij deze database.")
    assert kring_migrate(KRING_SECRET_KEY=crypto.encode_key(key)).returncode == 0
    crypto.use_key(key)
    async with create_sessionmaker(create_engine(url))() as session:
        assert await session.scalar(select(Circle.name)) == "Gezin Jansen"  # nothing sealed with the wrong key
