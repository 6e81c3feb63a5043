"""A rejection made, then undone, from the application page, walked in Chromium.

Found by a walk: a recruiter who rejected the wrong candidate had no way back; the page only
said "Rejected" and the board badged them so for good. Undoing it asks first, says the
withdrawn test stays withdrawn, and the board in another tab shows the candidate active again.
And the candidate's booked interview stayed booked through the rejection: the reject dialog
now names it, and rejecting cancels it.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import broken_rules, open_and_escape, open_new_application, pick_test

pytestmark = pytest.mark.browser


def test_a_rejection_cancels_the_booked_interview_and_a_wrong_one_is_undone(page, app_url, sign_in, shoot):
    page.set_default_timeout(20_000)
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Uma Undone")
    page.get_by_role("button", name="Send an assessment").click()
    test_name = pick_test(page, "HackerRank")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".assessment-attempt").first).to_contain_text("Sent")
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
    expect(page.locator(".decision").get_by_role("button", name="Reject")).to_be_visible()
    expect(page.get_by_role("button", name="Send an assessment")).to_be_visible()
    expect(page.locator(".history")).to_contain_text(
        re.compile(r"Rejection undone \(Other\); active again in Applied")
    )
    shoot("71-undo-rejection-done")
    expect(card.get_by_text("Rejected", exact=True)).to_have_count(0)  # the other tab, without a reload
