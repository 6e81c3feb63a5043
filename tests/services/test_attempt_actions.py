"""Cancel, resend, re-attempt, extend and one-off sends, on a real database against the sandbox."""

import concurrent.futures
import datetime
import threading
import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, attempt_actions, pipeline, plans, sync
from dashboard.services.actors import SYSTEM, WEBHOOK
from dashboard.services.corrections import correct_candidate
from dashboard.services.errors import UserError
from dashboard.services.integrations import provider_for
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Integration,
    new_session,
    utcnow,
)
from providers.base import AttemptStatus, Progress
from tests.conftest import (
    a_colleague_meanwhile,
    enter_stage,
    finished_in_stage,
    go_services_sent,
    reads,
    rejected_by_a_recruiter,
    selects,
    send_test,
    sent_another_test,
    sent_with_a_reminder,
    vendor_test_stages,
)


def _sent(session, p) -> AssessmentAttempt:
    outcome = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=outcome.attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, outcome.attempt_id)


def _open_attempts(session, application_id) -> list[AssessmentAttempt]:
    session.expire_all()
    return list(
        session.exec(
            select(AssessmentAttempt)
            .where(AssessmentAttempt.application_id == application_id)
            .order_by(AssessmentAttempt.id)
        )
    )


def test_cancel_withdraws_at_the_vendor_and_leaves_a_fresh_attempt_ready(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)

    outcome = attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    first, fresh = _open_attempts(session, attempt.application_id)
    assert outcome.sent and "attempt 2" in outcome.message
    assert first.state == AttemptState.CANCELLED and first.vendor_attempt_id == attempt.vendor_attempt_id
    assert fresh.state == AttemptState.READY_TO_SEND and fresh.attempt_number == 2
    assert sandbox.act(attempt.vendor_attempt_id, "start")["status"] == "cancelled"  # the vendor has it too


def test_cancelling_an_unsent_test_withdraws_it_without_readying_the_same_test_again(
    session, pipeline_with_assessment
):
    """Found by a walk: Cancel on a test that needed sending left "attempt 2, needs sending" in its
    place, the same unsent test under a new number, so the queue went on asking to send it."""
    p = pipeline_with_assessment
    attempt_id = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    ).attempt_id

    outcome = attempt_actions.cancel_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    [withdrawn] = _open_attempts(session, p.application.id)
    assert withdrawn.state == AttemptState.CANCELLED
    assert outcome.message == "Withdrawn before it was sent; the candidate got nothing."
    retake = {a.name: a for a in attempt_actions.available_actions(session, withdrawn)}["reattempt"]
    assert retake.enabled  # sent after all, if the recruiter changes their mind


def test_cancel_twice_does_one_thing(session, pipeline_with_assessment, sandbox):
    attempt = _sent(session, pipeline_with_assessment)

    attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    again = attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert not again.sent and again.message == "Already cancelled."
    assert len(_open_attempts(session, attempt.application_id)) == 2


def test_cancel_after_the_candidate_started_is_refused_with_the_vendors_reason(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.start(attempt.vendor_attempt_id)

    with pytest.raises(UserError, match=r"Not cancelled.*in_progress"):
        attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    session.refresh(attempt)
    assert attempt.state == AttemptState.STARTED  # the vendor, asked why, said so: its word shown


def test_resend_reaches_the_vendor_and_is_in_the_history(session, pipeline_with_assessment, sandbox):
    attempt = _sent(session, pipeline_with_assessment)
    before = sandbox.stats()["api_requests"]

    attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert sandbox.stats()["api_requests"] == before + 1
    summaries = [
        e.summary
        for e in session.exec(select(ApplicationEvent).where(ApplicationEvent.attempt_id == attempt.id))
    ]
    assert any("invitation resent" in s for s in summaries)


def test_a_resend_twice_within_a_minute_emails_the_candidate_once(session, pipeline_with_assessment, sandbox):
    attempt = _sent(session, pipeline_with_assessment)
    before = sandbox.stats()["api_requests"]

    first = attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)
    second = attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert first.sent and not second.sent and "a moment ago" in second.message
    assert sandbox.stats()["api_requests"] == before + 1
    resent = session.exec(
        select(ApplicationEvent).where(
            ApplicationEvent.attempt_id == attempt.id, ApplicationEvent.summary.like("%invitation resent")
        )
    ).all()
    assert len(resent) == 1
    # A minute later it is a real wish to remind the candidate: it goes.
    session.refresh(attempt)
    attempt.resent_at -= attempt_actions.RESEND_GAP
    session.add(attempt)
    session.commit()
    assert attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM).sent
    assert sandbox.stats()["api_requests"] == before + 2


def test_actions_the_vendor_cannot_do_are_disabled_with_its_reason(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)

    actions = {a.name: a for a in attempt_actions.available_actions(session, attempt)}

    assert actions["cancel"].enabled and actions["resend"].enabled
    assert not actions["send"].enabled
    assert not actions["extend"].enabled and "deadline" in actions["extend"].reason
    with pytest.raises(UserError, match="deadline"):
        attempt_actions.extend_deadline(
            session=session,
            attempt_id=attempt.id,
            expires_at=utcnow() + datetime.timedelta(days=3),
            actor=SYSTEM,
        )


def test_a_deadline_in_the_past_is_refused_before_asking_the_vendor(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)

    with pytest.raises(UserError, match="in the past"):
        attempt_actions.extend_deadline(
            session=session,
            attempt_id=attempt.id,
            expires_at=utcnow() - datetime.timedelta(days=1),
            actor=SYSTEM,
        )


def test_an_expired_attempt_is_retaken_as_attempt_two_keeping_the_first(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.act(attempt.vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=attempt.integration_id)
    session.refresh(attempt)
    assert attempt.state == AttemptState.EXPIRED

    outcome = attempt_actions.reattempt(session=session, attempt_id=attempt.id, actor=SYSTEM)

    first, second = _open_attempts(session, attempt.application_id)
    assert outcome.sent
    assert first.state == AttemptState.EXPIRED and second.state == AttemptState.SENT
    assert second.attempt_number == 2 and second.retakes_attempt_id == first.id
    assert second.vendor_attempt_id != first.vendor_attempt_id
    assert sandbox.stats()["invitations_created"] == 2


def test_a_completed_test_cannot_be_retaken_where_the_vendor_has_no_reattempt(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=attempt.integration_id)

    with pytest.raises(UserError, match="re-attempt"):
        attempt_actions.reattempt(session=session, attempt_id=attempt.id, actor=SYSTEM)


def test_a_one_off_test_is_sent_outside_the_plan_and_twice_is_once(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment

    first = go_services_sent(session, p)
    again = go_services_sent(session, p)

    [attempt] = _open_attempts(session, p.application.id)
    assert first.sent and not again.sent
    assert attempt.stage_id is None and attempt.state == AttemptState.SENT
    assert sandbox.stats()["invitations_created"] == 1


def test_the_stages_test_can_be_overridden_for_one_candidate_before_sending(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    attempt = sent_another_test(session, p, "105", "Java Fundamentals")

    assert attempt.vendor_test_id == "105" and attempt.state == AttemptState.SENT
    with pytest.raises(UserError, match="never sent"):
        attempt_actions.change_test(
            session=session,
            attempt_id=attempt.id,
            integration_id=p.integration.id,
            vendor_test_id="101",
            vendor_test_name="x",
            actor=SYSTEM,
        )


def test_two_racing_reattempts_send_one_new_invitation(session, pipeline_with_assessment, sandbox):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.act(attempt.vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=attempt.integration_id)
    sandbox.faults(latency_ms=300)
    results, barrier = [], threading.Barrier(2)

    def click():
        barrier.wait()
        with new_session() as own:
            try:
                results.append(attempt_actions.reattempt(session=own, attempt_id=attempt.id, actor=SYSTEM))
            except UserError as err:
                results.append(err)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sandbox.stats()["invitations_created"] == 2  # the first send, and one re-take
    assert len(_open_attempts(session, attempt.application_id)) == 2


def test_a_reminder_goes_once_before_the_deadline_where_the_vendor_can_resend(session, sandbox):
    attempt = sent_with_a_reminder(session)
    assert attempt.state == AttemptState.SENT and attempt.expires_at is not None

    not_yet = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)
    attempt.expires_at = utcnow() + datetime.timedelta(hours=10)  # time passes: 10 hours are left
    session.add(attempt)
    session.commit()
    due = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)
    again = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    session.refresh(attempt)
    assert (not_yet, due, again) == (0, 1, 0)
    assert attempt.reminded_at is not None
    with pytest.raises(UserError, match="reminder"):
        plans.configure_stage(
            session=session,
            stage_id=attempt.stage_id,
            send_automatically=True,
            gating="all",
            deadline_days=1,
            reminder_hours=30,
        )


def _reminder_due(session) -> AssessmentAttempt:
    attempt = sent_with_a_reminder(session)
    attempt.expires_at = utcnow() + datetime.timedelta(hours=10)  # the reminder is due
    session.add(attempt)
    session.commit()
    return attempt


def _resends(sandbox) -> int:
    return sandbox.stats("hackerrank")["invitations_resent"]


def test_a_reminder_does_not_go_to_an_email_corrected_since_and_says_so(session, sandbox):
    """helper-116: the Resend button refused ("it would go to ada@example.com again, the email
    before it was corrected"), yet the reminder asked the vendor to email the typo again."""
    attempt = _reminder_due(session)
    correct_candidate(
        session=session,
        application_id=attempt.application_id,
        name="Ada",
        email="ada.real@example.com",
        actor=SYSTEM,
    )

    reminded = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)
    again = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    assert (reminded, again, _resends(sandbox)) == (0, 0, 0)
    said = session.exec(
        select(ApplicationEvent.summary).where(ApplicationEvent.attempt_id == attempt.id)
    ).all()
    assert [line for line in said if "reminder not sent" in line] == [
        "Backend Engineer (Python): reminder not sent: It would go to ada@example.com again, the email "
        "before it was corrected: cancel it and send it again."
    ]


def test_a_reminder_due_just_after_a_resend_is_not_a_second_email(session, sandbox):
    """helper-116: a recruiter's Resend and the reminder in the same minute emailed the candidate twice."""
    attempt = _reminder_due(session)
    attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    reminded = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    assert (reminded, _resends(sandbox)) == (0, 1)
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).reminded_at is not None  # the resend was the reminder


def test_a_resend_clicked_as_the_reminder_goes_is_the_same_email(session, sandbox):
    """helper-119: the reminder took only its own mark, so a Resend clicked while it asked the
    vendor found the invitation free and emailed the candidate a second time."""
    attempt = _reminder_due(session)
    told: list[str] = []

    def colleague_resends(own) -> None:
        told.append(
            attempt_actions.resend_invitation(session=own, attempt_id=attempt.id, actor=SYSTEM).message
        )

    def the_invitation_taken(state) -> bool:
        return not state.is_select and "resent_at" in str(state.statement)

    with a_colleague_meanwhile(session, the_invitation_taken, colleague_resends):
        reminded = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    assert (reminded, _resends(sandbox)) == (1, 1)
    assert told == ["Resent a moment ago, or being resent now: the candidate gets the email once."]


def test_two_reminder_runs_at_once_remind_once(session, sandbox):
    """helper-116: the reminder was marked only once the vendor had resent: two runs overlapping
    (another worker taking the scheduler over mid-run) both asked the vendor."""
    attempt = _reminder_due(session)
    session.expire_all()

    with a_colleague_meanwhile(
        session,
        reads(AssessmentAttempt),
        lambda own: attempt_actions.send_due_reminders(session=own, actor=SYSTEM),
    ):
        attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    assert _resends(sandbox) == 1
    session.expire_all()
    assert session.get(AssessmentAttempt, attempt.id).reminded_at is not None


def test_a_rejected_candidate_is_sent_no_test(session, pipeline_with_assessment, sandbox):
    """Found by a walk: a rejected candidate's page still offered "Send an assessment", and the
    vendor emailed them an invitation (the queue leaves rejected candidates out; this did not)."""
    p = pipeline_with_assessment
    rejected_by_a_recruiter(session, p.application.id)

    with pytest.raises(UserError, match="Ada Lovelace was rejected"):
        go_services_sent(session, p)
    assert _open_attempts(session, p.application.id) == []  # nothing left behind, needing sending
    p.assessment.send_automatically = True  # a stage that would send its test on entry
    session.add(p.assessment)
    session.commit()
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )

    assert sandbox.stats()["invitations_created"] == 0
    # Not a failure to act on (an error toast said "Not sent: Ada Lovelace was rejected"): said as
    # what it is; the test waits, out of the queue, and is there to send if the rejection is undone.
    assert (moved.sent, moved.not_sent) == (0, ())
    assert moved.message == (
        "Moved to CoderPad assessment: Ada Lovelace is rejected, so the stage's test is not sent."
    )
    assert [a.state for a in _open_attempts(session, p.application.id)] == [AttemptState.READY_TO_SEND]


def test_a_rejected_candidate_gets_no_reminder(session, sandbox):
    """Found by a walk: the reminders job went on emailing a rejected candidate their invitation
    again, near its deadline, as if Assay still waited for their test."""
    attempt = sent_with_a_reminder(session)
    attempt.expires_at = utcnow() + datetime.timedelta(hours=10)  # the reminder is due
    session.add(attempt)
    session.commit()
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 400}])  # it refuses the withdrawal
    rejected_by_a_recruiter(session, attempt.application_id)

    reminded = attempt_actions.send_due_reminders(session=session, actor=SYSTEM)

    session.refresh(attempt)
    assert reminded == 0
    assert attempt.reminded_at is None


def test_rejecting_withdraws_the_candidates_unstarted_test_at_the_vendor(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: a rejected candidate's test stayed open at the vendor, the invitation live
    and the vendor's reminders going, for a job that had turned them down."""
    attempt = _sent(session, pipeline_with_assessment)

    outcome = rejected_by_a_recruiter(session, attempt.application_id)

    [withdrawn] = _open_attempts(session, attempt.application_id)  # no fresh attempt, never to be sent
    assert withdrawn.state == AttemptState.CANCELLED
    assert not outcome.failed
    assert outcome.message == f"Rejected (Other). Withdrawn at the vendor: {attempt.vendor_test_name}."
    assert sandbox.act(attempt.vendor_attempt_id, "start")["status"] == "cancelled"  # the vendor has it too


def test_a_vendor_refusing_the_withdrawal_leaves_the_rejection_made_and_says_the_test_is_open(
    session, pipeline_with_assessment, sandbox
):
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.faults(fail_next=[{"status": 400}])

    outcome = rejected_by_a_recruiter(session, attempt.application_id)

    [still_open] = _open_attempts(session, attempt.application_id)
    assert session.get(Application, attempt.application_id).rejected_at is not None
    assert still_open.state == AttemptState.SENT and outcome.failed
    assert "Still open at the vendor" in outcome.message
    assert session.exec(
        select(ApplicationEvent).where(ApplicationEvent.summary.like("%not withdrawn at the vendor%"))
    ).first()
    assert session.get(type(pipeline_with_assessment.integration), attempt.integration_id).last_error


def _expired_at_hackerrank(session, sandbox):
    """Ada in a HackerRank test stage, sent its test, which expired at HackerRank (swept in): the
    stage and the expired attempt."""
    _, (stage,) = vendor_test_stages(session, "hackerrank", "Data Engineer", deadline_days=5)
    expired = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=expired.id, actor=SYSTEM)
    session.refresh(expired)
    sandbox.act(expired.vendor_attempt_id, "expire", vendor="hackerrank")
    sync.sync_integration(session=session, integration_id=expired.integration_id)
    session.refresh(expired)
    assert expired.state == AttemptState.EXPIRED
    return stage, expired


def test_a_hackerrank_test_that_expired_is_re_attempted_by_opening_it_again(session, sandbox):
    """helper-111: HackerRank refuses a second invitation beside an expired one ("already
    invited"), and a re-attempt of the expired test sent a fresh one: it failed, for good (a Retry
    too), its words promising a retry would adopt the invitation. It re-opens the expired one now."""
    _stage, expired = _expired_at_hackerrank(session, sandbox)

    outcome = attempt_actions.reattempt(session=session, attempt_id=expired.id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.expire_all()
    again = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.retakes_attempt_id == expired.id)
    ).one()
    assert again.state == AttemptState.SENT and again.expires_at > utcnow()
    assert sandbox.stats("hackerrank")["invitations_created"] == 1


def test_a_rejected_candidate_s_re_attempt_or_retry_is_refused_before_anything_is_made(
    session, pipeline_with_assessment, sandbox
):
    """helper-111: the re-attempt made and committed "attempt 2 needs sending" before the send
    refused the rejected candidate, and the first attempt's Re-attempt then read "Already re-taken
    by another attempt"; a Retry readied the failed send, its reason wiped, before the same refusal."""
    p = pipeline_with_assessment
    expired = send_test(session, p.assessment, p.application)
    sandbox.act(expired.vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=expired.integration_id)
    rejected_by_a_recruiter(session, p.application.id)

    with pytest.raises(UserError, match="was rejected; a rejected candidate is sent no test"):
        attempt_actions.reattempt(session=session, attempt_id=expired.id, actor=SYSTEM)

    session.expire_all()
    assert [a.id for a in session.exec(select(AssessmentAttempt))] == [expired.id]


def test_a_rejected_candidate_s_failed_send_is_not_readied_by_a_retry(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    sandbox.faults(fail_next=[{"status": 503}])  # the send fails; a Retry would send it
    failed = send_test(session, p.assessment, p.application)
    assert failed.state == AttemptState.ERROR and failed.vendor_attempt_id is None
    rejected_by_a_recruiter(session, p.application.id)

    with pytest.raises(UserError, match="was rejected; a rejected candidate is sent no test"):
        assessments.retry_assessment(session=session, attempt_id=failed.id, actor=SYSTEM)

    session.expire_all()
    kept = session.get(AssessmentAttempt, failed.id)
    assert kept.state == AttemptState.ERROR and kept.error_reason == failed.error_reason


def test_a_test_changed_to_one_already_open_for_the_candidate_is_refused_in_words(
    session, pipeline_with_assessment, sandbox
):
    """helper-111: Change test to a test the candidate already had open (a one-off sent) broke on
    the database's one-open-attempt-per-test rule: "That did not go through", an error logged."""
    p = pipeline_with_assessment
    go_services_sent(session, p)
    attempt_id = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    ).attempt_id

    with pytest.raises(UserError, match=r"^Go Services is already sent for this candidate\.$"):
        attempt_actions.change_test(
            session=session,
            attempt_id=attempt_id,
            integration_id=p.integration.id,
            vendor_test_id="104",
            vendor_test_name="Go Services",
            actor=SYSTEM,
        )


def test_a_test_changed_as_a_colleague_sends_it_is_refused_not_written_over_the_sent_one(
    session, pipeline_with_assessment, sandbox
):
    """helper-111: Change test read the attempt unsent, a colleague's Send then went out with the
    stage's test, and the change wrote the other test over it: Assay named to the vendor, in every
    later fetch, cancel or extension, a test the candidate was never sent."""
    p = pipeline_with_assessment
    attempt_id = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    ).attempt_id
    stage_test = session.get(AssessmentAttempt, attempt_id).vendor_test_id
    integration_id = p.integration.id
    session.expunge_all()

    def colleague_sends(own) -> None:
        assert assessments.send_assessment(session=own, attempt_id=attempt_id, actor=SYSTEM).sent

    with (
        a_colleague_meanwhile(session, selects(AssessmentAttempt, attempt_id), colleague_sends),
        pytest.raises(UserError, match=r"A colleague sent Backend Engineer \(Python\) a moment ago\.$"),
    ):
        attempt_actions.change_test(
            session=session,
            attempt_id=attempt_id,
            integration_id=integration_id,
            vendor_test_id="104",
            vendor_test_name="Go Services",
            actor=SYSTEM,
        )

    session.expire_all()
    sent = session.get(AssessmentAttempt, attempt_id)
    assert (sent.state, sent.vendor_test_id) == (AttemptState.SENT, stage_test)


def test_a_one_off_of_a_test_the_candidate_finished_is_a_re_take_not_the_old_result_again(session, sandbox):
    """helper-111: iMocha's invite hands back the invitation an email already has; a one-off of a
    test the candidate had finished in this application was told "sent", and the next sweep
    brought the old score in as the new attempt's, a result no one took. It re-takes the finished
    one now, as a stage's test does (``earlier_to_retake``)."""
    integration, (stage,) = vendor_test_stages(session, "imocha", "Backend")
    finished = finished_in_stage(session, sandbox, stage, "imocha")

    outcome = attempt_actions.send_one_off(
        session=session,
        application_id=finished.application_id,
        integration_id=integration.id,
        vendor_test_id=finished.vendor_test_id,
        vendor_test_name=finished.vendor_test_name,
        actor=SYSTEM,
    )
    sync.sync_integration(session=session, integration_id=integration.id)

    assert outcome.sent, outcome.message
    session.expire_all()
    again = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.id != finished.id)).one()
    assert (again.retakes_attempt_id, again.state, again.score_percent) == (
        finished.id,
        AttemptState.SENT,
        None,
    )
    assert again.vendor_attempt_id != finished.vendor_attempt_id


def test_a_cancel_whose_vendor_webhook_lands_first_still_readies_a_fresh_attempt(
    session, pipeline_with_assessment, sandbox
):
    """helper-111: the vendor's webhook of the cancel applied before Cancel read the attempt back
    left it "Cancelled." with no fresh attempt readied: the candidate in the test stage with nothing
    under Needs sending. Landing as Cancel wrote, it was written "cancelled" twice."""
    p = pipeline_with_assessment
    sent = send_test(session, p.assessment, p.application)
    attempt_id, vendor_attempt_id, integration_id = sent.id, sent.vendor_attempt_id, p.integration.id
    session.expunge_all()

    def the_webhook(own) -> None:
        status = AttemptStatus(vendor_attempt_id, Progress.CANCELLED, "cancelled")
        assessments.apply_vendor_status(
            session=own, integration_id=integration_id, status=status, actor=WEBHOOK
        )

    # After the connection's read, the last before the vendor is asked to cancel.
    with a_colleague_meanwhile(session, reads(Integration), the_webhook):
        outcome = attempt_actions.cancel_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    assert outcome.message == "Cancelled. A fresh attempt is ready to send (attempt 2)."
    session.expire_all()
    states = session.exec(select(AssessmentAttempt.state).order_by(AssessmentAttempt.id)).all()
    assert states == [AttemptState.CANCELLED, AttemptState.READY_TO_SEND]
    lines = session.exec(
        select(ApplicationEvent.to_state).where(ApplicationEvent.attempt_id == attempt_id)
    ).all()
    assert lines.count(AttemptState.CANCELLED.value) == 1


def test_a_candidate_entering_a_stage_again_whose_hackerrank_test_expired_has_it_re_opened(session, sandbox):
    """helper-114: the re-attempt re-opened an expired HackerRank test, but a new attempt made by
    entering the stage again (or a one-off, or a changed test) still sent a fresh invitation,
    which HackerRank refuses beside the expired one: failed for good."""
    stage, expired = _expired_at_hackerrank(session, sandbox)
    applied = plans.stages_of(session, stage.job_id)[0]

    # In, out before it is sent (that attempt withdrawn, never at the vendor: helper-115), in again.
    for to in (applied, stage, applied, stage):
        moved = pipeline.move_application(
            session=session, application_id=expired.application_id, stage_id=to.id, actor=SYSTEM
        )
    outcome = assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)

    assert outcome.sent, outcome.message
    session.expire_all()
    again = session.get(AssessmentAttempt, moved.attempt_id)
    assert (again.retakes_attempt_id, again.state) == (expired.id, AttemptState.SENT)
    assert sandbox.stats("hackerrank")["invitations_created"] == 1


def test_two_people_moving_one_deadline_at_once_leave_the_vendors_and_the_waiting_clock(session, sandbox):
    """helper-141: each checked the deadline before asking the vendor and wrote it after, so the
    last to write won whatever the vendor kept; and an extension read as vendor news in the
    queue ("Waiting just now", out of Stuck)."""
    integration, (stage,) = vendor_test_stages(session, "hackerrank", "Data Engineer", deadline_days=5)
    attempt_id = enter_stage(session, stage)
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    sent = session.get(AssessmentAttempt, attempt_id)
    waiting_since = sent.updated_at
    further, nearer = (sent.expires_at + datetime.timedelta(days=days) for days in (15, 5))

    def extend(to: datetime.datetime):
        with new_session() as own:
            return attempt_actions.extend_deadline(
                session=own, attempt_id=attempt_id, expires_at=to, actor=SYSTEM
            )

    asked_before = sandbox.stats("hackerrank")["api_requests"]
    sandbox.faults("hackerrank", fail_next=[{"delay_ms": 1500}])  # the first to ask is answered last
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        first = pool.submit(extend, further)
        waited = time.monotonic()
        while sandbox.stats("hackerrank")["api_requests"] == asked_before:  # until its ask is held there
            assert time.monotonic() - waited < 10
            time.sleep(0.01)
        second = pool.submit(extend, nearer)
        outcomes = [first.result(), second.result()]

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt_id)
    at_vendor = provider_for(integration).fetch(kept.vendor_attempt_id, test_id=kept.vendor_test_id)
    # The second went through first; the first, answered last, is the vendor's and Assay's.
    assert kept.expires_at == at_vendor.expires_at == further.replace(microsecond=0)
    assert ["colleague" in o.message for o in outcomes] == [True, False], [o.message for o in outcomes]
    assert kept.updated_at == waiting_since


def test_a_rejected_candidates_invitation_left_open_is_not_resent(session, pipeline_with_assessment, sandbox):
    """helper-164: the vendor refused to withdraw the rejected candidate's test, so it stayed open;
    Resend (on their page, or a queue row drawn before the rejection) emailed it to them again."""
    attempt = _sent(session, pipeline_with_assessment)
    sandbox.faults(fail_next=[{"status": 400}])
    rejected_by_a_recruiter(session, attempt.application_id)

    [resend] = [a for a in attempt_actions.available_actions(session, attempt) if a.name == "resend"]
    with pytest.raises(UserError, match="They were rejected: their invitation is not sent again"):
        attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert not resend.enabled
    assert sandbox.stats()["invitations_resent"] == 0
