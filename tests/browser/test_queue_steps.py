"""The queue's one click per row, walked in Chromium: send, resend, re-attempt where it waits.

A recruiter works the queue without opening an application: sends a test from
"Needs sending", resends the invitation from "Awaiting candidate", and once the
vendor reports the test expired, re-attempts it from "Expired". A hiring manager
next on the same tab, starts afresh and sees the queue without the buttons.
"""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, add_stage_test, card_of, new_job, query_app

pytestmark = pytest.mark.browser

CANDIDATE = "Grace Hamilton"  # demo data: Backend Engineer, CoderPad Screen stage, needs sending


def _row(page):
    return page.get_by_role("row", name=re.compile(CANDIDATE))


def _bucket(page, key: str) -> None:
    page.locator(f".queue-bucket[data-bucket='{key}']").click()


def _found_in(page, app_url: str, email: str, bucket: str):
    """The queue searched for ``email``, in ``bucket``: the candidate's row."""
    page.goto(f"{app_url}/queue")
    page.get_by_label("Search candidates").fill(email)
    page.get_by_role("button", name="Search").click()
    _bucket(page, bucket)
    return page.get_by_role("row", name=re.compile(re.escape(email)))


def _vendor_id(sandbox_url: str, email: str) -> str:
    """The sandbox's test id for the candidate's open invitation (the vendor's own list)."""
    tests = httpx.get(
        f"{sandbox_url}/coderpad-screen/assessment/api/v1.1/tests",
        params={"candidateEmail": email, "limit": 50},
        headers={"API-Key": "demo-coderpad-screen-key"},
        timeout=10,
    ).json()["tests"]
    return str(next(t["id"] for t in tests if t["candidate_email"] == email and t["status"] == "waiting"))


def test_a_recruiter_sends_resends_and_reattempts_from_the_queue(
    page, app_url, browser_sandbox_url, shoot, sign_in
):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    page.get_by_label("Search candidates").fill(CANDIDATE)
    page.get_by_role("button", name="Search").click()

    # Needs sending: one click sends it, and the row leaves the bucket.
    expect(_row(page)).to_contain_text("Assessment needs sending")
    _row(page).get_by_role("button", name=f"Send for {CANDIDATE}").click()
    expect(page.get_by_text(re.compile(f"sent to {CANDIDATE}"))).to_be_visible()
    expect(_row(page)).to_have_count(0)

    # Awaiting candidate: the invitation is resent from the row.
    _bucket(page, "awaiting")
    expect(_row(page)).to_contain_text("Sent")
    email = _row(page).locator("text=@example.com").inner_text()
    _row(page).get_by_role("button", name=f"Resend for {CANDIDATE}").click()
    expect(page.get_by_text("Invitation resent.", exact=True)).to_be_visible()
    shoot("75-queue-row-resend")

    # The vendor reports the test expired: the row is in Expired, with a re-attempt beside it.
    httpx.post(
        f"{browser_sandbox_url}/_sandbox/coderpad_screen/attempts/{_vendor_id(browser_sandbox_url, email)}/expire",
        timeout=10,
    ).raise_for_status()
    _bucket(page, "expired")
    expect(_row(page)).to_contain_text("Expired")
    shoot("76-queue-row-expired")
    _row(page).get_by_role("button", name=f"Re-attempt for {CANDIDATE}").click()  # one click, as Send
    expect(_row(page)).to_have_count(0)
    _bucket(page, "awaiting")
    expect(_row(page)).to_contain_text("Sent")
    page.get_by_role("link", name=CANDIDATE, exact=True).click()
    expect(page.locator(".assessment-attempt", has_text="attempt 2")).to_contain_text("re-take of attempt 1")

    # A hiring manager, next on this tab, starts afresh (not with the recruiter's search), and
    # sees the queue of their jobs with no button to act on it.
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/queue")
    expect(page.get_by_label("Search candidates")).to_have_value("")
    waiting = page.get_by_role("row", name=re.compile("Linus Torvalds"))  # a recruiter's row has "Send"
    expect(waiting).to_contain_text("Assessment needs sending")
    expect(page.locator(".queue-step")).to_have_count(0)


def test_an_expired_row_says_when_it_expired_not_that_it_expires(
    page, app_url, demo_app, browser_sandbox_url, shoot, sign_in
):
    """Found by a walk: the Expired bucket's rows read "Expires <the moment it expired>", the
    deadline in the future tense beside the "Expired" chip."""
    email, vendor_id = query_app(
        demo_app.db_url,
        "SELECT c.email || ' ' || t.vendor_attempt_id FROM assessmentattempt t"
        " JOIN integration i ON i.id = t.integration_id JOIN application a ON a.id = t.application_id"
        " JOIN candidate c ON c.id = a.candidate_id"
        " WHERE i.vendor = 'hackerrank' AND t.state = 'sent' ORDER BY t.id LIMIT 1",
    )[0].split()
    httpx.post(
        f"{browser_sandbox_url}/_sandbox/hackerrank/attempts/{vendor_id}/expire", timeout=10
    ).raise_for_status()
    sign_in("recruiter@assay.test")
    row = _found_in(page, app_url, email, "expired")
    expect(row).to_be_visible(timeout=30_000)  # once the app's sync has heard of the expiry
    expect(row).to_contain_text(re.compile(r"Expired\s*Expired 20\d\d-\d\d-\d\d \d\d:\d\d UTC"))
    shoot("77-queue-row-expired-when")
    expect(row).not_to_contain_text("Expires")


def test_a_hiring_manager_is_not_offered_the_bulk_send(page, app_url, sign_in, shoot):
    """Found by a walk: "Needs sending" showed a hiring manager "Select all shown" and
    "Send selected (0)", and a box on each row, none of which their role may use."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/queue")
    expect(page.locator(".queue-bucket[data-bucket='needs_sending']")).to_have_attribute(
        "data-accent-color", "violet"
    )
    # Loaded: its rows, or that it is empty (another test may have sent them all).
    rows = page.get_by_role("row", name=re.compile("Assessment needs sending"))
    expect(rows.first.or_(page.get_by_text("Nothing in this bucket."))).to_be_visible()
    expect(page.get_by_text("Select all shown")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Send selected"))).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    shoot("77-queue-manager-needs-sending", full_page=False)


def test_the_stage_list_follows_the_job_picked(page, app_url, shoot, sign_in):
    """Found by a walk: after picking a job, the Stage list still offered every job's stages."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    stage = page.get_by_label("Stage", exact=True)
    stage.click()
    page.get_by_role("option", name="CoderPad Screen assessment", exact=True).click()  # Backend Engineer's
    expect(stage).to_contain_text("CoderPad Screen assessment")

    page.get_by_label("Job", exact=True).click()
    page.get_by_role("option", name="Frontend Engineer", exact=True).click()  # not "Senior Frontend ..."

    expect(stage).to_contain_text("All stages")  # another job's stage is cleared
    stage.click()
    expect(page.get_by_role("option", name="HackerRank assessment", exact=True)).to_be_visible()
    shoot("78-queue-stage-list-of-the-job")
    expect(page.get_by_role("option", name="CoderPad Screen assessment", exact=True)).to_have_count(0)
    expect(page.get_by_role("option", name="iMocha assessment", exact=True)).to_have_count(0)
    page.keyboard.press("Escape")


def test_a_step_the_vendor_cannot_take_says_why_on_asking_and_keeps_the_row_short(
    page, app_url, demo_app, shoot, sign_in
):
    """Found by a walk: each iMocha row of "Awaiting candidate" had iMocha's whole reason for no
    resend under its disabled button, seven lines tall, so the bucket took screens to scroll."""
    email = query_app(
        demo_app.db_url,
        "SELECT c.email FROM assessmentattempt t"
        " JOIN integration i ON i.id = t.integration_id JOIN application a ON a.id = t.application_id"
        " JOIN candidate c ON c.id = a.candidate_id"
        " WHERE i.vendor = 'imocha' AND t.state = 'sent' ORDER BY t.id LIMIT 1",
    )[0]
    sign_in("recruiter@assay.test")
    row = _found_in(page, app_url, email, "awaiting")
    name = row.get_by_role("link").first.inner_text()
    expect(row.get_by_role("button", name=f"Resend for {name}", exact=True)).to_be_disabled()

    expect(row).not_to_contain_text("no call to email")  # the reason waits to be asked for
    assert row.bounding_box()["height"] < 90, row.bounding_box()
    why = row.get_by_role("button", name=f"Why not resend for {name}?")
    expect(why).to_have_text("Why not?")
    why.focus()  # by keyboard
    page.keyboard.press("Enter")
    reason = page.get_by_role("dialog")
    expect(reason).to_contain_text(
        "iMocha's API has no call to email the invitation again; copy the test link shown on "
        "the assessment and send it to the candidate yourself."
    )
    shoot("78-queue-row-why-no-resend", full_page=False)
    page.keyboard.press("Escape")
    expect(reason).to_have_count(0)
    expect(why).to_be_focused()


def test_a_screen_reader_hears_which_bucket_is_shown(page, app_url, sign_in):
    """Found by a walk: the buckets are seven buttons alike ("Needs sending 3, button"); only their
    colour told which one the rows below were, so a screen reader user could not tell."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    needs_sending = page.get_by_role("button", name=re.compile(r"^Needs sending \d+$"))
    failed = page.get_by_role("button", name=re.compile(r"^Failed \d+$"))
    expect(needs_sending).to_have_attribute("aria-pressed", "true")
    expect(failed).to_have_attribute("aria-pressed", "false")

    failed.click()

    expect(failed).to_have_attribute("aria-pressed", "true")
    expect(needs_sending).to_have_attribute("aria-pressed", "false")


def _waiting_in_a_job_of_its_own(page, title: str, names: list[str]) -> None:
    """A new job whose Recruiter screen has a CoderPad Screen test, the candidates moved in: their
    tests need sending (the demo's rows are other walks' to send)."""
    new_job(page, title)
    add_stage_test(page, page.locator(".plan-stage[data-stage='Recruiter screen']"), "CoderPad Screen")
    page.get_by_role("link", name="Back to the board").click()
    for name in names:
        add_candidate(page, name)
        card_of(page, name).get_by_role("button", name=re.compile("^Move to")).click()
        page.get_by_role("menuitem", name="Recruiter screen").click()
        expect(card_of(page, name, "Recruiter screen")).to_be_visible()


def test_after_a_rows_step_the_keyboard_goes_on_from_the_next_row(page, app_url, sign_in):
    """Found by a walk: Enter on a row's Send sent it and the row left, and the focus fell to the
    page's top; a keyboard user sending a morning's tests tabbed back down past every filter."""
    sign_in("recruiter@assay.test")
    _waiting_in_a_job_of_its_own(page, "Keyboard Queue Engineer", ["Kay Board", "Lee Board", "Max Board"])
    page.goto(f"{app_url}/queue")
    page.get_by_label("Job", exact=True).click()
    page.get_by_role("option", name="Keyboard Queue Engineer", exact=True).click()
    expect(page.locator(".queue-step")).to_have_count(3)

    page.get_by_role("button", name="Send for Lee Board", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("row", name=re.compile("Lee Board"))).to_have_count(0)
    expect(page.get_by_role("button", name="Send for Max Board", exact=True)).to_be_focused()

    page.keyboard.press("Enter")  # the last row: the one before it takes the focus
    expect(page.get_by_role("button", name="Send for Kay Board", exact=True)).to_be_focused()
    page.keyboard.press("Enter")  # none left: the bucket they are working through
    expect(page.get_by_role("button", name=re.compile(r"^Needs sending 0$"))).to_be_focused()
