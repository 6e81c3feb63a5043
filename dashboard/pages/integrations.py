"""Admins connect vendors: paste a key, pick the region, see it checked and healthy."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import focus_returns, only_for, page_frame, question_answers, refusal
from dashboard.pages import page
from dashboard.services.views import Choice, EventView, FieldView, IntegrationView, VendorView, sync_choices
from dashboard.states.auth import AuthState
from dashboard.states.integrations import CONNECT_DIALOG, CONNECT_REGION, REVEALED_SECRET, REVEALED_URL
from dashboard.states.integrations import IntegrationsState as S


def _fact(label: str, value, **props) -> rx.Component:
    return rx.hstack(
        # As wide as the longest label ("Webhooks not applied yet"): its value stood out of line.
        rx.text(label, size="1", color_scheme="gray", min_width="165px"),
        rx.text(value, size="1", **props),
    )


def _when(value: rx.Var) -> rx.Var:
    return rx.cond(value != "", value, "never")


def _audit(entry: EventView) -> rx.Component:
    return rx.text(
        entry.at,
        " · ",
        entry.actor,
        ": ",
        entry.summary,
        size="1",
        color_scheme="gray",
        overflow_wrap="anywhere",  # a name or setting with no space in it stays inside the card
    )


def _copy(label: rx.Var[str], on_click) -> rx.Component:
    return rx.icon_button(
        rx.icon("copy", size=12), size="1", variant="soft", aria_label=label, on_click=on_click
    )


def _url_in_lines(url: rx.Var[str]) -> rx.Component:
    """A URL that may go onto a new line after a "/" of its path, as a printed URL does.

    ``<wbr>`` marks the places (it adds nothing to the text copied); the scheme and host
    are never split at their "//". A browser breaks after the "?" of its own accord, and
    anywhere only as the last resort, for a revealed token longer than the line.
    """
    return rx.foreach(
        url.split("/"),
        lambda piece, at: rx.fragment(rx.cond(at > 0, "/", ""), rx.cond(at > 2, rx.el.wbr()), piece),
    )


def _webhook(conn: IntegrationView) -> rx.Component:
    """The URL to paste at the vendor, on a line of its own under its label and buttons.

    Beside the label on a phone it had 120 px, and was broken anywhere ("http://localhost:4"
    above "2275/api/webhooks/"); the card's whole width fits it in a line or two.
    """
    revealed = S.revealed_id == conn.id
    return rx.vstack(
        rx.hstack(
            rx.text("Webhook URL", size="1", color_scheme="gray", min_width="130px"),
            rx.cond(
                revealed,
                rx.hstack(
                    _copy(
                        "Copy webhook URL of " + conn.name,
                        [rx.set_clipboard(REVEALED_URL.value), rx.toast.info("Webhook URL copied.")],
                    ),
                    rx.button(
                        "Hide",
                        size="1",
                        variant="ghost",
                        on_click=S.hide_webhook,
                        aria_label="Hide the webhook of " + conn.name,
                    ),
                ),
                rx.button(
                    "Reveal",
                    size="1",
                    variant="ghost",
                    on_click=S.reveal_webhook(conn.id),
                    aria_label="Reveal the webhook of " + conn.name,
                ),
            ),
            align="center",
        ),
        rx.code(
            _url_in_lines(rx.cond(revealed, REVEALED_URL.value, conn.webhook_url_masked)),
            size="1",
            class_name="webhook-url",
            overflow_wrap="anywhere",
        ),
        spacing="1",
        width="100%",
    )


def _webhook_secret(conn: IntegrationView) -> rx.Component:
    """The secret a signing vendor (CodeSignal) asks the admin to paste beside the URL.

    Under its label, as the URL is: squeezed beside "(Secret key at the vendor)" on a phone,
    a revealed secret was broken in four.
    """
    revealed = S.revealed_id == conn.id
    return rx.cond(
        conn.webhook_secret_label != "",
        rx.vstack(
            rx.hstack(
                rx.text("Webhook secret", size="1", color_scheme="gray", min_width="130px"),
                rx.cond(
                    revealed,
                    _copy(
                        "Copy webhook secret of " + conn.name,
                        [rx.set_clipboard(REVEALED_SECRET.value), rx.toast.info("Webhook secret copied.")],
                    ),
                ),
                rx.text("(", conn.webhook_secret_label, " at the vendor)", size="1", color_scheme="gray"),
                align="center",
            ),
            rx.code(
                rx.cond(revealed, REVEALED_SECRET.value, "\u2022\u2022\u2022\u2022\u2022\u2022"),
                size="1",
                class_name="webhook-secret",
                overflow_wrap="anywhere",  # only a secret longer than the card's width
                # Hidden, one row of dots: broken on a phone ("••••" above "••") it read as two values.
                white_space=rx.cond(revealed, "normal", "nowrap"),
            ),
            spacing="1",
            width="100%",
        ),
    )


def _sync_every(conn: IntegrationView) -> rx.Component:
    """How often Assay checks this connection's open attempts with the vendor."""
    return rx.hstack(
        rx.text("Sync", size="1", color_scheme="gray", min_width="130px"),
        rx.select.root(
            # min_width 0: on a phone the long choice is cut short rather than pushing past the card
            rx.select.trigger(
                aria_label="How often to sync " + conn.name,
                class_name="sync-every",
                min_width="0",
                flex_shrink="1",
            ),
            rx.select.content(
                *[rx.select.item(label, value=value) for value, label in sync_choices().items()]
            ),
            value=conn.sync_every,
            on_change=lambda value: S.set_sync_every(conn.id, value),
            size="1",
        ),
        align="center",
        width="100%",
    )


def _connection(conn: IntegrationView, vendor: VendorView) -> rx.Component:
    """A connection's card. Each control's name says which connection it is for, after the words
    it shows ("Disconnect CoderPad Screen (EU team)"): "Rename", "Sync now" and "Disconnect" alone,
    in every card, told an admin using a screen reader nothing of which connection they act on."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                # A name without spaces (a URL, an account id) still wraps inside the card.
                rx.text(conn.name, weight="bold", overflow_wrap="anywhere", min_width="0"),
                rx.spacer(),
                rx.badge(
                    conn.health,
                    color_scheme=rx.cond(conn.health == "failing", "red", "green"),
                    variant="soft",
                    high_contrast=True,
                ),
                width="100%",
                align="center",
            ),
            # As the connect dialog offers it: a badge by the name wore the registry's key ("homologation"),
            # and the label, longer, squeezed the name there to a letter a line.
            _fact("Region", conn.region_label, class_name="connection-region"),
            _fact("API key", conn.masked_key),
            _fact("Connected", conn.created_at),
            _fact("Last successful call", _when(conn.last_used_at)),
            _fact("Last webhook", _when(conn.last_webhook_at)),
            _fact(
                "Last sync",
                rx.cond(
                    conn.last_sync_at != "",
                    rx.text(conn.last_sync_at, " · corrected ", conn.last_sync_corrected),
                    "never",
                ),
            ),
            _sync_every(conn),
            _fact("Sent, not finished", conn.open_attempts),
            _fact("Errors (24 h)", conn.errors_24h),
            _fact("Webhooks not applied yet", conn.webhooks_waiting),
            _webhook(conn),
            _webhook_secret(conn),
            # Said on the card: the start's log line naming the pair reached no admin.
            _health_note(conn.same_account, conn.same_account, "copy", "amber", class_name="same-account"),
            _health_note(
                conn.webhook_error, rx.text("Webhooks kept for retry: ", conn.webhook_error), "inbox", "amber"
            ),
            # Not stored, so not retried: the vendor's news is lost until the refusals stop.
            _health_note(conn.webhooks_refused, conn.webhooks_refused, "shield-x", "red"),
            _health_note(
                conn.webhooks_silent,
                conn.webhooks_silent,
                "radio-tower",
                "amber",
                class_name="webhooks-silent",
            ),
            _health_note(conn.last_error, conn.last_error, "triangle-alert", "red"),
            rx.hstack(
                rx.button(
                    "Rotate key or change region",
                    size="1",
                    variant="soft",
                    on_click=_open(
                        "edit " + conn.id.to(str),
                        S.open_dialog(conn.vendor, conn.id, conn.name, conn.region, conn.custom_base_url),
                    ),
                    aria_label="Rotate key or change region of " + conn.name,
                ),
                rx.button(
                    "Rename",
                    size="1",
                    variant="soft",
                    on_click=S.ask_rename(conn.id, conn.name),
                    aria_label="Rename " + conn.name,
                ),
                rx.button(
                    "Sync now",
                    size="1",
                    variant="soft",
                    loading=S.syncing_id == conn.id,
                    on_click=S.sync_now(conn.id),
                    aria_label="Sync now with " + conn.name,
                ),
                rx.button(
                    "Disconnect",
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=S.ask_disconnect(conn.id, conn.name),
                    aria_label="Disconnect " + conn.name,
                ),
                wrap="wrap",
            ),
            rx.cond(
                conn.audit.length() > 0,
                rx.vstack(
                    rx.text("Audit log", size="1", weight="bold"),
                    rx.foreach(conn.audit, _audit),
                    spacing="0",
                    class_name="audit-log",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        _connect_dialog(vendor, conn),
        width="100%",
        class_name="integration-connection",
    )


def _vendor_tile(vendor: VendorView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(vendor.name, size="4", as_="h2"),
                rx.badge(
                    vendor.state,
                    color_scheme=rx.match(vendor.state, ("failing", "red"), ("connected", "green"), "gray"),
                    variant="soft",
                    high_contrast=True,
                ),
                rx.spacer(),
                rx.button(
                    rx.icon("plus", size=14),
                    "Connect",
                    size="1",
                    on_click=_open("new " + vendor.key, S.open_dialog(vendor.key, 0, "", "sandbox", "")),
                    aria_label="Connect " + vendor.name,  # one in every vendor's tile
                ),
                width="100%",
                align="center",
            ),
            rx.text(vendor.key_label, size="1", color_scheme="gray"),
            rx.text(vendor.webhook_setup, size="1", color_scheme="gray"),
            rx.foreach(S.connections, lambda c: rx.cond(c.vendor == vendor.key, _connection(c, vendor))),
            _connect_dialog(vendor),
            spacing="3",
            width="100%",
        ),
        width="100%",
        max_width="460px",  # two tiles a row on a laptop, one on a phone
        class_name="vendor-tile",
    )


def _region_item(region: Choice) -> rx.Component:
    return rx.select.item(region.label, value=region.value)


def _choice_item(choice: str) -> rx.Component:
    return rx.select.item(choice, value=choice)


def _extra_field(field: FieldView, options: rx.Var | dict) -> rx.Component:
    """A vendor setting beyond the key (a company or workspace id); one with fixed values is a select.

    ``options``: the connection's settings (a rotation), or none (a new connection).
    """
    given = options.get(field.key, "") if isinstance(options, rx.Var) else ""
    return rx.vstack(
        rx.text(field.label, rx.cond(field.required, "", " (optional)"), size="2", weight="medium"),
        rx.cond(
            field.choices.length() > 0,
            rx.select.root(
                rx.select.trigger(
                    placeholder=rx.cond(field.default != "", field.default + " (the default)", "Not set"),
                    aria_label=field.label,
                ),
                rx.select.content(rx.foreach(field.choices, _choice_item)),
                name="option_" + field.key,
                default_value=given,
            ),
            rx.input(
                name="option_" + field.key,
                default_value=given,
                aria_label=field.label,
                width="100%",
            ),
        ),
        rx.cond(field.help != "", rx.text(field.help, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def _health_note(when: rx.Var[str], said, icon: str, color: str, **props) -> rx.Component:
    """A note on a connection's card, shown while ``when`` holds text: a problem to act on."""
    return rx.cond(
        when != "",
        rx.callout(
            said, icon=icon, color_scheme=color, size="1", width="100%", overflow_wrap="anywhere", **props
        ),
    )


def _cancel_or(submit: rx.Component) -> rx.Component:
    """A dialog's closing row: Cancel, then its own submit button."""
    return rx.hstack(
        rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
        submit,
        justify="end",
        width="100%",
    )


def _open(which: rx.Var[str], opened: rx.event.EventSpec) -> list:
    """A Connect or Rotate button's click: its dialog opens in the browser at once, then the
    server is told (``opened``), so the form is saved for this vendor or connection.

    Opened by the server's answer, the dialog came a few hundred milliseconds after the click on a
    busy server, and what the admin pasted or typed at once went to the page: lost, or, after a
    Tab, into a card's controls.
    """
    return [CONNECT_REGION.set_value(""), CONNECT_DIALOG.set_value(which), opened]


def _connect_dialog(vendor: VendorView, conn: IntegrationView | None = None) -> rx.Component:
    """The connect dialog of a vendor's tile (``conn`` None), or the rotate dialog of a connection.

    Each tile and card has its own, drawn from what the page already holds (the vendor's regions
    and settings, the connection's name, region and masked key), so it opens with the click and
    nothing the server answers afterwards redraws its boxes.
    """
    new = conn is None
    which = "new " + vendor.key if new else "edit " + conn.id.to(str)
    # The region the admin picked, else the one the dialog opened with.
    region = rx.cond(CONNECT_REGION.value != "", CONNECT_REGION.value, "sandbox" if new else conn.region)
    name = (
        rx.input(
            name="name",
            placeholder="e.g. " + vendor.name + " (EU team)",
            aria_label="Connection name",
            width="100%",
        )
        if new
        # A rotation shows the name as words, not as a read-only box: the dialog's first
        # focus (and the first Tab stop) is then the first box the admin can change.
        else rx.text(conn.name, size="2", overflow_wrap="anywhere", class_name="connection-name")
    )
    key_hint = (
        rx.fragment()
        if new
        else rx.text(
            "Leave it empty to keep the current key (",
            conn.masked_key,
            "): the region and settings are checked with the vendor using it. "
            "A move to a custom address needs the key pasted.",
            size="1",
            color_scheme="gray",
            id="kept-key-hint",
        )
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                "Connect " + vendor.name if new else "Rotate key or change region of " + conn.name
            ),
            rx.form(
                rx.vstack(
                    # Which dialog this save is from: one cancelled and then another opened must
                    # not save its boxes into the other (a rotation of one connection given another's key).
                    rx.el.input(type="hidden", name="dialog", value=which),
                    rx.text("Connection name", size="2", weight="medium"),
                    name,
                    rx.text("Region", size="2", weight="medium"),
                    rx.select.root(
                        rx.select.trigger(aria_label="Region"),
                        rx.select.content(rx.foreach(vendor.regions, _region_item)),
                        name="region",
                        value=region,
                        on_change=CONNECT_REGION.set,
                    ),
                    rx.cond(
                        region == "custom",
                        rx.input(
                            name="custom_base_url",
                            default_value="" if new else conn.custom_base_url,
                            placeholder="https://…",
                            aria_label="Custom base URL",
                            width="100%",
                        ),
                    ),
                    rx.foreach(vendor.fields, lambda f: _extra_field(f, {} if new else conn.options)),
                    rx.text("API key", size="2", weight="medium"),
                    rx.vstack(
                        rx.input(
                            name="api_key",
                            type="password",
                            placeholder="Paste the API key" if new else "Paste a new key to rotate it",
                            aria_label="API key",
                            aria_describedby="" if new else "kept-key-hint",
                            auto_complete="off",
                            width="100%",
                        ),
                        key_hint,
                        spacing="1",
                        width="100%",
                    ),
                    refusal(S.form_error),
                    # The spinner alone said nothing of what is waited for, nor that Cancel still works.
                    rx.box(
                        rx.cond(
                            S.saving,
                            rx.text(
                                "Asking ",
                                vendor.name,
                                " to check the key… Cancel connects nothing.",
                                size="2",
                            ),
                        ),
                        role="status",
                    ),
                    _cancel_or(rx.button("Save & close", type="submit", loading=S.saving)),
                    spacing="3",
                ),
                on_submit=S.save,
            ),
            **focus_returns(),
            # Closed by Cancel or Escape only: a click beside it (or on a toast) lost a pasted key,
            # and now withdraws a save under way.
            on_interact_outside=rx.prevent_default,
        ),
        open=CONNECT_DIALOG.value == which,
        on_open_change=[CONNECT_DIALOG.set_value(""), S.set_dialog_open(False)],
    )


def _confirm_disconnect() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(S.confirm_disconnect_title),
            rx.alert_dialog.description(S.confirm_disconnect_text),
            question_answers("Keep it", rx.button("Disconnect", color_scheme="red", on_click=S.disconnect)),
            **focus_returns(),
        ),
        open=S.confirm_disconnect_id != 0,
        on_open_change=S.set_confirm_disconnect_open,
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename the connection"),
            rx.dialog.description("Its key, region and webhook stay as they are.", size="2"),
            rx.form(
                rx.vstack(
                    rx.input(
                        name="name",
                        default_value=S.rename_to,
                        aria_label="New connection name",
                        key=S.renaming_id.to(str),
                        width="100%",
                    ),
                    refusal(S.rename_error),
                    _cancel_or(rx.button("Rename", type="submit")),
                    spacing="3",
                    margin_top="12px",
                ),
                on_submit=S.rename,
                reset_on_submit=False,
            ),
            **focus_returns(),
        ),
        open=S.renaming_id != 0,
        on_open_change=S.set_rename_open,
    )


@page(
    route=routes.INTEGRATIONS,
    title="Integrations · Assay",
    # No job here: the watch follows the connections' health and the navigation's unread count.
    on_load=[AuthState.guard_page, S.load, S.watch],
)
def integrations_page() -> rx.Component:
    return page_frame(
        "Integrations",
        only_for(
            AuthState.can_manage_integrations,
            "Integrations are the admins' page: an admin connects vendors and looks after their keys "
            "and webhooks. Ask an admin if a connection needs changing.",
            _confirm_disconnect(),
            _rename_dialog(),
            rx.text(
                "Paste a vendor's API key; Assay checks it with the vendor before saving it, encrypted.",
                color_scheme="gray",
            ),
            rx.cond(
                S.loaded,
                rx.flex(rx.foreach(S.vendors, _vendor_tile), wrap="wrap", gap="16px", width="100%"),
                rx.spinner(),
            ),
        ),
    )
