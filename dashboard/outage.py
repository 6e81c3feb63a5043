"""What a user is told when an event fails because the database or Redis is away for a moment.

Reflex answers any exception in an event with "An error occurred. Contact the website
administrator." and a traceback in the log. A database restart or a Redis blip is no
bug to report: the user is told what happened and to try again, and the log gets one
line. Anything else still goes to Reflex's handler.
"""

import logging

import redis.exceptions
import reflex as rx
import sqlalchemy as sa
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

log = logging.getLogger(__name__)

DATABASE_AWAY = "The database is not answering right now, so this did not go through. Try again in a moment."
SESSIONS_AWAY = (
    "Assay lost touch with its session store (Redis) for a moment, so this did not go through. "
    "Try again in a moment."
)


def _cause(exception: BaseException) -> str | None:
    """Which service the exception (or one it came from) says is unreachable, if any."""
    seen: set[int] = set()
    current: BaseException | None = exception
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sa.exc.OperationalError | sa.exc.DisconnectionError) or (
            isinstance(current, sa.exc.DBAPIError) and current.connection_invalidated
        ):
            return DATABASE_AWAY
        if isinstance(current, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
            return SESSIONS_AWAY
        current = current.__cause__ or current.__context__
    return None


def backend_exception_handler(exception: Exception) -> EventSpec:
    """The app's ``backend_exception_handler``: an outage in words, the rest as Reflex does."""
    message = _cause(exception)
    if message is None:
        return default_backend_exception_handler(exception)
    log.warning("an event failed while a service was away: %s: %s", type(exception).__name__, exception)
    return rx.toast.error(message, id="service_away", position="top-center")
