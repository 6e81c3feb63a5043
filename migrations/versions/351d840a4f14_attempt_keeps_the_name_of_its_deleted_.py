"""attempt keeps the name of its deleted stage

Revision ID: 351d840a4f14
Revises: 6226211f7b70
Create Date: 2026-12-04 12:48:01.353164
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '351d840a4f14'
down_revision = '6226211f7b70'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An attempt of a stage deleted before this kept no name of it: it still reads "One-off".
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_stage', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_column('deleted_stage')
