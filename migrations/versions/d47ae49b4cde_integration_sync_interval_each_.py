"""integration sync interval: each connection may be swept at its own interval

Revision ID: d47ae49b4cde
Revises: 72bc38fdb141
Create Date: 2026-12-03 01:57:09.649323
"""

import sqlalchemy as sa
from alembic import op


revision = 'd47ae49b4cde'
down_revision = '72bc38fdb141'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sync_every_seconds', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('integration', schema=None) as batch_op:
        batch_op.drop_column('sync_every_seconds')
