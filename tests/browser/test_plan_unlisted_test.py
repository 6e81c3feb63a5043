"""A stage's test archived at the vendor, its connection still connected, walked: marked on the plan.

The plan looked fine while every candidate moved into the stage failed at HackerRank, one by one.
The refused send asks the vendor for its tests once; the plan then says the test is no longer
listed, and the row's own x and Add assessment replace it (a generated sandbox test is used, so
the demo's catalogue stays as the other walks know it). A stage's live-interview template deleted
at the vendor is walked the same way: the refused booking marks the link.
"""

import datetime

import httpx
import pytest
from playwright.sync_api import expect

from providers.sandbox import coderpad_interview
from tests.browser.steps import (
    add_candidate,
    add_stage_test,
    broken_rules,
    card_of,
    choose_connection,
    new_job,
    pick_test,
)

pytestmark = pytest.mark.browser

STAGE = "Recruiter screen"


def test_a_test_archived_at_the_vendor_is_marked_on_the_plan_and_replaced(
    page, app_url, demo_app, sign_in, shoot
):
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


def _generated_question(sandbox_url: str) -> tuple[str, str]:
    """A question made in the sandbox's CoderPad Interview account for this walk: (id, title)."""
    httpx.post(f"{sandbox_url}/_sandbox/coderpad_interview/catalog", json={"extra_tests": 1})
    newest = httpx.get(
        f"{sandbox_url}{coderpad_interview.API}/questions",
        params={"sort": "created_at,desc"},
        headers={"Authorization": f'Token token="{coderpad_interview.DEMO_KEY}"'},
    ).json()["questions"][0]
    return str(newest["id"]), newest["title"]


def test_a_live_interview_template_deleted_at_the_vendor_is_marked_on_the_plans_link(
    page, app_url, demo_app, sign_in, shoot
):
    question_id, question = _generated_question(demo_app.sandbox_url)
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/")
    plan_url = new_job(page, "Data Platform (deleted template)")
    applied = page.locator(".plan-stage[data-stage='Applied']")
    applied.get_by_role("button", name="Default live-interview link for Applied").click()
    choose_connection(page, "CoderPad Interview (CoderPad Interview)").click()
    page.get_by_role("option", name=question, exact=True).click()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(applied).to_contain_text(f"Live-interview link: {question}")

    # Deleted in CoderPad's question bank by an interviewer; Assay's connection stays connected.
    deleted = httpx.post(
        f"{demo_app.sandbox_url}/_sandbox/coderpad_interview/catalog", json={"archive": question_id}
    )
    assert deleted.status_code == 200
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Lena Linkless")
    card_of(page, "Lena Linkless", "Applied").get_by_role("link", name="Lena Linkless", exact=True).click()
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")
    page.get_by_label("Interview time").fill(when)
    page.get_by_label("Interviewers").fill("Grace Hopper")
    page.get_by_role("button", name="Schedule").click()
    gone = (
        f"CoderPad Interview no longer lists {question}: interviews booked in Applied get no link. In the "
        "interview plan, remove the link from Applied (Remove) and choose one the vendor offers "
        "(Default live-interview link)."
    )
    expect(page.locator(".assessment-attempt", has_text="CoderPad Interview")).to_contain_text(gone)
    expect(page.get_by_text("Interview scheduled, but its link was not made: ")).to_contain_text(gone)
    shoot("h81-booking-room-refused")

    page.goto(plan_url)
    mark = applied.locator(".unlisted-link")
    expect(mark).to_contain_text("No longer at the vendor.")
    expect(mark).to_contain_text(gone)
    assert broken_rules(page) == []
    shoot("h81-plan-unlisted-link", applied)

    applied.get_by_role("button", name="Remove the live-interview link of Applied").click()
    expect(applied.locator(".unlisted-link")).to_have_count(0)
    shoot("h81-plan-link-removed", applied)
