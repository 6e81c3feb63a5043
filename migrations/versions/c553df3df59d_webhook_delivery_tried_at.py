"""webhook delivery tried at: the inbox's retry takes those tried longest ago last

Two deliveries kept in a row end a run (the vendor down, it seems), and the rest wait unasked.
The retry took them oldest first, so two about attempts whose fetch always failed (a report
broken for weeks) came first every time, and no delivery behind them was ever fetched
(helper-157). When a delivery was last tried and kept is kept on it, and the retry takes those
never tried first, then those tried longest ago.

Revision ID: c553df3df59d
Revises: a4c8e2f1d9b7
Create Date: 2026-12-08 02:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "c553df3df59d"
down_revision = "a4c8e2f1d9b7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tried_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.drop_column("tried_at")
