"""In-app notifications and the email outbox."""

from __future__ import annotations

import reflex as rx

from dashboard.services import notify, pipeline, views
from dashboard.services.permissions import Permission
from dashboard.states import live
from dashboard.states.auth import current_user, requires
from dashboard.states.common import in_session

PAGE = 100  # notifications shown at first, and added by each "Show more"


class NotificationsState(rx.State):
    """What needs the team's attention, and the emails Assay wrote."""

    items: list[views.NotificationView] = []
    emails: list[views.OutboxView] = []
    unread: int = 0
    revision: int = -1
    loaded: bool = False
    shown: int = PAGE
    more: bool = False

    async def _reload(self) -> None:
        user = current_user()
        visible, may_see_mail = user.visible_job_ids, user.may(Permission.MANAGE_PIPELINE)
        shown = self.shown

        def load(session):
            return (
                pipeline.workspace_revision(session),
                views.notifications(session, user.id, visible, limit=shown + 1),
                views.outbox(session) if may_see_mail else [],
                views.unread_count(session, user.id, visible),
            )

        self.revision, items, self.emails, self.unread = await in_session(load)
        self.items, self.more = items[:shown], len(items) > shown  # the one extra row says there is more
        self.loaded = True

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        self.shown = PAGE
        await self._reload()
        return NotificationsState.watch  # after the load: the watch starts from what it read

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(self, Permission.VIEW_PIPELINE, lambda: None, self._reload)

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def show_more(self):
        """The next page of older ones: never all of them at once (a busy team has thousands)."""
        self.shown += PAGE
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def open_notification(self, notification_id: int):
        """Opening one (its link leads to the application) reads it, for this person only."""
        user = current_user()
        await in_session(lambda s: notify.mark_read(s, user.id, [notification_id]))
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def mark_all_read(self):
        """Every unread one this person can see, including those beyond the page shown."""
        user = current_user()
        marked = await in_session(lambda s: notify.mark_all_read(s, user.id, user.visible_job_ids))
        await self._reload()
        if not marked:
            return rx.toast.info("Nothing was unread.")
        return rx.toast.success(f"Marked {marked} notification{'' if marked == 1 else 's'} read.")
