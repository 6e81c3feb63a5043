"""Rejecting the cards selected on a board at once, walked in Chromium: a screen of applicants
turned down together, after the dialog says what else it does (an unstarted test withdrawn)."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, broken_rules, card_of, new_job, send_a_test

pytestmark = pytest.mark.browser


def test_the_selected_cards_are_rejected_together_with_a_reason(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    new_job(page, "Bulk Reject Engineer")
    page.get_by_role("link", name="Back to the board").click()
    for name in ("Ann Batch", "Ben Batch", "Cal Keep"):
        add_candidate(page, name)
    board_url = page.url
    card_of(page, "Ann Batch").get_by_role("link", name="Ann Batch", exact=True).click()
    test, _ = send_a_test(page, "CoderPad Screen")
    page.goto(board_url)

    # The column's box ticks every card shown in it, and unticks them all again.
    page.get_by_label("Select every card shown in Applied").click()
    expect(page.locator(".selection-bar")).to_contain_text("3 selected")
    shoot("91b-board-column-selected")
    page.get_by_label("Select every card shown in Applied").click()
    expect(page.locator(".selection-bar")).to_have_count(0)

    page.get_by_label("Select Ann Batch").click()
    page.get_by_label("Select Ben Batch").click()
    page.get_by_role("button", name="Reject selected").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Reject 2 selected candidates")
    expect(dialog.locator(".reject-also")).to_contain_text(
        f"Ann Batch: Their open CoderPad Screen test, {test}, will be withdrawn."
    )
    expect(dialog.get_by_role("button", name="Reject", exact=True)).to_be_disabled()  # a reason first
    dialog.get_by_label("Rejection reason").click()
    page.get_by_role("option", name="Position filled").click()
    assert broken_rules(page) == []
    shoot("92-board-bulk-reject-dialog", dialog)
    dialog.get_by_role("button", name="Reject", exact=True).click()

    expect(page.locator("[data-sonner-toast]").last).to_contain_text(
        "Rejected 2 candidates (Position filled). 1 test withdrawn at the vendor."
    )
    expect(page.locator(".selection-bar")).to_have_count(0)
    for name in ("Ann Batch", "Ben Batch"):
        expect(card_of(page, name).get_by_text("Rejected", exact=True)).to_be_visible()
    expect(card_of(page, "Cal Keep").get_by_text("Rejected", exact=True)).to_have_count(0)
    shoot("93-board-bulk-rejected")
