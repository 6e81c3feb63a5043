"""The reject dialog (a reason from the list, since a rejection always has one, and an optional note),
and the question before a rejection is undone."""

from __future__ import annotations

import reflex as rx

from dashboard.components.layout import focus_returns, question_answers
from dashboard.services.review import REJECTION_REASONS


def reject_dialog(state, candidate_name: rx.Var) -> rx.Component:
    """The dialog for ``state`` (a page state with the ``RejectForm`` mixin and a ``reject`` handler)."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Reject ", candidate_name),
            rx.vstack(
                # What the rejection does to their open tests, said before the click that does it.
                rx.cond(
                    state.reject_also.length() > 0,
                    rx.vstack(
                        rx.foreach(state.reject_also, lambda line: rx.text(line, size="2")),
                        spacing="1",
                        class_name="reject-also",
                    ),
                ),
                rx.select.root(
                    rx.select.trigger(placeholder="Reason", aria_label="Rejection reason"),
                    rx.select.content(
                        *[rx.select.item(r, value=r) for r in REJECTION_REASONS],
                        # Below its button, not over it: drawn over it, the first reason lay under
                        # the pointer, and a double click on "Reason" picked it, the list gone unseen.
                        position="popper",
                        side_offset=4,
                    ),
                    value=state.reject_reason,
                    on_change=state.set_reject_reason,
                ),
                rx.text_area(
                    placeholder="Note (optional)",
                    value=state.reject_note,
                    on_change=state.set_reject_note,
                    aria_label="Rejection note",  # no max_length: a paste cut unsaid; the service says why
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


def undo_rejection_dialog(state, candidate_name: rx.Var, stage_name: rx.Var) -> rx.Component:
    """Asks before a rejection is undone (``ReopenForm``, and an ``undo_rejection`` handler): saying
    where the candidate will be, and what the rejection did that undoing it leaves as it is."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Undo the rejection?"),
            rx.alert_dialog.description(
                rx.text.strong(candidate_name),
                " becomes an active candidate again in ",
                rx.text.strong(stage_name),
                ". The history keeps the rejection and its undoing.",
            ),
            rx.vstack(
                rx.foreach(state.undo_stays, lambda line: rx.text(line, size="2")),
                spacing="1",
                margin_top="8px",
                class_name="undo-stays",
            ),
            question_answers(
                "Back",
                rx.button("Undo rejection", on_click=state.undo_rejection),
            ),
            **focus_returns(),
        ),
        open=state.undoing_rejection,
        on_open_change=state.set_undoing_rejection,
    )
