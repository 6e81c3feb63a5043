"""Change my password, for everyone signed in, whatever their role."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import page_frame, refusal
from dashboard.pages import page
from dashboard.services.accounts import MIN_PASSWORD
from dashboard.states.account import AccountState as S
from dashboard.states.auth import AuthState
from dashboard.states.live import NavigationWatch

ERROR_ID = "password-error"
NEW_HINT_ID = "new-password-hint"


def _password_box(name: str, label: str, auto_complete: str, hint_id: str = "") -> rx.Component:
    """One password box, named by its label; the box a refusal is about is marked, and reads the
    refusal (before its hint) as its description."""
    at_fault = S.error_box == name
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.input(
            name=name,
            id=name,
            type="password",
            # A password manager offers the saved password for the first box, a new one for the others.
            auto_complete=auto_complete,
            aria_label=label,
            aria_invalid=rx.cond(at_fault, "true", "false"),
            aria_describedby=rx.cond(at_fault, f"{ERROR_ID} {hint_id}".strip(), hint_id),
            width="100%",
        ),
        spacing="1",
        width="100%",
    )


def _whose_password() -> rx.Component:
    """The signed-in person's email, for a password manager: without a username in the form it
    cannot tell whose saved password to offer or update (Chromium says so in its console). Hidden:
    the page says whose password it is in words; nameless, so the form does not send it."""
    return rx.el.input(
        type="email",
        value=S.email,
        auto_complete="username",
        read_only=True,
        hidden=True,
    )


def _change_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                _whose_password(),
                _password_box("current_password", "Current password", "current-password"),
                _password_box("new_password", "New password", "new-password", NEW_HINT_ID),
                rx.text(
                    f"At least {MIN_PASSWORD} characters. Once it is changed, every other browser "
                    "signed in as you is signed out; this one stays signed in.",
                    id=NEW_HINT_ID,
                    size="1",
                    color_scheme="gray",
                ),
                _password_box("repeated_password", "Repeat the new password", "new-password"),
                refusal(S.error, id=ERROR_ID, width="100%"),
                rx.button(
                    "Change my password",
                    type="submit",
                    loading=S.changing,
                    # Until the page's script runs, the browser would send the form itself, as a
                    # GET: the passwords in the address, the history and the access log.
                    disabled=~rx.State.is_hydrated,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.change_password,
            # Not reset here: a refused change keeps what was typed; a change done re-mounts it empty.
            reset_on_submit=False,
            method="post",
            key=S.form_key,
            width="100%",
        ),
        width="100%",
        max_width="420px",
    )


@page(
    route=routes.ACCOUNT,
    title="Change my password · Assay",
    # No job here: the watch keeps only the navigation's unread count live.
    on_load=[AuthState.guard_page, S.load, NavigationWatch.watch],
)
def account_page() -> rx.Component:
    return page_frame(
        "Change my password",
        rx.text("Signed in as ", rx.text.strong(AuthState.user_name), ".", size="2"),
        _change_form(),
    )
