"""An event that fails because the database or Redis is away tells the user so, in words."""

import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# In a process of its own: importing the app points the process-wide engine at its database.
PROBE = """
import json, socket, sqlalchemy as sa, redis
from dashboard.dashboard import app
with socket.socket() as free:
    free.bind(("127.0.0.1", 0)); port = free.getsockname()[1]  # nothing listens there
def failure(thunk):
    try:
        thunk()
    except Exception as err:
        return err
away = [
    failure(lambda: sa.create_engine(f"postgresql+psycopg://a:b@127.0.0.1:{port}/a").connect()),
    failure(lambda: redis.Redis(port=port).ping()),
    ValueError("a bug"),
]
print(json.dumps([str(app.backend_exception_handler(err)) for err in away]))
"""


def test_an_event_failing_while_the_database_or_redis_is_away_says_so(tmp_path):
    env = {
        **os.environ,
        "REFLEX_DB_URL": f"sqlite:///{tmp_path / 'assay.db'}",
        "ASSAY_DATA_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "REFLEX_ENV_MODE": "prod",  # as `reflex run --env prod`: no exception text for the user
    }
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    database, sessions, bug = json.loads(done.stdout.strip().splitlines()[-1])

    assert "The database is not answering right now" in database, database[:300]
    assert "session store (Redis)" in sessions, sessions[:300]
    assert "An error occurred." in bug and "Contact the website administrator." in bug  # a bug stays one
