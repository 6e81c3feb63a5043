"""candidate email unique: one person is one candidate, even when two workers add them at once

Adding a candidate looks their email up first, but two workers adding the same new person at the
same moment both found none and each made one: two cards for one person, their tests and history
split. An address stored before it was tidied (capitals, spaces) was another such pair. Those
saved twice are made one here, the first added keeping their name, every application moved to
them and its history saying so; then the email is unique, so the database refuses the second.
Two cards of theirs in one job (both added to it at once) are kept, each with its tests and
history, and the moved one's history says so: which to keep is a recruiter's call. The address
each invitation went to is tidied alike, or it would read as an address corrected since.

Revision ID: c8e1a5d3f7b2
Revises: b2d6f9a3c5e7
Create Date: 2026-12-05 09:50:00.000000
"""

import collections
import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "c8e1a5d3f7b2"
down_revision = "b2d6f9a3c5e7"
branch_labels = None
depends_on = None

candidate = sa.table("candidate", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("email", sa.String))
application = sa.table(
    "application", sa.column("id", sa.Integer), sa.column("candidate_id", sa.Integer), sa.column("job_id", sa.Integer)
)
attempt = sa.table("assessmentattempt", sa.column("id", sa.Integer), sa.column("invited_email", sa.String))
event = sa.table(
    "applicationevent",
    sa.column("application_id", sa.Integer),
    sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("summary", sa.String),
    sa.column("actor_kind", sa.String),
    sa.column("actor_label", sa.String),
)


def _one_candidate_per_email(connection) -> None:
    by_email = collections.defaultdict(list)
    for row in connection.execute(sa.select(candidate).order_by(candidate.c.id)):
        by_email[row.email.strip().lower()].append(row)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for email, (first, *again) in by_email.items():
        if first.email != email:
            connection.execute(candidate.update().where(candidate.c.id == first.id).values(email=email))
        jobs = set(connection.execute(sa.select(application.c.job_id).where(application.c.candidate_id == first.id)).scalars())
        for other in again:
            moved = connection.execute(
                sa.select(application.c.id, application.c.job_id).where(application.c.candidate_id == other.id)
            )
            for application_id, job_id in moved.all():
                connection.execute(
                    application.update().where(application.c.id == application_id).values(candidate_id=first.id)
                )
                summary = f"One candidate with {first.name}: {other.name} had the same email ({email})."
                if job_id in jobs:
                    summary += f" {first.name} has another card in this job: keep one, reject the other."
                jobs.add(job_id)
                connection.execute(
                    event.insert().values(
                        application_id=application_id,
                        at=now,
                        summary=summary[:300],
                        actor_kind="system",
                        actor_label="Assay",
                    )
                )
            connection.execute(candidate.delete().where(candidate.c.id == other.id))


def _invitations_tidied(connection) -> None:
    rows = connection.execute(sa.select(attempt.c.id, attempt.c.invited_email).where(attempt.c.invited_email.is_not(None)))
    for attempt_id, invited in rows.all():
        if invited != invited.strip().lower():
            connection.execute(
                attempt.update().where(attempt.c.id == attempt_id).values(invited_email=invited.strip().lower())
            )


def upgrade() -> None:
    _one_candidate_per_email(op.get_bind())
    _invitations_tidied(op.get_bind())
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_email")
        batch_op.create_index("ix_candidate_email", ["email"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_email")
        batch_op.create_index("ix_candidate_email", ["email"], unique=False)
