"""The database engine, sessions, and migrations applied at start.

SQLite by default (one file, nothing to install); PostgreSQL when the URL says so.
The same Alembic scripts in ``migrations/`` run on both.
"""

from __future__ import annotations

import pathlib

import sqlalchemy as sa
from sqlmodel import Session

_engine: sa.Engine | None = None
_engines: dict[str, sa.Engine] = {}
# A statement that fails is logged without its values: a sign-in's write carries the password's
# hash, and a database locked or gone mid-write put it in the log (helper-135).
_QUIET = {"hide_parameters": True}
_MIGRATIONS = pathlib.Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web workers read while the scheduler writes; the busy timeout
    # makes concurrent writers wait for each other instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: no corruption on a crash,
    # at worst the last commits before a power cut are lost (webhooks are re-sent or polled).
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's own lower() folds ASCII letters only, so the outbox's search for "élodie" missed the
    # email about Élodie: Python's, as PostgreSQL's, folds all. (Names and titles are searched in
    # their folded columns, ``models.folded``, accents aside too.)
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def init_engine(url: str) -> sa.Engine:
    """Make the engine for ``url`` the process-wide one, the last one's pooled connections closed.

    An engine is made once per URL and kept: SQLAlchemy keeps each statement's compiled SQL in its
    engine, and a test run that made one per test compiled every statement again, most of the
    SQL's cost (1,922 statements compiled and 1,080 found compiled in test_attempt_actions.py).
    Its connections are opened afresh, so a database file copied over the URL's is read as new.
    """
    global _engine
    if _engine is not None:
        _engine.dispose()
    if url not in _engines:
        _engines[url] = _new_engine(url)
    _engine = _engines[url]
    return _engine


def _new_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 10}, **_QUIET)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **_QUIET)


def get_engine() -> sa.Engine:
    """The engine made by ``init_engine``."""
    if _engine is None:
        raise RuntimeError("init_engine() has not been called")
    return _engine


def new_session() -> Session:
    """A new session; use it as a context manager and commit explicitly."""
    return Session(get_engine(), expire_on_commit=False)


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to the newest schema (Alembic ``upgrade head``).

    An earlier ``revision`` is for tests of a data migration, which start from the one before it.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, revision)
