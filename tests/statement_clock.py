"""When each thread's statement running now began, for ``conftest.a_colleague_meanwhile``.

Its own module, not conftest's: pytest loads tests/conftest.py as ``conftest`` while the tests
import it as ``tests.conftest``, two copies, each with its own state; the ``db`` fixture of one
started the clock that the other's race helper read (and found empty).
"""

import threading
import time

import sqlalchemy as sa

_BEGAN: dict[int, float] = {}  # by thread: when its statement running now began


def _began(*_args) -> None:
    _BEGAN[threading.get_ident()] = time.monotonic()


def _ended(*_args) -> None:
    _BEGAN.pop(threading.get_ident(), None)


def start(engine: sa.Engine) -> None:
    """Time every statement on ``engine``, once per engine (kept across tests), from the main
    thread between tests: SQLAlchemy's listeners may not be added or removed while another thread
    runs them (a colleague's own did, mid-race: helper-150)."""
    if not sa.event.contains(engine, "before_cursor_execute", _began):
        sa.event.listen(engine, "before_cursor_execute", _began)
        sa.event.listen(engine, "after_cursor_execute", _ended)
        sa.event.listen(engine, "handle_error", _ended)


def running_for(thread: threading.Thread) -> float:
    """Seconds ``thread`` has been in the statement it runs now (0 between statements)."""
    began = _BEGAN.get(thread.ident or 0)  # read once: that thread moves it
    return 0.0 if began is None else time.monotonic() - began
