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


def test_attempts_sent_before_addresses_could_be_corrected_remember_their_candidate_s(empty_db):
    """The vendor was given the candidate's address of the time: ``invited_email`` starts there,
    for an attempt sent (or tried), and stays empty for one never sent."""
    migrate(empty_db, "c3a9e1f0b2d4")
    engine = sa.create_engine(empty_db)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO candidate (id, name, email) VALUES (1, 'Ada', 'ada@example.com')",
            f"INSERT INTO job (id, title, revision, created_at) VALUES (1, 'Backend', 0, {now})",
            "INSERT INTO stage (id, job_id, position, name, kind, send_automatically)"
            " VALUES (1, 1, 0, 'Applied', 'plain', false)",
            "INSERT INTO integration (id, vendor, name, region, custom_base_url, api_key_encrypted,"
            f" api_key_last4, webhook_token_encrypted, created_at) VALUES (1, 'hackerrank', 'HackerRank',"
            f" 'sandbox', '', 'x', '1234', 'x', {now})",
            "INSERT INTO application (id, candidate_id, job_id, stage_id, stage_entered_at, updated_at)"
            f" VALUES (1, 1, 1, 1, {now}, {now})",
        ):
            conn.execute(sa.text(statement))
        for attempt_id, state, tries, vendor_id in (
            (1, "completed", 1, "v1"),
            (2, "ready_to_send", 0, None),
            (3, "error", 2, None),
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO assessmentattempt (id, application_id, integration_id, vendor_test_id,"
                    " vendor_test_name, attempt_number, reference, state, send_tries, vendor_attempt_id,"
                    " created_at, updated_at, subscores, warnings, error_retryable, live_interview)"
                    f" VALUES (:id, 1, 1, 't', 'Test', 1, :ref, :state, :tries, :vendor_id, {now}, {now},"
                    " '[]', '[]', false, false)"
                ),
                {
                    "id": attempt_id,
                    "ref": f"r{attempt_id}",
                    "state": state,
                    "tries": tries,
                    "vendor_id": vendor_id,
                },
            )

    migrate(empty_db)

    with engine.connect() as conn:
        invited = (
            conn.execute(sa.text("SELECT invited_email FROM assessmentattempt ORDER BY id")).scalars().all()
        )
    engine.dispose()
    assert invited == ["ada@example.com", None, "ada@example.com"]


def test_candidates_saved_before_are_searched_by_their_name_folded(empty_db):
    migrate(empty_db, "e5b7a2d91c3f")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO candidate (name, email) VALUES ('ÉLODIE Núñez', 'e@example.com')"))

    migrate(empty_db)

    with engine.connect() as conn:
        folded = conn.execute(sa.text("SELECT search_name FROM candidate")).scalar_one()
    engine.dispose()
    assert folded == "elodie nunez"


def test_jobs_saved_before_are_searched_by_their_title_folded(empty_db):
    migrate(empty_db, "a4e8c2f6b1d9")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO job (title, revision, created_at) VALUES ('Développeur Back-end', 0, CURRENT_TIMESTAMP)"
            )
        )

    migrate(empty_db)

    with engine.connect() as conn:
        folded = conn.execute(sa.text("SELECT search_title FROM job")).scalar_one()
    engine.dispose()
    assert folded == "developpeur back-end"
