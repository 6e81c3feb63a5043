"""In-app notifications and the email outbox."""

from __future__ import annotations

import reflex as rx

from dashboard.services import notify, pipeline, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import in_session

PAGE = 100  # notifications shown at first, and added by each "Show more"
EMAILS_PAGE = 100  # the outbox's emails shown at first, and added by each of its "Show more"


class NotificationsState(rx.State):
    """What needs the team's attention, and the emails Assay wrote."""

    items: list[views.NotificationView] = []
    _seen_up_to: int = 0  # the newest notification when the page was last drawn: Mark all read stops there
    emails: list[views.OutboxView] = []
    unread: int = 0
    revision: int = -1
    loaded: bool = False
    shown: int = PAGE
    more: bool = False
    # The outbox: the newest emails_shown of those the applied search finds, of emails_total.
    emails_shown: int = EMAILS_PAGE
    emails_total: int = 0
    mail_search: str = ""  # the box, as typed
    mail_server_set: bool = True  # False: every email is kept here, none sent (said once, above them)
    mail_searched: str = ""  # the search the rows show: the box as it was last applied ("": every email)
    mail_standing: str = ""  # sent, not sent, withheld ("": every email; views.OUTBOX_STANDINGS)

    @rx.var
    def more_emails(self) -> bool:
        """Older emails than those shown match the search (the outbox's "Show more")."""
        return len(self.emails) < self.emails_total

    @rx.var
    def no_email_found(self) -> str:
        """What an outbox narrowed to nothing says: what was looked for, in words."""
        about = f" to or about “{self.mail_searched}”" if self.mail_searched else ""
        standing = {
            "not_sent": " is waiting to be sent",
            "sent": " has been sent",
            "withheld": " is withheld",
        }
        return f"No email{about}{standing.get(self.mail_standing, '')}."

    async def _reload(self) -> None:
        user = current_user()
        visible, may_see_mail = user.visible_job_ids, user.may(Permission.MANAGE_PIPELINE)
        shown, emails_shown, mail_search = self.shown, self.emails_shown, self.mail_searched
        standing = self.mail_standing

        def load(session):
            return (
                # First: one written while the items are read counts as not seen (helper-131).
                notify.newest_notification(session),
                pipeline.workspace_revision(session),
                views.notifications(session, user.id, visible, limit=shown + 1),
                views.outbox(session, emails_shown, mail_search, standing) if may_see_mail else [],
                views.outbox_count(session, mail_search, standing) if may_see_mail else 0,
                views.unread_count(session, user.id, visible),
            )

        loaded = await in_session(load)
        self._seen_up_to, self.revision, items, self.emails, self.emails_total, self.unread = loaded
        self.mail_server_set = views.mail_server_set()
        self.items, self.more = items[:shown], len(items) > shown  # the one extra row says there is more
        self.loaded = True

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        self.shown, self.emails_shown = PAGE, EMAILS_PAGE
        self.mail_search = self.mail_searched  # the box shows the search its rows are found by
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
    @requires(Permission.MANAGE_PIPELINE)
    async def show_more_emails(self):
        """The outbox's next page of older emails, read with a limit: never the whole outbox."""
        self.emails_shown += EMAILS_PAGE
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_mail_search(self, value: str):
        self.mail_search = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def search_mail(self, _form: dict | None = None):
        """Find the emails to an address or about a candidate (their name is in the subject)."""
        self.mail_searched, self.emails_shown = self.mail_search.strip(), EMAILS_PAGE
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def show_standing(self, value: str):
        """Only the emails sent, or not sent, or withheld ("every" for all), from the newest."""
        self.mail_standing = "" if value == "every" else value
        if self.mail_standing not in views.OUTBOX_STANDINGS:
            self.mail_standing = ""
        self.emails_shown = EMAILS_PAGE
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def try_email_again(self, message_id: int):
        """Hand an email the mail server turned down to it again, on the next send."""
        actor = acting_user()
        try:
            said = await in_session(lambda s: notify.try_again(s, message_id, actor))
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(said)

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
        """Every unread one this person can see, including those beyond the page shown, up to the
        newest when the page was drawn: one that came since, unseen, stays unread."""
        user, seen_up_to = current_user(), self._seen_up_to
        await in_session(lambda s: notify.mark_all_read(s, user.id, user.visible_job_ids, up_to=seen_up_to))
        # No toast: the count, where the focus goes, says "All read" (the page's only saying of it).
        await self._reload()
