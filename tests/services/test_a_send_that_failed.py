"""A send that failed may have reached the vendor all the same (it acted, then its answer came too
late): the candidate then holds an invitation Assay never heard of. The same test sent again for
that candidate must look for it there before making another (found by a review of the sends)."""

import dataclasses
import datetime
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import (
    assessments,
    attempt_actions,
    matching,
    pipeline,
    plans,
    queue_view,
    review,
)
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import provider_for
from dashboard.settings import get_settings
from models import Application, AssessmentAttempt, AttemptState, Integration, UnmatchedResult, utcnow
from providers.base import Progress
from tests.conftest import (
    enter_stage,
    finished_in_stage,
    interview_in_two_days,
    link_pads,
    vendor_test_stages,
)


def _timed_out(session, sandbox, p, monkeypatch) -> AssessmentAttempt:
    """Ada enters the test's stage; its send times out after the vendor made the invitation."""
    attempt_id = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    ).attempt_id
    return _send_times_out(session, sandbox, attempt_id, monkeypatch)


def _send_times_out(
    session, sandbox, attempt_id: int, monkeypatch, vendor: str = "coderpad_screen"
) -> AssessmentAttempt:
    """The attempt's send times out after the vendor made the invitation."""
    made = sandbox.stats(vendor)["invitations_created"]
    timeout = get_settings().vendor_timeout_seconds
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", 0.3)
    sandbox.faults(vendor, reply_delay_ms=800)
    assert not assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM).sent
    time.sleep(0.6)  # the late reply goes out before the faults are cleared
    sandbox.faults(vendor)
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", timeout)
    attempt = session.get(AssessmentAttempt, attempt_id)
    assert attempt.state == AttemptState.ERROR and attempt.vendor_attempt_id is None
    assert sandbox.stats(vendor)["invitations_created"] == made + 1
    return attempt


def _hidden(session, attempt: AssessmentAttempt):
    """The invitation the vendor made for the attempt, which Assay never heard of."""
    return provider_for(session.get(Integration, attempt.integration_id)).find_by_reference(
        test_id=attempt.vendor_test_id, invitee=assessments.invitee_for(session, attempt)
    )


def _move(session, p, stage) -> pipeline.MoveOutcome:
    return pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=stage.id, actor=SYSTEM
    )


def _failed_in_queue(session) -> int:
    return queue_view.count_of(queue_view.counts(session), "failed")


def test_a_candidate_entering_the_stage_again_is_not_invited_twice(
    session, sandbox, pipeline_with_assessment, monkeypatch
):
    """Moved on and back, the candidate got a new attempt, whose send (a reference of its own)
    made a second invitation beside the one the timed-out send had made."""
    p = pipeline_with_assessment
    failed = _timed_out(session, sandbox, p, monkeypatch)
    _move(session, p, p.onsite)

    back = _move(session, p, p.assessment)
    outcome = assessments.send_assessment(session=session, attempt_id=back.attempt_id, actor=SYSTEM)

    assert back.attempt_id == failed.id
    assert outcome.sent and "an earlier try had reached the vendor" in outcome.message
    session.expire_all()
    assert session.get(AssessmentAttempt, failed.id).state == AttemptState.SENT
    assert sandbox.stats()["invitations_created"] == 1


def test_the_same_test_sent_by_hand_takes_up_the_failed_send(
    session, sandbox, pipeline_with_assessment, monkeypatch
):
    """ "Send an assessment" of the test whose send failed made a new attempt and a second
    invitation; the failed one stayed in the queue, offering a Retry that made a third."""
    p = pipeline_with_assessment
    failed = _timed_out(session, sandbox, p, monkeypatch)

    outcome = attempt_actions.send_one_off(
        session=session,
        application_id=p.application.id,
        integration_id=failed.integration_id,
        vendor_test_id=failed.vendor_test_id,
        vendor_test_name=failed.vendor_test_name,
        actor=SYSTEM,
    )

    assert outcome.sent, outcome.message
    session.expire_all()
    attempts = session.exec(select(AssessmentAttempt)).all()
    assert [(a.id, a.state) for a in attempts] == [(failed.id, AttemptState.SENT)]
    assert sandbox.stats()["invitations_created"] == 1
    assert _failed_in_queue(session) == 0


def test_a_failed_send_of_a_stage_the_candidate_left_is_set_aside(
    session, sandbox, pipeline_with_assessment, monkeypatch
):
    """The queue went on offering a Retry of the test of a stage the candidate had left, which
    would send them a test for a stage they are no longer in."""
    p = pipeline_with_assessment
    failed = _timed_out(session, sandbox, p, monkeypatch)
    assert _failed_in_queue(session) == 1

    moved = _move(session, p, p.onsite)

    assert _failed_in_queue(session) == 0
    assert "Withdrew 1 unsent assessment of CoderPad assessment" in moved.message
    session.expire_all()
    assert session.get(AssessmentAttempt, failed.id).state == AttemptState.CANCELLED


def test_an_earlier_invitation_expired_since_is_not_taken_for_the_new_send(
    session, sandbox, pipeline_with_assessment, monkeypatch
):
    """helper-104's review: taken up weeks later, the send found the timed-out try's invitation
    expired since, and kept it: the test stayed "needs sending" (expired cannot follow it), the
    toast said sent, and every later Send found the same dead invitation."""
    p = pipeline_with_assessment
    failed = _timed_out(session, sandbox, p, monkeypatch)
    hidden = _hidden(session, failed)
    sandbox.act(hidden.vendor_attempt_id, "expire")
    earlier_reference = failed.reference
    _move(session, p, p.onsite)
    back = _move(session, p, p.assessment)

    outcome = assessments.send_assessment(session=session, attempt_id=back.attempt_id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.expire_all()
    sent = session.get(AssessmentAttempt, back.attempt_id)
    assert sent.state == AttemptState.SENT and sent.vendor_attempt_id != hidden.vendor_attempt_id
    assert sent.reference != earlier_reference  # no later lookup finds the dead one
    assert sandbox.stats()["invitations_created"] == 2


def test_a_hackerrank_invitation_expired_since_is_opened_again_not_refused(session, sandbox, monkeypatch):
    """helper-105's review: HackerRank refuses a second invitation beside an expired one ("already
    invited"), so the fresh send failed for good, its words saying a retry would adopt it. The
    expired invitation is opened again instead, as a re-attempt of it would be."""
    _, (stage,) = vendor_test_stages(session, "hackerrank", "Data Engineer", deadline_days=5)
    failed = _send_times_out(session, sandbox, enter_stage(session, stage), monkeypatch, "hackerrank")
    hidden = _hidden(session, failed)
    sandbox.act(hidden.vendor_attempt_id, "expire", vendor="hackerrank")
    applied = plans.stages_of(session, stage.job_id)[0]
    for to in (applied, stage):
        pipeline.move_application(
            session=session, application_id=failed.application_id, stage_id=to.id, actor=SYSTEM
        )

    outcome = assessments.send_assessment(session=session, attempt_id=failed.id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.expire_all()
    sent = session.get(AssessmentAttempt, failed.id)
    assert sent.state == AttemptState.SENT and sent.expires_at > utcnow()
    assert _hidden(session, sent).progress == Progress.SENT  # open again at the vendor, under its reference


# iMocha is not among them: its lookup is an invite, which would email the candidate the test they
# finished (``finds_by_inviting``); a re-attempt of it retried after a timeout is asked again.
@pytest.mark.parametrize("vendor", ["hackerrank", "codesignal"])
def test_a_re_attempt_retried_after_a_timeout_re_opens_the_test_once(session, sandbox, vendor, monkeypatch):
    """The retried re-attempt asked the vendor to re-open the test again, without looking for
    the re-attempt the timed-out try had made: CodeSignal made the candidate a second session."""
    _, (stage,) = vendor_test_stages(session, vendor, "Data Engineer")
    finished = finished_in_stage(session, sandbox, stage, vendor)
    made = sandbox.stats(vendor)["invitations_created"]
    timeout = get_settings().vendor_timeout_seconds
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", 0.3)
    sandbox.faults(vendor, reply_delay_ms=800)
    first = attempt_actions.reattempt(session=session, attempt_id=finished.id, actor=SYSTEM)
    time.sleep(0.6)  # the late reply goes out before the faults are cleared
    sandbox.faults(vendor)
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", timeout)
    assert not first.sent and sandbox.stats(vendor)["invitations_created"] == made + 1
    retake = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.retakes_attempt_id == finished.id)
    ).one()

    retried = assessments.retry_assessment(session=session, attempt_id=retake.id, actor=SYSTEM)

    assert retried.sent, retried.message
    assert sandbox.stats(vendor)["invitations_created"] == made + 1
    session.refresh(retake)
    assert retake.state == AttemptState.SENT and retake.vendor_attempt_id


def test_a_retry_finding_the_test_already_finished_sets_off_what_a_result_does(
    session, sandbox, pipeline_with_assessment, monkeypatch
):
    """helper-112: a send timed out after the vendor made the invitation; Ada took and finished the
    test, its webhook lost; the Retry found it finished and stored the result, but the stage's rule
    never ran (nor the feedback email), and nothing asks again of a finished test."""
    p = pipeline_with_assessment
    review.set_rule(session=session, stage_id=p.assessment.id, advance_at=0, counting="latest", actor=SYSTEM)
    failed = _timed_out(session, sandbox, p, monkeypatch)
    hidden = _hidden(session, failed)
    sandbox.start(hidden.vendor_attempt_id)
    sandbox.submit(hidden.vendor_attempt_id)

    outcome = assessments.retry_assessment(session=session, attempt_id=failed.id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.expire_all()
    assert session.get(AssessmentAttempt, failed.id).state == AttemptState.REVIEWED  # decided by the rule
    assert session.get(Application, p.application.id).stage_id == p.onsite.id


def test_a_failed_send_retried_days_later_counts_its_deadline_from_the_retry(session, sandbox):
    """helper-141: the deadline fixed at the first try (before the vendor failed) stayed, so a
    retry days later sent the candidate a test already closing, or closed."""
    _, (stage,) = vendor_test_stages(session, "hackerrank", "Data Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    sandbox.faults("hackerrank", fail_next=[{"status": 400, "body": {"message": "Try later."}}])
    assert not assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM).sent
    failed = session.get(AssessmentAttempt, attempt_id)
    assert failed.state == AttemptState.ERROR and failed.vendor_attempt_id is None
    failed.expires_at = utcnow() - datetime.timedelta(days=1)  # fixed at the first try, six days ago
    session.add(failed)
    session.commit()

    retried = assessments.retry_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    assert retried.sent, retried.message
    session.expire_all()
    sent = session.get(AssessmentAttempt, attempt_id)
    in_five_days = utcnow() + datetime.timedelta(days=5)
    assert abs(sent.expires_at - in_five_days) < datetime.timedelta(minutes=1)
    assert _hidden(session, sent).expires_at == sent.expires_at  # the invitation's own


def test_a_webhook_kept_for_matching_before_a_retry_adopted_its_invitation_is_resolved_by_the_retry(
    session, sandbox, monkeypatch
):
    """helper-157: CodeSignal's "session created" for a send whose answer timed out names no reference
    Assay can tie, so it was kept for matching; the retry adopted the invitation, and the item
    stayed in the queue for good, saying no assessment had the id an attempt now held."""
    integration, (stage,) = vendor_test_stages(session, "codesignal", "Data Engineer")
    attempt = _send_times_out(session, sandbox, enter_stage(session, stage), monkeypatch, vendor="codesignal")
    hidden = _hidden(session, attempt)
    created = dataclasses.replace(hidden, asked_at=datetime.datetime.now(datetime.UTC))
    matching.record(
        session=session, integration_id=integration.id, status=created, outcome=assessments.Applied.UNKNOWN
    )

    retried = assessments.retry_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert retried.sent, retried.message
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).vendor_attempt_id == hidden.vendor_attempt_id
    assert matching.open_items(session) == []
    [resolved] = session.exec(select(UnmatchedResult)).all()
    assert (resolved.resolved_attempt_id, resolved.resolved_by) == (
        attempt.id,
        "the send that tied its invitation",
    )


def test_a_room_retried_while_the_pad_index_lags_is_not_made_twice(
    session, pipeline_with_assessment, sandbox, monkeypatch
):
    """helper-153: CoderPad Interview's pad index lags its pads by up to a minute (documented); a
    room whose send timed out after the pad was made, retried within that minute, found no pad in
    the index and made a second one. It waits, says when to send again, and then finds the first."""
    p = pipeline_with_assessment
    link_pads(session, p.applied.id)
    timeout = get_settings().vendor_timeout_seconds
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", 0.3)
    sandbox.faults("coderpad_interview", reply_delay_ms=800, index_lag_ms=60_000)
    interview = interview_in_two_days(session, p.application.id)
    time.sleep(0.6)  # the late reply goes out before the faults are replaced
    sandbox.faults("coderpad_interview", index_lag_ms=60_000)  # the pad made, not in the index yet
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", timeout)
    room = session.get(AssessmentAttempt, interview.attempt_id)
    assert (
        room.state == AttemptState.ERROR and sandbox.stats("coderpad_interview")["invitations_created"] == 1
    )

    too_soon = assessments.retry_assessment(session=session, attempt_id=room.id, actor=SYSTEM)

    assert not too_soon.sent
    assert too_soon.message.startswith(
        "Not sent yet: CoderPad Interview lists a new invitation up to 1 minute late, and the earlier try"
    )
    assert sandbox.stats("coderpad_interview")["invitations_created"] == 1
    session.refresh(room)
    assert (room.state, room.send_claimed_at) == (AttemptState.READY_TO_SEND, None)

    # A minute on (the unanswered try dated back one, as a minute's wait would), the index lists it.
    sandbox.faults("coderpad_interview")
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == room.id)
        .values(send_unanswered_at=room.send_unanswered_at - datetime.timedelta(minutes=1))
    )
    session.commit()
    found = assessments.send_assessment(session=session, attempt_id=room.id, actor=SYSTEM)

    assert found.sent and "an earlier try had reached the vendor" in found.message, found.message
    assert sandbox.stats("coderpad_interview")["invitations_created"] == 1
