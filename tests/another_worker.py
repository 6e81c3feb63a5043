"""Another backend worker, in a process of its own: what production's workers share is the
database and Redis, nothing in memory. Run with ``multiprocessing``'s spawn context."""

from __future__ import annotations

import os


def drain_inbox(settings: dict[str, str], integration_id: int, ready) -> int:
    """This worker's webhook applier draining the connection's inbox, once ``ready`` lets every worker go."""
    os.environ.update(settings)
    from dashboard.services import webhooks
    from models import init_engine, new_session

    init_engine(settings["REFLEX_DB_URL"])
    ready.wait()
    with new_session() as session:
        return webhooks.apply_pending(session=session, integration_id=integration_id)
