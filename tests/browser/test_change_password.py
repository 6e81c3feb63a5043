"""Change my password, walked in Chromium: an invited recruiter replaces the first password they
were handed; their other browser is signed out, this one stays."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import broken_rules, sign_in_on

pytestmark = pytest.mark.browser

NEW = "only Pat knows this one"


def _sign_in_elsewhere(browser, app_url: str, password: str):
    """Pat's other browser (a laptop at home), signed in."""
    laptop = browser.new_context().new_page()
    laptop.set_default_timeout(20_000)
    laptop.goto(f"{app_url}/sign-in")
    laptop.get_by_label("Email").fill("pat@example.com")
    laptop.get_by_label("Password").fill(password)
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_text("Pat Passwordless")).to_be_visible()
    return laptop


def test_an_invited_person_changes_the_first_password_they_were_handed(
    page, app_url, browser, sign_in, shoot
):
    """Nobody could change their own password: an invite's generated first one (or an admin's new
    one) stayed in use for good, as handed over on a note or in a chat."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Pat Passwordless")
    page.get_by_label("Invite email").fill("pat@example.com")
    page.get_by_role("button", name="Invite").click()
    first = page.locator("code").inner_text()
    laptop = _sign_in_elsewhere(browser, app_url, first)
    sign_in_on(page, app_url, "pat@example.com", first)

    page.get_by_role("navigation").get_by_role("link", name="Change my password").click()
    expect(page.get_by_role("heading", name="Change my password")).to_be_visible()
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("Repeat the new password").fill(NEW)
    page.get_by_role("button", name="Change my password").click()

    expect(page.get_by_role("alert")).to_have_text("Your current password is incorrect.")
    current = page.get_by_label("Current password")
    expect(current).to_be_focused()
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("New password", exact=True)).to_have_value(NEW)  # kept to resend
    shoot("change-password-refused", full_page=False)
    assert broken_rules(page) == []

    current.fill(first)
    page.get_by_role("button", name="Change my password").click()

    expect(
        page.get_by_text("Your password is changed. You are signed out everywhere else (1 other session)")
    ).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_value("")
    # The form drawn anew took the focused button with it: the focus goes to its first box.
    expect(page.get_by_label("Current password")).to_be_focused()
    expect(page.get_by_role("alert")).to_have_count(0)
    shoot("change-password-done", full_page=False)
    assert broken_rules(page) == []
    page.goto(f"{app_url}/queue")  # this browser stays signed in
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()

    laptop.goto(f"{app_url}/queue")  # the other one is signed out
    expect(laptop).to_have_url(re.compile(r"/sign-in"))
    laptop.get_by_label("Email").fill("pat@example.com")
    laptop.get_by_label("Password").fill(first)
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    laptop.get_by_label("Password").fill(NEW)
    laptop.get_by_role("button", name="Sign in").click()
    expect(laptop.get_by_role("heading", name="Queue")).to_be_visible()
    laptop.context.close()


def test_change_my_password_is_in_reach_on_a_phone(page, app_url, sign_in, shoot):
    """The name beside it is left out of a phone's top bar; the link is not."""
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in("manager@assay.test")
    link = page.get_by_role("navigation").get_by_role("link", name="Change my password")
    expect(link).to_be_in_viewport()
    shoot("change-password-phone-nav", full_page=False)
    link.click()
    expect(page.get_by_role("heading", name="Change my password")).to_be_visible()
    expect(page.get_by_label("Repeat the new password")).to_be_in_viewport()
    shoot("change-password-phone", full_page=False)
