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

from dashboard.routes import SIGN_IN
from dashboard.services import accounts
from dashboard.services.actors import Actor
from dashboard.services.actors import user as user_actor
from dashboard.services.errors import UserError
from dashboard.services.permissions import GRANTS, Permission, PermissionDenied, SignedInUser, require
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


def _fresh_page(path: str) -> list:
    """A full load of ``path`` under a new client token, so the next person on this tab starts
    afresh: Reflex keeps each page's state (a queue search, a board selection) per tab, and
    would otherwise show one user's choices to the next. The session cookie carries the sign-in."""
    return [rx.clear_session_storage(), rx.call_script(f"window.location.assign({json.dumps(path)})")]


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
    """The session cookie and the signed-in user's name, role and id for the layout.

    The id is no secret (it is in every page's links): the users page marks the admin's own row
    by it, whose Deactivate would only answer "You cannot deactivate yourself." once clicked.
    """

    session_token: str = rx.Cookie(
        "", name="assay_session", max_age=int(accounts.SESSION_LIFETIME.total_seconds()), same_site="lax"
    )
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

    async def _resolve(self) -> SignedInUser | None:
        """The user behind this browser's session cookie, checked against the database now."""
        token = self.session_token
        return await in_session(lambda s: accounts.signed_in_user(session=s, token=token))

    @rx.event
    async def guard_page(self):
        """Every protected page's first on_load: signed-out visitors go to sign in; the navigation
        gets the user's name, role and unread notifications."""
        user = await self._resolve()
        if user is None:
            self.user_name = self.user_role = ""
            self.user_id = 0
            return rx.redirect(_sign_in_for(self.router.url))
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
            token = await in_session(
                lambda s: accounts.sign_in(session=s, email=email, password=password, source=source)
            )
        except UserError as err:
            self.signing_in, self.sign_in_error = False, str(err)
            return
        self.session_token, self.signing_in = token, False
        yield _fresh_page(_page_asked_for(self.router.url))

    @rx.event
    async def sign_out(self):
        """End the session here and on the server."""
        token = self.session_token
        await in_session(lambda s: accounts.sign_out(session=s, token=token))
        self.session_token = self.user_name = self.user_role = ""
        self.user_id = 0
        return _fresh_page(SIGN_IN)


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
            return None, rx.redirect(_sign_in_for(state.router.url))
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
