"""Connecting vendors: validate the key live, store it encrypted, register the webhook."""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
import logging
import threading
import urllib.parse
from collections.abc import Callable

import httpx
import redis
import sqlalchemy as sa
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from dashboard.services import history, secrets
from dashboard.services.actors import SYSTEM, Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.wording import a_or_an, counted
from dashboard.settings import get_settings, on_this_machine
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Integration,
    IntegrationLog,
    Job,
    Stage,
    StageAssessment,
    WebhookDelivery,
    utcnow,
)
from models.lifecycle import OPEN_STATES
from providers import registry
from providers.base import Capability, ConnectionConfig, Provider, ProviderError, VendorSpec, VendorTest
from providers.budget import BudgetFactory, SharedBudget

log = logging.getLogger(__name__)

# The name column holds 120 characters, and disconnecting appends " (disconnected YYYY-mm-dd HH:MM)"
# (32, a few more with a count: _retired_name): a longer name would not fit the column beside it.
NAME_MAX = 80
# What a connect or rotation cancelled while the vendor was asked ends with: nothing changed.
CANCELLED = "Cancelled while the vendor was asked: nothing was connected or changed."


def webhook_url(integration: Integration) -> str:
    """The URL to give the vendor; the token in it authenticates vendors that do not sign."""
    token = secrets.decrypt(integration.webhook_token_encrypted)
    base = get_settings().public_url.rstrip("/")
    return f"{base}/api/webhooks/{integration.vendor}/{integration.id}?token={token}"


def webhook_secret(integration: Integration) -> str:
    """The secret a signing vendor pastes at its end to sign webhooks with (the URL's token,
    checked both ways); "" for a vendor that does not sign, so it never leaves the server."""
    if not registry.VENDORS[integration.vendor].webhook_secret_label:
        return ""
    return secrets.decrypt(integration.webhook_token_encrypted)


def base_url(integration: Integration) -> str:
    """Where this connection's vendor API lives."""
    spec = registry.VENDORS[integration.vendor]
    return registry.region_base_url(
        spec,
        integration.region,
        sandbox_url=get_settings().sandbox_url,
        custom_url=integration.custom_base_url,
    )


@functools.cache
def shared_redis() -> redis.Redis | None:
    """The Redis every backend worker shares (production mode), or None on one process."""
    url = get_settings().redis_url
    if not url:
        return None
    # No retries of its own: what cannot reach Redis works in-process instead of waiting.
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))


def shared_key(kind: str, integration_id: int) -> str:
    """A connection's key in the shared Redis, named by the database too: two deployments
    sharing one Redis keep their budgets and locks apart."""
    workspace = hashlib.sha256(get_settings().db_url.encode()).hexdigest()[:12]
    return f"assay:{workspace}:{kind}:{integration_id}"


def _budget(integration_id: int) -> BudgetFactory | None:
    """Several workers (Redis set): one rate budget for the connection in Redis; else this process's."""
    client = shared_redis()
    if client is None:
        return None
    return functools.partial(SharedBudget, client, shared_key("vendor-budget", integration_id))


_providers: dict[int, tuple[tuple, Provider]] = {}
_providers_lock = threading.Lock()
_building: dict[int, threading.Lock] = {}  # one build per connection at a time


def provider_for(integration: Integration) -> Provider:
    """The provider speaking for this connection, with its decrypted key and webhook secret.

    One per connection and process, rebuilt when the connection changes: its HTTP
    client (TLS set-up is costly) and its rate budget are shared by the webhooks,
    the sweeps and the clicks, so together they stay under the vendor's rate limit;
    with several workers the budget lives in Redis, shared by all of them. Threads
    that find it missing at once (a burst of webhooks meeting a sweep after a restart
    or a key rotation) wait for one build: each building its own would each spend the
    limit in full, and set up TLS once a thread.
    """
    settings = get_settings()
    fingerprint = (
        integration.vendor,
        integration.region,
        integration.custom_base_url,
        integration.api_key_encrypted,
        integration.webhook_token_encrypted,
        json.dumps(integration.options or {}, sort_keys=True),
        settings.sandbox_url,
        settings.public_url,
        settings.vendor_timeout_seconds,
    )
    with _providers_lock:
        cached = _providers.get(integration.id)
        if cached and cached[0] == fingerprint:
            return cached[1]
        building = _building.setdefault(integration.id, threading.Lock())
    with building:
        with _providers_lock:
            cached = _providers.get(integration.id)
            if cached and cached[0] == fingerprint:
                return cached[1]  # built while this thread waited
        provider = _built(integration)
        with _providers_lock:
            _providers[integration.id] = (fingerprint, provider)
    return provider


def _built(integration: Integration) -> Provider:
    """A new provider for the connection as it stands (its key and webhook secret decrypted)."""
    settings = get_settings()
    return registry.build_provider(
        integration.vendor,
        ConnectionConfig(
            base_url=base_url(integration),
            api_key=secrets.decrypt(integration.api_key_encrypted),
            webhook_url=webhook_url(integration),
            webhook_secret=secrets.decrypt(integration.webhook_token_encrypted),
            options=dict(integration.options or {}),
            timeout=settings.vendor_timeout_seconds,
            budget=_budget(integration.id),
            region=integration.region,
        ),
    )


def _let_go(integration_id: int) -> None:
    """Drop a connection's provider once the connection is gone: kept, its open connections to the
    vendor lasted as long as the process. Not closed here: a sweep or a webhook may be using it."""
    with _providers_lock:
        _providers.pop(integration_id, None)


def _check_name(session: Session, vendor: str, name: str, *, renaming: int | None = None) -> str:
    """The name trimmed: given, short enough for the card, and no other connection's to the vendor."""
    name = name.strip()
    if not name:
        raise UserError("Give the connection a name.")
    if len(name) > NAME_MAX:
        raise UserError(f"A connection name is at most {NAME_MAX} characters.")
    if session.exec(
        select(Integration).where(
            Integration.vendor == vendor, Integration.name == name, Integration.id != renaming
        )
    ).first():
        raise UserError(_name_taken(vendor, name))
    return name


def _name_taken(vendor: str, name: str) -> str:
    said = a_or_an(registry.VENDORS[vendor].display_name)
    return f"{said[:1].upper()}{said[1:]} connection named {name!r} already exists."


def _check_input(
    vendor: str, region: str, custom_base_url: str, api_key: str, *, stored_key: str = ""
) -> str:
    """The key to check with the vendor: the one pasted, or ``stored_key`` (a connection's own) if none was."""
    spec = registry.VENDORS[vendor]
    key = api_key.strip() or stored_key
    if not key:
        raise UserError(f"Paste the {spec.display_name} API key.")
    if any(ch.isspace() for ch in key) or len(key) > 500:
        raise UserError("That does not look like an API key: it has spaces or is far too long.")
    if not (key.isascii() and key.isprintable()):  # a zero-width space or a BOM pasted with it
        raise UserError(
            "That does not look like an API key: it holds a character no key has (an invisible one, "
            "pasted with it?). Copy the key again from the vendor's settings."
        )
    try:
        registry.region_base_url(
            spec, region, sandbox_url=get_settings().sandbox_url, custom_url=custom_base_url.strip()
        )
    except ValueError as err:
        raise UserError(str(err)) from err
    if region == registry.CUSTOM_REGION:
        _check_custom_address(custom_base_url.strip())
    return key


def _address_as_kept(region: str, custom_base_url: str) -> str:
    """A custom address as it is stored and compared: its scheme and host in lower case, no "/" at
    its end, so that one account typed two ways is not connected twice (helper-145: CoderPad
    Screen keeps one webhook an account, and the second connection took it over); "" for any
    other region, whatever the form sent."""
    if region != registry.CUSTOM_REGION:
        return ""
    url = custom_base_url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url  # refused, in words, by ``_check_custom_address``
    return urllib.parse.urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, parts.fragment)
    )


def _check_custom_address(url: str) -> None:
    """A custom address is a plain web address: no password in it, which would be stored, shown
    to every admin and quoted in every error (helper-145), and one that can carry a key.

    Raises:
        UserError: What is wrong with it, in words an admin can act on.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (read: a port that is no number raises here)
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as err:
        # Not the parser's words, which may quote the address, password and all.
        raise UserError(
            "The custom base URL is not a web address Assay can call: check its host and port."
        ) from err
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UserError(
            "A custom base URL holds no user name, password, ?query or #part: the vendor's key is "
            "what Assay signs in with, and the address is shown to every admin."
        )
    if not _safe_for_a_key(parts):
        raise UserError(
            "A custom base URL must start with https:// (http:// only on this machine: localhost or a "
            "loopback address such as 127.0.0.1): the API key travels with every call."
        )


def _safe_for_a_key(parts: urllib.parse.SplitResult) -> bool:
    """Whether a custom address may carry a key: encrypted on its way, or never leaving the machine."""
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and bool(parts.hostname) and on_this_machine(parts.hostname)


def _check_not_connected(
    session: Session,
    vendor: str,
    key: str,
    region: str,
    custom_base_url: str,
    *,
    other_than: int | None = None,
) -> None:
    """Refuse a key another live connection to the vendor's same region holds: the same account
    connected twice (another region, or another custom address, is another deployment).

    A vendor keeping one webhook per account (CoderPad Screen) moves it to the newer connection,
    and the older one's results then arrive there, as results Assay cannot match; both sweep the
    account, each spending the vendor's whole rate limit. Keys are stored encrypted with a fresh
    nonce, so each is decrypted to compare: an admin has a handful of connections per vendor.
    Two admins passing this check at the same moment meet the database's index on the account
    (``_account``) instead, and are told alike (``_taken_meanwhile``).
    """
    other = _holder(session, vendor, key, region, custom_base_url, other_than=other_than)
    if other is not None:
        raise _already_connected(vendor, other)


def _holder(
    session: Session, vendor: str, key: str, region: str, custom_base_url: str, *, other_than: int | None
) -> Integration | None:
    """The live connection holding ``key`` at the vendor's ``region`` (and custom address), if any."""
    for other in session.exec(
        select(Integration).where(
            Integration.vendor == vendor,
            Integration.region == region,
            Integration.custom_base_url == custom_base_url.strip(),
            Integration.disconnected_at.is_(None),  # type: ignore[union-attr]
            Integration.id != other_than,
        )
    ):
        if secrets.readable(other.api_key_encrypted) == key:  # one unreadable is compared by its fingerprint
            return other
    return None


def _already_connected(vendor: str, other: Integration) -> UserError:
    return UserError(
        f"This key is already connected as {other.name!r}: a second connection to the same "
        f"{registry.VENDORS[vendor].display_name} account would take its webhooks. Use that "
        "connection, or paste the key of another account."
    )


def _account(vendor: str, region: str, custom_base_url: str, key: str) -> str:
    """The account a connection reaches, for the database's one live connection per account
    (``uq_integration_account``): what ``_check_not_connected`` compares, as a keyed digest."""
    return secrets.fingerprint(vendor, region, custom_base_url.strip(), key)


def _taken_meanwhile(
    session: Session, vendor: str, key: str, region: str, custom_base_url: str, *, other_than: int | None
) -> UserError | None:
    """After the vendor was asked: the account's refusal if a colleague's connection to it was made
    meanwhile (its webhook given back), None if not (a write the database refused was then about
    something else, the name)."""
    other = _holder(session, vendor, key, region, custom_base_url, other_than=other_than)
    if other is None:
        return None
    _give_back_webhook(other)
    return _already_connected(vendor, other)


def _give_back_webhook(holder: Integration) -> None:
    """Point the account's webhook at the connection that holds it again: the refused one registered
    its own before it was refused, and a vendor keeping one webhook per account (CoderPad Screen)
    sent the holder's results to a connection that no longer exists."""
    provider = provider_for(holder)
    if Capability.WEBHOOK not in provider.capabilities:
        return
    try:
        provider.register_webhook()
    except ProviderError as err:  # the sweep still finds the results; the admin can reconnect to mend it
        log.warning(
            "could not point the webhook back at connection %s (%s): %s", holder.id, holder.vendor, err
        )


def _check_options(vendor: str, options: dict[str, str] | None) -> dict[str, str]:
    """The vendor's extra settings, trimmed; a required one missing is named."""
    spec = registry.VENDORS[vendor]
    given = {k: str(v).strip() for k, v in (options or {}).items()}
    cleaned = {}
    for field in spec.extra_fields:
        value = given.get(field.key, "")
        if field.required and not value:
            raise UserError(f"{spec.display_name} needs the {field.label}.")
        if len(value) > 200:
            raise UserError(f"The {field.label} is far too long.")
        if value and field.choices and value not in field.choices:
            raise UserError(f"The {field.label} is one of: {', '.join(field.choices)}.")
        if value:
            cleaned[field.key] = value
    return cleaned


def audit(session: Session, integration_id: int, actor: Actor, message: str) -> None:
    """A line in the connection's audit log, on the integrations page (in the caller's transaction)."""
    session.add(
        IntegrationLog(
            integration_id=integration_id, kind="audit", actor_label=actor.label, message=message[:500]
        )
    )


def _masked(last4: str) -> str:
    return f"\u2022\u2022\u2022\u2022{last4}"


def _check_with_vendor(session: Session, integration: Integration) -> None:
    """Validate the key and register the webhook, or undo everything and say why.

    Asked on a provider of its own, closed after: one cached in the connection's place (``provider_for``)
    put the working one aside for a key the vendor may refuse, and was never closed.
    """
    provider = _built(integration)
    try:
        provider.validate_key()
        if Capability.WEBHOOK in provider.capabilities:
            provider.register_webhook()
    except ProviderError as err:
        session.rollback()
        raise UserError(str(err)) from err
    finally:
        provider.close()
    integration.last_used_at = utcnow()
    integration.last_error = None


def connect(
    *,
    session: Session,
    vendor: str,
    name: str,
    region: str,
    custom_base_url: str,
    api_key: str,
    options: dict[str, str] | None = None,
    actor: Actor = SYSTEM,
    withdrawn: Callable[[], bool] = lambda: False,
) -> Integration:
    """A new connection, saved only if the vendor accepts the key.

    The key is checked live and the webhook registered before the connection is shown or
    used, so a rejected key or an unreachable vendor leaves nothing half-saved. The vendor is
    asked with no write open: the connection's row (its id is part of the webhook URL the
    vendor is given) is written first, hidden as disconnected under a name nobody uses, and
    named and shown once the vendor accepts. Holding that write through a slow vendor's
    answer kept every other writer waiting on SQLite's lock, the scheduler's failing.
    ``withdrawn()`` true once the vendor has answered (the admin cancelled while it was asked):
    the hidden row goes, key and all, whatever the vendor said.

    Raises:
        UserError: Bad input, a name already in use, the vendor's refusal in words an admin can act on,
            or ``CANCELLED``.
    """
    if vendor not in registry.VENDORS:
        raise UserError(f"Assay cannot connect to {vendor!r}.")
    custom_base_url = _address_as_kept(region, custom_base_url)
    name = _check_name(session, vendor, name)
    key = _check_input(vendor, region, custom_base_url, api_key)
    _check_not_connected(session, vendor, key, region, custom_base_url)
    extra = _check_options(vendor, options)
    if withdrawn():  # cancelled before its turn came: nothing written, the vendor not asked
        raise UserError(CANCELLED)
    integration = Integration(
        vendor=vendor,
        name=f"{name} (connecting {secrets.new_webhook_token()[:8]})",
        region=region,
        custom_base_url=custom_base_url.strip(),
        api_key_encrypted=secrets.encrypt(key),
        api_key_last4=key[-4:],
        account_fingerprint=_account(vendor, region, custom_base_url, key),
        webhook_token_encrypted=secrets.encrypt(secrets.new_webhook_token()),
        options=extra,
        disconnected_at=utcnow(),
    )
    session.add(integration)
    session.commit()
    try:
        _check_with_vendor(session, integration)
        if withdrawn():
            # Its webhook, registered for this one, goes back to a connection holding the account.
            _taken_meanwhile(session, vendor, key, region, custom_base_url, other_than=None)
            raise UserError(CANCELLED)
        # Asked again now: a colleague may have connected the same account while the vendor answered.
        if taken := _taken_meanwhile(session, vendor, key, region, custom_base_url, other_than=None):
            raise taken
        integration.name, integration.disconnected_at = name, None
        where = _region_said(registry.VENDORS[vendor], region, integration.custom_base_url)
        audit(session, integration.id, actor, f"Connected. Region: {where}; key {_masked(key[-4:])}.")
        session.add(integration)
        session.commit()
    except sa.exc.IntegrityError:  # another admin connected that name or account while the vendor answered
        session.rollback()
        _forget(session, integration)
        taken = _taken_meanwhile(session, vendor, key, region, custom_base_url, other_than=None)
        raise (taken or UserError(_name_taken(vendor, name))) from None
    except UserError:
        _forget(session, integration)
        raise
    except Exception:  # a fault of ours or the database's: the hidden row, key and all, goes too
        session.rollback()
        _forget(session, integration)
        raise
    log.info("integration %s (%s) connected", integration.id, vendor)
    return integration


def _forget(session: Session, integration: Integration) -> None:
    """Delete a connection that was not made (refused by the vendor, a name or account taken
    meanwhile, or a fault), before anything but its own row was written. A worker killed while
    the vendor answers leaves the row, hidden (disconnected, "(connecting …)" in its name), for
    ``forget_abandoned_connections``."""
    session.delete(integration)
    session.commit()
    _let_go(integration.id)


# A connect asks the vendor twice (the key, the webhook), each call tried up to three times within the
# vendor timeout (10 s by default) and a short wait: one still connecting after this was abandoned.
ABANDONED_AFTER = datetime.timedelta(minutes=10)


def forget_abandoned_connections(session: Session) -> int:
    """Delete the connections a killed worker left half-made; returns how many.

    ``connect`` writes the row, hidden and holding the encrypted key, before asking the vendor, and
    deletes it itself when the vendor refuses; a worker killed while the vendor answered never
    does, and the key stayed in the database for good. A row still connecting long after any
    vendor could answer (``ABANDONED_AFTER``, or ten vendor timeouts if those are longer) is gone
    for good; a younger one may be a connect in progress and is kept. Nothing else points at it:
    webhooks to a hidden connection are refused, and its audit log starts once it is made.
    """
    timeout = datetime.timedelta(seconds=10 * get_settings().vendor_timeout_seconds)
    before = utcnow() - max(ABANDONED_AFTER, timeout)
    abandoned = session.exec(
        select(Integration).where(
            Integration.disconnected_at.is_not(None),  # type: ignore[union-attr]
            Integration.api_key_encrypted != "",  # a disconnected connection's key is erased
            Integration.name.contains(" (connecting "),  # type: ignore[attr-defined]
            Integration.created_at < before,
        )
    ).all()
    for integration in abandoned:
        log.info(
            "forgetting connection %s (%s): its connect never finished", integration.id, integration.vendor
        )
        session.delete(integration)
    session.commit()
    return len(abandoned)


def reencrypt_connections(session: Session) -> int:
    """Encrypt every connection's key and webhook token again with the newest master key, where an
    older one encrypted it; returns how many connections changed. Run at start, before
    ``fingerprint_connections`` (helper-145: a master key prepended was used for new secrets only,
    the old one could never be retired).

    Each row is written only while it holds what was read (helper-146: a worker of another host,
    serving already, may rotate or disconnect it meanwhile, and its change stands).
    """
    changed = 0
    for integration_id, key_was, token_was in session.exec(
        sa.select(Integration.id, Integration.api_key_encrypted, Integration.webhook_token_encrypted)
    ).all():
        key = secrets.under_the_newest_key(key_was)
        token = secrets.under_the_newest_key(token_was)
        if key is None and token is None:
            continue
        changed += session.exec(
            sa.update(Integration)
            .where(
                Integration.id == integration_id,
                Integration.api_key_encrypted == key_was,
                Integration.webhook_token_encrypted == token_was,
            )
            .values(api_key_encrypted=key or key_was, webhook_token_encrypted=token or token_was)
            .execution_options(synchronize_session=False)
        ).rowcount
    session.commit()
    log.info("re-encrypted %s connections' secrets with the newest master key", changed)
    return changed


def tidy_custom_addresses(session: Session) -> int:
    """Store every connection's custom address as ``_address_as_kept`` has it; returns how many
    changed. Run at start, before ``fingerprint_connections``, which makes their fingerprints again
    (helper-146: one saved before, "https://Proxy.example/api/", was another account to the check,
    and its edit dialog read as a move to a new address)."""
    changed = 0
    for integration in session.exec(select(Integration)).all():
        kept = _address_as_kept(integration.region, integration.custom_base_url)
        if kept != integration.custom_base_url:
            integration.custom_base_url = kept
            session.add(integration)
            changed += 1
    session.commit()
    return changed


def fingerprint_connections(session: Session) -> int:
    """Give each live connection the fingerprint of its account; returns how many changed. Run at start.

    The migration that added them could not (keyed by the master key, which lives outside the
    database), and they change with the newest master key, so each start makes any missing or
    stale one. An account connected twice before the check existed keeps its first connection's
    (or the one already holding it); the other is left without one, named in the log and on both
    cards of the integrations page (``sharing_an_account``), and given it once the holder is
    disconnected (``_account_goes_on``).
    """
    wanted: dict[int, str | None] = {}
    rows = session.exec(
        select(Integration)
        .where(Integration.disconnected_at.is_(None), Integration.api_key_encrypted != "")  # type: ignore[union-attr]
        .order_by(Integration.id)
    ).all()
    for integration in rows:
        try:
            key = secrets.decrypt(integration.api_key_encrypted)
        except RuntimeError as err:
            # Its master key is gone: it cannot be used anyway, and must not stop a start. A
            # fingerprint it holds stays its own, not given to another connection of that account.
            wanted[integration.id] = integration.account_fingerprint
            log.warning("The connection %r has no fingerprint: %s", integration.name, err)
            continue
        wanted[integration.id] = _account(
            integration.vendor, integration.region, integration.custom_base_url, key
        )
    holders: dict[str, Integration] = {}
    # The one already holding a fingerprint keeps it: giving it to another first would break the index.
    for integration in sorted(rows, key=lambda i: i.account_fingerprint != wanted.get(i.id)):
        account = wanted.get(integration.id)
        if account is None:
            continue
        if account in holders:
            first = holders[account]
            log.warning(
                "The %s connections %r and %r reach the same account: disconnect one of them.",
                registry.VENDORS[integration.vendor].display_name,
                *sorted([first.name, integration.name]),
            )
            wanted[integration.id] = None
        else:
            holders[account] = integration
    changed = 0
    for integration in rows:
        if integration.id in wanted and integration.account_fingerprint != wanted[integration.id]:
            integration.account_fingerprint = wanted[integration.id]
            session.add(integration)
            changed += 1
    try:
        session.commit()
    except sa.exc.IntegrityError as err:  # whatever the rows hold, a start is not stopped by it
        session.rollback()
        log.warning("Connections' account fingerprints were not all made: %s", err.orig)
        return 0
    return changed


def sharing_an_account(connections: list[Integration]) -> dict[int, list[Integration]]:
    """Each of ``connections`` (the live ones) reaching an account another of them reaches too, by
    id, with those others: what its card on the integrations page warns of.

    The database keeps new connects from doubling an account, but one connected twice before the
    check existed, or under two master keys, is only found at start, which leaves the second
    without a fingerprint (``fingerprint_connections``). Only those are decrypted, so a page load
    costs nothing more while every connection holds its own; a key whose master key is gone is
    passed over (its connection cannot be used anyway).
    """
    by_account: dict[str, list[Integration]] = {}
    for integration in connections:
        account = integration.account_fingerprint
        if account is None and integration.api_key_encrypted:
            account = _readable_account(integration)
        if account is not None:
            by_account.setdefault(account, []).append(integration)
    return {
        integration.id: [other for other in group if other is not integration]
        for group in by_account.values()
        if len(group) > 1
        for integration in group
    }


def _account_goes_on(session: Session, gone: Integration, account: str) -> None:
    """Another live connection reaching the account ``gone`` reached (connected twice before the
    check existed) carries on with it: it is given the account's fingerprint if ``gone`` held it
    (until the next start nothing else held the account against a colleague's connect racing the
    check), and the account's webhook, which pointed at ``gone`` if it registered last (CoderPad
    Screen keeps one per account). After the disconnect's own commit, so nothing here undoes it.
    """
    survivor = None
    for other in session.exec(
        select(Integration)
        .where(
            Integration.vendor == gone.vendor,
            Integration.region == gone.region,
            Integration.custom_base_url == gone.custom_base_url,
            Integration.disconnected_at.is_(None),  # type: ignore[union-attr]
            sa.or_(
                Integration.account_fingerprint.is_(None),  # type: ignore[union-attr]
                Integration.account_fingerprint == account,
            ),
            Integration.api_key_encrypted != "",
        )
        .order_by(Integration.id)
    ):
        if other.account_fingerprint == account or _readable_account(other) == account:
            survivor = other
            break
    if survivor is None:
        return
    if survivor.account_fingerprint is None:
        # Only if it still reaches the account: a colleague may have rotated its key or
        # disconnected it since it was read.
        handed = session.exec(
            sa.update(Integration)
            .where(
                Integration.id == survivor.id,
                Integration.disconnected_at.is_(None),  # type: ignore[union-attr]
                Integration.account_fingerprint.is_(None),  # type: ignore[union-attr]
                Integration.api_key_encrypted == survivor.api_key_encrypted,
            )
            .values(account_fingerprint=account)
        )
        try:
            session.commit()
        except sa.exc.IntegrityError as err:  # taken meanwhile: the next start names the pair
            session.rollback()
            log.warning("The account of connection %r was not handed on: %s", survivor.name, err.orig)
            return
        if handed.rowcount != 1:
            return
    _give_back_webhook(survivor)


def _readable_account(integration: Integration) -> str | None:
    """The fingerprint of the account ``integration``'s key reaches (None: its master key is gone)."""
    if (key := secrets.readable(integration.api_key_encrypted)) is None:
        return None
    return _account(integration.vendor, integration.region, integration.custom_base_url, key)


def _region_said(spec: VendorSpec, region: str, custom_base_url: str) -> str:
    """A region in the audit log as the connect dialog offers it, a custom one with its address:
    the registry's keys ("region custom \u2192 custom" for a new custom URL) told an admin nothing."""
    label = registry.region_label(spec, region)
    return f"{label} ({custom_base_url})" if region == registry.CUSTOM_REGION else label


def _settings_changed(spec: VendorSpec, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Each setting changed, by the label and values the connect dialog shows: "Settings
    company_id=..., time_unit=seconds" listed every setting by its key, for the one changed."""

    def shown(field, value: str) -> str:
        if value:
            return value
        return f"{field.default} (the default)" if field.default else "none"

    return [
        f"{field.label}: {shown(field, before.get(field.key, ''))} \u2192 {shown(field, after.get(field.key, ''))}"
        for field in spec.extra_fields
        if before.get(field.key, "") != after.get(field.key, "")
    ]


def update_connection(
    *,
    session: Session,
    integration_id: int,
    region: str,
    custom_base_url: str,
    api_key: str,
    options: dict[str, str] | None = None,
    actor: Actor = SYSTEM,
    withdrawn: Callable[[], bool] = lambda: False,
) -> Integration:
    """Rotate the key and/or change the region; the new key is validated before it replaces the old.

    An empty ``api_key`` keeps the stored key: an admin changing only the region or a setting
    need not have the key to hand. The vendor is asked all the same, with the stored key, so a
    region it does not reach is refused before anything changes; a move to a custom address
    needs the key pasted (the stored one goes only to the vendor's own regions or the address it is already at, never to one typed in). ``withdrawn()`` true once the
    vendor has answered: nothing changes (``CANCELLED``).

    Raises:
        UserError: Bad input or the vendor's refusal; the stored key is then unchanged.
    """
    integration = get_integration(session, integration_id)
    custom_base_url = _address_as_kept(region, custom_base_url)
    as_read = _as_read(integration)
    stored_key = secrets.readable(integration.api_key_encrypted)
    if stored_key is None and not api_key.strip():
        raise UserError(
            "The stored key can no longer be read (the master key it was encrypted with is gone): "
            "paste the key to store it again."
        )
    key = _check_input(integration.vendor, region, custom_base_url, api_key, stored_key=stored_key or "")
    moved = (region, custom_base_url.strip()) != (integration.region, integration.custom_base_url)
    if moved and region == registry.CUSTOM_REGION and not api_key.strip():
        # The check below sends the key there: an address of anyone's choosing would be handed the
        # stored key, which no one can read back otherwise (helper-135).
        raise UserError("Paste the API key again to move this connection to a custom address.")
    if key != stored_key or moved:  # a new key, or its key where another connection may hold it
        _check_not_connected(
            session, integration.vendor, key, region, custom_base_url, other_than=integration.id
        )
    if secrets.readable(integration.webhook_token_encrypted) is None:
        # Its webhook address is renewed with it (registered with the vendor by the check below,
        # or shown on the card to give the vendor again). After the lookups above: set before
        # them, it was written at once, and the row held through the vendor's check.
        integration.webhook_token_encrypted = secrets.encrypt(secrets.new_webhook_token())
    extra = _check_options(integration.vendor, options if options is not None else integration.options)
    spec = registry.VENDORS[integration.vendor]
    changes = _settings_changed(spec, integration.options or {}, extra)
    integration.options = extra
    integration.account_fingerprint = _account(integration.vendor, region, custom_base_url, key)
    if key != stored_key:
        changes.append(f"key rotated ({_masked(integration.api_key_last4)} \u2192 {_masked(key[-4:])})")
        integration.api_key_encrypted = secrets.encrypt(key)
        integration.api_key_last4 = key[-4:]
    if (region, custom_base_url.strip()) != (integration.region, integration.custom_base_url):
        before = _region_said(spec, integration.region, integration.custom_base_url)
        changes.append(f"region: {before} \u2192 {_region_said(spec, region, custom_base_url.strip())}")
    integration.region = region
    integration.custom_base_url = custom_base_url.strip()
    if withdrawn():  # cancelled before its turn came: the vendor not asked
        session.rollback()
        raise UserError(CANCELLED)
    _check_with_vendor(session, integration)
    if withdrawn():
        session.rollback()
        _taken_meanwhile(session, integration.vendor, key, region, custom_base_url, other_than=integration_id)
        raise UserError(CANCELLED)
    if changes:
        integration.credentials_changed_at = utcnow()
    if not _still_as_read(session, as_read):
        session.rollback()
        raise UserError(
            "A colleague changed or disconnected this connection while the vendor was asked, so "
            "nothing of yours was saved: the page now shows it as it is; check it and save again."
        )
    said = "; ".join(changes) or "key re-checked"
    # Its first letter raised only: str.capitalize() lowered the rest ("Company ID" to "company id").
    audit(session, integration.id, actor, said[:1].upper() + said[1:] + ".")
    session.add(integration)
    try:
        session.commit()
    except sa.exc.IntegrityError:  # a colleague connected that account meanwhile: the stored key stays
        session.rollback()
        taken = _taken_meanwhile(
            session, integration.vendor, key, region, custom_base_url, other_than=integration_id
        )
        if taken is None:
            raise
        raise taken from None
    return integration


def _as_read(integration: Integration) -> tuple:
    """What a change of the connection was worked out from: its id, key, address and settings'
    time, and whether it was live."""
    return (
        integration.id,
        integration.api_key_encrypted,
        integration.region,
        integration.custom_base_url,
        integration.credentials_changed_at,
        integration.disconnected_at,
    )


def _still_as_read(session: Session, as_read: tuple) -> bool:
    """Whether the connection is as ``as_read`` found it, taking its row till the commit (a write
    that changes nothing): a colleague's rotation, region change or disconnect during the vendor's
    check is not overwritten by one worked out from what they replaced (a key never checked at
    the region it ends up in; a disconnected connection holding a key again)."""
    integration_id, key, region, custom_base_url, changed_at, disconnected_at = as_read
    with session.no_autoflush:  # this change's own writes go after the check, not into it
        held = session.exec(
            sa.update(Integration)
            .where(
                Integration.id == integration_id,
                Integration.api_key_encrypted == key,
                Integration.region == region,
                Integration.custom_base_url == custom_base_url,
                Integration.credentials_changed_at == changed_at,  # IS NULL for None
                Integration.disconnected_at == disconnected_at,
            )
            .values(id=Integration.id)
            .execution_options(synchronize_session=False)
        )
    return held.rowcount == 1


def rename_connection(
    *, session: Session, integration_id: int, name: str, actor: Actor = SYSTEM
) -> Integration:
    """A connection's new name; its key and region stay, so the vendor is not asked anything.

    Raises:
        UserError: No name, one too long for the card, or another connection's to the same vendor.
    """
    integration = get_integration(session, integration_id)
    new_name = _check_name(session, integration.vendor, name, renaming=integration.id)
    if new_name != integration.name:
        hold_live(session, integration)
        audit(session, integration.id, actor, f"Renamed from {integration.name!r} to {new_name!r}.")
        integration.name = new_name
        session.add(integration)
        session.commit()
    return integration


# How often an admin may have a connection swept (seconds to label); None: the workspace's interval.
SYNC_INTERVALS = {60: "every minute", 300: "every 5 minutes", 900: "every 15 minutes", 3600: "every hour"}


def sync_interval_label(seconds: int | None) -> str:
    if seconds is None:
        return f"every {get_settings().poll_seconds:g} s (the workspace default)"
    return SYNC_INTERVALS.get(seconds, f"every {seconds} s")


def set_sync_interval(
    *, session: Session, integration_id: int, seconds: int | None, actor: Actor = SYSTEM
) -> Integration:
    """Sweep this connection at its own interval (None: the workspace's); the scheduler follows within seconds.

    A slower sweep suits a vendor whose rate limit is tight or whose webhooks are
    reliable; results still arrive at once by webhook either way.

    Raises:
        UserError: An interval Assay does not offer.
    """
    integration = get_integration(session, integration_id)
    if seconds is not None and seconds not in SYNC_INTERVALS:
        raise UserError(
            "Choose how often to sync from the list: "
            + ", ".join(SYNC_INTERVALS.values())
            + ", or the default."
        )
    if seconds != integration.sync_every_seconds:
        hold_live(session, integration)
        before = sync_interval_label(integration.sync_every_seconds)
        integration.sync_every_seconds = seconds
        audit(session, integration.id, actor, f"Sync {before} \u2192 {sync_interval_label(seconds)}.")
        session.add(integration)
        session.commit()
    return integration


def save_integration(**kwargs) -> Integration:
    """Connect, or update the connection of that vendor and name (used by the demo seed and tests)."""
    session = kwargs["session"]
    existing = session.exec(
        select(Integration).where(
            Integration.vendor == kwargs["vendor"], Integration.name == kwargs["name"].strip()
        )
    ).first()
    if existing is None:
        return connect(**kwargs)
    kwargs.pop("vendor"), kwargs.pop("name")
    return update_connection(integration_id=existing.id, **kwargs)


def unfinished_attempts(session: Session, integration_id: int) -> tuple[int, int]:
    """(sent to candidates and not finished, not sent yet): what disconnecting marks failed.

    Told apart for the disconnect warning: the connection's card counts the first only
    (what the vendor is followed for), and the warning must not seem to disagree with it.
    """
    rows = session.exec(
        sa.select(AssessmentAttempt.state, sa.func.count())
        .where(AssessmentAttempt.integration_id == integration_id, AssessmentAttempt.state.in_(OPEN_STATES))
        .group_by(AssessmentAttempt.state)
    ).all()
    not_sent = sum(n for state, n in rows if state == AttemptState.READY_TO_SEND)
    return sum(n for _state, n in rows) - not_sent, not_sent


def stages_sending_through(session: Session, integration_id: int) -> list[str]:
    """The plan stages whose tests go through this connection, as "Screen (Backend Engineer)".

    Disconnecting leaves them pointing at it: no candidate can enter such a stage until it sends
    other tests, and a connection made again is a new one, which they do not use.
    """
    rows = session.exec(
        sa.select(Stage.name, Job.title)
        .join(Job, Job.id == Stage.job_id)
        .where(
            Stage.id.in_(
                sa.select(StageAssessment.stage_id).where(StageAssessment.integration_id == integration_id)
            )
        )
        .order_by(Job.title, Job.id, Stage.position)
    ).all()
    return [f"{stage} ({job})" for stage, job in rows]


def stages_booking_through(session: Session, integration_id: int) -> list[str]:
    """The plan stages whose live-interview link is made through this connection, named as
    ``stages_sending_through`` names them: once it is gone, no interview can be booked in them."""
    rows = session.exec(
        sa.select(Stage.name, Job.title)
        .join(Job, Job.id == Stage.job_id)
        .where(Stage.live_integration_id == integration_id, Stage.live_template_id.is_not(None))  # type: ignore[union-attr]
        .order_by(Job.title, Job.id, Stage.position)
    ).all()
    return [f"{stage} ({job})" for stage, job in rows]


def _retired_name(session: Session, integration: Integration, now) -> str:
    """The name a disconnected connection keeps, freeing its own for a new one: dated, and counted
    when another of that name was disconnected within the minute (the second Disconnect crashed on
    the vendor-and-name constraint, and its card stayed)."""
    stamp = f"disconnected {now:%Y-%m-%d %H:%M}"
    names = (f"{integration.name} ({stamp}{'' if n == 1 else f', {n}'})" for n in itertools.count(1))
    return next(
        name
        for name in names
        if session.exec(
            select(Integration.id).where(Integration.vendor == integration.vendor, Integration.name == name)
        ).first()
        is None
    )


def disconnected(affected: int) -> str:
    """What disconnecting did, in the audit log and the admin's toast alike: the log's "1 open
    assessments marked failed." read as a form letter, and a 0 like a count to worry about."""
    if not affected:
        return "Disconnected; it had no unfinished assessments."
    return f"Disconnected; {counted(affected, 'unfinished assessment')} marked failed."


def _failed_if_still_open(
    session: Session, attempt: AssessmentAttempt, reason: str, now: datetime.datetime
) -> AttemptState | None:
    """Fail the attempt as disconnected, if it is still open: the state it had, else None.

    Written only over the state it is read in (helper-159: a result a webhook applied as the
    admin disconnected was written over with "failed", and no sync could bring it back); one
    moved on meanwhile but still open is read again and failed.
    """
    failed = {
        "state": AttemptState.ERROR,
        "error_reason": reason,
        "error_retryable": False,
        "updated_at": now,
    }
    while attempt.state in OPEN_STATES:
        before = attempt.state
        written = session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.state == before)
            .values(**failed)
            .execution_options(synchronize_session=False)
        )
        if written.rowcount == 1:
            for name, value in failed.items():
                set_committed_value(attempt, name, value)
            return before
        session.refresh(attempt)
    return None


def disconnect(*, session: Session, integration_id: int, actor: Actor = SYSTEM) -> int:
    """Remove a connection: erase its key, mark its open attempts failed; returns how many.

    The attempts and their history stay; the candidates' links keep working at the
    vendor, but Assay can no longer follow them.
    """
    integration = get_integration(session, integration_id)
    now = utcnow()
    reason = f"The {registry.VENDORS[integration.vendor].display_name} connection {integration.name!r} was disconnected."
    affected = 0
    open_attempts = session.exec(
        select(AssessmentAttempt).where(
            AssessmentAttempt.integration_id == integration_id, AssessmentAttempt.state.in_(OPEN_STATES)
        )
    ).all()
    for attempt in open_attempts:
        before = _failed_if_still_open(session, attempt, reason, now)
        if before is None:
            continue
        history.record(
            session,
            application_id=attempt.application_id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: failed: {reason}",
            from_state=before.value,
            to_state=AttemptState.ERROR.value,
            actor=actor,
        )
        history.bump_job(session, session.get(Application, attempt.application_id).job_id)
        affected += 1
    close_waiting_deliveries(session, integration_id, reason, now)
    session.flush()  # the attempts first, as a send writes them (then the connection's last use)
    hold_live(session, integration)
    audit(session, integration.id, actor, disconnected(affected))
    integration.disconnected_at = now
    integration.name = _retired_name(session, integration, now)
    account = integration.account_fingerprint or (
        _readable_account(integration) if integration.api_key_encrypted else None
    )
    integration.api_key_encrypted = ""
    integration.account_fingerprint = None
    integration.webhook_token_encrypted = secrets.encrypt(secrets.new_webhook_token())
    session.add(integration)
    session.commit()
    _let_go(integration_id)
    if account is not None:
        _account_goes_on(session, integration, account)
    return affected


def close_waiting_deliveries(session: Session, integration_id: int, reason: str, now) -> None:
    """Close the webhooks still waiting to be applied: the key they need is erased, so a retry
    could only fail, every sweep, for good."""
    session.exec(
        sa.update(WebhookDelivery)
        .where(
            WebhookDelivery.integration_id == integration_id,
            WebhookDelivery.applied_at.is_(None),  # type: ignore[union-attr]
        )
        .values(applied_at=now, error=f"Not applied: {reason}")
        .execution_options(synchronize_session=False)
    )


def hold_live(session: Session, integration: Integration) -> None:
    """Take the connection's row till the commit (a write that changes nothing), or, if a colleague
    disconnected it since it was read, roll back and say so: a second Disconnect failed the open
    tests again in the history and the log, and a Rename or a sync interval set meanwhile was
    written onto the retired connection (helper-118)."""
    with session.no_autoflush:  # the change's own writes go after the check, not into it
        held = session.exec(
            sa.update(Integration)
            .where(Integration.id == integration.id, Integration.disconnected_at.is_(None))  # type: ignore[union-attr]
            .values(id=Integration.id)
            .execution_options(synchronize_session=False)
        )
    if held.rowcount != 1:
        session.rollback()
        raise NotFound("That vendor connection no longer exists; a colleague disconnected it a moment ago.")


def get_integration(session: Session, integration_id: int) -> Integration:
    """The live connection, or NotFound (also once it is disconnected)."""
    integration = session.get(Integration, integration_id)
    if integration is None or integration.disconnected_at is not None:
        raise NotFound("That vendor connection no longer exists; connect it again on the integrations page.")
    return integration


def list_vendor_tests(*, session: Session, integration_id: int) -> list[VendorTest]:
    """The tests this connection can send, live from the vendor.

    Raises:
        UserError: The vendor could not be asked, with the reason.
    """
    integration = get_integration(session, integration_id)
    try:
        tests = provider_for(integration).list_tests()
    except ProviderError as err:
        record_vendor_error(session=session, integration=integration, message=str(err))
        raise UserError(str(err)) from err
    integration.last_used_at = utcnow()
    _clear_listed(session, integration, {t.id for t in tests})
    session.commit()
    return tests


def _clear_listed(session: Session, integration: Integration, listed: set[str]) -> None:
    """Clear the mark of the plans' tests (and live-interview templates) through ``integration``
    that the vendor lists again (a test archived by mistake and restored); the jobs whose marks
    changed are bumped so open plan pages redraw. A listing never marks a test itself: one that
    reads as left out (a short page, an empty reply) may only be misread, so marking waits for the
    vendor refusing a send of it (``plan_connections.unlisted_after_refusal``)."""
    changed = set()
    for stage in session.exec(
        select(Stage).where(
            Stage.live_integration_id == integration.id,
            Stage.live_template_unlisted_since.is_not(None),  # type: ignore[union-attr]
        )
    ):
        if stage.live_template_id in listed:
            stage.live_template_unlisted_since = None
            session.add(stage)
            changed.add(stage.job_id)
    for test, job_id in session.exec(
        select(StageAssessment, Stage.job_id)
        .join(Stage, Stage.id == StageAssessment.stage_id)
        .where(
            StageAssessment.integration_id == integration.id,
            StageAssessment.unlisted_since.is_not(None),  # type: ignore[union-attr]
        )
    ):
        if test.vendor_test_id in listed:
            test.unlisted_since = None
            session.add(test)
            changed.add(job_id)
    for job_id in changed:
        history.bump_job(session, job_id)


def record_vendor_error(
    *,
    session: Session,
    integration: Integration,
    message: str,
    as_last_error: bool = True,
    at: datetime.datetime | None = None,
) -> None:
    """Keep the failure on the connection's error log, for its health ("Errors (24 h)").

    ``as_last_error`` False only counts it: a webhook kept for retry shows its reason on
    the health's own line, which would otherwise say it twice. ``at``: when (now by default).
    """
    if as_last_error:
        integration.last_error = message
        integration.last_error_at = at or utcnow()
        session.add(integration)
    session.add(
        IntegrationLog(
            integration_id=integration.id,
            kind="error",
            actor_label="vendor",
            message=message[:500],
            at=at or utcnow(),
        )
    )
    session.commit()
