"""outbox email withheld, a rejection undone before its email went

Revision ID: f24e5221c71f
Revises: 58c3f42230fb
Create Date: 2026-12-04 22:01:53.182246
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "f24e5221c71f"
down_revision = "58c3f42230fb"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withheld", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("withheld")
