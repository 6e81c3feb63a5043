"""sign-in attempt source: failed sign-ins are counted per place as well as per email

Five failures for an email in 15 minutes locked that email everywhere: anyone who knew a
colleague's address (the last admin's too) could keep them out with five wrong guesses every
quarter hour. The place a guess came from is kept (an IPv4 address, an IPv6 /64); five from one
place lock that place, and a ceiling across every place stops guessing spread over many, except
from the places the person signed in from before (a row ``signed_in``, one per place).

Revision ID: e5b1d7c3a9f6
Revises: c7a3e9f1b2d4
Create Date: 2026-12-06 23:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "e5b1d7c3a9f6"
down_revision = "c7a3e9f1b2d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=""
            )
        )
        batch_op.add_column(sa.Column("signed_in", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.drop_column("signed_in")
        batch_op.drop_column("source")
