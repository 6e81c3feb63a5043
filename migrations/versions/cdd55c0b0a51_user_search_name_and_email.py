"""user search name and email: the users page searched with case and accents aside

"Rene" did not find René Ørsted on the users page, nor "muller" Müller: lower() keeps accents.
Each person keeps their name and email folded for searching (``models.folded``; the email
itself stays as it is); this fills them for those saved before, with the fold written out as
it was when this ran.

Revision ID: cdd55c0b0a51
Revises: c5e1f9a3d7b4
Create Date: 2026-12-06 04:05:00.000000
"""

import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "cdd55c0b0a51"
down_revision = "c5e1f9a3d7b4"
branch_labels = None
depends_on = None


_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})


def _folded(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_PLAIN).split())


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("search_email", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False)
        )
    user = sa.table(
        "user",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("email", sa.String),
        sa.column("search_name", sa.String),
        sa.column("search_email", sa.String),
    )
    connection = op.get_bind()
    rows = [
        {"row_id": row_id, "folded_name": _folded(name), "folded_email": _folded(email)}
        for row_id, name, email in connection.execute(sa.select(user.c.id, user.c.name, user.c.email))
    ]
    if rows:  # one statement, many rows: a team of 10,000 is one round trip's work
        connection.execute(
            user.update()
            .where(user.c.id == sa.bindparam("row_id"))
            .values(search_name=sa.bindparam("folded_name"), search_email=sa.bindparam("folded_email")),
            rows,
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("search_email")
        batch_op.drop_column("search_name")
