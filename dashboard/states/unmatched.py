"""Vendor results that need matching, on the queue: match one to its assessment, or set it aside.

Setting aside takes a vendor's result out of the list, so it asks first, naming the
result; one set aside by mistake is restored from the "Set aside (N)" list. A result
matched, set aside or restored meanwhile in another tab is told in words rather than raised.
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import assessments, matching, queue_view
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import acting_user, requires
from dashboard.states.common import in_session

# What a match came to, said as it is (it said "applied" of a result the assessment had newer news than).
MATCHED = {
    assessments.Applied.CHANGED: "Result matched and applied.",
    assessments.Applied.REFRESHED: "Result matched: its details were added to the assessment.",
    assessments.Applied.UNCHANGED: "Result matched: the assessment already had newer news from the vendor.",
}


class UnmatchedResults(rx.State, mixin=True):
    """The typed assessment numbers, and the result whose setting aside is being asked.

    For a page state that has ``unmatched`` (and ``set_aside``, ``set_aside_count``) reloaded
    by its own ``_reload``.
    """

    unmatched: list[queue_view.UnmatchedRow] = []  # the oldest, queue_view.UNMATCHED_SHOWN at most
    unmatched_count: int = 0
    set_aside: list[queue_view.SetAsideRow] = []  # the newest, queue_view.SET_ASIDE_SHOWN at most
    set_aside_count: int = 0
    showing_set_aside: bool = False
    match_attempt: dict[str, str] = {}  # per result: the assessment number typed
    dismiss_id: int = 0  # 0: no question open
    dismiss_what: str = ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_match_attempt(self, unmatched_id: int, value: str):
        self.match_attempt = {**self.match_attempt, str(unmatched_id): value}

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def match(self, unmatched_id: int):
        """Apply a kept vendor result to the attempt the recruiter named (its number)."""
        text = self.match_attempt.get(str(unmatched_id), "").strip().lstrip("#")
        if not text.isdigit():
            return rx.toast.error("Type the assessment's number (shown on the application page).")
        actor = acting_user()
        try:
            outcome = await in_session(
                lambda s: matching.match(
                    session=s, unmatched_id=unmatched_id, attempt_id=int(text), actor=actor
                )
            )
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(MATCHED[outcome])

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def match_on_enter(self, unmatched_id: int, key: str):
        """Enter in the number box matches, as a form would."""
        if key == "Enter":
            return await self.match(unmatched_id)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask_dismiss(self, unmatched_id: int):
        """Open the question, naming the result (the vendor's id and the email it gave)."""
        row = next((u for u in self.unmatched if u.id == unmatched_id), None)
        self.dismiss_id, self.dismiss_what = unmatched_id, _described(row, unmatched_id)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_dismiss_open(self, value: bool):
        if not value:
            self.dismiss_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def dismiss(self, unmatched_id: int):
        """Set the result aside, once asked: it is no longer offered for matching."""
        what = self.dismiss_what if unmatched_id == self.dismiss_id else f"#{unmatched_id}"
        self.dismiss_id = 0
        actor = acting_user()
        try:
            await in_session(lambda s: matching.dismiss(session=s, unmatched_id=unmatched_id, actor=actor))
        except UserError as err:  # NotFound too: gone, or matched in another tab meanwhile
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(
            f"Set aside {what}: it is no longer offered for matching. Restore it from Set aside."
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def toggle_set_aside(self):
        """Show or hide the results set aside."""
        self.showing_set_aside = not self.showing_set_aside

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def restore(self, unmatched_id: int):
        """Put a result set aside by mistake back among those that need matching."""
        what = _described(next((u for u in self.set_aside if u.id == unmatched_id), None), unmatched_id)
        actor = acting_user()
        try:
            await in_session(lambda s: matching.restore(session=s, unmatched_id=unmatched_id, actor=actor))
        except UserError as err:  # NotFound too; matched, or restored in another tab meanwhile
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(f"Restored {what}: it needs matching again.")


def _described(row: queue_view.UnmatchedRow | queue_view.SetAsideRow | None, unmatched_id: int) -> str:
    """The result as the recruiter saw it listed: the vendor's id and the email it gave."""
    if row is None:
        return f"#{unmatched_id}"
    return matching.described(row.vendor_attempt_id, row.candidate_email)
