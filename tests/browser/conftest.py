"""The real app for browser tests: `reflex run --env prod` on a free port, Debian's Chromium.

The app gets its own SQLite file and data dir, the demo data (loaded through the
same seed script as `make run`), and the sandbox from the root conftest.
"""

import contextlib
import dataclasses
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest
from playwright.sync_api import expect

from tests import chromium
from tests.app_process import ROOT, app_env, free_port, logged_errors, serving_app
from tests.browser.steps import DEMO_PASSWORD, sign_in_on
from tests.sandbox_server import running_sandbox

SCREENSHOTS = ROOT / "artifacts" / "screenshots"
WAIT_MS = 20_000
"""How long a walk waits for the page: a click, a fill, and an assertion alike. Four test processes
share CI's two cores; an assertion's own default, 5 s, once ran out there before the users page drew
a hundred people that take half a second on an idle machine."""
expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Debian's Chromium, with the flags this closed network needs (tests/chromium.py)."""
    return {"executable_path": chromium.EXECUTABLE, "args": chromium.LAUNCH_ARGS}


@pytest.fixture(scope="session")
def browser_sandbox_url():
    """A sandbox of the browser tests' own: the app's scheduler polls it all session long,
    so sharing one with the service tests would let it eat their injected faults."""
    with running_sandbox() as url:
        yield url


@dataclasses.dataclass
class RunningApp:
    """A started Assay: where it answers, its log, its sandbox and database."""

    url: str
    log_path: pathlib.Path
    sandbox_url: str
    db_url: str


# How often the walks' apps sweep their vendors and run their mail and reminder jobs: often enough
# that a walk waiting on a sweep waits seconds, not the default's 30; not every 2 s as before, when
# each of make test's four apps spent a tenth of a core on it (its own and its sandbox's, the
# sandbox in the same process as the walks' Playwright), 3% at 30 s.
POLL_SECONDS = 5


@contextlib.contextmanager
def running_app(sandbox_url: str, *, db_url: str | None = None, redis_url: str | None = None):
    """Start Assay as `make run` does (demo data seeded through the services), stop it afterwards.

    The app must not log an ERROR, a traceback, or a warning to fix while it runs.
    """
    data_dir = pathlib.Path(tempfile.mkdtemp(prefix="assay-browser-"))
    port = free_port()
    db_url = db_url or f"sqlite:///{data_dir / 'assay.db'}"
    env = app_env(
        port=port, db_url=db_url, data_dir=data_dir, sandbox_url=sandbox_url, poll_seconds=POLL_SECONDS
    )
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    subprocess.run([sys.executable, "scripts/seed_demo.py"], cwd=ROOT, env=env, check=True)
    log_path = data_dir / "app.log"
    with serving_app(port=port, env=env, log_path=log_path) as url:
        yield RunningApp(url, log_path, sandbox_url, db_url)
    errors = logged_errors(log_path)
    assert not errors, f"the app logged errors (its data is kept in {data_dir}):\n" + "\n".join(errors[:20])
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_app(browser_sandbox_url) -> RunningApp:
    """Assay on its embedded default (SQLite, one worker), for the whole browser session."""
    with running_app(browser_sandbox_url) as app:
        yield app


@pytest.fixture(scope="session")
def app_url(demo_app) -> str:
    return demo_app.url


@pytest.fixture
def page(page):
    """pytest-playwright's page, waiting WAIT_MS for what a walk does to it."""
    page.set_default_timeout(WAIT_MS)
    return page


@pytest.fixture
def shoot(page):
    """Save a named full-page screenshot under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, target=None, *, full_page: bool = True) -> pathlib.Path:
        path = SCREENSHOTS / f"{name}.png"
        target = target or page
        if hasattr(target, "context"):  # a page (a locator shoots just itself)
            target.screenshot(path=path, full_page=full_page, animations="disabled")
        else:
            target.screenshot(path=path, animations="disabled")
        return path

    return take


@pytest.fixture
def sign_in(page, app_url):
    """Sign in through the sign-in page as one of the demo users."""

    def as_user(email: str = "admin@assay.test", password: str = DEMO_PASSWORD) -> None:
        sign_in_on(page, app_url, email, password)

    return as_user
