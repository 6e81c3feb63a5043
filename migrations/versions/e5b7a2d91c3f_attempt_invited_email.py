"""attempt's invited email: the address its invitation went to

A candidate's email can now be corrected (a typo found after the test went). The vendor keeps
the address it was given, so each attempt remembers it: updates naming it are still this
candidate's, and a retried send looks the invitation up under it. Attempts made before are
given their candidate's address, the one they were sent to.

Revision ID: e5b7a2d91c3f
Revises: c3a9e1f0b2d4
Create Date: 2026-12-05 07:10:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "e5b7a2d91c3f"
down_revision = "c3a9e1f0b2d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invited_email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
    op.execute(
        "UPDATE assessmentattempt SET invited_email = ("
        " SELECT candidate.email FROM candidate JOIN application ON application.candidate_id = candidate.id"
        " WHERE application.id = assessmentattempt.application_id)"
        " WHERE send_tries > 0 OR vendor_attempt_id IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("invited_email")
