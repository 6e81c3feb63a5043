"""The queue's bulk send, walked in Chromium: it asks before inviting everyone selected.

Every selected candidate gets the vendor's invitation email at once, and an email
cannot be unsent: a stray click on "Send selected" must not do that. The application
page asks before sending one test; the queue asks before sending many.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import query_app

pytestmark = pytest.mark.browser

CANDIDATE = "Dennis Thompson"  # demo data: Data Engineer, iMocha stage, needs sending


def _state(demo_app) -> str:
    (state,) = query_app(
        demo_app.db_url,
        "SELECT a.state FROM assessmentattempt a JOIN application p ON p.id = a.application_id"
        " JOIN candidate c ON c.id = p.candidate_id WHERE c.name = :name",
        name=CANDIDATE,
    )
    return state


def test_sending_the_selected_rows_asks_first_and_back_sends_nothing(page, app_url, demo_app, sign_in, shoot):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    page.get_by_label("Search candidates").fill(CANDIDATE)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("row", name=re.compile(CANDIDATE))).to_have_count(1)
    page.get_by_text("Select all shown").click()

    page.get_by_role("button", name=re.compile(r"Send selected \(1\)")).click()

    ask = page.get_by_role("alertdialog")
    expect(ask).to_contain_text("Send 1 assessment")
    shoot("77-queue-bulk-send-asks")
    ask.get_by_role("button", name="Back").click()
    expect(ask).to_have_count(0)
    assert _state(demo_app) == "ready_to_send"  # nothing went out

    page.get_by_role("button", name=re.compile(r"Send selected \(1\)")).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Send 1").click()
    expect(page.locator(".bulk-progress")).to_have_text("Sent 1 of 1")
    # Read out as it goes (a status), not only drawn: the dialog closed, nothing else is said.
    expect(page.get_by_role("status").filter(has_text="Sent 1 of 1")).to_have_count(1)
    expect(page.get_by_role("row", name=re.compile(CANDIDATE))).to_have_count(0)
    assert _state(demo_app) == "sent"
    # Nothing left to select: no "Select all shown" or "Send selected (0)"; what was sent stays said.
    expect(page.get_by_text("Select all shown")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Send selected"))).to_have_count(0)
    expect(page.locator(".bulk-progress")).to_have_text("Sent 1 of 1")
