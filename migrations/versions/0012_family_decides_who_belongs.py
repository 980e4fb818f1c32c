"""the family decides who belongs: pending joins, removal, redo marks

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:30:00

Member statuses are plain strings, so ``pending``, ``refused`` and ``removed`` need no change of
type. "member.joined" and "member.accepted" notices are gone (a coordinator now confirms each
newcomer where the question was asked); any still queued are not sent. New: the account name a coordinator sees while deciding (sealed), the family's private
"do not invite again" mark, and a plan step's "redo" mark.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('members') as batch_op:
        batch_op.add_column(sa.Column('account_name', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('do_not_invite', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('plan_steps') as batch_op:
        batch_op.add_column(sa.Column('redo', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "UPDATE deliveries SET status = 'skipped', last_error = 'kind retired' "
        "WHERE status = 'pending' AND kind IN ('member.joined', 'member.accepted')"
    )


def downgrade() -> None:
    with op.batch_alter_table('plan_steps') as batch_op:
        batch_op.drop_column('redo')
    with op.batch_alter_table('members') as batch_op:
        batch_op.drop_column('do_not_invite')
        batch_op.drop_column('account_name')
