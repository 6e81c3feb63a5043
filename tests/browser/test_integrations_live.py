"""The integrations page follows a connection's health live, as the boards follow their jobs.

An admin keeps the page open while the vendor starts failing: the scheduler's next sweep
(every 5 s in these tests) marks the connection failing, and its card says so without a
reload. The vendor recovers while the admin is typing in the connect dialog: what they
typed stays, and once the dialog is closed the card shows the connection healthy again.
"""

import time

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

VENDOR = "coderpad_screen"
NAME = "CoderPad Screen"  # the demo's connection, named after its vendor


def test_a_connection_failing_and_recovering_shows_on_the_open_page(
    page, app_url, browser_sandbox_url, shoot, sign_in
):
    faults = f"{browser_sandbox_url}/_sandbox/faults"
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    card = page.locator(".integration-connection").filter(has=page.get_by_text(NAME, exact=True))
    health = card.locator(".rt-Badge").first  # the badge by its name
    expect(health).to_have_text("connected")

    # Enough 500s for every sweep (each call is tried three times) until the faults are lifted.
    httpx.post(faults, json={"vendor": VENDOR, "fail_next": [{"status": 500}] * 120}, timeout=10)
    try:
        expect(health).to_have_text("failing", timeout=20_000)
        expect(card).to_contain_text("500")  # the vendor's answer, as the sweep recorded it
        shoot("integrations-live-failing", card)

        # The admin starts connecting another vendor while the failure is on the card.
        page.locator(".vendor-tile", has_text="iMocha").first.get_by_role(
            "button", name="Connect iMocha", exact=True
        ).click()
        page.get_by_label("Connection name").fill("iMocha (half typed")
    finally:
        httpx.post(faults, json={"vendor": VENDOR}, timeout=10)  # the sandbox is shared: lifted either way

    # The next sweeps succeed and the page's data follows; the dialog open, nothing typed is lost.
    page.wait_for_timeout(11_000)  # two sweeps at least, at the walks' 5 s
    expect(page.get_by_label("Connection name")).to_have_value("iMocha (half typed")
    shoot("integrations-live-typing-kept")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(health).to_have_text("connected", timeout=20_000)  # at the catch-up, once the dialog is closed
    expect(card).not_to_contain_text("500")
    shoot("integrations-live-recovered", card)


def _revealed_address(card) -> str:
    """The webhook address the card shows once revealed (read again while the card is redrawn)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = "".join((card.locator(".webhook-url").text_content() or "").split())
        if "token=" in text and "\u2022" not in text:
            return text
        time.sleep(0.1)
    raise AssertionError("the card never showed its webhook address")


def test_refused_webhook_deliveries_show_on_the_open_page_until_one_is_accepted(
    page, app_url, shoot, sign_in
):
    """An admin gave the vendor the webhook address from before its token changed: every delivery
    is refused (401). The open page says so on the connection's card, live; once the vendor has the
    address the card shows, the next delivery is accepted and the card is well again."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    card = page.locator(".integration-connection").filter(has=page.get_by_text(NAME, exact=True))
    health = card.locator(".rt-Badge").first
    expect(health).to_have_text("connected")
    card.get_by_role("button", name=f"Reveal the webhook of {NAME}").click()
    url = _revealed_address(card)
    old_address = url.split("token=")[0] + "token=from-before-the-change"
    delivery = {"event": "test.status_changed", "id": 987654321}

    assert httpx.post(old_address, json=delivery, timeout=10).status_code == 401

    expect(card).to_contain_text("Webhook delivery refused (401)", timeout=20_000)
    expect(card).to_contain_text("none accepted since")
    expect(health).to_have_text("failing")
    shoot("integrations-webhook-refused", card)

    assert httpx.post(url, json=delivery, timeout=10).status_code == 200  # the address the card shows
    expect(card).not_to_contain_text("Webhook delivery refused", timeout=20_000)
    expect(health).to_have_text("connected")
