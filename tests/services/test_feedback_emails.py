"""The candidate's result email: about the test just finished, and never "we come back to you" once rejected."""

from sqlmodel import select

from dashboard.services import assessments, reopening, review
from dashboard.services.actors import SYSTEM, user
from models import Application, AssessmentAttempt, Notification, OutboxMessage, User
from models.lifecycle import FINISHED_STATES
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.conftest import (
    a_colleague_meanwhile,
    go_services_sent,
    interview_in_two_days,
    link_pads,
    rejected_by_a_recruiter,
    send_test,
)


def _reported(session, p, attempt, progress: Progress, score: float | None = None) -> None:
    status = AttemptStatus(
        attempt.vendor_attempt_id,
        progress,
        progress.value,
        result=AssessmentResult(score_percent=score) if score is not None else None,
    )
    assessments.apply_vendor_status(
        session=session, integration_id=p.integration.id, status=status, actor=SYSTEM
    )


def _to_ada(session) -> list[str]:
    return list(
        session.exec(
            select(OutboxMessage.body)
            .where(OutboxMessage.to_address == "ada@example.com")
            .order_by(OutboxMessage.id)
        )
    )


def _finished_while_rejected(session, p) -> AssessmentAttempt:
    """Ada, her job telling candidates their results, rejected while taking her test, then finished it."""
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="{test}: {next_step}")
    attempt = send_test(session, p.assessment, p.application)
    _reported(session, p, attempt, Progress.STARTED)
    rejected_by_a_recruiter(session, p.application.id)
    _reported(session, p, attempt, Progress.COMPLETED, 64.0)
    return attempt


def test_a_rejected_candidate_who_finishes_a_test_is_not_told_the_team_will_come_back(
    session, pipeline_with_assessment
):
    """helper-116: Ada, rejected while taking her test, finished it, and was emailed "the team
    reviews your result and comes back to you"; the team was asked to review it."""
    _finished_while_rejected(session, pipeline_with_assessment)

    assert not [body for body in _to_ada(session) if "comes back to you" in body]
    assert session.exec(select(Notification).where(Notification.kind == "needs_review")).all() == []


def _undo_the_rejection(session, application_id: int) -> None:
    rita = session.exec(select(User).where(User.email == "rita@example.com")).one()
    reopening.reopen(
        session=session,
        application_id=application_id,
        expected_version=session.get(Application, application_id).decision_version,
        actor=user(rita.id, rita.name),
    )


def test_a_test_finished_while_rejected_is_told_once_the_rejection_is_undone(
    session, pipeline_with_assessment
):
    """helper-119: Ada finished her test while rejected, so no one was asked to review it and she
    was not told it arrived; undone, the rejection left her result waiting with no word to anyone."""
    p = pipeline_with_assessment
    attempt = _finished_while_rejected(session, p)

    _undo_the_rejection(session, p.application.id)

    needs_review = session.exec(select(Notification).where(Notification.kind == "needs_review")).all()
    assert [n.message for n in needs_review] == [
        f"Ada Lovelace's {attempt.vendor_test_name} is complete and needs review (Backend Engineer)."
    ]
    told = [body for body in _to_ada(session) if "comes back to you" in body]
    assert told == [f"{attempt.vendor_test_name}: the team reviews your result and comes back to you."]


def test_a_result_applied_as_the_rejection_is_undone_is_told(session, pipeline_with_assessment):
    """helper-123: a sweep read Ada's application while she was rejected, and asked the vendor; the
    rejection was undone meanwhile, before her result landed (so the undo found nothing to tell),
    and the result, read against the application as the sweep held it, was told to no one."""
    p = pipeline_with_assessment
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="{test}: {next_step}")
    attempt = send_test(session, p.assessment, p.application)
    _reported(session, p, attempt, Progress.STARTED)
    rejected_by_a_recruiter(session, p.application.id)  # this session holds the application rejected
    application_id = p.application.id

    def result_looked_up(state) -> bool:
        return state.is_select and "FROM assessmentattempt" in str(state.statement)

    with a_colleague_meanwhile(
        session, result_looked_up, lambda own: _undo_the_rejection(own, application_id)
    ):
        _reported(session, p, attempt, Progress.COMPLETED, 64.0)

    assert len(session.exec(select(Notification).where(Notification.kind == "needs_review")).all()) == 1
    assert [body for body in _to_ada(session) if "comes back to you" in body]


def test_a_candidate_told_of_the_rejection_is_not_told_their_result_is_reviewed_once_it_is_undone(
    session, pipeline_with_assessment
):
    p = pipeline_with_assessment
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="{test}: {next_step}")
    go_services_sent(session, p)
    go_services = session.exec(select(AssessmentAttempt)).one()
    _reported(session, p, go_services, Progress.COMPLETED, 81.0)
    attempt = send_test(session, p.assessment, p.application)
    _reported(session, p, attempt, Progress.STARTED)
    rejected_by_a_recruiter(session, p.application.id)
    [rejection_email] = [m for m in session.exec(select(OutboxMessage)) if "not continue" in m.body]
    rejection_email.sent_at = rejection_email.created_at  # the mail server took it
    session.add(rejection_email)
    session.commit()
    _reported(session, p, attempt, Progress.COMPLETED, 64.0)

    _undo_the_rejection(session, p.application.id)

    needs_review = session.exec(select(Notification).where(Notification.kind == "needs_review")).all()
    assert len(needs_review) == 2  # Go Services' before the rejection, the stage's test's now
    assert [body for body in _to_ada(session) if "comes back to you" in body] == [
        "Go Services: the team reviews your result and comes back to you."
    ]


def test_each_result_email_tells_of_the_test_just_finished(session, pipeline_with_assessment):
    """helper-116: Ada finished a second test first, then the stage's: one email, about the second
    test, went; the stage's own result was taken for it again (one key) and never told."""
    p = pipeline_with_assessment
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="{test}: {band}")
    stage_test = send_test(session, p.assessment, p.application)
    go_services_sent(session, p)
    second = session.exec(select(AssessmentAttempt).where(AssessmentAttempt.id != stage_test.id)).one()

    _reported(session, p, second, Progress.COMPLETED, 95.0)
    _reported(session, p, stage_test, Progress.COMPLETED, 20.0)

    told = _to_ada(session)
    assert [body.split(":")[0] for body in told] == ["Go Services", "Backend Engineer (Python)"]


def test_an_interview_rooms_end_is_no_result_to_tell_and_a_rejection_tells_of_the_test(
    session, pipeline_with_assessment, sandbox
):
    """helper-166: the room of Ada's interview ending emailed her "Thank you for taking the Pairing
    room... the team reviews your result", and her rejection's email told of the room, not her test."""
    p = pipeline_with_assessment
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="{test}: {next_step}")
    stage_test = send_test(session, p.assessment, p.application)
    _reported(session, p, stage_test, Progress.COMPLETED, 85.0)
    pads, room_name = link_pads(session, p.assessment.id)
    interview = interview_in_two_days(session, p.application.id)
    room = session.get(AssessmentAttempt, interview.attempt_id)
    ended = AttemptStatus(room.vendor_attempt_id, Progress.COMPLETED, "ended")
    assessments.apply_vendor_status(session=session, integration_id=pads.id, status=ended, actor=SYSTEM)
    rejected_by_a_recruiter(session, p.application.id)

    told = _to_ada(session)
    assert told == [
        f"{stage_test.vendor_test_name}: the team reviews your result and comes back to you.",
        f"{stage_test.vendor_test_name}: we will not continue with your application this time.",
    ]
    assert session.get(AssessmentAttempt, room.id).state in FINISHED_STATES  # the room's end applied
    assert room_name not in " ".join(told)
