"""The pipeline board walked with the keyboard: Escape and the selection, as in Gmail, Linear or Ashby.

Escape drops the cards ticked on the board, unless something is open over it (a menu, the
reject dialog, a card lifted by keyboard): then Escape closes that one only, and the selection
stays for what the recruiter meant to do with it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, new_job

pytestmark = pytest.mark.browser


def _column(page, stage: str):
    return page.locator(f".pipeline-column[data-stage='{stage}']")


def _tick(page, *names: str) -> None:
    for name in names:
        page.get_by_label(f"Select {name}").focus()
        page.keyboard.press("Space")
        expect(page.get_by_label(f"Select {name}")).to_be_checked()


def test_escape_clears_the_selection_unless_a_menu_or_dialog_is_open(page, sign_in, shoot):
    sign_in("recruiter@assay.test")
    new_job(page, "Escape Selection Engineer")
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()
    for name in ["Eva Escape", "Finn Escape", "Gus Escape"]:
        add_candidate(page, name)
    bar = page.locator(".selection-bar")

    # On a card's checkbox: Escape unticks every card, and the focus stays where it was.
    _tick(page, "Eva Escape", "Finn Escape")
    expect(bar).to_contain_text("2 selected")
    expect(page.get_by_role("button", name="Clear selection")).to_have_attribute(
        "aria-keyshortcuts", "Escape"
    )
    page.keyboard.press("Escape")
    expect(bar).to_have_count(0)
    for name in ["Eva Escape", "Finn Escape"]:
        expect(page.get_by_label(f"Select {name}")).not_to_be_checked()
    expect(page.get_by_label("Select Finn Escape")).to_be_focused()

    # A menu open over the board: Escape closes the menu only, the focus back on its button.
    _tick(page, "Eva Escape", "Finn Escape")
    move_selected = page.get_by_role("button", name="Move selected to")
    move_selected.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Onsite")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    expect(move_selected).to_be_focused()
    expect(bar).to_contain_text("2 selected")
    page.wait_for_timeout(300)  # a clearing sent to the server would have come back by now
    expect(bar).to_contain_text("2 selected")
    shoot("board-escape-closed-the-menu-only")

    # The card's own menu, opened by keyboard with a selection on the board: the same.
    card_menu = page.get_by_role("button", name="Move to another stage for Gus Escape")
    card_menu.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Onsite")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("menu")).to_have_count(0)
    page.wait_for_timeout(300)
    expect(bar).to_contain_text("2 selected")

    # The reject dialog: Escape closes it, the selection it was opened on stays.
    page.get_by_role("button", name="Reject selected").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.wait_for_timeout(300)
    expect(bar).to_contain_text("2 selected")

    # A card lifted by keyboard: Escape puts it back where it was, the selection stays.
    page.get_by_label("Drag Gus Escape").focus()
    page.keyboard.press("Space")
    said = page.locator("[id^='DndLiveRegion']")
    expect(said).to_contain_text("Gus Escape is over Applied.")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    expect(said).to_contain_text("Moving Gus Escape was cancelled.")
    page.wait_for_timeout(300)
    expect(bar).to_contain_text("2 selected")
    expect(_column(page, "Applied").locator(".pipeline-card")).to_have_count(3)

    # A card dragged by mouse: Escape cancels the drag, the selection stays (helper-96's review:
    # dnd-kit's pointer sensor does not mark that Escape as handled).
    handle = page.get_by_label("Drag Gus Escape").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 8, steps=5)
    expect(said).to_contain_text("Gus Escape is over")  # lifted (it said "…was cancelled" before)
    page.keyboard.press("Escape")
    page.mouse.up()
    expect(said).to_contain_text("Moving Gus Escape was cancelled.")
    page.wait_for_timeout(300)
    expect(bar).to_contain_text("2 selected")

    # Escape in a toast leaves the toast, not the selection (sonner does not mark it handled).
    card_menu.click()
    page.get_by_role("menuitem", name="Onsite").click()
    moved = page.locator("[data-sonner-toast]", has_text="Gus Escape: Moved to Onsite.")
    moved.get_by_role("button").focus()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    expect(bar).to_contain_text("2 selected")

    # Nothing open now: Escape from the bar's own button clears the selection, and the bar gone
    # with the focus, the focus goes to a card it unticked (not to the page's top).
    move_selected.focus()
    page.keyboard.press("Escape")
    expect(bar).to_have_count(0)
    expect(page.get_by_label("Select Finn Escape")).to_be_focused()
    expect(page.get_by_label("Select Eva Escape")).not_to_be_checked()
    shoot("board-escape-cleared-the-selection")


def test_a_screen_reader_goes_from_stage_to_stage_by_their_headings(page, sign_in):
    """Found by a keyboard walk: the stages' names were plain text, so a screen reader user could
    not jump from stage to stage (the H key) as the plan page lets them; they read every card's
    every control to find where Onsite began."""
    sign_in("recruiter@assay.test")
    new_job(page, "Stage Headings Engineer")
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Hal Heading")
    board = page.get_by_role("region", name="Stages of Stage Headings Engineer")
    expect(board.get_by_role("heading", level=2)).to_have_text(
        ["Applied", "Recruiter screen", "Onsite", "Offer"]
    )


def test_a_cards_menu_offers_the_stage_it_is_in_as_unavailable(page, sign_in, shoot):
    """Found by a keyboard walk: a card's "Move to" menu opened on the stage the card is in, first,
    as if it were a move to make: Enter there moved nobody. Now that one is shown but unavailable
    (a screen reader says so), and the menu opens on the first stage it can go to."""
    sign_in("recruiter@assay.test")
    new_job(page, "Menu Stage Engineer")
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Mo Menu")
    page.get_by_role("button", name="Move to another stage for Mo Menu").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Applied")).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_role("menuitem", name="Recruiter screen")).to_be_focused()
    shoot("board-card-menu-current-stage", full_page=False)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Onsite")).to_be_focused()
    page.keyboard.press("Enter")
    expect(_column(page, "Onsite").locator(".pipeline-card")).to_have_count(1)
    # The card drawn in Onsite has the focus back on its menu, whose stage now is Onsite.
    menu = page.get_by_role("button", name="Move to another stage for Mo Menu")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("menuitem", name="Onsite")).to_have_attribute("aria-disabled", "true")
    expect(page.get_by_role("menuitem", name="Applied")).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()


def test_a_screen_reader_hears_how_many_are_selected(page, sign_in):
    """Found by a screen-reader walk: ticking a stage's box ticked three cards, and Escape unticked
    them all, in silence (the count shows only in the bar): a screen reader heard "checked" on
    the one box it was on, and nothing of the others."""
    sign_in("recruiter@assay.test")
    new_job(page, "Said Selection Engineer")
    page.get_by_role("link", name="Back to the board").click()
    for name in ["Ida Said", "Jo Said", "Kai Said"]:
        add_candidate(page, name)
    said = page.get_by_role("status").filter(has_text="selected")
    page.get_by_label("Select every card shown in Applied").focus()
    page.keyboard.press("Space")
    expect(said).to_have_text("3 candidates selected")
    page.get_by_label("Select Jo Said").focus()
    page.keyboard.press("Space")
    expect(said).to_have_text("2 candidates selected")
    page.keyboard.press("Escape")
    expect(said).to_have_text("No candidates selected")


def test_arrows_go_from_card_to_card_and_stage_to_stage(page, sign_in, shoot):
    """Found by a keyboard walk: the arrows did nothing on the board but scroll it, and reaching a
    column's tenth card took forty Tabs (its box, name, menu and handle, in every card above it).
    Up and down now go to the same control in the card above or below, left and right to the
    stage beside (past empty ones), the stage and the card's place said to a screen reader; a card
    lifted by keyboard still goes stage to stage."""
    sign_in("recruiter@assay.test")
    new_job(page, "Arrow Keys Engineer")
    page.get_by_role("link", name="Back to the board").click()
    for name in ["Ann Arrow", "Bea Arrow", "Cat Arrow", "Dan Arrow"]:
        add_candidate(page, name)
    page.get_by_role("button", name="Move to another stage for Dan Arrow").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Onsite")).to_be_focused()
    page.keyboard.press("Enter")
    expect(_column(page, "Onsite").locator(".pipeline-card")).to_have_count(1)

    # Applied shows Cat, Bea, Ann (the newest first); Onsite, two stages over, shows Dan.
    page.get_by_label("Select Cat Arrow").focus()
    for name in ["Bea Arrow", "Ann Arrow", "Ann Arrow"]:  # the last card is as far as it goes
        page.keyboard.press("ArrowDown")
        expect(page.get_by_label(f"Select {name}")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Select Bea Arrow")).to_be_focused()
    page.keyboard.press("ArrowRight")  # past the empty Recruiter screen
    expect(page.get_by_label("Select Dan Arrow")).to_be_focused()
    place = page.locator("#board-arrow-place")  # where a screen reader hears the stage crossed into
    expect(place).to_have_text("Onsite: card 1 of 1")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_label("Select Cat Arrow")).to_be_focused()
    expect(place).to_have_text("Applied: card 1 of 3")
    page.get_by_role("link", name="Cat Arrow", exact=True).focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="Bea Arrow", exact=True)).to_be_focused()
    assert page.evaluate("window.scrollY") == 0  # the arrow moved the focus, not the page
    shoot("board-arrows-between-cards", full_page=False)

    # On a drag handle the arrows go to the next card's handle; once Space lifts the card they
    # carry it instead, and the focus stays with it.
    page.get_by_label("Drag Bea Arrow").focus()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Drag Cat Arrow")).to_be_focused()
    page.keyboard.press("Space")
    said = page.locator("[id^='DndLiveRegion']")
    expect(said).to_contain_text("Cat Arrow is over Applied.")
    page.keyboard.press("ArrowRight")
    expect(said).to_contain_text("Cat Arrow is over Recruiter screen.")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Drag Cat Arrow")).to_be_focused()
    page.keyboard.press("Space")
    expect(_column(page, "Recruiter screen").locator(".pipeline-card")).to_have_count(1)
    expect(page.get_by_label("Drag Cat Arrow")).to_be_focused()


def test_a_move_says_whom_it_moved(page, sign_in):
    """Found by a screen-reader walk: moving three candidates one after another, each by its menu,
    was told "Moved to Onsite." three times, naming nobody; the review page says whom."""
    sign_in("recruiter@assay.test")
    new_job(page, "Said Move Engineer")
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Ola Said")
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    page.get_by_role("button", name="Move to another stage for Ola Said").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Onsite")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("[data-sonner-toast]")).to_have_text("Ola Said: Moved to Onsite.")
