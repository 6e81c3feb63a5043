"""An admin sets when status chips turn amber and red; boards follow; defaults come back."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _sent_chips(page, colour: str):
    return page.locator(f".pipeline-card .rt-Badge[data-accent-color='{colour}']", has_text="Sent")


def test_an_admin_sets_the_status_clocks_and_the_board_follows(page, app_url, sign_in, shoot):
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/jobs/1")
    expect(_sent_chips(page, "green").first).to_be_visible()  # the demo's invitations are fresh

    page.get_by_role("link", name="Settings", exact=True).click()  # the board's other links are candidates
    amber, red = page.get_by_label("Sent amber after hours"), page.get_by_label("Sent red after hours")
    expect(amber).to_have_value("72")
    failed_row = page.get_by_role("row").filter(has_text="Failed")
    expect(failed_row).to_contain_text("From the start")  # a failure is never green: no amber clock
    expect(page.get_by_label("Failed amber after hours")).to_have_count(0)
    expect(page.get_by_label("Failed red after hours")).to_have_value("24")
    amber.fill("48")
    red.fill("24")
    page.get_by_role("button", name="Save clocks").click()
    expect(page.get_by_role("alert")).to_contain_text("Sent: the chip turns amber before it turns red")
    # The box at fault is marked and focused, and reads the error out; the others are left alone.
    expect(amber).to_have_attribute("aria-invalid", "true")
    expect(amber).to_be_focused()
    expect(amber).to_have_accessible_description(
        "Sent: the chip turns amber before it turns red, so amber must be less."
    )
    expect(red).not_to_have_attribute("aria-invalid", "true")
    shoot("60a-settings-clock-refused")
    red.fill("0")
    page.get_by_role("button", name="Save clocks").click()
    expect(page.get_by_role("alert")).to_contain_text("Sent: the red time must be more than 0 hours")
    expect(red).to_have_attribute("aria-invalid", "true")
    expect(red).to_be_focused()
    expect(amber).not_to_have_attribute("aria-invalid", "true")
    expect(amber).to_have_value("48")  # what was typed stays

    amber.fill("0.0001")  # a third of a second: every demo invitation has waited longer
    red.fill("0.0002")
    page.get_by_role("button", name="Save clocks").click()
    expect(page.get_by_text("Saved: boards and the queue")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("Sent amber after hours")).not_to_have_attribute("aria-invalid", "true")
    shoot("60-settings-status-clocks")

    page.goto(f"{app_url}/jobs/1")
    expect(_sent_chips(page, "red").first).to_be_visible()
    expect(_sent_chips(page, "green")).to_have_count(0)
    shoot("61-board-with-red-chips", full_page=False)

    page.goto(f"{app_url}/settings")
    page.get_by_role("button", name="Restore defaults").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("for the whole team")
    page.get_by_role("alertdialog").get_by_role("button", name="Restore defaults").click()
    expect(page.get_by_label("Sent red after hours")).to_have_value("168")
    page.goto(f"{app_url}/jobs/1")
    expect(_sent_chips(page, "green").first).to_be_visible()
    expect(_sent_chips(page, "red")).to_have_count(0)


def test_a_recruiter_has_no_settings(page, app_url, sign_in):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    expect(page.get_by_role("link", name="Queue", exact=True)).to_be_visible()  # not a candidate's name
    expect(page.get_by_role("link", name="Settings", exact=True)).to_have_count(0)
    page.goto(f"{app_url}/settings")
    expect(page.locator(".page-refusal")).to_contain_text("Settings are the admins' page")
