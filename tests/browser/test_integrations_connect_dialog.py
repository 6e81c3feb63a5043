"""The connect dialog takes what the admin types from the moment they click Connect, and lets
them go while a slow vendor is asked.

Found by walks: the dialog opened only once the server had answered the click (a few hundred
milliseconds on a busy server), and what the admin pasted or typed at once went to the page:
the name box showed the end of the name, and a Tab pressed meanwhile moved through the page.
And while Connect waited for a slow vendor (up to the HTTP timeout) the admin could only wait.
"""

import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import query_app

# A key the sandbox accepts at every vendor, of an account no demo connection holds.
ANOTHER_ACCOUNT_KEY = "another-account-key"

pytestmark = pytest.mark.browser


def test_a_name_and_key_typed_at_once_after_connect_are_all_kept_and_sent(page, app_url, shoot, sign_in):
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


@pytest.mark.parametrize("close", ["Cancel", "Escape"])
def test_cancel_while_a_slow_vendor_is_asked_closes_at_once_and_connects_nothing(
    close, page, demo_app, app_url, browser_sandbox_url, shoot, sign_in
):
    faults = f"{browser_sandbox_url}/_sandbox/faults"
    name = f"HackerRank (cancelled by {close})"
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    tile = page.locator(".vendor-tile", has_text="HackerRank").first
    expect(tile).to_contain_text("connected")
    tile.get_by_role("button", name="Connect HackerRank", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Connection name").fill(name)
    dialog.get_by_label("API key").fill(ANOTHER_ACCOUNT_KEY)
    cancel = dialog.get_by_role("button", name="Cancel").element_handle()

    # Each call to the vendor (the key's check, the webhook's registration) takes 6 s: it will say yes.
    # The walk below must close the dialog before those 12 s are up. At 2.5 s a call, a busy CI's walk
    # (the save's thread starting, the screenshot) clicked Cancel as the vendor had answered: the
    # save, done, closed the dialog under the click ("element is not stable", then "detached").
    httpx.post(faults, json={"vendor": "hackerrank", "latency_ms": 6000}, timeout=10)
    try:
        save = dialog.get_by_role("button", name="Save & close")
        save.click()
        expect(save).to_be_disabled()  # the server's answer: the save is under way
        _until(lambda: _rows_named(demo_app, name))  # the vendor is being asked
        expect(dialog.get_by_role("status")).to_have_text(
            "Asking HackerRank to check the key… Cancel connects nothing."
        )
        shoot(f"integrations-connect-waiting-{close.lower()}", dialog)
        # Still the dialog the admin filled in: the save's updates redraw nothing under their pointer.
        assert cancel.evaluate("button => button.isConnected")
        assert all(" (connecting " in row for row in _rows_named(demo_app, name)), "the vendor answered first"
        if close == "Cancel":
            dialog.get_by_role("button", name="Cancel").click()
        else:
            page.keyboard.press("Escape")
        # At once, not when the vendor answers; and it was a save withdrawn, not one done.
        expect(dialog).to_have_count(0, timeout=3_000)
        expect(page.get_by_text("Cancelled: nothing is connected or changed.")).to_be_visible()
        # The vendor answers yes meanwhile; then the hidden "(connecting …)" row, key and all, goes.
        _until(lambda: not _rows_named(demo_app, name))
    finally:
        httpx.post(faults, json={"vendor": "hackerrank"}, timeout=10)  # the sandbox is shared

    expect(page.locator(".integration-connection", has_text=name)).to_have_count(0)
    shoot(f"integrations-connect-cancelled-{close.lower()}")


def _rows_named(app, name: str) -> list[str]:
    """The connections of that name in the app's database, hidden ones being made included."""
    return query_app(app.db_url, "SELECT name FROM integration WHERE name LIKE :name", name=f"{name}%")


def _until(condition, seconds: float = 30) -> None:
    """Wait for ``condition`` (a save in a busy app's worker thread takes what it takes)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not within 30 s"
        time.sleep(0.2)
