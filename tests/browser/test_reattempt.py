"""Re-attempt on the application page, walked in Chromium: it asks first, as Send does.

Found by a walk: Re-attempt emailed the candidate at once (Send asks, naming who gets the
email), and on a cancelled attempt whose fresh attempt already waited, it sent that fresh
one without a word.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import open_new_application, pick_test

pytestmark = pytest.mark.browser


def _attempt(page, number: int):
    return page.locator(".assessment-attempt", has_text=re.compile(rf"attempt {number}\b"))


def test_re_attempt_of_a_cancelled_test_asks_before_sending_the_fresh_attempt_waiting(
    page, app_url, sign_in, shoot
):
    page.set_default_timeout(20_000)
    sign_in("recruiter@assay.test")
    name, email = "Walk Reattempt Asks", "walk.reattempt.asks@example.com"
    open_new_application(page, app_url, 1, name, email)
    page.get_by_role("button", name="Send an assessment").click()
    test = pick_test(page, "CoderPad Screen")
    page.get_by_role("button", name="Send", exact=True).click()
    first = page.locator(".assessment-attempt", has_text=re.compile(r"attempt 1 ·"))
    expect(first).to_contain_text("Sent")

    first.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel assessment").click()
    expect(first).to_contain_text("Cancelled")
    fresh = _attempt(page, 2)
    expect(fresh).to_contain_text("needs sending")

    # Re-attempt would send the fresh attempt: it asks first, naming the test and who gets it.
    first.get_by_role("button", name="Re-attempt").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Send {test} again to {name} ({email})?")
    shoot("64-application-reattempt-asks")
    question.get_by_role("button", name="Back").click()
    expect(question).to_have_count(0)
    expect(fresh).to_contain_text("needs sending")  # Back sent nothing

    first.get_by_role("button", name="Re-attempt").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Re-attempt").click()
    expect(fresh).to_contain_text("Sent")
    expect(fresh).to_contain_text("re-take of attempt 1")
