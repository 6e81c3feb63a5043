"""The pipeline board in Chromium, on a job of 10,000 applications: load, move a card, a trivial event.

What it measures, in the real app (``reflex run --env prod --single-port``, started as
tests/browser/conftest.py starts it) on a SQLite file pre-filled with the 10,000-card
job of ``bench/board.py`` and one admin user, signed in through /sign-in:

- ``board_load_ms``: navigation start to the board's five columns showing their cards
  (``page.goto`` of /jobs/<id>, timed in the page from its own time origin).
- ``move_ms``: a card's "Move to" menu is open; from the click on "Recruiter screen" to
  the card showing in the Recruiter screen column (the ``BoardState.move`` round trip:
  websocket event, permission check, ``pipeline.move_application``, the board re-read,
  the state delta, React rendering).
- ``trivial_ms``: from the click on a card's checkbox to the selection bar showing
  (``BoardState.toggle_selected``: the same websocket path and permission check, no
  service work), on the same page.

Both round trips are timed inside the page (click event to the DOM change, seen by a
MutationObserver), so Playwright's own latency is not in them; they alternate, ~15 of
each, and the medians are compared. ``move_ratio`` = move/trivial, goal <= 3.

The app runs from a private copy of the checkout (tracked and new files, plus the tests'
frontend build, ``.web-tests``) so that its build never races a test run's; pass
``--in-place`` to run it from the checkout itself as the browser tests do. Its scheduler
interval (``ASSAY_POLL_SECONDS``) is an hour, so no sweep runs during the measurement.

Run: ``.venv/bin/python bench/board_browser.py [--repeats 15] [--in-place] [--keep]`` (about a
minute; longer when the frontend must be built from nothing). Prints ``app_start_s=``,
``applications=``, ``board_load_ms=``, ``trivial_unselect_ms=``, ``move_server_ms=`` and
``trivial_server_ms=`` (websocket frame out to the delta back: the server's share),
``move_ms=``, ``trivial_ms=`` and last ``move_ratio=``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

DATA_DIR = pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-browser-"))
# The app and this script share the data dir: the master key that encrypts the connection's key.
os.environ["ASSAY_DATA_DIR"] = str(DATA_DIR)
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from benchlib import ROOT, build_big_job, emit, free_port, serving  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from dashboard.services import accounts  # noqa: E402
from models import Role, get_engine, new_session  # noqa: E402
from providers.sandbox.server import build_app  # noqa: E402
from tests.app_process import TEST_WEB_DIR, app_env, logged_errors, serving_app  # noqa: E402
from tests.chromium import EXECUTABLE, LAUNCH_ARGS  # noqa: E402

EMAIL, PASSWORD = "bench-admin@assay.test", "bench-password-1234"
SOURCE, TARGET, TRIVIAL_COLUMN = "Applied", "Recruiter screen", "Onsite"

# Runs before the app's scripts on every navigation: notes when all five columns show cards,
# and when the websocket sends and receives (to split a round trip into server and browser time).
BOARD_READY = """
(() => {
  window.__ws = {sent: [], received: []};
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => window.__ws.received.push(performance.now()));
    }
    send(data) { window.__ws.sent.push(performance.now()); return super.send(data); }
  };
  const ready = () => {
    const columns = document.querySelectorAll('.pipeline-column');
    return columns.length === 5 && [...columns].every(c => c.querySelector('.pipeline-card'));
  };
  const observer = new MutationObserver(() => {
    if (window.__boardReady === undefined && ready()) {
      window.__boardReady = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, {subtree: true, childList: true});
})();
"""

# Arms one measurement: t0 at the next click (capture phase), t1 when `condition` holds.
ARM = """
({kind, column, text}) => {
  const bench = window.__bench = {t0: null};
  const inColumn = () => [...document.querySelectorAll(`.pipeline-column[data-stage="${column}"] .pipeline-card`)]
    .some(card => card.textContent.includes(text));
  const conditions = {
    card: inColumn,
    bar: () => document.querySelector('.selection-bar') !== null,
    nobar: () => document.querySelector('.selection-bar') === null,
  };
  const condition = conditions[kind];
  document.addEventListener('click', () => { if (bench.t0 === null) bench.t0 = performance.now(); },
                            {capture: true, once: true});
  bench.done = new Promise((resolve, reject) => {
    const observer = new MutationObserver(() => {
      if (bench.t0 !== null && condition()) {
        const t1 = performance.now();
        observer.disconnect();
        // The event's frame is the first sent after the click; the delta the last received before t1.
        const sent = window.__ws.sent.find(t => t >= bench.t0);
        const received = window.__ws.received.filter(t => t <= t1).pop();
        const server = sent !== undefined && received !== undefined && received > sent ? received - sent : NaN;
        resolve({total: t1 - bench.t0, server});
      }
    });
    observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
    setTimeout(() => { observer.disconnect(); reject(new Error(`no ${kind} within 20 s`)); }, 20000);
  });
}
"""


def private_checkout(dest: pathlib.Path) -> pathlib.Path:
    """The working tree as it is now (tracked and new files) plus the tests' frontend build, under ``dest``.

    The build (its installed packages) is copied so the app starts without installing them
    again: the tests' own if they ran here, else ``make run``'s.
    """
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (dest / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name.decode())
    for build in [ROOT / TEST_WEB_DIR, ROOT / ".web"]:
        if build.is_dir():
            shutil.copytree(build, dest / TEST_WEB_DIR, symlinks=True, ignore_dangling_symlinks=True)
            break
    return dest


@contextlib.contextmanager
def running_app(cwd: pathlib.Path, sandbox_url: str, db_url: str):
    """The app as the browser tests start it, with no scheduled sweep during the measurement."""
    port = free_port()
    env = app_env(port=port, db_url=db_url, data_dir=DATA_DIR, sandbox_url=sandbox_url, poll_seconds=3600)
    log_path = DATA_DIR / "app.log"
    started = time.monotonic()
    with serving_app(port=port, env=env, log_path=log_path, cwd=cwd) as url:
        emit("app_start_s", time.monotonic() - started)
        yield url
    if errors := logged_errors(log_path):
        print("# the app logged errors:\n# " + "\n# ".join(errors[:10]), file=sys.stderr)


def column_cards(page, column: str):
    return page.locator(f".pipeline-column[data-stage='{column}'] .pipeline-card")


def measure(page, kind: str, action, *, column: str = "", text: str = "") -> tuple[float, float]:
    """(click to DOM change, websocket send to the delta's arrival) in ms."""
    page.evaluate(ARM, {"kind": kind, "column": column, "text": text})
    action()
    done = page.evaluate("window.__bench.done")
    return float(done["total"]), float(done["server"] if done["server"] is not None else "nan")


def board_load(page, url: str) -> float:
    page.goto(url)
    column_cards(page, "Offer").first.wait_for()
    page.wait_for_function("window.__boardReady !== undefined")
    return float(page.evaluate("window.__boardReady"))


def move_once(page) -> tuple[float, float]:
    card = column_cards(page, SOURCE).first
    name = card.get_by_role("link").inner_text()
    card.get_by_role("button", name="Move to").click()
    item = page.get_by_role("menuitem", name=TARGET, exact=True)
    item.wait_for()
    took = measure(page, "card", item.click, column=TARGET, text=name)
    page.get_by_role("menuitem").first.wait_for(state="detached")
    return took


def trivial_once(page) -> tuple[tuple[float, float], tuple[float, float]]:
    card = column_cards(page, TRIVIAL_COLUMN).first
    checkbox = card.get_by_role("checkbox")
    select = measure(page, "bar", checkbox.click)
    unselect = measure(page, "nobar", checkbox.click)
    return select, unselect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--in-place", action="store_true", help="run the app from the checkout itself")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders (logs, copy)")
    args = parser.parse_args()
    db_url = f"sqlite:///{DATA_DIR / 'assay.db'}"
    copy = None if args.in_place else pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-app-"))
    try:
        big = build_big_job(db_url, args.applications)
        with new_session() as session:
            accounts.create_user(
                session=session, email=EMAIL, name="Bench Admin", role=Role.ADMIN, password=PASSWORD
            )
        get_engine().dispose()
        cwd = private_checkout(copy) if copy else ROOT
        sandbox_port = free_port()
        sandbox = build_app(public_url=f"http://127.0.0.1:{sandbox_port}")
        with (
            serving(sandbox, port=sandbox_port, probe="/_sandbox/stats") as sandbox_url,
            running_app(cwd, sandbox_url, db_url) as url,
            sync_playwright() as playwright,
        ):
            browser = playwright.chromium.launch(executable_path=EXECUTABLE, args=LAUNCH_ARGS)
            context = browser.new_context(viewport={"width": 1700, "height": 1000})
            context.add_init_script(BOARD_READY)
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.goto(f"{url}/sign-in")
            page.get_by_label("Email").fill(EMAIL)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/")
            board_url = f"{url}/jobs/{big.job_id}"

            loads = [board_load(page, board_url) for _ in range(args.repeats + 1)][1:]  # first one warms up
            move_once(page), trivial_once(page)  # warm-up
            moves, selects, unselects = [], [], []
            for _ in range(args.repeats):
                select, unselect = trivial_once(page)
                selects.append(select)
                unselects.append(unselect)
                time.sleep(0.2)
                moves.append(move_once(page))
                time.sleep(0.2)
            browser.close()
    finally:
        if copy and not args.keep:
            shutil.rmtree(copy, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(DATA_DIR, ignore_errors=True)
        else:
            print(f"# kept {DATA_DIR} and {copy}", file=sys.stderr)
    move_ms, trivial_ms = statistics.median(m[0] for m in moves), statistics.median(s[0] for s in selects)
    emit("applications", big.applications)
    emit("board_load_ms", statistics.median(loads))
    emit("trivial_unselect_ms", statistics.median(u[0] for u in unselects))
    # Websocket frame out to the delta back: the server's share of each round trip.
    emit("move_server_ms", statistics.median(m[1] for m in moves))
    emit("trivial_server_ms", statistics.median(s[1] for s in selects))
    emit("move_ms", move_ms)
    emit("trivial_ms", trivial_ms)
    emit("move_ratio", move_ms / trivial_ms)


if __name__ == "__main__":
    main()
