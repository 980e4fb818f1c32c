"""The models and the migration chain agree, and the chain goes down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import (
    migrate,
    models,  # noqa: F401
)
from bot.db.base import Base

CORE_TABLES = {
    "people", "professionals", "circles", "members", "invitations", "agreements", "schedules",
    "deliveries", "checkin_answers", "contact_requests", "audit_events",
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
        assert CORE_TABLES <= await connection.run_sync(_tables)


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
        assert CORE_TABLES <= await connection.run_sync(_tables)


def test_the_chain_has_one_head() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert len(script.get_heads()) == 1
