"""attempt per test index: the newest attempt at its test found by index, not among every attempt of its connection

Every queue bucket keeps an attempt only if no later one was made for the same test of the same
application. SQLite answered that from its index on ``integration_id``, reading every later
attempt of the connection: counting the queue of 10,000 applications on one CoderPad account
took 2 s, growing with the square of the attempts (``bench/queue_page.py``).

Revision ID: 3050e3da77a3
Revises: fa9b602fd55f
Create Date: 2026-12-05 22:18:29.998083
"""

from alembic import op

revision = "3050e3da77a3"
down_revision = "fa9b602fd55f"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_attempt_per_test",
        "assessmentattempt",
        ["application_id", "integration_id", "vendor_test_id", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_attempt_per_test", table_name="assessmentattempt")
