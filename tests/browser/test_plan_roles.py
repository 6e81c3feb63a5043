"""The interview plan is the recruiters' and admins' to change: a hiring manager who opens it
(the board's link, a bookmark, a link a recruiter pasted) reads it, without a control, and is
told whose it is to change."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import broken_rules

pytestmark = pytest.mark.browser


def test_a_hiring_manager_reads_the_plan_and_is_told_whose_it_is_to_change(page, app_url, sign_in, shoot):
    """Found by a walk: the manager's own job's plan spun forever under a toast blaming them
    ("Your role (hiring manager) cannot do this.") for merely opening it; then it said only that
    the plan was the recruiters', and a manager deciding on candidates could not see the stages
    they go through, the tests each sends, nor whether they are sent on entry."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1")  # Backend Engineer: the manager's own job
    page.get_by_role("link", name="Interview plan").click()
    expect(page.get_by_role("heading", name="Backend Engineer: interview plan")).to_be_visible()
    expect(page.locator(".plan-read-only")).to_contain_text("Only recruiters and admins change this plan")

    stages = page.locator(".plan-stage")
    expect(stages.first).to_be_visible()
    names = stages.get_by_role("heading").all_inner_texts()
    assert names[0] == "Applied" and len(names) >= 4, names
    assessment = stages.filter(has=page.locator(".stage-test"))
    expect(assessment.first.locator(".stage-test").first).to_contain_text("CoderPad")  # the test's connection
    expect(assessment.first.locator(".stage-sending")).to_contain_text("Done when")
    expect(stages.get_by_text("Live-interview link:").first).to_be_visible()

    page.wait_for_timeout(1_500)  # a refusal's toast comes within a few hundred ms when it comes
    assert page.locator("[data-sonner-toast]").all_inner_texts() == []
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Applied")).to_be_visible()  # the page's, not nothing
    for role in ["textbox", "checkbox", "combobox"]:  # no name boxes, settings, new stage
        expect(main.get_by_role(role)).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)  # no arrows, Delete, Add, Remove, Save
    expect(page.get_by_role("link", name="Back to the board")).to_be_visible()
    assert broken_rules(page) == []
    shoot("plan-read-by-a-hiring-manager")


def test_a_job_not_on_the_managers_team_offers_from_its_board_and_plan_only_the_way_back(
    page, app_url, sign_in, shoot
):
    """Found by a walk: opened by address, another job's plan said "You are not on the hiring team
    of this job." beside "Back to the board", a board that refused them too; that board said it
    under no heading at all (its title is the job's, withheld) and offered no way out but the menu."""
    sign_in("manager@assay.test")
    refusal = "You are not on the hiring team of this job."
    for address, heading in [("/jobs/2", "Pipeline"), ("/jobs/2/plan", "Interview plan")]:
        page.goto(f"{app_url}/jobs/1")  # their own job first: nothing of it may stay on the next
        expect(page.get_by_role("heading", level=1)).to_have_text("Backend Engineer")
        page.goto(app_url + address)

        main = page.get_by_role("main")
        expect(main.locator(".page-refusal")).to_have_text(refusal)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(main.get_by_role("link")).to_have_text(["Back to the jobs"])
        expect(main.get_by_role("button")).to_have_count(0)
        shoot("refused" + address.replace("/", "-"), full_page=False)
        main.get_by_role("link", name="Back to the jobs").click()
        expect(page).to_have_url(app_url + "/")
