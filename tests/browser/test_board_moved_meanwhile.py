"""A card a colleague moves while its "Move to" menu is open, walked in Chromium with two recruiters.

The card is drawn anew in its new column, and the menu, part of the old card, closes with it:
the recruiter about to pick a stage lost the menu under their pointer with no word of why.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import a_colleague_moves, add_candidate, card_of, new_job

pytestmark = pytest.mark.browser


def test_a_card_moved_by_a_colleague_while_its_menu_is_open_says_so(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    new_job(page, "Menu Race Engineer")
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()
    add_candidate(page, "Ena Race")
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    board_url = page.url
    card_of(page, "Ena Race", "Applied").get_by_role("button", name="Move to").click()
    expect(page.get_by_role("menuitem", name="Offer")).to_be_visible()

    # An admin, on their own machine, moves Ena on while the recruiter's menu is open.
    a_colleague_moves(page, app_url, board_url, "Ena Race", "Applied", "Onsite")

    expect(card_of(page, "Ena Race", "Onsite")).to_be_visible()
    expect(page.get_by_role("menu")).to_have_count(0)
    # The menu closed with its card: the recruiter is told why, and where the card is now.
    expect(page.locator("[data-sonner-toast]")).to_contain_text(
        "Ena Race was moved to Onsite meanwhile, so their menu closed before you chose."
    )
    shoot("board-menu-card-moved-meanwhile", full_page=False)
    # Nothing else moved it: it stays where the colleague put it.
    page.wait_for_timeout(500)
    expect(card_of(page, "Ena Race", "Onsite")).to_be_visible()

    # Moved by the recruiter's own pick, the card is no news: its menu closed as it was picked from.
    page.locator("[data-sonner-toast]").get_by_role("button", name="Close toast").click()
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)
    card_of(page, "Ena Race", "Onsite").get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name="Offer").click()
    expect(card_of(page, "Ena Race", "Offer")).to_be_visible()
    expect(page.locator("[data-sonner-toast]")).to_have_text("Ena Race: Moved to Offer.")
    page.wait_for_timeout(500)
    expect(page.locator("[data-sonner-toast]")).to_have_count(1)
