"""The application page's state: the interview boxes empty once an interview is scheduled, and what was
typed for one candidate stays on their page."""

import asyncio
import datetime
import types

import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import (
    accounts,
    assessments,
    corrections,
    interviews,
    pipeline,
    plans,
    reopening,
    review,
    sync,
    views,
)
from dashboard.services.actors import SYSTEM, user
from dashboard.states.application import ApplicationState, _interview_time
from models import (
    Application,
    ApplicationEvent,
    ApplicationNote,
    AssessmentAttempt,
    AttemptState,
    Interview,
    Role,
    User,
    new_session,
)
from tests.conftest import (
    enter_stage,
    failed_at_the_vendor,
    finished_in_stage,
    send_test,
    taken_at_vendor,
    vendor_test_stages,
)
from tests.states.conftest import run_async, run_handler, substate, toast_level, visit, watch_until


def _application_page(p, signed_in_as) -> ApplicationState:
    """The page of ``p``'s application (``p``: a Pipeline, or an attempt)."""
    application_id = p.application_id if isinstance(p, AssessmentAttempt) else p.application.id
    root = signed_in_as(Role.RECRUITER)
    visit(root, f"http://localhost:3000/applications/{application_id}")
    page = substate(root, ApplicationState)
    run_async(run_handler(page, "load"))
    return page


def test_a_scheduled_interview_empties_the_boxes_and_a_refused_one_keeps_them(
    session, pipeline_with_assessment, signed_in_as
):
    page = _application_page(pipeline_with_assessment, signed_in_as)
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")

    page.interview_at, page.interviewers = later, "Grace Hopper, " + "Y" * 300
    run_async(run_handler(page, "schedule"))
    assert (page.interview_at, page.interviewers) == (later, "Grace Hopper, " + "Y" * 300)  # to correct

    page.interviewers = "Grace Hopper, Alan Kay"
    run_async(run_handler(page, "schedule"))
    assert (page.interview_at, page.interviewers) == ("", "")  # a second click schedules nothing
    run_async(run_handler(page, "schedule"))

    assert len(session.exec(select(Interview)).all()) == 1
    assert [i.interviewers for i in page.application.interviews] == ["Grace Hopper, Alan Kay"]


def test_an_interview_typed_with_a_date_alone_asks_for_its_time_not_booked_at_midnight(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: "2026-12-07" in the Interview time box booked the interview at 00:00 UTC,
    "Interview scheduled." and all; the time forgotten, the panel was invited for midnight."""
    page = _application_page(pipeline_with_assessment, signed_in_as)
    day = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d")
    page.interview_at, page.interviewers = day, "Grace Hopper"

    [toast] = run_async(run_handler(page, "schedule"))

    assert toast_level(toast) == "error"
    assert "Add the time the interview starts (HH:MM, UTC) after the date." in repr(toast)
    assert (page.interview_at, page.interviewers) == (day, "Grace Hopper")  # kept, to add the time
    assert session.exec(select(Interview)).all() == []


def test_an_interview_time_pasted_with_a_tab_between_date_and_time_is_taken():
    """Found in a review: a date and time pasted from a spreadsheet (a tab between them) was read
    with its time, and then refused as a date alone."""
    assert _interview_time("2026-12-07\t10:30") == datetime.datetime(2026, 12, 7, 10, 30, tzinfo=datetime.UTC)


def test_a_note_typed_for_one_candidate_does_not_follow_to_the_next_candidates_page(
    session, pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    page = _application_page(p, signed_in_as)
    page.note, page.interviewers, page.interview_at = "Ada asked for a higher salary", "Grace", "2030-01-02"
    page.rejecting = True  # the reject dialog left open when the recruiter went back in the browser
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Alan Turing", email="alan@example.com", actor=SYSTEM
    )

    visit(page, f"http://localhost:3000/applications/{other.id}")
    run_async(run_handler(page, "load"))  # the same tab, on to Alan's application

    assert page.application.candidate_name == "Alan Turing"
    assert (page.note, page.interviewers, page.interview_at, page.rejecting) == ("", "", "", False)

    # Alan's page loaded again (a reconnect): what was typed for him stays, to be saved.
    page.note = "Alan can start in March"
    run_async(run_handler(page, "load"))
    assert page.note == "Alan can start in March"
    assert session.exec(select(ApplicationNote)).all() == []


def test_the_next_candidates_page_shows_a_spinner_not_the_last_candidate_while_it_loads(
    session, pipeline_with_assessment, signed_in_as
):
    """Opening Alan's application from Ada's drew Ada's name and buttons until Alan's arrived."""
    p = pipeline_with_assessment
    page = _application_page(p, signed_in_as)
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Alan Turing", email="alan@example.com", actor=SYSTEM
    )
    visit(page, f"http://localhost:3000/applications/{other.id}")

    async def first_update_then_the_rest():
        loading = type(page).event_handlers["load"].fn(page)
        await anext(loading)  # what the browser is sent first
        first = (page.loaded, page.application.candidate_name)
        async for _ in loading:
            pass
        return first

    assert run_async(first_update_then_the_rest()) == (False, "")
    assert (page.loaded, page.application.candidate_name) == (True, "Alan Turing")


def test_an_action_that_fails_unexpectedly_is_told_and_frees_the_buttons(
    session, pipeline_with_assessment, sandbox, signed_in_as, caplog
):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    page = _application_page(p, signed_in_as)

    # The database in trouble mid-click: the error is logged and told, and the buttons work again.
    session.exec(sa.text("ALTER TABLE applicationevent RENAME TO applicationevent_away"))
    session.commit()
    said = run_async(run_handler(page, "run", "resend", moved.attempt_id))

    assert "did not go through" in repr(said) and page.busy is False
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"an action on application {p.application.id} failed"
    ]
    caplog.clear()  # the one error this test provokes


def test_a_refused_deadline_keeps_the_dialog_open_with_the_date_and_the_default_is_after_the_current_one(
    session, sandbox, signed_in_as
):
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Platform Engineer", deadline_days=30)
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    session.refresh(attempt)
    current = attempt.expires_at.replace(tzinfo=datetime.UTC)
    page = _application_page(attempt, signed_in_as)

    run_async(run_handler(page, "ask_extend", attempt.id))
    offered = datetime.datetime.strptime(page.extend_until, "%Y-%m-%d").replace(tzinfo=datetime.UTC)
    assert offered.date() > current.date()  # not today + 7, which the service would refuse

    too_soon = (current - datetime.timedelta(days=10)).strftime("%Y-%m-%d")
    page.extend_until = too_soon
    said = run_async(run_handler(page, "extend"))
    assert (page.extend_attempt_id, page.extend_until) == (attempt.id, too_soon)  # still open, to correct
    assert "later than the current one" in page.extend_error
    assert "later than the current one" not in repr(said)  # the dialog says it; a toast said it twice

    page.extend_until = "next tuesday"
    said = run_async(run_handler(page, "extend"))
    assert page.extend_error and page.extend_error not in repr(said)

    page.extend_until = offered.strftime("%Y-%m-%d")
    run_async(run_handler(page, "extend"))
    session.refresh(attempt)
    assert page.extend_attempt_id == 0 and page.extend_error == ""
    assert attempt.expires_at.replace(tzinfo=datetime.UTC) > current


def test_a_failure_the_vendor_reported_offers_retry_disabled_with_why_as_the_queue_does(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    attempt = failed_at_the_vendor(session, p)
    assert attempt.state == AttemptState.ERROR and not attempt.error_retryable
    page = _application_page(p, signed_in_as)

    [shown] = page.application.attempts
    [retry] = [a for a in shown.actions if a.name == "retry"]  # one Retry, among the actions only
    assert retry.applicable and not retry.enabled and "a retry cannot change it" in retry.reason

    [toast] = run_async(run_handler(page, "run", "retry", attempt.id))  # a page open from before
    assert "a retry cannot change it" in str(toast) and "Already up to date" not in str(toast)


def test_a_cancelled_attempt_says_when_it_was_cancelled(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """A cancelled attempt showed when it was sent and nothing of when it was cancelled: the
    moment the cancellation was recorded in the history is shown beside "Sent"."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    page = _application_page(p, signed_in_as)

    run_async(run_handler(page, "ask", "cancel", attempt.id, attempt.vendor_test_name))
    run_async(run_handler(page, "confirm"))
    cancelled = session.exec(
        select(ApplicationEvent).where(
            ApplicationEvent.attempt_id == attempt.id,
            ApplicationEvent.to_state == AttemptState.CANCELLED.value,
        )
    ).one()
    # Recorded the morning after it was sent, say: the page says that moment, not the sending's.
    cancelled.at = attempt.sent_at + datetime.timedelta(hours=20)
    session.add(cancelled)
    session.commit()
    run_async(run_handler(page, "load"))

    by_id = {a.id: a for a in page.application.attempts}
    assert by_id[attempt.id].status_label == "Cancelled"
    assert by_id[attempt.id].cancelled_at == views.when(cancelled.at)
    assert by_id[attempt.id].cancelled_at != by_id[attempt.id].sent_at
    [fresh] = [a for a in by_id.values() if a.id != attempt.id]  # ready to send again: not cancelled
    assert fresh.cancelled_at == ""


def test_cancelling_an_unsent_test_asks_without_promising_a_fresh_attempt(
    session, pipeline_with_assessment, signed_in_as
):
    """The question said "The candidate's link stops working; a fresh attempt will be ready to send"
    of a test never sent: there was no link, and Cancel then readied the same test again."""
    p = pipeline_with_assessment
    attempt_id = enter_stage(session, p.assessment, name="Linus", email="linus@example.com")
    page = _application_page(session.get(AssessmentAttempt, attempt_id), signed_in_as)

    run_async(run_handler(page, "ask", "cancel", attempt_id, "Python"))
    assert page.confirm_unsent
    run_async(run_handler(page, "confirm"))

    assert [(a.state, a.id) for a in page.application.attempts] == [("cancelled", attempt_id)]

    # Re-attempted, it is sent for the first time: the question said "Send Python again".
    run_async(run_handler(page, "ask", "reattempt", attempt_id, "Python"))
    assert page.confirm_never_sent


def test_advancing_says_what_the_move_did_and_a_test_not_sent_is_an_error(session, sandbox, signed_in_as):
    """Found by a walk: "Advance to" toasted "Done." whatever the move did, even when the next stage's
    test, sent on entry, was refused ("Not sent: ..."), which the board tells as an error."""
    _integration, (backend, platform) = vendor_test_stages(
        session, "imocha", "Backend", "Platform", send_automatically=True
    )
    finished_in_stage(session, sandbox, backend, "imocha")  # iMocha would hand Ada's invitation back
    again = pipeline.add_application(
        session=session, job_id=platform.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )
    page = _application_page(types.SimpleNamespace(application=again), signed_in_as)

    [toast] = run_async(run_handler(page, "advance"))

    assert toast_level(toast) == "error" and "Not sent: Ada already has" in repr(toast)
    assert page.application.stage_name == platform.name


def test_the_reject_dialog_says_the_open_test_will_be_withdrawn_and_rejecting_withdraws_it(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: rejecting left the candidate's sent test open at the vendor, and the dialog
    said nothing of it; now it says so before the click, and the toast says what was done."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    page = _application_page(p, signed_in_as)

    run_async(run_handler(page, "set_rejecting", True))
    said = list(page.reject_also)
    page.reject_reason = "Other"
    [toast] = run_async(run_handler(page, "reject"))

    assert said == [f"Their open CoderPad Screen test, {attempt.vendor_test_name}, will be withdrawn."]
    assert toast_level(toast) == "success" and "Withdrawn at the vendor" in repr(toast)
    assert [a.state for a in page.application.attempts] == ["cancelled"]


def test_a_rejection_is_undone_after_the_question_and_the_page_shows_the_candidate_active(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: a candidate rejected by mistake stayed rejected; the page offered no way back."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    page = _application_page(p, signed_in_as)
    run_async(run_handler(page, "set_rejecting", True))
    page.reject_reason = "Other"
    run_async(run_handler(page, "reject"))

    run_async(run_handler(page, "set_undoing_rejection", True))
    said = list(page.undo_stays)
    [toast] = run_async(run_handler(page, "undo_rejection"))

    assert said[0].startswith(
        f"Withdrawn at the vendor since they were rejected, and staying withdrawn: {attempt.vendor_test_name}."
    )
    assert toast_level(toast) == "success" and "Ada Lovelace is active again" in repr(toast)
    assert (page.undoing_rejection, page.application.rejected) == (False, "")
    assert page.application.stage_name == "CoderPad assessment"
    assert page.application.history[0].summary.startswith("Rejection undone (Other)")


COLLEAGUE = user(2, "Bea Colleague")


def _a_colleague_while_the_page_is_live(page: ApplicationState, change, shown) -> None:
    """A colleague's ``change`` (given a session of their own) while the page's watch runs, until
    the page ``shown()`` it."""

    def colleague():
        with new_session() as theirs:
            change(theirs)

    async def scenario():
        changing = asyncio.create_task(asyncio.to_thread(colleague))
        await watch_until(page, shown)
        await changing

    run_async(scenario())


def test_a_rejection_confirmed_after_a_colleague_decided_is_refused_not_made_over_it(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-140: the page refreshes behind the open dialog, and the rejection took the version
    read at the click, so it undid a colleague's advance (and withdrew what the next stage sent)
    that the dialog never showed. Undoing a rejection alike."""
    p = pipeline_with_assessment
    send_test(session, p.assessment, p.application)
    page = _application_page(p, signed_in_as)
    run_async(run_handler(page, "set_rejecting", True))
    page.reject_reason = "Other"

    _a_colleague_while_the_page_is_live(
        page,
        lambda s: review.advance(
            session=s,
            application_id=p.application.id,
            expected_version=s.get(Application, p.application.id).decision_version,
            seen_in=p.assessment.id,
            actor=COLLEAGUE,
        ),
        lambda: page.application.stage_name == p.onsite.name,
    )
    [refused] = run_async(run_handler(page, "reject"))

    assert toast_level(refused) == "error"
    assert not session.get(Application, p.application.id, populate_existing=True).rejected_at

    run_async(run_handler(page, "set_rejecting", True))
    page.reject_reason = "Other"
    run_async(run_handler(page, "reject"))  # on what the dialog showed: made
    run_async(run_handler(page, "set_undoing_rejection", True))

    def undone_and_rejected_again(s):  # for a reason of their own
        version = s.get(Application, p.application.id).decision_version
        reopening.reopen(
            session=s, application_id=p.application.id, expected_version=version, actor=COLLEAGUE
        )
        review.reject(
            session=s,
            application_id=p.application.id,
            reason="Candidate withdrew",
            note="",
            expected_version=s.get(Application, p.application.id).decision_version,
            actor=COLLEAGUE,
        )

    _a_colleague_while_the_page_is_live(
        page, undone_and_rejected_again, lambda: "withdrew" in page.application.rejected
    )
    [undo_refused] = run_async(run_handler(page, "undo_rejection"))

    assert toast_level(undo_refused) == "error"
    assert (
        session.get(Application, p.application.id, populate_existing=True).rejection_reason
        == "Candidate withdrew"
    )


def test_the_reject_dialog_names_the_upcoming_interview_and_the_page_shows_it_cancelled(
    session, pipeline_with_assessment, signed_in_as
):
    page = _application_page(pipeline_with_assessment, signed_in_as)
    page.interview_at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime(
        "%Y-%m-%d 15:00"
    )
    page.interviewers = "Grace Hopper"
    run_async(run_handler(page, "schedule"))

    run_async(run_handler(page, "set_rejecting", True))
    said = list(page.reject_also)
    page.reject_reason = "Other"
    [toast] = run_async(run_handler(page, "reject"))

    assert said == [
        f"Their interview on {page.application.interviews[0].at} with Grace Hopper will be cancelled; tell the interviewers."
    ]
    assert "Interviews cancelled" in repr(toast)
    assert page.application.interviews[0].status.startswith("Cancelled ")


def test_a_hiring_manager_acts_on_no_assessment_of_a_job_not_theirs(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found in a review: the page checked the job of its own copy of the application. A load
    refused (a job not theirs) left that copy empty, job 0, and the job went unchecked; and an
    assessment id sent by hand was never matched to the page's application."""
    p = pipeline_with_assessment
    finished = taken_at_vendor(session, sandbox, p)  # in p.job, not theirs
    sync.sync_integration(session=session, integration_id=finished.integration_id)
    session.refresh(finished)
    assert finished.state == AttemptState.COMPLETED
    theirs = plans.create_job(session=session, title="Their Job", stage_names=["Applied"])
    their_application = pipeline.add_application(
        session=session, job_id=theirs.id, name="Mine", email="mine@example.com", actor=SYSTEM
    )
    root = signed_in_as(Role.HIRING_MANAGER)
    manager = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
    accounts.set_job_member(session=session, user_id=manager.id, job_id=theirs.id, member=True)

    for application_id in (finished.application_id, their_application.id):  # refused; their own
        visit(root, f"http://localhost:3000/applications/{application_id}")
        page = substate(root, ApplicationState)
        run_async(run_handler(page, "load"))
        [said] = run_async(run_handler(page, "mark_reviewed", finished.id))
        assert toast_level(said) == "error"

    session.expire_all()
    assert session.get(AssessmentAttempt, finished.id).state == AttemptState.COMPLETED


def test_a_correction_refused_keeps_the_dialog_open_with_what_was_typed_and_a_saved_one_shows_everywhere(
    session, sandbox, signed_in_as
):
    _hackerrank, (stage,) = vendor_test_stages(session, "hackerrank", "Platform Engineer")
    attempt = session.get(AssessmentAttempt, enter_stage(session, stage, email="ada@exmaple.com"))
    assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    pipeline.add_application(
        session=session, job_id=stage.job_id, name="Grace", email="grace@example.com", actor=SYSTEM
    )
    page = _application_page(attempt, signed_in_as)

    run_async(run_handler(page, "ask_correction"))
    assert (page.correcting, page.correct_name, page.correct_email) == (True, "Ada", "ada@exmaple.com")
    page.correct_email = "grace@example.com"
    said = run_async(run_handler(page, "correct"))
    assert (page.correcting, page.correct_email) == (True, "grace@example.com")  # open, to fix
    assert "already Grace's address" in page.correct_error
    assert page.correct_error not in repr(said)  # the dialog says it; a toast said it twice

    page.correct_name, page.correct_email = "Ada Lovelace", "ada@example.com"
    [said] = run_async(run_handler(page, "correct"))

    assert toast_level(said) == "success" and "send it again to reach ada@example.com" in repr(said)
    assert (page.correcting, page.correct_error) == (False, "")
    assert (page.application.candidate_name, page.application.candidate_email) == (
        "Ada Lovelace",
        "ada@example.com",
    )
    assert page.application.attempts[0].sent_to_before == "ada@exmaple.com"
    assert page.application.history[0].summary.startswith("Corrected: name Ada → Ada Lovelace")


def test_a_hiring_manager_corrects_no_candidate(session, pipeline_with_assessment, signed_in_as):
    p = pipeline_with_assessment
    root = signed_in_as(Role.HIRING_MANAGER)
    manager = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
    accounts.set_job_member(session=session, user_id=manager.id, job_id=p.job.id, member=True)
    visit(root, f"http://localhost:3000/applications/{p.application.id}")
    page = substate(root, ApplicationState)
    run_async(run_handler(page, "load"))
    page.correct_name, page.correct_email = "Mallory", "mallory@example.com"

    run_async(run_handler(page, "correct"))

    session.expire_all()
    assert views.application(session, p.application.id).candidate_email == "ada@example.com"


def test_a_correction_saved_over_a_colleague_s_made_meanwhile_is_refused_and_theirs_stays(
    session, pipeline_with_assessment, signed_in_as
):
    """Found in a review: a dialog open while a colleague fixed the typo wrote its own, stale,
    address back on saving a name fix, sending unsent emails to the typo again."""
    p = pipeline_with_assessment
    page = _application_page(p, signed_in_as)
    run_async(run_handler(page, "ask_correction"))
    corrections.correct_candidate(
        session=session,
        application_id=p.application.id,
        name="Ada Lovelace",
        email="ada.l@example.com",
        actor=SYSTEM,
    )

    page.correct_name = "Ada King"
    run_async(run_handler(page, "correct"))

    assert "was corrected by someone else meanwhile" in page.correct_error
    session.expire_all()
    assert views.application(session, p.application.id).candidate_email == "ada.l@example.com"
    assert views.application(session, p.application.id).candidate_name == "Ada Lovelace"


def test_a_rejection_sent_without_its_dialog_opened_on_this_application_is_refused_in_those_words(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-142: sent without the dialog (or with it opened on the page before), it was refused
    as "someone decided on this application while you were looking", which nobody had."""
    page = _application_page(pipeline_with_assessment, signed_in_as)
    page.reject_reason = "Other"

    [refused] = run_async(run_handler(page, "reject"))

    assert toast_level(refused) == "error" and "Open the dialog again" in repr(refused)
    assert not session.get(Application, pipeline_with_assessment.application.id).rejected_at


def test_a_hiring_manager_is_not_given_the_link_to_a_candidate_s_test(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-154: every role's page held the candidate's own test link (shown, and offered for
    copying): a hiring manager opening it could start the candidate's test in their name. The
    recruiter, who sends tests, still has it."""
    p = pipeline_with_assessment
    sent = send_test(session, p.assessment, p.application)
    assert sent.test_url
    pages = {}
    for role in (Role.RECRUITER, Role.HIRING_MANAGER):
        root = signed_in_as(role)
        if role == Role.HIRING_MANAGER:
            manager = session.exec(select(User).where(User.role == role)).one()
            accounts.set_job_member(session=session, user_id=manager.id, job_id=p.job.id, member=True)
        visit(root, f"http://localhost:3000/applications/{p.application.id}")
        pages[role] = substate(root, ApplicationState)
        run_async(run_handler(pages[role], "load"))

    assert [a.test_url for a in pages[Role.RECRUITER].application.attempts] == [sent.test_url]
    assert [a.test_url for a in pages[Role.HIRING_MANAGER].application.attempts] == [""]


def test_a_candidate_s_page_acts_on_no_other_candidate_s_interview_or_deadline(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-154: the page called off whichever interview id it was sent, and opened the deadline
    dialog on whichever attempt: another candidate's interview was cancelled from this page, its
    line written in that candidate's history."""
    p = pipeline_with_assessment
    other = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bo", email="bo@example.com", actor=SYSTEM
    )
    theirs = interviews.schedule_interview(
        session=session,
        application_id=other.id,
        scheduled_for=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2),
        interviewers="Grace Hopper",
        actor=SYSTEM,
    )
    their_test = send_test(session, p.assessment, other)
    page = _application_page(p, signed_in_as)  # Ada's page

    run_async(run_handler(page, "ask_cancel_interview", theirs.id, "theirs", ""))
    [said] = run_async(run_handler(page, "cancel_interview"))
    [refused] = run_async(run_handler(page, "ask_extend", their_test.id))

    session.expire_all()
    assert toast_level(said) == "error" and "not this candidate's" in repr(said)
    assert session.get(Interview, theirs.id).cancelled_at is None
    assert toast_level(refused) == "error" and page.extend_attempt_id == 0
