"""attempt vendor read at: a vendor's view read before the one applied is not written back

A person's Refresh of one attempt asks the vendor and waits for its answer; a webhook's fetch,
asked later, may answer first and apply a re-score (70% to 75%), and the Refresh's older 70%
was then written over it, or told as "changed after the review (75% to 70%)". The moment the
applied view was asked for is kept on the attempt, and a view asked for before it does not
write its details.

Revision ID: a7d3f9c2e1b8
Revises: e5b1d7c3a9f6
Create Date: 2026-12-06 23:30:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "a7d3f9c2e1b8"
down_revision = "e5b1d7c3a9f6"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor_read_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("vendor_read_at")
