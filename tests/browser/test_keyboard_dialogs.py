"""The dialogs of the plan, application, queue and review pages, walked with the keyboard only.

Found by a walk: they open from a state var, with no Radix Trigger to give the focus back to,
so Escape (or Back, Cancel) left the focus on the page's top and a keyboard user tabbed back
down from the start. Each now gives it back to the button that opened it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import new_job, open_and_escape, open_new_application, pick_test

pytestmark = pytest.mark.browser


def test_escape_gives_the_focus_back_to_the_button_that_opened_the_dialog(page, app_url, sign_in):
    sign_in("recruiter@assay.test")
    plan_url = new_job(page, "Keyboard Dialogs Engineer")
    first_stage = page.locator(".rt-Card", has=page.get_by_role("button", name="Add assessment")).first
    open_and_escape(page, first_stage.get_by_role("button", name="Add assessment"))
    open_and_escape(page, first_stage.get_by_role("button", name="Delete"))

    job_id = int(re.search(r"/jobs/(\d+)/plan", plan_url).group(1))
    open_new_application(page, app_url, job_id, "Kira Keyboard")
    open_and_escape(page, page.locator(".decision").get_by_role("button", name="Reject"))

    page.goto(f"{app_url}/queue")
    page.get_by_text("Select all shown").click()
    open_and_escape(page, page.get_by_role("button", name=re.compile(r"Send selected \(\d+\)")))

    page.goto(f"{app_url}/jobs/1/review")
    in_view = page.locator(".candidate-in-view")
    open_and_escape(page, in_view.get_by_role("button", name="Reject (r)"))
    note = in_view.get_by_role("button", name="Note (n)")
    open_and_escape(page, note)
    note.press("Enter")
    expect(page.get_by_role("dialog").get_by_label("Note")).to_be_focused()  # typing goes to the note
    page.get_by_role("dialog").get_by_role("button", name="Back").press("Enter")
    expect(note).to_be_focused()


def test_a_box_focused_while_a_dialog_closes_keeps_the_focus(page, app_url, sign_in):
    """Found by CI: a test added with Add, and a stage's name box clicked while the dialog faded
    out; once gone, the dialog gave the focus back to its Add assessment button, and the Enter meant
    for the box opened the dialog again. Focus the viewer put elsewhere stays there."""
    sign_in("recruiter@assay.test")
    new_job(page, "Closing Dialog Engineer")
    page.locator(".plan-stage").first.get_by_role("button", name="Add assessment").click()
    pick_test(page, "CoderPad Screen")
    box = page.locator(".plan-stage[data-stage='Offer']").get_by_label("Name of stage Offer", exact=True)
    # The box is focused the moment the dialog starts fading out (Radix marks it closed), as a
    # click would; then, the dialog gone, where is the focus?
    box.evaluate(
        """(box) => { window.focusAfterClosing = new Promise((done) => {
          const closing = setInterval(() => {
            const dialog = document.querySelector('[role=dialog]');
            if (!dialog) { clearInterval(closing); done('the dialog went without fading out'); }
            if (dialog?.dataset.state !== 'closed') return;
            clearInterval(closing);
            box.focus();
            const gone = setInterval(() => {
              if (document.querySelector('[role=dialog]')) return;
              clearInterval(gone);
              setTimeout(() => done(document.activeElement === box ? 'the box'
                : document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent), 100);
            }, 2);
          }, 2);
        }); }"""
    )
    page.get_by_role("dialog").get_by_role("button", name="Add").click()
    where = page.evaluate("window.focusAfterClosing")
    assert where == "the box"
    page.keyboard.press("Enter")  # the name unchanged: nothing to save, and no dialog opens
    expect(page.get_by_role("dialog")).to_have_count(0)
