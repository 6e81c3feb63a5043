"""Migrations that change data, run from the revision before them on each database."""

import os

import pytest
import sqlalchemy as sa

from models import migrate
from tests.conftest import DATABASES, fresh_postgres


@pytest.fixture(params=DATABASES)
def empty_db(request, tmp_path) -> str:
    """An empty database, no schema yet: each test brings it to the revision it starts from."""
    if request.param == "postgresql":
        return fresh_postgres(os.environ["ASSAY_TEST_POSTGRES_URL"])
    return f"sqlite:///{tmp_path / 'assay.db'}"


def test_job_titles_saved_with_stray_spaces_are_tidied(empty_db):
    migrate(empty_db, "a9ceb6168abd")
    engine = sa.create_engine(empty_db)
    untidy = ["Backend  Engineer ", " Data\tEngineer", "Site Reliability Engineer"]
    with engine.begin() as conn:
        for title in untidy:
            conn.execute(
                sa.text("INSERT INTO job (title, revision, created_at) VALUES (:t, 0, CURRENT_TIMESTAMP)"),
                {"t": title},
            )

    migrate(empty_db)

    with engine.connect() as conn:
        titles = conn.execute(sa.text("SELECT title FROM job ORDER BY id")).scalars().all()
    engine.dispose()
    assert titles == ["Backend Engineer", "Data Engineer", "Site Reliability Engineer"]


def test_names_saved_with_stray_spaces_are_tidied(empty_db):
    """Found in a review: a name saved as pasted ("Ada   Lovelace") was missed by a search for
    it as every page shows it, once searches tidied what is typed."""
    migrate(empty_db, "bb11766b909c")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO candidate (name, email) VALUES ('Ada \t  Lovelace ', 'ada@example.com')")
        )
        conn.execute(
            sa.text(
                'INSERT INTO "user" (email, name, role, password_hash, active, created_at)'
                " VALUES ('rita@example.com', ' Rita  Recruiter', 'recruiter', 'x', true, CURRENT_TIMESTAMP)"
            )
        )

    migrate(empty_db)

    with engine.connect() as conn:
        names = [
            conn.execute(sa.text("SELECT name FROM candidate")).scalar_one(),
            conn.execute(sa.text('SELECT name FROM "user"')).scalar_one(),
        ]
    engine.dispose()
    assert names == ["Ada Lovelace", "Rita Recruiter"]
