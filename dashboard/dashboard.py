"""The Reflex app: pages, the webhook API, migrations and the scheduler at start."""

import contextlib
import logging

import reflex as rx
from filelock import FileLock

from dashboard.api.routes import build_api
from dashboard.components.toast_names import toaster
from dashboard.jobs.scheduler import run_scheduler
from dashboard.outage import backend_exception_handler
from dashboard.pages import (  # noqa: F401  (each module marks its page)
    PAGES,
    account,
    application,
    board,
    integrations,
    jobs,
    notifications,
    plan,
    queue,
    review,
    sign_in,
    team_settings,
    users,
)
from dashboard.services.integrations import (
    fingerprint_connections,
    reencrypt_connections,
    tidy_custom_addresses,
)
from dashboard.settings import get_settings
from models import init_engine, migrate, new_session

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
for chatty in ("alembic", "apscheduler", "httpx"):
    logging.getLogger(chatty).setLevel(logging.WARNING)

settings = get_settings()
init_engine(settings.db_url)


@contextlib.asynccontextmanager
async def migrate_database():
    """Apply migrations before serving; the lock keeps several workers from racing.

    Then each connection's secrets are encrypted again with the newest master key, where an
    older one encrypted them, and each gets its account's fingerprint, where it has none or the
    master key was rotated: keyed by the master key, which the migrations do not have.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(settings.data_dir / "migrate.lock"):
        migrate(settings.db_url)
        with new_session() as session:
            reencrypt_connections(session)
            tidy_custom_addresses(session)
            fingerprint_connections(session)
    yield


app = rx.App(
    api_transformer=build_api(),
    stylesheets=["/assay.css"],
    backend_exception_handler=backend_exception_handler,
    toaster=toaster(),
)
for render, options in PAGES:
    app.add_page(render, **options)
app.register_lifespan_task(migrate_database)
app.register_lifespan_task(run_scheduler)
