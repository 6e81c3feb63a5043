"""`make run`, the README's first command, started as a developer would: its script, on ports of
its choosing, with the demo data it loads, stopped by Ctrl-C with its sandbox.

The ports move because 3000 or 8700 may be another program's; the data dir keeps this run's
demo database and sandbox state out of the checkout's `.assay`.
"""

import os
import signal
import subprocess
import time

import pytest
from playwright.sync_api import expect

from tests.app_process import ROOT, TEST_WEB_DIR, answers, free_port, wait_until_serving
from tests.browser.steps import DEMO_PASSWORD, sign_in_on

pytestmark = [pytest.mark.browser, pytest.mark.own_app]


def test_make_run_serves_the_demo_on_the_ports_asked_and_stops_on_ctrl_c(page, tmp_path, shoot):
    port, sandbox_port = free_port(), free_port()
    output = tmp_path / "make-run.out"
    env = {
        **os.environ,
        "ASSAY_PORT": str(port),
        "ASSAY_SANDBOX_PORT": str(sandbox_port),
        "ASSAY_DATA_DIR": str(tmp_path / "data"),
        "REFLEX_WEB_WORKDIR": TEST_WEB_DIR,  # the tests' frontend build, not the developer's .web
    }
    for name in ("REFLEX_DB_URL", "REFLEX_REDIS_URL", "ASSAY_SANDBOX_URL", "ASSAY_PUBLIC_URL"):
        env.pop(name, None)
    with open(output, "wb") as out:
        process = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://localhost:{port}"
    try:
        wait_until_serving(process, url, output)
        printed = output.read_text()
        assert f"Assay is starting on {url}" in printed
        assert f"The vendor sandbox (candidate test pages) is on http://localhost:{sandbox_port}." in printed
        assert DEMO_PASSWORD in printed  # the README says make run prints it
        assert (tmp_path / "data" / "assay.db").exists() and (tmp_path / "data" / "sandbox.json").exists()

        sign_in_on(page, url, "recruiter@assay.test", DEMO_PASSWORD)
        expect(page.get_by_role("link", name="Backend Engineer").first).to_be_visible()
        shoot("make-run-jobs")
    finally:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal reaches the whole group
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    deadline = time.monotonic() + 10
    while answers(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not answers(f"http://127.0.0.1:{sandbox_port}/_sandbox/stats"), "the sandbox outlived Ctrl-C"
    assert not answers(f"{url}/api/health"), "Assay outlived Ctrl-C"
    assert "Traceback" not in output.read_text()
