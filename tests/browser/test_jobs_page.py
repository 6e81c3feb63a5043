"""The jobs page: a refused new job keeps its title in the box, to be corrected."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_refused_job_title_stays_in_the_box_to_be_shortened(page, app_url, sign_in, shoot):
    """A title over 200 characters was refused and the box emptied: the recruiter typed it all again."""
    page.set_default_timeout(20_000)
    sign_in("recruiter@assay.test")
    title = "Principal Payments Architect, Card Issuing (Remote, EMEA) " * 4
    box = page.get_by_label("New job title")
    box.fill(title)
    page.get_by_role("button", name="New job").click()

    expect(page.get_by_text("A job title is at most 200 characters.")).to_be_visible()
    expect(box).to_have_value(title)
    shoot("jobs-refused-title-kept", full_page=False)

    box.fill(title[:57])
    box.press("Enter")
    expect(page.get_by_role("heading", name=f"{title[:57]}: interview plan")).to_be_visible()
