"""stage test unlisted since: a plan's test the vendor no longer lists

A test archived or deleted at the vendor while its connection stayed connected left the plan
looking fine, and every send of it was refused there. A listing of the connection's tests that
leaves it out (asked when a send is refused, or by the test picker) marks it on the plan.

Revision ID: c8e3a7d1f5b2
Revises: c8e1a5d3f7b2
Create Date: 2026-12-05 12:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "c8e3a7d1f5b2"
down_revision = "c8e1a5d3f7b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stageassessment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unlisted_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stageassessment", schema=None) as batch_op:
        batch_op.drop_column("unlisted_since")
