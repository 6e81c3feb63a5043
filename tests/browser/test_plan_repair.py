"""A stage's test left on a disconnected connection, walked: marked on the plan, repaired in a click.

An admin disconnected a CoderPad Screen account and connected it again, which makes a new
connection: the stage sending its test through the old one refused every candidate, while the
plan showed the test as if nothing were wrong. The plan marks it in words, and Repair moves it to
a connected connection the sandbox says lists the same test; a candidate then enters the stage.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, broken_rules, card_of, choose_connection, new_job

pytestmark = pytest.mark.browser

ACCOUNT = "CoderPad Screen (Berlin)"
STAGE = "Recruiter screen"


def _connect(page, app_url) -> None:
    """The admin connects the Berlin account of CoderPad Screen (its name free again once disconnected),
    with its own key: the demo's key is the account "CoderPad Screen" connects already."""
    page.goto(f"{app_url}/integrations")
    page.get_by_role("button", name="Connect CoderPad Screen", exact=True).click()
    page.get_by_label("Connection name").fill(ACCOUNT)
    page.get_by_label("API key").fill("berlin-coderpad-key-5555")
    page.get_by_role("button", name="Save & close").click()
    expect(page.locator(".integration-connection", has_text=ACCOUNT)).to_be_visible()


def test_a_test_on_a_disconnected_connection_is_marked_and_repaired_and_candidates_enter(
    page, app_url, sign_in, shoot
):
    sign_in("admin@assay.test")
    _connect(page, app_url)

    page.goto(f"{app_url}/")
    plan_url = new_job(page, "Platform Engineer (Berlin)")
    stage = page.locator(f".plan-stage[data-stage='{STAGE}']")
    stage.get_by_role("button", name="Add assessment").click()
    choose_connection(page, f"{ACCOUNT} (CoderPad Screen)").click()
    first = page.get_by_role("option").first
    test_name = first.inner_text()
    first.click()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(stage.locator(".stage-test", has_text=test_name)).to_be_visible()

    # Disconnected, then connected again: a new connection, which the stage does not use.
    page.goto(f"{app_url}/integrations")
    page.locator(".integration-connection", has_text=ACCOUNT).get_by_role("button", name="Disconnect").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(page.locator(".integration-connection", has_text=ACCOUNT)).to_have_count(0)
    _connect(page, app_url)

    page.goto(plan_url)
    mark = stage.locator(".disconnected-connection")
    expect(mark).to_contain_text("Connection disconnected.")
    expect(mark).to_contain_text(f"no candidate can enter {STAGE} until this test is replaced")
    assert broken_rules(page) == []
    shoot("h64-plan-disconnected-test", stage)

    mark.get_by_role("button", name=f"Repair {test_name} in {STAGE}").click()
    question = page.get_by_role("dialog")
    expect(question).to_contain_text(re.compile(r"2 connected CoderPad Screen connections list"))
    expect(question).to_contain_text(f"candidates can enter {STAGE} again")
    shoot("h64-plan-repair-question", full_page=False)
    question.get_by_role("button", name=f"Use {ACCOUNT}").click()
    expect(page.get_by_text(f"{STAGE} sends {test_name} through {ACCOUNT} now")).to_be_visible()
    expect(question).to_have_count(0)
    expect(mark).to_have_count(0)
    shoot("h64-plan-repaired", stage)

    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Rosa Berlin")
    card_of(page, "Rosa Berlin", "Applied").get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=STAGE).click()
    expect(page.get_by_text(f"Moved to {STAGE}: assessment needs sending.")).to_be_visible()
    expect(card_of(page, "Rosa Berlin", STAGE)).to_be_visible()
    shoot("h64-board-candidate-entered", full_page=False)
