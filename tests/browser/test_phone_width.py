"""Every page on a phone (390 px wide): the whole page in the window, nothing scrolled sideways; the board by touch.

Found by a walk: the navigation stood as a 200 px column beside every page, leaving a phone 190 px
for a board or a review table, and the review page's buttons ran over each other past the
window's edge; the integrations page's vendor tiles were 460 px wide whatever the window.
A wide table may scroll inside its own box; the page itself must not.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import add_candidate, card_of, new_job, open_new_application, sign_in_on

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


# The innermost elements reaching past the window's right edge: what to mend when a page scrolls.
PAST_THE_EDGE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > document.documentElement.clientWidth + 1))
    .slice(0, 5).map(e => `${e.tagName.toLowerCase()}.${e.className}: ${(e.textContent || '').slice(0, 80)}`)"""


def _fits(page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SIDEWAYS) <= 0, (
        f"{heading}: the page scrolls sideways on a phone, past the edge: {page.evaluate(PAST_THE_EDGE)}"
    )
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    assert sign_out["x"] + sign_out["width"] <= PHONE["width"], "Sign out is past the window's edge"


def test_every_page_fits_a_phone(page, app_url, sign_in, shoot):
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    for path, heading in [
        ("/", "Jobs"),
        ("/queue", "Queue"),
        ("/notifications", "Notifications"),
        ("/integrations", "Integrations"),
        ("/users", "Users"),
        ("/settings", "Settings"),
        ("/account", "Change my password"),
    ]:
        page.goto(app_url + path)
        _fits(page, heading)

    page.goto(app_url)
    page.get_by_role("link", name="Backend Engineer", exact=True).click()
    _fits(page, "Backend Engineer")
    page.goto(page.url.rstrip("/") + "/plan")
    _fits(page, "Backend Engineer: interview plan")
    for name in page.get_by_role("textbox", name=re.compile("^Name of stage ")).all():  # read whole, not "A"
        assert name.bounding_box()["width"] >= 200, "a stage's name box is squeezed on a phone"
    shoot("plan-on-a-phone", full_page=False)
    page.go_back()
    page.get_by_role("link", name="Review results").click()
    _fits(page, "Backend Engineer: review")
    in_view = page.locator(".candidate-in-view")
    for name in ("Reject (r)", "Note (n)"):
        box = in_view.get_by_role("button", name=name).bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], f"{name} is past the window's edge"
    shoot("review-on-a-phone", full_page=False)
    page.locator("a[href*='/applications/']").first.click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    for chip in page.locator(".rt-Card .rt-Badge").all():  # each test's status, read whole
        box = chip.bounding_box()
        card = chip.locator("xpath=ancestor::*[contains(@class, 'rt-Card')][1]").bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"], (
            f"{chip.inner_text()} is cut at its card's edge"
        )
    assert page.evaluate(SIDEWAYS) <= 0, "the application page scrolls sideways on a phone"
    shoot("application-on-a-phone", full_page=False)


def test_a_long_name_and_address_wrap_on_a_phone(page, app_url, sign_in):
    """Found by a walk: a candidate called Hubert Wolfeschlegelsteinhausenbergerdorff, at a
    university's address, pushed the application page to 1,800 px on a phone (the title and the
    address have no place to break), so every control below scrolled sideways with them."""
    page.set_viewport_size(PHONE)
    sign_in("recruiter@assay.test")
    name = "Hubert Wolfeschlegelsteinhausenbergerdorff"
    open_new_application(
        page,
        app_url,
        1,
        name,
        "hubert.wolfeschlegelsteinhausenbergerdorff@medizin.uni-heidelberg.example.com",
    )
    _fits(page, name)


def test_a_dialog_naming_a_long_name_stays_in_a_phones_window(page, app_url, sign_in):
    """Found by a walk: rejecting Hubertwolfeschlegelsteinhausenbergerdorff (one word, as some
    names are written) on a phone opened a dialog 600 px wide in a 390 px window, its title cut
    at the edge and its Reject button out of reach. A dialog's words now break where they must."""
    page.set_viewport_size(PHONE)
    sign_in("recruiter@assay.test")
    name = "Hubertwolfeschlegelsteinhausenbergerdorff"
    open_new_application(page, app_url, 1, name, "hubert.w@example.com")
    page.get_by_role("button", name="Reject", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Reject {name}")
    for edge in (dialog, dialog.get_by_role("button", name="Reject")):
        box = edge.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], f"the Reject dialog runs past a phone's edge: {box}"


def test_on_a_phone_the_add_candidate_boxes_keep_room_to_type_in(page, app_url, sign_in):
    """Found by a walk: on a 390 px phone the board's Candidate name and Email boxes were squeezed
    onto one line with Add candidate, 86 and 108 px wide: the name box read "Candidate n" and a
    typed address showed a dozen characters of itself. They now wrap to lines of their own."""
    page.set_viewport_size(PHONE)
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    for label in ("Candidate name", "Candidate email"):
        box = page.get_by_label(label).bounding_box()
        assert box["width"] >= 150, f"the {label} box is squeezed to {box['width']:.0f} px on a phone"
        assert box["x"] + box["width"] <= PHONE["width"], f"the {label} box is past a phone's edge"
    button = page.get_by_role("button", name="Add candidate").bounding_box()
    assert button["x"] + button["width"] <= PHONE["width"], "Add candidate is past a phone's edge"


def _swipe(page, touch, x: float, y: float, dx: float) -> None:
    """A finger drawn ``dx`` pixels sideways from (x, y), as a phone's touch screen reports it."""
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        at = {"x": x + dx * step / 10, "y": y}
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [at]})
        page.wait_for_timeout(16)
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_timeout(300)  # the scroll settles


def test_on_a_touch_screen_a_swipe_over_cards_scrolls_the_board_and_a_long_press_drags(browser, app_url):
    """Found by a walk: every card was marked touch-action none for dragging, so on a phone a
    swipe that began on a card (most of a board) scrolled nothing, neither the page nor the board
    sideways to the next stages. A swipe now scrolls; a card is dragged after a press held still."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in_on(page, app_url, "recruiter@assay.test")
        new_job(page, "Touch Screen Engineer")
        page.get_by_role("link", name="Back to the board").click()
        add_candidate(page, "Tess Touch")
        card = card_of(page, "Tess Touch", "Applied")
        board = page.locator(".pipeline-column").first.locator("xpath=..")
        box = card.bounding_box()
        touch = context.new_cdp_session(page)

        _swipe(page, touch, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, -200)
        assert board.evaluate("(b) => b.scrollLeft") > 100, "a swipe over a card scrolled the board nowhere"

        # Pressed and held, the card is lifted and goes where the finger takes it.
        board.evaluate("(b) => { b.scrollLeft = 0; }")
        box = card.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        target = page.locator(".pipeline-column[data-stage='Recruiter screen']").bounding_box()
        goal_x, goal_y = min(target["x"] + 40, PHONE["width"] - 10), target["y"] + 60
        touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
        page.wait_for_timeout(400)  # held still past the quarter second
        for step in range(1, 16):
            at = {"x": x + (goal_x - x) * step / 15, "y": y + (goal_y - y) * step / 15}
            touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [at]})
            page.wait_for_timeout(30)
        touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        expect(card_of(page, "Tess Touch", "Recruiter screen")).to_be_visible()
    finally:
        context.close()


def test_a_stages_arrows_and_delete_keep_together_in_a_tablets_window(page, app_url, sign_in):
    """Found by a walk at 768 px: the plan's row wrapped between a stage's up arrow and its down
    arrow, leaving the down arrow and Delete alone on a line below."""
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in("admin@assay.test")
    page.get_by_role("link", name="Backend Engineer", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    page.goto(page.url + "/plan")
    expect(page.get_by_role("heading", name="Backend Engineer: interview plan")).to_be_visible()
    for stage in ("Applied", "Recruiter screen", "Onsite"):
        up = page.get_by_role("button", name=f"Move {stage} up").bounding_box()
        delete = page.get_by_role("button", name=f"Delete stage {stage}").bounding_box()
        assert abs(up["y"] - delete["y"]) < 8, f"{stage}: its arrows and Delete are split over two lines"


ONE_LINE = "(t) => t.getBoundingClientRect().height < parseFloat(getComputedStyle(t).lineHeight) * 1.5"


def test_on_a_phone_the_users_table_keeps_an_email_on_one_line(page, app_url, sign_in, shoot):
    """Found by a walk: on a phone the users table squeezed its Person column to 79 px, each
    email broken into "admin@ / assay.te / st". The table may scroll sideways in its own box."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/users")
    emails = page.get_by_text(re.compile(r"^\S+@assay\.test$"))
    expect(emails.first).to_be_visible()
    for email in emails.all():
        assert email.evaluate(ONE_LINE), f"{email.inner_text()!r} is broken over lines on a phone"
    assert page.evaluate(SIDEWAYS) <= 0, "the users page scrolls sideways on a phone"
    shoot("users-on-a-phone", full_page=False)


def test_on_a_phone_the_outbox_reads_an_email_in_lines_not_a_word_a_line(page, app_url, sign_in, shoot):
    """Found by a walk: on a phone the outbox squeezed an email's subject, and its text once
    opened, to a 108 px column beside the address, a word a line. The table may scroll sideways
    in its own box; the page must not."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/notifications")
    subject = page.locator(".email summary").first
    expect(subject).to_be_visible()
    assert subject.bounding_box()["width"] >= 180, "an email's subject is squeezed to a word a line"
    assert page.evaluate(SIDEWAYS) <= 0, "the notifications page scrolls sideways on a phone"
    subject.click()
    subject.scroll_into_view_if_needed()
    shoot("outbox-on-a-phone", full_page=False)


def test_on_a_phone_each_status_clock_can_be_set_without_scrolling_sideways(page, app_url, sign_in):
    """Found by a walk: on a phone the settings' hours boxes were 110 px each, and every
    "Red after" box was cut at the card's edge, to be reached by scrolling the table sideways."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/settings")
    red = page.get_by_label(re.compile("red after hours$"))
    expect(red.first).to_be_visible()
    for box in red.all():
        at = box.bounding_box()
        assert at["x"] + at["width"] <= PHONE["width"] - 12, f"{box.get_attribute('aria-label')} is cut off"


def test_on_a_phone_the_hidden_webhook_secret_reads_as_one_row_of_dots(page, app_url, sign_in):
    """Found by a walk: on a phone CodeSignal's hidden webhook secret was broken into "••••" above
    "••", as if two values, squeezed by "(Secret key at the vendor)" beside it."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/integrations")
    secret = page.locator(".webhook-secret").first
    expect(secret).to_have_text("\u2022" * 6)
    assert secret.evaluate(ONE_LINE), "the hidden webhook secret is broken over lines"


def test_on_a_phone_which_attempt_counts_is_inside_the_threshold_rules_card(page, app_url, sign_in):
    """Found by a walk: on a phone a stage's rule ran on one line, its "latest attempt counts"
    choice cut at the Threshold rules card's edge; the row now wraps."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/jobs/1/review")
    counts = page.get_by_role("combobox", name="Which attempt counts").first
    expect(counts).to_be_visible()
    card = page.get_by_role("heading", name="Threshold rules").locator(
        "xpath=ancestor::*[contains(@class, 'rt-Card')][1]"
    )
    box, edge = counts.bounding_box(), card.bounding_box()
    assert box["x"] + box["width"] <= edge["x"] + edge["width"], (
        "Which attempt counts is cut at the card's edge"
    )


TABLET = {"width": 768, "height": 1024}
# How many lines a cell's words take, counted from the boxes of its lines.
LINES = """(cell) => { const words = document.createRange(); words.selectNodeContents(cell);
    return new Set([...words.getClientRects()].map((line) => Math.round(line.top))).size; }"""


def test_in_a_tablets_window_the_review_tables_time_reads_in_two_lines_at_most(page, app_url, sign_in):
    """Found by a walk at 768 px: the review table squeezed its Time column to a word a line,
    "29.0 / min / of / 60 / min" five lines high in every row. A figure keeps its unit, and
    the time taken its "of" the time allowed: "29.0 min" above "of 60 min" at most."""
    page.set_viewport_size(TABLET)
    sign_in("admin@assay.test")
    page.goto(app_url + "/jobs/1/review")
    times = page.locator(".review-row td").filter(has_text=re.compile(r"^\d+\.\d\smin\sof\s\d+\smin$"))
    expect(times.first).to_be_visible()
    for time in times.all()[:5]:
        lines = time.evaluate(LINES)
        assert lines <= 2, f"{time.inner_text()!r} takes {lines} lines in a tablet's window"
    assert page.evaluate(SIDEWAYS) <= 0, "the review page scrolls sideways in a tablet's window"


# A text's lines as the reader sees them, read from where each character is laid out.
LINES_OF = """(text) => { const char = document.createRange(), lines = [];
    const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
    let top = null;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (let at = 0; at < node.length; at++) {
            char.setStart(node, at); char.setEnd(node, at + 1);
            const y = Math.round(char.getBoundingClientRect().top);
            if (y !== top) lines.push("");
            top = y;
            lines[lines.length - 1] += node.data[at];
        }
    }
    return lines; }"""


def test_on_a_phone_a_webhook_url_breaks_after_a_slash_not_mid_word(page, app_url, sign_in, shoot):
    """Found by a walk: on a phone each webhook URL was squeezed beside its label and broken
    anywhere ("http://localhost:4" above "2275/api/webhooks/"). It now has the card's width,
    its lines ending after a "/" or "?" as a URL is printed, the token still hidden. So has
    CodeSignal's webhook secret, broken in four once revealed."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    page.goto(app_url + "/integrations")
    urls = page.locator(".webhook-url")
    expect(urls.first).to_contain_text("?token=\u2022\u2022\u2022\u2022\u2022\u2022")
    for url in urls.all():
        lines = url.evaluate(LINES_OF)
        assert "".join(lines).endswith("?token=" + "\u2022" * 6), f"{lines}: the token is not hidden"
        for line in lines[:-1]:
            assert line.endswith(("/", "?")), f"the webhook URL is broken mid-word: {lines}"
    assert page.evaluate(SIDEWAYS) <= 0, "the integrations page scrolls sideways on a phone"
    # Revealed, CodeSignal's secret reads whole too, not in pieces beside "(Secret key at the vendor)".
    page.get_by_role("button", name="Reveal the webhook of CodeSignal").click()
    secret = page.locator(".webhook-secret").first
    expect(secret).not_to_have_text("\u2022" * 6)
    assert secret.evaluate(ONE_LINE), f"the revealed secret is broken over lines: {secret.evaluate(LINES_OF)}"
    shoot("webhook-url-on-a-phone", urls.first.locator("xpath=ancestor::*[contains(@class, 'rt-Card')][1]"))


# Each table box on the page that scrolls sideways: its class and whether it draws a shadow at its edges.
SCROLLING_TABLES = """() => [...document.querySelectorAll('.table-region')]
    .filter((box) => box.scrollWidth > box.clientWidth)
    .map((box) => getComputedStyle(box).backgroundImage.includes('gradient'))"""


def test_on_a_phone_a_table_that_scrolls_sideways_shows_that_more_columns_are_there(
    page, app_url, sign_in, shoot
):
    """Found by a walk: on a phone the review, users and outbox tables scroll sideways in their
    own box, and Radix draws that box's scrollbar only under a hovering mouse: on a touch
    screen nothing showed that more columns (Status, Deactivate) lay past the edge."""
    page.set_viewport_size(PHONE)
    sign_in("admin@assay.test")
    for path, heading in [
        ("/jobs/1/review", "Backend Engineer: review"),
        ("/users", "Users"),
        ("/notifications", "Notifications"),
    ]:
        page.goto(app_url + path)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page.locator(".rt-TableRoot").first).to_be_visible()
        # Its rows loaded: a table still empty is narrow (ci125 read /users before its rows came).
        page.wait_for_function(f"({SCROLLING_TABLES})().length > 0", timeout=10_000)
        cues = page.evaluate(SCROLLING_TABLES)
        assert cues, f"{path}: no table scrolls sideways on a phone (the walk expects one)"
        assert all(cues), f"{path}: a table scrolls sideways with no sign of the columns past its edge"
        shoot("more-columns-on-a-phone" + path.replace("/", "-"), page.locator(".rt-TableRoot").last)


def test_a_touch_screen_is_not_told_of_keyboard_shortcuts_a_desk_is(browser, page, app_url, sign_in):
    """Seen in a walk: the review page said "Press ? for shortcuts" on a phone, which has no keyboard."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    expect(page.get_by_text("for shortcuts")).to_be_visible()

    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(20_000)
    try:
        sign_in_on(phone, app_url, "manager@assay.test")
        phone.goto(f"{app_url}/jobs/1/review")
        expect(phone.get_by_role("table")).to_be_visible()
        expect(phone.get_by_text("for shortcuts")).to_be_hidden()
    finally:
        context.close()


def test_the_application_s_top_line_wraps_with_no_dot_left_alone(page, app_url, sign_in, shoot):
    """Seen in a walk: a long job title wrapped the application's top line so that its "·"
    separators stood alone on lines of their own."""
    sign_in("recruiter@assay.test")
    title = "Senior Principal Staff Backend Platform Reliability Engineer for the Payments and Ledger Team"
    new_job(page, title)
    page.get_by_role("link", name="Back to the board").click()
    add_candidate(page, "Dot Wrapper")
    card_of(page, "Dot Wrapper").get_by_role("link", name="Dot Wrapper", exact=True).click()
    expect(page.get_by_role("heading", name="Dot Wrapper", exact=True)).to_be_visible()

    for size in (PHONE, {"width": 1280, "height": 800}):
        page.set_viewport_size(size)
        alone = page.evaluate(
            """() => [...document.querySelectorAll('[role=main] p, [role=main] span')]
                 .filter((e) => e.textContent === '·' && e.nextElementSibling)
                 .filter((e) => e.getBoundingClientRect().top !== e.nextElementSibling.getBoundingClientRect().top
                                && e.getBoundingClientRect().bottom <= e.nextElementSibling.getBoundingClientRect().top)
                 .length"""
        )
        assert alone == 0, f"a '·' stands alone on its line at {size['width']} px"
        assert (
            page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        )
    shoot("application-top-line-wrapped")


def test_a_long_stage_name_picked_in_a_box_stays_within_the_window(page, app_url, sign_in, shoot):
    """Found by a walk: a box showing a long stage name picked (the plan's "Place of the new
    stage", the application's stage) grew to hold it all, pushing the page sideways on a
    phone (the plan's, with a name of the full 120 characters, at 1280 px too)."""
    sign_in("recruiter@assay.test")
    long = "Technical interview with the platform team and a system design discussion (remote)"
    plan_url = new_job(page, "Long Stage Engineer")
    page.get_by_label("Place of the new stage").click()
    page.get_by_role("option", name="after Applied", exact=True).click()
    page.get_by_label("New stage name").fill(long)
    page.get_by_role("button", name="Add stage").click()
    expect(page.get_by_label("Place of the new stage")).to_have_text(f"after {long}")  # the next follows it
    for size in ({"width": 1280, "height": 800}, PHONE):
        page.set_viewport_size(size)
        assert page.evaluate(SIDEWAYS) <= 0, f"the plan scrolls sideways at {size['width']} px"
    shoot("plan-long-stage-name-on-a-phone", full_page=False)

    page.goto(plan_url.removesuffix("/plan"))
    add_candidate(page, "Lena Long")
    card_of(page, "Lena Long").get_by_role("button", name="Move to").click()
    page.get_by_role("menuitem", name=long, exact=True).click()
    expect(card_of(page, "Lena Long", long)).to_be_visible()
    # By keyboard: on a phone the toasts of the add and the move sit over the card, and a pointer
    # resting on them holds them open (CI161 waited 20 s on that).
    card_of(page, "Lena Long").get_by_role("link", name="Lena Long", exact=True).press("Enter")
    expect(page.get_by_label("Move to stage")).to_have_text(long)
    assert page.evaluate(SIDEWAYS) <= 0, "the application scrolls sideways on a phone"
    shoot("application-long-stage-name-on-a-phone", full_page=False)
