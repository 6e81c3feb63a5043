"""Every page against the WCAG 2 A and AA rules, checked by axe-core (installed by `make test`).

What a screen reader or a keyboard user meets: a control nested in another control (the
board's cards were one), text too faint against its chip (the status chips were), a box
without a name. Each page is checked as an admin sees it with the demo data, once loaded.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.steps import AXE, add_candidate, broken_rules, new_job

pytestmark = pytest.mark.browser

SIGNED_IN_PAGES = [
    "/",
    "/queue",
    "/notifications",
    "/integrations",
    "/users",
    "/settings",
    "/account",
    "/jobs/1",
    "/jobs/1/plan",
    "/jobs/1/review",
]


def test_no_page_breaks_a_wcag_a_or_aa_rule(page, app_url, sign_in):
    assert AXE.is_file(), "make test installs axe-core into .tools"
    page.goto(f"{app_url}/sign-in")
    broken = {"/sign-in": broken_rules(page)}
    sign_in("admin@assay.test")
    for path in SIGNED_IN_PAGES:
        page.goto(f"{app_url}{path}")
        broken[path] = broken_rules(page)
    page.goto(f"{app_url}/jobs/1")
    page.locator(".pipeline-card a").first.click()
    page.wait_for_url(f"{app_url}/applications/*")
    expect(page.locator(".history")).to_be_visible()
    broken["/applications/<first on the board>"] = broken_rules(page)
    # Dialogs, open: a select's placeholder and a solid red button were too faint in them.
    page.goto(f"{app_url}/integrations")
    page.locator(".vendor-tile").first.get_by_role("button", name="Connect CodeSignal", exact=True).click()
    # Each dialog there before it is judged: judged as the click's render began, it had not begun
    # to fade in, and its red button was read half transparent (a run beside other walks).
    expect(page.get_by_role("dialog")).to_be_visible()
    broken["the connect dialog"] = broken_rules(page)
    page.keyboard.press("Escape")
    page.locator(".integration-connection").first.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    broken["the disconnect question"] = broken_rules(page)
    page.get_by_role("button", name="Keep it").click()
    page.goto(f"{app_url}/jobs/1/review")
    expect(page.locator(".review-row").first).to_be_visible()
    page.keyboard.press("r")
    expect(page.get_by_label("Rejection reason")).to_be_visible()
    broken["the reject dialog"] = broken_rules(page)
    page.keyboard.press("Escape")
    page.goto(f"{app_url}/jobs/1/plan")
    page.locator(".stage-test").first.get_by_role("button").click()
    expect(page.get_by_role("alertdialog")).to_be_visible()
    broken["the remove-test question"] = broken_rules(page)
    page.keyboard.press("Escape")

    assert {path: rules for path, rules in broken.items() if rules} == {}


def test_a_toasts_words_are_as_readable_as_the_page(page, app_url, sign_in):
    """Found by a walk: every success and error toast ("Ann added.", "… is already in this job")
    was green or red text too faint against its tint (sonner's colours, 4.3:1), below AA's 4.5:1."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    add_candidate(page, "Walk Toast Contrast")
    page.get_by_label("Candidate name").fill("Walk Toast Contrast")  # again: already in this job
    page.get_by_label("Candidate email").fill("walk.toast.contrast@example.com")
    page.get_by_role("button", name="Add candidate").click()
    expect(page.locator("[data-sonner-toast][data-type='success']")).to_be_visible()
    expect(page.locator("[data-sonner-toast][data-type='error']")).to_be_visible()
    assert broken_rules(page) == []


def test_each_toasts_close_button_says_which_toast_it_closes(page, app_url, sign_in):
    """Found by a screen reader walk: with two toasts up, both close buttons were "Close toast"
    (sonner's one name for all of them), so tabbing to one did not tell which it would close.
    Each is described by its toast's message, read after the name."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    add_candidate(page, "Walk Toast Names")
    page.get_by_label("Candidate name").fill("Walk Toast Names")  # again: already in this job
    page.get_by_label("Candidate email").fill("walk.toast.names@example.com")
    page.get_by_role("button", name="Add candidate").click()
    added = page.locator("[data-sonner-toast][data-type='success']")
    refused = page.locator("[data-sonner-toast][data-type='error']")
    expect(added.get_by_role("button", name="Close toast")).to_have_accessible_description(
        "Walk Toast Names added."
    )
    expect(refused.get_by_role("button", name="Close toast")).to_have_accessible_description(
        re.compile(r"^Walk Toast Names \(walk.toast.names@example.com\) is already in this job")
    )


LANDMARKS = """
axe.run({runOnly: ["landmark-one-main", "region", "landmark-unique", "bypass"]})
    .then((result) => result.violations.map((rule) => rule.id + ": " + rule.nodes.length))
"""


def test_every_page_has_its_navigation_and_main_content_as_landmarks_and_one_title(page, app_url, sign_in):
    """A screen reader lists a page's landmarks to jump past the navigation to the page itself, and
    its headings to find a section. Found by walks: no page had a landmark, so the navigation's
    links were read out before every page; and every heading was a top-level one (the product's
    name, the page's title, each vendor on the integrations page, each section)."""
    sign_in("admin@assay.test")
    missing = {}
    for path in SIGNED_IN_PAGES:
        page.goto(f"{app_url}{path}")
        broken_rules(page)  # settled, with axe loaded
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        expect(page.get_by_role("main")).to_have_count(1)
        # One top-level heading, the page's title; its sections (and an integrations page's vendors) below it.
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        missing[path] = page.evaluate(LANDMARKS)
    assert {path: rules for path, rules in missing.items() if rules} == {}


def test_the_navigation_marks_the_section_open(page, app_url, sign_in, shoot):
    """Found by a walk: no navigation link said which page was open, to the eye or to a screen
    reader (aria-current); a job's board, plan and review, and a candidate's page, are under Jobs."""
    sign_in("admin@assay.test")
    navigation = page.get_by_role("navigation", name="Main")
    for path, section in [
        ("/", "Jobs"),
        ("/jobs/1", "Jobs"),
        ("/jobs/1/review", "Jobs"),
        ("/queue", "Queue"),
        ("/users", "Users"),
        ("/account", "Change my password"),
    ]:
        page.goto(f"{app_url}{path}")
        expect(navigation.locator("[aria-current=page]")).to_have_count(1)
        expect(navigation.locator("[aria-current=page]")).to_contain_text(section)
    page.get_by_role("link", name="Jobs", exact=True).click()  # moved to in the page, not loaded anew
    expect(navigation.locator("[aria-current=page]")).to_have_text("Jobs")
    shoot("nav-current-section", full_page=False)


def test_a_link_under_the_pointer_stays_readable(page, app_url, sign_in):
    """Found by a walk: every link turned faint under the pointer (Reflex's hover colour, accent-8):
    a candidate's name in the queue 2.6:1 on white, "Edit plan" 2.0:1 on its button's tint, below
    AA's 4.5:1; the pointer rests on "Edit plan" as the plan's "Back to the board" is clicked."""
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/queue")
    page.get_by_role("row").nth(1).get_by_role("link").first.hover()
    assert broken_rules(page) == []
    page.goto(f"{app_url}/jobs/1")
    page.get_by_role("link", name="Edit plan").hover()
    assert broken_rules(page) == []


def test_an_empty_board_wider_than_the_window_scrolls_by_keyboard(page, app_url, sign_in):
    """Found by a walk: a new job's board, or one filtered to nobody, is wider than a small laptop's
    window, and none of its columns holds a card to tab to: a keyboard user could not scroll to
    its last stages (axe: scrollable-region-focusable). The board is a named region one tabs to."""
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in("recruiter@assay.test")
    new_job(page, "Empty Board Walk")
    page.get_by_role("link", name="Back to the board").click()
    expect(page.get_by_text("No applications in this job yet.")).to_be_visible()
    assert broken_rules(page) == []
    offer = page.locator(".pipeline-column[data-stage='Offer']")
    expect(offer).not_to_be_in_viewport()
    page.get_by_role("region", name="Stages of Empty Board Walk").focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    expect(offer).to_be_in_viewport()


UNNAMED_SCROLLERS = """
[...document.querySelectorAll("*")].filter((box) => {
    if (["TEXTAREA", "INPUT", "SELECT"].includes(box.tagName)) return false;  // a box one types in
    const style = getComputedStyle(box);
    const across = ["auto", "scroll"].includes(style.overflowX) && box.scrollWidth > box.clientWidth + 1;
    const down = ["auto", "scroll"].includes(style.overflowY) && box.scrollHeight > box.clientHeight + 1;
    const named = box.getAttribute("role") === "region" && box.getAttribute("aria-label") && box.tabIndex === 0;
    return (across || down) && !named;
}).map((box) => `${box.tagName.toLowerCase()}.${box.className} around "${box.innerText.slice(0, 40)}"`)
"""
UNNAMED_TABLES = """
[...document.querySelectorAll("table")].filter((table) => {
    const box = table.closest(".rt-TableRoot")?.parentElement;
    return !(box?.getAttribute("role") === "region" && box.getAttribute("aria-label") && box.tabIndex === 0);
}).map((table) => `a table around "${table.innerText.slice(0, 40)}"`)
"""


@pytest.mark.parametrize("width", [390, 1024])
def test_every_box_that_scrolls_is_a_named_region_one_tabs_to(page, app_url, sign_in, width):
    """Found by a walk on a phone and a small laptop: the jobs, users, settings, outbox and review
    tables scrolled sideways in a box a keyboard could not reach (Radix's scroll area, no Tab stop
    unless a row held a link) and a screen reader did not name. Each is a region, named for what
    it holds, one tabs to and scrolls with the arrow keys; so is every table's box, at a width
    where it fits too."""
    page.set_viewport_size({"width": width, "height": 800})
    sign_in("admin@assay.test")
    unnamed = {}
    for path in [*SIGNED_IN_PAGES, "/applications/1"]:
        page.goto(f"{app_url}{path}")
        broken_rules(page)  # settled
        unnamed[path] = page.evaluate(UNNAMED_SCROLLERS) + page.evaluate(UNNAMED_TABLES)
    assert {path: boxes for path, boxes in unnamed.items() if boxes} == {}


def test_every_tab_stop_has_a_name_read_aloud(page, app_url, sign_in):
    """Found by a hiring manager's keyboard walk: on the review page, the score chart took a Tab
    stop a screen reader announced as a bare "application" (recharts' keyboard layer), saying
    neither what it shows nor why the focus went there. Each page's first 60 Tab stops are
    read as Playwright's accessibility tree gives them: every one with a role and a name."""
    sign_in("admin@assay.test")
    unnamed = {}
    for path in SIGNED_IN_PAGES:
        page.goto(f"{app_url}{path}")
        broken_rules(page)  # settled
        page.locator("body").click(position={"x": 600, "y": 2})  # the page, not a control
        stops = []
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.locator(":focus")
            # An email's <summary> (the outbox) is a disclosure the tree gives no role: read by its text.
            if focused.count() == 1 and focused.evaluate("e => e.tagName") != "SUMMARY":
                stops.append(focused.aria_snapshot().splitlines()[0])
        unnamed[path] = sorted({stop for stop in stops if not re.match(r'^- \'?[a-z]+ ".+"', stop)})
    assert {path: stops for path, stops in unnamed.items() if stops} == {}


PASSWORD_FORMS = """
[...document.querySelectorAll("form")].filter((form) => form.querySelector("input[type=password]")).map(
    (form) => ({
        username: [...form.querySelectorAll("input[autocomplete=username]")].map((box) => box.value),
        passwords: [...form.querySelectorAll("input[type=password]")].map((box) => box.autocomplete),
    })
)
"""


def test_every_password_form_says_whose_password_it_is(page, app_url, sign_in):
    """Found in Chromium's console: the change-my-password form had no username field ("[DOM]
    Password forms should have (optionally hidden) username fields for accessibility"), so a
    password manager could not tell whose password it was changing; the sign-in form's boxes
    said neither that they were a username nor which password ("[DOM] Input elements should
    have autocomplete attributes")."""
    said = []
    page.on("console", lambda message: said.append(f"{page.url}: {message.text}"))
    page.goto(f"{app_url}/sign-in")
    expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
    assert page.evaluate(PASSWORD_FORMS) == [{"username": [""], "passwords": ["current-password"]}]
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/account")
    expect(page.get_by_role("button", name="Change my password")).to_be_enabled()
    expect(page.locator("input[autocomplete=username]")).to_have_value("recruiter@assay.test")
    assert page.evaluate(PASSWORD_FORMS) == [
        {
            "username": ["recruiter@assay.test"],
            "passwords": ["current-password", "new-password", "new-password"],
        }
    ]
    assert [line for line in said if "[DOM]" in line] == []
