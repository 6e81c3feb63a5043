"""Adding candidates from a pasted list, walked in Chromium: the good lines land in Applied, the
refused ones stay in the box with why, and closing the dialog loses nothing typed."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_stage_test, broken_rules, card_of, new_job, toasts_gone

pytestmark = pytest.mark.browser

SHEET = "\n".join(
    [
        "Name\tEmail",  # copied from a spreadsheet, header row and all
        "Paula Paste\tpaula.paste@example.com",
        "Pedro Ñúñez\tpedro.nunez@example.com",
        "Pat Nomail\tpat@",
    ]
)
# Given back under the sheet's header: mended and added again, its columns are still told apart.
REFUSED = "Name\tEmail\nPat Nomail\tpat@"


def test_a_pasted_list_adds_the_good_lines_and_keeps_the_refused_one_to_mend(page, sign_in, shoot):
    sign_in("recruiter@assay.test")
    new_job(page, "Careers Fair Engineer")
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()

    opener = page.get_by_role("button", name="Paste a list")
    edge = page.get_by_role(
        "link", name="Edit plan"
    ).bounding_box()  # the page's right edge, inside its padding
    found = opener.bounding_box()
    assert found["x"] + found["width"] <= edge["x"] + edge["width"] + 1, (
        "the button runs past the page's edge"
    )
    opener.click()
    dialog = page.get_by_role("dialog", name="Add candidates from a list")
    box = dialog.get_by_label("Candidates, one per line")
    box.fill(SHEET)
    dialog.get_by_role("button", name="Add candidates").click()

    expect(page.get_by_text("2 candidates added; 1 line not added")).to_be_visible()
    expect(box).to_have_value(REFUSED)
    expect(dialog.get_by_label("Lines not added")).to_contain_text("Line 4 (Pat Nomail")
    expect(dialog.get_by_label("Lines not added")).to_contain_text("is not an email address")
    assert broken_rules(page) == []
    shoot("board-pasted-list-refused-line", dialog)

    # Closed to look the address up, opened again: the line is still there to mend.
    dialog.get_by_role("button", name="Close").click()
    expect(opener).to_be_focused()
    for name in ("Paula Paste", "Pedro Ñúñez"):
        expect(card_of(page, name, "Applied")).to_be_visible()
    opener.click()
    expect(box).to_have_value(REFUSED)
    box.fill(REFUSED.replace("pat@", "pat@example.com"))  # mended, under its header
    dialog.get_by_role("button", name="Add candidates").click()
    expect(page.get_by_text("1 candidate added.")).to_be_visible()
    expect(box).to_have_value("")
    expect(dialog.get_by_label("Lines not added")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(card_of(page, "Pat Nomail", "Applied")).to_be_visible()
    shoot("board-pasted-list-added")


def test_a_list_pasted_into_a_plan_that_starts_with_a_test_is_told_it_goes_to_each(page, sign_in, shoot):
    """Found in a review: the plan's first stage sent its test on entry to every line added, and
    the dialog said nothing of it before Add candidates."""
    sign_in("recruiter@assay.test")
    new_job(page, "Graduate Fair Engineer")
    page.get_by_label("New stage name").fill("Coding screen")
    page.get_by_role("button", name="Add stage").click()
    stage = page.locator(".plan-stage[data-stage='Coding screen']")
    test = add_stage_test(page, stage, "CoderPad Screen")
    stage.get_by_text("Send automatically on entry").click()
    stage.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Stage settings saved.").last).to_be_visible()
    stages = page.locator(".plan-stage")
    for place in reversed(range(stages.count() - 1)):  # up from the last place to the first
        toasts_gone(page)  # the stack of "saved" toasts lies over the last stage's buttons
        page.get_by_role("button", name="Move Coding screen up").click()
        expect(stages.nth(place)).to_have_attribute("data-stage", "Coding screen")

    page.get_by_role("link", name="Back to the board").click()
    page.get_by_role("button", name="Paste a list").click()
    dialog = page.get_by_role("dialog", name="Add candidates from a list")
    expect(dialog).to_contain_text(
        f"Each candidate added is sent {test} at once: Coding screen, the plan's first stage, "
        "sends its tests on entry."
    )
    assert broken_rules(page) == []
    shoot("board-pasted-list-first-stage-sends", dialog)
    dialog.get_by_label("Candidates, one per line").fill("Gail Graduate <gail.graduate@example.com>")
    dialog.get_by_role("button", name="Add candidates").click()
    expect(page.get_by_text("1 candidate added.")).to_be_visible()
    page.keyboard.press("Escape")
    expect(card_of(page, "Gail Graduate", "Coding screen")).to_contain_text("Sent")
