"""sealed free text: names, texts, notes, drafts and payloads are stored encrypted

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 14:39:12

Columns that hold free text become TEXT (a sealed value is longer than its plain text), and what
is already stored is sealed with the configured key (``kring migrate`` loads it first).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from bot.db import crypto

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

#: (table, column, its type before) — the columns that are sealed from now on.
SHORT = [
    ("agreements", "for_whom", sa.String(200), True),
    ("circles", "name", sa.String(200), False),
    ("members", "display_name", sa.String(200), False),
    ("plan_steps", "contact_name", sa.String(200), True),
    ("plan_steps", "phone", sa.String(32), True),
    ("professionals", "name", sa.String(200), False),
]
JSON = [("deliveries", "payload"), ("drafts", "data")]
SEALED_TEXT = [(table, column) for table, column, _type, _null in SHORT] + [
    ("members", "helps_with"), ("agreements", "what"), ("agreements", "decline_reason"),
    ("checkin_answers", "note"), ("contact_requests", "message"), ("contact_requests", "answer_text"),
    ("warning_signs", "text"), ("plan_steps", "text"), ("network_checkins", "note"),
]


def upgrade() -> None:
    for table, column, before, nullable in SHORT:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=before, type_=sa.Text(), existing_nullable=nullable)
    for table, column in JSON:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=False,
                                  postgresql_using=f"{column}::text")
    connection = op.get_bind()
    for table, column in SEALED_TEXT + JSON:
        rows = connection.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for row_id, value in rows:
            if not value.startswith(crypto.PREFIX):
                connection.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                                   {"value": crypto.seal(value), "id": row_id})


def downgrade() -> None:
    connection = op.get_bind()
    for table, column in SEALED_TEXT + JSON:
        rows = connection.execute(sa.text(f"SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL")).all()
        for row_id, value in rows:
            connection.execute(sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                               {"value": crypto.unseal(value), "id": row_id})
    for table, column in JSON:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=False,
                                  postgresql_using=f"{column}::json")
    for table, column, before, nullable in SHORT:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column(column, existing_type=sa.Text(), type_=before, existing_nullable=nullable)
