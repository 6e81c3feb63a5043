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


def connect_screen(settings: dict[str, str], name: str, api_key: str) -> None:
    """This worker connecting a CoderPad Screen account (killed meanwhile, in the test that runs it)."""
    os.environ.update(settings)
    from dashboard.services.integrations import connect
    from models import init_engine, new_session

    init_engine(settings["REFLEX_DB_URL"])
    with new_session() as session:
        connect(
            session=session,
            vendor="coderpad_screen",
            name=name,
            region="sandbox",
            custom_base_url="",
            api_key=api_key,
        )
