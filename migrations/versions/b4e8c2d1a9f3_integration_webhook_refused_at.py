"""integration webhook refused at: a refused webhook delivery marks its connection

Deliveries refused (a bad token or signature, a body Assay cannot read) left no mark on the
connection, which read "connected" while the vendor's news was lost. The last refusal's time is
kept on the connection, read with it: its card says so until a delivery is accepted after it, and
accepting one need not ask the error log each time.

Revision ID: b4e8c2d1a9f3
Revises: d9e3b7a1f5c2
Create Date: 2026-12-06 14:40:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "b4e8c2d1a9f3"
down_revision = "d9e3b7a1f5c2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("webhook_refused_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.drop_column("webhook_refused_at")
