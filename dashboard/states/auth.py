"""Signing in and out, and the permission check every event handler goes through.

``@requires(Permission.X)`` wraps a handler: it resolves the session cookie to a
user on the server, refuses (a redirect to sign-in, or an error toast) before the
handler's body runs, and makes the user available to the body as ``current_user()``.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import json
from collections.abc import Callable
from urllib.parse import urlencode

import reflex as rx
from starlette.requests import cookie_parser

from dashboard.routes import SESSION_API, SIGN_IN
from dashboard.services import accounts
from dashboard.services import secrets as vault
from dashboard.services.actors import Actor
from dashboard.services.actors import user as user_actor
from dashboard.services.errors import UserError
from dashboard.services.permissions import GRANTS, Permission, PermissionDenied, SignedInUser, require
from dashboard.settings import from_assays_pages, get_settings, session_cookie
from dashboard.states.common import in_session
from dashboard.states.unread import UnreadState
from models import Role

_current: contextvars.ContextVar[SignedInUser | None] = contextvars.ContextVar("assay_user", default=None)


def current_user() -> SignedInUser:
    """The user the running handler was allowed for (only inside a ``@requires`` handler)."""
    user = _current.get()
    if user is None:
        raise RuntimeError("current_user() outside a @requires handler")
    return user


def acting_user() -> Actor:
    """The running handler's user, as the actor recorded in history."""
    user = current_user()
    return user_actor(user.id, user.name)


# A full load of the page under a new client token, so the next person on this tab starts afresh:
# Reflex keeps each page's state (a queue search, a board selection) per tab, and would otherwise
# show one user's choices to the next. The session cookie carries the sign-in.
_FRESH_PAGE = "sessionStorage.clear(); window.location.assign({path});"


def with_the_cookie(code: str, then: str | None, refused: Callable) -> rx.event.EventSpec:
    """The browser trades a one-time ``code`` (``accounts.hand_off``) for the session's HttpOnly
    cookie (``POST /api/session``), then loads ``then`` afresh (None: stays). A refusal's words,
    or a failure to reach Assay, go to the event handler ``refused``."""
    ask = {
        "method": "POST",
        "credentials": "same-origin",
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"code": code}),
    }
    after = _FRESH_PAGE.format(path=json.dumps(then)) if then else ""
    # Words for a refusal whatever its body (a proxy's error page, JSON without a message).
    not_kept = json.dumps("Assay could not keep you signed in: sign in again.")
    unreachable = json.dumps(
        "Assay could not be reached to keep you signed in: check your connection, then sign in again."
    )
    return rx.call_script(
        f"fetch({json.dumps(SESSION_API)}, {json.dumps(ask)}).then("
        f'r => {{ if (r.ok) {{ {after} return ""; }} '
        f"return r.json().then(j => (j && j.message) || {not_kept}, () => {not_kept}); }}, "
        f"() => {unreachable})",
        callback=refused,
    )


def _without_the_cookie(then: str) -> rx.event.EventSpec:
    """The browser has the session's cookie taken off (``DELETE /api/session``), then loads ``then`` afresh."""
    return rx.call_script(
        f'fetch({json.dumps(SESSION_API)}, {{method: "DELETE", credentials: "same-origin"}})'
        f".catch(() => null).then(() => {{ {_FRESH_PAGE.format(path=json.dumps(then))} }})"
    )


def _to_sign_in(url) -> rx.event.EventSpec:
    """A signed-out tab goes to sign in by a full load: its connection, opened with a cookie
    since ended, would take a cookie set in another tab meanwhile for none (the sign-in page
    showed its form to a browser signed in again elsewhere)."""
    return rx.call_script(f"window.location.assign({json.dumps(_sign_in_for(url))})")


def _sign_in_for(url) -> str:
    """The sign-in page, told which page (path and query) the visitor opened, to bring them back
    to it: a bookmarked /integrations or a colleague's queue link otherwise led to the jobs page."""
    back = url.path.rstrip("/") + (f"?{url.query}" if url.query else "")
    if back in ("", SIGN_IN):
        return SIGN_IN
    return f"{SIGN_IN}?{urlencode({'next': back})}"


def _page_asked_for(url) -> str:
    """Where to go once signed in: the page the sign-in was asked from, if it is a page of this
    site (a path, never another site's address, however it is written), else the jobs page.

    No space or control character at all: a browser drops a tab or a line break from an address,
    so "/<tab>/evil.example" passed the checks below as a path and led to evil.example (helper-113).
    """
    back = url.query_parameters.get("next", "")
    if any(c.isspace() or not c.isprintable() for c in back):
        return "/"
    if back.startswith("/") and not back.startswith("//") and "\\" not in back:
        return back
    return "/"


class AuthState(rx.State):
    """The signed-in user's name, role and id for the layout, read from the session cookie.

    The cookie is HttpOnly: set and taken off by ``/api/session``, read here from the headers of
    the page's websocket connection (which Reflex keeps on the server), never seen by a script.
    The id is no secret (it is in every page's links): the users page marks the admin's own row
    by it, whose Deactivate would only answer "You cannot deactivate yourself." once clicked.
    """

    # The session's new token after a password change, for the connection the change was made
    # on (``_renewed_on``), opened with the cookie before it: any later one carries the new cookie.
    # Encrypted, as every secret Assay keeps: the state is stored (in Redis, or on disk), and this
    # token signs in for twelve hours (helper-154: kept plain, a copy of Redis could).
    _renewed_token: str = ""
    _renewed_on: str = ""
    user_name: str = ""
    user_role: str = ""
    user_id: int = 0
    sign_in_error: str = ""
    signing_in: bool = False

    @rx.var
    def can_manage_pipeline(self) -> bool:
        """Whether to show the buttons that move candidates and send tests (their handlers check again)."""
        return self._grants(Permission.MANAGE_PIPELINE)

    @rx.var
    def can_manage_integrations(self) -> bool:
        """Whether to show the integrations page's connections and controls (its handlers check again)."""
        return self._grants(Permission.MANAGE_INTEGRATIONS)

    @rx.var
    def can_manage_users(self) -> bool:
        """Whether to show the users page's invite form and controls (its handlers check again)."""
        return self._grants(Permission.MANAGE_USERS)

    @rx.var
    def can_manage_settings(self) -> bool:
        """Whether to show the settings page's form (its handlers check again)."""
        return self._grants(Permission.MANAGE_SETTINGS)

    def _grants(self, permission: Permission) -> bool:
        return bool(self.user_role) and permission in GRANTS[Role(self.user_role)]

    def _session_token(self) -> str:
        """The session token this tab acts under: its cookie, as its connection was opened with it.
        None ("") for a connection another site's page opened (``cors_allowed_origins`` refuses it;
        this holds where that list was widened to "*"): its browser sends the cookie all the same."""
        if self._renewed_token and self._renewed_on == self.router.session.session_id:
            return vault.readable(self._renewed_token) or ""  # the master key gone: signed out
        headers = self.router.headers
        if headers.origin and not from_assays_pages(headers.origin):
            return ""
        return cookie_parser(headers.cookie).get(session_cookie(get_settings().public_url), "")

    def _renewed(self, token: str) -> None:
        """This connection acts under ``token`` from now on (a password change renewed the session)."""
        self._renewed_token, self._renewed_on = vault.encrypt(token), self.router.session.session_id

    async def _resolve(self) -> SignedInUser | None:
        """The user behind this browser's session cookie, checked against the database now."""
        token = self._session_token()
        return await in_session(lambda s: accounts.signed_in_user(session=s, token=token))

    @rx.event
    async def guard_page(self):
        """Every protected page's first on_load: signed-out visitors go to sign in; the navigation
        gets the user's name, role and unread notifications."""
        user = await self._resolve()
        if user is None:
            self.user_name = self.user_role = ""
            self.user_id = 0
            return _to_sign_in(self.router.url)
        self.user_name, self.user_role, self.user_id = user.name, user.role.value, user.id
        await (await self.get_state(UnreadState))._recount(user)

    @rx.event
    async def leave_sign_in(self):
        """The sign-in page's on_load: someone signed in already (a bookmark, Back) goes on to the
        page it names, or the jobs page, instead of a form asking them to sign in again."""
        user = await self._resolve()
        if user is not None:
            self.user_name, self.user_role, self.user_id = user.name, user.role.value, user.id
            return rx.redirect(_page_asked_for(self.router.url))
        return None

    @rx.event
    async def sign_in(self, form: dict):
        """Check the email and password; start a session that expires by itself."""
        self.signing_in, self.sign_in_error = True, ""
        yield
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        source = self.router.session.client_ip
        try:
            code = await in_session(
                lambda s: accounts.hand_off(
                    session=s,
                    token=accounts.sign_in(session=s, email=email, password=password, source=source),
                )
            )
        except UserError as err:
            self.signing_in, self.sign_in_error = False, str(err)
            return
        # "Signing in..." until the page goes.
        yield with_the_cookie(code, _page_asked_for(self.router.url), AuthState.cookie_refused)

    @rx.event
    def cookie_refused(self, message: str):
        """The browser could not trade the sign-in for its cookie: said on the sign-in form."""
        if message:
            self.signing_in, self.sign_in_error = False, message

    @rx.event
    async def sign_out(self):
        """End the session here and on the server."""
        token = self._session_token()
        await in_session(lambda s: accounts.sign_out(session=s, token=token))
        self._renewed_token = self._renewed_on = self.user_name = self.user_role = ""
        self.user_id = 0
        return _without_the_cookie(SIGN_IN)


async def _allowed(
    state: rx.State, permission: Permission, *, page_load: bool = False
) -> tuple[SignedInUser | None, rx.event.EventSpec | None]:
    async with state:  # a background event reads its state under the lock; a no-op for the rest
        auth = await state.get_state(AuthState)
        user = await auth._resolve()
    try:
        return require(user, permission), None
    except PermissionDenied as err:
        if user is None:
            return None, _to_sign_in(state.router.url)
        return None, None if page_load else rx.toast.error(str(err))


async def recheck(state: rx.State, permission: Permission) -> bool:
    """Check again, in a long-running background event, what ``@requires`` checked at its start.

    The user may have signed out or lost the permission since; while they have not,
    they stay the running handler's user.
    """
    user, _refusal = await _allowed(state, permission)
    if user is not None:
        _current.set(user)
    return user is not None


def requires(permission: Permission, *, page_load: bool = False) -> Callable:
    """Decorate an event handler (under ``@rx.event``) so only users with ``permission`` run it.

    A ``page_load`` handler (a page's ``on_load``) refuses a signed-in user quietly: the
    page itself says whose page it is (``layout.only_for``), and a "cannot do this" toast
    for merely opening it would blame them for something they did not try.
    """

    def decorate(fn: Callable) -> Callable:
        if inspect.isasyncgenfunction(fn):

            async def handler(self, *args, **kwargs):
                user, refusal = await _allowed(self, permission, page_load=page_load)
                if user is None:
                    if refusal is not None:
                        yield refusal
                    return
                _current.set(user)  # each event runs in its own task, so this does not leak
                async for update in fn(self, *args, **kwargs):
                    yield update

        else:

            async def handler(self, *args, **kwargs):
                user, refusal = await _allowed(self, permission, page_load=page_load)
                if user is None:
                    return refusal
                _current.set(user)
                result = fn(self, *args, **kwargs)
                return await result if inspect.isawaitable(result) else result

        functools.update_wrapper(handler, fn)
        handler.permission = permission
        handler.page_load = page_load
        return handler

    return decorate
