"""Reflex configuration. Every field can be overridden with REFLEX_<FIELD> in the environment."""

import reflex as rx

from dashboard.serving import respawn_failed_workers
from dashboard.settings import browser_origins, get_settings

# A backend worker that dies is replaced rather than taking the whole app down with it.
respawn_failed_workers()

config = rx.Config(
    app_name="dashboard",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="violet", gray_color="slate"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Only Assay's own pages open its websocket, which the session cookie signs in (and call its
    # API with it). REFLEX_CORS_ALLOWED_ORIGINS replaces the list where a team serves it at
    # another address too (comma-separated origins, ASSAY_PUBLIC_URL's among them).
    cors_allowed_origins=browser_origins(get_settings().public_url),
)
