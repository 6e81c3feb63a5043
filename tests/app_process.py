"""Run the real app (`reflex run --env prod --single-port`) on a free port, for browser tests and benchmarks.

One way to start and stop Assay outside `make run`: wait until the page and the
health check answer, stop it with SIGINT (SIGKILL if it hangs), and read what it
logged so the caller can insist on no errors.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import signal
import socket
import subprocess
import time
from collections.abc import Iterator

import httpx

ROOT = pathlib.Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Relative to the directory the app starts in. Each pytest process running browser tests side by
# side (scripts/test.sh) builds in a folder of its own: a build's settings name its serving port.
TEST_WEB_DIR = os.environ.get("ASSAY_TEST_WEB_DIR", ".web-tests")


def app_env(*, port: int, db_url: str, data_dir: pathlib.Path, sandbox_url: str, poll_seconds: float) -> dict:
    """The environment `make run` would give the app, pointed at this database, data dir and sandbox."""
    env = {
        **os.environ,
        "REFLEX_DB_URL": db_url,
        "ASSAY_DATA_DIR": str(data_dir),
        "ASSAY_SANDBOX_URL": sandbox_url,
        "ASSAY_PUBLIC_URL": f"http://localhost:{port}",
        "ASSAY_POLL_SECONDS": str(poll_seconds),
        "REFLEX_BUN_PATH": str(ROOT / ".tools/node_modules/.bin/bun"),
        # A frontend build of its own (built for this port): `make run` serving from `.web`
        # in the same checkout keeps working while the tests run.
        "REFLEX_WEB_WORKDIR": TEST_WEB_DIR,
        # Its own disk states, not the checkout's `.states`: two apps starting at once (the test
        # suite's shares) purged each other's expired files there.
        "REFLEX_STATES_WORKDIR": str(data_dir / "states"),
    }
    env.pop("REFLEX_REDIS_URL", None)
    return env


def process_tree(root_pid: int) -> list[int]:
    """A process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in pathlib.Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


# Warnings we fix rather than live with: a page added twice, an API in use that is going away.
WARNINGS_TO_FIX = ("is being redefined", "DeprecationWarning")


# Errors a walk causes on purpose: engineio's word for a websocket another site's page opens
# (tests/browser/test_sign_in_page.py, which checks it is refused).
ERRORS_MADE_ON_PURPOSE = ("is not an accepted origin",)


def logged_errors(log_path: pathlib.Path) -> list[str]:
    """Lines of the app's log that report an error, a traceback, or a warning to fix."""
    return [
        line
        for line in log_path.read_text().splitlines()
        if (" ERROR " in line or "Traceback" in line or any(warning in line for warning in WARNINGS_TO_FIX))
        and not any(made in line for made in ERRORS_MADE_ON_PURPOSE)
    ]


def answers(url: str, timeout: float = 5) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_serving(process: subprocess.Popen, url: str, log_path: pathlib.Path) -> None:
    """Wait until Assay at ``url`` answers its health check and its page (five minutes at most).

    Raises:
        RuntimeError: ``process`` exited, or did not answer in time (with its log's tail).
    """
    deadline = time.monotonic() + 300
    while not (answers(f"{url}/api/health", timeout=2) and answers(url)):
        if process.poll() is not None:
            raise RuntimeError(f"Assay exited early:\n{log_path.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Assay did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(1)


@contextlib.contextmanager
def serving_app(*, port: int, env: dict, log_path: pathlib.Path, cwd: pathlib.Path = ROOT) -> Iterator[str]:
    """Start the app from ``cwd`` with ``env``, yield its URL once it answers, stop it afterwards.

    Raises:
        RuntimeError: The app exited or did not answer within five minutes (with its log's tail).
    """
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--backend-port",
                str(port),
                "--frontend-port",
                str(port),
                "--loglevel",
                "info",
            ],
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        wait_until_serving(process, url, log_path)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
