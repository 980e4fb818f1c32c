"""The declarative base: one naming convention (so migrations name constraints the same on
SQLite and PostgreSQL), 64-bit ids and a UTC timestamp type that never hands out a naive
datetime."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import BigInteger, DateTime, Integer, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stored as UTC; always read back as an aware UTC datetime.

    SQLite has no time zones, so the value is stored without one and the zone is put back on
    reading. Storing a naive datetime is a programming error and raises.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use an aware one (the clock gives UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: An id (a primary key, or a column that refers to one): 64-bit, so no id of ours — nor a forged
#: one a button may carry — overflows the column. PostgreSQL's ``BIGINT``; on SQLite an ``INTEGER``,
#: which is 64-bit there already and the only type ``AUTOINCREMENT`` takes.
ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    #: ``Mapped[int]`` without a type of its own is an id (counts and hours name ``Integer``).
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), int: ID}
