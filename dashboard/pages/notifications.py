"""Notifications (needs review, expired, failed, stage done) and the email outbox."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import page_frame
from dashboard.pages import page
from dashboard.services.views import NotificationView, OutboxView
from dashboard.states.auth import AuthState
from dashboard.states.notifications import NotificationsState

ICONS = {"needs_review": "clipboard-check", "expired": "clock", "failed": "circle-x", "stage_done": "flag"}


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
        rx.link(
            item.message,
            href="/applications/" + item.application_id.to(str),
            # Said by a screen reader before the message, which neither the bold nor the dot tells it.
            aria_label=rx.cond(item.unread, "Unread: " + item.message, item.message),
            on_click=NotificationsState.open_notification(item.id),
            weight=rx.cond(item.unread, "bold", "regular"),
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
        rx.table.cell(email.to_address),
        rx.table.cell(
            # Opened by click, Enter or Space (a hover tooltip was out of reach of the keyboard).
            rx.el.details(
                rx.el.summary(email.subject, cursor="pointer"),
                rx.text(
                    email.body, size="2", white_space="pre-wrap", overflow_wrap="anywhere", margin_top="4px"
                ),
                class_name="email-body",
            ),
        ),
        rx.table.cell(rx.text(email.status, size="1")),
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
        rx.cond(
            NotificationsState.emails.length() > 0,
            rx.vstack(
                rx.heading("Outbox", size="4"),
                rx.text(
                    "Emails to the team and candidates. With ASSAY_SMTP_URL set they are sent; otherwise they stay here.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            *[rx.table.column_header_cell(h) for h in ("Written", "To", "Subject", "Status")]
                        )
                    ),
                    rx.table.body(rx.foreach(NotificationsState.emails, _email)),
                    width="100%",
                ),
                width="100%",
                class_name="outbox",
            ),
        ),
        actions=rx.hstack(
            rx.text(
                rx.cond(
                    NotificationsState.unread > 0, NotificationsState.unread.to(str) + " unread", "All read"
                ),
                size="2",
                color_scheme="gray",
                class_name="unread-count",
            ),
            rx.button(
                "Mark all read",
                variant="soft",
                on_click=NotificationsState.mark_all_read,
                disabled=NotificationsState.unread == 0,
            ),
            align="center",
            spacing="3",
        ),
    )
