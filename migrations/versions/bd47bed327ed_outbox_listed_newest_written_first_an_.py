"""outbox listed newest written first: an index on when each email was written

Revision ID: bd47bed327ed
Revises: ab70ee2a96e7
Create Date: 2026-12-07 16:17:51.803269
"""

from alembic import op


revision = 'bd47bed327ed'
down_revision = 'ab70ee2a96e7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outboxmessage_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outboxmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxmessage_created_at'))
