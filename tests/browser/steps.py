"""Steps the browser walks share: as a recruiter takes them, and a look into the running app's database."""

import contextlib
import re
from collections.abc import Iterator

import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.app_process import ROOT

DEMO_PASSWORD = "assay-demo-password"


def sign_in_on(
    page: Page, app_url: str, email: str = "admin@assay.test", password: str = DEMO_PASSWORD
) -> None:
    """Sign in through the sign-in page as one of the demo users.

    Whoever is signed in on this tab signs out first, as the next person on a shared machine
    does: the sign-in page takes someone signed in on to the jobs page.
    """
    if any(c["name"] == "assay_session" and c["value"] for c in page.context.cookies()):
        page.goto(f"{app_url}/")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(re.compile(r"/sign-in/?$"))
    page.goto(f"{app_url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{app_url}/")


def new_job(page: Page, title: str) -> str:
    """A job made on the jobs page (Applied, Recruiter screen, Onsite, Offer); its plan's address."""
    page.get_by_label("New job title").fill(title)
    page.get_by_role("button", name="New job").click()
    expect(page.get_by_role("heading", name=f"{title}: interview plan", exact=True)).to_be_visible()
    return page.url


def card_of(page: Page, name: str, stage: str = ""):
    """The board's card of the candidate called exactly ``name`` (in ``stage``'s column if given).

    Not the cards whose text merely contains the name: the shared demo job also holds other
    walks' candidates, and "Ada Byron" is in "Ada Byronson" (Playwright's has_text is a substring).
    """
    column = page.locator(f".pipeline-column[data-stage='{stage}']") if stage else page
    return column.locator(".pipeline-card", has=page.get_by_role("link", name=name, exact=True))


def a_colleague_moves(
    page: Page, app_url: str, board_url: str, name: str, from_stage: str, to_stage: str
) -> None:
    """An admin, on their own machine (a browser context of their own), moves the card with its menu."""
    colleague = page.context.browser.new_context()
    admin = colleague.new_page()
    admin.set_default_timeout(20_000)
    try:
        sign_in_on(admin, app_url, "admin@assay.test")
        admin.goto(board_url)
        card_of(admin, name, from_stage).get_by_role("button", name="Move to").click()
        admin.get_by_role("menuitem", name=to_stage).click()
        expect(card_of(admin, name, to_stage)).to_be_visible()
    finally:
        colleague.close()


def add_candidate(page: Page, name: str) -> None:
    """Add a candidate on the open board; they show in its first column, Applied.

    A walk that moves someone adds them first: the demo job's Applied holds one card, and which
    walk took it first would decide whether the next one found any.
    """
    page.get_by_label("Candidate name").fill(name)
    page.get_by_label("Candidate email").fill(name.lower().replace(" ", ".") + "@example.com")
    page.get_by_role("button", name="Add candidate").click()
    expect(card_of(page, name, "Applied")).to_be_visible()
    # The boxes empty just after the card shows: typing the next name before that would be wiped.
    expect(page.get_by_label("Candidate name")).to_have_value("")


def add_stage_test(page: Page, plan_stage, vendor: str, index: int = 0) -> str:
    """Add the ``index``-th test of the demo's ``vendor`` connection to a stage of the plan; its name."""
    plan_stage.get_by_role("button", name="Add assessment").click()
    name = pick_test(page, vendor, index)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(plan_stage.locator(".stage-test", has_text=name)).to_be_visible()
    return name


def open_new_application(page: Page, app_url: str, job_id: int, name: str, email: str = "") -> None:
    """Add a candidate on the job's board (``email`` made from the name if not given), open the application."""
    page.goto(f"{app_url}/jobs/{job_id}")
    page.get_by_label("Candidate name").fill(name)
    page.get_by_label("Candidate email").fill(email or name.lower().replace(" ", ".") + "@example.com")
    page.get_by_role("button", name="Add candidate").click()
    card_of(page, name).get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


@contextlib.contextmanager
def on_the_apps_database(db_url: str) -> Iterator[Session]:
    """A session on the running app's database, writing as a colleague's request or a vendor's
    delivery would (what a walk cannot do through its own page)."""
    engine = sa.create_engine(db_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def query_app(db_url: str, sql: str, **params) -> list:
    """The first column of each row ``sql`` finds in the running app's database (what its page does not show)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params).scalars())
    finally:
        engine.dispose()


def choose_connection(page: Page, shown: str):
    """Choose the connection the picker lists as ``shown``; its Test list, once its tests arrived.

    Opened before (the list enabled still, with the connection shown before), the old list closed
    as the new one loaded, its options gone (CI255: a walk waited 20 s for one)."""
    page.get_by_label("Vendor connection").click()
    page.get_by_role("option", name=shown, exact=True).click()
    expect(page.get_by_label("Vendor connection")).to_have_text(shown)
    tests = page.get_by_label("Test", exact=True)
    expect(tests).to_be_enabled()
    return tests


def pick_test(page: Page, vendor: str, index: int = 0) -> str:
    """Choose the demo's connection to ``vendor`` (its display name), then its ``index``-th test; its name.

    The demo's connection is named after its vendor ("iMocha (iMocha)" in the list). Picked by
    that whole name: other walks connect more accounts of a vendor ("CoderPad Screen (EU team)
    (CoderPad Screen)"), and one left behind by a walk that failed would match a part of it.
    The tests are fetched from the vendor after the connection changes; the test list
    stays disabled until they arrive, so opening it earlier would open the old, empty one.
    """
    tests = choose_connection(page, f"{vendor} ({vendor})")
    tests.click()
    option = page.get_by_role("option").nth(index)
    name = option.inner_text()
    option.click()
    expect(tests).to_contain_text(name)
    return name


def send_a_test(page: Page, vendor: str, index: int = 0):
    """On an open application page: Send an assessment, pick ``vendor``'s ``index``-th test, Send.

    Returns the test's name and the newest attempt's card, once it says "Sent".
    """
    page.get_by_role("button", name="Send an assessment").click()
    name = pick_test(page, vendor, index)
    page.get_by_role("button", name="Send", exact=True).click()
    attempt = page.locator(".assessment-attempt").first
    expect(attempt).to_contain_text("Sent")
    return name, attempt


def drag_card(page: Page, grip, column, landed) -> None:
    """Drag a card by ``grip`` (the card, or a part of it such as the candidate's name) onto
    ``column`` with the pointer, release it once the column shows it is the drop target, as a
    person would; the card must land there (``landed``) and the board stay open.

    dnd-kit needs movement past its activation distance, and it finds the column under the
    pointer as the pointer moves: on a busy machine the last move can be read before the
    board settled, so the pointer nudges until the column is outlined (``data-drop-over``).
    And until it stays put: dnd-kit scrolls a board wider than the window while the pointer is
    near its edge, and the last column, scrolled on from under a pointer released at once, was
    "dropped outside the stages" (twice in CI on a loaded machine). A person waits for it too.
    """
    board_url = page.url
    box = grip.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + min(12, box["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 8, steps=5)
    for nudge in range(40):
        goal = column.bounding_box()
        page.mouse.move(
            goal["x"] + goal["width"] / 2 + nudge % 2, goal["y"] + 40, steps=15 if nudge == 0 else 2
        )
        page.wait_for_timeout(100)
        if column.get_attribute("data-drop-over") == "true" and column.bounding_box() == goal:
            break
    else:
        raise AssertionError("the column never showed it was the drop target")
    page.mouse.up()
    expect(landed).to_be_visible()
    assert page.url == board_url, f"the drop left the board for {page.url}"


AXE = ROOT / ".tools/node_modules/axe-core/axe.min.js"
# A toast that began to leave while axe ran (gone, or fading, when it is done: under load the run
# takes seconds) was read as faint text; what it found there is not the toast's colours.
RULES = """
axe.run({runOnly: ["wcag2a", "wcag2aa"]}).then((result) => {
  const left = (node) => {
    const at = document.querySelector(node.target.join(" "));
    const toast = at ? at.closest("[data-sonner-toast]") : null;
    const aToast = /toast-message-|data-sonner-toast/.test(node.target.join(" ") + node.html);
    return (!at && aToast) || (toast !== null && (toast.dataset.removed === "true" || getComputedStyle(toast).opacity !== "1"));
  };
  return result.violations
    .map((rule) => ({...rule, nodes: rule.nodes.filter((node) => !left(node))}))
    .filter((rule) => rule.nodes.length > 0)
    .map((rule) => ({
      rule: rule.id,
      impact: rule.impact,
      where: rule.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }));
})
"""


def broken_rules(page: Page) -> list[dict]:
    """What axe-core finds against the WCAG 2 A and AA rules on the page, once it has settled."""
    expect(page).to_have_title(re.compile(r" · Assay$"))  # a dynamic route's title comes with its render
    expect(page.locator(".rt-Spinner")).to_have_count(0)  # loaded, not its placeholder
    # A dialog fading in is half transparent: its colours are judged once it has arrived, and a
    # toast's once it is in, not while it fades out (a CI run read one leaving as faint text).
    page.wait_for_function(
        "document.getAnimations().every((a) => a.effect?.getTiming().iterations === Infinity"
        " || a.playState !== 'running')"
        " && !document.querySelector("
        '\'[data-sonner-toast][data-mounted="false"], [data-sonner-toast][data-removed="true"]\')'
    )
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RULES)


CONTROL = re.compile(r'^\s*- (button|link|checkbox|combobox|textbox|spinbutton|menuitem|switch) "(.*)"')


def shared_names(page: Page) -> dict[str, int]:
    """The controls on the page that share their role and name with another: how many of each.

    A screen reader user tabbing through hears the name alone ("Role, combobox" in every row of
    a table), and a test's locator by that name finds several. Read from Playwright's own
    accessibility tree, the names its get_by_role and get_by_label go by.
    """
    named = [
        m.group(1) + " " + m.group(2)
        for m in map(CONTROL.match, page.locator("body").aria_snapshot().splitlines())
        if m
    ]
    return {name: named.count(name) for name in sorted(set(named)) if named.count(name) > 1}


def open_and_escape(page: Page, button) -> None:
    """Open a dialog from ``button`` with the keyboard and close it with Escape: the focus is back
    on the button (it fell to the page's top), ready for the next Tab."""
    asking = page.get_by_role("dialog").or_(page.get_by_role("alertdialog"))
    expect(button).to_be_enabled()  # drawn and live: focused while the page still loads, Enter did nothing
    button.focus()
    page.keyboard.press("Enter")
    expect(asking).to_be_visible()
    page.keyboard.press("Escape")
    expect(asking).to_have_count(0)
    expect(button).to_be_focused()


def toasts_gone(page: Page) -> None:
    """Wait for the toasts to leave, the mouse off them: a pointer resting on the stack keeps it
    open (sonner pauses its timers), and a button under it could not be clicked (CI209)."""
    page.mouse.move(0, 0)
    expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15_000)


def take_test(context, link: str) -> None:
    """The candidate, in a tab of their own, opens their link, starts the sandbox's test and submits it."""
    candidate = context.new_page()
    candidate.goto(link)
    candidate.get_by_role("button", name="Start test").click()
    candidate.get_by_role("button", name="Submit test").click()
    expect(candidate.get_by_text("Test submitted")).to_be_visible()
    candidate.wait_for_load_state("load")  # closing mid-navigation can hang Chromium
    candidate.close()
