"""The plan editor: deleting a stage asks where its applications go; a moved stage keeps its
own name box and settings; a refused name is kept to be corrected, or the stored one shown."""

import pytest
from playwright.sync_api import expect

from tests.browser.steps import card_of, pick_test

pytestmark = pytest.mark.browser

STAGE = "Hold for budget"
NAME = "Devi Delete"


def test_deleting_a_stage_moves_its_applications_where_the_recruiter_says(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/3/plan")
    page.get_by_label("New stage name").fill(STAGE)
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_label(f"Name of stage {STAGE}", exact=True)).to_have_value(STAGE)

    page.goto(f"{app_url}/jobs/3")
    page.get_by_label("Candidate name").fill(NAME)
    page.get_by_label("Candidate email").fill("devi.delete@example.com")
    page.get_by_role("button", name="Add candidate").click()
    card_of(page, NAME).get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=STAGE, exact=True).click()
    expect(card_of(page, NAME, STAGE)).to_be_visible()

    page.goto(f"{app_url}/jobs/3/plan")
    held = page.locator(
        ".rt-Card",
        has=page.get_by_label(f"Name of stage {STAGE}", exact=True).and_(page.locator(f"[value='{STAGE}']")),
    )
    held.get_by_role("button", name=f"Delete stage {STAGE}", exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("1 application is in this stage")
    target = dialog.get_by_label("Move them to")
    expect(target).to_have_text("Applied")  # the first other stage, chosen for them
    target.click()
    page.get_by_role("option", name="Recruiter screen").click()
    expect(target).to_have_text("Recruiter screen")
    shoot("24-delete-stage-asks-where", full_page=False)
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Stage deleted.")).to_be_visible()
    expect(
        page.get_by_label(f"Name of stage {STAGE}", exact=True).and_(page.locator(f"[value='{STAGE}']"))
    ).to_have_count(0)

    page.goto(f"{app_url}/jobs/3")
    expect(card_of(page, NAME, "Recruiter screen")).to_be_visible()


HUNT = "Hunt stage"


def _names_and_deadlines(page) -> list[tuple[str, str, str]]:
    """Each card's stage (its data-stage), the name its box shows, and its deadline box ("-": none)."""
    rows = []
    for card in page.locator(".plan-stage").all():
        stage = card.get_attribute("data-stage")
        deadline = card.get_by_label(f"Deadline in days for {stage}", exact=True)
        rows.append(
            (
                stage,
                card.get_by_label(f"Name of stage {stage}", exact=True).input_value(),
                deadline.input_value() if deadline.count() else "-",
            )
        )
    return rows


def test_moving_a_stage_moves_its_name_box_and_settings_with_it(page, app_url, sign_in, shoot):
    """The reporter's hunt: after "Move up" the boxes kept their old order, and a Tab renamed Offer."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/jobs/3/plan")
    page.get_by_label("New stage name").fill(HUNT)
    page.get_by_role("button", name="Add stage").click()
    hunt = page.locator(f".plan-stage[data-stage='{HUNT}']")
    expect(hunt.get_by_label(f"Name of stage {HUNT}", exact=True)).to_have_value(HUNT)
    # An assessment stage with a deadline, so two settings forms can trade places.
    hunt.get_by_role("button", name=f"Add assessment to {HUNT}", exact=True).click()
    # It opens on a connection with tests, not on the first listed (CoderPad Interview: live pads only).
    expect(page.get_by_label("Test", exact=True)).to_be_enabled()
    expect(page.get_by_label("Vendor connection")).not_to_contain_text("CoderPad Interview")
    expect(page.get_by_text("This connection has no tests.")).to_have_count(0)
    shoot("plan-add-assessment-opens-with-tests", full_page=False)
    pick_test(page, "iMocha", 0)
    page.get_by_role("button", name="Add", exact=True).click()
    hunt.get_by_label(f"Deadline in days for {HUNT}", exact=True).fill("5")
    hunt.get_by_role("button", name=f"Save the settings of {HUNT}", exact=True).click()
    expect(page.get_by_text("Stage settings saved.")).to_be_visible()

    for above in ("Offer", "Onsite", "iMocha assessment"):
        page.get_by_role("button", name=f"Move {HUNT} up").click()
        expect(hunt.locator("xpath=following-sibling::*[1]")).to_have_attribute("data-stage", above)
    rows = _names_and_deadlines(page)
    assert dict((stage, deadline) for stage, _, deadline in rows)[HUNT] == "5"
    assert dict((stage, deadline) for stage, _, deadline in rows)["iMocha assessment"] == ""
    assert [(stage, name) for stage, name, _ in rows] == [(stage, stage) for stage, _, _ in rows]
    shoot("25-plan-moved-stage-keeps-its-boxes", full_page=False)

    # Leaving a name box without typing changes nothing: no rename, no toast.
    offer = page.locator(".plan-stage[data-stage='Offer']")
    offer.get_by_label("Name of stage Offer", exact=True).click()
    page.keyboard.press("Tab")
    page.get_by_role("button", name=f"Move {HUNT} down").click()  # handled after the blur's event
    expect(hunt.locator("xpath=preceding-sibling::*[1]")).to_have_attribute("data-stage", "iMocha assessment")
    assert page.get_by_text("Renamed.").count() == 0  # counted once: expect() would wait out a toast
    assert [stage for stage, _, _ in _names_and_deadlines(page)] == [
        "Applied",
        "Recruiter screen",
        "iMocha assessment",
        HUNT,
        "Onsite",
        "Offer",
    ]

    # Renaming to another stage's name is refused by the service.
    name_box = hunt.get_by_label(f"Name of stage {HUNT}", exact=True)
    name_box.fill("offer")
    page.keyboard.press("Tab")
    expect(page.get_by_text("This plan already has a stage called Offer.")).to_be_visible()
    expect(page.locator(".plan-stage[data-stage='Offer']")).to_have_count(1)

    hunt.get_by_role(
        "button", name=f"Delete stage {HUNT}", exact=True
    ).click()  # leave job 3's plan as the demo made it
    page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    expect(page.locator(f".plan-stage[data-stage='{HUNT}']")).to_have_count(0)


def test_a_refused_stage_name_keeps_what_was_typed_or_shows_the_stored_name(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/2/plan")
    offer = page.locator(".plan-stage[data-stage='Offer']").get_by_label("Name of stage Offer", exact=True)
    offer.fill("")
    page.keyboard.press("Tab")
    expect(page.get_by_text("Give the stage a name.")).to_be_visible()
    expect(offer).to_have_value("Offer")  # the stored name, not the refused blank

    too_long = "Panel " + "x" * 194
    page.get_by_label("New stage name").fill(too_long)
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_text("A stage name is at most 120 characters.")).to_be_visible()
    expect(page.get_by_label("New stage name")).to_have_value(too_long)  # to be shortened, not retyped
    shoot("26-plan-refused-names", full_page=False)
