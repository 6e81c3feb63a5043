"""Deleting a stage that holds applications asks where they go, and moves them there."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STAGE = "Hold for budget"
NAME = "Devi Delete"


def test_deleting_a_stage_moves_its_applications_where_the_recruiter_says(page, app_url, sign_in, shoot):
    page.set_default_timeout(20_000)
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/3/plan")
    page.get_by_label("New stage name").fill(STAGE)
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_label("Stage name", exact=True).last).to_have_value(STAGE)

    page.goto(f"{app_url}/jobs/3")
    page.get_by_label("Candidate name").fill(NAME)
    page.get_by_label("Candidate email").fill("devi.delete@example.com")
    page.get_by_role("button", name="Add candidate").click()
    card = page.locator(".pipeline-card", has_text=NAME)
    card.get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=STAGE).click()
    expect(
        page.locator(f".pipeline-column[data-stage='{STAGE}'] .pipeline-card", has_text=NAME)
    ).to_be_visible()

    page.goto(f"{app_url}/jobs/3/plan")
    held = page.locator(
        ".rt-Card", has=page.get_by_label("Stage name", exact=True).and_(page.locator(f"[value='{STAGE}']"))
    )
    held.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("1 application(s) are in this stage")
    target = dialog.get_by_label("Move them to")
    expect(target).to_have_text("Applied")  # the first other stage, chosen for them
    target.click()
    page.get_by_role("option", name="Recruiter screen").click()
    expect(target).to_have_text("Recruiter screen")
    shoot("24-delete-stage-asks-where", full_page=False)
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Stage deleted.")).to_be_visible()
    expect(
        page.get_by_label("Stage name", exact=True).and_(page.locator(f"[value='{STAGE}']"))
    ).to_have_count(0)

    page.goto(f"{app_url}/jobs/3")
    moved = page.locator(".pipeline-column[data-stage='Recruiter screen'] .pipeline-card", has_text=NAME)
    expect(moved).to_be_visible()
