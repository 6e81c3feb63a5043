"""The seed flow with every vendor (issue 4): send from the application, take it on the
vendor's (sandbox) page, see the result arrive without a reload.

Scored tests go out as a one-off "Send an assessment"; live-interview vendors (pads)
make their link when an interview is scheduled in a stage whose plan names their
template, and the interview "ends" on the pad's page.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from providers import registry
from tests.browser.steps import open_new_application, send_a_test

pytestmark = pytest.mark.browser

SCORED = ["codesignal", "coderpad_screen", "coodesh", "hackerrank", "imocha"]
LIVE = ["coderpad_interview"]


def test_every_discovered_vendor_is_walked():
    assert sorted(SCORED + LIVE) == sorted(registry.VENDORS)


def _close_when_settled(candidate) -> None:
    """Close the candidate's tab only once the vendor's thank-you page has loaded.

    Closing a Chromium tab while a form-post navigation commits can hang forever
    (crbug.com/536385539, playwright#42068); it hung CI twice here.
    """
    expect(candidate.locator(".done")).to_be_visible()
    candidate.wait_for_load_state("load")
    candidate.close()


@pytest.mark.parametrize("vendor", SCORED)
def test_a_scored_test_from_each_vendor(page, app_url, sign_in, shoot, vendor):
    sign_in("recruiter@assay.test")
    display = registry.VENDORS[vendor].display_name
    name = f"Walk {display}"
    open_new_application(page, app_url, 1, name)

    _, attempt = send_a_test(page, display)
    expect(attempt).to_contain_text(display)

    candidate = page.context.new_page()
    candidate.goto(attempt.locator(".test-link").inner_text())
    candidate.get_by_role("button", name="Start test").click()
    candidate.get_by_role("button", name="Submit test").click()
    _close_when_settled(candidate)

    expect(attempt).to_contain_text("Assessment needs review")
    expect(attempt.locator(".assessment-result")).to_contain_text("Total score")
    shoot(f"50-vendor-{vendor}")


def _interview_in_onsite(page, app_url, name: str, interviewers: str):
    """``name`` applies to the demo job, moves to Onsite (whose live template is CoderPad
    Interview) and is booked an interview in two days; (the interview's row, its pad), sent."""
    open_new_application(page, app_url, 1, name)
    page.get_by_label("Move to stage").click()
    page.get_by_role("option", name="Onsite", exact=True).click()  # the demo job's stages, others' too
    expect(page.get_by_text("Moved to Onsite")).to_be_visible()
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")
    page.get_by_label("Interview time").fill(when)
    page.get_by_label("Interviewers").fill(interviewers)
    page.get_by_role("button", name="Schedule").click()
    interview = page.locator(".interviews .interview")
    expect(interview.locator(".interview-link")).to_contain_text("/take/")
    pad = page.locator(".assessment-attempt", has_text="CoderPad Interview")
    expect(pad).to_contain_text("Sent")
    return interview, pad


def test_a_live_interview_pad_from_its_stage_template(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    interview, pad = _interview_in_onsite(page, app_url, "Walk CoderPad Interview", "Grace Hopper, Alan Kay")

    candidate = page.context.new_page()
    candidate.goto(interview.locator(".interview-link").inner_text())
    candidate.get_by_role("button", name="Join interview").click()
    candidate.get_by_role("button", name="End interview").click()
    _close_when_settled(candidate)

    expect(pad).to_contain_text("Assessment needs review")
    expect(pad.get_by_role("link", name="Interview record")).to_be_visible()
    shoot("51-vendor-coderpad_interview")


def test_an_interview_rooms_card_speaks_of_the_room_not_of_a_test(page, app_url, sign_in, shoot):
    """Found by a walk: the Onsite pad's card read "Candidate's test link" beside the link the
    interviewers meet in too, and "No deadline set" under it, as if the interview could expire."""
    sign_in("recruiter@assay.test")
    interview, pad = _interview_in_onsite(page, app_url, "Walk Room Words", "Grace Hopper")

    expect(pad.get_by_text("Interview room link", exact=True)).to_be_visible()
    expect(pad).not_to_contain_text("Candidate's test link")
    expect(pad).not_to_contain_text("No deadline set")
    expect(pad.locator(".test-link")).to_have_text(interview.locator(".interview-link").inner_text())
    expect(pad.get_by_role("button", name="Copy interview room link")).to_be_visible()
    shoot("51b-interview-room-card", pad)


def test_cancelling_an_interview_says_first_its_pad_stays_open(page, app_url, sign_in, shoot):
    """CoderPad Interview documents no way to withdraw a pad: the question says so before the
    click, and the interview is called off all the same."""
    sign_in("recruiter@assay.test")
    interview, pad = _interview_in_onsite(page, app_url, "Walk Cancelled Pad", "Grace Hopper")
    expect(pad).to_contain_text("attempt 1 · Interview room")  # not "One-off": no test sent outside the plan

    interview.get_by_role("button", name=re.compile("^Cancel the interview on")).click()
    asked = page.get_by_role("alertdialog")
    expect(asked).to_contain_text("Its link still works: Assay cannot withdraw a CoderPad Interview pad")
    shoot("51b-cancel-interview-pad-stays")
    asked.get_by_role("button", name="Cancel interview").click()

    expect(page.get_by_text("cancelled; tell the interviewers. Its link still works")).to_be_visible()
    expect(interview).to_contain_text("Cancelled ")
    expect(pad).to_contain_text("Sent")  # open at CoderPad, as said: delete it there
