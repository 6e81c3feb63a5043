"""A hiring manager narrows the review list: the lowest score as people type it, and a filter
that lets nothing through says so rather than that nothing waits."""

import csv
import re
from collections import Counter

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _scores(page) -> list[float]:
    """The score column of the rows shown, less those reading "no score" (a walk of the application
    page adds one to the demo job): no filter lets those through, and the chart has no bar for them."""
    texts = page.locator(".review-row").locator("td:nth-child(3)").all_inner_texts()
    return [float(found.group()) for text in texts if (found := re.search(r"[\d.]+", text))]


def _charted(page) -> float:
    """How many candidates the chart's bars stand for, their heights read against the count axis."""
    ticks = page.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")
    zero, one = ticks.evaluate_all("ts => ts.slice(0, 2).map(t => t.getBoundingClientRect().y)")
    bars = page.locator(".recharts-bar-rectangle path")
    heights = bars.evaluate_all("ps => ps.map(p => p.getBoundingClientRect().height)")
    return round(sum(heights) / abs(zero - one), 1)


def test_the_lowest_score_is_read_with_its_percent_sign_and_junk_is_refused(page, app_url, sign_in, shoot):
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    show_all = page.get_by_label("Show every finished attempt")
    show_all.click()  # decisions by other walks keep these rows
    expect(show_all).to_be_checked()  # drawn from the answer that brings the longer list
    expect(page.locator(".review-row").first).to_be_visible()
    everyone, listed = _scores(page), page.locator(".review-row").count()
    integrity = page.locator(".review-row td:nth-child(8)").all_inner_texts()
    assert "1 warning" in integrity, integrity  # the badge read "1 warning(s)"
    assert min(everyone) < 70 <= max(everyone), (
        f"the demo job should have scores on both sides of 70: {everyone}"
    )
    lowest = page.get_by_label("Lowest score")

    lowest.fill("70%")  # as the Score column writes it
    lowest.press("Enter")
    expect(page.locator(".review-row")).to_have_count(sum(s >= 70 for s in everyone))
    assert min(_scores(page)) >= 70
    # How many match is said, not left to count (helper-60's walk).
    expect(page.locator(".review-shown")).to_have_text(
        f"{sum(s >= 70 for s in everyone)} of {listed} results match the filter."
    )
    # The chart is drawn at once: caught growing and shrinking, it stood for 2.1 candidates
    # in bands where none of the 3 listed was.
    assert _charted(page) == len(_scores(page))
    shoot("review-filter-70-percent", full_page=False)
    # Export CSV hands over what the list holds, in its order: not the whole job's results.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    with open(download.value.path(), newline="") as exported:
        assert [float(row["score %"]) for row in csv.DictReader(exported)] == _scores(page)

    lowest.fill("seventy")
    lowest.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("number from 0 to 100")
    # The list stays as it was filtered: nothing below 70 came back behind the refusal.
    expect(page.locator(".review-row")).to_have_count(sum(s >= 70 for s in everyone))
    shoot("review-filter-refused", full_page=False)

    lowest.fill("")
    lowest.press("Enter")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(".review-row")).to_have_count(listed)


def test_a_filter_that_matches_nobody_says_so_and_clears(page, app_url, sign_in, shoot):
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    show_all = page.get_by_label("Show every finished attempt")
    show_all.click()
    expect(show_all).to_be_checked()  # drawn from the answer that brings the longer list
    rows = page.locator(".review-row")
    expect(rows.first).to_be_visible()

    page.get_by_label("Filter by text").fill("nobody-has-this-name")
    page.get_by_label("Filter by text").press("Enter")
    expect(rows).to_have_count(0)
    expect(page.get_by_text("Nothing waits for review in this job.")).to_have_count(0)
    # How many the filter hides, checked by clearing it below.
    said = page.get_by_text(re.compile(r"None of the \d+ results match the filter\."))
    expect(said).to_be_visible()
    shown = int(re.search(r"\d+", said.inner_text()).group())
    assert shown > 1
    shoot("review-filter-matches-nobody", full_page=False)

    page.get_by_role("button", name="Clear the filter").click()
    expect(rows).to_have_count(shown)
    expect(page.get_by_label("Filter by text")).to_have_value("")


def test_the_chart_draws_only_the_results_the_filter_lets_through(page, app_url, sign_in, shoot):
    """Found by a walk: narrowed to one name, the list showed one result beside a chart of the
    whole job's scores."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    show_all = page.get_by_label("Show every finished attempt")
    show_all.click()  # decisions by other walks keep these rows (the keyboard walk decides five)
    expect(show_all).to_be_checked()
    rows, bars = page.locator(".review-row"), page.locator(".recharts-bar-rectangle path")
    expect(rows.nth(1)).to_be_visible()
    expect(bars.nth(1)).to_be_visible()  # several scores, several bars
    # A name the filter finds in one row only: not one in another's ("Ann" in "Joann"), nor
    # one the demo drew twice, nor one with a re-attempt; the filter reads any part of a name.
    names = rows.get_by_role("link").all_inner_texts()
    name = next(n for n in names if sum(n.lower() in other.lower() for other in names) == 1)

    page.get_by_label("Filter by text").fill(name)
    page.get_by_label("Filter by text").press("Enter")
    expect(rows).to_have_count(1)
    expect(bars).to_have_count(1)  # theirs, the candidate in view
    shoot("review-filter-one-name-chart", full_page=False)


def test_the_charts_count_axis_reads_one_two_three_up_to_the_tallest_bar(page, app_url, sign_in):
    """Found by a walk: beside bars of one and two results the axis read 0, 1, 2, 4, its 3
    left out and half the chart drawn above the tallest bar."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")
    show_all = page.get_by_label("Show every finished attempt")
    show_all.click()  # decisions by other walks keep these rows
    expect(show_all).to_be_checked()
    expect(page.locator(".review-row").nth(1)).to_be_visible()
    ticks = page.locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")
    expect(ticks.first).to_be_visible()

    tallest = max(Counter(min(9, int(score // 10)) for score in _scores(page)).values())
    labels = [int(text) for text in ticks.all_text_contents()]
    assert labels == list(range(tallest + 1)), (labels, tallest)


def test_a_job_not_on_the_managers_team_shows_only_the_refusal_and_the_way_back(
    page, app_url, sign_in, shoot
):
    """Found by a walk: beside "You are not on the hiring team of this job." the review page still
    offered a "Board" link (to the job refused, or one seen before) and a disabled "Export CSV"."""
    sign_in("manager@assay.test")
    page.goto(f"{app_url}/jobs/1/review")  # their own job first: nothing of it may stay on the next
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r": review$"))

    page.goto(f"{app_url}/jobs/2/review")

    main = page.get_by_role("main")
    expect(main.get_by_text("You are not on the hiring team of this job.")).to_be_visible()
    expect(main.get_by_role("link")).to_have_text(["Back to the jobs"])
    expect(main.get_by_role("button")).to_have_count(0)  # no Export CSV, no filters, no Show every attempt
    expect(main.get_by_role("checkbox")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Review")  # not the job seen before
    expect(main.locator(".page-refusal")).to_have_text("You are not on the hiring team of this job.")
    shoot("25-review-refused-only-the-refusal", full_page=False)
    main.get_by_role("link", name="Back to the jobs").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_filter_boxes_wait_for_the_page_to_connect(page, app_url, sign_in):
    """Found by a walk: until the page's live connection brings its state, the boxes were the static
    page's. A filter typed and Enter pressed then was the browser's own form submit: the page loaded
    again, empty; typed more slowly, it was overwritten by the filter kept from the last visit."""
    sign_in("manager@assay.test")
    page.route_web_socket("**/_event**", lambda connection: None)  # never connects to the server
    page.goto(f"{app_url}/jobs/1/review")
    expect(page.get_by_label("Filter by text")).to_be_disabled()
    expect(page.get_by_label("Lowest score")).to_be_disabled()

    connected = page.context.new_page()
    connected.goto(f"{app_url}/jobs/1/review")
    expect(connected.get_by_label("Filter by text")).to_be_enabled()
    expect(connected.get_by_label("Lowest score")).to_be_enabled()
