"""Moving applications through the plan: what happens to a stage's tests when a candidate leaves it."""

from sqlmodel import select

from dashboard.services import assessments, pipeline, queue_view
from dashboard.services.actors import SYSTEM
from models import ApplicationEvent, AssessmentAttempt, AttemptState


def _attempt(session, attempt_id: int) -> AssessmentAttempt:
    session.expire_all()
    return session.get(AssessmentAttempt, attempt_id)


def test_leaving_a_stage_withdraws_its_unsent_test_and_keeps_a_sent_one(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    entered = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    [unsent] = entered.attempt_ids

    left = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    assert _attempt(session, unsent).state == AttemptState.CANCELLED
    assert "Withdrew 1 unsent assessment(s) of CoderPad assessment." in left.message
    assert queue_view.rows(session, "needs_sending") == []  # nothing waits for a stage they left
    summaries = [e.summary for e in session.exec(select(ApplicationEvent).order_by(ApplicationEvent.id))]
    assert any("withdrawn before it was sent" in s for s in summaries)

    back = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    [fresh] = back.attempt_ids
    assert fresh != unsent and _attempt(session, fresh).state == AttemptState.READY_TO_SEND
    assessments.send_assessment(session=session, attempt_id=fresh, actor=SYSTEM)

    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
    )

    assert _attempt(session, fresh).state == AttemptState.SENT  # the candidate may still take it
    assert sandbox.stats()["invitations_created"] == 1
