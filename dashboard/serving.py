"""How the production server treats a backend worker that dies: it starts a new one.

Reflex runs its backend workers under Granian, whose supervisor by default stops the
whole app when one worker exits unexpectedly (a SIGKILL, the OOM killer, a segfault).
Every open page lost its server then, and the scheduled jobs stopped with them, though
the scheduler's lock is built to move to another worker. Reflex builds the Granian
server itself and offers no setting for this, so the supervisor's default is changed
here, in the process that reads ``rxconfig.py`` before it starts the workers. Granian
still gives up on a worker that dies again within seconds of its restart (a crash loop).
"""

from __future__ import annotations

import functools


def respawn_failed_workers() -> None:
    """Make Granian servers started in this process replace workers that die (idempotent)."""
    try:
        from granian.server.common import AbstractServer
    except ImportError:  # Reflex serving with Uvicorn/Gunicorn, which replaces dead workers itself
        return
    original = AbstractServer.__init__
    if getattr(original, "assay_respawns", False):
        return

    @functools.wraps(original)
    def init(self, *args, **kwargs):
        kwargs.setdefault("respawn_failed_workers", True)
        original(self, *args, **kwargs)

    init.assay_respawns = True
    AbstractServer.__init__ = init
