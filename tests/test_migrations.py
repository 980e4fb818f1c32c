"""The models and the migration chain agree, and the chain goes down and up again."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import (
    crypto,
    migrate,
    models,  # noqa: F401
)
from bot.db.base import Base

pytestmark = pytest.mark.both_databases  # depends on the database engine


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """These tests migrate from nothing themselves."""
    return empty_database_url


CORE_TABLES = {
    "people",
    "professionals",
    "circles",
    "members",
    "invitations",
    "agreements",
    "schedules",
    "deliveries",
    "checkin_answers",
    "contact_requests",
    "audit_events",
}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
        assert await connection.run_sync(_tables) >= CORE_TABLES


async def test_upgrade_downgrade_upgrade(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    await migrate.downgrade(engine, "base")
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) == set()
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    await migrate.upgrade(engine)
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        assert await connection.run_sync(_tables) >= CORE_TABLES


def test_the_chain_has_one_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_heads() == [migrate.newest_revision()]  # what a start at head compares with


async def test_a_database_at_head_is_not_handed_to_alembic(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every start but the first after an upgrade finds the newest revision and leaves Alembic
    (and its memory) alone; one behind, Alembic upgrades it."""
    await migrate.upgrade(engine)
    ran: list[str] = []
    real = migrate._migrate

    async def counting(engine: AsyncEngine, action: object, revision: str) -> None:
        ran.append(revision)
        await real(engine, action, revision)

    monkeypatch.setattr(migrate, "_migrate", counting)
    await migrate.upgrade(engine)
    assert ran == []
    previous = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(migrate.newest_revision())
    await migrate.downgrade(engine, str(previous.down_revision))
    await migrate.upgrade(engine)
    assert ran == [str(previous.down_revision), "head"]
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_upgrading_keeps_every_row(engine: AsyncEngine) -> None:
    """A database in use before network check-ins and sealing (0007) keeps all it holds: on
    SQLite the rebuilt tables must not take their rows' dependants with them."""
    await migrate.upgrade(engine, "0007")
    now = "'2026-11-23 09:00:00+00:00'"
    rows = [
        f"INSERT INTO people (id, telegram_user_id, language, language_chosen, created_at) VALUES (1, 11, 'nl', false, {now})",
        f"INSERT INTO professionals (id, person_id, name, status, created_at) VALUES (1, 1, 'Anna de Vries', 'active', {now})",
        "INSERT INTO circles (id, name, language, time_zone, status, professional_id, review_weeks, created_at) "
        f"VALUES (1, 'Gezin Jansen', 'nl', 'Europe/Amsterdam', 'active', 1, 6, {now})",
        "INSERT INTO members (id, circle_id, person_id, display_name, role, is_coordinator, status, created_at) "
        f"VALUES (1, 1, 1, 'Fatima', 'family', true, 'active', {now})",
        "INSERT INTO agreements (id, circle_id, doer_member_id, what, support_kind, visibility, status, created_at, updated_at) "
        f"VALUES (1, 1, 1, 'Oppassen', 'practical', 'circle', 'active', {now}, {now})",
        "INSERT INTO schedules (id, circle_id, agreement_id, purpose, frequency, interval, weekday, at_time, starts_on, "
        f"time_zone, active, created_at) VALUES (1, 1, 1, 'agreement', 'weekly', 1, 2, '15:00:00', '2026-11-23', 'Europe/Amsterdam', true, {now})",
        f"INSERT INTO checkin_rounds (id, circle_id, schedule_id, occurs_at, with_review, created_at) VALUES (1, 1, 1, {now}, false, {now})",
        "INSERT INTO deliveries (id, key, kind, circle_id, person_id, chat_id, payload, due_at, status, attempts, next_attempt_at, created_at) "
        f"VALUES (1, 'k', 'checkin', 1, 1, 11, '{{\"round_id\": 1}}', {now}, 'sent', 1, {now}, {now})",
        f"INSERT INTO audit_events (at, actor_person_id, circle_id, action) VALUES ({now}, 1, 1, 'member.joined')",
    ]
    async with engine.begin() as connection:
        for row in rows:
            await connection.execute(text(row))
    await migrate.upgrade(engine)
    async with engine.connect() as connection:
        for table in (
            "people",
            "professionals",
            "circles",
            "members",
            "agreements",
            "schedules",
            "checkin_rounds",
            "deliveries",
        ):
            assert await connection.scalar(text(f"SELECT count(*) FROM {table}")) == 1, table
        assert await connection.scalar(text("SELECT professional_id FROM circles")) == 1
        assert await connection.scalar(text("SELECT schedule_id FROM checkin_rounds")) == 1
        assert (await connection.scalar(text("SELECT display_name FROM members"))).startswith(crypto.PREFIX)
        assert (
            await connection.scalar(text("SELECT count(*) FROM audit_events WHERE action = 'consent.joined.given'"))
            == 1
        )


async def test_a_deleted_rows_id_is_never_handed_out_again(engine: AsyncEngine) -> None:
    """Outbox keys are made of ids ("contact.request:7"): a new row must never reuse an erased one's."""
    await migrate.upgrade(engine)
    insert = text(
        "INSERT INTO people (telegram_user_id, language, language_chosen, created_at) "
        "VALUES (:tg, 'nl', false, '2026-11-23 09:00:00+00:00')"
    )
    async with engine.begin() as connection:
        for tg in (1, 2):
            await connection.execute(insert, {"tg": tg})
        last = await connection.scalar(text("SELECT max(id) FROM people"))
        await connection.execute(text("DELETE FROM people WHERE id = :id"), {"id": last})
        await connection.execute(insert, {"tg": 3})
        assert await connection.scalar(text("SELECT id FROM people WHERE telegram_user_id = 3")) > last


async def test_ids_are_64_bit(engine: AsyncEngine) -> None:
    """Past 32 bits on both databases: ids given, ids referred to, and (PostgreSQL) ids its
    sequences hand out (a ``serial`` sequence stopped at 2,147,483,647)."""
    await migrate.upgrade(engine)
    big = 2**62 + 7
    now = "'2026-11-23 09:00:00+00:00'"
    async with engine.begin() as connection:
        for row in (
            f"INSERT INTO people (id, telegram_user_id, language, language_chosen, created_at) VALUES ({big}, 11, 'nl', false, {now})",
            "INSERT INTO circles (id, name, language, time_zone, status, review_weeks, created_at) "
            f"VALUES ({big}, 'x', 'nl', 'Europe/Amsterdam', 'active', 6, {now})",
            "INSERT INTO members (id, circle_id, person_id, display_name, role, is_coordinator, status, created_at) "
            f"VALUES ({big}, {big}, {big}, 'x', 'family', true, 'active', {now})",
            f"INSERT INTO audit_events (at, actor_person_id, circle_id, action, subject_type, subject_id) "
            f"VALUES ({now}, {big}, {big}, 'member.joined', 'member', {big})",
        ):
            await connection.execute(text(row))
        assert await connection.scalar(text("SELECT subject_id FROM audit_events")) == big
        assert await connection.scalar(text("SELECT person_id FROM members WHERE circle_id = :id"), {"id": big}) == big
        if engine.dialect.name == "postgresql":
            await connection.execute(text("SELECT setval(pg_get_serial_sequence('people', 'id'), 2147483647)"))
        await connection.execute(
            text(
                "INSERT INTO people (telegram_user_id, language, language_chosen, created_at) "
                f"VALUES (12, 'nl', false, {now})"
            )
        )
        handed_out = await connection.scalar(text("SELECT id FROM people WHERE telegram_user_id = 12"))
        assert handed_out > (2**31 - 1 if engine.dialect.name == "postgresql" else big)
