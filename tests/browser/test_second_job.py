"""A candidate's second job with the same iMocha test, walked in Chromium (seed 003).

iMocha answers an invite for the same email and test with the invitation already
used, score and all. The recruiter's one click in the queue does not send it: while
the first invitation is open the queue says why nothing can be sent yet; once it is
finished, it asks in place whether to send a re-attempt instead, and sends it on "yes".
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import open_new_application, send_a_test

pytestmark = pytest.mark.browser

NAME, EMAIL = "Walk Twice", "walk.twice@example.com"
# Demo data. Not Backend Engineer: other walks take the first card of its Applied column.
FRONTEND_ENGINEER_JOB = 2
DATA_ENGINEER_JOB = 3  # its assessment stage is iMocha's third test


def _send_from_the_queue(page, app_url, test_name: str):
    """Click the row's "Send"; the page then asks in a modal dialog (the row is behind it)."""
    page.goto(f"{app_url}/queue")
    page.get_by_label("Search candidates").fill(NAME)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row", name=re.compile(NAME))
    expect(row).to_contain_text("Assessment needs sending")
    expect(row).to_contain_text(test_name)
    row.get_by_role("button", name=f"Send for {NAME}").click()
    return row


def test_the_queue_offers_a_re_attempt_where_the_vendor_would_reuse_the_first_invitation(
    page, app_url, sign_in, shoot
):
    sign_in("recruiter@assay.test")

    # First job: iMocha's test is sent.
    open_new_application(page, app_url, FRONTEND_ENGINEER_JOB, NAME, EMAIL)
    test_name, attempt = send_a_test(page, "iMocha", 2)
    first_job_url, test_link = page.url, attempt.locator(".test-link").inner_text()

    # Second job: the same person enters its iMocha stage, the same test.
    open_new_application(page, app_url, DATA_ENGINEER_JOB, NAME, EMAIL)
    page.get_by_label("Move to stage").click()
    page.get_by_role("option", name="iMocha assessment").click()
    expect(page.get_by_text("Moved to iMocha assessment")).to_be_visible()

    # While the first invitation is open, the queue says why no re-attempt can be sent yet.
    row = _send_from_the_queue(page, app_url, test_name)
    choice = page.get_by_role("alertdialog")
    expect(choice.locator(".earlier-not-now")).to_contain_text("this one is sent")
    expect(choice.get_by_role("button", name="Send a re-attempt")).to_be_disabled()
    shoot("77a-queue-earlier-attempt-still-open")
    choice.get_by_role("button", name="Not now").click()
    expect(choice).to_have_count(0)
    expect(row).to_contain_text("Assessment needs sending")

    # The candidate finishes the first job's test.
    candidate = page.context.new_page()
    candidate.goto(test_link)
    candidate.get_by_role("button", name="Start test").click()
    candidate.get_by_role("button", name="Submit test").click()
    expect(candidate.locator(".done")).to_be_visible()
    candidate.wait_for_load_state("load")
    candidate.close()
    page.goto(first_job_url)
    expect(page.locator(".assessment-attempt").first).to_contain_text("Assessment needs review")

    # Now the queue offers the re-attempt, and sends it on "yes".
    row = _send_from_the_queue(page, app_url, test_name)
    choice = page.get_by_role("alertdialog")
    expect(choice).to_contain_text("This candidate already has this test")
    expect(choice).to_contain_text(
        re.compile(r"Frontend Engineer application \(assessment needs review, score \d+%\)")
    )
    expect(choice.locator(".earlier-not-now")).to_have_count(0)
    shoot("77-queue-earlier-attempt")
    choice.get_by_role("button", name="Send a re-attempt").click()
    expect(choice).to_have_count(0)
    expect(page.get_by_text(re.compile(f"sent to {NAME}", re.I)).first).to_be_visible()
    expect(row).to_have_count(0)

    page.locator(".queue-bucket[data-bucket='awaiting']").click()
    expect(row).to_contain_text("Sent")
    expect(row).to_contain_text("Data Engineer")
    shoot("78-queue-re-attempt-sent")
