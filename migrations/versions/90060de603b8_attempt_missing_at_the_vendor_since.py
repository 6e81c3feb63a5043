"""attempt missing at the vendor since

Revision ID: 90060de603b8
Revises: 52cbdbfe6dba
Create Date: 2026-12-02 08:05:56.811691
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '90060de603b8'
down_revision = '52cbdbfe6dba'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.add_column(sa.Column('missing_since', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessmentattempt', schema=None) as batch_op:
        batch_op.drop_column('missing_since')
