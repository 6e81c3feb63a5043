"""Every page on a phone (390 px wide): the whole page in the window, nothing scrolled sideways.

Found by a walk: the navigation stood as a 200 px column beside every page, leaving a phone 190 px
for a board or a review table, and the review page's buttons ran over each other past the
window's edge; the integrations page's vendor tiles were 460 px wide whatever the window.
A wide table may scroll inside its own box; the page itself must not.
"""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _fits(page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SIDEWAYS) <= 0, f"{heading}: the page scrolls sideways on a phone"
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["x"] + sign_out["width"] <= PHONE["width"], "Sign out is past the window's edge"


def test_every_page_fits_a_phone(page, app_url, sign_in, shoot):
    page.set_default_timeout(20_000)
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    for path, heading in [
        ("/", "Jobs"),
        ("/queue", "Queue"),
        ("/notifications", "Notifications"),
        ("/integrations", "Integrations"),
        ("/users", "Users"),
        ("/settings", "Settings"),
    ]:
        page.goto(app_url + path)
        _fits(page, heading)

    page.goto(app_url)
    page.get_by_role("link", name="Backend Engineer", exact=True).click()
    _fits(page, "Backend Engineer")
    page.get_by_role("link", name="Review results").click()
    _fits(page, "Backend Engineer: review")
    in_view = page.locator(".candidate-in-view")
    for name in ("Reject (r)", "Note (n)"):
        box = in_view.get_by_role("button", name=name).bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], f"{name} is past the window's edge"
    shoot("review-on-a-phone", full_page=False)
    page.locator("a[href*='/applications/']").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    for chip in page.locator(".rt-Card .rt-Badge").all():  # each test's status, read whole
        box = chip.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], f"{chip.inner_text()} is cut at the window's edge"
    assert page.evaluate(SIDEWAYS) <= 0, "the application page scrolls sideways on a phone"
    shoot("application-on-a-phone", full_page=False)
