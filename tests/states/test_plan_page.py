"""The plan page's state: deleting a stage moves its candidates as a move on the board would."""

from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

from dashboard.services import plans
from dashboard.states.plan import PlanState
from models import ApplicationEvent, AssessmentAttempt, AttemptState, Gating, Role
from tests.states.conftest import run_async, run_handler, substate


def test_candidates_of_a_deleted_stage_moved_into_an_auto_send_stage_are_sent_its_test(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Deleting Applied with its candidates going to a stage that sends its test on entry put
    them there with no test opened, none sent and nothing in the queue: they waited for nothing."""
    p = pipeline_with_assessment
    plans.configure_stage(
        session=session,
        stage_id=p.assessment.id,
        send_automatically=True,
        gating=Gating.ALL,
        deadline_days=None,
    )
    root = signed_in_as(Role.RECRUITER)
    root.router = RouterData(url=ReflexURL(f"http://localhost:3000/jobs/{p.job.id}/plan"))
    page = substate(root, PlanState)
    run_async(run_handler(page, "load"))

    run_async(run_handler(page, "ask_delete", p.applied.id))
    run_async(run_handler(page, "set_delete_target", str(p.assessment.id)))
    [toast] = run_async(run_handler(page, "confirm_delete"))

    [attempt] = session.exec(select(AssessmentAttempt)).all()
    assert (attempt.state, attempt.stage_id) == (AttemptState.SENT, p.assessment.id)
    assert sandbox.stats()["invitations_created"] == 1
    assert "Stage deleted. 1 application(s) moved to CoderPad assessment. Sent 1 of 1" in repr(toast), toast
    summaries = [e.summary for e in session.exec(select(ApplicationEvent))]
    assert "Moved from Applied to CoderPad assessment (stage deleted)" in summaries
