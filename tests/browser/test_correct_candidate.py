"""Correcting a candidate's email on their page, walked in Chromium, after a test went to the typo.

The recruiter finds the typo beside the email, fixes it in a dialog that keeps what was typed
when refused, and is told which invitation to send again; the attempt says where it went.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import broken_rules, open_new_application, send_a_test

pytestmark = pytest.mark.browser


def test_a_typo_in_the_email_is_corrected_from_the_candidate_s_page(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Typo", "walk.typo@exmaple.com")
    open_new_application(page, app_url, 1, "Walk Typo Other", "walk.typo.other@example.com")
    open_new_application(page, app_url, 1, "Walk Typo Fixed", "walk.typo.fixed@exmaple.com")
    test, attempt = send_a_test(page, "CoderPad Screen")

    page.get_by_role("button", name="Correct name or email").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Email")).to_have_value("walk.typo.fixed@exmaple.com")
    dialog.get_by_label("Email").fill("walk.typo.other@example.com")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog.get_by_role("alert")).to_contain_text(
        "walk.typo.other@example.com is already Walk Typo Other's address"
    )
    expect(dialog.get_by_label("Email")).to_have_value("walk.typo.other@example.com")  # kept, to fix
    assert broken_rules(page) == []
    shoot("90-correct-candidate-refused", dialog)

    dialog.get_by_label("Email").fill("walk.typo.fixed@example.com")
    dialog.get_by_label("Email").press("Enter")

    expect(dialog).to_have_count(0)
    expect(page.get_by_text("walk.typo.fixed@example.com", exact=True)).to_be_visible()
    expect(page.locator("[data-sonner-toast]").last).to_contain_text(
        f"The invitation to {test} went to walk.typo.fixed@exmaple.com, not started yet"
    )
    expect(attempt).to_contain_text("Sent to walk.typo.fixed@exmaple.com, the email before it was corrected")
    # Resent, it would go to the typo again: Cancel, then Send, is what reaches them.
    expect(attempt.get_by_role("button", name="Resend invitation")).to_be_disabled()
    expect(page.locator(".history")).to_contain_text(
        "Corrected: email walk.typo.fixed@exmaple.com → walk.typo.fixed@example.com"
    )
    expect(page.get_by_role("button", name="Correct name or email")).to_be_focused()  # back where it began
    shoot("91-correct-candidate-saved")
