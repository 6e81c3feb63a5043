"""integration credentials changed at

Revision ID: 2c04d878eeaf
Revises: 90060de603b8
Create Date: 2026-12-02 09:04:53.697087
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '2c04d878eeaf'
down_revision = '90060de603b8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('credentials_changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_column('credentials_changed_at')
