"""Notifications (needs review, expired, failed, stage done, a result changed after its review) and the email outbox."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import counted, focus_once_lost, page_frame, table_region
from dashboard.pages import page
from dashboard.services.views import OUTBOX_STANDINGS, NotificationView, OutboxView
from dashboard.states.auth import AuthState
from dashboard.states.notifications import NotificationsState

ICONS = {
    "needs_review": "clipboard-check",
    "expired": "clock",
    "failed": "circle-x",
    "stage_done": "flag",
    "result_revised": "refresh-cw",
}


def _item(item: NotificationView) -> rx.Component:
    return rx.hstack(
        # Unread: a dot as well as bold, which some eyes barely tell from regular.
        rx.box(
            width="8px",
            height="8px",
            border_radius="50%",
            flex_shrink="0",
            background=rx.cond(item.unread, rx.color("accent", 9), "transparent"),
            aria_hidden="true",
            class_name="unread-dot",
        ),
        rx.match(
            item.kind,
            # Not shrunk beside a message wrapped onto several lines (at 800 px, to half its width).
            *[(kind, rx.icon(icon, size=16, flex_shrink="0")) for kind, icon in ICONS.items()],
            rx.icon("bell", size=16, flex_shrink="0"),
        ),
        rx.vstack(
            rx.link(
                item.message,
                href="/applications/" + item.application_id.to(str),
                # Said by a screen reader before the message, which neither the bold nor the dot tells it.
                aria_label=rx.cond(item.unread, "Unread: " + item.message, item.message),
                on_click=NotificationsState.open_notification(item.id),
                weight=rx.cond(item.unread, "bold", "regular"),
                # A failed send's message holds the vendor's address, with no place to break: it
                # pushed the row, and the page, past a phone's edge (CI188).
                overflow_wrap="anywhere",
            ),
            # Decided (or moved on) since: "needs review" is what happened then, not what waits now.
            # Under the message, not beside it: on a phone a badge beside it squeezed it to a word a line.
            rx.cond(
                item.now != "",
                rx.badge("Now: " + item.now, color_scheme="gray", class_name="notice-now"),
            ),
            spacing="1",
            align="start",
            min_width="0",
        ),
        rx.spacer(),
        rx.text(item.at, size="1", color_scheme="gray", white_space="nowrap", class_name="when"),
        align="center",
        width="100%",
        padding="8px 10px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        class_name=rx.cond(item.unread, "notification unread", "notification"),
    )


def _email(email: OutboxView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(email.created),
        # Broken only where it must be: "walker149@exa" above "mple.com" at 800 px.
        rx.table.cell(email.to_address, overflow_wrap="break-word"),
        rx.table.cell(
            # Opened by click, Enter or Space (a hover tooltip was out of reach of the keyboard).
            rx.el.details(
                # A vendor's address in a failed send's subject has no place to break.
                rx.el.summary(email.subject, cursor="pointer", overflow_wrap="anywhere"),
                rx.text(
                    email.body, size="2", white_space="pre-wrap", overflow_wrap="anywhere", margin_top="4px"
                ),
                class_name="email-body",
            ),
            # On a phone the address and the date took the width, leaving the subject 108 px,
            # a word a line: the table scrolls sideways in its own box instead. Wider, as it was.
            min_width=rx.breakpoints(initial="16em", sm="0"),
        ),
        # The email's own status only: that no mail server is set is said once, above the table.
        rx.table.cell(
            rx.vstack(
                rx.badge(
                    email.status,
                    color_scheme=email.tone,
                    # "Not sent" on one line; the mail server's reason for a refusal wraps.
                    white_space=rx.cond(email.tone == "red", "normal", "nowrap"),
                    class_name="email-status",
                ),
                # Turned down by the mail server: once the mailbox has room, or the address exists.
                rx.cond(
                    email.can_try_again,
                    rx.button(
                        rx.icon("rotate-cw", size=12),
                        "Try again",
                        size="1",
                        variant="soft",
                        aria_label="Try the email to " + email.to_address + " again",
                        on_click=NotificationsState.try_email_again(email.id),
                    ),
                ),
                spacing="1",
                align="start",
            )
        ),
        class_name="email",
    )


def _mail_search() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(
                rx.input.slot(rx.icon("search", size=14)),
                placeholder="Email address or candidate",
                value=NotificationsState.mail_search,
                on_change=NotificationsState.set_mail_search,
                aria_label="Search the outbox",
                type="search",
                width="17em",  # the whole placeholder, not "Email address or candid"
                # The search kept from the last visit arrives with the page's state: typing before
                # then would be merged with it, so wait for it (as the queue's search does).
                disabled=~rx.State.is_hydrated,
            ),
            rx.button("Search", type="submit", variant="soft"),
            _standing(),
            align="center",
            wrap="wrap",
        ),
        on_submit=NotificationsState.search_mail,
        reset_on_submit=False,
    )


def _standing() -> rx.Component:
    """Which emails: every one, or those sent, not sent (still to go) or withheld (never to go)."""
    return rx.select.root(
        rx.select.trigger(aria_label="Which emails"),
        rx.select.content(
            # Radix's select takes no empty value: "every" stands for it.
            *[rx.select.item(label, value=value or "every") for value, label in OUTBOX_STANDINGS.items()]
        ),
        value=rx.cond(NotificationsState.mail_standing == "", "every", NotificationsState.mail_standing),
        on_change=NotificationsState.show_standing,
    )


def _no_mail_server() -> rx.Component:
    """Said once for the whole outbox (it was repeated on every row, in small grey type)."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("mail-warning")),
        rx.callout.text(
            rx.text.strong("No mail server is set, so none of these emails has been sent"),
            " (not the team's alerts, not the feedback to candidates): they are kept here. To send them, "
            "set ASSAY_SMTP_URL to smtp+starttls://user:password@host:587 (or smtps://…:465) and restart "
            "Assay: the emails waiting here go out then (never those withheld).",
            color=rx.color(
                "amber", 12
            ),  # amber's usual text (step 11) is too faint on its callout for WCAG AA
        ),
        color_scheme="amber",
        class_name="no-mail-server",
    )


def _outbox_rows() -> rx.Component:
    return rx.fragment(
        rx.text(
            rx.cond(
                (NotificationsState.mail_searched != "") | (NotificationsState.mail_standing != ""),
                NotificationsState.emails_total.to(str) + " found, newest first.",
                counted(NotificationsState.emails_total, "email")
                + " to the team and to candidates, newest first.",
            ),
            size="2",
            color_scheme="gray",
            class_name="outbox-count",
        ),
        table_region(
            "Outbox",
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h) for h in ("Written", "To", "Subject", "Status")]
                )
            ),
            rx.table.body(rx.foreach(NotificationsState.emails, _email)),
        ),
        rx.cond(
            NotificationsState.more_emails,
            rx.hstack(
                rx.button(
                    "Show more emails",
                    variant="soft",
                    on_click=NotificationsState.show_more_emails,
                    class_name="show-more-emails",
                ),
                rx.text(
                    "Showing "
                    + NotificationsState.emails.length().to(str)
                    + " of "
                    + NotificationsState.emails_total.to(str),
                    size="2",
                    color_scheme="gray",
                ),
                align="center",
                spacing="3",
            ),
        ),
    )


def _outbox() -> rx.Component:
    """Every email Assay wrote, newest first, a page at a time, searchable by address or candidate."""
    return rx.vstack(
        rx.hstack(
            rx.heading("Outbox", size="4", as_="h2", id="outbox"),
            rx.spacer(),
            _mail_search(),
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.cond(~NotificationsState.mail_server_set, _no_mail_server()),
        rx.cond(
            NotificationsState.emails.length() > 0,
            _outbox_rows(),
            rx.cond(
                (NotificationsState.mail_searched != "") | (NotificationsState.mail_standing != ""),
                rx.callout(
                    NotificationsState.no_email_found,
                    icon="search-x",
                    class_name="outbox-empty",
                ),
                rx.callout(
                    "No emails yet. Assay writes one when a result needs review, and when a candidate "
                    "is sent feedback.",
                    icon="mail",
                    class_name="outbox-empty",
                ),
            ),
        ),
        width="100%",
        class_name="outbox",
    )


@page(
    route=routes.NOTIFICATIONS,
    title="Notifications · Assay",
    on_load=[AuthState.guard_page, NotificationsState.load],
)
def notifications_page() -> rx.Component:
    return page_frame(
        "Notifications",
        rx.cond(
            NotificationsState.items.length() > 0,
            rx.vstack(
                rx.foreach(NotificationsState.items, _item),
                rx.cond(
                    NotificationsState.more,
                    rx.button(
                        "Show more",
                        variant="soft",
                        on_click=NotificationsState.show_more,
                        margin_top="8px",
                        class_name="show-more",
                    ),
                ),
                width="100%",
                spacing="0",
            ),
            rx.cond(NotificationsState.loaded, rx.callout("Nothing yet.", icon="bell"), rx.spinner()),
        ),
        # The outbox is for those who send (a hiring manager's page has none), once the page has loaded.
        rx.cond(AuthState.can_manage_pipeline & NotificationsState.loaded, _outbox()),
        actions=rx.hstack(
            rx.text(
                rx.cond(
                    NotificationsState.unread > 0, NotificationsState.unread.to(str) + " unread", "All read"
                ),
                size="2",
                color_scheme="gray",
                class_name="unread-count",
                # Where the focus goes once Mark all read is disabled, which says "All read": the
                # one saying of it. Not a live status too, nor a toast: it was said three times.
                id="unread-count",
                tab_index=-1,
            ),
            rx.button(
                "Mark all read",
                variant="soft",
                **focus_once_lost(NotificationsState.mark_all_read, "unread-count"),
                disabled=NotificationsState.unread == 0,
            ),
            align="center",
            spacing="3",
        ),
    )
