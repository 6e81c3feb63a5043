"""attempt resent at: a Resend takes the invitation before the vendor is asked

Two Resends at the same moment (a double click, two colleagues) both read that none had gone
in the last minute, then both asked the vendor, and the candidate got the email twice. Each
Resend now writes when it took the invitation, only if no other did in the last minute.

Revision ID: d9e3b7a1f5c2
Revises: cdd55c0b0a51
Create Date: 2026-12-06 11:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "d9e3b7a1f5c2"
down_revision = "cdd55c0b0a51"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resent_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("resent_at")
