"""Assay's settings, read once from the environment (``ASSAY_*`` and Reflex's own).

Defaults are the embedded setup: a SQLite file, the local vendor sandbox, demo data.
"""

from __future__ import annotations

import functools
import ipaddress
import pathlib
import urllib.parse
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Typed settings; every field can be set as ``ASSAY_<NAME>``."""

    # A value refused is not repeated in the error: ASSAY_SMTP_URL refused for its password in
    # clear printed that password at start (helper-135).
    model_config = SettingsConfigDict(env_prefix="ASSAY_", extra="ignore", hide_input_in_errors=True)

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
        description="smtp+starttls://user:pass@host:587, smtps://…:465, or smtp://host:25 (no password, "
        "but on this machine); empty keeps mail in the outbox.",
    )
    mail_from: str = "Assay <assay@localhost>"
    stuck_after_hours: float = Field(
        default=48.0, description="No vendor news for this long: the queue's Stuck."
    )
    password_hashing: Literal["strong", "fast"] = Field(
        default="strong",
        description="fast: argon2 at its lowest cost, for the test suite (thousands of users made and "
        "signed in, four processes sharing two cores); never for people's passwords.",
    )

    @field_validator("smtp_url")
    @classmethod
    def _mail_server_spoken_to_safely(cls, url: str) -> str:
        """Refused at start, in words: a scheme the outbox cannot speak (it was taken for plain
        SMTP), or a password sent in clear to a server off this machine."""
        if not url:
            return url
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps"):
            raise ValueError("ASSAY_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
        try:
            parts.port  # noqa: B018 (read: a password holding "#", "/" or "?" breaks the address here)
        except ValueError:
            raise ValueError(
                "ASSAY_SMTP_URL cannot be read: percent-encode any #, /, ? or : in its user name or "
                "password (# as %23, / as %2F, ? as %3F, : as %3A)"
            ) from None  # the parser's words quote the password
        if parts.scheme == "smtp" and parts.username and not on_this_machine(parts.hostname):
            raise ValueError(
                "ASSAY_SMTP_URL would send its password in clear: use smtp+starttls:// or smtps://"
            )
        return url


def on_this_machine(host: str | None) -> bool:
    """Whether an address is this machine's own (a secret sent there crosses no network)."""
    if host in (None, "", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def get_settings() -> Settings:
    """The settings of this process."""
    return Settings()


def browser_origins(public_url: str) -> list[str]:
    """The origins whose pages may open Assay's websocket and call its API with the session cookie
    (Reflex's ``cors_allowed_origins``, "*" by default): the public address's, as a browser writes
    it (scheme and host in lower case, no default port: "https://Assay.example.com:443" is sent as
    "https://assay.example.com"); on this machine its loopback spellings too, one machine to a
    person and three origins to a browser. A page of any other site, a sibling subdomain's included
    (to which a SameSite=Lax cookie is still sent), is refused the websocket, where the cookie would
    have signed it in as the person visiting it."""
    parts = urllib.parse.urlsplit(public_url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = "" if parts.port in (None, {"http": 80, "https": 443}.get(scheme)) else f":{parts.port}"
    hosts = {host} | ({"localhost", "127.0.0.1", "::1"} if on_this_machine(host) else set())
    return sorted(f"{scheme}://{f'[{h}]' if ':' in h else h}{port}" for h in hosts)  # IPv6 in brackets


def served_over_https(public_url: str) -> bool:
    """Whether people open Assay over HTTPS (its cookie then Secure, and ``__Host-`` named)."""
    return urllib.parse.urlsplit(public_url.strip()).scheme.lower() == "https"


def session_cookie(public_url: str) -> str:
    """The session cookie's name: ``__Host-`` first where Assay is served over HTTPS, which the
    browser keeps only as set by Assay's own host (a sibling subdomain cannot set one beside it)."""
    return "__Host-assay_session" if served_over_https(public_url) else "assay_session"


def from_assays_pages(origin: str) -> bool:
    """Whether a request's ``Origin`` is one of Assay's pages (``browser_origins`` of the public
    address, and any other the installation allows in ``REFLEX_CORS_ALLOWED_ORIGINS``)."""
    return origin in {*browser_origins(get_settings().public_url), *_origins_allowed_by_reflex()} - {"*"}


@functools.cache
def _origins_allowed_by_reflex() -> tuple[str, ...]:
    """Reflex's ``cors_allowed_origins``, read once: ``get_config`` loads rxconfig.py again in
    each thread that has not (a millisecond or more, on every event of every page)."""
    from reflex.config import get_config  # Reflex reads rxconfig.py, which reads these settings

    return tuple(get_config().cors_allowed_origins)
