"""session handoff for the HttpOnly cookie: a one-time code the page trades for the cookie;
every session so far ends (its cookie was readable by the page's scripts)

Revision ID: ab70ee2a96e7
Revises: b8e4c2d6f1a3
Create Date: 2026-12-07 11:41:54.772211
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = 'ab70ee2a96e7'
down_revision = 'b8e4c2d6f1a3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoff_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('handoff_token_encrypted', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('handoff_expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_usersession_handoff_hash'), ['handoff_hash'], unique=True)
    # Every session so far has its token in a cookie the page's scripts could read: each person
    # signs in once more, and gets the HttpOnly one.
    op.execute("DELETE FROM usersession")


def downgrade() -> None:
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_usersession_handoff_hash'))
        batch_op.drop_column('handoff_expires_at')
        batch_op.drop_column('handoff_token_encrypted')
        batch_op.drop_column('handoff_hash')
