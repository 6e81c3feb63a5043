"""The page frame: navigation on the left and content on the right; on a phone, navigation across the top."""

from __future__ import annotations

import reflex as rx

from dashboard import routes
from dashboard.states.auth import AuthState
from dashboard.states.unread import UnreadState


def _in_section(href: str, under: tuple[str, ...]) -> bool:
    """Whether the page being drawn is ``href``, or one under a path of ``under`` (a job's board,
    plan and review are under Jobs, as is a candidate's page). Known as each page is drawn."""
    here = routes.DRAWING.get()
    return here == href or any(here.startswith(path + "/") for path in under)


def _nav_link(
    label: str, href: str, icon: str, *extra: rx.Component, under: tuple[str, ...] = (), **props
) -> rx.Component:
    """A navigation link, marked (``aria-current``, a grey ground) while its page, or one under it,
    is open: nothing said where one was, to the eye or to a screen reader."""
    current = _in_section(href, under)
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2"), *extra, align="center", spacing="2"),
        href=href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding="6px 10px",
        border_radius="6px",
        _hover={"background": rx.color("gray", 5 if current else 3)},  # the open one darker still
        background=rx.color("gray", 4) if current else "transparent",
        aria_current="page" if current else "false",
        **props,
    )


def _notifications_link() -> rx.Component:
    """Notifications, with how many the signed-in person has not read, kept live by the page's watch.

    The link's name says it in words ("Notifications, 3 unread"), which a screen reader reads
    in place of the badge's bare number.
    """
    return _nav_link(
        "Notifications",
        routes.NOTIFICATIONS,
        "bell",
        rx.cond(
            UnreadState.count > 0,
            rx.badge(
                UnreadState.badge,
                color_scheme="red",
                variant="solid",
                high_contrast=True,
                radius="full",
                class_name="unread-badge",
            ),
        ),
        aria_label=UnreadState.label,
    )


# Below a tablet's width the navigation is a bar across the top and the page takes the whole
# width: as a column beside the page it left a phone 190 px for a board or a review table.
_NARROW, _WIDE = "initial", "sm"


# A select box showing a name picked (a job's title, a stage's name) cuts it short past this: a
# title may run to 200 characters and a stage's name to 120, and the box grew to hold it all,
# pushing the page past the window's edge on a phone.
PICKED_NAME_WIDTH = "min(320px, 100%)"


def page_frame(title: str, *children: rx.Component, actions: rx.Component | None = None) -> rx.Component:
    """A page with Assay's navigation and a title bar."""
    return rx.flex(
        rx.flex(
            # The product's name, not a heading: the page's title is its one top-level heading.
            rx.text(
                "Assay",
                size="5",
                weight="bold",
                padding_x="10px",
                padding_bottom=rx.breakpoints(initial="0", sm="12px"),
            ),
            _nav_link("Jobs", routes.HOME, "briefcase", under=("/jobs", "/applications")),
            _nav_link("Queue", routes.QUEUE, "list-todo"),
            _notifications_link(),
            rx.cond(AuthState.user_role == "admin", _nav_link("Integrations", routes.INTEGRATIONS, "plug")),
            rx.cond(AuthState.user_role == "admin", _nav_link("Users", routes.USERS, "users")),
            rx.cond(AuthState.user_role == "admin", _nav_link("Settings", routes.SETTINGS, "settings")),
            rx.spacer(),
            rx.flex(
                rx.text(AuthState.user_name, size="2", weight="medium", display=_wide_only()),
                rx.text(
                    AuthState.user_role.replace("_", " "), size="1", color_scheme="gray", display=_wide_only()
                ),
                # Everyone's, by their name: an invite's generated first password (or an admin's
                # new one) otherwise stayed in use for good, as handed over.
                rx.link(
                    "Change my password",
                    href=routes.ACCOUNT,
                    aria_current="page" if routes.DRAWING.get() == routes.ACCOUNT else "false",
                    size="1",
                    color_scheme="gray",
                    high_contrast=True,
                ),
                rx.button(
                    "Sign out", size="1", variant="soft", color_scheme="gray", on_click=AuthState.sign_out
                ),
                direction="column",
                align="start",
                padding_x="10px",
                spacing="1",
            ),
            direction={_NARROW: "row", _WIDE: "column"},
            wrap={_NARROW: "wrap", _WIDE: "nowrap"},
            align={_NARROW: "center", _WIDE: "stretch"},
            width=rx.breakpoints(**{_NARROW: "100%", _WIDE: "200px"}),
            min_width=rx.breakpoints(**{_NARROW: "0", _WIDE: "200px"}),
            height=rx.breakpoints(**{_NARROW: "auto", _WIDE: "100vh"}),
            padding=rx.breakpoints(**{_NARROW: "8px", _WIDE: "16px 8px"}),
            border_right=rx.breakpoints(**{_NARROW: "none", _WIDE: f"1px solid {rx.color('gray', 5)}"}),
            border_bottom=rx.breakpoints(**{_NARROW: f"1px solid {rx.color('gray', 5)}", _WIDE: "none"}),
            background=rx.color("gray", 2),
            position=rx.breakpoints(**{_NARROW: "static", _WIDE: "sticky"}),
            top="0",
            spacing="1",
            # Landmarks: a screen reader lists them and jumps past the navigation to the page.
            role="navigation",
            aria_label="Main",
        ),
        rx.vstack(
            rx.hstack(
                # A title without a space to break at (a candidate called Wolfeschlegelsteinhausen-
                # bergerdorff) breaks anywhere rather than widen the page past a phone's edge.
                rx.heading(title, size="6", overflow_wrap="anywhere", min_width="0"),
                rx.spacer(),
                actions or rx.fragment(),
                width="100%",
                wrap="wrap",
            ),
            *children,
            width="100%",
            padding=rx.breakpoints(**{_NARROW: "12px", _WIDE: "20px 24px"}),
            spacing="4",
            min_width="0",
            role="main",
            tab_index=-1,  # focusable by a dialog closing, not a Tab stop
            _focus={"outline": "none"},
        ),
        direction={_NARROW: "column", _WIDE: "row"},
        spacing="0",
        align="start",
        width="100%",
    )


def _wide_only():
    """Shown beside the page only, not in a phone's top bar."""
    return rx.breakpoints(**{_NARROW: "none", _WIDE: "block"})


def status_chip(label: rx.Var, tone: rx.Var) -> rx.Component:
    """An assessment status as a coloured badge (nothing when there is no status)."""
    return rx.cond(
        label != "",
        rx.badge(label, color_scheme=tone, variant="soft", radius="full", high_contrast=True),
        rx.fragment(),
    )


def counted(count: rx.Var, noun: str, plural: str = "") -> rx.Var:
    """A count and the noun it takes, as the services' ``wording.counted`` words it: "1 warning"."""
    return rx.cond(count == 1, f"1 {noun}", count.to(str) + f" {plural or noun + 's'}")


def table_region(label: str | rx.Var, *rows: rx.Component, **props) -> rx.Component:
    """A table in a box of its own named ``label``, which scrolls it sideways in a window narrower
    than the table. The box is a region one tabs to and scrolls with the arrow keys (axe:
    scrollable-region-focusable): Radix's scroll area around a table had no Tab stop unless a row
    held a link, and a screen reader said nothing of what it held."""
    return rx.box(
        rx.table.root(*rows, **props),
        role="region",
        aria_label=label,
        tab_index=0,
        class_name="table-region",
        width="100%",
    )


def link_button(icon: str, label, href, *, external: bool = False, icon_size: int = 16) -> rx.Component:
    """A link drawn as a button: one stop for the Tab key, announced as the link it is.

    A button inside a link was two stops, the inner one a button that does nothing itself.
    An external one (a vendor's report) opens in a tab that cannot reach this one, in every browser.
    """
    cut_off = {"rel": "noopener noreferrer"} if external else {}
    return rx.button(
        rx.link(
            rx.icon(icon, size=icon_size), label, href=href, is_external=external, underline="none", **cut_off
        ),
        variant="soft",
        as_child=True,
    )


def refusal(message: rx.Var, **props) -> rx.Component:
    """Why a form was refused, read out at once (an alert), wrapped (it may name a long address)."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle-alert",
            color_scheme="red",
            role="alert",
            overflow_wrap="anywhere",
            **props,
        ),
    )


def page_refusal(message: rx.Var | str) -> rx.Component:
    """Why this page shows nothing to this user (a job not theirs, a page of another role's), in place of it."""
    return rx.callout(message, icon="triangle-alert", color_scheme="red", class_name="page-refusal")


def job_refusal(message: rx.Var | str) -> rx.Component:
    """Why a job's page (its board, plan or review) shows nothing, and the way back: the jobs list.

    Not the job's other pages: they refuse alike (the plan offered "Back to the board" to a
    hiring manager off the job's team, and the board offered no way out but the menu).
    """
    return rx.vstack(page_refusal(message), rx.link("Back to the jobs", href=routes.HOME), spacing="3")


def only_for(allowed: rx.Var, message: str, *content: rx.Component) -> rx.Component:
    """``content`` for a user whose role may use it; for anyone else, ``message`` saying whose page it is.

    A spinner until the signed-in user is known, so nobody sees the controls, or the
    refusal, before their role arrives. The page's handlers refuse on the server all the same.
    """
    return rx.cond(
        AuthState.user_role == "",
        rx.spinner(),
        rx.cond(allowed, rx.fragment(*content), page_refusal(message)),
    )


def question_answers(keep, act: rx.Component) -> rx.Component:
    """A confirmation's two answers, the safe one first: ``keep`` closes it, ``act`` does it."""
    return rx.hstack(
        rx.alert_dialog.cancel(rx.button(keep, variant="soft", color_scheme="gray")),
        rx.alert_dialog.action(act),
        justify="end",
        spacing="2",
        margin_top="16px",
    )


# What had the focus when a dialog opened (the button, or the select, that asked for it).
_REMEMBER_OPENER = rx.vars.FunctionStringVar.create(
    "(() => { window.assayDialogOpener = document.activeElement; })"
)
# Back to it on closing, if it is still on the page; if not (a disconnected connection's card, an
# undone rejection's Undo button are gone), to the page's main content, not the top of the page:
# the next Tab goes on from the page, not through the navigation again. Unless the viewer has put
# the focus somewhere already (a box clicked while the dialog faded out, a popover opened, a
# dialog opened after it): taken back to the opener, the Enter meant for that box opened the
# dialog again. Focus that was inside the closed dialog is on the page's body by now.
_FOCUS_OPENER = rx.vars.FunctionStringVar.create(
    "((event) => { const opener = window.assayDialogOpener; window.assayDialogOpener = null;"
    " const now = document.activeElement; const main = document.querySelector('[role=main]');"
    " if (now && now !== document.body && now.isConnected) { event.preventDefault(); }"
    " else if (opener?.isConnected) { event.preventDefault(); opener.focus(); }"
    " else if (main) { event.preventDefault(); main.focus(); } })"
)


# Waits (10 s at most) while the control pressed keeps the focus, then, the focus dropped to the
# page's body, gives it to the element its ``data-focus-after`` names.
_FOCUS_ONCE_LOST = rx.call_script(
    "(() => { const had = document.activeElement; const target = had?.dataset?.focusAfter;"
    " if (!target) return; let tries = 200; const land = () => { const now = document.activeElement;"
    " if (!now || now === document.body) { document.getElementById(target)?.focus(); return; }"
    " if (now === had && tries-- > 0) setTimeout(land, 50); }; setTimeout(land, 50); })()"
)


def focus_once_lost(event, element_id: str | rx.Var) -> dict:
    """A control's props doing ``event`` on a click, then giving the focus to ``element_id``,
    where the outcome is said, once the control went (Mark reviewed, gone once the result is
    reviewed) or was disabled (Mark all read).

    The browser dropped the focus to the page's body: a screen reader said nothing and the next
    Tab started from the top. The focus is taken only from the body, so one who went on
    elsewhere while the answer came keeps their place.
    """
    return {"on_click": [event, _FOCUS_ONCE_LOST], "custom_attrs": {"data-focus-after": element_id}}


def focus_returns() -> dict:
    """A dialog's props giving the focus back to what opened it once it closes (Escape, Cancel, done).

    Radix gives it to its Trigger; these dialogs open from a state var, with no Trigger, so the
    focus fell to the page's top and a keyboard user tabbed back down from the start.
    """
    return {"on_open_auto_focus": _REMEMBER_OPENER, "on_close_auto_focus": _FOCUS_OPENER}


def no_match(said: rx.Component, on_clear) -> rx.Component:
    """A search that matched nothing says what was searched for (``said``), and offers the whole
    list back with **Clear search**, rather than an empty table's header."""
    return rx.callout.root(
        rx.callout.icon(rx.icon("search-x")),
        rx.hstack(
            said,
            rx.button("Clear search", size="1", variant="soft", on_click=on_clear),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        color_scheme="gray",
    )
