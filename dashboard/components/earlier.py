"""The choice shown when a send would reuse another job's invitation (``states.earlier``)."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import focus_returns, question_answers


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
            question_answers(
                "Not now",
                rx.button(
                    "Send a re-attempt",
                    on_click=state.reattempt_earlier,
                    disabled=state.earlier_not_now != "",
                ),
            ),
            **focus_returns(),
        ),
        open=state.earlier_attempt_id != 0,
        on_open_change=state.close_earlier,
    )
