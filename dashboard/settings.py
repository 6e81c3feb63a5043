"""Assay's settings, read once from the environment (``ASSAY_*`` and Reflex's own).

Defaults are the embedded setup: a SQLite file, the local vendor sandbox, demo data.
"""

from __future__ import annotations

import functools
import pathlib

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Typed settings; every field can be set as ``ASSAY_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ASSAY_", extra="ignore")

    db_url: str = Field(
        default=f"sqlite:///{ROOT / '.assay' / 'assay.db'}",
        validation_alias="REFLEX_DB_URL",
        description="Reflex's own db_url setting is the one Assay uses.",
    )
    redis_url: str = Field(
        default="",
        validation_alias="REFLEX_REDIS_URL",
        description="Reflex's state manager; Assay keeps each vendor connection's rate budget there too.",
    )
    data_dir: pathlib.Path = ROOT / ".assay"
    public_url: str = "http://localhost:3000"
    sandbox_url: str = "http://127.0.0.1:8700"
    master_keys: str = Field(default="", description="Comma-separated Fernet keys, newest first.")
    poll_seconds: float = 30.0
    vendor_timeout_seconds: float = 10.0
    scheduler_enabled: bool = True
    smtp_url: str = Field(
        default="",
        description="smtp://user:pass@host:port (or smtp+starttls://); empty keeps mail in the outbox.",
    )
    mail_from: str = "Assay <assay@localhost>"
    stuck_after_hours: float = Field(
        default=48.0, description="No vendor news for this long: the queue's Stuck."
    )


@functools.cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()
