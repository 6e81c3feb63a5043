"""The navigation's count of the signed-in person's unread notifications.

Every page's ``AuthState.guard_page`` counts them, and every page's watch (``live.keep_live``,
or ``live.NavigationWatch`` on a page of no job) counts them again when a notification, or
someone's reading of one, moves the revision of what belongs to no job: one count query, never the list.
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import pipeline, views
from dashboard.services.permissions import SignedInUser
from dashboard.states.common import in_session


class UnreadState(rx.State):
    """How many notifications the signed-in person has not read, of the jobs they may see."""

    count: int = 0
    # The revision of what belongs to no job (``pipeline.outside_jobs_revision``) at the count.
    revision: int = -1

    @rx.var
    def badge(self) -> str:
        """The count as the navigation shows it: never wider than three characters."""
        return "99+" if self.count > 99 else str(self.count)

    @rx.var
    def label(self) -> str:
        """The Notifications link's name for a screen reader, which the bold rows and the badge never told."""
        return f"Notifications, {self.count} unread" if self.count else "Notifications"

    async def _recount(self, user: SignedInUser) -> None:
        visible = user.visible_job_ids

        def count(session):
            # The revision first: a notification landing between the two is counted again at the next wake.
            return pipeline.outside_jobs_revision(session), views.unread_count(session, user.id, visible)

        self.revision, self.count = await in_session(count)
