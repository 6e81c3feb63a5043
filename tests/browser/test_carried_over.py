"""A test still open from one stage, carried to the next stage that sends the same test, in Chromium.

Two stages of a plan send the same CoderPad test on entry. The candidate who holds the
invitation from the first stage is not sent it again in the second: the move says it was
carried over, the card shows one chip, and the application page marks the attempt as
carried over from the first stage.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_stage_test, new_job

pytestmark = pytest.mark.browser

JOB = "Mobile Engineer"
CANDIDATE = "Hedy Carrier"
FIRST, SECOND = "Phone screen", "Final screen"


def _stage_sending(page, name: str) -> str:
    """A stage that sends the connection's first CoderPad Screen test on entry; the test's name."""
    page.get_by_label("New stage name").fill(name)
    page.get_by_role("button", name="Add stage").click()
    stage = page.locator(f".plan-stage[data-stage='{name}']")
    test = add_stage_test(page, stage, "CoderPad Screen")
    stage.get_by_text("Send automatically on entry").click()
    stage.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Stage settings saved.").last).to_be_visible()
    return test


def _move_by_menu(page, stage: str) -> None:
    page.locator(".pipeline-card", has_text=CANDIDATE).get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=stage).click()


def test_a_test_still_open_is_carried_to_the_next_stage_not_sent_twice(page, app_url, shoot, sign_in):
    sign_in("recruiter@assay.test")
    new_job(page, JOB)
    test = _stage_sending(page, FIRST)
    assert _stage_sending(page, SECOND) == test

    page.get_by_role("link", name="Back to the board").click()
    page.get_by_label("Candidate name").fill(CANDIDATE)
    page.get_by_label("Candidate email").fill("hedy.carrier@example.com")
    page.get_by_role("button", name="Add candidate").click()
    _move_by_menu(page, FIRST)
    expect(page.get_by_text(f"Moved to {FIRST}. Sent 1 of 1 assessment.")).to_be_visible()

    _move_by_menu(page, SECOND)
    expect(page.get_by_text(f"{test} carried over from {FIRST} (sent), not sent again.")).to_be_visible()
    card = page.locator(f".pipeline-column[data-stage='{SECOND}'] .pipeline-card", has_text=CANDIDATE)
    expect(card.locator(".rt-Badge", has_text="Sent")).to_have_count(1)
    shoot("90-board-carried-over")

    card.get_by_role("link", name=CANDIDATE).click()
    expect(page.get_by_role("heading", name=CANDIDATE)).to_be_visible()
    expect(page.locator(".carried-over")).to_have_text(f"Carried over from {FIRST}")
    expect(page.locator(".carried-over")).to_have_count(1)  # one invitation, not one a stage
    shoot("91-application-carried-over")
