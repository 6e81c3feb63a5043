"""Adding candidates from a pasted list, walked in Chromium: the good lines land in Applied, the
refused ones stay in the box with why, and closing the dialog loses nothing typed."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import broken_rules, card_of, new_job

pytestmark = pytest.mark.browser

SHEET = "\n".join(
    [
        "Name\tEmail",  # copied from a spreadsheet, header row and all
        "Paula Paste\tpaula.paste@example.com",
        "Pedro Ñúñez\tpedro.nunez@example.com",
        "Pat Nomail\tpat@",
    ]
)


def test_a_pasted_list_adds_the_good_lines_and_keeps_the_refused_one_to_mend(page, sign_in, shoot):
    page.set_default_timeout(20_000)
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
    expect(box).to_have_value("Pat Nomail\tpat@")
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
    expect(box).to_have_value("Pat Nomail\tpat@")
    box.fill("Pat Nomail\tpat@example.com")
    dialog.get_by_role("button", name="Add candidates").click()
    expect(page.get_by_text("1 candidate added.")).to_be_visible()
    expect(box).to_have_value("")
    expect(dialog.get_by_label("Lines not added")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(card_of(page, "Pat Nomail", "Applied")).to_be_visible()
    shoot("board-pasted-list-added")
