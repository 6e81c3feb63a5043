"""A card a colleague moves while the recruiter drags it, walked in Chromium with two people.

The board redraws the card in the column the colleague put it in, and the drag goes on: the drop
reported the card's new column as the one it was lifted from, and the move went through over the
colleague's (helper-122). It is refused, saying where the card is now.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import a_colleague_moves, add_candidate, card_of, new_job

pytestmark = pytest.mark.browser


def test_a_card_a_colleague_moves_while_it_is_dragged_stays_where_they_put_it(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    new_job(page, "Drag Race Engineer")
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()
    add_candidate(page, "Dora Drag")
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    board_url = page.url
    page.get_by_label("Drag Dora Drag").focus()
    page.keyboard.press("Space")  # lifted from Applied, by the keyboard
    said = page.locator("[id^='DndLiveRegion']")
    expect(said).to_contain_text("Dora Drag is over Applied.")

    # An admin, on their own machine, moves Dora to Onsite while the recruiter drags her.
    a_colleague_moves(page, app_url, board_url, "Dora Drag", "Applied", "Onsite")
    expect(card_of(page, "Dora Drag", "Onsite")).to_be_visible()

    page.keyboard.press("ArrowRight")  # the drag goes on from the card's new column
    expect(said).to_contain_text("Dora Drag is over Offer.")
    page.keyboard.press("Space")  # dropped on Offer

    expect(page.locator("[data-sonner-toast]")).to_contain_text(
        "Dora Drag was moved to Onsite meanwhile; not moved to Offer."
    )
    shoot("board-dragged-card-moved-meanwhile", full_page=False)
    page.wait_for_timeout(500)
    expect(card_of(page, "Dora Drag", "Onsite")).to_be_visible()
