"""The queue page's state: its filters narrow the rows, a long bucket is paged, and it stays live."""

import asyncio

import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import accounts, assessments, matching, pipeline, plans
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import list_vendor_tests
from dashboard.states import live
from dashboard.states.queue import QueueState
from models import AssessmentAttempt, AttemptState, Role, UnmatchedResult, User
from providers.base import AttemptStatus, Progress
from tests.conftest import (
    enter_stage,
    failed_at_the_vendor,
    finished_in_stage,
    kept_for_matching,
    vendor_test_stages,
)
from tests.states.conftest import run_async, run_handler, substate, toast_level, watch_until


def _waiting_to_be_sent(session, job_id: int, stage_id: int, count: int, name: str) -> None:
    for n in range(count):
        application = pipeline.add_application(
            session=session,
            job_id=job_id,
            name=f"{name} {n}",
            email=f"{name.lower()}{n}@example.com",
            actor=SYSTEM,
        )
        pipeline.move_application(
            session=session, application_id=application.id, stage_id=stage_id, actor=SYSTEM
        )


def _data_engineer(session, p, stage_names: list[str]):
    """A second job, "Data Engineer", with a "Take-home" stage sending the connection's first test."""
    other = plans.create_job(session=session, title="Data Engineer", stage_names=stage_names)
    take_home = plans.add_assessment_stage(
        session=session,
        job_id=other.id,
        name="Take-home",
        integration_id=p.integration.id,
        vendor_test_id=list_vendor_tests(session=session, integration_id=p.integration.id)[0].id,
        vendor_test_name="SQL",
    )
    return other, take_home


def test_a_long_bucket_is_paged_and_every_filter_narrows_it(session, pipeline_with_assessment, signed_in_as):
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 150, "Backend")
    other, take_home = _data_engineer(session, p, ["Applied"])
    _waiting_to_be_sent(session, other.id, take_home.id, 2, "Data")
    root = signed_in_as(Role.RECRUITER)
    recruiter = session.exec(select(User).where(User.role == Role.RECRUITER)).one()
    accounts.set_job_member(session=session, user_id=recruiter.id, job_id=other.id, member=True)
    queue = substate(root, QueueState)

    run_async(run_handler(queue, "load"))
    first_page = [r.candidate_name for r in queue.rows]
    assert queue.more  # Next is offered (helper-124: it was never, the page one all anyone saw)
    run_async(run_handler(queue, "turn_page", True))
    second_page = [r.candidate_name for r in queue.rows]
    assert not queue.more

    assert len(first_page) == 100 and len(second_page) == 52
    assert not set(first_page) & set(second_page)
    assert queue.page_label == "101-152 of 152"

    run_async(run_handler(queue, "set_stage", "Take-home"))
    assert queue.offset == 0 and queue.page_label == ""  # a new filter starts at the first page
    assert sorted(r.candidate_name for r in queue.rows) == ["Data 0", "Data 1"]

    run_async(run_handler(queue, "set_stage", "all"))
    run_async(run_handler(queue, "set_member", str(recruiter.id)))
    assert {r.job_title for r in queue.rows} == {"Data Engineer"}

    run_async(run_handler(queue, "set_member", "all"))
    run_async(run_handler(queue, "turn_page", True))
    run_async(run_handler(queue, "turn_page", False))
    assert queue.page_label == "1-100 of 152"

    # On page two, a colleague sends 60 from page one: page two's rows stay where they are, and
    # those ticked stay ticked (helper-122: counted by offset, 40 of them slid onto page one, out of
    # sight and unticked without a word).
    run_async(run_handler(queue, "turn_page", True))
    second_page = [r.attempt_id for r in queue.rows]
    ticked = second_page[:3]
    for attempt_id in ticked:
        run_async(run_handler(queue, "toggle_selected", attempt_id))
    waiting = session.exec(
        select(AssessmentAttempt.id)
        .where(AssessmentAttempt.state == AttemptState.READY_TO_SEND)
        .order_by(AssessmentAttempt.updated_at, AssessmentAttempt.id)
    ).all()
    for attempt_id in waiting[:60]:
        assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    run_async(watch_until(queue, lambda: queue.total == 92))
    assert [r.attempt_id for r in queue.rows] == second_page
    assert (queue.page_label, queue.selected, queue.unticked) == ("41-92 of 92", ticked, "")

    # A ticked row a colleague sends leaves the selection, and the page says so.
    assessments.send_assessment(session=session, attempt_id=ticked[0], actor=SYSTEM)
    run_async(watch_until(queue, lambda: queue.total == 91))
    assert queue.selected == ticked[1:]
    assert queue.unticked == (
        "1 selected row left this page meanwhile (sent, moved on or changed, by a colleague or the vendor) "
        "and is no longer selected."
    )
    run_async(run_handler(queue, "toggle_selected", ticked[1]))
    assert queue.unticked == ""
    # The recruiter's own one-click send of a ticked row unticks it without a word (helper-125).
    run_async(run_handler(queue, "take_step", "send", ticked[2]))
    run_async(watch_until(queue, lambda: queue.total == 90))
    assert (queue.selected, queue.unticked) == ([], "")
    run_async(run_handler(queue, "turn_page", False))
    assert (queue.offset, queue.page_label, len(queue.rows)) == (0, "", 90)


def test_a_page_whose_every_row_was_sent_meanwhile_shows_the_last_page_left(
    session, pipeline_with_assessment, signed_in_as
):
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 230, "Backend")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    run_async(run_handler(queue, "turn_page", True))
    run_async(run_handler(queue, "turn_page", True))
    assert queue.page_label == "201-230 of 230"

    for row in queue.rows:
        assessments.send_assessment(session=session, attempt_id=row.attempt_id, actor=SYSTEM)
    run_async(watch_until(queue, lambda: queue.total == 200))

    assert (queue.page_label, len(queue.rows)) == ("101-200 of 200", 100)


def test_the_stage_list_offers_the_picked_jobs_stages_and_drops_another_jobs_stage(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: after picking a job, the Stage list still offered every job's stages."""
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 1, "Backend")
    other, take_home = _data_engineer(session, p, ["Applied", "Offer"])
    _waiting_to_be_sent(session, other.id, take_home.id, 1, "Data")
    queue = substate(signed_in_as(Role.ADMIN), QueueState)
    run_async(run_handler(queue, "load"))
    assert {"Take-home", p.assessment.name} <= set(queue.stage_names)  # all jobs: every job's stages

    run_async(run_handler(queue, "set_job_id", str(other.id)))
    assert queue.stage_names == ["Applied", "Offer", "Take-home"]
    run_async(run_handler(queue, "set_stage", "Take-home"))
    assert [r.candidate_name for r in queue.rows] == ["Data 0"]

    run_async(run_handler(queue, "set_job_id", str(p.job.id)))

    assert "Take-home" not in queue.stage_names and p.assessment.name in queue.stage_names
    assert queue.stage == "all"  # Data Engineer's stage is cleared, not kept hidden
    assert [r.candidate_name for r in queue.rows] == ["Backend 0"]


def test_a_result_kept_for_matching_elsewhere_shows_on_the_open_queue(session, screen, signed_in_as):
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    assert queue.unmatched == []

    status = AttemptStatus("unknown-7", Progress.COMPLETED, "completed", candidate_email="grace@example.com")
    matching.record(
        session=session, integration_id=screen.id, status=status, outcome=assessments.Applied.UNKNOWN
    )

    # No job changed: only the workspace revision tells the page (else it waits for its catch-up).
    run_async(watch_until(queue, lambda: len(queue.unmatched) == 1, timeout=live.CATCH_UP_S / 2))
    assert queue.unmatched[0].candidate_email == "grace@example.com"


def _one_waiting_to_be_sent(session, p, signed_in_as):
    """A recruiter's loaded queue whose one row is the pipeline's candidate, moved into the assessment stage."""
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    (row,) = queue.rows
    return queue, row


def test_a_rows_step_is_taken_once_and_a_failing_one_frees_the_buttons(
    session, pipeline_with_assessment, sandbox, signed_in_as, caplog
):
    queue, row = _one_waiting_to_be_sent(session, pipeline_with_assessment, signed_in_as)

    said = run_async(run_handler(queue, "take_step", row.step, row.attempt_id))

    assert "sent to Ada Lovelace" in repr(said) and queue.stepping == 0 and queue.rows == []
    run_async(run_handler(queue, "pick_bucket", "awaiting"))
    (row,) = queue.rows
    assert row.step == "resend"
    requests = sandbox.stats()["api_requests"]
    first = run_async(run_handler(queue, "take_step", "resend", row.attempt_id))
    again = run_async(run_handler(queue, "take_step", "resend", row.attempt_id))  # a double click
    assert "Invitation resent" in repr(first) and "a moment ago" in repr(again)
    assert sandbox.stats()["api_requests"] == requests + 1

    # The database in trouble: the error is logged and told, and the buttons are usable again.
    session.exec(sa.text("UPDATE assessmentattempt SET resent_at = NULL"))  # a Resend a minute on
    session.exec(sa.text("ALTER TABLE applicationevent RENAME TO applicationevent_away"))
    session.commit()
    said = run_async(run_handler(queue, "take_step", "resend", row.attempt_id))
    assert "did not go through" in repr(said) and queue.stepping == 0
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"queue step resend on attempt {row.attempt_id} failed"
    ]
    caplog.clear()  # the one error this test provokes


def test_a_send_the_vendor_would_answer_with_another_jobs_invitation_offers_a_re_attempt_in_place(
    session, sandbox, signed_in_as
):
    """iMocha's invite is idempotent per email: the queue does not send, and offers a re-attempt."""
    _integration, (first_stage, second_stage) = vendor_test_stages(session, "imocha", "Backend", "Platform")
    attempt_ids = [
        finished_in_stage(session, sandbox, first_stage, "imocha").id,
        enter_stage(session, second_stage),
    ]
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    (row,) = queue.rows

    said = run_async(run_handler(queue, "take_step", row.step, row.attempt_id))

    assert row.attempt_id == attempt_ids[1] and queue.stepping == 0
    assert (queue.earlier_attempt_id, queue.earlier_for_attempt_id) == tuple(attempt_ids)
    assert queue.earlier_not_now == ""  # the finished test can be re-taken
    assert "already has" in queue.earlier_message and "Backend application" in queue.earlier_message
    assert not any("toast" in repr(update) for update in said)  # the dialog asks; no error toast
    assert session.get(AssessmentAttempt, attempt_ids[1]).state == AttemptState.READY_TO_SEND
    assert sandbox.stats("imocha")["invitations_created"] == 1

    said = run_async(run_handler(queue, "reattempt_earlier"))

    second = session.get(AssessmentAttempt, attempt_ids[1])
    session.refresh(second)
    assert queue.earlier_attempt_id == 0 and queue.stepping == 0 and "toast" in repr(said)
    assert second.state == AttemptState.SENT and second.retakes_attempt_id == attempt_ids[0]
    assert sandbox.stats("imocha")["invitations_created"] == 2
    assert queue.rows == []  # nothing left to send
    # A second click, queued behind the first (helper-130: it re-attempted the test just sent,
    # and told of an error after the re-attempt had gone).
    said = run_async(run_handler(queue, "reattempt_earlier"))
    assert "toast" not in repr(said) and sandbox.stats("imocha")["invitations_created"] == 2


def test_while_the_earlier_invitation_is_still_open_the_choice_says_why_no_re_attempt_yet(
    session, sandbox, signed_in_as
):
    _integration, (first_stage, second_stage) = vendor_test_stages(session, "imocha", "Backend", "Platform")
    first_id = enter_stage(session, first_stage)
    assessments.send_assessment(session=session, attempt_id=first_id, actor=SYSTEM)  # sent, not taken
    second_id = enter_stage(session, second_stage)
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))

    run_async(run_handler(queue, "take_step", "send", second_id))

    assert (queue.earlier_attempt_id, queue.earlier_for_attempt_id) == (first_id, second_id)
    assert queue.earlier_not_now == "Only a finished attempt can be re-taken; this one is sent."
    assert session.get(AssessmentAttempt, second_id).state == AttemptState.READY_TO_SEND
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_a_send_the_vendor_refuses_is_told_as_an_error_not_as_information(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    queue, row = _one_waiting_to_be_sent(session, pipeline_with_assessment, signed_in_as)
    sandbox.faults(fail_next=[{"status": 422}])

    said = run_async(run_handler(queue, "take_step", "send", row.attempt_id))

    (toast,) = [update for update in said if toast_level(update)]  # then the focus moves on
    assert "Not sent" in repr(toast) and toast_level(toast) == "error"


def test_a_bulk_send_counts_only_what_was_sent_and_says_how_many_were_not(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 3, "Bulk")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    run_async(run_handler(queue, "select_all", True))
    sandbox.faults(fail_next=[{"status": 422}])  # the vendor refuses the first of the three

    run_async(run_handler(queue, "send_selected"))

    assert sandbox.stats()["invitations_created"] == 2
    assert queue.progress_label == "Sent 2 of 3; 1 not sent"
    assert queue.results[0].startswith("Bulk 0: Not sent: ")

    run_async(run_handler(queue, "send_selected"))  # Send clicked twice: the second finds none selected

    assert queue.progress_label == "Sent 2 of 3; 1 not sent"  # helper-122: the report was wiped
    assert len(queue.results) == 3


def test_a_bulk_send_stops_once_its_sender_is_deactivated(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-154: the sender was checked once, at the start: deactivated (or signed out in another
    tab) while the emails went one by one, they went on inviting candidates in that name."""
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 3, "Bulk")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    run_async(run_handler(queue, "select_all", True))
    recruiter = session.exec(select(User).where(User.email == "recruiter@example.com")).one()

    async def send_then_deactivated_after_the_first() -> None:
        sending = type(queue).event_handlers["send_selected"].fn(queue)
        await anext(sending)  # the progress bar drawn
        await anext(sending)  # the first email sent
        await asyncio.to_thread(
            lambda: accounts.set_active(session=session, user_id=recruiter.id, active=False)
        )
        _ = [update async for update in sending]

    run_async(send_then_deactivated_after_the_first())

    assert sandbox.stats()["invitations_created"] == 1
    assert queue.results[-1] == "Stopped: you can no longer send tests; 2 not sent."
    assert not queue.sending


def test_setting_a_vendor_result_aside_asks_first_naming_it(session, screen, signed_in_as):
    kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    kept_for_matching(session, screen, "not-ours-2", "alan@example.com")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    grace, alan = queue.unmatched

    run_async(run_handler(queue, "ask_dismiss", grace.id))
    assert queue.dismiss_id == grace.id
    assert "not-ours-1" in queue.dismiss_what and "grace@example.com" in queue.dismiss_what
    assert len(matching.open_items(session)) == 2  # only asked: nothing set aside yet
    run_async(run_handler(queue, "set_dismiss_open", False))  # Back
    assert queue.dismiss_id == 0 and len(queue.unmatched) == 2

    run_async(run_handler(queue, "ask_dismiss", grace.id))
    [said] = run_async(run_handler(queue, "dismiss", queue.dismiss_id))  # the dialog's "Set aside"
    assert toast_level(said) == "success" and "not-ours-1" in repr(said)
    assert [u.id for u in queue.unmatched] == [alan.id] and queue.dismiss_id == 0


def test_setting_aside_a_result_gone_or_resolved_meanwhile_is_told_not_raised(session, screen, signed_in_as):
    kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    [grace] = queue.unmatched

    [said] = run_async(run_handler(queue, "dismiss", grace.id + 4242))  # a page older than the database
    assert toast_level(said) == "error" and "no longer exists" in repr(said)

    matching.dismiss(session=session, unmatched_id=grace.id, actor=SYSTEM)  # another recruiter, meanwhile
    [said] = run_async(run_handler(queue, "dismiss", grace.id))
    assert toast_level(said) == "error" and "already" in repr(said)
    assert queue.unmatched == []
    [kept] = session.exec(select(UnmatchedResult)).all()
    assert kept.resolved_by == SYSTEM.label  # not overwritten by the second click


def test_a_result_set_aside_by_mistake_is_restored_to_needs_matching(session, screen, signed_in_as):
    """Setting aside had no undo: the result left the queue for good."""
    kept_for_matching(session, screen, "not-ours-1", "grace@example.com")
    kept_for_matching(session, screen, "not-ours-2", "alan@example.com")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    grace, alan = queue.unmatched
    run_async(run_handler(queue, "ask_dismiss", grace.id))
    run_async(run_handler(queue, "dismiss", queue.dismiss_id))
    assert (queue.set_aside_count, [u.id for u in queue.set_aside]) == (1, [grace.id])
    assert queue.set_aside[0].by == "recruiter"  # who set it aside, beside it

    run_async(run_handler(queue, "toggle_set_aside"))  # "Set aside (1)"
    assert queue.showing_set_aside
    [said] = run_async(run_handler(queue, "restore", grace.id))

    assert toast_level(said) == "success" and "Restored not-ours-1 (grace@example.com)" in repr(said)
    assert [u.id for u in queue.unmatched] == [grace.id, alan.id]
    assert (queue.set_aside_count, queue.set_aside) == (0, [])
    [said] = run_async(run_handler(queue, "restore", grace.id))  # a second click, from a stale page
    assert toast_level(said) == "error" and "already waiting to be matched" in repr(said)
    assert len(queue.unmatched) == 2


def test_a_hiring_manager_is_not_shown_results_set_aside(session, screen, signed_in_as):
    kept = kept_for_matching(session, screen, "not-ours-1")
    matching.dismiss(session=session, unmatched_id=kept.id, actor=SYSTEM)
    queue = substate(signed_in_as(Role.HIRING_MANAGER), QueueState)
    run_async(run_handler(queue, "load"))

    assert (queue.set_aside_count, queue.set_aside) == (0, [])


def test_a_retry_of_a_failure_the_vendor_reported_is_refused_with_why_as_its_button_says(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The row's button is drawn disabled; a queue open from before the vendor's word still asked."""
    p = pipeline_with_assessment
    attempt = failed_at_the_vendor(session, p)
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)

    said = [update for update in run_async(run_handler(queue, "take_step", "retry", attempt.id)) if update]

    assert "a retry cannot change it" in repr(said) and "Already up to date" not in repr(said)
    session.refresh(attempt)
    assert attempt.state == AttemptState.ERROR


def test_a_bucket_emptied_by_a_filter_or_search_says_so_not_that_nothing_waits(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: a search that found no one (or yesterday's, kept with the page) showed
    the green "Nothing in this bucket.", as if every test had been sent, while 2 waited."""
    p = pipeline_with_assessment
    _waiting_to_be_sent(session, p.job.id, p.assessment.id, 2, "Backend")
    queue = substate(signed_in_as(Role.RECRUITER), QueueState)
    run_async(run_handler(queue, "load"))
    assert queue.empty_words == "Nothing in this bucket."

    queue.search = "nobody by that name"
    run_async(run_handler(queue, "apply_search"))

    assert queue.rows == []
    assert queue.empty_words == "No one in Needs sending matches the search."
    run_async(run_handler(queue, "set_stage", "Onsite"))
    assert queue.empty_words == "No one in Needs sending matches the filters and the search."

    run_async(run_handler(queue, "clear_filters"))

    assert (queue.search, queue.stage, queue.empty_words) == ("", "all", "Nothing in this bucket.")
    assert len(queue.rows) == 2


def test_a_send_that_failed_says_where_its_row_went_to_be_retried(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: the vendor down, Send said "Not sent: CoderPad Screen failed (503); try
    again shortly." and the row left Needs sending, its Send with it: where to try again, not said."""
    queue, row = _one_waiting_to_be_sent(session, pipeline_with_assessment, signed_in_as)
    sandbox.faults(fail_next=[{"status": 503}] * 6)

    said = run_async(run_handler(queue, "take_step", "send", row.attempt_id))

    (toast,) = [update for update in said if toast_level(update)]
    assert "Not sent: " in str(toast) and "It waits under Failed." in str(toast)
    assert queue.rows == []
    run_async(run_handler(queue, "pick_bucket", "failed"))
    assert [(r.attempt_id, r.step) for r in queue.rows] == [(row.attempt_id, "retry")]
