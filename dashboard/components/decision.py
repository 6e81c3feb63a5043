"""The reject dialog: a reason from the list (a rejection always has one) and an optional note."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import focus_returns
from dashboard.services.review import REJECTION_REASONS


def reject_dialog(state, candidate_name: rx.Var) -> rx.Component:
    """The dialog for ``state`` (a page state with the ``RejectForm`` mixin and a ``reject`` handler)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reject ", candidate_name),
            rx.vstack(
                # What the rejection does to their open tests, said before the click that does it.
                rx.cond(
                    state.reject_open_tests.length() > 0,
                    rx.vstack(
                        rx.foreach(state.reject_open_tests, lambda line: rx.text(line, size="2")),
                        spacing="1",
                        class_name="reject-open-tests",
                    ),
                ),
                rx.select.root(
                    rx.select.trigger(placeholder="Reason", aria_label="Rejection reason"),
                    rx.select.content(*[rx.select.item(r, value=r) for r in REJECTION_REASONS]),
                    value=state.reject_reason,
                    on_change=state.set_reject_reason,
                ),
                rx.text_area(
                    placeholder="Note (optional)",
                    value=state.reject_note,
                    on_change=state.set_reject_note,
                    aria_label="Rejection note",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Back", variant="soft", color_scheme="gray")),
                    rx.button(
                        "Reject",
                        color_scheme="red",
                        on_click=state.reject,
                        disabled=state.reject_reason == "",
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
            ),
            **focus_returns(),
        ),
        open=state.rejecting,
        on_open_change=state.set_rejecting,
    )
