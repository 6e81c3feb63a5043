"""user email nfc: each address in one form of its accented letters, as sign-in and invites read it

An "é" can be one character or an "e" and an accent; since 2026-12-06 an address is kept and
looked up in the first form (NFC, ``accounts._normal_email``). One saved before in the second
could no longer sign in, and could be invited again as a second account. Rewritten here; where
the same address is already kept in the other form too, both stay as they are and the log names
the address, for an admin to deactivate one.

Revision ID: c5e1f9a3d7b4
Revises: b7d3e9f1a2c4
Create Date: 2026-12-06 02:00:00.000000
"""

import logging
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "c5e1f9a3d7b4"
down_revision = "b7d3e9f1a2c4"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    conn = op.get_bind()
    users = sa.table("user", sa.column("id", sa.Integer), sa.column("email", sa.String))
    rows = conn.execute(sa.select(users.c.id, users.c.email)).all()
    kept = {email for _id, email in rows}
    for user_id, email in rows:
        one_form = unicodedata.normalize("NFC", email).lower()
        if one_form == email:
            continue
        if one_form in kept:
            log.warning("The address %s has two accounts, in two forms of its letters: deactivate one.", one_form)
            continue
        conn.execute(sa.update(users).where(users.c.id == user_id).values(email=one_form))
        kept.add(one_form)


def downgrade() -> None:
    """Nothing to undo: the old code reads an address in either form."""
