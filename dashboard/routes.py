"""Every route of the dashboard, and builders for links to them."""

import contextvars

# The route of the page being drawn (``pages.page``): the navigation marks the section it is in.
DRAWING: contextvars.ContextVar[str] = contextvars.ContextVar("drawing", default="")

HOME = "/"
QUEUE = "/queue"
NOTIFICATIONS = "/notifications"
INTEGRATIONS = "/integrations"
USERS = "/users"
SETTINGS = "/settings"
SIGN_IN = "/sign-in"
ACCOUNT = "/account"  # change my password
BOARD = "/jobs/[job_id]"
PLAN = "/jobs/[job_id]/plan"
REVIEW = "/jobs/[job_id]/review"
APPLICATION = "/applications/[application_id]"

# The API route the sign-in page trades its one-time code at for the session's HttpOnly cookie
# (POST), and sign-out ends it at (DELETE); the cookie's name is ``settings.session_cookie``'s.
SESSION_API = "/api/session"


def board(job_id: int | str) -> str:
    """The pipeline board of one job."""
    return f"/jobs/{job_id}"


def application(application_id: int | str) -> str:
    """One application's page."""
    return f"/applications/{application_id}"
