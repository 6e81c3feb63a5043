"""attempt looked up at: a sweep's lookups past its cap take turns

A vendor whose listing names no open attempt (iMocha) has each looked up by its id, at most
200 a sweep, those that heard nothing for longest first. A lookup that finds nothing new
changes nothing, so the same 200 were asked about every sweep and the rest never. When a
sweep last asked about an attempt is kept on it, and the next sweep asks those asked longest
ago first.

Revision ID: c7a3e9f1b2d4
Revises: b4e8c2d1a9f3
Create Date: 2026-12-06 19:50:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "c7a3e9f1b2d4"
down_revision = "b4e8c2d1a9f3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("looked_up_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("looked_up_at")
