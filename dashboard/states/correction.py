"""The "Correct name or email" dialog of the application page: a typo found after the candidate
was added, or after a test went to it (``corrections.correct_candidate``)."""

from __future__ import annotations

import reflex as rx

from dashboard.services.permissions import Permission
from dashboard.states.auth import requires


class CorrectionForm(rx.State, mixin=True):
    """What is typed in the dialog, and why the last save was refused (shown in the dialog, which
    stays open with what was typed, to be fixed)."""

    correcting: bool = False
    correct_name: str = ""
    correct_email: str = ""
    correct_error: str = ""
    # What the dialog opened on: a save writes only over these (a colleague's correction stays).
    correcting_from: list[str] = []

    def _open_correction(self, name: str, email: str) -> None:
        self.correcting, self.correct_error = True, ""
        self.correct_name, self.correct_email = name, email
        self.correcting_from = [name, email]

    def _corrected(self) -> None:
        self.correcting, self.correct_error = False, ""

    def _correction_refused(self, reason: str) -> None:
        self.correct_error = reason

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_correcting(self, value: bool):
        if not value:
            self._corrected()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_correct_name(self, value: str):
        self.correct_name = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_correct_email(self, value: str):
        self.correct_email = value
