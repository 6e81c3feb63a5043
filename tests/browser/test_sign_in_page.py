"""The sign-in form before the page's script has started (a slow network, a busy laptop)."""

import re
import socket
import urllib.parse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_sign_in_sent_before_the_page_is_ready_never_puts_the_password_in_the_address(browser, app_url):
    """Submitted by the browser itself, the form went as a GET: the password landed in the
    address bar, the history and the server's access log (``/sign-in/?email=…&password=…``)."""
    context = browser.new_context(java_script_enabled=False)  # the page as it is before its script runs
    try:
        page = context.new_page()
        page.goto(f"{app_url}/sign-in")
        page.get_by_label("Email").fill("admin@assay.test")
        page.get_by_label("Password").fill("assay-demo-password")
        page.get_by_label("Password").press("Enter")
        page.wait_for_load_state()
        assert "password" not in page.url, page.url
        expect(page.get_by_role("button", name="Sign in")).to_be_disabled()  # waiting for the script
    finally:
        context.close()


def test_a_refused_sign_in_says_who_can_give_a_new_password(page, app_url, shoot):
    """Found by a walk: a deactivated person, or one whose first password was never handed over,
    read only "Email or password is incorrect." with no word of where to turn."""
    page.goto(f"{app_url}/sign-in")
    hint = page.get_by_text(
        "Forgotten your password, or your account deactivated? An admin of your team can give you a new password or reactivate it."
    )
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    expect(hint).to_have_count(0)
    # No one's address: a demo user's failed sign-in would count toward their lockout in other walks.
    page.get_by_label("Email").fill("nobody@assay.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Password").press("Enter")

    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    expect(hint).to_be_visible()
    shoot("sign-in-refused-hint", full_page=False)


def test_the_session_cookie_is_out_of_reach_of_the_pages_scripts(page, app_url, sign_in, shoot):
    """The session cookie was written by the page's own scripts (an ``rx.Cookie``): any script
    on the page, a cross-site scripting flaw's, could read the token and take the session away."""
    sign_in("admin@assay.test")

    [cookie] = [c for c in page.context.cookies() if c["name"] == "assay_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["value"]
    assert "assay_session" not in page.evaluate("document.cookie")
    page.goto(f"{app_url}/queue")  # a new load: the cookie alone signs it in
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    shoot("signed-in-http-only-cookie", full_page=False)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/sign-in/?$"))
    assert not [c for c in page.context.cookies() if c["name"] == "assay_session"]
    page.goto(f"{app_url}/queue")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def _websocket_opened(app_url: str, origin: str) -> bool:
    """Whether Assay's websocket answers an opening from a page at ``origin`` (101), as a browser sends it."""
    where = urllib.parse.urlsplit(app_url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as connection:
        connection.sendall(
            (
                "GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {where.netloc}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        status_line = connection.recv(1024).split(b"\r\n")[0]
    return status_line.split(b" ")[1] == b"101"


def test_a_page_of_another_site_cannot_open_assays_websocket(app_url):
    """helper-147: the websocket is signed in by the cookie its opening sends, and a browser sends
    a SameSite=Lax cookie with a websocket a sibling subdomain's page opens; Reflex let any
    origin connect ("*"). Only Assay's own pages may now (``settings.browser_origins``)."""
    assert not _websocket_opened(app_url, "https://evil.example.com")
    assert _websocket_opened(app_url, app_url)
