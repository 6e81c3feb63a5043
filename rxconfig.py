"""Reflex configuration. Every field can be overridden with REFLEX_<FIELD> in the environment."""

import reflex as rx

from dashboard.serving import respawn_failed_workers

# A backend worker that dies is replaced rather than taking the whole app down with it.
respawn_failed_workers()

config = rx.Config(
    app_name="dashboard",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", gray_color="slate"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
