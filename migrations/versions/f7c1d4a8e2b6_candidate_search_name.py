"""candidate search name: names searched with case and accents aside

"jose" did not find José on the board or in the queue: lower() keeps accents. Each candidate
keeps its name folded for searching
(``models.folded``); this fills it for those saved before. The fold is written out here, as it
was when this ran, so a later change to the model's does not change what this migration did.

Revision ID: f7c1d4a8e2b6
Revises: e5b7a2d91c3f
Create Date: 2026-12-05 07:40:00.000000
"""

import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "f7c1d4a8e2b6"
down_revision = "e5b7a2d91c3f"
branch_labels = None
depends_on = None


_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})


def _folded(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_PLAIN).split())


def upgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False)
        )
    candidate = sa.table(
        "candidate", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("search_name", sa.String)
    )
    connection = op.get_bind()
    rows = [
        {"row_id": row_id, "folded": _folded(name)}
        for row_id, name in connection.execute(sa.select(candidate.c.id, candidate.c.name))
    ]
    if rows:  # one statement, many rows: a workspace of 10,000 candidates is one round trip's work
        connection.execute(
            candidate.update()
            .where(candidate.c.id == sa.bindparam("row_id"))
            .values(search_name=sa.bindparam("folded")),
            rows,
        )


def downgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_column("search_name")
