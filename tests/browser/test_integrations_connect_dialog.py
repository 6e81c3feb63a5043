"""The connect dialog takes what the admin types from the moment they click Connect.

Found by a walk: the dialog opened only once the server had answered the click (a few hundred
milliseconds on a busy server), and what the admin pasted or typed at once went to the page:
the name box showed the end of the name, and a Tab pressed meanwhile moved through the page.
"""

import pytest
from playwright.sync_api import expect

# A key the sandbox accepts at every vendor, of an account no demo connection holds.
ANOTHER_ACCOUNT_KEY = "another-account-key"

pytestmark = pytest.mark.browser


def test_a_name_and_key_typed_at_once_after_connect_are_all_kept_and_sent(page, app_url, shoot, sign_in):
    page.set_default_timeout(20_000)
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    tile = page.locator(".vendor-tile", has_text="HackerRank").first
    expect(tile).to_contain_text("connected")

    tile.get_by_role("button", name="Connect HackerRank", exact=True).click()
    # No wait: typed as an admin pastes, the moment the button is clicked.
    page.keyboard.type("HackerRank (typed at once)")
    page.keyboard.press("Tab")  # to the region
    page.keyboard.press("Tab")  # to the API key
    page.keyboard.type(ANOTHER_ACCOUNT_KEY)
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Connect HackerRank")
    expect(dialog.get_by_label("Connection name")).to_have_value("HackerRank (typed at once)")
    expect(dialog.get_by_label("API key")).to_have_value(ANOTHER_ACCOUNT_KEY)
    shoot("integrations-typed-at-once", dialog)
    page.keyboard.press("Enter")

    card = page.locator(".integration-connection", has_text="HackerRank (typed at once)")
    expect(card.locator(".audit-log")).to_contain_text("Connected.")
    expect(card).to_contain_text("\u2022\u2022\u2022\u2022-key")
    expect(dialog).to_have_count(0)

    # Its own dialog says which connection it changes, and which key an empty box keeps.
    card.get_by_role("button", name="Rotate key or change region").click()
    expect(dialog.get_by_role("heading")).to_have_text(
        "Rotate key or change region of HackerRank (typed at once)"
    )
    expect(dialog).to_contain_text("Leave it empty to keep the current key (\u2022\u2022\u2022\u2022-key)")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    # Gone again, so the other walks' pickers find one HackerRank connection, as seeded.
    card.get_by_role("button", name="Disconnect").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(card).to_have_count(0)
