"""What a colleague does while a test is on its way to the vendor (found by a review of the sends):
each send reaches the vendor once, and what Assay shows is what the vendor holds."""

import threading
import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, attempt_actions, pipeline, queue_view, views
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from dashboard.services.integrations import provider_for
from models import ApplicationEvent, AssessmentAttempt, AttemptState, Candidate, Integration, new_session
from providers.base import Progress
from tests.conftest import (
    a_colleague_meanwhile,
    at_once,
    enter_stage,
    reads,
    rejected_by_a_recruiter,
    vendor_test_stages,
)

SLOW_MS = 3000  # the vendor's answer to each call: long enough for a colleague to act meanwhile


def _ready(session, p) -> int:
    """Ada enters the test's stage; its attempt waits to be sent."""
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    return moved.attempt_id


def _sending(attempt_id: int, send=assessments.send_assessment) -> tuple[threading.Thread, list]:
    """A recruiter's Send (or ``send``), in a request of its own, once it has taken the attempt
    (claimed it) and is waiting on the vendor."""
    told: list = []

    def sends() -> None:
        with new_session() as own:
            told.append(send(session=own, attempt_id=attempt_id, actor=SYSTEM))

    sender = threading.Thread(target=sends)
    sender.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with new_session() as s:
            claim, state = s.exec(
                select(AssessmentAttempt.send_claimed_at, AssessmentAttempt.state).where(
                    AssessmentAttempt.id == attempt_id
                )
            ).one()
            if claim and state == AttemptState.READY_TO_SEND:
                return sender, told
        time.sleep(0.02)
    raise AssertionError("the send never claimed the attempt")


def test_cancel_is_refused_while_the_test_is_being_sent(session, sandbox, pipeline_with_assessment):
    """It said "Withdrawn before it was sent; the candidate got nothing" and marked the test
    cancelled, while the send went on: the candidate got the link, and every update the vendor
    sent about it was ignored (cancelled is final)."""
    attempt_id = _ready(session, pipeline_with_assessment)
    sandbox.faults(latency_ms=SLOW_MS)
    sender, told = _sending(attempt_id)

    with pytest.raises(UserError, match="being sent right now"):
        attempt_actions.cancel_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    sender.join(30)
    session.expire_all()
    assert told[0].sent and session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT


def test_a_candidate_rejected_while_their_test_was_sent_has_it_withdrawn(
    session, sandbox, pipeline_with_assessment
):
    """The rejection withdrew the tests it saw sent; this one was not yet, and stayed open at the
    vendor for a rejected candidate."""
    p = pipeline_with_assessment
    attempt_id = _ready(session, p)
    sandbox.faults(latency_ms=SLOW_MS)
    sender, told = _sending(attempt_id)

    rejected_by_a_recruiter(session, p.application.id)
    sender.join(30)
    sandbox.faults()

    session.expire_all()
    attempt = session.get(AssessmentAttempt, attempt_id)
    assert attempt.state == AttemptState.CANCELLED
    assert "was rejected while" in told[0].message and "withdrawn at the vendor" in told[0].message
    at_vendor = provider_for(session.get(Integration, attempt.integration_id)).fetch(
        attempt.vendor_attempt_id
    )
    assert at_vendor.progress == Progress.CANCELLED


def test_two_retries_at_once_send_the_test_once(session, sandbox):
    """The second, having read the test failed, set it back to "to send" (clearing the first's
    claim) while the first was at the vendor, and sent it too: two invitations (Coodesh, which
    Assay cannot ask whether an earlier try reached it)."""
    _coodesh, (stage,) = vendor_test_stages(
        session, "coodesh", "Backend", options={"company_id": "coodesh-demo-company"}
    )
    attempt_id = enter_stage(session, stage)
    sandbox.faults("coodesh", fail_next=[{"status": 500}] * 3)
    assert assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM).failed
    before = sandbox.stats("coodesh")["invitations_created"]

    with new_session() as mine:
        assert mine.get(AssessmentAttempt, attempt_id).state == AttemptState.ERROR  # as the page saw it
        sandbox.faults("coodesh", fail_next=[{"delay_ms": SLOW_MS}])  # the colleague's send, slow
        sender, theirs = _sending(attempt_id, assessments.retry_assessment)
        told = assessments.retry_assessment(session=mine, attempt_id=attempt_id, actor=SYSTEM)
    sender.join(30)

    assert sandbox.stats("coodesh")["invitations_created"] - before == 1
    assert theirs[0].sent and not told.sent
    assert told.message == "This assessment is already being sent."
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT


def test_a_test_the_vendor_cannot_withdraw_stays_open_and_says_so_when_its_candidate_is_rejected_meanwhile(
    session, sandbox
):
    """Coodesh has no call to withdraw a test: the connection is not marked failing for it, and the
    history says the rejected candidate's test stays open, as a rejection would."""
    _coodesh, (stage,) = vendor_test_stages(
        session, "coodesh", "Backend", options={"company_id": "coodesh-demo-company"}
    )
    attempt_id = enter_stage(session, stage)
    sandbox.faults("coodesh", fail_next=[{"delay_ms": SLOW_MS}])
    sender, told = _sending(attempt_id)

    rejected_by_a_recruiter(session, session.get(AssessmentAttempt, attempt_id).application_id)
    sender.join(30)

    assert told[0].sent and "who was rejected meanwhile; it stays open" in told[0].message
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT
    lines = session.exec(
        select(ApplicationEvent.summary).where(ApplicationEvent.attempt_id == attempt_id)
    ).all()
    assert any("not withdrawn at the vendor on the rejection" in line for line in lines)
    [connection] = views.integrations(session)
    assert connection.health != "failing"


def _sent_to_ada(session, p) -> AssessmentAttempt:
    attempt_id = _ready(session, p)
    assert assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM).sent
    return session.get(AssessmentAttempt, attempt_id)


def test_two_resends_at_once_email_the_candidate_once(session, sandbox, pipeline_with_assessment):
    """Each read that none had gone in the last minute before either asked the vendor: both
    asked, and the candidate got the invitation email twice."""
    attempt = _sent_to_ada(session, pipeline_with_assessment)
    sandbox.faults(latency_ms=1500)

    told = at_once(
        2, lambda own: attempt_actions.resend_invitation(session=own, attempt_id=attempt.id, actor=SYSTEM)
    )

    assert sorted(t.sent for t in told) == [False, True]
    assert sandbox.stats()["invitations_resent"] == 1


def test_a_resend_the_vendor_refuses_can_be_asked_again_at_once(session, sandbox, pipeline_with_assessment):
    attempt = _sent_to_ada(session, pipeline_with_assessment)
    sandbox.faults(fail_next=[{"status": 400}])
    with pytest.raises(UserError, match="Not resent"):
        attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)
    sandbox.faults()

    again = attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert again.sent, again.message
    assert sandbox.stats()["invitations_resent"] == 1


def test_a_cancel_of_a_test_the_vendor_cancelled_meanwhile_says_cancelled(
    session, sandbox, pipeline_with_assessment
):
    """The vendor refused a cancel of a test cancelled there already (its word not yet in Assay),
    and the recruiter was told "Not cancelled" of a test that was."""
    attempt = _sent_to_ada(session, pipeline_with_assessment)
    sandbox.faults(drop_webhooks=True)
    integration = session.get(Integration, attempt.integration_id)
    provider_for(integration).cancel(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)

    outcome = attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.refresh(attempt)
    assert attempt.state == AttemptState.CANCELLED
    session.refresh(integration)
    assert integration.last_error is None  # the vendor only said so: the connection is not failing


def test_a_send_whose_candidate_was_moved_on_meanwhile_says_so(session, sandbox, pipeline_with_assessment):
    """helper-143: a colleague moved the card out of the stage while its test was on its way; the
    sender was told "sent" and nothing more, the invitation open for a stage the candidate left."""
    p = pipeline_with_assessment
    attempt_id = _ready(session, p)
    sandbox.faults(latency_ms=SLOW_MS)
    sender, told = _sending(attempt_id)

    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )
    sender.join(30)

    [outcome] = told
    assert outcome.sent and "moved to Onsite meanwhile; the invitation stands" in outcome.message
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.SENT


def test_a_send_that_fails_after_its_candidate_moved_on_is_set_aside_not_left_to_retry(
    session, sandbox, pipeline_with_assessment
):
    """helper-156: leaving a stage sets aside its failed sends, but leaves one being sent alone; that
    one then failed, stayed in the queue's Failed under the stage the candidate had left, and its
    Retry sent her that stage's test."""
    p = pipeline_with_assessment
    attempt_id = _ready(session, p)
    sandbox.faults(latency_ms=SLOW_MS, fail_next=[{"status": 503}] * 6)  # each try answers 503, slowly
    sender, told = _sending(attempt_id)

    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )
    sender.join(60)
    sandbox.faults()

    [outcome] = told
    session.expire_all()
    assert not outcome.sent and outcome.message.endswith(
        "Set aside: the candidate has left CoderPad assessment."
    )
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.CANCELLED
    assert queue_view.count_of(queue_view.counts(session), "failed") == 0
    assert sandbox.stats()["invitations_created"] == 0


def test_a_send_finding_its_test_withdrawn_meanwhile_says_so(session, sandbox, pipeline_with_assessment):
    """helper-156: a colleague moved the card on (withdrawing the test not yet sent) as the send
    began; the send, refused its claim, said "This assessment is already being sent." of a test
    withdrawn, nothing sent."""
    p = pipeline_with_assessment
    attempt_id = _ready(session, p)

    def colleague_moves_her_on(own) -> None:
        pipeline.move_application(
            session=own, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
        )

    with a_colleague_meanwhile(session, reads(Candidate), colleague_moves_her_on):
        told = assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    assert (told.sent, told.message) == (False, "Not sent: it was withdrawn meanwhile; its history says why.")
    assert sandbox.stats()["invitations_created"] == 0
