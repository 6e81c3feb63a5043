"""attempt carried over from an earlier stage

Revision ID: 6226211f7b70
Revises: c19a3de8e53e
Create Date: 2026-12-04 03:13:55.708373
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '6226211f7b70'
down_revision = 'c19a3de8e53e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing attempts were sent for their own stage (or as a one-off): none was carried over.
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('carried_from', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_column('carried_from')
