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
