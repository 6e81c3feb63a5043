"""A stage's test archived at the vendor, its connection still connected, walked: marked on the plan.

The plan looked fine while every candidate moved into the stage failed at HackerRank, one by one.
The refused send asks the vendor for its tests once; the plan then says the test is no longer
listed, and the row's own x and Add assessment replace it (a generated sandbox test is used, so
the demo's catalogue stays as the other walks know it).
"""

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, add_stage_test, broken_rules, card_of, new_job, pick_test

pytestmark = pytest.mark.browser

STAGE = "Recruiter screen"


def test_a_test_archived_at_the_vendor_is_marked_on_the_plan_and_replaced(
    page, app_url, demo_app, sign_in, shoot
):
    page.set_default_timeout(20_000)
    httpx.post(f"{demo_app.sandbox_url}/_sandbox/hackerrank/catalog", json={"extra_tests": 1})
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/")
    plan_url = new_job(page, "Data Platform (archived test)")
    stage = page.locator(f".plan-stage[data-stage='{STAGE}']")
    stage.get_by_role("button", name="Add assessment").click()
    doomed = pick_test(page, "HackerRank", -1)  # the generated one, listed last
    assert doomed.startswith("Generated test ")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(stage.locator(".stage-test", has_text=doomed)).to_be_visible()
    stage.get_by_label(f"Send automatically on entry to {STAGE}").check()
    stage.get_by_role("button", name=f"Save the settings of {STAGE}").click()
    expect(page.get_by_text("saved", exact=False).first).to_be_visible()

    # Archived at HackerRank by its own admin; Assay's connection stays connected.
    archived = httpx.post(
        f"{demo_app.sandbox_url}/_sandbox/hackerrank/catalog",
        json={"archive": doomed.removeprefix("Generated test ")},
    )
    assert archived.status_code == 200
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Ines Archived")
    card_of(page, "Ines Archived", "Applied").get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=STAGE).click()
    expect(page.get_by_text(f"HackerRank no longer lists {doomed}").first).to_be_visible()
    shoot("h68-board-send-refused", full_page=False)

    page.goto(plan_url)
    mark = stage.locator(".unlisted-test")
    expect(mark).to_contain_text("No longer at the vendor.")
    expect(mark).to_contain_text(
        f"HackerRank no longer lists {doomed}: sending it is refused. In the interview "
        f"plan, remove it from {STAGE} (its x) and add one the vendor offers (Add assessment)."
    )
    assert broken_rules(page) == []
    shoot("h68-plan-unlisted-test", stage)

    stage.get_by_role("button", name=f"Remove {doomed} from {STAGE}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove").click()
    expect(stage.locator(".stage-test", has_text=doomed)).to_have_count(0)
    add_stage_test(page, stage, "HackerRank")
    expect(stage.locator(".unlisted-test")).to_have_count(0)
    shoot("h68-plan-replaced", stage)
