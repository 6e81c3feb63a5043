"""reminders before the deadline

Revision ID: 13bca26dc215
Revises: 4a70cadb93ce
Create Date: 2026-11-24 23:16:54.993221
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '13bca26dc215'
down_revision = '4a70cadb93ce'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))

    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_hours', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('reminder_hours')

    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')

