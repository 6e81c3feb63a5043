"""The recruiter's day (issue 6), walked in Chromium by clicks and a real drag.

A recruiter creates a job, builds a plan with a two-test stage that sends
automatically, adds a candidate and drags the card into that stage: both tests
go out. The candidate finishes one on the sandbox's page; the other expires
(the sandbox plays the clock) and is re-attempted as "attempt 2", then finished.
The stage is done and the history tells the whole story.
"""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_stage_test, drag_card, new_job, take_test

pytestmark = pytest.mark.browser

JOB = "Platform Engineer"
STAGE = "Take-home pair"


def test_two_test_auto_stage_expiry_reattempt_and_done(page, app_url, browser_sandbox_url, shoot, sign_in):
    sign_in("recruiter@assay.test")

    # A job and its plan: a stage that sends two CoderPad campaigns automatically.
    new_job(page, JOB)
    page.get_by_label("New stage name").fill(STAGE)
    page.get_by_role("button", name="Add stage").click()
    plan_stage = page.locator(f".plan-stage[data-stage='{STAGE}']")
    first_test = add_stage_test(page, plan_stage, "CoderPad Screen", 0)
    second_test = add_stage_test(page, plan_stage, "CoderPad Screen", 1)
    plan_stage.get_by_text("Send automatically on entry").click()
    plan_stage.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Stage settings saved.")).to_be_visible()
    shoot("20-plan-two-tests-auto")

    # A candidate applies; the recruiter drags the card into the stage.
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()
    page.get_by_label("Candidate name").fill("Hedy Lamarr")
    page.get_by_label("Candidate email").fill("hedy@example.com")
    page.get_by_role("button", name="Add candidate").click()
    card = page.locator(".pipeline-column[data-stage='Applied'] .pipeline-card", has_text="Hedy Lamarr")
    expect(card).to_be_visible()
    target = page.locator(f".pipeline-column[data-stage='{STAGE}']")
    moved = target.locator(".pipeline-card", has_text="Hedy Lamarr")
    drag_card(page, card, target, moved)
    expect(moved).to_be_visible()
    expect(moved.locator(".rt-Badge", has_text="Sent")).to_have_count(2)
    shoot("21-dragged-both-sent")

    # Both tests went out: one is taken, the other expires at the vendor.
    moved.get_by_role("link", name="Hedy Lamarr").click()
    attempts = page.locator(".assessment-attempt")
    expect(attempts).to_have_count(2)
    first = attempts.filter(has_text=first_test)
    second = attempts.filter(has_text=second_test)
    take_test(page.context, first.locator(".test-link").inner_text())
    expect(first).to_contain_text("Assessment needs review")
    # The vendor never tells of the expiry (its webhook is lost): the scheduled sync finds it.
    vendor_id = _vendor_id(browser_sandbox_url, "hedy@example.com", second_test)
    faults = f"{browser_sandbox_url}/_sandbox/faults"
    httpx.post(faults, json={"vendor": "coderpad_screen", "drop_webhooks": True}, timeout=10)
    try:
        httpx.post(f"{browser_sandbox_url}/_sandbox/coderpad_screen/attempts/{vendor_id}/expire", timeout=10)
        expect(second).to_contain_text("Expired")
    finally:
        httpx.post(faults, json={"vendor": "coderpad_screen"}, timeout=10)  # the sandbox is shared
    expect(page.locator(".history")).to_contain_text(re.compile(r"expired\s*by scheduled sync"))
    shoot("22-one-done-one-expired")

    # Re-attempt the expired test: attempt 2, linked to the first, then taken.
    second.get_by_role("button", name="Re-attempt").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Send {second_test} again to Hedy Lamarr (hedy@example.com)?")
    question.get_by_role("button", name="Re-attempt").click()
    retake = page.locator(".assessment-attempt", has_text="attempt 2")
    expect(retake).to_contain_text("Sent")
    expect(retake).to_contain_text("re-take of attempt 1")
    take_test(page.context, retake.locator(".test-link").inner_text())
    expect(retake).to_contain_text("Assessment needs review")

    # The stage is done; the history has every step, with who or what did it.
    history = page.locator(".history")
    expect(history).to_contain_text(f"{STAGE} done: both tests completed")
    for line in [
        "Moved from Applied to " + STAGE,
        ": sent",
        "expired",
        "attempt 2 needs sending",
        "needs review",
    ]:
        expect(history).to_contain_text(line)
    shoot("23-stage-done-history")


def _vendor_id(sandbox_url: str, email: str, campaign_name: str) -> str:
    """The sandbox's test id for the candidate's invitation to one campaign (the vendor's own list)."""
    campaigns = httpx.get(
        f"{sandbox_url}/coderpad-screen/assessment/api/v1.1/campaigns",
        headers={"API-Key": "demo-coderpad-screen-key"},
        timeout=10,
    ).json()
    campaign_id = next(c["id"] for c in campaigns if c["name"] == campaign_name)
    tests = httpx.get(
        f"{sandbox_url}/coderpad-screen/assessment/api/v1.1/tests",
        params={"campaignId": campaign_id, "candidateEmail": email, "limit": 50},
        headers={"API-Key": "demo-coderpad-screen-key"},
        timeout=10,
    ).json()["tests"]
    return str(next(t["id"] for t in tests if t["candidate_email"] == email))
