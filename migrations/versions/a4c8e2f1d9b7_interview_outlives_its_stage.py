"""interview outlives its stage: a stage where an interview was booked can be deleted

``interview.stage_id`` was required: deleting a stage where an interview had ever been booked
failed on its foreign key, and the plan page closed its dialog saying nothing (helper-159). The
interview stays, with its room and history, no longer tied to the stage, as an attempt does.

Revision ID: a4c8e2f1d9b7
Revises: bd47bed327ed
Create Date: 2026-12-08 01:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "a4c8e2f1d9b7"
down_revision = "bd47bed327ed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.alter_column("stage_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    # An interview of a deleted stage has none to go back to: it goes, as its stage did.
    op.execute("DELETE FROM interview WHERE stage_id IS NULL")
    with op.batch_alter_table("interview", schema=None) as batch_op:
        batch_op.alter_column("stage_id", existing_type=sa.Integer(), nullable=False)
