"""Encryption at rest for vendor keys and webhook tokens (Fernet, rotatable).

The master keys come from ``ASSAY_MASTER_KEYS`` (comma-separated, newest first) or,
on first start, a key generated into ``<data_dir>/master.key`` readable only by its
owner. MultiFernet decrypts with any listed key and encrypts with the first, so a
master key is rotated by prepending a new one and re-encrypting (``rotate``).
"""

from __future__ import annotations

import functools
import os
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from dashboard.settings import get_settings


def _load_keys() -> list[bytes]:
    settings = get_settings()
    if settings.master_keys.strip():
        return [k.strip().encode() for k in settings.master_keys.split(",") if k.strip()]
    path = settings.data_dir / "master.key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return [path.read_bytes().strip()]


@functools.cache
def _vault() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _load_keys()])


def encrypt(plaintext: str) -> str:
    """Encrypt a secret for storage."""
    return _vault().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a stored secret.

    Raises:
        RuntimeError: The master key that encrypted it is gone (say so, never the secret).
    """
    try:
        return _vault().decrypt(token.encode()).decode()
    except InvalidToken as err:
        raise RuntimeError("A stored secret cannot be decrypted: the master key has changed.") from err


def rotate(token: str) -> str:
    """Re-encrypt a stored secret with the newest master key."""
    return _vault().rotate(token.encode()).decode()


def new_webhook_token() -> str:
    """A fresh unguessable token for a webhook URL."""
    return secrets.token_urlsafe(24)
