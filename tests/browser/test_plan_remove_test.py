"""The plan editor: the x beside a stage's test asks first, naming the test and the stage.

It removed the test at once, with no question and no word on what candidates keep. The
question is reached and answered from the keyboard: Enter on the x opens it with the focus
inside, Escape keeps the test.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_stage_test

pytestmark = pytest.mark.browser

STAGE = "Take-home"


def _focus_is_in_the_question(page) -> bool:
    return page.evaluate("document.activeElement?.closest('[role=alertdialog]') != null")


def test_removing_a_stage_test_asks_first_and_escape_keeps_it(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/2/plan")

    # The demo's assessment stage: its candidates have the test, sent or waiting to be sent.
    seeded = page.locator(".plan-stage", has=page.locator(".stage-test")).first
    stage_name = seeded.get_attribute("data-stage")
    remove = seeded.locator(".stage-test").get_by_role("button", name=re.compile("^Remove "))
    # The x is named for the test and its stage ("Remove X from Take-home"): the test's name is between.
    test_name = remove.get_attribute("aria-label").removeprefix("Remove ").removesuffix(f" from {stage_name}")
    remove.focus()
    page.keyboard.press("Enter")
    question = page.get_by_role("alertdialog")
    expect(question).to_contain_text(f"Remove {test_name} from {stage_name}?")
    expect(question).to_contain_text(
        re.compile(r"already sent stay with their candidates .*\(\d+ not finished")
    )
    expect(question).to_contain_text("not sent yet stay in the queue's Needs sending")
    assert _focus_is_in_the_question(page)
    shoot("27-plan-remove-test-asks", full_page=False)
    page.keyboard.press("Escape")
    expect(question).to_be_hidden()
    expect(remove).to_be_focused()  # Escape kept it, and gave the focus back to the x
    assert page.get_by_text("removed from").count() == 0  # counted once: expect() would wait out a toast

    # A stage of its own, whose test is removed for real (the demo's stays for the other walks).
    page.get_by_label("New stage name").fill(STAGE)
    page.get_by_role("button", name="Add stage").click()
    own = page.locator(f".plan-stage[data-stage='{STAGE}']")
    picked = add_stage_test(page, own, "iMocha")
    own_remove = own.get_by_role("button", name=f"Remove {picked}")
    own_remove.focus()
    page.keyboard.press("Enter")
    expect(question).to_contain_text(f"Remove {picked} from {STAGE}?")
    expect(question).to_contain_text("It is Take-home's only test")
    question.get_by_role("button", name="Remove").click()
    expect(page.get_by_text(f"{picked} removed from {STAGE}.")).to_be_visible()
    expect(own.locator(".stage-test")).to_have_count(0)

    own.get_by_role("button", name="Delete").click()  # leave job 2's plan as the demo made it
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(own).to_have_count(0)
