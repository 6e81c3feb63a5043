"""A result whose follow-up failed once: the stage's threshold rule runs again, and only once.

helper-157: the move to "completed" was committed before the stage's rule ran. When the rule
then failed (the database locked, the worker killed), the delivery's retry found the attempt
completed already and ran nothing, nor did any sweep (it asks only about open attempts): the
candidate who passed the bar was never advanced, and nothing said so.
"""

import contextlib
import datetime
import sqlite3
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.jobs.scheduler import retry_webhook_inbox
from dashboard.services import pipeline, review, sync, webhooks
from dashboard.services.actors import user
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    WebhookDelivery,
    clock_stopped_at,
    get_engine,
    utcnow,
)
from tests.conftest import Pipeline, store_webhook, taken_at_vendor

RITA = user(1, "Rita Recruiter")


@contextlib.contextmanager
def _the_database_failing_after_the_completion(session, db_url: str, attempt_id: int) -> Iterator[None]:
    """From the first statement ``session`` runs after it committed the attempt's completion (the
    stage's rule, whose run comes next), the database fails it: on SQLite another connection holds
    the write lock, so the rule's first write waits out the busy timeout and fails "database is
    locked"; on PostgreSQL the session's connection is cut. The lock is given back as the block ends.
    """
    completed: list[bool] = []
    struck: list = []  # the session's own SQLite connection, once struck
    holder = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None) if "sqlite" in db_url else None

    def after_transaction_end(_session, transaction) -> None:
        if completed or transaction.parent is not None:
            return  # a savepoint's end: nothing is committed yet
        with get_engine().connect() as look:  # what is in the database, not the session's view
            state = look.execute(
                sa.select(AssessmentAttempt.state).where(AssessmentAttempt.id == attempt_id)
            ).scalar_one()
        if state == AttemptState.COMPLETED:
            completed.append(True)

    def before_the_statement(state) -> None:
        if not completed or struck:
            return
        if holder is not None:
            holder.execute("BEGIN IMMEDIATE")
            # Its wait cut from the app's 10 s to a moment: the failure is the same, the test 10 s shorter.
            own = state.session.connection().connection.dbapi_connection
            own.execute("PRAGMA busy_timeout=200")
            struck.append(own)
            return
        struck.append(True)
        backend = state.session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with get_engine().connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})

    sa.event.listen(session, "after_transaction_end", after_transaction_end)
    sa.event.listen(session, "do_orm_execute", before_the_statement)
    try:
        yield
    finally:
        sa.event.remove(session, "do_orm_execute", before_the_statement)
        sa.event.remove(session, "after_transaction_end", after_transaction_end)
        if holder is not None:
            if holder.in_transaction:
                holder.execute("ROLLBACK")
            holder.close()
            for own in struck:
                own.execute("PRAGMA busy_timeout=10000")  # as ``models.db`` sets it, for the next test
    assert struck, "the completion was never committed"
    session.rollback()


def _finished_test_delivered(session, sandbox, p: Pipeline, *, event: str = "test.status_changed") -> int:
    """Ada takes and submits the stage's test; the vendor's delivery about it is stored. Its attempt's id."""
    attempt = taken_at_vendor(session, sandbox, p)
    store_webhook(session, p.integration, {"event": event, "id": int(attempt.vendor_attempt_id)})
    return attempt.id


def _delivered_and_its_rule_failed(session, db: str, sandbox, p: Pipeline) -> None:
    """The stage advances every result (a rule at 0%); Ada's finish is delivered and applied, and the
    database fails the rule that comes next: the delivery kept for retry."""
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=RITA)
    attempt_id = _finished_test_delivered(session, sandbox, p)
    with (
        _the_database_failing_after_the_completion(session, db, attempt_id),
        pytest.raises(sa.exc.DBAPIError),
    ):
        webhooks.apply_pending(session=session, integration_id=p.integration.id)


def _where(session, p: Pipeline) -> tuple[int, AttemptState]:
    """The stage Ada's card is in, and her result's state."""
    session.expire_all()
    attempt = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.application_id == p.application.id)
    )
    return session.get(Application, p.application.id).stage_id, attempt.one().state


def _advanced_by_the_rule(session, p: Pipeline) -> int:
    """How many times the stage's rule moved Ada on."""
    return len(
        session.exec(
            select(ApplicationEvent).where(
                ApplicationEvent.application_id == p.application.id,
                ApplicationEvent.actor_label.startswith("rule: "),  # type: ignore[union-attr]
                ApplicationEvent.summary.startswith("Moved from"),  # type: ignore[union-attr]
            )
        ).all()
    )


def test_a_rule_that_failed_as_a_webhook_was_applied_advances_the_candidate_when_it_is_retried(
    session, db, sandbox, pipeline_with_assessment
):
    """The delivery is kept for retry (the database failed), and its retry finds the attempt
    completed already: the rule must run then, not be skipped as a result seen before."""
    p = pipeline_with_assessment
    _delivered_and_its_rule_failed(session, db, sandbox, p)

    assert _where(session, p) == (p.assessment.id, AttemptState.COMPLETED)  # the result stored, not acted on
    assert session.exec(select(WebhookDelivery.applied_at)).one() is None  # kept for retry

    webhooks.apply_pending(session=session, integration_id=p.integration.id)  # the next drain retries it

    assert _where(session, p) == (p.onsite.id, AttemptState.REVIEWED)
    assert _advanced_by_the_rule(session, p) == 1


def test_a_rule_that_failed_in_a_sweep_advances_the_candidate_at_the_scheduled_pick_up(
    session, db, sandbox, pipeline_with_assessment
):
    """A sweep's completion has no delivery to retry, and no sweep asks again about a completed
    attempt: the scheduled job picks up a follow-up left unfinished, once its first run had a
    minute to end."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=RITA)
    attempt_id = taken_at_vendor(session, sandbox, p).id  # its webhook lost: the sweep brings it

    with (
        _the_database_failing_after_the_completion(session, db, attempt_id),
        pytest.raises(sa.exc.DBAPIError),
    ):
        sync.sync_integration(session=session, integration_id=p.integration.id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    retry_webhook_inbox()  # too soon: the first run may still be under way

    assert _where(session, p) == (p.assessment.id, AttemptState.COMPLETED)

    with clock_stopped_at(utcnow() + datetime.timedelta(minutes=2)):
        retry_webhook_inbox()

    assert _where(session, p) == (p.onsite.id, AttemptState.REVIEWED)
    assert _advanced_by_the_rule(session, p) == 1


def test_a_candidate_moved_back_into_the_stage_is_not_advanced_again_by_a_later_delivery(
    session, sandbox, pipeline_with_assessment
):
    """The rule runs once a result: a recruiter who moves the advanced candidate back into the
    stage on purpose keeps them there when the vendor tells of the finished test again, and when
    the scheduled pick-up of unfinished follow-ups runs."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=RITA)
    attempt_id = _finished_test_delivered(session, sandbox, p)
    webhooks.apply_pending(session=session, integration_id=p.integration.id)
    assert _where(session, p) == (p.onsite.id, AttemptState.REVIEWED)

    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=RITA
    )
    attempt = session.get(AssessmentAttempt, attempt_id)
    store_webhook(
        session, p.integration, {"event": "test.report_ready", "id": int(attempt.vendor_attempt_id)}
    )
    webhooks.apply_pending(session=session, integration_id=p.integration.id)
    with clock_stopped_at(utcnow() + datetime.timedelta(minutes=2)):
        retry_webhook_inbox()

    assert _where(session, p) == (p.assessment.id, AttemptState.REVIEWED)
    assert _advanced_by_the_rule(session, p) == 1


def test_a_candidate_moved_back_while_the_rule_was_due_again_is_not_advanced_by_its_retry(
    session, db, sandbox, pipeline_with_assessment
):
    """A rule left to its retry runs later, perhaps after a person acted: a recruiter who advanced
    the candidate by hand and then put them back in the stage (on purpose, the result seen) keeps
    them there; the rule's retry does not move them on again."""
    p = pipeline_with_assessment
    _delivered_and_its_rule_failed(session, db, sandbox, p)

    with clock_stopped_at(utcnow() + datetime.timedelta(minutes=1)):  # the recruiter, a minute on
        for stage in (p.onsite, p.assessment):
            pipeline.move_application(
                session=session, application_id=p.application.id, stage_id=stage.id, actor=RITA
            )
    with clock_stopped_at(utcnow() + datetime.timedelta(minutes=2)):
        webhooks.apply_pending(session=session, integration_id=p.integration.id)
        retry_webhook_inbox()

    assert _where(session, p)[0] == p.assessment.id
    assert _advanced_by_the_rule(session, p) == 0
    assert session.exec(select(WebhookDelivery.applied_at)).one() is not None
