"""workspace revision: one row that changes outside any job (matching, outbox, notifications) move

Revision ID: 72bc38fdb141
Revises: 2c04d878eeaf
Create Date: 2026-12-02 18:47:14.597204
"""

import sqlalchemy as sa
from alembic import op


revision = '72bc38fdb141'
down_revision = '2c04d878eeaf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'workspacerevision',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(table, [{'id': 1, 'revision': 0}])


def downgrade() -> None:
    op.drop_table('workspacerevision')
