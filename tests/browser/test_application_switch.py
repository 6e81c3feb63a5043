"""From one application to the next, walked in Chromium: the page never draws the one before."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import card_of, open_new_application

pytestmark = pytest.mark.browser

# Every frame, whether the page at ``path`` draws an element matching ``selector`` whose text
# begins with ``text`` ("" for any): what belongs to the page before it, or its refusal.
WATCH = """([path, selector, text]) => {
  window.assayStale = [];
  const look = () => {
    const shown = document.querySelector(selector);
    if (location.pathname === path && shown && shown.textContent.startsWith(text))
      window.assayStale.push(shown.textContent);
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}"""


def _watch(page, path: str, selector: str, text: str = "") -> None:
    """Note every frame in which the page at ``path`` shows what it must not (``WATCH``)."""
    page.evaluate(WATCH, [path, selector, text])


def test_following_a_link_to_another_application_never_draws_the_one_before(page, app_url, sign_in):
    """Found by a fresh clone's run (ci127): the next application's page drew the previous one,
    buttons and all, until the server answered its load, and the walk's "Move to stage" clicked
    the previous candidate's menu."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 2, "Sam Switch", "sam.switch@example.com")
    first = page.url
    open_new_application(page, app_url, 2, "Sue Switch", "sue.switch@example.com")
    second_path = page.url.removeprefix(app_url)
    page.goto(first)
    expect(page.locator(".candidate-email")).to_have_text("sam.switch@example.com")

    _watch(page, second_path, ".candidate-email", "sam.switch@example.com")
    page.get_by_role("link", name="Frontend Engineer").first.click()  # the job's board
    card_of(page, "Sue Switch").get_by_role("link", name="Sue Switch", exact=True).click()
    expect(page.locator(".candidate-email")).to_have_text("sue.switch@example.com")

    assert page.evaluate("window.assayStale") == []


def test_opening_another_job_s_board_never_draws_the_board_before(page, app_url, sign_in):
    """As the application page: the next board drew the previous job's columns and cards until
    the server answered its load."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    expect(page.get_by_role("heading", name="Backend Engineer", exact=True)).to_be_visible()
    _watch(page, "/jobs/2", "[role=main] h1", "Backend Engineer")

    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_role("link", name="Frontend Engineer", exact=True).click()
    expect(page.get_by_role("heading", name="Frontend Engineer", exact=True)).to_be_visible()

    assert page.evaluate("window.assayStale") == []


def test_opening_another_job_s_plan_never_draws_the_plan_before(page, app_url, sign_in):
    """As the board: the next job's plan drew the previous job's stages until its load answered."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1/plan")
    expect(page.get_by_role("heading", name="Backend Engineer: interview plan")).to_be_visible()
    _watch(page, "/jobs/2/plan", "[role=main] h1", "Backend Engineer")

    # Each page arrived before the next click: the navigation is drawn per page (it marks the
    # section open), and a click the instant a page is swapped in could land on the old one's link.
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_role("heading", name="Backend Engineer", exact=True)).to_be_visible()
    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.get_by_role("heading", name="Jobs", exact=True)).to_be_visible()
    page.get_by_role("link", name="Frontend Engineer", exact=True).click()
    expect(page.get_by_role("heading", name="Frontend Engineer", exact=True)).to_be_visible()
    page.get_by_role("link", name="Edit plan").click()
    expect(page.get_by_role("heading", name="Frontend Engineer: interview plan")).to_be_visible()

    assert page.evaluate("window.assayStale") == []


def test_a_board_refused_before_is_not_shown_refused_on_the_next_board(page, app_url, sign_in):
    """A board that refused (a job gone, or not theirs) left its refusal up on the next board the
    recruiter opened, until the server answered that board's load."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/999999")
    expect(page.locator(".page-refusal")).to_contain_text("That job does not exist.")
    _watch(page, "/jobs/2", ".page-refusal")

    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_role("link", name="Frontend Engineer", exact=True).click()
    expect(page.get_by_role("heading", name="Frontend Engineer", exact=True)).to_be_visible()

    assert page.evaluate("window.assayStale") == []


def test_an_application_refused_before_is_not_shown_refused_on_the_next_one(page, app_url, sign_in):
    """As the board: the refusal of an application gone stayed up on the next one opened."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 2, "Rae Refused", "rae.refused@example.com")
    path = page.url.removeprefix(app_url)
    page.goto(f"{app_url}/applications/999999")
    expect(page.get_by_text("That application does not exist", exact=False)).to_be_visible()
    _watch(page, path, ".page-refusal")

    page.get_by_role("link", name="Jobs", exact=True).click()
    page.get_by_role("link", name="Frontend Engineer", exact=True).click()
    card_of(page, "Rae Refused").get_by_role("link", name="Rae Refused", exact=True).click()
    expect(page.locator(".candidate-email")).to_have_text("rae.refused@example.com")

    assert page.evaluate("window.assayStale") == []
