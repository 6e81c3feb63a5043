"""The application page's interviews and status chip, and the notifications page, walked in Chromium.

Found by an exploratory walk: a scheduled interview left its boxes filled (a second click
booked it again), a long interviewer string widened the page to 2,790 px, the attempt's chip
was amber whatever the admin's clocks said, and opening a notification did not read it.
"""

import datetime
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import select

from models import AssessmentAttempt, AttemptState, Integration
from tests.browser.steps import (
    broken_rules,
    on_the_apps_database,
    open_and_escape,
    open_new_application,
    query_app,
    send_a_test,
    sign_in_on,
    take_test,
)

pytestmark = pytest.mark.browser


def _page_width_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_scheduling_an_interview_empties_the_boxes_refuses_absurd_names_and_long_ones_wrap(
    page, app_url, sign_in, shoot
):
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Interviews")
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)).strftime("%Y-%m-%d 15:00")
    at, who = page.get_by_label("Interview time"), page.get_by_label("Interviewers")

    at.fill(when)
    who.fill("<b>x</b>, " + "Y" * 300)
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("An interviewer's name is at most 120 characters.")).to_be_visible()
    expect(at).to_have_value(when)  # kept, to be corrected
    expect(who).to_have_value("<b>x</b>, " + "Y" * 300)

    longest = "W" * 120  # the longest name accepted, one unbroken run
    who.fill(f"Grace Hopper, {longest}")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Interview scheduled.")).to_be_visible()
    expect(at).to_have_value("")
    expect(who).to_have_value("")
    interviews = page.locator(".interviews .interview")
    expect(interviews).to_have_count(1)
    expect(interviews).to_contain_text(longest)
    expect(page.locator(".history")).to_contain_text(longest)
    assert _page_width_fits(page)
    shoot("60-application-interview-long-name-wraps")

    page.get_by_role("button", name="Schedule").click()  # the boxes are empty: nothing booked twice
    expect(page.get_by_text("Write the date as YYYY-MM-DD")).to_be_visible()
    expect(interviews).to_have_count(1)


def test_one_interview_is_cancelled_after_a_question_and_the_other_stays_booked(
    page, app_url, sign_in, shoot
):
    """Found in a review: an interview could be called off only by rejecting the candidate."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Moved Interview")
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    for day, who in ((soon, "Grace Hopper"), (soon + datetime.timedelta(days=1), "Alan Kay")):
        page.get_by_label("Interview time").fill(day.strftime("%Y-%m-%d 15:00"))
        page.get_by_label("Interviewers").fill(who)
        page.get_by_role("button", name="Schedule").click()
        expect(page.locator(".interviews .interview", has_text=who)).to_be_visible()
    moved = page.locator(".interviews .interview", has_text="Grace Hopper")
    cancel = moved.get_by_role("button", name=re.compile(r"^Cancel the interview on .* with Grace Hopper$"))
    open_and_escape(page, cancel)  # asked first; Escape keeps it booked

    cancel.click()
    asked = page.get_by_role("alertdialog")
    expect(asked).to_contain_text(
        f"The interview on {soon:%Y-%m-%d} 15:00 UTC with Grace Hopper is called off"
    )
    expect(asked).to_contain_text("Assay emails no interviewer: tell them.")
    expect(asked).not_to_contain_text("Its link stops working")  # Applied makes no room at a vendor
    shoot("60b-application-cancel-interview-asks")
    assert broken_rules(page) == []
    asked.get_by_role("button", name="Cancel interview").click()

    expect(page.get_by_text("cancelled; tell the interviewers.")).to_be_visible()
    expect(moved).to_contain_text("Cancelled ")
    expect(moved.get_by_role("button")).to_have_count(0)  # nothing left to cancel
    kept = page.locator(".interviews .interview", has_text="Alan Kay")
    expect(kept.get_by_role("button", name=re.compile("Cancel the interview on"))).to_be_visible()
    expect(page.locator(".history")).to_contain_text(
        f"Interview on {soon:%Y-%m-%d} 15:00 UTC with Grace Hopper cancelled"
    )
    shoot("60c-application-interview-cancelled")


def test_the_application_pages_chip_is_the_boards_colour(page, app_url, sign_in, shoot):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/jobs/1")
    card = page.locator(".pipeline-card", has=page.locator(".rt-Badge", has_text="needs sending")).first
    expect(card.locator(".rt-Badge[data-accent-color='green']")).to_be_visible()  # fresh: green
    name = card.get_by_role("link").first.inner_text()

    card.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    chip = page.locator(".assessment-attempt .rt-Badge", has_text="needs sending").first
    expect(chip).to_have_attribute("data-accent-color", "green")
    shoot("61-application-chip-by-the-clocks")


def _bold(page):
    return page.locator(".notification a.rt-r-weight-bold")


def _saying(page, message: str):
    """The notification saying exactly ``message``, not one that merely contains it: every walk
    adds notifications, and "Ann's test is complete..." is inside "Joann's test is complete..."."""
    return page.locator(".notification a", has_text=re.compile(f"^{re.escape(message)}$")).first


def test_opening_a_notification_reads_it_for_that_person_and_mark_all_read_says_so(
    page, app_url, sign_in, shoot
):
    sign_in("recruiter@assay.test")
    page.goto(f"{app_url}/notifications")
    expect(_bold(page).first).to_be_visible()
    # Compared by what they say, not by counts: the app's scheduler may add one meanwhile.
    opened = _bold(page).first
    message = opened.inner_text()
    other = next(text for text in _bold(page).all_inner_texts() if text != message)

    opened.click()
    page.wait_for_url(f"{app_url}/applications/*")
    page.goto(f"{app_url}/notifications")
    expect(_saying(page, message)).not_to_have_class(re.compile("weight-bold"))
    expect(_saying(page, other)).to_have_class(re.compile("weight-bold"))
    shoot("62-notifications-one-opened", full_page=False)

    # An email in the outbox opens from the keyboard: its subject is a disclosure, not a hover tip.
    # A team alert, whichever is newest: another walk on the shared demo app may have written
    # an email to a candidate since (test_outbox_try_again.py's, when it ran first).
    email = page.locator(".outbox .email-body").filter(has_text="Open the application:").first
    expect(email.get_by_text("Open the application:")).to_be_hidden()
    email.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(email.get_by_text("Open the application:")).to_be_visible()
    shoot("62b-outbox-email-opened", page.locator(".outbox"))

    sign_in("admin@assay.test")  # another member of the team has read none of them
    page.goto(f"{app_url}/notifications")
    expect(_saying(page, message)).to_have_class(re.compile("weight-bold"))
    were_unread = [text for text in _bold(page).all_inner_texts()]
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".unread-count")).to_have_text("All read")
    for text in were_unread[:10]:
        expect(_saying(page, text)).not_to_have_class(re.compile("weight-bold"))
    shoot("63-notifications-all-read", full_page=False)


def test_a_hiring_manager_is_offered_no_control_only_recruiters_may_use(page, app_url, sign_in, shoot):
    """The board hides what moves cards from a hiring manager; the application page offered it
    (the stage select, Send an assessment, Re-attempt, the interview boxes), each click refused."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    show_all = page.get_by_label("Show every finished attempt")
    show_all.click()  # decisions by other walks keep these rows
    expect(show_all).to_be_checked()  # the longer list is drawn: the first row stays the first
    candidate = page.locator(".review-row").first.get_by_role("link")
    name = candidate.inner_text()
    candidate.click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    attempt = page.locator(".assessment-attempt").first

    # What a hiring manager may do stays: the result, its report, deciding, notes.
    expect(attempt.get_by_role("link", name="Detailed report")).to_be_visible()
    expect(page.locator(".decision").get_by_role("button", name="Reject")).to_be_visible()
    expect(page.get_by_label("Note", exact=True)).to_be_editable()

    for control in (
        page.get_by_label("Move to stage"),
        page.get_by_role("button", name="Send an assessment"),
        attempt.get_by_role("button", name="Re-attempt"),
        page.get_by_label("Interview time"),
        page.get_by_role("button", name="Schedule"),
    ):
        expect(control).to_have_count(0)
    expect(page.locator(".current-stage")).not_to_be_empty()  # the stage, read, not picked
    shoot("application-as-hiring-manager")


def test_a_notifications_icon_keeps_its_size_beside_a_message_that_wraps(page, app_url, sign_in, shoot):
    """Found by a walk at 800 px: beside a message wrapped onto three lines, each kind's icon
    was squeezed to half its width, a smudge rather than a clipboard or a flag, and the time
    broke in two."""
    page.set_viewport_size({"width": 800, "height": 900})
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/notifications")
    icons = page.locator(".notification svg")
    expect(icons.first).to_be_visible()

    widths = icons.evaluate_all("svgs => svgs.map((svg) => svg.getBoundingClientRect().width)")
    assert widths and all(width == 16 for width in widths), widths
    # And "5m ago" stays on one line (it was broken into "5m" above "ago").
    heights = page.locator(".notification .when").evaluate_all(
        "els => els.map((el) => el.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 20, heights
    shoot("64-notifications-at-800", full_page=False)


def test_the_navigation_counts_the_unread_and_the_rows_say_which_live_from_another_tab(
    page, app_url, sign_in, shoot
):
    """Found by a walk: unread notifications were told by bold alone, which a screen reader does
    not read, and no count of them showed anywhere: not on the navigation, not by "Mark all read"."""
    sign_in("manager@assay.test")  # a hiring manager: their job's notifications only
    page.goto(f"{app_url}/")
    counted = page.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread$"))
    expect(counted).to_be_visible()
    unread = int(re.search(r"\d+", counted.get_attribute("aria-label")).group())
    expect(counted.locator(".unread-badge")).to_have_text(str(unread) if unread < 100 else "99+")
    shoot("64c-navigation-unread-count", page.locator(".unread-badge").locator("xpath=ancestor::a"))

    other = page.context.new_page()  # the same person in a second tab
    other.set_default_timeout(20_000)
    other.goto(f"{app_url}/notifications")
    # Counted again, not compared with the first tab's: the app's scheduler may add one meanwhile.
    expect(other.locator(".unread-count")).to_have_text(re.compile(r"^\d+ unread$"))
    unread = int(other.locator(".unread-count").inner_text().split()[0])
    expect(other.locator(".notification.unread")).to_have_count(min(unread, 100))
    expect(other.get_by_role("link", name=re.compile("^Unread: ")).first).to_be_visible()
    other.get_by_role("button", name="Mark all read").click()
    expect(other.locator(".unread-count")).to_have_text("All read")
    expect(other.get_by_role("link", name=re.compile("^Unread: "))).to_have_count(0)
    expect(other.locator(".unread-badge")).to_have_count(0)  # its own navigation too

    # The first tab, left open on the jobs page, catches up without a reload.
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible(timeout=3_000)
    expect(page.locator(".unread-badge")).to_have_count(0)
    other.close()


def _finished_without_a_score(db_url: str, application_id: int) -> None:
    """A CoderPad Screen result for the application that gave a time and a warning but no total
    score (a vendor whose maximum was missing), written to the running app's database."""
    with on_the_apps_database(db_url) as session:
        screen = session.exec(select(Integration).where(Integration.vendor == "coderpad_screen")).first()
        session.add(
            AssessmentAttempt(
                application_id=application_id,
                integration_id=screen.id,
                vendor_test_id="walk-no-score",
                vendor_test_name="Walk take-home",
                reference="walk-no-score-1",
                vendor_attempt_id="walk-no-score-1",
                state=AttemptState.COMPLETED,
                duration_seconds=4000,
                time_allowed_seconds=3600,
                warnings=["Tab switched 3 times"],
                subscores=[{"name": "Coding Score", "score_percent": None, "points": 550.0}],
            )
        )
        session.commit()


def test_a_result_without_a_total_score_still_shows_its_time_breakdown_and_warnings(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a hiring manager's walk: a finished test whose vendor sent no total score showed
    its name and buttons, and nothing of the 66.7 minutes it took, its Coding Score or the tab
    switches the vendor warned of (the whole result hung on the score)."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Noscore")
    _finished_without_a_score(demo_app.db_url, int(page.url.rstrip("/").rsplit("/", 1)[1]))
    page.reload()

    result = page.locator(".assessment-result")
    expect(result).to_contain_text("Total score")
    expect(result).to_contain_text("no score")
    expect(result).to_contain_text("66.7 min of 60 min")
    expect(result.get_by_role("row", name="Coding Score")).to_contain_text("550")
    expect(result).to_contain_text("Tab switched 3 times")
    shoot("62-application-result-without-a-score")


def _write_emails(db_url: str, count: int) -> None:
    """``count`` more emails to candidates in the running app's outbox (``_forget_emails`` takes them away)."""
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO outboxmessage (dedupe_key, to_address, subject, body, created_at)"
                    " VALUES (:key, :to, :subject, 'Thank you for taking the test.', CURRENT_TIMESTAMP)"
                ),
                [
                    {
                        "key": f"walk-outbox:{n}",
                        "to": f"walker{n}@example.com",
                        "subject": f"Your Walk assessment {n}",
                    }
                    for n in range(count)
                ],
            )
    finally:
        engine.dispose()


def _forget_emails(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM outboxmessage WHERE dedupe_key LIKE 'walk-outbox:%'"))
    finally:
        engine.dispose()


def test_the_outbox_shows_older_emails_finds_one_and_says_once_that_none_is_sent(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a walk: the outbox held the newest 100 emails and no way to older ones, and each
    row said "kept in the outbox (no SMTP server set)", in small grey type, 100 times over."""
    _write_emails(demo_app.db_url, 150)  # with the demo's, more than two pages
    try:
        sign_in("recruiter@assay.test")
        page.goto(f"{app_url}/notifications")
        outbox = page.locator(".outbox")
        rows = outbox.locator("tr.email")
        expect(rows).to_have_count(100)
        expect(outbox.locator(".no-mail-server")).to_have_count(1)  # said once, with what to do
        expect(outbox.locator(".no-mail-server")).to_contain_text("set ASSAY_SMTP_URL")
        expect(outbox).not_to_contain_text("SMTP server set")  # not on the rows
        expect(rows.first.locator(".email-status")).to_have_text("Not sent")
        page.evaluate("document.getElementById('outbox').scrollIntoView()")
        shoot("62c-outbox-said-once", full_page=False)
        assert broken_rules(page) == []

        page.get_by_role("button", name="Show more emails").click()
        expect(rows).to_have_count(200)
        total = int(outbox.locator(".outbox-count").inner_text().split()[0])
        assert total > 200
        page.get_by_role("button", name="Show more emails").click()
        expect(rows).to_have_count(total)
        expect(page.get_by_role("button", name="Show more emails")).to_have_count(0)

        search = page.get_by_label("Search the outbox")
        search.fill("walker7@")
        search.press("Enter")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("walker7@example.com")
        search.fill("nobody.at.all")
        page.get_by_role("button", name="Search").click()
        expect(outbox.locator(".outbox-empty")).to_have_text("No email to or about “nobody.at.all”.")
        shoot("62d-outbox-nothing-found", outbox)
    finally:
        _forget_emails(demo_app.db_url)


def test_a_new_deadline_is_set_with_enter_as_with_the_button(page, app_url, sign_in, shoot):
    """Found by a walk: in "Extend the deadline", Enter in the date box did nothing, neither
    extending nor saying why not; only a click on Extend did."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Deadline Enter")
    _, attempt = send_a_test(page, "HackerRank")

    attempt.get_by_role("button", name="Extend deadline").click()
    box = page.get_by_label("New deadline")
    box.fill("2020-01-01")
    box.press("Enter")
    expect(page.locator(".extend-error")).to_have_text("The new deadline is in the past; pick a later date.")
    when = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)).strftime("%Y-%m-%d")
    box.fill(when)
    box.press("Enter")
    expect(box).to_have_count(0)  # the dialog closed: extended
    expect(attempt).to_contain_text(f"Deadline {when} 23:59 UTC")
    shoot("65-application-deadline-extended-by-enter", attempt)


def test_the_interview_time_box_shows_its_whole_placeholder(page, app_url, sign_in, shoot):
    """Found by a walk: the box read "YYYY-MM-DD HH:MM (UT", its hint of the format cut off."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Wanda Wide")
    box = page.get_by_label("Interview time")

    room = box.evaluate(
        """el => {
            const style = getComputedStyle(el);
            const pen = document.createElement('canvas').getContext('2d');
            pen.font = style.font;
            const inside = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return inside - pen.measureText(el.placeholder).width;
        }"""
    )

    assert room >= 0, f"the placeholder is {-room:.0f}px wider than its box"
    shoot("application-interview-boxes", page.locator(".interviews"))


def test_a_hiring_manager_following_a_link_to_another_jobs_candidate_hears_a_titled_page(
    page, app_url, demo_app, sign_in, shoot
):
    """Found by a walk: a hiring manager following a colleague's link to a candidate of another
    job read the refusal under an empty title: a screen reader heard "heading level 1" and nothing."""
    sign_in("manager@assay.test")  # Backend Engineer's (job 1) only
    (elsewhere,) = query_app(
        demo_app.db_url, "SELECT id FROM application WHERE job_id = 2 ORDER BY id LIMIT 1"
    )

    page.goto(f"{app_url}/applications/{elsewhere}")

    expect(page.locator(".page-refusal")).to_contain_text("not in one of your jobs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application")
    shoot("66-application-of-another-job", full_page=False)


def test_a_new_candidates_tests_interviews_and_notes_each_say_there_are_none(page, app_url, sign_in, shoot):
    """Found by a walk: on a candidate just added, a recruiter saw nothing under Interviews and
    Notes but their boxes, and a hiring manager saw no word about tests at all: as if the page
    had not finished loading, or the tests were hidden from them."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Nothing Yet")
    application_url = page.url

    expect(page.locator(".no-tests")).to_have_text("No tests for this candidate yet.")
    expect(page.locator(".interviews")).to_contain_text("No interviews scheduled.")
    expect(page.locator(".notes")).to_contain_text("No notes yet.")
    shoot("67-application-nothing-yet-recruiter")

    sign_in("manager@assay.test")
    page.goto(application_url)
    expect(page.get_by_role("heading", name="Walk Nothing Yet", exact=True)).to_be_visible()
    expect(page.locator(".no-tests")).to_have_text("No tests for this candidate yet.")
    expect(page.locator(".interviews")).to_contain_text("No interviews scheduled.")
    expect(page.locator(".notes")).to_contain_text("No notes yet.")
    shoot("67b-application-nothing-yet-manager")

    page.get_by_label("Note", exact=True).fill("Strong portfolio")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(page.locator(".notes")).not_to_contain_text("No notes yet.")


def test_marking_reviewed_or_all_read_leaves_the_focus_where_the_outcome_is_said(
    page, app_url, sign_in, shoot
):
    """Found by a walk: Mark reviewed goes once pressed, and Mark all read is disabled: the focus
    fell to the page's body, a screen reader said nothing, and the next Tab started from the top."""
    sign_in("recruiter@assay.test")
    open_new_application(page, app_url, 1, "Walk Focus Kept")
    name, attempt = send_a_test(page, "CoderPad Screen")
    take_test(page.context, attempt.locator(".test-link").inner_text())
    expect(attempt).to_contain_text("Assessment needs review")

    reviewed = attempt.get_by_role("button", name="Mark reviewed")
    reviewed.focus()
    page.keyboard.press("Enter")
    expect(reviewed).to_have_count(0)
    heading = attempt.get_by_role("heading", name=name, exact=True)
    expect(heading).to_be_focused()
    expect(heading).to_have_accessible_description("Reviewed")  # heard with the heading
    shoot("68-reviewed-focus-on-the-tests-heading", full_page=False)

    page.goto(f"{app_url}/notifications")
    mark_all = page.get_by_role("button", name="Mark all read")
    expect(mark_all).to_be_enabled()  # the test just finished is unread, for this recruiter too
    mark_all.focus()
    page.keyboard.press("Enter")
    expect(mark_all).to_be_disabled()
    said = page.locator(".unread-count")
    expect(said).to_have_text("All read")
    expect(said).to_be_focused()
    shoot("68b-all-read-focus-on-the-count", full_page=False)


# Where a screen reader is told something without moving to it: a live region, or a toast.
SAID_BY_ITSELF = "[role=status], [role=alert], [aria-live]:not([aria-live=off]), [data-sonner-toast]"


def test_mark_all_read_is_said_once(page, app_url, sign_in, shoot):
    """Found by a screen reader walk: Mark all read was answered three times, "All read" by the
    count (a live status) and again as the focus landed on it, then "Marked 27 notifications
    read." by a toast. The focus, on the count, says it; nothing else does."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Nell Unread")
    page.get_by_label("Invite email").fill("nell.unread@example.com")
    page.get_by_role("button", name="Invite").click()
    first = page.locator("code").inner_text()
    sign_in_on(page, app_url, "nell.unread@example.com", first)  # new: has read none of the team's
    page.goto(f"{app_url}/notifications")
    count = page.locator(".unread-count")
    expect(count).to_have_text(re.compile(r"^\d+ unread$"))

    mark_all = page.get_by_role("button", name="Mark all read")
    mark_all.focus()
    page.keyboard.press("Enter")
    expect(count).to_have_text("All read")
    expect(count).to_be_focused()
    page.wait_for_timeout(1_000)  # a toast sent with the answer would be up by now
    expect(
        page.locator(SAID_BY_ITSELF).filter(has_text=re.compile(r"\bread\b", re.IGNORECASE))
    ).to_have_count(0)
    shoot("mark-all-read-said-once", full_page=False)
