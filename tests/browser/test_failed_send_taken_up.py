"""A send whose answer was lost, then the same test sent again by hand, walked in Chromium.

Found by a review of the sends: CoderPad Screen made the invitation, its answer never reached
Assay (the connection reset), and the test showed Failed. Sending the same test again made a
second attempt with a reference of its own, and the candidate a second invitation. The failed
send is taken up instead: the vendor is asked for the earlier try's invitation first.
"""

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import open_new_application, pick_test

pytestmark = pytest.mark.browser

VENDOR = "coderpad_screen"


def _made(sandbox_url: str) -> int:
    return httpx.get(f"{sandbox_url}/_sandbox/stats", timeout=10).json()[VENDOR]["invitations_created"]


def _send(page, vendor: str) -> str:
    page.get_by_role("button", name="Send an assessment").click()
    name = pick_test(page, vendor)
    page.get_by_role("button", name="Send", exact=True).click()
    return name


def test_the_same_test_sent_again_after_a_lost_answer_invites_the_candidate_once(
    page, app_url, browser_sandbox_url, sign_in, shoot
):
    faults = f"{browser_sandbox_url}/_sandbox/faults"
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Lost Answer")
    made = _made(browser_sandbox_url)
    httpx.post(faults, json={"vendor": VENDOR, "reset_replies": 1}, timeout=10)
    try:
        test = _send(page, "CoderPad Screen")
        attempt = page.locator(".assessment-attempt").first
        expect(attempt).to_contain_text("Failed")
        expect(page.get_by_role("alert").last).to_contain_text(
            "it may have acted on the request all the same"
        )
    finally:
        httpx.post(faults, json={"vendor": VENDOR}, timeout=10)  # the sandbox is shared
    assert _made(browser_sandbox_url) == made + 1  # the vendor made it; Assay never heard

    assert _send(page, "CoderPad Screen") == test

    expect(attempt).to_contain_text("Sent")
    expect(page.get_by_text("an earlier try had reached the vendor")).to_be_visible()
    expect(page.locator(".assessment-attempt")).to_have_count(1)
    expect(page.get_by_text("its unconfirmed send taken up again")).to_be_visible()
    shoot("application-failed-send-taken-up")
    assert _made(browser_sandbox_url) == made + 1
