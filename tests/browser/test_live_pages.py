"""Open pages stay live through one revision watch per worker, and stop costing anything once left.

Each live page (jobs, board, plan, queue, review, application, notifications) starts its watch
with its page load; Reflex cancels it when the tab navigates, reconnects or closes. The
worker's health answer counts the pages it keeps live (``live_pages``). What belongs to no
job (a vendor result to match) reaches the open queue through the workspace revision. A page
of no job (integrations, users, settings) waits too, for its navigation's unread count alone.
"""

import re
import time

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from dashboard.services import assessments, matching
from models import Integration
from providers.base import AttemptStatus, Progress
from tests.browser.steps import (
    add_candidate,
    card_of,
    on_the_apps_database,
    open_new_application,
    send_a_test,
    sign_in_on,
    take_test,
)

pytestmark = pytest.mark.browser


def _live_pages_become(app_url: str, expected: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = httpx.get(f"{app_url}/api/health", timeout=5).json()["live_pages"]
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def _keep_a_result_for_matching(db_url: str, candidate_email: str) -> None:
    """What a webhook about an attempt Assay never sent leaves, written to the running app's database."""
    with on_the_apps_database(db_url) as session:
        screen = session.exec(select(Integration).where(Integration.vendor == "coderpad_screen")).first()
        status = AttemptStatus("not-ours-1", Progress.COMPLETED, "completed", candidate_email=candidate_email)
        matching.record(
            session=session, integration_id=screen.id, status=status, outcome=assessments.Applied.UNKNOWN
        )


def test_a_page_is_watched_while_open_and_forgotten_once_left(page, app_url, demo_app, sign_in, shoot):
    assert _live_pages_become(app_url, 0) == 0, "pages of earlier tests are still watched"
    sign_in("recruiter@assay.test")
    jobs_link = page.get_by_role("link", name="Backend Engineer", exact=True)  # not "Senior Backend Engineer"
    expect(jobs_link).to_be_visible()
    assert _live_pages_become(app_url, 1) == 1  # the jobs list

    jobs_link.click()
    expect(page.locator(".pipeline-column").first).to_be_visible()
    board_url = page.url
    assert _live_pages_become(app_url, 1) == 1  # the board's watch replaced the list's

    other = page.context.new_page()
    other.goto(f"{app_url}/queue")
    expect(other.get_by_role("heading", name="Queue")).to_be_visible()
    assert _live_pages_become(app_url, 2) == 2

    # The queue tab moves a candidate on the board; the first tab sees it without a reload.
    other.goto(board_url)
    add_candidate(other, "Dorothy Vaughan")
    card_of(other, "Dorothy Vaughan", "Applied").get_by_role("button", name="Move to").click()
    other.get_by_role("menuitem", name="Onsite", exact=True).click()
    expect(card_of(page, "Dorothy Vaughan", "Onsite")).to_be_visible(timeout=3_000)
    shoot("73-board-live-from-another-tab")

    # A vendor result no application matches is kept for the queue: no job moved, the queue shows it.
    other.goto(f"{app_url}/queue")
    expect(other.get_by_role("heading", name="Queue")).to_be_visible()
    assert _live_pages_become(app_url, 2) == 2
    _keep_a_result_for_matching(demo_app.db_url, "grace.unknown@example.com")
    expect(other.get_by_text("grace.unknown@example.com")).to_be_visible(timeout=3_000)
    shoot("74-queue-live-result-to-match", other)

    other.close()
    assert _live_pages_become(app_url, 1) == 1  # closing a tab ends its watch
    page.goto(f"{app_url}/integrations")  # no job here: it waits for its navigation's unread count alone
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    assert _live_pages_become(app_url, 1) == 1  # in place of the board's
    page.goto("about:blank")
    assert _live_pages_become(app_url, 0) == 0


def _unread(page) -> int:
    """The navigation's count of unread notifications, as a screen reader hears it (0: none)."""
    name = page.get_by_role("link", name=re.compile("^Notifications")).get_attribute("aria-label")
    found = re.search(r"(\d+) unread", name)
    return int(found.group(1)) if found else 0


def test_an_admin_on_integrations_sees_a_new_notification_counted_without_a_reload(
    page, app_url, sign_in, shoot
):
    """Found by a walk: the navigation's unread count moved live on the boards, the queue and the
    rest, but on Integrations (Users, Settings) only when the page was loaded again."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    expect(page.locator(".integration-connection").first).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")  # gone if the page were loaded again
    before = _unread(page)

    # A recruiter, on their own machine, sends a test; the candidate finishes it: it needs review.
    colleague = page.context.browser.new_context()
    recruiter = colleague.new_page()
    recruiter.set_default_timeout(20_000)
    try:
        sign_in_on(recruiter, app_url, "recruiter@assay.test")
        open_new_application(recruiter, app_url, 1, "Walk Live Badge")
        _, attempt = send_a_test(recruiter, "CoderPad Screen")
        take_test(colleague, attempt.locator(".test-link").inner_text())
        expect(attempt).to_contain_text("needs review")
    finally:
        colleague.close()

    # Counted on the admin's open page, not compared with an exact number: the app's scheduler may add one.
    expect(page.get_by_role("link", name=re.compile("^Notifications"))).not_to_have_attribute(
        "aria-label", "Notifications" if before == 0 else f"Notifications, {before} unread", timeout=5_000
    )
    assert _unread(page) > before
    assert page.evaluate("window.stillTheSamePage === true")  # no reload brought it
    shoot("75-integrations-unread-count-live", page.locator(".unread-badge").locator("xpath=ancestor::a"))
