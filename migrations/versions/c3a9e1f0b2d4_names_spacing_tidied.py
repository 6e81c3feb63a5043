"""names spacing tidied: candidates' and users' names saved before names were tidied

A name saved before 62e6a80 kept its spacing as pasted ("Ada   Lovelace"). Pages show it as
"Ada Lovelace", and the board's and queue's searches now tidy what is typed, so a search for
the name as shown missed it. Tidying the stored names once closes it, as 58c3f42230fb did for
job titles. Data only; downgrading keeps the tidied names.

Revision ID: c3a9e1f0b2d4
Revises: bb11766b909c
Create Date: 2026-12-05 05:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "c3a9e1f0b2d4"
down_revision = "bb11766b909c"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    for name in ("candidate", "user"):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("name", sa.String))
        for row_id, value in connection.execute(sa.select(table.c.id, table.c.name)).all():
            tidied = " ".join(value.split())
            if tidied != value:
                connection.execute(table.update().where(table.c.id == row_id).values(name=tidied))


def downgrade() -> None:
    pass
