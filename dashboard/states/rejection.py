"""The reject form (a reason from the list, an optional note), shared by the review and application pages."""

from __future__ import annotations

import reflex as rx

from dashboard.services import review
from dashboard.services.permissions import Permission
from dashboard.states.auth import requires
from dashboard.states.common import in_session


class RejectForm(rx.State, mixin=True):
    """Whether the reject dialog is open, and what was picked and written in it.

    The page's state says whom the dialog rejects (``_application_to_reject``), so that the dialog
    can say, before the click, what the rejection does to their open tests.
    """

    rejecting: bool = False
    reject_reason: str = ""
    reject_note: str = ""
    # One sentence per open test: withdrawn at the vendor, or staying open and why.
    reject_open_tests: list[str] = []

    def _application_to_reject(self) -> int:
        """The application the dialog would reject (0: none)."""
        raise NotImplementedError

    async def _open_reject_dialog(self) -> None:
        self.rejecting, self.reject_reason, self.reject_note = True, "", ""
        application_id = self._application_to_reject()
        self.reject_open_tests = (
            await in_session(lambda s: review.open_tests_on_rejection(s, application_id))
            if application_id
            else []
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def set_rejecting(self, value: bool):
        if value:
            await self._open_reject_dialog()
        else:
            self.rejecting = False

    @rx.event
    @requires(Permission.REVIEW)
    def set_reject_reason(self, value: str):
        self.reject_reason = value

    @rx.event
    @requires(Permission.REVIEW)
    def set_reject_note(self, value: str):
        self.reject_note = value
