"""Open pages stay live through one revision watch per worker, and stop costing anything once left.

Each live page (jobs, board, queue, review, application, notifications) starts its watch
with its page load; Reflex cancels it when the tab navigates, reconnects or closes. The
worker's health answer counts the pages it keeps live (``live_pages``).
"""

import time

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _live_pages_become(app_url: str, expected: int, timeout: float = 15) -> int:
    deadline = time.monotonic() + timeout
    while True:
        count = httpx.get(f"{app_url}/api/health", timeout=5).json()["live_pages"]
        if count == expected or time.monotonic() > deadline:
            return count
        time.sleep(0.2)


def test_a_page_is_watched_while_open_and_forgotten_once_left(page, app_url, sign_in, shoot):
    page.set_default_timeout(20_000)
    assert _live_pages_become(app_url, 0) == 0, "pages of earlier tests are still watched"
    sign_in("recruiter@assay.test")
    expect(page.get_by_role("link", name="Backend Engineer")).to_be_visible()
    assert _live_pages_become(app_url, 1) == 1  # the jobs list

    page.get_by_role("link", name="Backend Engineer").click()
    expect(page.locator(".pipeline-column").first).to_be_visible()
    board_url = page.url
    assert _live_pages_become(app_url, 1) == 1  # the board's watch replaced the list's

    other = page.context.new_page()
    other.goto(f"{app_url}/queue")
    expect(other.get_by_role("heading", name="Queue")).to_be_visible()
    assert _live_pages_become(app_url, 2) == 2

    # The queue tab moves a candidate on the board; the first tab sees it without a reload.
    other.goto(board_url)
    card = other.locator(".pipeline-column[data-stage='Applied'] .pipeline-card").first
    name = card.get_by_role("link").inner_text()
    card.get_by_role("button", name="Move to").click()
    other.get_by_role("menuitem", name="Onsite").click()
    expect(page.locator(".pipeline-column[data-stage='Onsite'] .pipeline-card", has_text=name)).to_be_visible(
        timeout=3_000
    )
    shoot("73-board-live-from-another-tab")

    other.close()
    assert _live_pages_become(app_url, 1) == 1  # closing a tab ends its watch
    page.goto(f"{app_url}/integrations")  # not a live page
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    assert _live_pages_become(app_url, 0) == 0
