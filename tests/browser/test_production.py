"""Production mode: PostgreSQL for the data, Redis for Reflex's state, several backend workers.

One browser tab changes a candidate's stage, or the job's plan; other tabs, served by
whichever worker, see it without a reload. Whatever the number of workers, exactly one
runs the scheduled jobs, and each time slot of each job ran once. Killed, the
worker that runs them is replaced, and another takes the jobs over.
"""

import os
import signal
import time

import httpx
import pytest
import redis
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from scripts.fresh_database import fresh_database
from tests.browser.conftest import running_app
from tests.browser.steps import query_app, sign_in_on
from tests.sandbox_server import running_sandbox

pytestmark = [pytest.mark.browser, pytest.mark.production, pytest.mark.own_app]

PG = os.environ.get("ASSAY_TEST_POSTGRES_URL", "")
REDIS = os.environ.get("ASSAY_TEST_REDIS_URL", "")


@pytest.fixture(scope="module")
def production_app():
    if not (PG and REDIS):
        pytest.fail("make test provides PostgreSQL and Redis (ASSAY_TEST_POSTGRES_URL, ASSAY_TEST_REDIS_URL)")
    db_url = fresh_database(PG, "assay_production")
    with running_sandbox() as sandbox_url, running_app(sandbox_url, db_url=db_url, redis_url=REDIS) as app:
        yield app


def _recruiters_board(browser, url: str):
    """A recruiter signed in in a browser context of their own (a tab any worker may serve), on Backend Engineer's board."""
    page = browser.new_context().new_page()
    page.set_default_timeout(20_000)
    sign_in_on(page, url, "recruiter@assay.test")
    page.get_by_role("link", name="Backend Engineer").click()
    expect(page.locator(".pipeline-column").first).to_be_visible()
    return page


def test_several_workers_one_scheduler_and_live_boards(browser, production_app, shoot):
    app = production_app
    mover, watcher = _recruiters_board(browser, app.url), _recruiters_board(browser, app.url)
    card = mover.locator(".pipeline-column[data-stage='Applied'] .pipeline-card").first
    candidate = card.get_by_role("link").inner_text()

    card.get_by_role("button", name="Move to").click()
    mover.get_by_role("menuitem", name="Recruiter screen").click()

    moved = watcher.locator(
        ".pipeline-column[data-stage='Recruiter screen'] .pipeline-card", has_text=candidate
    )
    expect(moved).to_be_visible()
    shoot("30-production-live-board", watcher, full_page=False)

    workers = {httpx.get(f"{app.url}/api/health", timeout=5).json()["worker"] for _ in range(40)}
    # The jobs' first slot comes up to a poll (5 s) after the start: a walk quicker than that met none.
    deadline = time.monotonic() + 30
    while not (runners := query_app(app.db_url, "SELECT DISTINCT runner FROM scheduledrun")):
        assert time.monotonic() < deadline, "no scheduled job ran in the app's first half minute"
        time.sleep(0.5)
    leaders = app.log_path.read_text().count("this process runs the scheduled jobs")
    assert leaders == 1, f"{leaders} processes ran the scheduler"
    # Every run of every job, whatever its slot, came from that one process (the ledger alone
    # would let each worker's scheduler win some slots).
    assert len(runners) == 1, f"scheduled jobs ran in {runners}"
    assert len(workers) >= 2, "only one backend worker answered"


def test_an_open_plan_shows_an_edit_made_on_any_worker(browser, production_app):
    """A stage added to the plan in one tab shows in the plan open in others, whichever
    worker serves each (two watching tabs: with several workers, likely another one's)."""
    app = production_app
    editor, *watchers = (_recruiters_board(browser, app.url) for _ in range(3))
    for page in (editor, *watchers):
        page.goto(page.url + "/plan")
        expect(page.locator(".plan-stage").first).to_be_visible()

    editor.get_by_label("New stage name").fill("Reference check")
    editor.get_by_role("button", name="Add stage").click()

    for page in watchers:
        expect(page.locator(".plan-stage[data-stage='Reference check']")).to_be_visible(timeout=3_000)
    for page in (editor, *watchers):
        page.context.close()


def test_a_board_whose_state_redis_lost_loads_again(browser, production_app):
    """Redis restarted without its data (or evicted a page's state): the open board must not
    turn into an endless spinner. Its watch finds the state empty and has the browser load
    the page again, which alone can (its cookie and URL)."""
    app = production_app
    page = _recruiters_board(browser, app.url)
    page.evaluate("() => { window.assayBeforeLoss = true }")
    token = page.evaluate("() => window.sessionStorage.getItem('token')")
    store = redis.Redis.from_url(REDIS)
    kept = list(store.scan_iter(f"{token}_*"))
    assert kept, "found no state of this tab in Redis"

    store.delete(*kept)

    try:  # the watch's next wake: a change in the job, or its catch-up within CATCH_UP_S
        page.wait_for_function("() => !window.assayBeforeLoss", timeout=25_000)
    except PlaywrightTimeout:
        pytest.fail(f"the page was not loaded again; it shows: {page.locator('body').inner_text()[-200:]!r}")
    expect(page.locator(".pipeline-column").first).to_be_visible()
    page.context.close()


def test_a_killed_scheduler_worker_is_replaced_and_another_takes_the_jobs_over(production_app):
    """SIGKILL (or the OOM killer) on the worker running the scheduled jobs: the app keeps
    serving, and the jobs go on in another worker (Granian's default stopped the whole app)."""
    app = production_app

    def latest_runner() -> str | None:
        rows = query_app(app.db_url, "SELECT runner FROM scheduledrun ORDER BY started_at DESC LIMIT 1")
        return rows[0] if rows else None

    # The app may be this test's own (pytest orders it apart from the walks sharing the module's
    # app when another walk comes between: CI213 met a fresh app, no job run yet).
    deadline = time.monotonic() + 60
    while (killed := latest_runner()) is None and time.monotonic() < deadline:
        time.sleep(1)
    assert killed is not None, "no scheduled job ran in the app's first minute"
    os.kill(int(killed.rsplit(":", 1)[1]), signal.SIGKILL)

    deadline = time.monotonic() + 60
    while (runner := latest_runner()) == killed and time.monotonic() < deadline:
        time.sleep(1)
    try:
        answer = httpx.get(f"{app.url}/api/health", timeout=5)
    except httpx.HTTPError as err:
        pytest.fail(f"the app stopped when its scheduler's worker was killed: {err!r}")
    assert answer.status_code == 200
    assert runner != killed, f"no scheduled job ran after {killed} was killed"
    leaders = app.log_path.read_text().count("this process runs the scheduled jobs")
    assert leaders == 2, f"{leaders} processes ran the scheduler: the first and the one after it"
