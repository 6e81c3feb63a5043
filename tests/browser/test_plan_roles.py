"""The interview plan is the recruiters' and admins' to change: a hiring manager who opens it
(a bookmark, a link a recruiter pasted) is told so in place of the plan."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_hiring_manager_opening_a_plan_is_told_whose_page_it_is(page, app_url, sign_in, shoot):
    """Found by a walk: the manager's own job's plan spun forever under a toast blaming them
    ("Your role (hiring manager) cannot do this.") for merely opening it; once the toast went,
    nothing said why the plan never came."""
    page.set_default_timeout(20_000)
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/plan")  # Backend Engineer: the manager's own job
    expect(page.locator(".page-refusal")).to_contain_text("Interview plans are changed by recruiters")
    expect(page.locator(".rt-Spinner")).to_have_count(0)
    page.wait_for_timeout(1_500)  # a refusal's toast comes within a few hundred ms when it comes
    assert page.locator("[data-sonner-toast]").all_inner_texts() == []
    expect(page.get_by_role("textbox")).to_have_count(0)  # no name boxes, no new stage
    expect(page.get_by_role("link", name="Back to the board")).to_be_visible()  # theirs to read
    shoot("plan-refused-to-a-hiring-manager", full_page=False)
