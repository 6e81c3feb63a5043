"""The reject form (a reason from the list, an optional note), shared by the review and application pages."""

from __future__ import annotations

import reflex as rx

from dashboard.services.permissions import Permission
from dashboard.states.auth import requires


class RejectForm(rx.State, mixin=True):
    """Whether the reject dialog is open, and what was picked and written in it."""

    rejecting: bool = False
    reject_reason: str = ""
    reject_note: str = ""

    @rx.event
    @requires(Permission.REVIEW)
    def set_rejecting(self, value: bool):
        self.rejecting = value
        if value:
            self.reject_reason, self.reject_note = "", ""

    @rx.event
    @requires(Permission.REVIEW)
    def set_reject_reason(self, value: str):
        self.reject_reason = value

    @rx.event
    @requires(Permission.REVIEW)
    def set_reject_note(self, value: str):
        self.reject_note = value
