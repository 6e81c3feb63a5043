"""The review page's state: rows reach the browser a page at a time, in order; a crash never pauses it;
no shortcut acts behind a dialog."""

import pytest
import sqlalchemy as sa
from reflex.istate.data import ReflexURL, RouterData

from dashboard.services import sync
from dashboard.states import review as review_state
from dashboard.states.review import ReviewState
from models import Role
from tests.conftest import send_to_applicants
from tests.states.conftest import run_async, run_handler, substate


def _review_page(session, p, sandbox, signed_in_as, *, results: int) -> ReviewState:
    """A recruiter's review page of the job, loaded, with ``results`` submitted tests synced in."""
    for attempt in send_to_applicants(session, p.assessment, results):
        sandbox.start(attempt.vendor_attempt_id)
        sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    root = signed_in_as(Role.RECRUITER)
    root.router = RouterData(url=ReflexURL(f"http://localhost:3000/jobs/{p.job.id}/review"))
    page = substate(root, ReviewState)
    run_async(run_handler(page, "load"))
    return page


def test_the_browser_gets_the_first_rows_and_a_decision_brings_the_next_in(
    session, pipeline_with_assessment, sandbox, signed_in_as, monkeypatch
):
    monkeypatch.setattr(review_state, "SHOWN_AT_MOST", 2)
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=3)

    shown = [r.candidate_name for r in page.rows]
    assert page.matching == 3 and len(shown) == 2  # the best two scores, the list's order

    run_async(run_handler(page, "advance"))

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


def test_a_decision_that_fails_unexpectedly_leaves_the_page_live(
    session, pipeline_with_assessment, sandbox, signed_in_as
):
    """The page pauses its live refresh while a decision is in hand; a crash must not leave it paused."""
    page = _review_page(session, pipeline_with_assessment, sandbox, signed_in_as, results=1)
    # The history table gone (a database in trouble): advancing fails with no message for a user.
    session.exec(sa.text("ALTER TABLE applicationevent RENAME TO applicationevent_away"))
    session.commit()

    with pytest.raises(sa.exc.DBAPIError):
        run_async(run_handler(page, "advance"))

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
