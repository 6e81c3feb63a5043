"""The sign-in form before the page's script has started (a slow network, a busy laptop)."""

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
