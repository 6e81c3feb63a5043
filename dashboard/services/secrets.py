"""Encryption at rest for vendor keys and webhook tokens (Fernet, rotatable).

The master keys come from ``ASSAY_MASTER_KEYS`` (comma-separated, newest first) or,
on first start, a key generated into ``<data_dir>/master.key`` readable only by its
owner. MultiFernet decrypts with any listed key and encrypts with the first, so a
master key is rotated by prepending a new one: each start re-encrypts every stored secret
with it (``under_the_newest_key``), after which the old one can be dropped from the list.

A secret that must be compared without being decrypted (the same vendor account connected
twice, refused by a unique index) is stored as a keyed ``fingerprint`` beside its encryption.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
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


def readable(token: str) -> str | None:
    """A stored secret, or None if the master key that encrypted it is gone: for callers that go
    on without it (a rotation pastes the key again; a start, a webhook, a connect say so)."""
    try:
        return decrypt(token)
    except RuntimeError:
        return None


@functools.cache
def _fingerprint_key() -> bytes:
    # Derived from the newest master key, not the key itself: a fingerprint never helps decrypt.
    return hmac.new(_load_keys()[0], b"assay: fingerprint of a stored secret", hashlib.sha256).digest()


def fingerprint(*parts: str) -> str:
    """A keyed digest (HMAC-SHA256, 64 hex characters) of ``parts``, equal for equal parts.

    Keyed by the master key, so whoever holds the database but not the master key cannot test
    guesses of a secret against it, as a bare hash of a short API key would let them do offline.
    It changes with the newest master key: fingerprints are made again at start
    (``integrations.fingerprint_connections``).
    """
    message = "\x00".join(parts).encode()  # a separator no part holds: ("ab", "c") is not ("a", "bc")
    return hmac.new(_fingerprint_key(), message, hashlib.sha256).hexdigest()


def forget_master_keys() -> None:
    """Read the master keys again at the next use (they are read once a process, at start)."""
    _vault.cache_clear()
    _newest.cache_clear()
    _fingerprint_key.cache_clear()


@functools.cache
def _newest() -> Fernet:
    return Fernet(_load_keys()[0])


def under_the_newest_key(token: str) -> str | None:
    """``token`` encrypted again with the newest master key, or None if it is so already (or no
    listed key reads it: left as it is, and said where it is used). Each start passes every stored
    secret through it (``integrations.reencrypt_connections``), so that an older key, once
    listed after a new one, holds nothing after a restart and can be taken off the list."""
    if not token:
        return None
    try:
        _newest().decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return _vault().rotate(token.encode()).decode()
    except InvalidToken:
        return None


def new_webhook_token() -> str:
    """A fresh unguessable token for a webhook URL."""
    return secrets.token_urlsafe(24)
