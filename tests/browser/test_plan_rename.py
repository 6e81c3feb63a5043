"""The plan editor's names: Enter saves a stage's new name, as leaving the box does, and each
stage's controls say which stage they are for."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import new_job, shared_names

pytestmark = pytest.mark.browser


def test_enter_in_a_stage_name_box_saves_the_name(page, app_url, sign_in, shoot):
    """Enter did nothing: the name saved only on leaving the box, and a reload lost it."""
    sign_in("recruiter@assay.test")
    new_job(page, "Reliability Engineer (stage names)")  # not test_board_cards' job's title

    box = page.locator(".plan-stage[data-stage='Offer']").get_by_label("Name of stage Offer", exact=True)
    box.fill("Offer call")
    box.press("Enter")

    expect(page.get_by_text("Renamed.")).to_be_visible()
    # Still in the box, as Enter in any box leaves one: it fell to the page's top (found by a
    # keyboard walk), the next Tab starting from the navigation.
    box = page.get_by_label("Name of stage Offer call", exact=True)
    expect(box).to_be_focused()
    shoot("plan-rename-by-enter", full_page=False)
    box.fill("")  # refused: the stored name shows again, in the box still focused, to type anew
    box.press("Enter")
    expect(page.get_by_text("Give the stage a name.")).to_be_visible()
    expect(box).to_have_value("Offer call")
    expect(box).to_be_focused()
    page.reload()
    expect(page.locator(".plan-stage[data-stage='Offer call']")).to_be_visible()
    expect(page.locator(".plan-stage[data-stage='Offer']")).to_have_count(0)


def test_a_toast_over_a_new_stages_settings_is_put_away_with_its_close_button(page, app_url, sign_in, shoot):
    """The toasts for adding a stage and its test sat over the new stage's Deadline box, the next
    thing to fill in, with no way to put them away but to wait (and a pointer resting on them
    holds them)."""
    sign_in("recruiter@assay.test")
    new_job(page, "Toast Engineer")  # a title of its own: the recruiter day makes a Platform Engineer
    page.get_by_label("New stage name").fill("Take-home")
    page.get_by_role("button", name="Add stage").click()
    toast = page.locator("[data-sonner-toast]", has_text="Stage 'Take-home' added.")
    expect(toast).to_be_visible()
    shoot("plan-toast-with-close", full_page=False)

    toast.get_by_role("button", name="Close toast").click()
    expect(toast).to_have_count(0, timeout=1_000)  # at once, well before it would fade by itself


def test_each_control_on_the_plan_names_its_stage(page, app_url, sign_in):
    """Every stage's box was named "Stage name" and its buttons "Delete", "Add assessment",
    "Default live-interview link": a screen reader user tabbing down the plan heard five of each
    with nothing of which stage they delete or add to."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/jobs/1/plan")  # the demo's: an assessment stage, its settings and test
    stage = page.locator(".plan-stage[data-stage='CoderPad Screen assessment']")
    expect(stage.locator(".stage-test")).to_have_count(1)
    assert shared_names(page) == {}
    expect(
        stage.get_by_role("button", name="Delete stage CoderPad Screen assessment", exact=True)
    ).to_be_visible()
    expect(
        stage.get_by_role(
            "checkbox", name="Send automatically on entry to CoderPad Screen assessment", exact=True
        )
    ).to_be_visible()


def test_a_new_stage_is_placed_where_the_recruiter_picks(page, app_url, sign_in, shoot):
    """Found by a first-day walk: a new stage always went last, after Offer, to be moved up a
    click at a time."""
    sign_in("recruiter@assay.test")
    new_job(page, "Placement Engineer")
    page.get_by_label("Place of the new stage").click()
    page.get_by_role("option", name="after Applied", exact=True).click()
    page.get_by_label("New stage name").fill("Phone screen")
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_text("Stage 'Phone screen' added.")).to_be_visible()
    # The next goes after the one just added, so stages typed in a row keep their order.
    expect(page.get_by_label("Place of the new stage")).to_have_text("after Phone screen")
    shoot("plan-new-stage-placed", full_page=False)
    stages = page.locator(".plan-stage")
    expect(stages.nth(0)).to_have_attribute("data-stage", "Applied")
    expect(stages.nth(1)).to_have_attribute("data-stage", "Phone screen")
    expect(stages.last).not_to_have_attribute("data-stage", "Phone screen")
    assert shared_names(page) == {}


def test_moving_a_stage_to_the_top_by_keyboard_keeps_the_focus_on_its_arrows(page, app_url, sign_in):
    """Found by a keyboard walk: Enter on "Move Offer up" moved it a place at a time with the focus
    kept, until Offer was first; its up arrow then went disabled, and the focus fell to the page's
    top, the next Tab starting again from the navigation."""
    sign_in("recruiter@assay.test")
    new_job(page, "Arrow Key Engineer")
    stages = page.locator(".plan-stage")
    page.get_by_role("button", name="Move Offer up", exact=True).focus()
    for place in (2, 1, 0):
        page.keyboard.press("Enter")
        expect(stages.nth(place)).to_have_attribute("data-stage", "Offer")
    expect(page.get_by_role("button", name="Move Offer down", exact=True)).to_be_focused()
    page.keyboard.press("Enter")  # and back down, the way it came
    expect(stages.nth(1)).to_have_attribute("data-stage", "Offer")

    page.get_by_role("button", name="Move Applied down", exact=True).focus()
    for place in (1, 2, 3):
        page.keyboard.press("Enter")
        expect(stages.nth(place)).to_have_attribute("data-stage", "Applied")
    expect(page.get_by_role("button", name="Move Applied up", exact=True)).to_be_focused()
