"""The review page's state: rows reach the browser a page at a time, in order; a crash never pauses it;
no shortcut acts behind a dialog; a rule switches on only as its dry run showed."""

import asyncio
import base64
import csv
import datetime
import io
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import (
    accounts,
    actors,
    assessments,
    board_view,
    plans,
    queue_view,
    review,
    sync,
    views,
)
from dashboard.services.integrations import list_vendor_tests
from dashboard.states import review as review_state
from dashboard.states.review import ReviewState
from models import Application, ApplicationNote, AssessmentAttempt, Role, User, new_session
from tests.conftest import rejected_by_a_recruiter, retaken, scored, send_test, send_to_applicants
from tests.states.conftest import run_async, run_handler, substate, toast_level, visit, watch_until


def _review_page(
    session,
    p,
    sandbox,
    signed_in_as,
    *,
    results: int,
    role: Role = Role.RECRUITER,
    minutes_worked: tuple[float, ...] = (),
) -> ReviewState:
    """A recruiter's (or ``role``'s) review page of the job, loaded, with ``results`` submitted tests synced in.

    With ``minutes_worked``, each candidate in turn submits that long after starting (on the sandbox's clock).
    """
    for n, attempt in enumerate(send_to_applicants(session, p.assessment, results)):
        if n < len(minutes_worked):
            started = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1)
            sandbox.stop_clock(started)
            sandbox.start(attempt.vendor_attempt_id)
            sandbox.stop_clock(started + datetime.timedelta(minutes=minutes_worked[n]))
            sandbox.submit(attempt.vendor_attempt_id)
            sandbox.stop_clock(None)
            continue
        sandbox.start(attempt.vendor_attempt_id)
        sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    root = signed_in_as(role)
    visit(root, f"http://localhost:3000/jobs/{p.job.id}/review")
    page = substate(root, ReviewState)
    run_async(run_handler(page, "load"))
    return page


def _advance_in_view(page):
    """The a key's or the Advance button's event: the result in view, as the page read it."""
    return run_handler(page, "advance", page.in_view.attempt_id, page.in_view.decision_version)


def _managers_review_page(session, signed_in_as, job_id: int) -> tuple[ReviewState, User]:
    """The job's review page, loaded by a hiring manager on its hiring team; and that manager."""
    root = signed_in_as(Role.HIRING_MANAGER)
    manager = session.exec(select(User).where(User.role == Role.HIRING_MANAGER)).one()
    accounts.set_job_member(session=session, user_id=manager.id, job_id=job_id, member=True)
    visit(root, f"http://localhost:3000/jobs/{job_id}/review")
    page = substate(root, ReviewState)
    run_async(run_handler(page, "load"))
    return page, manager


def test_the_browser_gets_the_first_rows_and_a_decision_brings_the_next_in(
    session, pipeline_with_assessment, sandbox, signed_in_as, monkeypatch
):
    monkeypatch.setattr(review_state, "SHOWN_AT_MOST", 2)
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)

    shown = [r.candidate_name for r in page.rows]
    assert page.matching == 3 and len(shown) == 2  # the best two scores, the list's order

    run_async(_advance_in_view(page))

    assert page.matching == 2
    assert page.rows[0].candidate_name == shown[1]
    assert len(page.rows) == 2  # the third came in


def test_the_chart_counts_each_candidate_once_and_marks_the_one_in_view(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)

    in_view = page.rows[page.cursor].score
    band = min(9, int(in_view // 10))
    assert sum(b["candidates"] + b["mark"] for b in page.bars) == 3  # every result once
    assert [b["mark"] for b in page.bars] == [1 if i == band else 0 for i in range(10)]


def test_the_chart_counts_exactly_the_rows_the_list_shows_under_each_filter(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: filtered down to one name, the list showed one result and the chart
    still counted the whole job's (and, under "needs review", those already decided)."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    scores = sorted(r.score for r in page.rows)  # C0, C1, C2: three different scores

    def charted() -> int:
        return sum(b["candidates"] + b["mark"] for b in page.bars)

    def apply(text: str = "", lowest: str = "") -> None:
        run_async(run_handler(page, "set_text_filter", text))
        run_async(run_handler(page, "set_min_score", lowest))
        run_async(run_handler(page, "apply_filter"))

    apply(text="C1")
    assert [r.candidate_name for r in page.rows] == ["C1"]
    assert charted() == 1  # C1, the one in view
    apply(text=" Ć1 ")  # accents, case and spacing aside, as the board's search
    assert [r.candidate_name for r in page.rows] == ["C1"]

    apply(lowest=f"{scores[1]:g}")
    assert page.matching == 2 and charted() == 2

    apply()
    run_async(_advance_in_view(page))  # decided: no longer waits for review, nor listed
    assert page.matching == 2 and charted() == 2

    run_async(run_handler(page, "set_show_all", True))  # every finished attempt, the decided one too
    assert page.matching == 3 and charted() == 3


def test_a_decision_that_fails_unexpectedly_leaves_the_page_live(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The page pauses its live refresh while a decision is in hand; a crash must not leave it paused."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=1)
    # The history table gone (a database in trouble): advancing fails with no message for a user.
    session.exec(sa.text("ALTER TABLE applicationevent RENAME TO applicationevent_away"))
    session.commit()

    with pytest.raises(sa.exc.DBAPIError):
        run_async(_advance_in_view(page))

    assert page.busy is False


def test_a_shortcut_pressed_while_a_dialog_is_open_changes_nothing(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The browser ignores shortcuts behind a dialog; one already on its way when the dialog opened
    (r then a, quickly) reaches the server after the r, which must ignore it too."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    in_view = page.in_view.candidate_name

    run_async(run_handler(page, "key", "r"))
    for key in "ajkn?":
        run_async(run_handler(page, "key", key))

    assert page.rejecting and not page.noting and not page.help_open
    assert page.in_view.candidate_name == in_view and page.matching == 3  # nobody moved, nobody advanced


def test_a_result_whose_candidate_moved_on_is_not_advanced_from_and_a_rejected_one_takes_no_decision(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: under "Show every finished attempt", a hiring manager on the screen
    result of a candidate advanced since to Onsite pressed a, and moved them on to Offer;
    on a rejected one, a was refused with "reopen the application", which nothing can do."""
    p = pipeline_with_assessment
    plans.add_stage(session=session, job_id=p.job.id, name="Offer")  # Onsite has a stage after it
    page = _review_page(session, p, sandbox, signed_in_as, results=3)
    advanced, rejected = page.rows[0], page.rows[1]
    run_async(_advance_in_view(page))
    run_async(run_handler(page, "set_reject_reason", "Position filled"))
    run_async(run_handler(page, "reject"))
    run_async(run_handler(page, "set_show_all", True))

    def stage_of(row) -> int:
        session.expire_all()
        return session.get(Application, row.application_id).stage_id

    moved_to = stage_of(advanced)
    page.cursor = [r.attempt_id for r in page.rows].index(advanced.attempt_id)
    run_async(run_handler(page, "key", "a"))
    run_async(_advance_in_view(page))  # what the a asks for, or the button
    assert stage_of(advanced) == moved_to  # still where the first decision put them
    assert page.in_view.advanceable is False  # no Advance shown
    run_async(run_handler(page, "key", "r"))
    assert page.rejecting  # rejecting a candidate who moved on is still theirs to do
    run_async(run_handler(page, "set_rejecting", False))

    page.cursor = [r.attempt_id for r in page.rows].index(rejected.attempt_id)
    assert page.in_view.advanceable is False
    said = run_async(_advance_in_view(page))
    assert "reopen" not in str(said) and "rejected" in str(said)
    run_async(run_handler(page, "key", "r"))
    assert not page.rejecting


def test_the_note_button_opens_an_empty_note_for_the_candidate_in_view(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: after a note saved on one candidate (or one typed and left with Back),
    Note (n) on the next opened with that text in the box, one click from saving it on them."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    run_async(run_handler(page, "set_noting", True))
    run_async(run_handler(page, "set_note", "Strong on SQL"))
    run_async(run_handler(page, "save_note"))
    run_async(run_handler(page, "key", "j"))
    run_async(run_handler(page, "set_noting", True))  # the Note (n) button

    assert page.noting and page.note == ""
    run_async(run_handler(page, "set_note", "Left unsaved"))
    run_async(run_handler(page, "set_noting", False))  # Back
    run_async(run_handler(page, "key", "j"))
    run_async(run_handler(page, "set_noting", True))
    assert page.note == ""


def test_a_note_closed_unsaved_reopens_with_its_text_and_a_second_save_adds_none(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-130: an Esc or a click outside the dialog threw a long note away (it reopened empty,
    for the same candidate); a second click on Save, queued behind the first, saved it twice."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    run_async(run_handler(page, "key", "n"))
    run_async(run_handler(page, "set_note", "Strong on SQL; ask about indexing"))
    run_async(run_handler(page, "set_noting", False))  # Esc
    run_async(run_handler(page, "set_noting", True))
    assert page.note == "Strong on SQL; ask about indexing"

    run_async(run_handler(page, "save_note"))
    run_async(run_handler(page, "save_note"))  # the second click

    application_id = page.rows[page.cursor].application_id
    session.expire_all()
    saved = session.exec(
        select(ApplicationNote).where(ApplicationNote.application_id == application_id)
    ).all()
    assert [n.text for n in saved] == ["Strong on SQL; ask about indexing"]


def _admin_review_page(session, p, sandbox, signed_in_as) -> ReviewState:
    """An admin's review page of a job with three results, the rule's stage picked."""
    page = _review_page(session, p, sandbox, signed_in_as, results=3, role=Role.ADMIN)
    assert page.rule_stage_id == str(p.assessment.id)
    return page


def _type(page: ReviewState, threshold: str, floor: str = "") -> None:
    run_async(run_handler(page, "set_rule_threshold", threshold))
    run_async(run_handler(page, "set_rule_floor", floor))


def test_switch_on_turns_on_exactly_the_thresholds_the_dry_run_showed(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    page = _admin_review_page(session, p, sandbox, signed_in_as)

    _type(page, "60")
    run_async(run_handler(page, "dry_run"))
    assert "would have advanced" in page.dry_run_text
    _type(page, "100")
    assert page.dry_run_text == "" and page.dry_run_names == []  # Switch on is disabled

    said = run_async(run_handler(page, "switch_rule", True))  # a click the disabled button let through
    session.refresh(p.assessment)
    assert p.assessment.advance_at is None and "Dry run" in repr(said)

    # A box changed without its change reaching the handler first (a stale or forged event):
    # the handler compares the boxes with the last dry run itself.
    _type(page, "60")
    run_async(run_handler(page, "dry_run"))
    page.rule_threshold = "100"
    said = run_async(run_handler(page, "switch_rule", True))
    session.refresh(p.assessment)
    assert p.assessment.advance_at is None and "Dry run" in repr(said)
    assert page.dry_run_text == ""  # and the answer about 60 is no longer shown

    _type(page, "60", "40")
    run_async(run_handler(page, "dry_run"))
    said = run_async(run_handler(page, "switch_rule", True))
    session.refresh(p.assessment)
    assert (p.assessment.advance_at, p.assessment.review_from) == (60, 40) and "switched on" in repr(said)
    assert page.rule_on


def test_a_dry_run_refused_clears_the_one_shown_before(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    page = _admin_review_page(session, pipeline_with_assessment, sandbox, signed_in_as)

    for threshold, floor in (("140", ""), ("eighty", ""), ("50", "70")):
        _type(page, "80", "50")
        run_async(run_handler(page, "dry_run"))
        assert page.dry_run_text
        page.rule_threshold, page.rule_floor = threshold, floor  # as if typed while the answer was on its way
        run_async(run_handler(page, "dry_run"))
        assert page.dry_run_text == "" and page.dry_run_names == [], (threshold, floor)


def test_switch_off_says_so_when_the_stage_has_no_rule(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    p = pipeline_with_assessment
    page = _admin_review_page(session, p, sandbox, signed_in_as)

    said = run_async(run_handler(page, "switch_rule", False))

    assert "no rule" in repr(said) and "switched off" not in repr(said)
    assert not page.rule_on  # the button is disabled


def test_a_hiring_manager_cannot_dry_run_another_jobs_stage_from_their_page(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The stage picked is the browser's word: a stage id of another job, sent from the page of
    their own, gave a hiring manager the names of that job's candidates."""
    p = pipeline_with_assessment
    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    test = list_vendor_tests(session=session, integration_id=p.integration.id)[0]
    elsewhere = plans.add_assessment_stage(
        session=session,
        job_id=other.id,
        name="Data test",
        integration_id=p.integration.id,
        vendor_test_id=test.id,
        vendor_test_name=test.name,
    )
    for attempt in send_to_applicants(session, elsewhere, 2):
        sandbox.start(attempt.vendor_attempt_id)
        sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    page, _manager = _managers_review_page(session, signed_in_as, p.job.id)

    run_async(run_handler(page, "set_rule_stage_id", str(elsewhere.id)))
    _type(page, "0")
    said = run_async(run_handler(page, "dry_run"))

    assert page.dry_run_names == [] and page.dry_run_text == ""
    assert "no longer exists" in repr(said)


def test_a_test_s_time_taken_reads_the_same_on_the_review_and_application_pages(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The review page said "28.9 min of 60" where the application page said "29 min of 60 min"."""
    page = _review_page(
        session, pipeline_with_assessment, sandbox, signed_in_as, results=3, minutes_worked=(28.9, 29, 41.5)
    )

    on_review = {row.attempt_id: row.time_taken for row in page.rows}
    on_application = {
        attempt.id: attempt.time_taken
        for row in page.rows
        for attempt in views.application(session, row.application_id).attempts
    }
    assert on_review == on_application
    assert any("." in label for label in on_review.values())  # to the tenth of a minute, on both
    assert all(label.endswith(" of 60 min") for label in on_review.values())


def test_sorting_by_attempt_puts_attempt_10_after_attempt_2(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: the Attempt column sorted as text, so attempt 10 came before attempt 2."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    for row, number in zip(page.rows, [10, 2, 1], strict=True):
        attempt = session.get(AssessmentAttempt, row.attempt_id)
        attempt.attempt_number = number  # a candidate's tenth try, beside a second and a first
        session.add(attempt)
    session.commit()

    run_async(run_handler(page, "sort_by", "attempt"))
    assert [row.attempt for row in page.rows] == ["1", "2", "10"]
    run_async(run_handler(page, "sort_by", "attempt"))
    assert [row.attempt for row in page.rows] == ["10", "2", "1"]


@pytest.mark.parametrize("column", ["score", "time", "comparative", "percentile"])
def test_results_missing_the_figure_sorted_by_come_last_either_way(
    session, pipeline_with_assessment, sandbox, signed_in_as, column
):
    """Found by a hiring manager's walk: sorting Time (or a comparative score, a percentile, the
    score) from the lowest listed first every result the vendor gave none, "not reported" before
    the quickest. Blanks come last in both directions, as a spreadsheet puts them."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    blank, low, high = (session.get(AssessmentAttempt, row.attempt_id) for row in page.rows)
    for attempt, figure in ((blank, None), (low, 40.0), (high, 90.0)):
        attempt.score_percent = attempt.comparative_score = figure
        attempt.duration_seconds = None if figure is None else int(figure * 60)
        session.add(attempt)
    session.commit()
    run_async(run_handler(page, "load"))

    orders = []
    for _ in range(2):  # the first click sorts one way, the second the other
        run_async(run_handler(page, "sort_by", column))
        orders.append([row.attempt_id for row in page.rows])
    assert sorted(orders) == sorted([[low.id, high.id, blank.id], [high.id, low.id, blank.id]])


def test_another_jobs_review_page_opens_without_the_filters_set_on_this_one(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: the filter boxes, "Show every finished attempt" and the typed thresholds
    stayed set from one job's review page to the next job's; coming back to the same job keeps them."""
    p = pipeline_with_assessment
    page = _review_page(session, p, sandbox, signed_in_as, results=2)
    run_async(run_handler(page, "set_text_filter", "nobody by this name"))
    run_async(run_handler(page, "apply_filter"))
    run_async(run_handler(page, "set_show_all", True))
    run_async(run_handler(page, "set_rule_threshold", "80"))
    run_async(run_handler(page, "load"))  # back to the same job's page
    assert (page.filtered, page.show_all, page.rule_threshold) == (True, True, "80")

    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    visit(page, f"http://localhost:3000/jobs/{other.id}/review")
    run_async(run_handler(page, "load"))

    assert (page.title, page.filtered, page.show_all, page.text_filter, page.rule_threshold) == (
        "Data Engineer",
        False,
        False,
        "",
        "",
    )


def _downloaded_names(page: ReviewState) -> list[str]:
    """Run Export CSV and read the candidate column of the file it hands the browser."""
    (download,) = run_async(run_handler(page, "export"))
    url = dict((name._js_expr, value._var_value) for name, value in download.args)["url"]
    text = base64.b64decode(url.split(",", 1)[1]).decode()
    return [row["candidate"] for row in csv.DictReader(io.StringIO(text))]


def test_export_csv_holds_what_the_list_holds_under_its_filters_and_order_past_the_first_shown(
    session, pipeline_with_assessment, sandbox, signed_in_as, monkeypatch
):
    """A manager narrowed the list to one name and exported: the file held every result of the job."""
    monkeypatch.setattr(review_state, "SHOWN_AT_MOST", 2)
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)
    best_first = [r.candidate_name for r in page.rows]

    assert _downloaded_names(page) == [*best_first, *({"C0", "C1", "C2"} - set(best_first))]  # all 3, not 2

    run_async(run_handler(page, "set_text_filter", "C1"))
    run_async(run_handler(page, "apply_filter"))
    assert _downloaded_names(page) == ["C1"]

    run_async(run_handler(page, "clear_filter"))
    run_async(run_handler(page, "sort_by", "name"))  # A to Z
    assert _downloaded_names(page) == ["C0", "C1", "C2"]


def test_the_charts_count_axis_labels_every_count_to_ten_and_round_steps_past_it():
    """Left to the chart, a bar of five stood beside labels 0, 2, 4, 5 (a browser walk saw it
    once other walks had added results), and a bar of three beside 0, 1, 2, 4."""
    assert review_state.count_axis(1) == [0, 1]
    assert review_state.count_axis(5) == [0, 1, 2, 3, 4, 5]
    assert review_state.count_axis(10) == list(range(11))
    assert review_state.count_axis(11) == [0, 2, 4, 6, 8, 10, 12]
    assert review_state.count_axis(25) == [0, 5, 10, 15, 20, 25]
    assert review_state.count_axis(1234)[:3] == [0, 200, 400]


def test_a_rejection_made_on_the_review_page_is_undone_there_after_the_question(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a review: a hiring manager who rejected the wrong candidate with r had no way back
    on the review page; under "Show every finished attempt" it only said "Rejected: nothing to
    decide here", and undo lived on the application page alone."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    wrong = page.in_view
    run_async(run_handler(page, "set_reject_reason", "Other"))
    [rejected] = run_async(run_handler(page, "reject"))
    run_async(run_handler(page, "set_show_all", True))
    page.cursor = [r.attempt_id for r in page.rows].index(wrong.attempt_id)

    run_async(run_handler(page, "set_undoing_rejection", True))
    asked = (page.undoing_rejection, page.undo_stage)
    run_async(run_handler(page, "key", "j"))  # a shortcut behind the question does nothing (not: next row)
    [toast] = run_async(run_handler(page, "undo_rejection"))

    assert "Undo it under Show every finished attempt" in repr(rejected)
    assert asked == (True, "CoderPad assessment")
    assert toast_level(toast) == "success"
    assert f"Rejection undone: {wrong.candidate_name} is active again in CoderPad assessment." in repr(toast)
    assert not page.undoing_rejection and page.in_view.attempt_id == wrong.attempt_id
    assert not page.in_view.rejected and page.in_view.advanceable
    session.expire_all()
    assert session.get(Application, wrong.application_id).rejected_at is None


def _advanced_by_a_colleague(session, row) -> None:
    """A colleague (a recruiter, in another tab) advances the candidate of ``row``."""
    colleague, _ = accounts.create_user(
        session=session, email="colleague@example.com", name="Colleague", role=Role.RECRUITER
    )
    review.advance(
        session=session,
        application_id=row.application_id,
        expected_version=row.decision_version,
        seen_in=row.in_stage_id,
        actor=actors.user(colleague.id, colleague.name),
    )


def test_a_note_is_saved_on_the_candidate_it_was_typed_for_or_refused_once_they_left_the_list(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-131: a colleague decided the candidate in view while the note was typed; the list
    caught up, and Save filed the note on the next candidate, now in view."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    typed_for = page.in_view
    run_async(run_handler(page, "key", "n"))
    run_async(run_handler(page, "set_note", "Strong on SQL"))
    _advanced_by_a_colleague(session, typed_for)
    run_async(run_handler(page, "set_show_all", False))  # the list catches up (as a catch-up would)
    assert page.in_view.attempt_id != typed_for.attempt_id

    [toast] = run_async(run_handler(page, "save_note"))

    assert toast_level(toast) == "error" and "left this list meanwhile" in repr(toast)
    assert page.note == "Strong on SQL"
    assert session.exec(select(ApplicationNote)).all() == []


def test_a_rejection_refused_because_a_colleague_decided_first_shows_what_they_decided(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk: with the reject dialog open, a colleague in another tab advanced the
    candidate; Reject was refused ("Someone decided ... Reload and check") and the dialog stayed,
    naming them, over a list that still offered them for review with Advance (a) (the page keeps
    still while a decision is in hand). The page now shows what the colleague decided at once
    (and says so, not "reload"), and the dialog, made for a candidate who no longer waits, closes."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    decided = page.in_view
    run_async(run_handler(page, "key", "r"))
    run_async(run_handler(page, "set_reject_reason", "Other"))
    _advanced_by_a_colleague(session, decided)

    [toast] = run_async(run_handler(page, "reject"))

    assert toast_level(toast) == "error" and "Someone decided" in repr(toast)
    assert "The page now shows where they stand" in repr(toast)
    assert decided.attempt_id not in [r.attempt_id for r in page.rows]  # no longer offered for review
    assert page.matching == 1
    assert not page.rejecting  # not left open, naming someone else once the list moved on
    session.expire_all()
    assert session.get(Application, decided.application_id).rejected_at is None


def test_an_a_pressed_as_the_list_caught_up_with_a_colleague_advances_no_one(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-106: the a key checked the candidate in view, then asked for an advance of whoever
    was in view when that event came back; a colleague's decision caught up with in between slid
    the next candidate under it, and they were advanced unseen."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    pressed_on = page.in_view
    [advance] = run_async(run_handler(page, "key", "a"))
    _advanced_by_a_colleague(session, pressed_on)
    run_async(watch_until(page, lambda: page.in_view.attempt_id != pressed_on.attempt_id))
    slid_in = page.in_view

    [said] = run_async(run_handler(page, "advance", *(value._var_value for _name, value in advance.args)))

    assert "The list changed as you pressed (a colleague decided), so nothing was advanced" in repr(said)
    session.expire_all()
    assert session.get(Application, slid_in.application_id).decision_version == slid_in.decision_version
    assert page.in_view.attempt_id == slid_in.attempt_id and page.matching == 1


def test_a_result_finished_after_its_candidate_was_rejected_waits_for_no_review(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-106: a candidate rejected while their test was under way (it is left open) and who
    then finished it was listed as "needs review", where a and r were both refused, while the
    queue left them out."""
    p = pipeline_with_assessment
    late = send_test(session, p.assessment, p.application)
    sandbox.start(late.vendor_attempt_id)
    rejected_by_a_recruiter(session, p.application.id)
    sandbox.submit(late.vendor_attempt_id)
    page = _review_page(session, p, sandbox, signed_in_as, results=1)  # C0's result, and Ada's synced

    assert [r.candidate_name for r in page.rows] == ["C0"] and page.matching == 1
    run_async(run_handler(page, "set_show_all", True))  # there, with its undo
    assert {r.candidate_name: r.rejected for r in page.rows} == {"C0": False, "Ada Lovelace": True}


@pytest.mark.parametrize("counting", ["best", "latest"])
def test_the_review_page_and_the_queue_wait_on_the_same_results(
    session, pipeline_with_assessment, sandbox, signed_in_as, counting
):
    """helper-106: under "best", a re-take scoring below the reviewed best was "needs review" in
    the queue and missing from the review page, where no one could decide it; under "latest", a
    result whose re-take was under way was on the review page and missing from the queue."""
    p = pipeline_with_assessment
    review.set_counting(session=session, stage_id=p.assessment.id, counting=counting)
    first = send_test(session, p.assessment, p.application)
    scored(session, p, first, 90.0)
    if counting == "best":
        assessments.mark_reviewed(session=session, attempt_id=first.id, actor=actors.SYSTEM)
    second = retaken(session, p, first)
    if counting == "best":
        scored(session, p, second, 40.0)
    waiting = second if counting == "best" else first
    page = _review_page(session, p, sandbox, signed_in_as, results=0)

    in_queue = [r.attempt_id for r in queue_view.rows(session, "needs_review")]
    assert [r.attempt_id for r in page.rows] == in_queue == [waiting.id]


def test_a_colleague_s_decision_on_the_one_in_view_is_said_only_when_another_slid_into_view(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found in a review: under "Show every finished attempt" the rejected candidate stays in view,
    yet the page said the next one was and refused the next a as meant for them."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    run_async(run_handler(page, "set_show_all", True))
    in_view = page.in_view
    _advanced_by_a_colleague(session, in_view)

    run_async(watch_until(page, lambda: page.in_view.decision_version != in_view.decision_version))

    assert page.in_view.attempt_id == in_view.attempt_id  # still the one they were reading
    assert page.decided_meanwhile == ""


def test_a_score_of_a_fraction_reads_the_same_on_the_review_application_board_and_csv(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a walk's reading: a vendor scoring by points (7 of 12: 58.33%) read "58.33%" on the
    review page and in its CSV, "58.3%" on the application page and "58%" on the board's card;
    a comparative of 41.26% "41.26%" beside "41.3%". Every page now says it to the tenth."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=1)
    attempt = session.get(AssessmentAttempt, page.in_view.attempt_id)
    attempt.score_percent, attempt.comparative_score = 58.33, 41.26
    session.add(attempt)
    session.commit()
    run_async(run_handler(page, "load"))

    row = page.in_view
    [shown] = [a for a in views.application(session, row.application_id).attempts if a.id == attempt.id]
    [card] = [
        c
        for column in board_view.board(session, pipeline_with_assessment.job.id).columns
        for c in column.cards
        if c.application_id == row.application_id
    ]
    [exported] = csv.DictReader(
        io.StringIO(review.results_csv(review.results(session, pipeline_with_assessment.job.id)))
    )
    assert (row.score_text, shown.score, card.score) == ("58.3%", "58.3%", "58.3%")
    assert (row.comparative, shown.comparative_score) == ("41.2%", "41.2%")
    # The CSV carries the vendor's figure whole, for a spreadsheet's sums (found in a review).
    assert (exported["score %"], exported["comparative %"]) == ("58.33", "41.26")


def test_a_score_just_under_a_rule_s_bar_never_reads_as_the_bar():
    """Found in a review: 79.96 read "80%" on every page, while a rule advancing at 80 left it."""
    assert [assessments.percent_label(v) for v in (79.96, 58.33, 94.0, 0.7, 100.0)] == [
        "79.9%",
        "58.3%",
        "94%",
        "0.7%",
        "100%",
    ]


def test_points_just_under_the_maximum_never_read_as_full_marks():
    """Found by a hiring manager's walk: 19.96 of 20 read "20 / 20" beside its "99.8%"; points
    are cut down to the tenth as scores are, on the total and on each section alike."""
    assert assessments.points_label(19.96, 20) == "19.9 / 20"
    assert assessments.points_label(12.345, 20.0) == "12.3 / 20"
    assert assessments.subscore_points_label(9.99, 10) == "9.9 / 10"
    assert assessments.subscore_points_label(549.99, None) == "549.9"


def test_points_read_the_same_on_the_review_and_application_pages_and_never_without_the_points(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found by a hiring manager's walk: the review page said "Points 470 / 500", the application
    page "Points 470 / 500 points"; and a result giving the test's maximum without the points
    scored read "Points  / 500 points" there, a blank where the figure goes."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=2)
    fraction, blank = (session.get(AssessmentAttempt, row.attempt_id) for row in page.rows)
    fraction.points, fraction.max_points = 12.345, 20.0
    blank.points, blank.max_points = None, 500.0
    session.add_all([fraction, blank])
    session.commit()
    run_async(run_handler(page, "load"))

    on_review = {row.attempt_id: row.points for row in page.rows}
    on_application = {
        attempt.id: attempt.points
        for row in page.rows
        for attempt in views.application(session, row.application_id).attempts
    }
    assert on_review == on_application == {fraction.id: "12.3 / 20", blank.id: ""}


def test_a_decision_while_the_page_still_holds_another_job_s_rows_falls_on_nobody(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """Found in a review: between another job's review page and its load, the page still held
    the job left's rows, and a (a advance) decided on one of them, checked against the new job."""
    p = pipeline_with_assessment
    page = _review_page(session, p, sandbox, signed_in_as, results=2)
    other = plans.create_job(session=session, title="Other Job", stage_names=["Applied"])
    waiting = page.matching

    visit(page, f"http://localhost:3000/jobs/{other.id}/review")  # not loaded yet
    run_async(run_handler(page, "key", "a"))
    [said] = run_async(_advance_in_view(page))

    assert toast_level(said) == "error" and "still loading" in repr(said)
    visit(page, f"http://localhost:3000/jobs/{p.job.id}/review")
    run_async(run_handler(page, "load"))
    assert page.matching == waiting  # nobody advanced


def test_undoing_a_rejection_while_the_page_holds_another_job_s_rows_reopens_nobody(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-140: undo checked the job of the event's address, then reopened the row in view,
    which may be a job's the reviewer was taken off since; its question told that candidate's
    open tests and interviews alike."""
    p = pipeline_with_assessment
    page = _review_page(session, p, sandbox, signed_in_as, results=2)
    wrong = page.in_view
    run_async(run_handler(page, "set_reject_reason", "Other"))
    run_async(run_handler(page, "reject"))
    run_async(run_handler(page, "set_show_all", True))
    page.cursor = [r.attempt_id for r in page.rows].index(wrong.attempt_id)
    other = plans.create_job(session=session, title="Other Job", stage_names=["Applied"])

    visit(page, f"http://localhost:3000/jobs/{other.id}/review")  # not loaded
    run_async(run_handler(page, "set_undoing_rejection", True))
    told = (page.undo_stays, page.undo_stage)
    [said] = run_async(run_handler(page, "undo_rejection"))

    assert told == ([], "")
    assert toast_level(said) == "error" and "still loading" in repr(said)
    session.expire_all()
    assert session.get(Application, wrong.application_id).rejected_at is not None


def test_a_manager_taken_off_the_job_is_sent_none_of_its_new_results(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """helper-154: the live review page reloaded with the user as read when its watch began (read
    again every ten seconds only): a hiring manager taken off the job went on receiving its new
    results for up to ten seconds. The user is read again before each reload."""
    p = pipeline_with_assessment
    first, second = send_to_applicants(session, p.assessment, 2)
    sandbox.start(first.vendor_attempt_id)
    sandbox.submit(first.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    page, manager = _managers_review_page(session, signed_in_as, p.job.id)
    assert [r.candidate_name for r in page.rows] == ["C0"]

    def taken_off_then_a_new_result() -> None:
        time.sleep(0.5)  # the watch has begun, with the user as they were
        with new_session() as own:
            accounts.set_job_member(session=own, user_id=manager.id, job_id=p.job.id, member=False)
            sandbox.start(second.vendor_attempt_id)
            sandbox.submit(second.vendor_attempt_id)
            sync.sync_integration(session=own, integration_id=p.integration.id)

    async def watched() -> None:
        changing = asyncio.create_task(asyncio.to_thread(taken_off_then_a_new_result))
        await watch_until(page, lambda: page.error != "", timeout=9)
        await changing

    run_async(watched())

    assert page.rows == [] and page.error  # not C1's result: the job is no longer theirs
