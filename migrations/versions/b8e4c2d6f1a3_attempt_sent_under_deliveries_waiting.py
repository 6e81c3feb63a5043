"""attempt sent under: the connection's key, region and settings an invitation was made with;
the webhook deliveries waiting indexed

A sweep cancels an open attempt its vendor no longer has only once a listed attempt of ours shows
the connection reaches the account it was sent to. That proof was "sent before or after the last
change of key, region or settings": after two changes (a wrong account's key pasted, then put
right; a move to a new account, then its key rotated), an attempt listed from one account proved
the attempts sent to another, alive there, deleted. Each attempt now keeps which of the
connection's credentials it was sent under (the moment they were set), and only a listed attempt
sent under the same proves it.

Every drain and inbox retry reads a connection's deliveries waiting to be applied; without an index
on them each read the connection's whole delivery history, which is kept.

Revision ID: b8e4c2d6f1a3
Revises: a7d3f9c2e1b8
Create Date: 2026-12-07 02:10:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "b8e4c2d6f1a3"
down_revision = "a7d3f9c2e1b8"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_under", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # Those sent since the connection's credentials were last set were sent under them; those sent
    # before stay unknown, one group (helper-131: left all unknown, one rotation after this release
    # put the attempts of two accounts before it in one group, and one proved the other deleted).
    in_force = (
        "(SELECT COALESCE(integration.credentials_changed_at, integration.created_at) FROM integration"
        " WHERE integration.id = assessmentattempt.integration_id)"
    )
    op.execute(
        f"UPDATE assessmentattempt SET sent_under = {in_force}"
        f" WHERE vendor_attempt_id IS NOT NULL AND sent_at IS NOT NULL AND sent_at >= {in_force}"
    )
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhookdelivery_waiting",
            ["integration_id", "id"],
            unique=False,
            sqlite_where=sa.text("applied_at IS NULL"),
            postgresql_where=sa.text("applied_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("webhookdelivery", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_webhookdelivery_waiting",
            sqlite_where=sa.text("applied_at IS NULL"),
            postgresql_where=sa.text("applied_at IS NULL"),
        )
    with op.batch_alter_table("assessmentattempt", schema=None) as batch_op:
        batch_op.drop_column("sent_under")
