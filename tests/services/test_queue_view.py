"""The queue's reads as the workspace grows (``bench/queue.py`` times them at 10,000 applications)."""

from dashboard.services import queue_view, secrets
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    Stage,
    StageKind,
    init_engine,
    new_session,
)


def _sent_to(applicants: int) -> None:
    """A job whose ``applicants`` candidates were each sent the same test, on one connection."""
    with new_session() as session:
        integration = Integration(
            vendor="coderpad_screen",
            name="CoderPad Screen",
            region="sandbox",
            api_key_encrypted=secrets.encrypt("a-screen-key"),
            api_key_last4="-key",
            webhook_token_encrypted=secrets.encrypt(secrets.new_webhook_token()),
        )
        job = Job(title="Backend Engineer")
        session.add_all([integration, job])
        session.flush()
        stage = Stage(job_id=job.id, position=0, name="CoderPad assessment", kind=StageKind.ASSESSMENT)
        session.add(stage)
        session.flush()
        for number in range(applicants):
            candidate = Candidate(name=f"Candidate {number}", email=f"c{number}@example.com")
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
                    reference=f"ref-{number}",
                    state=AttemptState.SENT,
                    vendor_attempt_id=str(number),
                )
            )
        session.commit()


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
    timed by ``bench/queue.py --postgres``.
    """
    small = _steps_counting(100, migrated_databases, tmp_path)
    large = _steps_counting(400, migrated_databases, tmp_path)
    # Four times the attempts: about four times the steps; the square would be sixteen.
    assert large / small < 6, (small, large)
