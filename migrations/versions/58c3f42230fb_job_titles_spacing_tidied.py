"""job titles spacing tidied: titles saved before new jobs had their spacing tidied

A job made before 7b36395 kept its title as typed ("Backend  Engineer "). The same-title
check and the jobs search compare tidied words, so such a title escaped both: a second
"Backend Engineer" was made without a question, and searching "backend engineer" missed it.
Jobs cannot be renamed, so tidying the stored titles once closes it. Data only; downgrading
keeps the tidied titles (the stray spaces were never meant).

Revision ID: 58c3f42230fb
Revises: a9ceb6168abd
Create Date: 2026-12-04 22:10:41.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '58c3f42230fb'
down_revision = 'a9ceb6168abd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    job = sa.table("job", sa.column("id", sa.Integer), sa.column("title", sa.String))
    for job_id, title in connection.execute(sa.select(job.c.id, job.c.title)).all():
        tidied = " ".join(title.split())
        if tidied != title:
            connection.execute(job.update().where(job.c.id == job_id).values(title=tidied))


def downgrade() -> None:
    pass
