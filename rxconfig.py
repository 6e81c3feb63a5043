"""Reflex configuration. Every field can be overridden with REFLEX_<FIELD> in the environment."""

import reflex as rx

config = rx.Config(
    app_name="dashboard",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", gray_color="slate"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
