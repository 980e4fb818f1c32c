"""ids never reused; a network member's own stop; consent events for what was agreed before

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 15:05:00

- SQLite hands out a deleted row's id again unless the table is AUTOINCREMENT. Now that people
  and circles can be erased, a new row could take an old id — and an outbox key made from it
  ("contact.request:7") would look like a message already sent. Every table is rebuilt with
  AUTOINCREMENT (PostgreSQL's sequences never reuse an id).
- ``members.checkin_stopped_at``: a network member stopped their check-ins themselves.
- Consent given before consent events existed (joining, leaving, the pulse) is copied into
  ``consent.*`` events, which the retention purge keeps.
"""
import json
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ("people", "professionals", "circles", "members", "invitations", "agreements", "schedules", "deliveries",
          "checkin_answers", "contact_requests", "help_asks", "audit_events", "drafts", "warning_signs", "plan_steps",
          "agreement_occurrences", "checkin_rounds", "network_checkins")


def _consent(action: str, detail: object) -> str | None:
    if action in ("member.accepted", "member.joined"):
        return "consent.joined.given"
    if action == "member.left":
        return "consent.joined.withdrawn"
    if action == "pulse.chosen":
        weeks = (json.loads(detail) if isinstance(detail, str) else detail or {}).get("weeks", 0)
        return "consent.pulse.given" if weeks else "consent.pulse.withdrawn"
    return None


def upgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkin_stopped_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always", table_kwargs={"sqlite_autoincrement": True}):
                pass
    connection = op.get_bind()
    earlier = connection.execute(sa.text(
        "SELECT at, actor_person_id, circle_id, action, subject_type, subject_id, detail FROM audit_events "
        "WHERE action IN ('member.accepted', 'member.joined', 'member.left', 'pulse.chosen')")).all()
    for at, actor, circle_id, action, subject_type, subject_id, detail in earlier:
        connection.execute(sa.text(
            "INSERT INTO audit_events (at, actor_person_id, circle_id, action, subject_type, subject_id) "
            "VALUES (:at, :actor, :circle_id, :action, :subject_type, :subject_id)"),
            {"at": at, "actor": actor, "circle_id": circle_id, "action": _consent(action, detail),
             "subject_type": subject_type, "subject_id": subject_id})


def downgrade() -> None:
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('checkin_stopped_at')
