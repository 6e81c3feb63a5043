"""The reject form (a reason from the list, an optional note), shared by the review and application
pages, and the undo-rejection question both pages ask."""

from __future__ import annotations

import reflex as rx

from dashboard.services import interviews, reopening, review
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import requires
from dashboard.states.common import in_session


class RejectForm(rx.State, mixin=True):
    """Whether the reject dialog is open, and what was picked and written in it.

    The page's state says whom the dialog rejects (``_application_to_reject``), so that the dialog
    can say, before the click, what the rejection does to their open tests and booked interviews.
    """

    rejecting: bool = False
    reject_reason: str = ""
    reject_note: str = ""
    # What rejecting also does, a sentence each: to every open test (withdrawn at the vendor, or
    # staying open and why), then to every upcoming interview (cancelled).
    reject_also: list[str] = []

    def _application_to_reject(self) -> int:
        """The application the dialog would reject (0: none): each page state mixing this in says which."""
        raise NotImplementedError

    async def _open_reject_dialog(self) -> None:
        self.rejecting, self.reject_reason, self.reject_note = True, "", ""
        application_id = self._application_to_reject()
        self.reject_also = (
            await in_session(
                lambda s: (
                    review.open_tests_on_rejection(s, application_id)
                    + interviews.upcoming_on_rejection(s, application_id)
                )
            )
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


class ReopenForm(rx.State, mixin=True):
    """Whether the undo-rejection dialog is open, and what it says stays as the rejection made it
    (``reopening.what_stays``), so the recruiter knows before the click what undoing does not undo."""

    undoing_rejection: bool = False
    undo_stays: list[str] = []
    undo_stage: str = ""  # where the candidate will be active again (``reopening.back_in``)

    def _application_to_reopen(self) -> int:
        """The application the dialog would reopen (0: none): each page state mixing this in says which."""
        raise NotImplementedError

    def _opening_undo(self) -> None:
        """As the dialog opens: a page whose view refreshes behind it keeps what it showed here."""

    @rx.event
    @requires(Permission.REVIEW)
    async def set_undoing_rejection(self, value: bool):
        self.undoing_rejection, self.undo_stays, self.undo_stage = value, [], ""
        if value:
            self._opening_undo()
        application_id = self._application_to_reopen()
        if value and application_id:
            try:
                self.undo_stays, self.undo_stage = await in_session(
                    lambda s: (reopening.what_stays(s, application_id), reopening.back_in(s, application_id))
                )
            except UserError as err:  # undone meanwhile, in another tab
                self.undoing_rejection = False
                return rx.toast.error(str(err))
        return None
