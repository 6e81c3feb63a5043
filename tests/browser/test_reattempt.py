"""Re-attempt on the application page, walked in Chromium: it asks first, as Send does.

Found by a walk: Re-attempt emailed the candidate at once (Send asks, naming who gets the
email), and on a cancelled attempt whose fresh attempt already waited, it sent that fresh
one without a word.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import open_new_application, send_a_test

pytestmark = pytest.mark.browser


def _attempt(page, number: int):
    return page.locator(".assessment-attempt", has_text=re.compile(rf"attempt {number}\b"))


def _sent_one_off(page, app_url, name: str, email: str):
    """A new candidate of job 1 sent a CoderPad Screen test from their page: (test, its attempt)."""
    open_new_application(page, app_url, 1, name, email)
    test, _ = send_a_test(page, "CoderPad Screen")
    first = page.locator(".assessment-attempt", has_text=re.compile(r"attempt 1 ·"))
    expect(first).to_contain_text("Sent")
    return test, first


def test_re_attempt_of_a_cancelled_test_asks_before_sending_the_fresh_attempt_waiting(
    page, app_url, sign_in, shoot
):
    sign_in("recruiter@assay.test")
    name, email = "Walk Reattempt Asks", "walk.reattempt.asks@example.com"
    test, first = _sent_one_off(page, app_url, name, email)

    first.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel assessment").click()
    expect(first).to_contain_text("Cancelled")
    # When it was cancelled, beside when it was sent (it said when it was sent only).
    expect(first).to_contain_text(re.compile(r"Cancelled\s*\d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    shoot("64a-application-cancelled-says-when", first)
    fresh = _attempt(page, 2)
    expect(fresh).to_contain_text("needs sending")

    # Re-attempt would send the fresh attempt: it asks first, naming the test and who gets it.
    first.get_by_role("button", name="Re-attempt").click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Send {test} again to {name} ({email})?")
    shoot("64-application-reattempt-asks")
    question.get_by_role("button", name="Back").click()
    expect(question).to_have_count(0)
    page.reload()  # read afresh from the database: Back sent nothing
    expect(fresh).to_contain_text("needs sending")

    first.get_by_role("button", name="Re-attempt").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Re-attempt").click()
    expect(fresh).to_contain_text("Sent")
    expect(fresh).to_contain_text("re-take of attempt 1")


def _take(page, attempt) -> None:
    """The candidate takes the test on the vendor's (sandbox) page, in a tab of their own."""
    candidate = page.context.new_page()
    candidate.goto(attempt.locator(".test-link").inner_text())
    candidate.get_by_role("button", name="Start test").click()
    candidate.get_by_role("button", name="Submit test").click()
    # Closed once the thank-you page has loaded (closing mid-navigation can hang Chromium).
    expect(candidate.locator(".done")).to_be_visible()
    candidate.wait_for_load_state("load")
    candidate.close()


def test_a_re_attempt_not_yet_taken_offers_no_detailed_report(page, app_url, sign_in, shoot):
    """Found by a walk: a HackerRank re-attempt showed "Detailed report" while only "Sent"."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Report Link")
    send_a_test(page, "HackerRank")
    first = page.locator(".assessment-attempt", has_text=re.compile(r"attempt 1 ·"))
    expect(first).to_contain_text("Sent")
    _take(page, first)
    expect(first).to_contain_text("Assessment needs review")
    expect(first.get_by_role("link", name="Detailed report")).to_be_visible()  # finished: its report

    first.get_by_role("button", name="Re-attempt").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Re-attempt").click()
    retake = _attempt(page, 2)
    expect(retake).to_contain_text("Sent")
    expect(retake.locator(".test-link")).to_be_visible()
    shoot("65-application-reattempt-sent-no-report")
    expect(retake.get_by_role("link", name="Detailed report")).to_have_count(0)
    expect(retake.get_by_role("link", name="Report PDF")).to_have_count(0)


def test_a_test_withdrawn_before_it_was_sent_is_asked_about_as_never_sent(page, app_url, sign_in, shoot):
    """Found by a walk: Cancel on a test waiting to be sent promised "a fresh attempt", and its
    Re-attempt then asked to send it "again", though it had never reached the candidate."""
    sign_in("recruiter@assay.test")
    name, email = "Walk Never Sent", "walk.never.sent@example.com"
    test, first = _sent_one_off(page, app_url, name, email)
    first.get_by_role("button", name="Cancel", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel assessment").click()
    fresh = _attempt(page, 2)
    expect(fresh).to_contain_text("needs sending")

    fresh.get_by_role("button", name="Cancel", exact=True).click()
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text("It was not sent and will not be")
    question.get_by_role("button", name="Cancel assessment").click()
    expect(fresh).to_contain_text("Cancelled")

    fresh.get_by_role("button", name="Re-attempt").click()
    expect(question).to_contain_text(f"Send {test} to {name} ({email}) after all?")
    shoot("64b-application-reattempt-never-sent-asks")
    question.get_by_role("button", name="Back").click()
