"""What belongs to no job moves the workspace revision, in its own transaction; nothing else does."""

import itertools

import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import accounts, assessments, history, matching, notify, pipeline, plans
from dashboard.services.actors import SYSTEM
from models import Notification, OutboxMessage, Role, UnmatchedResult
from providers.base import AttemptStatus, Progress


def _keep_for_matching(session, integration_id: int, vendor_attempt_id: str) -> UnmatchedResult:
    status = AttemptStatus(
        vendor_attempt_id, Progress.COMPLETED, "completed", candidate_email="x@example.com"
    )
    return matching.record(
        session=session, integration_id=integration_id, status=status, outcome=assessments.Applied.UNKNOWN
    )


def test_results_kept_for_matching_emails_and_notifications_each_move_it(session, screen):
    seen = [pipeline.workspace_revision(session)]

    kept = _keep_for_matching(session, screen.id, "unknown-1")
    seen.append(pipeline.workspace_revision(session))
    _keep_for_matching(session, screen.id, "unknown-1")  # the same result again: nothing to write (b827e10)
    assert pipeline.workspace_revision(session) == seen[-1]
    matching.dismiss(session=session, unmatched_id=kept.id, actor=SYSTEM)
    seen.append(pipeline.workspace_revision(session))

    session.add(OutboxMessage(dedupe_key="a", to_address="ada@example.com", subject="Result", body="82%"))
    session.add(Notification(dedupe_key="b", kind="review", message="Ada's result is in"))
    session.commit()
    seen.append(pipeline.workspace_revision(session))
    email = session.exec(select(OutboxMessage)).one()
    email.error = "SMTP refused"
    session.add(email)
    session.commit()
    seen.append(pipeline.workspace_revision(session))
    riley, _password = accounts.create_user(
        session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER
    )
    notify.mark_read(session, riley.id, [session.exec(select(Notification.id)).one()])  # one bulk INSERT
    seen.append(pipeline.workspace_revision(session))

    assert all(later > earlier for earlier, later in itertools.pairwise(seen)), seen


def test_reads_empty_commits_and_rolled_back_changes_leave_it(session, screen):
    _keep_for_matching(session, screen.id, "unknown-1")
    before = pipeline.workspace_revision(session)

    list(session.exec(select(UnmatchedResult)))
    session.commit()
    session.add(OutboxMessage(dedupe_key="a", to_address="ada@example.com", subject="Result", body="82%"))
    session.flush()
    session.rollback()
    session.commit()

    assert pipeline.workspace_revision(session) == before
    assert session.exec(select(OutboxMessage)).first() is None


def test_moved_once_and_last_even_through_savepoints(session, screen):
    """A completion writes its notices through savepoints (insert-once); a duplicate one rolls back."""
    job = plans.create_job(session=session, title="Designer", stage_names=["Applied"])
    notify._insert_once(session, Notification(dedupe_key="seen", kind="review", message="Already told"))
    session.commit()
    before = pipeline.workspace_revision(session)
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0:3])

    sa.event.listen(session.get_bind(), "before_cursor_execute", note)
    try:
        email = OutboxMessage(dedupe_key="new", to_address="ada@example.com", subject="Result", body="82%")
        assert notify._insert_once(session, email)
        assert not notify._insert_once(
            session, Notification(dedupe_key="seen", kind="review", message="Again")
        )
        history.bump_job(session, job.id)
        session.commit()
    finally:
        sa.event.remove(session.get_bind(), "before_cursor_execute", note)

    assert pipeline.workspace_revision(session) == before + 2  # the job's move and the workspace's
    writes = [s for s in statements if s[0] in ("INSERT", "UPDATE")]
    assert [s for s in writes if "workspacerevision" in s] == [writes[-1]], writes


def test_a_savepoint_rolled_back_keeps_the_change_made_before_it(session, screen):
    email = OutboxMessage(dedupe_key="new", to_address="ada@example.com", subject="Result", body="82%")
    session.add(email)
    notify._insert_once(session, Notification(dedupe_key="seen", kind="review", message="Already told"))
    session.commit()
    before = pipeline.workspace_revision(session)

    email.error = "SMTP refused"
    session.add(email)
    session.flush()
    assert not notify._insert_once(session, Notification(dedupe_key="seen", kind="review", message="Again"))
    session.commit()

    assert pipeline.workspace_revision(session) == before + 1
