"""attempt after completion due at: a result's threshold rule is run again if it failed

The move to "completed" was committed, then the stage's threshold rule and the feedback email
ran; if they failed (the database locked, the worker killed), the delivery's retry found the
attempt completed already and ran neither, nor did a sweep, and a candidate who passed the bar
was never advanced (helper-157). The completion now writes when that work became due, cleared
once it is done; a retry, or the scheduled pick-up, runs it while it is set.

Revision ID: e2c7a9d4b6f1
Revises: d2e7b4a9c1f5
Create Date: 2026-12-08 03:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "e2c7a9d4b6f1"
down_revision = "d2e7b4a9c1f5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("after_completion_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_assessmentattempt_after_completion_due_at"),
            ["after_completion_due_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessmentattempt_after_completion_due_at"))
        batch_op.drop_column("after_completion_due_at")
