"""interview cancelled at: rejecting a candidate calls off their upcoming interviews

Revision ID: a9ceb6168abd
Revises: 351d840a4f14
Create Date: 2026-12-04 19:20:49.812287
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = 'a9ceb6168abd'
down_revision = '351d840a4f14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancelled_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
