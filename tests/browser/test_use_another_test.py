"""Another test in place of one not sent yet, offered on that test's own card, walked in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import query_app

pytestmark = pytest.mark.browser


def test_a_test_waiting_to_be_sent_offers_another_on_its_own_card(page, app_url, demo_app, sign_in, shoot):
    """helper-120: one "Another test for this candidate" above the cards changed the newest
    attempt, maybe another of the stage's tests than the one meant, or an interview's room."""
    [waiting] = query_app(
        demo_app.db_url,
        "SELECT id FROM assessmentattempt WHERE state = 'ready_to_send' AND send_tries = 0 "
        "AND NOT live_interview ORDER BY id LIMIT 1",
    )
    [application_id] = query_app(
        demo_app.db_url, "SELECT application_id FROM assessmentattempt WHERE id = :id", id=waiting
    )
    [test_name] = query_app(
        demo_app.db_url, "SELECT vendor_test_name FROM assessmentattempt WHERE id = :id", id=waiting
    )
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/applications/{application_id}")

    page.get_by_role("button", name=f"Use another test instead of {test_name}", exact=True).click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Use another test")).to_be_visible()
    shoot("use-another-test-on-its-card")
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("button", name="Another test for this candidate")).to_have_count(0)
