"""The toaster: sonner's, with each close button described by its toast's message (``toast_names.jsx``)."""

from __future__ import annotations

import reflex as rx


class ToastCloseNames(rx.Component):
    """Describes each toast's close button by its toast's message while it is on screen."""

    library = "$/public/" + rx.asset("toast_names.jsx", shared=True)
    tag = "ToastCloseNames"


def toaster() -> rx.Component:
    """The app's toasts, each with a close button that says (as its description) which toast it closes.

    A toast can sit over the very control a recruiter reaches for next (a new stage's deadline
    box, the lowest stage's buttons) and stays while the pointer rests on it: its X puts it
    away at once instead of waiting it out.
    """
    return rx.fragment(rx.toast.provider(close_button=True), ToastCloseNames.create())
