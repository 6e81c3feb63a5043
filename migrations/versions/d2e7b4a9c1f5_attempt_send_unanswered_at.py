"""attempt send unanswered at: when a try's answer never came

A send that timed out may have made the invitation; CoderPad Interview's pad index lags its pads
by up to a minute, so a retry within it found no pad and made a second (helper-153). The time the
answer was given up on is kept, and a retry within the vendor's listing lag waits.

Revision ID: d2e7b4a9c1f5
Revises: c553df3df59d
Create Date: 2026-12-08 01:30:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "d2e7b4a9c1f5"
down_revision = "c553df3df59d"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_unanswered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("send_unanswered_at")
