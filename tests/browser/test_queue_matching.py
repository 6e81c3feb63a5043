"""The queue's "Vendor results that need matching", walked in Chromium.

Found by an exploratory walk: "Set aside" hid a vendor's result at once, with no question
and no undo, and Enter in the "Assessment #" box did nothing (only the Match button did).
A result set aside is now listed under "Set aside (N)", where Restore puts it back.
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session, select

from dashboard.services import assessments, matching
from models import Integration
from providers.base import AttemptStatus, Progress
from tests.browser.steps import on_the_apps_database, query_app

pytestmark = pytest.mark.browser

VENDOR_ID, EMAIL = "walk-not-ours-9", "ines.unknown@example.com"


def _keep_for_matching(db_url: str) -> None:
    """What a webhook about an attempt Assay never sent leaves, written to the running app's database."""
    with on_the_apps_database(db_url) as session:
        screen = session.exec(select(Integration).where(Integration.vendor == "coderpad_screen")).first()
        status = AttemptStatus(VENDOR_ID, Progress.COMPLETED, "completed", candidate_email=EMAIL)
        matching.record(
            session=session, integration_id=screen.id, status=status, outcome=assessments.Applied.UNKNOWN
        )


def _set_aside_toggle(page, count: int):
    """The "Set aside (N)" button, N the results set aside so far (by this walk and others)."""
    return page.get_by_role("button", name=f"Set aside ({count})", exact=True)


def test_enter_matches_and_setting_a_result_aside_asks_first_naming_it(
    page, app_url, demo_app, sign_in, shoot
):
    _keep_for_matching(demo_app.db_url)
    # Other walks (the next test) set results aside too: counted from what they left.
    (before,) = query_app(
        demo_app.db_url,
        "SELECT count(*) FROM unmatchedresult WHERE resolved_at IS NOT NULL AND resolved_attempt_id IS NULL",
    )
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    row = page.locator(".needs-matching").get_by_role("row", name=EMAIL)
    expect(row).to_be_visible()

    number = row.get_by_label("Assessment number to match")
    number.fill("#999999")
    number.press("Enter")  # no click on Match: Enter asks the same
    expect(page.get_by_text("There is no assessment #999999")).to_be_visible()

    row.get_by_role("button", name="Set aside").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(VENDOR_ID)
    expect(dialog).to_contain_text(EMAIL)
    shoot("80-queue-set-aside-asks")
    dialog.get_by_role("button", name="Back").click()
    expect(dialog).to_be_hidden()
    expect(row).to_be_visible()  # Back sets nothing aside

    row.get_by_role("button", name="Set aside").click()
    dialog.get_by_role("button", name="Set aside").click()
    expect(page.get_by_text(f"Set aside {VENDOR_ID} ({EMAIL})")).to_be_visible()
    expect(row).to_have_count(0)

    # The way back: the result set aside is listed, with who set it aside, and restored.
    _set_aside_toggle(page, before + 1).click()
    aside = page.locator(".set-aside").get_by_role("row", name=EMAIL)
    expect(aside).to_contain_text("just now by Riley Recruiter")
    shoot("81-queue-set-aside-restore", page.locator(".needs-matching"))
    aside.get_by_role("button", name="Restore").click()
    expect(page.get_by_text(f"Restored {VENDOR_ID} ({EMAIL}): it needs matching again.")).to_be_visible()
    expect(row).to_be_visible()
    expect(row.get_by_role("button", name="Match")).to_be_visible()  # offered for matching again

    # Matched to an assessment that has its result, it is refused and waits on (helper-117: it wrote
    # its score over the one there, and said "matched and applied").
    (finished,) = query_app(
        demo_app.db_url,
        "SELECT a.id FROM assessmentattempt a JOIN integration i ON i.id = a.integration_id "
        "WHERE a.state = 'completed' AND i.vendor = 'coderpad_screen' ORDER BY a.id LIMIT 1",
    )
    number.fill(f"#{finished}")
    number.press("Enter")
    expect(page.get_by_text(f"Assessment #{finished} already has its result")).to_be_visible()
    shoot("82-queue-match-refused-finished")
    expect(row).to_be_visible()
    if before:
        expect(_set_aside_toggle(page, before)).to_be_visible()  # one fewer
    else:
        expect(page.get_by_role("button", name=re.compile(r"^Set aside \("))).to_have_count(0)  # none left


def test_a_number_typed_for_one_result_stays_with_it_when_another_leaves_the_list(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a walk: the number typed for a result that was then set aside (or matched) jumped
    into the box of the result listed after it, which was still empty as far as Match knew."""
    first, second = "walk-typed-1@example.com", "walk-typed-2@example.com"
    engine = sa.create_engine(demo_app.db_url)
    try:
        with Session(engine) as session:
            screen = session.exec(select(Integration).where(Integration.vendor == "coderpad_screen")).first()
            for email in (first, second):
                status = AttemptStatus(f"id-{email}", Progress.COMPLETED, "completed", candidate_email=email)
                matching.record(
                    session=session,
                    integration_id=screen.id,
                    status=status,
                    outcome=assessments.Applied.UNKNOWN,
                )
    finally:
        engine.dispose()
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    listed = page.locator(".needs-matching")
    first_row, second_row = listed.get_by_role("row", name=first), listed.get_by_role("row", name=second)
    expect(second_row).to_be_visible()

    first_row.get_by_label("Assessment number to match").fill("424242")
    first_row.get_by_role("button", name="Set aside").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Set aside").click()
    expect(first_row).to_have_count(0)

    shoot("82-queue-typed-number-stays-with-its-result", listed)
    expect(second_row.get_by_label("Assessment number to match")).to_have_value("")
