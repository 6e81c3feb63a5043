"""The queue in a small laptop's window: every row's buttons in sight, nothing scrolled sideways.

Found by a walk: at 800 px wide the queue's table ran past the window's edge, and each row's
Send (or Resend, Re-attempt) sat beyond a sideways scroll, out of a recruiter's sight; so did
Match and Set aside beside a vendor result that needs matching.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from dashboard.services import assessments, matching
from models import Integration
from providers.base import AttemptStatus, Progress
from tests.browser.steps import new_job, on_the_apps_database, toasts_gone

pytestmark = pytest.mark.browser

EMAIL = "narrow.window@example.com"  # a vendor result of this walk's own, to be matched

# Whatever scrolls sideways, the page or a table's own scroll area: how far its content runs past it.
OVERFLOW = """() => [document.documentElement, ...document.querySelectorAll('.rt-ScrollAreaViewport')]
    .map((box) => box.scrollWidth - box.clientWidth)
    .reduce((widest, over) => Math.max(widest, over), 0)"""


def _needs_matching(db_url: str) -> None:
    """A completed result from CoderPad naming an attempt Assay never sent, kept for matching."""
    with on_the_apps_database(db_url) as session:
        screen = session.exec(select(Integration).where(Integration.vendor == "coderpad_screen")).first()
        status = AttemptStatus("walk-narrow-1", Progress.COMPLETED, "completed", candidate_email=EMAIL)
        matching.record(
            session=session, integration_id=screen.id, status=status, outcome=assessments.Applied.UNKNOWN
        )


def _in_sight(buttons, width: int) -> None:
    """Each of (the first few) ``buttons`` lies inside a window ``width`` wide."""
    expect(buttons.first).to_be_visible()
    for n in range(min(5, buttons.count())):
        box = buttons.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"a row's button is out of sight at {box}"


def _fits(page, width: int, step: str = "Send") -> None:
    """Every row's one click (``step``) and Match in sight, and nothing on the page scrolls sideways."""
    _in_sight(page.get_by_role("button", name=re.compile(f"^{step} for ")), width)  # "Send" is in "Resend"
    _in_sight(page.locator(".needs-matching").get_by_role("button", name="Match"), width)
    assert page.evaluate(OVERFLOW) <= 0, "the queue scrolls sideways"


def test_a_recruiter_reaches_each_rows_buttons_in_an_800_px_window(page, app_url, demo_app, sign_in, shoot):
    _needs_matching(demo_app.db_url)
    page.set_viewport_size({"width": 800, "height": 900})
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    expect(page.locator(".needs-matching").get_by_role("row", name=EMAIL)).to_be_visible()

    _fits(page, 800)
    shoot("queue-800-wide", full_page=False)
    page.locator(".needs-matching").scroll_into_view_if_needed()
    shoot("queue-800-wide-needs-matching", full_page=False)
    # Awaiting candidate: Resend, disabled with the vendor's reason where it has none.
    page.locator(".queue-bucket[data-bucket='awaiting']").click()
    expect(page.get_by_role("button", name=re.compile("^Resend for ")).first).to_be_visible()
    _fits(page, 800, "Resend")
    shoot("queue-800-wide-awaiting", full_page=False)

    # A wide window keeps the tables' columns side by side.
    page.set_viewport_size({"width": 1280, "height": 900})
    _fits(page, 1280, "Resend")  # still on Awaiting candidate
    expect(page.get_by_role("columnheader", name="Waiting")).to_be_visible()
    shoot("queue-1280-wide", full_page=False)


def test_on_a_phone_a_result_to_match_keeps_its_box_and_buttons_in_sight(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a walk at 390 px: the "Assessment #" box, Match and Set aside stood in a column
    beside the vendor result, past the window's edge, reached only by scrolling the table
    sideways. They now go under the result, the table inside the window."""
    _needs_matching(demo_app.db_url)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    row = page.locator(".needs-matching").get_by_role("row", name=EMAIL)
    expect(row).to_be_visible()
    number = row.get_by_label("Assessment number to match")
    for control in (
        number,
        row.get_by_role("button", name="Match"),
        row.get_by_role("button", name="Set aside"),
    ):
        box = control.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (
            f"a matching control is out of sight at {box}"
        )
    assert page.evaluate(OVERFLOW) <= 0, "the queue or one of its tables scrolls sideways on a phone"
    row.scroll_into_view_if_needed()
    shoot("queue-needs-matching-on-a-phone", full_page=False)

    number.fill("#999999")
    row.get_by_role("button", name="Match").click()
    expect(page.get_by_text("There is no assessment #999999")).to_be_visible()
    toasts_gone(page)  # on a phone the toast lies over the row's buttons (CI212: Set aside missed)
    row.get_by_role("button", name="Set aside").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(EMAIL)
    box = dialog.get_by_role("button", name="Set aside").bounding_box()
    assert box["x"] + box["width"] <= 390, "the dialog's Set aside is past the window's edge"
    dialog.get_by_role("button", name="Back").click()
    expect(row).to_be_visible()


def test_a_long_job_title_picked_in_the_job_filter_keeps_the_queue_in_the_window(page, app_url, sign_in):
    """Found by a walk: with a job of a long title (200 characters are allowed) picked in the
    Job filter, its box grew to the whole title and the queue ran past the window's edge, on a
    laptop as on a phone, its buttons out of sight. The box now cuts the title short."""
    sign_in("recruiter@assay.test")
    title = (
        "Senior Staff Backend Platform Reliability Engineer for the Payments, Billing and Ledger "
        "Reconciliation Team (Remote within EMEA or APAC, Hybrid in Berlin or Munich) - Queue Filter"
    )
    new_job(page, title)
    page.goto(f"{app_url}/queue")
    page.get_by_label("Job").click()
    page.get_by_role("option", name=title, exact=True).click()
    expect(page.get_by_label("Job")).to_have_text(title)

    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)  # laid out again
        assert page.evaluate(OVERFLOW) <= 0, f"the queue scrolls sideways at {width} px"
