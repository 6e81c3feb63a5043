"""The demo data `make run` seeds: a fresh database meets a fresh sandbox, however old the sandbox's file."""

import pathlib
import sqlite3
import subprocess
import sys

from tests.app_process import app_env
from tests.http_server import free_port
from tests.sandbox_server import running_sandbox

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _seed(data_dir: pathlib.Path, sandbox_url: str) -> pathlib.Path:
    database = data_dir / "assay.db"
    env = app_env(
        port=free_port(),
        db_url=f"sqlite:///{database}",
        data_dir=data_dir,
        sandbox_url=sandbox_url,
        poll_seconds=30,
    )
    subprocess.run([sys.executable, "scripts/seed_demo.py"], cwd=ROOT, env=env, check=True, timeout=120)
    return database


def test_a_fresh_database_is_seeded_against_a_sandbox_that_kept_an_earlier_demo(tmp_path):
    """Deleting the database to start the demo afresh once failed: the sandbox, which keeps its own
    file, still held the earlier demo's invitations, and HackerRank refused the same candidates again."""
    with running_sandbox(state_file=str(tmp_path / "sandbox.json")) as sandbox_url:
        (tmp_path / "first").mkdir()
        _seed(tmp_path / "first", sandbox_url)
        (tmp_path / "again").mkdir()
        database = _seed(tmp_path / "again", sandbox_url)

    with sqlite3.connect(database) as db:
        states = dict(db.execute("SELECT state, count(*) FROM assessmentattempt GROUP BY state").fetchall())
    assert "error" not in states
    assert states.get("reviewed", 0) > 0 and states.get("started", 0) > 0
