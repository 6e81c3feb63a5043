"""integration account fingerprint: one live connection per vendor account, kept by the database

Connecting checks that no live connection holds the same key in the same region, and asks again
once the vendor has answered; two admins connecting one account at the same moment both passed
(on PostgreSQL neither saw the other's connection before it was committed), and CoderPad, which
keeps one webhook per account, sent the first connection's results to the second. A keyed digest
of the account (``secrets.fingerprint``) is unique among live connections now.

The connections already made get theirs at start (``integrations.fingerprint_connections``), not
here: the digest is keyed by the master key, which lives outside the database (the environment or
the data folder) and which a migration run from elsewhere need not have; the same step makes them
again after the master key is rotated.

Revision ID: b7d3e9f1a2c4
Revises: 3050e3da77a3
Create Date: 2026-12-06 10:00:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "b7d3e9f1a2c4"
down_revision = "3050e3da77a3"
branch_labels = None
depends_on = None

LIVE_ACCOUNT = "disconnected_at IS NULL AND account_fingerprint IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("account_fingerprint", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(
            "uq_integration_account",
            ["account_fingerprint"],
            unique=True,
            sqlite_where=sa.text(LIVE_ACCOUNT),
            postgresql_where=sa.text(LIVE_ACCOUNT),
        )


def downgrade() -> None:
    with op.batch_alter_table("integration", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_integration_account", sqlite_where=sa.text(LIVE_ACCOUNT), postgresql_where=sa.text(LIVE_ACCOUNT)
        )
        batch_op.drop_column("account_fingerprint")
