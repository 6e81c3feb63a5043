"""rule: review band lower bound

Revision ID: 6012a9a2be16
Revises: 13bca26dc215
Create Date: 2026-11-24 23:34:44.411671
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '6012a9a2be16'
down_revision = '13bca26dc215'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_from', sa.Float(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('stage', schema=None) as batch_op:
        batch_op.drop_column('review_from')

