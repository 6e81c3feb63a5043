"""A rejection made, then undone, from the application page, walked in Chromium.

Found by a walk: a recruiter who rejected the wrong candidate had no way back; the page only
said "Rejected" and the board badged them so for good. Undoing it asks first, says the
withdrawn test stays withdrawn, and the board in another tab shows the candidate active again.
And the candidate's booked interview stayed booked through the rejection: the reject dialog
now names it, and rejecting cancels it. And the rejection email still waiting in the outbox (no
mail server set) went out once one was: undoing the rejection now withholds it, and says so.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import (
    add_stage_test,
    broken_rules,
    new_job,
    open_and_escape,
    open_new_application,
    send_a_test,
    take_test,
)

pytestmark = pytest.mark.browser


def test_a_rejection_cancels_the_booked_interview_and_a_wrong_one_is_undone(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Uma Undone")
    test_name, _ = send_a_test(page, "HackerRank")
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")
    page.get_by_label("Interview time").fill(when)
    page.get_by_label("Interviewers").fill("Grace Hopper")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Interview scheduled.")).to_be_visible()
    board = page.context.new_page()
    board.goto(f"{app_url}/jobs/1")
    card = board.locator(".pipeline-card", has_text="Uma Undone")
    expect(card).to_be_visible()

    page.locator(".decision").get_by_role("button", name="Reject").click()
    page.get_by_label("Rejection reason").click()
    page.get_by_role("option", name="Other").click()
    expect(page.locator(".reject-also")).to_contain_text(
        f"Their interview on {when} UTC with Grace Hopper will be cancelled; tell the interviewers."
    )
    shoot("69-reject-names-the-interview")
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    expect(page.locator(".interviews .interview")).to_contain_text("Cancelled ")
    expect(page.get_by_label("Interview time")).to_have_count(0)  # nothing booked for a rejected candidate
    undo = page.locator(".rejected").get_by_role("button", name="Undo rejection")
    expect(card.get_by_text("Rejected", exact=True)).to_be_visible()
    assert broken_rules(page) == []
    open_and_escape(page, undo)  # asked first, and the focus comes back to the button

    undo.click()
    asked = page.get_by_role("alertdialog")
    expect(asked).to_contain_text("Uma Undone becomes an active candidate again in Applied")
    expect(asked).to_contain_text(f"staying withdrawn: {test_name}")
    expect(asked).to_contain_text(f"staying cancelled: the interview on {when} UTC with Grace Hopper.")
    shoot("70-undo-rejection-asks-first")
    assert broken_rules(page) == []
    asked.get_by_role("button", name="Undo rejection").click()

    expect(page.get_by_text("Rejection undone: Uma Undone is active again in Applied.")).to_be_visible()
    expect(page.locator(".rejected")).to_have_count(0)
    # The Undo button is gone: the focus goes to the page's content, not back to the page's top.
    expect(page.get_by_role("main")).to_be_focused()
    expect(page.locator(".decision").get_by_role("button", name="Reject")).to_be_visible()
    expect(page.get_by_role("button", name="Send an assessment")).to_be_visible()
    expect(page.locator(".history")).to_contain_text(
        re.compile(r"Rejection undone \(Other\); active again in Applied")
    )
    shoot("71-undo-rejection-done")
    expect(card.get_by_text("Rejected", exact=True)).to_have_count(0)  # the other tab, without a reload


def _job_telling_candidates(page, app_url, title: str) -> int:
    """A job of its own (the demo jobs send no feedback, and other walks count their emails) with
    a CoderPad Screen stage, and candidate feedback switched on; its id."""
    job_id = int(re.search(r"/jobs/(\d+)", new_job(page, title))[1])
    add_stage_test(page, page.locator(".plan-stage[data-stage='Recruiter screen']"), "CoderPad Screen")
    page.goto(f"{app_url}/jobs/{job_id}/review")
    page.get_by_role("button", name="Switch feedback on").click()
    expect(page.get_by_role("button", name="Save (feedback is on)")).to_be_visible()
    return job_id


def _tested(page, app_url, job_id: int, name: str) -> None:
    """``name`` applies, is sent the CoderPad Screen test, and takes it: their result needs review."""
    open_new_application(page, app_url, job_id, name)
    _, attempt = send_a_test(page, "CoderPad Screen")
    take_test(page.context, attempt.locator(".test-link").inner_text())
    expect(attempt).to_contain_text("needs review")


def test_undoing_a_rejection_withholds_its_email_still_in_the_outbox(page, app_url, sign_in, shoot):
    sign_in("admin@assay.test")  # candidate feedback is the admins' to switch on
    job_id = _job_telling_candidates(page, app_url, "Withheld Feedback Engineer")
    _tested(page, app_url, job_id, "Willa Withheld")

    page.locator(".decision").get_by_role("button", name="Reject").click()
    page.get_by_label("Rejection reason").click()
    page.get_by_role("option", name="Other").click()
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    page.locator(".rejected").get_by_role("button", name="Undo rejection").click()
    asked = page.get_by_role("alertdialog")
    expect(asked).to_contain_text(
        "The rejection email to willa.withheld@example.com has not gone yet and will not be sent."
    )
    shoot("71a-undo-rejection-withholds-the-email")
    asked.get_by_role("button", name="Undo rejection").click()
    expect(page.locator(".rejected")).to_have_count(0)

    page.goto(f"{app_url}/notifications")
    page.get_by_label("Search the outbox").fill("willa.withheld")
    page.get_by_role("button", name="Search").click()
    emails = page.locator(".email", has_text="willa.withheld@example.com")
    # Newest first: the rejection, withheld; the email about her result stands.
    expect(emails.locator(".email-status")).to_have_text(["Withheld: rejection undone", "Not sent"])
    shoot("71b-outbox-withheld-email", page.locator(".outbox"))
    # Only the emails that will not go.
    page.get_by_role("combobox", name="Which emails").click()
    page.get_by_role("option", name="Withheld").click()
    expect(emails.locator(".email-status")).to_have_text(["Withheld: rejection undone"])
    expect(page.locator(".outbox-count")).to_have_text("1 found, newest first.")
    assert broken_rules(page) == []


def test_a_hiring_manager_undoes_a_wrong_rejection_on_the_review_page(page, app_url, sign_in, shoot):
    """Found by a review: a rejection made with r on the review page had its undo on the
    application page only; the review page said "Rejected: nothing to decide here"."""
    sign_in("recruiter@assay.test")
    _tested(page, app_url, 1, "Rhea Reviewed")
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    page.get_by_label("Filter by text").fill("Rhea Reviewed")
    page.get_by_role("button", name="Filter").click()
    in_view = page.locator(".candidate-in-view")
    expect(in_view.get_by_role("heading")).to_have_text("Rhea Reviewed")

    in_view.get_by_role("button", name="Reject (r)").click()
    page.get_by_label("Rejection reason").click()
    page.get_by_role("option", name="Other").click()
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    expect(
        page.get_by_text("Rhea Reviewed rejected (Other). Undo it under Show every finished attempt.")
    ).to_be_visible()
    page.get_by_role("checkbox", name="Show every finished attempt").click()
    undo = in_view.get_by_role("button", name="Undo rejection")
    expect(in_view.get_by_role("heading")).to_have_text("Rhea Reviewed")
    expect(in_view).to_contain_text("Rejected.")
    assert broken_rules(page) == []
    open_and_escape(page, undo)  # asked first, and the focus comes back to the button
    page.keyboard.press("r")  # on a rejected candidate: nothing opens
    expect(page.get_by_role("dialog")).to_have_count(0)

    undo.click()
    asked = page.get_by_role("alertdialog")
    expect(asked).to_contain_text("Rhea Reviewed becomes an active candidate again in Applied")
    expect(asked).to_contain_text("Needs review again (the rejection had marked it reviewed): ")
    shoot("71c-review-undo-rejection-asks-first")
    assert broken_rules(page) == []
    asked.get_by_role("button", name="Undo rejection").click()

    expect(page.get_by_text("Rejection undone: Rhea Reviewed is active again in Applied.")).to_be_visible()
    expect(undo).to_have_count(0)
    expect(page.get_by_role("main")).to_be_focused()
    expect(in_view.get_by_role("button", name="Advance (a)")).to_be_visible()
    shoot("71d-review-undo-rejection-done", full_page=False)
    # Her result waits for a decision again, so it is in the list of those needing review.
    page.get_by_role("checkbox", name="Show every finished attempt").click()
    expect(in_view.get_by_role("heading")).to_have_text("Rhea Reviewed")
