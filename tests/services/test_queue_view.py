"""The queue's reads: what a bucket holds, and how its reads grow with the workspace
(``bench/queue_page.py`` times them at 10,000 applications)."""

import datetime

import sqlalchemy as sa

from dashboard.services import assessments, queue_view, secrets
from dashboard.services.actors import SYSTEM
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    Stage,
    StageKind,
    get_engine,
    init_engine,
    new_session,
    utcnow,
)
from tests.conftest import enter_stage, vendor_test_stages


def _sent_to(applicants: int, title: str = "Backend Engineer") -> int:
    """A job whose ``applicants`` candidates were each sent the same test, on a connection of its
    own; its id."""
    with new_session() as session:
        integration = Integration(
            vendor="coderpad_screen",
            name=f"CoderPad Screen ({title})",
            region="sandbox",
            api_key_encrypted=secrets.encrypt("a-screen-key"),
            api_key_last4="-key",
            webhook_token_encrypted=secrets.encrypt(secrets.new_webhook_token()),
        )
        job = Job(title=title)
        session.add_all([integration, job])
        session.flush()
        stage = Stage(job_id=job.id, position=0, name="CoderPad assessment", kind=StageKind.ASSESSMENT)
        session.add(stage)
        session.flush()
        for number in range(applicants):
            candidate = Candidate(name=f"Candidate {number}", email=f"c{number}.{job.id}@example.com")
            session.add(candidate)
            session.flush()
            application = Application(candidate_id=candidate.id, job_id=job.id, stage_id=stage.id)
            session.add(application)
            session.flush()
            session.add(
                AssessmentAttempt(
                    application_id=application.id,
                    stage_id=stage.id,
                    integration_id=integration.id,
                    vendor_test_id="101",
                    vendor_test_name="Python",
                    reference=f"ref-{job.id}-{number}",
                    state=AttemptState.SENT,
                    vendor_attempt_id=str(number),
                )
            )
        session.commit()
        return job.id


def _steps_counting(applicants: int, migrated_databases, tmp_path) -> int:
    """SQLite's virtual machine steps (in thousands) to count the queue's buckets."""
    init_engine(migrated_databases.sqlite(tmp_path / f"queue-{applicants}.db"))
    _sent_to(applicants)
    steps = 0

    def step() -> int:
        nonlocal steps
        steps += 1
        return 0  # go on

    with new_session() as session:
        session.connection().connection.driver_connection.set_progress_handler(step, 1000)
        counts = queue_view.counts(session)
    assert queue_view.count_of(counts, "awaiting") == applicants
    return steps


def test_counting_the_queue_takes_steps_in_proportion_to_the_attempts_not_their_square(
    migrated_databases, tmp_path
):
    """Each bucket keeps an attempt only if no later one was made for the same test of the same
    application; SQLite looked for that later one among every attempt of the same connection
    (its index on ``integration_id``), so counting 10,000 applications' tests, all on one
    CoderPad account, took 2 s, and the queue 3.8 s to open. Counted in SQLite's own steps,
    which the shared machine's load does not change; PostgreSQL plans by its statistics and is
    timed by ``bench/queue_page.py --postgres``.
    """
    small = _steps_counting(100, migrated_databases, tmp_path)
    large = _steps_counting(400, migrated_databases, tmp_path)
    # Four times the attempts: about four times the steps; the square would be sixteen.
    assert large / small < 6, (small, large)


def _statements_reading_a_page(applicants: int, title: str) -> int:
    job_id = _sent_to(applicants, title)
    statements = []
    listen = ("before_cursor_execute", lambda *args: statements.append(args[2]))
    sa.event.listen(get_engine(), *listen)
    try:
        with new_session() as session:
            shown = queue_view.rows(session, "awaiting", queue_view.QueueFilter(job_id=job_id))
    finally:
        sa.event.remove(get_engine(), *listen)
    assert len(shown) == applicants and all(row.step == "resend" for row in shown)
    return len(statements)


def test_a_page_of_the_queue_reads_its_connection_once_not_once_a_row(db):
    """Each row's one-click step asks its connection what the vendor can do; the connection
    was read again for every row (the session kept no hold on it between rows), 100 reads a
    page, one round trip each on PostgreSQL."""
    few = _statements_reading_a_page(3, "Backend Engineer")
    many = _statements_reading_a_page(30, "Data Engineer")
    assert many == few, (few, many)


def test_a_deadline_gone_by_that_the_vendor_has_not_reported_stays_in_expiring_said_as_passed(
    session, sandbox
):
    """helper-141: once the deadline passed, the attempt left "Expiring" and, the vendor not having
    said it expired (the next sweep asks), was in neither bucket, only among all awaiting."""
    _, (stage,) = vendor_test_stages(session, "hackerrank", "Data Engineer", deadline_days=5)
    deadlines = {"Ada": -2, "Bea": 2, "Cy": 72}  # hours from now
    for name, hours in deadlines.items():
        attempt_id = enter_stage(session, stage, name=name, email=f"{name.lower()}@example.com")
        assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
        attempt = session.get(AssessmentAttempt, attempt_id)
        attempt.expires_at = utcnow() + datetime.timedelta(hours=hours)  # days later, in our clock's terms
        session.add(attempt)
    session.commit()

    expiring = {
        row.candidate_name: row.deadline
        for row in queue_view.rows(session, "expiring", queue_view.QueueFilter())
    }

    assert set(expiring) == {"Ada", "Bea"} == set(deadlines) - {"Cy"}
    assert expiring["Ada"].startswith("Deadline passed ") and "not said it expired" in expiring["Ada"]
    assert expiring["Bea"].startswith("Expires ")
    assert queue_view.count_of(queue_view.counts(session), "expiring") == 2
