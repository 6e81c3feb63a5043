"""The walking skeleton's flow (seed 000, Gem + CoderPad), walked in Chromium by clicks.

Admin fixes the CoderPad Screen key; a recruiter adds a CoderPad stage from the
live campaign list, moves a candidate in and sends the test; the candidate takes
it on the sandbox's page; Assay learns of it by webhook (or the poll, whichever
comes first) and, with webhooks dropped, by the scheduled poll; the hiring manager
sees the full result. A second tab with the board open updates without a reload.
"""

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, card_of, pick_test, query_app

pytestmark = pytest.mark.browser

STAGE = "Take-home (CoderPad)"


def _applied_webhooks(db_url: str, email: str) -> int:
    """How many "started" webhooks about ``email``'s tests the running app has applied, from its inbox."""
    (count,) = query_app(
        db_url,
        "SELECT count(*) FROM webhookdelivery WHERE applied_at IS NOT NULL"
        " AND body LIKE :started AND body LIKE :email",
        started='%"in_progress"%',
        email=f"%{email}%",
    )
    return count


def test_send_take_and_review_a_coderpad_assessment(
    page, app_url, demo_app, browser_sandbox_url, shoot, sign_in
):
    sign_in("admin@assay.test")
    from_server: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: from_server.append(str(frame))))

    # 2. Integrations: a wrong key is named as such; the right key is checked and saved.
    page.goto(f"{app_url}/integrations")
    screen_tile = page.locator(".vendor-tile", has_text="CoderPad Screen")
    screen_tile.get_by_role("button", name="Rotate key or change region").first.click()
    page.get_by_label("API key").fill("wrong-key-1234")
    page.get_by_role("button", name="Save & close").click()
    expect(page.get_by_role("alert")).to_contain_text("The CoderPad Screen key was rejected (401)")
    shoot("01-integrations-wrong-key")
    page.get_by_label("API key").fill("demo-coderpad-screen-key")
    page.get_by_role("button", name="Save & close").click()
    expect(page.get_by_text("was checked with the vendor and saved")).to_be_visible()
    expect(screen_tile.locator(".integration-connection").first).to_contain_text(
        "\u2022\u2022\u2022\u2022-key"
    )
    shoot("02-integrations-saved")
    # The key went to the server once, in the form; nothing the server sends carries it.
    assert from_server and not [f for f in from_server if "demo-coderpad-screen-key" in f]
    assert "demo-coderpad-screen-key" not in page.content()

    # 3. The plan: add a stage sending a CoderPad campaign picked from the vendor's live list.
    page.goto(app_url)
    page.get_by_role("link", name="Backend Engineer", exact=True).click()
    expect(page.locator(".pipeline-column").first).to_be_visible()
    page.get_by_role("link", name="Edit plan").click()
    page.get_by_label("New stage name").fill(STAGE)
    page.get_by_role("button", name="Add stage").click()
    plan_stage = page.locator(f".plan-stage[data-stage='{STAGE}']")
    plan_stage.get_by_role("button", name="Add assessment").click()
    campaign_name = pick_test(page, "CoderPad Screen", 1)
    shoot("03-add-stage")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(plan_stage.locator(".stage-test")).to_contain_text(campaign_name)
    page.get_by_role("link", name="Back to the board").click()
    new_column = page.locator(f".pipeline-column[data-stage='{STAGE}']")
    expect(new_column).to_be_visible()

    # 4. A new candidate, moved in with the keyboard-accessible "Move to" menu.
    add_candidate(page, "Katherine Johnson")
    candidate = "Katherine Johnson"
    card_of(page, candidate, "Applied").get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=STAGE, exact=True).click()
    moved = card_of(page, candidate, STAGE)
    expect(moved).to_contain_text("Assessment needs sending")
    shoot("04-board-needs-sending")
    board_url = page.url

    # ...visible in the queue too.
    page.goto(f"{app_url}/queue")
    # (The candidate may have applied to another job too: this job's row.)
    row = page.get_by_role("row", name=re.compile(candidate)).filter(has_text="Backend Engineer")
    expect(row).to_contain_text("Assessment needs sending")

    # A second tab keeps the board open, to prove it updates without a reload.
    board = page.context.new_page()
    board.goto(board_url)
    board_card = card_of(board, candidate, STAGE)
    expect(board_card).to_contain_text("Assessment needs sending")

    # 5. Send, after a confirmation that names the campaign.
    row.get_by_role("link", name=candidate, exact=True).click()
    page.get_by_role("button", name="Send assessment").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    expect(page.get_by_role("alertdialog")).to_contain_text(campaign_name)
    shoot("05-confirm-send", full_page=False)
    page.get_by_role("button", name="Send", exact=True).click()
    attempt = page.locator(".assessment-attempt").first
    expect(attempt).to_contain_text("Sent")
    link = attempt.locator(".test-link")
    expect(link).to_contain_text("/coderpad-screen/take/")
    expect(attempt.get_by_role("button", name="Copy test link")).to_be_visible()
    expect(board_card).to_contain_text("Sent")
    shoot("06-sent-with-link")

    # 6. The candidate starts the test: the webhook moves it to Started, no reload.
    candidate_page = page.context.new_page()
    candidate_page.goto(link.inner_text())
    email = page.locator(".candidate-email").inner_text()
    applied_before = _applied_webhooks(demo_app.db_url, email)
    candidate_page.get_by_role("button", name="Start test").click()
    shoot("07-candidate-started", candidate_page)
    expect(attempt).to_contain_text("Started")
    # The test app also polls every 5 s, so now and then a sweep lists the start before the
    # webhook is applied (the history then says "by scheduled sync"); the webhook must still
    # have been received and applied.
    expect(page.locator(".history")).to_contain_text(
        re.compile(r"started\s*by (vendor webhook|scheduled sync)")
    )
    deadline = time.monotonic() + 10
    while _applied_webhooks(demo_app.db_url, email) == applied_before:
        assert time.monotonic() < deadline, "the candidate's start never came in by webhook"
        time.sleep(0.2)

    # ...then submits it while webhooks are dropped: the scheduled poll catches it.
    httpx.post(
        f"{browser_sandbox_url}/_sandbox/faults", json={"vendor": "coderpad_screen", "drop_webhooks": True}
    )
    candidate_page.get_by_role("button", name="Submit test").click()
    expect(candidate_page.get_by_text("Test submitted")).to_be_visible()
    expect(attempt).to_contain_text("Assessment needs review")
    expect(page.locator(".history")).to_contain_text("by scheduled sync")
    httpx.post(f"{browser_sandbox_url}/_sandbox/faults", json={"vendor": "coderpad_screen"})  # shared: clear

    # 7. The hiring manager sees the whole result and the vendor's report.
    result = attempt.locator(".assessment-result")
    for label in ["Total score", "Vendor's comparative score", "Time taken", "Technology / skill"]:
        expect(result).to_contain_text(label)
    # The walk's candidate clicked Start and Submit seconds apart, and the vendor says so.
    expect(result).to_contain_text(re.compile(r"(under 1|\d+(\.\d)?) min of 60 min"))
    expect(attempt.get_by_role("link", name="Detailed report")).to_have_attribute(
        "href", re.compile(r"/coderpad-screen/report/\d+")
    )
    pdf_link = attempt.get_by_role("link", name="Report PDF")
    pdf = page.context.request.get(app_url + pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    shoot("08-review-result")

    # 8. The board in the other tab changed without a reload.
    expect(board_card).to_contain_text("Assessment needs review")
    board_card.scroll_into_view_if_needed()
    shoot("09-board-live-update", board, full_page=False)

    # The hiring manager's decision on the application page: a reason from the list, in the history.
    page.get_by_role("button", name="Reject").click()
    page.get_by_label("Rejection reason").click()
    page.get_by_role("option", name="Position filled").click()
    page.get_by_label("Rejection note").fill("Hired internally.")
    page.get_by_role("dialog").get_by_role("button", name="Reject").click()
    # Its own banner: the result may carry a callout of the vendor's warnings too.
    expect(page.locator(".rejected")).to_contain_text("Position filled")
    expect(page.locator(".history")).to_contain_text("Rejected: Position filled. Note: Hired internally.")
    expect(page.locator(".decision")).to_have_count(0)
    shoot("09b-rejected-with-reason")
