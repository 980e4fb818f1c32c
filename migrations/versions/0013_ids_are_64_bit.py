"""ids are 64-bit on PostgreSQL

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 10:00:00

Every primary key, every column that refers to one, and ``audit_events.subject_id`` become
``BIGINT`` on PostgreSQL, and so do the sequences that hand the ids out (PostgreSQL makes a
``serial`` column's sequence ``AS integer``, which would stop at 2,147,483,647). On SQLite nothing
changes: an ``INTEGER PRIMARY KEY`` is 64-bit already, and ``AUTOINCREMENT`` (0010) takes no other
type. Forged button data with an id past 32 bits now finds no row, instead of overflowing the
column.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: Per table: its primary key first, then the columns that hold another row's id.
IDS = {
    "people": ("id",),
    "workers": ("id",),
    "drafts": ("id", "person_id"),
    "professionals": ("id", "person_id"),
    "circles": ("id", "professional_id"),
    "audit_events": ("id", "actor_person_id", "circle_id", "subject_id"),
    "deliveries": ("id", "circle_id", "person_id"),
    "members": ("id", "circle_id", "person_id"),
    "warning_signs": ("id", "circle_id"),
    "agreements": ("id", "circle_id", "doer_member_id", "backup_member_id", "proposed_by_person_id"),
    "checkin_answers": ("id", "circle_id", "member_id"),
    "contact_requests": ("id", "circle_id", "asked_by_member_id", "professional_id"),
    "help_asks": ("id", "circle_id", "asked_by_member_id", "helper_member_id"),
    "invitations": ("id", "circle_id", "member_id", "professional_id", "created_by_person_id", "used_by_person_id"),
    "plan_steps": ("id", "circle_id", "member_id"),
    "agreement_occurrences": ("id", "agreement_id", "answered_by_member_id"),
    "schedules": ("id", "circle_id", "agreement_id", "member_id"),
    "checkin_rounds": ("id", "circle_id", "schedule_id"),
    "network_checkins": ("id", "circle_id", "member_id", "schedule_id"),
}


def _change(to: sa.types.TypeEngine, sequence_as: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return  # SQLite: INTEGER is 64-bit already
    for table, columns in IDS.items():
        for column in columns:
            op.alter_column(table, column, type_=to)
        sequence = connection.scalar(sa.text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table})
        if sequence is not None:
            op.execute(f"ALTER SEQUENCE {sequence} AS {sequence_as}")


def upgrade() -> None:
    _change(sa.BigInteger(), "bigint")


def downgrade() -> None:
    _change(sa.Integer(), "integer")
