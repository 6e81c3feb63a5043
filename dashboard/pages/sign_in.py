"""Sign in with email and password."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import refusal
from dashboard.pages import page
from dashboard.states.auth import AuthState


@page(route=routes.SIGN_IN, title="Sign in · Assay", on_load=AuthState.leave_sign_in)
def sign_in_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Assay", size="6"),
                    rx.text("Sign in to your hiring team.", color_scheme="gray"),
                    rx.text("Email", size="2", weight="medium"),
                    # Named for a password manager too: whose password it is, and that it is the current one.
                    rx.input(
                        name="email",
                        type="email",
                        aria_label="Email",
                        auto_complete="username",
                        auto_focus=True,
                        width="100%",
                    ),
                    rx.text("Password", size="2", weight="medium"),
                    rx.input(
                        name="password",
                        type="password",
                        aria_label="Password",
                        auto_complete="current-password",
                        width="100%",
                    ),
                    refusal(AuthState.sign_in_error),
                    # A password forgotten (or a first one never handed over) has no reset email to
                    # wait for: an admin gives a new one on the Users page. Said once a sign-in is
                    # refused, in the same words whatever the reason, so it tells nothing of the account.
                    rx.cond(
                        AuthState.sign_in_error != "",
                        rx.text(
                            "Forgotten your password, or your account deactivated? An admin of your team can give you a new password or reactivate it.",
                            size="2",
                            color_scheme="gray",
                        ),
                    ),
                    rx.button(
                        "Sign in",
                        type="submit",
                        width="100%",
                        loading=AuthState.signing_in,
                        # Until the page's script runs, the browser would send the form itself:
                        # as a GET, the password in the address, the history and the access log.
                        # A disabled button stops Enter too.
                        disabled=~rx.State.is_hydrated,
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AuthState.sign_in,
                method="post",  # and if the browser ever sends it itself, never in the address
            ),
            width="360px",
            padding="24px",
        ),
        height="100vh",
        background=rx.color("gray", 2),
    )
