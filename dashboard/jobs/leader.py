"""Which process runs the scheduled jobs: exactly one, and another takes over if it dies.

PostgreSQL: a session-level advisory lock held on a dedicated connection; the
server frees it when the connection (or the process, or the host) goes away. TCP
keepalives make the server notice a dead host within about a minute, not hours. A
leader whose connection was cut (a database restart, a network blip) has lost the
lock, perhaps to another worker already: ``still_leading`` says so, and the
scheduler pauses until this process wins the lock again.
SQLite (one machine): a file lock, which the OS frees when the process dies.
"""

from __future__ import annotations

import logging
import pathlib

import sqlalchemy as sa
from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x41535341  # "ASSA": any fixed 64-bit number shared by every Assay worker
# libpq's keepalives: a silent peer is given up after 30 + 3 x 10 s.
_KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}


class Leadership:
    """Try to become the leader; hold it until ``release`` or death."""

    def __init__(self, db_url: str, data_dir: pathlib.Path) -> None:
        self._db_url = db_url
        self._file = (
            FileLock(data_dir / "scheduler.lock", thread_local=False)
            if not db_url.startswith("postgresql")
            else None
        )
        self._connection: sa.Connection | None = None
        self._engine: sa.Engine | None = None

    def try_acquire(self) -> bool:
        """True if this process is (now) the leader.

        Raises:
            sqlalchemy.exc.DBAPIError: The database could not be asked (restarting, unreachable).
        """
        if self._file is not None:
            if self._file.is_locked:
                return True
            try:
                self._file.acquire(timeout=0)
            except Timeout:
                return False
            return True
        if self._connection is not None:
            return True
        self._engine = self._engine or sa.create_engine(
            self._db_url, pool_size=1, max_overflow=0, connect_args=_KEEPALIVES, hide_parameters=True
        )
        connection = self._engine.connect()
        try:
            got = connection.execute(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar()
            connection.commit()
        except BaseException:
            # Back to the pool (dropped there if the server cut it): kept checked out, the
            # engine's only connection would make every later try wait for it in vain.
            connection.close()
            raise
        if got:
            self._connection = connection
            return True
        connection.close()
        return False

    def still_leading(self) -> bool:
        """Whether the lock is still this process's: False once its connection is gone."""
        if self._file is not None:
            # The OS holds the lock for the whole process until it is released or dies; the
            # lock is made process-wide (not filelock's default, per thread): checks run on other threads.
            return self._file.is_locked
        if self._connection is None:
            return False
        try:
            self._connection.execute(sa.text("SELECT 1"))
            self._connection.commit()
        except sa.exc.DBAPIError:
            log.warning("the scheduler's lock connection was lost; another worker may lead now")
            self._connection.invalidate()
            self._connection.close()
            self._connection = None
            return False
        return True

    def release(self) -> None:
        """Give up leadership (on shutdown)."""
        if self._file is not None and self._file.is_locked:
            self._file.release(force=True)
        if self._connection is not None:
            self._connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self._connection.commit()
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
