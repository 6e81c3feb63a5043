"""job search title: titles searched and compared with case and accents aside

"developpeur" did not find Développeur on the jobs page, and a new "Developpeur" was not
asked about beside a "Développeur" (lower() keeps accents). Each job keeps its title folded (``models.folded``); this fills it for those saved before, with the fold
written out as it was when this ran.

Revision ID: b2d6f9a3c5e7
Revises: a4e8c2f6b1d9
Create Date: 2026-12-05 08:10:00.000000
"""

import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "b2d6f9a3c5e7"
down_revision = "a4e8c2f6b1d9"
branch_labels = None
depends_on = None


_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "\u0131": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})


def _folded(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(bare.casefold().translate(_PLAIN).split())


def upgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_title", sqlmodel.sql.sqltypes.AutoString(), server_default="", nullable=False)
        )
    job = sa.table("job", sa.column("id", sa.Integer), sa.column("title", sa.String), sa.column("search_title", sa.String))
    connection = op.get_bind()
    rows = [
        {"row_id": row_id, "folded": _folded(title)}
        for row_id, title in connection.execute(sa.select(job.c.id, job.c.title))
    ]
    if rows:
        connection.execute(
            job.update().where(job.c.id == sa.bindparam("row_id")).values(search_title=sa.bindparam("folded")),
            rows,
        )


def downgrade() -> None:
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_column("search_title")
