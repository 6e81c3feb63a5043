"""Migrations that change data, run from the revision before them on each database."""

import datetime
import os

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models import ApplicationEvent, AssessmentAttempt, init_engine, migrate, new_session, utcnow
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


def _ada_applied(conn, *, connected: str = "CURRENT_TIMESTAMP", credentials_changed: str = "NULL") -> None:
    """Ada (candidate 1) applied (application 1) to the Backend job (1) at its Applied stage (1);
    a HackerRank connection (1) made at ``connected``, its credentials changed at ``credentials_changed``
    (SQL expressions)."""
    now = "CURRENT_TIMESTAMP"
    for statement in (
        "INSERT INTO candidate (id, name, email) VALUES (1, 'Ada', 'ada@example.com')",
        f"INSERT INTO job (id, title, revision, created_at) VALUES (1, 'Backend', 0, {now})",
        "INSERT INTO stage (id, job_id, position, name, kind, send_automatically)"
        " VALUES (1, 1, 0, 'Applied', 'plain', false)",
        "INSERT INTO application (id, candidate_id, job_id, stage_id, stage_entered_at, updated_at)"
        f" VALUES (1, 1, 1, 1, {now}, {now})",
        "INSERT INTO integration (id, vendor, name, region, custom_base_url, api_key_encrypted,"
        " api_key_last4, webhook_token_encrypted, created_at, credentials_changed_at) VALUES (1,"
        f" 'hackerrank', 'HackerRank', 'sandbox', '', 'x', '1234', 'x', {connected}, {credentials_changed})",
    ):
        conn.execute(sa.text(statement))


def test_attempts_sent_before_addresses_could_be_corrected_remember_their_candidate_s(empty_db):
    """The vendor was given the candidate's address of the time: ``invited_email`` starts there,
    for an attempt sent (or tried), and stays empty for one never sent."""
    migrate(empty_db, "c3a9e1f0b2d4")
    engine = sa.create_engine(empty_db)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as conn:
        _ada_applied(conn)
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


def test_people_saved_before_are_searched_by_their_name_and_email_folded(empty_db):
    """The users page searches its folded columns: a person invited before them was found by no search."""
    migrate(empty_db, "c5e1f9a3d7b4")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                'INSERT INTO "user" (email, name, role, password_hash, active, created_at)'
                " VALUES ('zoë.müller@example.fr', 'René ØRSTED', 'recruiter', 'x', true, CURRENT_TIMESTAMP)"
            )
        )

    migrate(empty_db)

    with engine.connect() as conn:
        row = conn.execute(sa.text('SELECT search_name, search_email, email FROM "user"')).one()
    engine.dispose()
    assert tuple(row) == ("rene orsted", "zoe.muller@example.fr", "zoë.müller@example.fr")


def test_one_person_saved_twice_under_one_email_becomes_one_candidate(empty_db):
    """Two workers adding the same new person at once could each make a candidate for one email
    (and an address once stored with capitals or spaces was another). They are one candidate now,
    the first added, with every application and the email as typed today; the email is unique."""
    migrate(empty_db, "b2d6f9a3c5e7")
    engine = sa.create_engine(empty_db)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as conn:
        for statement in (
            "INSERT INTO candidate (id, name, email) VALUES (1, 'Ada Lovelace', 'ada@example.com')",
            "INSERT INTO candidate (id, name, email) VALUES (2, 'A. Lovelace', ' Ada@Example.com')",
            "INSERT INTO candidate (id, name, email) VALUES (3, 'Grace Hopper', 'grace@example.com')",
            "INSERT INTO candidate (id, name, email) VALUES (4, 'Ada L', 'ada@example.com')",
            f"INSERT INTO job (id, title, revision, created_at) VALUES (1, 'Backend', 0, {now})",
            f"INSERT INTO job (id, title, revision, created_at) VALUES (2, 'Data', 0, {now})",
            "INSERT INTO stage (id, job_id, position, name, kind, send_automatically)"
            " VALUES (1, 1, 0, 'Applied', 'plain', false)",
            "INSERT INTO stage (id, job_id, position, name, kind, send_automatically)"
            " VALUES (2, 2, 0, 'Applied', 'plain', false)",
        ):
            conn.execute(sa.text(statement))
        for application_id, candidate_id, job_id in ((1, 1, 1), (2, 2, 2), (3, 3, 1), (4, 4, 1)):
            conn.execute(
                sa.text(
                    "INSERT INTO application (id, candidate_id, job_id, stage_id, stage_entered_at, updated_at)"
                    f" VALUES (:id, :candidate, :job, :job, {now}, {now})"
                ),
                {"id": application_id, "candidate": candidate_id, "job": job_id},
            )

        conn.execute(
            sa.text(
                "INSERT INTO integration (id, vendor, name, region, custom_base_url, api_key_encrypted,"
                f" api_key_last4, webhook_token_encrypted, created_at) VALUES (1, 'hackerrank', 'HackerRank',"
                f" 'sandbox', '', 'x', '1234', 'x', {now})"
            )
        )
        conn.execute(  # sent to the address as it was stored then
            sa.text(
                "INSERT INTO assessmentattempt (id, application_id, integration_id, vendor_test_id,"
                " vendor_test_name, attempt_number, reference, state, send_tries, vendor_attempt_id,"
                f" created_at, updated_at, subscores, warnings, error_retryable, live_interview, invited_email)"
                f" VALUES (1, 2, 1, 't', 'Test', 1, 'r1', 'sent', 1, 'v1', {now}, {now}, '[]', '[]', false,"
                " false, ' Ada@Example.com')"
            )
        )

    migrate(empty_db)
    init_engine(empty_db)

    with engine.connect() as conn:
        candidates = conn.execute(sa.text("SELECT id, name, email FROM candidate ORDER BY id")).all()
        owners = conn.execute(sa.text("SELECT id, candidate_id FROM application ORDER BY id")).all()
        merged = conn.execute(
            sa.text("SELECT application_id, summary FROM applicationevent ORDER BY application_id")
        ).all()
        invited = conn.execute(sa.text("SELECT invited_email FROM assessmentattempt")).scalars().all()
        with new_session() as session:  # the history reads the line's time as every other's
            [line] = session.exec(select(ApplicationEvent).where(ApplicationEvent.application_id == 2)).all()
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO candidate (name, email) VALUES ('Ada again', 'ada@example.com')"))
    engine.dispose()
    assert candidates == [(1, "Ada Lovelace", "ada@example.com"), (3, "Grace Hopper", "grace@example.com")]
    assert owners == [(1, 1), (2, 1), (3, 3), (4, 1)]
    assert abs(line.at - utcnow()).total_seconds() < 60
    assert merged == [
        (2, "One candidate with Ada Lovelace: A. Lovelace had the same email (ada@example.com)."),
        (
            4,
            "One candidate with Ada Lovelace: Ada L had the same email (ada@example.com). "
            "Ada Lovelace has another card in this job: keep one, reject the other.",
        ),
    ]
    assert invited == ["ada@example.com"]


def test_connections_get_an_account_fingerprint_held_unique_among_the_live_ones(empty_db):
    """The fingerprints themselves are made at start (keyed by the master key, outside the database);
    the migration adds the column and the index, which counts neither disconnected connections nor
    one being connected (hidden as disconnected until the vendor answers)."""
    migrate(empty_db, "3050e3da77a3")
    engine = sa.create_engine(empty_db)
    insert = sa.text(
        "INSERT INTO integration (vendor, name, region, custom_base_url, api_key_encrypted, api_key_last4,"
        " webhook_token_encrypted, options, created_at, last_sync_corrected, disconnected_at)"
        " VALUES ('coderpad_screen', :name, 'sandbox', '', 'k', '1234', 't', '{}', CURRENT_TIMESTAMP, 0, :gone)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"name": "CoderPad Screen", "gone": None})

    migrate(empty_db)

    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT account_fingerprint FROM integration")).scalars().all() == [None]
        gone = utcnow()
        for name in ("Disconnected", "Connecting"):
            conn.execute(insert, {"name": name, "gone": gone})
        conn.execute(sa.text("UPDATE integration SET account_fingerprint = 'f'"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(insert, {"name": "Twice", "gone": None})
        conn.execute(sa.text("UPDATE integration SET account_fingerprint = 'f' WHERE name = 'Twice'"))
    engine.dispose()


def test_attempts_sent_since_their_connections_credentials_were_set_are_known_sent_under_them(empty_db):
    """helper-131: left unknown, the attempts sent under the current key joined those sent under
    older ones in one group, once the key changed again, and one proved the other deleted."""
    migrate(empty_db, "a7d3f9c2e1b8")
    engine = sa.create_engine(empty_db)
    now = "CURRENT_TIMESTAMP"
    with engine.begin() as conn:
        _ada_applied(
            conn, connected="'2026-11-01 00:00:00.000000'", credentials_changed="'2026-11-10 00:00:00.000000'"
        )
        for attempt_id, vendor_id, sent_at in (
            (1, "v1", "2026-11-05 09:00:00.000000"),  # under the key before
            (2, "v2", "2026-11-12 09:00:00.000000"),  # under the key set on the 10th
            (3, None, None),  # never sent
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO assessmentattempt (id, application_id, integration_id, vendor_test_id,"
                    " vendor_test_name, attempt_number, reference, state, send_tries, vendor_attempt_id,"
                    " sent_at, created_at, updated_at, subscores, warnings, error_retryable, live_interview)"
                    f" VALUES (:id, 1, 1, :ref, 'Test', 1, :ref, 'sent', 1, :vendor_id, :sent_at, {now},"
                    f" {now}, '[]', '[]', false, false)"
                ),
                {"id": attempt_id, "ref": f"r{attempt_id}", "vendor_id": vendor_id, "sent_at": sent_at},
            )

    migrate(empty_db)
    init_engine(empty_db)

    with new_session() as session:  # read as the app reads it
        sent_under = [
            a.sent_under for a in session.exec(select(AssessmentAttempt).order_by(AssessmentAttempt.id))
        ]
    engine.dispose()
    assert sent_under == [None, datetime.datetime(2026, 11, 10, tzinfo=datetime.UTC), None]


def test_addresses_saved_with_accents_in_two_parts_are_kept_in_one(empty_db, caplog):
    """helper-95's review: sign-in and invites read an address in one form of its accented letters
    (NFC) since 2026-12-06; one saved before in the other form (an "e" and an accent, as some
    keyboards give it) could no longer sign in. A second account of the same address in the other
    form is left as it is, and named in the log."""
    migrate(empty_db, "b7d3e9f1a2c4")
    engine = sa.create_engine(empty_db)
    insert = sa.text(
        'INSERT INTO "user" (email, name, role, password_hash, active, created_at)'
        " VALUES (:email, :name, 'recruiter', 'x', true, CURRENT_TIMESTAMP)"
    )
    with engine.begin() as conn:
        conn.execute(insert, {"email": "rene\u0301@example.com", "name": "Ren\u00e9"})
        conn.execute(insert, {"email": "zoe\u0308@example.com", "name": "Zo\u00eb"})
        conn.execute(insert, {"email": "zo\u00eb@example.com", "name": "Zo\u00eb (again)"})

    migrate(empty_db)

    with engine.connect() as conn:
        emails = conn.execute(sa.text('SELECT email FROM "user" ORDER BY id')).scalars().all()
    engine.dispose()
    assert emails == ["ren\u00e9@example.com", "zoe\u0308@example.com", "zo\u00eb@example.com"]
    assert any("zo\u00eb@example.com has two accounts" in m for m in caplog.messages)


def test_sessions_from_before_the_http_only_cookie_end_once(empty_db):
    """Their tokens are in cookies the page's scripts could read (an ``rx.Cookie``, until
    2026-12-07): each person signs in once more, and gets the HttpOnly cookie."""
    migrate(empty_db, "b8e4c2d6f1a3")
    engine = sa.create_engine(empty_db)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                'INSERT INTO "user" (id, email, name, role, password_hash, active, created_at)'
                " VALUES (1, 'kim@example.com', 'Kim', 'recruiter', 'x', true, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO usersession (token_hash, user_id, created_at, expires_at)"
                " VALUES ('a-hash', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )

    migrate(empty_db)

    with engine.connect() as conn:
        sessions = conn.execute(sa.text("SELECT count(*) FROM usersession")).scalar()
        people = conn.execute(sa.text('SELECT count(*) FROM "user"')).scalar()
    engine.dispose()
    assert (sessions, people) == (0, 1)
