"""A vendor event reaching an open board, and the backend's memory with 20 boards open.

What it measures, in the real app (started like ``bench/board_browser.py`` starts it)
on the 10,000-application job of ``bench/board.py``:

- ``event_to_board_ms_median`` / ``_p95``: a candidate starts or submits a test at the
  vendor (the sandbox's control plays the candidate; the sandbox then posts its webhook
  to Assay, which re-fetches the attempt and applies it) until the card's chip on an
  open board in Chromium shows the new status (seen by a MutationObserver and timed
  with the page's clock against the moment the event was made). The board notices the
  change through the job's revision, which one watch per worker reads ten times a second
  for every open page (``dashboard/states/live.py``); every open board then reloads,
  so more boards on one machine (browser included) take longer. ``event_to_applied_ms_median`` is the part before the
  board: from the event until the attempt is seen started in the database.
- ``backend_rss_mb``: the resident memory of the app's process tree (every worker and
  the frontend server) once 20 browser pages hold the board open, beside
  ``backend_rss_idle_mb`` before any page is open.
- ``backend_idle_cpu_pct``: the CPU the app's process tree uses (percent of one core)
  while those pages stay open for 10 s and nothing changes: what keeping them live costs.

Run: ``.venv/bin/python bench/live.py [--events 12] [--boards 20]`` (about two minutes).
Prints ``key=value`` lines; medians of repeated events, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

DATA_DIR = pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-live-"))
os.environ["ASSAY_DATA_DIR"] = str(DATA_DIR)  # the app and this script share the master key
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import httpx  # noqa: E402
from benchlib import build_big_job, emit, free_port, percentile, serving  # noqa: E402
from board_browser import EMAIL, PASSWORD, private_checkout, running_app  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from dashboard.services import accounts, assessments, pipeline  # noqa: E402
from dashboard.services.actors import SYSTEM  # noqa: E402
from dashboard.services.integrations import webhook_url  # noqa: E402
from dashboard.settings import get_settings  # noqa: E402
from models import AssessmentAttempt, AttemptState, Integration, Role, get_engine, init_engine, new_session  # noqa: E402
from providers.sandbox.server import build_app  # noqa: E402
from tests.app_process import process_tree  # noqa: E402
from tests.chromium import EXECUTABLE, LAUNCH_ARGS  # noqa: E402

IDLE_S = 10  # how long the open boards are watched doing nothing, for backend_idle_cpu_pct

WAIT_FOR_CHIP = """
({name, label}) => new Promise((resolve, reject) => {
  const find = () => [...document.querySelectorAll(".pipeline-card")]
    .find(card => card.textContent.includes(name) && card.textContent.includes(label));
  if (find()) { resolve(Date.now()); return; }
  const observer = new MutationObserver(() => {
    if (find()) { observer.disconnect(); resolve(Date.now()); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error(`no ${label} for ${name}`)); }, 20000);
})
"""


def process_tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total = 0
    for pid in process_tree(root_pid):
        try:
            for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def process_tree_cpu_s(root_pid: int) -> float:
    """CPU time (user + system) used so far by a process and all its descendants."""
    ticks = 0
    for pid in process_tree(root_pid):
        try:
            fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def app_pid(port: int) -> int:
    """The pid of the reflex process listening on ``port`` (the root of the app's tree)."""
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(b"reflex" in part for part in cmd) and str(port).encode() in cmd:
                return int(entry.name)
    raise RuntimeError("the app's process was not found")


def applied_after(attempt_id: int) -> float:
    """When (epoch ms) the attempt was first seen started in the database (polled every 5 ms)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with new_session() as session:
            if session.get(AssessmentAttempt, attempt_id).state == AttemptState.STARTED:
                return time.time() * 1000
        time.sleep(0.005)
    raise TimeoutError(f"attempt {attempt_id} was not applied in 20 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=12)
    parser.add_argument("--boards", type=int, default=20)
    args = parser.parse_args()
    db_url = f"sqlite:///{DATA_DIR / 'assay.db'}"
    copy = pathlib.Path(tempfile.mkdtemp(prefix="assay-bench-app-"))
    latencies: list[float] = []
    applied_ms: list[float] = []
    try:
        big = build_big_job(db_url, args.applications)
        with new_session() as session:
            accounts.create_user(
                session=session, email=EMAIL, name="Bench Admin", role=Role.ADMIN, password=PASSWORD
            )
        get_engine().dispose()
        sandbox_port = free_port()
        with (
            serving(
                build_app(public_url=f"http://127.0.0.1:{sandbox_port}"),
                port=sandbox_port,
                probe="/_sandbox/stats",
            ) as sandbox_url,
            running_app(private_checkout(copy), sandbox_url, db_url) as url,
            sync_playwright() as playwright,
        ):
            settings = get_settings()
            settings.sandbox_url, settings.public_url = (
                sandbox_url,
                url,
            )  # the invitations' webhook goes to the app
            init_engine(db_url)
            with new_session() as session:  # the vendor's webhook points at the app, as connecting does
                hook = webhook_url(session.get(Integration, big.integration_id))
            httpx.post(f"{sandbox_url}/_sandbox/coderpad_screen/webhook", json={"url": hook}, timeout=10)
            port = int(url.rsplit(":", 1)[1])
            emit("backend_rss_idle_mb", process_tree_rss_mb(app_pid(port)))
            browser = playwright.chromium.launch(executable_path=EXECUTABLE, args=LAUNCH_ARGS)
            context = browser.new_context(viewport={"width": 1700, "height": 1000})
            pages = []
            for index in range(args.boards):
                page = context.new_page()
                page.set_default_timeout(30_000)
                if index == 0:
                    page.goto(f"{url}/sign-in")
                    page.get_by_label("Email").fill(EMAIL)
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(f"{url}/")
                page.goto(f"{url}/jobs/{big.job_id}")
                page.locator(".pipeline-card").first.wait_for()
                pages.append(page)
            time.sleep(3)
            emit("open_boards", len(pages))
            emit("backend_rss_mb", process_tree_rss_mb(app_pid(port)))
            cpu_before, idle_from = process_tree_cpu_s(app_pid(port)), time.monotonic()
            time.sleep(IDLE_S)
            idle_cpu = process_tree_cpu_s(app_pid(port)) - cpu_before
            emit("backend_idle_cpu_pct", 100 * idle_cpu / (time.monotonic() - idle_from))
            watcher = pages[0]
            control = httpx.Client(base_url=sandbox_url, timeout=10)
            for n in range(args.events):
                name = f"Live Event {n:03d}"
                with new_session() as session:
                    application = pipeline.add_application(
                        session=session,
                        job_id=big.job_id,
                        name=name,
                        email=f"live{n}@example.com",
                        actor=SYSTEM,
                    )
                    moved = pipeline.move_application(
                        session=session,
                        application_id=application.id,
                        stage_id=big.assessment_stage_id,
                        actor=SYSTEM,
                    )
                    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
                    vendor_id = session.get(AssessmentAttempt, moved.attempt_id).vendor_attempt_id
                watcher.evaluate(WAIT_FOR_CHIP, {"name": name, "label": "Sent"})
                watcher.evaluate(
                    "args => { window.seenAt = (" + WAIT_FOR_CHIP + ")(args); }",
                    {"name": name, "label": "Started"},
                )
                started_at = time.time() * 1000
                control.post(f"/_sandbox/coderpad_screen/attempts/{vendor_id}/start").raise_for_status()
                applied_ms.append(applied_after(moved.attempt_id) - started_at)
                latencies.append(watcher.evaluate("window.seenAt") - started_at)
            browser.close()
            get_engine().dispose()
    finally:
        shutil.rmtree(copy, ignore_errors=True)
        shutil.rmtree(DATA_DIR, ignore_errors=True)
    emit("events", len(latencies))
    emit("event_to_board_ms_p95", percentile(latencies, 0.95))
    emit("event_to_applied_ms_median", statistics.median(applied_ms))
    emit("event_to_board_ms_median", statistics.median(latencies))


if __name__ == "__main__":
    main()
