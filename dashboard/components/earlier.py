"""The choice shown when a send would reuse another job's invitation (``states.earlier``)."""

from __future__ import annotations

import reflex as rx


def earlier_dialog(state) -> rx.Component:
    """For a state with the ``EarlierAttemptChoice`` mixin and a ``reattempt_earlier`` event."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("This candidate already has this test"),
            rx.alert_dialog.description(state.earlier_message),
            rx.cond(
                state.earlier_not_now != "",
                rx.callout(
                    "No re-attempt yet: " + state.earlier_not_now,
                    icon="info",
                    color_scheme="amber",
                    margin_top="12px",
                    class_name="earlier-not-now",
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Not now", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        "Send a re-attempt",
                        on_click=state.reattempt_earlier,
                        disabled=state.earlier_not_now != "",
                    )
                ),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
        ),
        open=state.earlier_attempt_id != 0,
        on_open_change=state.close_earlier,
    )
