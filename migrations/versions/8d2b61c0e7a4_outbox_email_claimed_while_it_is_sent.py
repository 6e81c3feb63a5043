"""outbox email claimed while the mail server takes it

Revision ID: 8d2b61c0e7a4
Revises: f24e5221c71f
Create Date: 2026-12-05 01:10:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "8d2b61c0e7a4"
down_revision = "f24e5221c71f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sending_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("sending_since")
