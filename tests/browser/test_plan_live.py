"""Two recruiters on one interview plan: each sees the other's edits without a reload, and an
edit never wipes the name box the other is typing in or the settings they are changing; a stage
deleted under an open editor is said to be gone."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import broken_rules, new_job, pick_test, sign_in_on

pytestmark = pytest.mark.browser

LIVE = 3_000  # a colleague's edit shows within about a second; a slow, shared machine gets some slack


def _colleague(page: Page, app_url: str, plan_url: str) -> Page:
    """The admin, signed in in a browser context of their own, on the same plan."""
    other = page.context.browser.new_context().new_page()
    other.set_default_timeout(20_000)
    sign_in_on(other, app_url, "admin@assay.test")
    other.goto(plan_url)
    expect(other.locator(".plan-stage").first).to_be_visible()
    return other


def _stage(page: Page, name: str):
    return page.locator(f".plan-stage[data-stage='{name}']")


def _order(page: Page) -> list[str]:
    return page.locator(".plan-stage").evaluate_all("cards => cards.map(c => c.dataset.stage)")


def test_a_colleagues_edits_show_live_around_what_the_viewer_is_typing(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    plan_url = new_job(page, "Analytics Engineer")  # not a demo job's title: other walks pick those by name
    other = _colleague(page, app_url, plan_url)

    # A stage added, and a test added to it, show on the first page without a reload.
    other.get_by_label("New stage name").fill("Take-home")
    other.get_by_role("button", name="Add stage").click()
    expect(_stage(page, "Take-home")).to_be_visible(timeout=LIVE)
    _stage(other, "Take-home").get_by_role("button", name="Add assessment").click()
    test_name = pick_test(other, "CoderPad Screen")
    other.get_by_role("dialog").get_by_role("button", name="Add").click()
    expect(other.get_by_role("dialog")).to_have_count(0)
    expect(_stage(page, "Take-home").locator(".stage-test", has_text=test_name)).to_be_visible(timeout=LIVE)

    # The recruiter types a new name for Offer, not yet saved; meanwhile the colleague renames
    # that very stage and moves Take-home first. The page redraws around the box, which keeps
    # the typing and the cursor.
    # The box itself, not "Offer's box": the colleague's rename renames its card.
    box = _stage(page, "Offer").get_by_label("Name of stage Offer", exact=True).element_handle()
    box.fill("Offer call (dra")
    _stage(other, "Offer").get_by_label("Name of stage Offer", exact=True).fill("Offer chat")
    other.keyboard.press("Enter")
    expect(other.get_by_text("Renamed.")).to_be_visible()
    # From the keyboard: the three toasts so far sit over the lowest stage's buttons, and a
    # pointer resting on them holds them open (a CI run once waited 20 s on that).
    for _ in range(4):
        _stage(other, "Take-home").get_by_role("button", name="Move Take-home up").press("Enter")
        other.wait_for_timeout(300)
    expect(page.locator(".plan-stage").first).to_have_attribute("data-stage", "Take-home", timeout=LIVE)
    assert _order(page) == ["Take-home", "Applied", "Recruiter screen", "Onsite", "Offer chat"]
    # The very box (not one drawn afresh), still holding the typing and the cursor.
    kept = box.evaluate("b => [b.isConnected, b.value, b === document.activeElement]")
    assert kept == [True, "Offer call (dra", True], kept
    shoot("plan-live-typing-kept", full_page=False)
    page.keyboard.type("ft)")
    page.keyboard.press("Enter")
    expect(page.get_by_text("a colleague's name for it meanwhile")).to_be_visible()
    expect(_stage(other, "Offer call (draft)")).to_be_visible(timeout=LIVE)

    # Settings: the recruiter ticks 'Send automatically', unsaved; the colleague saves 'any one
    # test'. The recruiter's tick stays, with word of the colleague's save; 'Show theirs' shows it.
    take_home = _stage(page, "Take-home")
    take_home.get_by_role("checkbox", name="Send automatically on entry").click()
    theirs = _stage(other, "Take-home")
    theirs.get_by_label("Take-home done when", exact=True).click()
    other.get_by_role("option", name="any one test is completed").click()
    theirs.get_by_role("button", name="Save").click()
    expect(other.get_by_text("Stage settings saved.")).to_be_visible()
    expect(take_home.get_by_text("A colleague saved other settings for this stage meanwhile")).to_be_visible(
        timeout=LIVE
    )
    expect(take_home.get_by_role("checkbox", name="Send automatically on entry")).to_be_checked()
    expect(take_home.get_by_label("Take-home done when", exact=True)).to_have_text("all tests are completed")
    shoot("plan-live-settings-held", full_page=False)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0)  # judged without the toasts fading out
    assert broken_rules(page) == []  # the word of the colleague's save, and its button, read well
    take_home.get_by_role("button", name="Show theirs").click()
    expect(take_home.get_by_label("Take-home done when", exact=True)).to_have_text(
        "any one test is completed"
    )
    expect(take_home.get_by_role("checkbox", name="Send automatically on entry")).not_to_be_checked()

    # A setting the recruiter is not changing simply follows the colleague's.
    theirs.get_by_role("checkbox", name="Send automatically on entry").click()
    theirs.get_by_role("button", name="Save").click()
    expect(take_home.get_by_role("checkbox", name="Send automatically on entry")).to_be_checked(timeout=LIVE)

    # The colleague removes the test: the stage is a regular one again on both pages.
    theirs.get_by_role("button", name=f"Remove {test_name}").click()
    other.get_by_role("alertdialog").get_by_role("button", name="Remove").click()  # asked first
    expect(take_home.locator(".stage-test")).to_have_count(0, timeout=LIVE)
    other.context.close()


def test_a_stage_deleted_under_an_open_editor_is_said_to_be_gone(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    plan_url = new_job(page, "Support Engineer")
    other = _colleague(page, app_url, plan_url)

    def colleague_deletes(name: str) -> None:
        _stage(other, name).get_by_role("button", name="Delete").click()
        other.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
        expect(_stage(other, name)).to_have_count(0)

    # The add-test dialog of a stage the colleague deletes says so, and adds nothing.
    _stage(page, "Onsite").get_by_role("button", name="Add assessment").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Add an assessment to Onsite")
    colleague_deletes("Onsite")
    expect(dialog.get_by_role("alert")).to_have_text(
        "A colleague deleted this stage meanwhile: there is nothing to add to.", timeout=LIVE
    )
    expect(dialog.get_by_role("button", name="Add")).to_be_disabled()
    shoot("plan-live-dialog-stage-gone", full_page=False)
    assert broken_rules(page) == []
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)

    # So does the delete question, and the name box being typed in.
    _stage(page, "Offer").get_by_role("button", name="Delete").click()
    question = page.get_by_role("alertdialog")
    colleague_deletes("Offer")
    expect(question).to_contain_text("A colleague has deleted this stage already.", timeout=LIVE)
    expect(question.get_by_role("button", name="Delete")).to_have_count(0)
    question.get_by_role("button", name="Close").click()
    expect(question).to_have_count(0)  # gone: a closing dialog keeps the focus inside it

    renaming = _stage(page, "Recruiter screen").get_by_label("Name of stage Recruiter screen", exact=True)
    renaming.fill("Phone scr")
    expect(renaming).to_be_focused()
    colleague_deletes("Recruiter screen")
    expect(page.get_by_role("status")).to_contain_text(
        "A colleague deleted the stage Recruiter screen while you were renaming it.", timeout=LIVE
    )
    assert _order(page) == ["Applied"]
    shoot("plan-live-renamed-stage-gone", full_page=False)
    assert broken_rules(page) == []
    other.context.close()
