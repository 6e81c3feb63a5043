"""stage test listing asked at: when a refused send of a plan's test last asked the vendor's listing

A refused send asks the vendor whether it still lists the test, at most every ten minutes per
test. Counted from the last refusal of any kind, a test sent to a stream of candidates was never
asked about again once a refusal came within every ten minutes; counted from the last asking, it is.

Revision ID: d4f8b2a6c1e9
Revises: c8e3a7d1f5b2
Create Date: 2026-12-05 10:45:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "d4f8b2a6c1e9"
down_revision = "c8e3a7d1f5b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stageassessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("listing_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stageassessment", schema=None) as batch_op:
        batch_op.drop_column("listing_asked_at")
