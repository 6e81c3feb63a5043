"""Change my password: the signed-in person, whatever their role, replaces their own."""

from __future__ import annotations

import json

import reflex as rx

from dashboard.services import accounts, wording
from dashboard.services.errors import BadValue, UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import AuthState, current_user, requires, with_the_cookie
from dashboard.states.common import focus_once_drawn, in_session


class AccountState(rx.State):
    """The change-password page.

    Its boxes are the browser's own (uncontrolled inputs): the passwords are read once from the
    submitted form and handed to the service, never put in a state var, which is stored on the
    server (in Redis in production, an hour after the tab closes), nor logged. As the sign-in
    form does.
    """

    error: str = ""
    # The input (its name, also its id) the error is about: marked invalid and focused.
    error_box: str = ""
    # A new key after a change re-mounts the form: its boxes empty, nothing left to resubmit.
    form_key: int = 0
    changing: bool = False
    # Whose password the form changes, for a password manager (the form's hidden username).
    email: str = ""

    @rx.event
    @requires(Permission.OWN_ACCOUNT)
    def load(self):
        """A refusal from an earlier visit is not about the boxes, empty again, of this one."""
        self.error, self.error_box, self.changing = "", "", False
        self.email = current_user().email

    @rx.event
    @requires(Permission.OWN_ACCOUNT)
    async def change_password(self, form: dict):
        """Check the current password, set the new one, and sign out every other browser."""
        self.changing, self.error, self.error_box = True, "", ""
        yield
        auth = await self.get_state(AuthState)
        token, source = auth._session_token(), self.router.session.client_ip
        current, new, repeated = (
            str(form.get(box, "")) for box in ("current_password", "new_password", "repeated_password")
        )
        try:
            ended, renewed, code = await in_session(
                lambda s: accounts.change_password(
                    session=s, token=token, current=current, new=new, repeated=repeated, source=source
                )
            )
        except UserError as err:
            self.error = str(err)
            self.error_box = err.box if isinstance(err, BadValue) else ""
            if self.error_box:
                # Typed boxes stay (the form is not re-mounted); the cursor goes where the fix is,
                # what it holds selected, so typing replaces it.
                box = json.dumps(self.error_box)
                yield rx.call_script(f"(b => {{ b?.focus(); b?.select(); }})(document.getElementById({box}))")
            return
        finally:
            self.changing = False  # whatever happened, the button works again
        auth._renewed(renewed)
        self.form_key += 1
        # The browser's cookie takes the new token (the old one ended with the others).
        yield with_the_cookie(code, None, AccountState.cookie_refused)
        # The form is drawn anew (its boxes empty): the focus, on its button, would fall to the
        # page's top; it goes to the first box.
        yield focus_once_drawn("#current_password")
        if ended:
            elsewhere = f"You are signed out everywhere else ({wording.counted(ended, 'other session')})"
        else:
            elsewhere = "You were signed in nowhere else"
        yield rx.toast.success(f"Your password is changed. {elsewhere}, and stay signed in here.")

    @rx.event
    @requires(Permission.OWN_ACCOUNT)
    def cookie_refused(self, message: str):
        """The browser kept the cookie of the session the change ended: it is signed out at its next load."""
        if message:
            self.error = f"Your password is changed, but this browser could not be kept signed in: {message}"
