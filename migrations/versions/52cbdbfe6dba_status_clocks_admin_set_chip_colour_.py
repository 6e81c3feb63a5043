"""status clocks: admin-set chip colour thresholds

Revision ID: 52cbdbfe6dba
Revises: 6012a9a2be16
Create Date: 2026-11-25
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '52cbdbfe6dba'
down_revision = '6012a9a2be16'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statusclock',
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('amber_after_hours', sa.Float(), nullable=False),
    sa.Column('red_after_hours', sa.Float(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('state')
    )


def downgrade() -> None:
    op.drop_table('statusclock')
