"""notification created_at indexed: the list reads newest first by it

Revision ID: bb11766b909c
Revises: 8d2b61c0e7a4
Create Date: 2026-12-05 04:47:25.429555
"""

from alembic import op

revision = "bb11766b909c"
down_revision = "8d2b61c0e7a4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_created_at"))
