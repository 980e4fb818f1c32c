"""helplines once a day in the group

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 10:00:00

The circle remembers the local date on which its group last saw the full helplines block, so the
group sees it at most once a day; other messages carry the "☎️ Hulplijnen" button instead.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helplines_shown_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_column('helplines_shown_on')
