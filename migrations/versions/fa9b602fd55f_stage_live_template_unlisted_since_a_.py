"""stage live template unlisted since: a plan's live-interview template the vendor no longer lists

A template deleted at the vendor while its connection stays connected made every interview booked
in the stage fail to get its room, one by one, while the plan showed the link as fine. A refused
booking asks the vendor's listing (at most every ten minutes per stage, counted from the asking),
and a listing that leaves the template out marks the stage's link, as for a plan's tests.

Revision ID: fa9b602fd55f
Revises: d4f8b2a6c1e9
Create Date: 2026-12-05 21:22:41.392572
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "fa9b602fd55f"
down_revision = "d4f8b2a6c1e9"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("live_template_unlisted_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("live_template_listing_asked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("stage", schema=None) as batch_op:
        batch_op.drop_column("live_template_listing_asked_at")
        batch_op.drop_column("live_template_unlisted_since")
