"""The plan page's state: deleting a stage moves its candidates as a move on the board would;
removing a stage's test asks first, saying what it changes for candidates; the page is live,
and a colleague's edit leaves the editor the viewer has open alone."""

import asyncio

from sqlmodel import select

from dashboard.services import accounts, pipeline, plans, review
from dashboard.services.actors import SYSTEM, user
from dashboard.services.integrations import list_vendor_tests
from dashboard.states.plan import PlanState
from models import (
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Gating,
    Role,
    Stage,
    StageAssessment,
    StageKind,
    User,
    new_session,
)
from tests.conftest import enter_stage, rejected_by_a_recruiter, send_test
from tests.states.conftest import follow, plan_page, run_async, run_handler, substate, visit, watch_until


def _sends_on_entry(session, stage_id: int) -> None:
    plans.configure_stage(
        session=session, stage_id=stage_id, send_automatically=True, gating=Gating.ALL, deadline_days=None
    )


def test_candidates_of_a_deleted_stage_moved_into_an_auto_send_stage_are_sent_its_test(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Deleting Applied with its candidates going to a stage that sends its test on entry put
    them there with no test opened, none sent and nothing in the queue: they waited for nothing."""
    p = pipeline_with_assessment
    _sends_on_entry(session, p.assessment.id)
    page = plan_page(signed_in_as, p.job.id)

    run_async(run_handler(page, "ask_delete", p.applied.id))
    run_async(run_handler(page, "set_delete_target", str(p.assessment.id)))
    [toast] = run_async(run_handler(page, "confirm_delete"))

    [attempt] = session.exec(select(AssessmentAttempt)).all()
    assert (attempt.state, attempt.stage_id) == (AttemptState.SENT, p.assessment.id)
    assert sandbox.stats()["invitations_created"] == 1
    said = "Stage deleted. 1 application moved to CoderPad assessment. Sent 1 of 1 assessment."
    assert said in repr(toast), toast
    summaries = [e.summary for e in session.exec(select(ApplicationEvent))]
    assert "Moved from Applied to CoderPad assessment (stage deleted)" in summaries


def test_the_delete_question_says_the_stage_chosen_for_its_candidates_sends_them_its_test(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: the question said only "They move to the stage you choose; assessments
    already sent keep their results", and choosing a stage that sends its test on entry emailed
    every candidate of the deleted stage a test without a word before it."""
    p = pipeline_with_assessment
    test_name = plans.tests_of(session, p.assessment.id)[0].vendor_test_name
    page = plan_page(signed_in_as, p.job.id)
    run_async(run_handler(page, "ask_delete", p.applied.id))

    run_async(run_handler(page, "set_delete_target", str(p.onsite.id)))
    assert page.delete_target_sends == ""  # a regular stage sends nothing

    run_async(run_handler(page, "set_delete_target", str(p.assessment.id)))
    assert page.delete_target_sends == (
        f"CoderPad assessment sends {test_name}: for them it waits in the queue's Needs sending."
    )

    _sends_on_entry(session, p.assessment.id)
    run_async(run_handler(page, "load"))  # the page opened afresh
    run_async(run_handler(page, "ask_delete", p.applied.id))
    run_async(run_handler(page, "set_delete_target", str(p.assessment.id)))
    assert page.delete_target_sends == (
        f"CoderPad assessment sends {test_name} automatically on entry: they are sent it as they arrive."
    )


def test_adding_a_test_to_a_stage_with_candidates_says_they_are_not_sent_it(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: a test added to a stage with candidates in it (auto-send on, too) reached
    none of them: no attempt, nothing in the queue, nothing on their cards; the toast said only
    that it was added, and the recruiter waited for results that were never asked for."""
    p = pipeline_with_assessment  # Ada is in Applied
    page = plan_page(signed_in_as, p.job.id)
    [opening] = run_async(run_handler(page, "open_add_test", p.applied.id, "Applied", False))
    follow(page, opening)
    [toast] = run_async(run_handler(page, "add_test"))

    assert "The 1 candidate already in Applied is not sent it" in repr(toast), toast
    assert session.exec(select(AssessmentAttempt)).all() == []  # as said: nothing opened for Ada


def _open_plan(root, p) -> PlanState:
    """The plan page of the pipeline's job, loaded, with the watch its load starts."""
    visit(root, f"http://localhost:3000/jobs/{p.job.id}/plan")
    page = substate(root, PlanState)
    assert run_async(run_handler(page, "load")) == [PlanState.watch]  # the load starts the watch
    return page


def _colleague(edit) -> None:
    """A colleague's edit, in a session of their own (another tab, another worker)."""
    with new_session() as session:
        edit(session)


def _names(page: PlanState) -> list[str]:
    return [s.name for s in page.plan.stages]


def _while_watched(page: PlanState, edit, done) -> None:
    """The colleague edits while the page's watch runs; returns once ``done()`` holds."""

    async def scenario():
        editing = asyncio.create_task(asyncio.to_thread(_colleague, edit))
        await watch_until(page, done)
        await editing

    run_async(scenario())


def test_an_open_plan_shows_a_colleagues_edit_without_a_reload(pipeline_with_assessment, signed_in_as):
    """The page changed only when reloaded: two recruiters editing one plan undid each other."""
    p = pipeline_with_assessment
    page = _open_plan(signed_in_as(Role.RECRUITER), p)
    assert _names(page) == ["Applied", "CoderPad assessment", "Onsite"]

    _while_watched(
        page,
        lambda s: plans.move_stage(session=s, stage_id=p.onsite.id, position=0),
        lambda: _names(page) == ["Onsite", "Applied", "CoderPad assessment"],
    )
    _while_watched(
        page,
        lambda s: plans.configure_stage(
            session=s,
            stage_id=p.assessment.id,
            send_automatically=True,
            gating=Gating.ANY,
            deadline_days=None,
        ),
        lambda: (page.plan.stages[2].auto_send, page.plan.stages[2].gating) == (True, "any"),
    )


def test_the_name_box_being_typed_in_keeps_its_text_while_the_rest_refreshes(
    pipeline_with_assessment, signed_in_as
):
    """A colleague renaming the stage whose box the viewer is in redraws every other part of the
    page; the box is drawn by the name it started from, so what the viewer typed stays. Leaving it
    unchanged then keeps the colleague's name instead of writing the old one back."""
    p = pipeline_with_assessment
    page = _open_plan(signed_in_as(Role.RECRUITER), p)
    run_async(run_handler(page, "start_rename", p.onsite.id))

    _while_watched(
        page,
        lambda s: plans.rename_stage(session=s, stage_id=p.onsite.id, name="Final interview"),
        lambda: _names(page)[2] == "Final interview",
    )
    assert (page.renaming_stage_id, page.renaming_from) == (p.onsite.id, "Onsite")  # the box's key stays

    run_async(run_handler(page, "rename", p.onsite.id, "Onsite"))  # left the box untouched

    assert _names(page)[2] == "Final interview" and page.renaming_stage_id == 0  # redrawn with theirs


def test_a_stage_a_colleague_deletes_under_an_open_editor_is_said_so(pipeline_with_assessment, signed_in_as):
    """Renaming, adding a test to or deleting a stage a colleague has just deleted failed with
    'That stage no longer exists.' at best; the page now says what happened as soon as it happens."""
    p = pipeline_with_assessment
    page = _open_plan(signed_in_as(Role.RECRUITER), p)
    run_async(run_handler(page, "start_rename", p.onsite.id))
    run_async(run_handler(page, "ask_delete", p.onsite.id))

    _while_watched(
        page,
        lambda s: plans.delete_stage(session=s, stage_id=p.onsite.id, move_to_stage_id=None, actor=SYSTEM),
        lambda: "Onsite" not in _names(page),
    )

    assert page.notice == "A colleague deleted the stage Onsite while you were renaming it."
    assert page.renaming_stage_id == 0
    assert page.delete_stage_gone  # the open delete question says the stage is gone already
    [toast] = run_async(run_handler(page, "confirm_delete"))
    assert "already" in repr(toast) and "Onsite" in repr(toast), toast


def test_the_add_test_dialog_of_a_deleted_stage_says_so(pipeline_with_assessment, signed_in_as):
    p = pipeline_with_assessment
    page = _open_plan(signed_in_as(Role.RECRUITER), p)
    run_async(run_handler(page, "open_add_test", p.onsite.id, "Onsite", False))

    _while_watched(
        page,
        lambda s: plans.delete_stage(session=s, stage_id=p.onsite.id, move_to_stage_id=None, actor=SYSTEM),
        lambda: page.test_stage_gone,
    )

    assert page.test_stage_id == p.onsite.id  # the dialog stays open, saying why nothing can be added


def test_the_delete_question_follows_the_plan_it_asks_about(pipeline_with_assessment, signed_in_as):
    """Its count of applications and its choice of where they go come from the plan as it now is:
    a target stage a colleague deleted is not offered (confirming would have been refused)."""
    p = pipeline_with_assessment
    page = _open_plan(signed_in_as(Role.RECRUITER), p)
    run_async(run_handler(page, "ask_delete", p.applied.id))
    run_async(run_handler(page, "set_delete_target", str(p.onsite.id)))
    assert page.delete_count == 1

    _while_watched(
        page,
        lambda s: plans.delete_stage(session=s, stage_id=p.onsite.id, move_to_stage_id=None, actor=SYSTEM),
        lambda: "Onsite" not in _names(page),
    )

    assert (page.delete_stage_id, page.delete_target) == (p.applied.id, str(p.assessment.id))
    assert not page.delete_stage_gone


def test_removing_a_stage_test_asks_first_naming_it_and_what_stays_for_candidates(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The x beside a stage's test removed it at once: no question, and no word on its candidates."""
    p = pipeline_with_assessment
    send_test(session, p.assessment, p.application)  # Ada has it, sent
    enter_stage(session, p.assessment, name="Grace", email="grace@example.com")  # Grace's waits to be sent
    # Hedy's waits too, but she is rejected: sent nothing, in no queue (helper-113: counted there).
    hedy = enter_stage(session, p.assessment, name="Hedy", email="hedy@example.com")
    rejected_by_a_recruiter(session, session.get(AssessmentAttempt, hedy).application_id)
    page = plan_page(signed_in_as, p.job.id)
    [test] = next(s for s in page.plan.stages if s.id == p.assessment.id).tests

    run_async(run_handler(page, "ask_remove_test", test.id))

    assert session.get(StageAssessment, test.id) is not None  # only asked: nothing removed yet
    assert page.remove_test_id == test.id
    assert (page.remove_test_name, page.remove_test_stage) == (test.name, "CoderPad assessment")
    assert page.remove_test_text == (
        "Candidates who enter CoderPad assessment from now on no longer get it in the queue to send. "
        "Assessments of it already sent stay with their candidates and keep their results "
        "(1 not finished yet); 1 not sent yet stay in the queue's Needs sending. "
        "It is CoderPad assessment's only test: the stage becomes a regular stage, with no assessment to send; "
        "its settings start afresh should a test be added again."
    )
    run_async(run_handler(page, "set_remove_test_open", False))  # Keep the test (or Escape)
    assert page.remove_test_id == 0 and session.get(StageAssessment, test.id) is not None

    run_async(run_handler(page, "ask_remove_test", test.id))
    [toast] = run_async(run_handler(page, "confirm_remove_test"))  # the question's Remove

    session.expire_all()
    assert f"{test.name} removed from CoderPad assessment." in repr(toast)
    assert session.get(StageAssessment, test.id) is None and page.remove_test_id == 0
    assert session.get(type(p.assessment), p.assessment.id).kind == StageKind.REGULAR
    states = sorted(a.state for a in session.exec(select(AssessmentAttempt)))
    # What candidates had, they keep (Hedy's too, should her rejection be undone).
    assert states == [AttemptState.READY_TO_SEND, AttemptState.READY_TO_SEND, AttemptState.SENT]
    assert sandbox.stats()["invitations_created"] == 1


def test_a_stage_that_sends_on_entry_says_it_stops_sending_the_test_automatically(
    session, pipeline_with_assessment, signed_in_as
):
    """A stage with a second test stays an assessment stage: no word of it becoming regular."""
    p = pipeline_with_assessment
    second = list_vendor_tests(session=session, integration_id=p.integration.id)[1]
    plans.add_stage_test(
        session=session,
        stage_id=p.assessment.id,
        integration_id=p.integration.id,
        vendor_test_id=second.id,
        vendor_test_name=second.name,
    )
    _sends_on_entry(session, p.assessment.id)
    page = plan_page(signed_in_as, p.job.id)
    test, _second = next(s for s in page.plan.stages if s.id == p.assessment.id).tests

    run_async(run_handler(page, "ask_remove_test", test.id))

    assert "only test" not in page.remove_test_text
    assert page.remove_test_text.startswith(
        "Candidates who enter CoderPad assessment from now on are no longer sent it automatically."
    )
    assert "(0 not finished yet); 0 not sent yet" in page.remove_test_text


def test_removing_a_test_removed_meanwhile_in_another_tab_is_told_not_raised(
    session, pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    page = plan_page(signed_in_as, p.job.id)
    [test] = next(s for s in page.plan.stages if s.id == p.assessment.id).tests
    plans.remove_stage_test(session=session, stage_test_id=test.id)

    [toast] = run_async(run_handler(page, "ask_remove_test", test.id))

    assert "That test is no longer part of the stage." in repr(toast) and page.remove_test_id == 0
    assert all(s.tests == [] for s in page.plan.stages)  # the page shows the plan as it is now


def test_new_stages_go_where_the_recruiter_places_them_and_two_in_a_row_keep_their_order(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a first-day walk: a stage added on the plan page always went last, after Offer,
    and was moved up one click at a time."""
    p = pipeline_with_assessment
    page = plan_page(signed_in_as, p.job.id)
    assert page.new_stage_after == "end"

    run_async(run_handler(page, "set_new_stage_after", str(p.assessment.id)))
    for name in ("Take-home", "Team lunch"):
        page.new_stage_name = name
        run_async(run_handler(page, "add_stage"))
    page.new_stage_name = "Reference check"
    run_async(run_handler(page, "set_new_stage_after", "end"))
    run_async(run_handler(page, "add_stage"))

    assert [s.name for s in page.plan.stages] == [
        "Applied",
        "CoderPad assessment",
        "Take-home",
        "Team lunch",
        "Onsite",
        "Reference check",
    ]
    run_async(run_handler(page, "set_new_stage_after", str(p.applied.id)))
    plans.delete_stage(session=session, stage_id=p.applied.id, move_to_stage_id=p.assessment.id, actor=SYSTEM)
    run_async(run_handler(page, "load"))
    assert page.new_stage_after == "end"  # the stage it would follow is gone: not a choice naming nothing


def test_turning_on_sending_on_entry_says_the_tests_already_waiting_are_not_sent_by_it(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Seen by a walk: the tests waiting in Needs sending for candidates already in the stage stay
    unsent when "send automatically" is turned on, and the toast said only "Stage settings saved."."""
    p = pipeline_with_assessment
    enter_stage(session, p.assessment, name="Grace", email="grace@example.com")
    page = plan_page(signed_in_as, p.job.id)
    form = {"stage_id": str(p.assessment.id), "gating": "all", "send_automatically": "on"}

    said = run_async(run_handler(page, "save_settings", form))
    again = run_async(run_handler(page, "save_settings", form))  # on already: nothing to say

    assert "The 1 test already waiting in Needs sending for this stage is not sent by this" in repr(said)
    assert "Stage settings saved." in repr(again) and "waiting" not in repr(again)
    assert sandbox.stats()["invitations_created"] == 0


def test_a_hiring_manager_reads_their_jobs_plan_and_is_refused_every_change(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: a hiring manager deciding on candidates opened their job's plan and got
    only words that it was the recruiters' to change; they could not see the stages their
    candidates go through, nor the tests each sends. They read it now; a change stays refused."""
    p = pipeline_with_assessment
    root = signed_in_as(Role.HIRING_MANAGER)
    manager = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
    accounts.set_job_member(session=session, user_id=manager.id, job_id=p.job.id, member=True)
    page = _open_plan(root, p)

    assert (page.error, _names(page)) == ("", ["Applied", "CoderPad assessment", "Onsite"])
    [test] = page.plan.stages[1].tests
    assert test.vendor_name != ""

    [refusal] = run_async(run_handler(page, "rename", p.applied.id, "Sourced"))
    assert "cannot do this" in repr(refusal)
    [refusal] = run_async(run_handler(page, "ask_delete", p.onsite.id))
    assert "cannot do this" in repr(refusal) and page.delete_stage_id == 0
    session.expire_all()
    assert session.get(Stage, p.applied.id).name == "Applied"  # not renamed


def test_a_hiring_manager_is_not_shown_the_plan_of_a_job_not_theirs(pipeline_with_assessment, signed_in_as):
    """Reading a plan is seeing a job: a job whose hiring team they are not on stays closed."""
    page = _open_plan(signed_in_as(Role.HIRING_MANAGER), pipeline_with_assessment)

    assert (page.error, page.plan.stages) == ("You are not on the hiring team of this job.", [])


def _rejected_in_applied(session, p) -> None:
    """Grace applies beside Ada and is rejected: her card stays in Applied, marked Rejected."""
    grace = pipeline.add_application(
        session=session, job_id=p.job.id, name="Grace", email="grace@example.com", actor=SYSTEM
    )
    rita, _ = accounts.create_user(
        session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
    )
    review.reject(
        session=session,
        application_id=grace.id,
        reason=review.REJECTION_REASONS[0],
        note="",
        expected_version=grace.decision_version,
        actor=user(rita.id, rita.name),
    )


def test_the_plans_counts_leave_out_rejected_candidates_who_are_sent_nothing(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: a test added to Applied, holding Ada and the rejected Grace, said "The 2
    candidates already in Applied are not sent it: send it from the application page", and
    Grace's page refuses a rejected candidate any test. The delete question counted her as well."""
    p = pipeline_with_assessment
    _rejected_in_applied(session, p)
    page = plan_page(signed_in_as, p.job.id)
    assert (page.plan.stages[0].applications, page.plan.stages[0].rejected) == (1, 1)
    [opening] = run_async(run_handler(page, "open_add_test", p.applied.id, "Applied", False))
    follow(page, opening)
    [toast] = run_async(run_handler(page, "add_test"))

    assert "The 1 candidate already in Applied is not sent it" in repr(toast), toast

    run_async(run_handler(page, "ask_delete", p.applied.id))
    assert (page.delete_count, page.delete_rejected) == (1, 1)
    assert page.delete_moving == (
        "1 application is in this stage, and 1 rejected. They move to the stage you choose; "
        "assessments already sent keep their results."
    )
    page.delete_count = 0  # Ada moved on: Grace alone is left, and still has to go somewhere
    assert page.delete_moving.startswith("1 rejected application is in this stage. It moves to the stage")
