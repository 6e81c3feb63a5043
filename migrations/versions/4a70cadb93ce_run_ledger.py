"""run ledger

Revision ID: 4a70cadb93ce
Revises: c6dec009c4b5
Create Date: 2026-11-24 22:17:21.630839
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '4a70cadb93ce'
down_revision = 'c6dec009c4b5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduledrun',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('finished_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('runner', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_name', 'slot')
    )


def downgrade() -> None:
    op.drop_table('scheduledrun')
