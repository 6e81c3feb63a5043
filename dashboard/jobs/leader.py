"""Which process runs the scheduled jobs: exactly one, and another takes over if it dies.

PostgreSQL: a session-level advisory lock held on a dedicated connection; the
server frees it when the connection (or the process, or the host) goes away.
SQLite (one machine): a file lock, which the OS frees when the process dies.
"""

from __future__ import annotations

import logging
import pathlib

import sqlalchemy as sa
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x41535341  # "ASSA": any fixed 64-bit number shared by every Assay worker


class Leadership:
    """Try to become the leader; hold it until ``release`` or death."""

    def __init__(self, db_url: str, data_dir: pathlib.Path) -> None:
        self._db_url = db_url
        self._file = FileLock(data_dir / "scheduler.lock") if not db_url.startswith("postgresql") else None
        self._connection: sa.Connection | None = None
        self._engine: sa.Engine | None = None

    def try_acquire(self) -> bool:
        """True if this process is (now) the leader."""
        if self._file is not None:
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                return False
            return True
        if self._connection is not None:
            return True
        self._engine = self._engine or sa.create_engine(self._db_url, pool_size=1, max_overflow=0)
        connection = self._engine.connect()
        got = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        connection.commit()
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        """Give up leadership (on shutdown)."""
        if self._file is not None and self._file.is_locked:
            self._file.release()
        if self._connection is not None:
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self._connection.commit()
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
