"""outbox email refused since: an email turned down for now is given up after days

Revision ID: a4e8c2f6b1d9
Revises: f7c1d4a8e2b6
Create Date: 2026-12-05 07:55:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "a4e8c2f6b1d9"
down_revision = "f7c1d4a8e2b6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("refused_since")
