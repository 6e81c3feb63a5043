"""Calling a vendor over HTTP: one mapping from wire failures to errors a user can act on.

Every provider goes through ``VendorClient.call`` so that a timeout, a refused
key, a 429 or an HTML error page reads the same whichever vendor sent it.
Idempotent calls are retried with exponential backoff and jitter (``stamina``)
and a vendor's ``Retry-After`` is honoured; a call that may create something at
the vendor is never retried here (the send service adopts or resends instead).
Requests are paced under the vendor's documented rate limit (``providers.budget``).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import math
import re
import ssl
import threading
from collections.abc import Callable
from typing import Any

import httpx
import stamina

from providers.base import (
    KeyRejected,
    PermissionMissing,
    ProviderError,
    RateLimited,
    TryLater,
    VendorFailure,
    VendorRefused,
    VendorUnreachable,
)
from providers.budget import BudgetFactory, LocalBudget

USER_AGENT = "Assay/1.0 (+https://github.com/assay)"


def _default_error_message(body: Any) -> str | None:
    """The human part of the common error envelopes (``message``, ``error``, ``errors[0]``)."""
    if isinstance(body, dict):
        for key in ("message", "error", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            first = errors[0]
            if isinstance(first, dict):
                first = first.get("message")
            if first:
                return str(first)
        code = body.get("code")
        if isinstance(code, str) and code:
            return code
    return None


# A token in a query string (``?token=...``: the webhook address Assay hands some vendors).
_QUERY_SECRET = re.compile(
    r"([?&](?:token|secret|key|api_key|apikey|access_token)=)[^&#\s\"'<>]+", re.IGNORECASE
)


def _error_code(body: Any) -> str | None:
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


@dataclasses.dataclass(frozen=True)
class WireRules:
    """How one vendor says things on the wire, for turning replies into our errors.

    Attributes:
        vendor_name: The name recruiters know, used in every message.
        key_hint: Appended to the 401 message, to point at the right credential.
        forbidden_is_bad_key: A 403 means a bad or expired key (True) rather than
            a valid key lacking a permission (False).
        error_message: Reads the vendor's error envelope; None when it has no text.
        special: A vendor-specific reading of a reply that must not follow the
            common mapping (a 429 that means "quota used up", not "slow down").
        requests_per_second: The documented rate limit; requests are paced under it.
    """

    vendor_name: str
    key_hint: str = ""
    forbidden_is_bad_key: bool = False
    error_message: Callable[[Any], str | None] = _default_error_message
    special: Callable[[httpx.Response], ProviderError | None] | None = None
    requests_per_second: float | None = None


# The longest a vendor's Retry-After holds a connection back: "inf" or 1e10 would have held it
# until the process restarted (and "inf" made every later call fail on its arithmetic).
LONGEST_RETRY_AFTER = 3600.0


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` in seconds (only the delta-seconds form is used by vendors we know), at most
    an hour; None when it says nothing readable."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), LONGEST_RETRY_AFTER)


def try_again(seconds: float | None) -> str:
    """When an admin's click may succeed, after a vendor's "slow down": "Sync failed: CoderPad Screen
    is rate-limiting Assay (429)." left them to guess, and to click again at once, in vain."""
    return f"try again in {math.ceil(seconds)} s." if seconds else "try again in a minute."


@functools.cache
def trusted_certificates() -> ssl.SSLContext:
    """The trusted certificates (httpx's default: certifi's, or SSL_CERT_FILE's), loaded once per
    process. Each new client loaded them afresh, 27 ms of CPU a time: a sweep builds a client per
    connection, and a test run built thousands. A context is safe to share across threads."""
    return httpx.create_ssl_context()


class VendorClient:
    """An httpx client for one vendor connection, speaking in ProviderErrors.

    Args:
        rules: The vendor's wire habits.
        base_url: Everything before the paths the provider passes to ``call``.
        headers: Authentication and content headers.
        auth: httpx auth (Basic for vendors that use it).
        timeout: Seconds to wait for one reply.
        attempts: Tries per idempotent call (1 disables retrying).
        max_retry_wait: A ``Retry-After`` longer than this is not waited for:
            the RateLimited error goes up so the caller can schedule later.
        budget: Where the connection's rate limit and Retry-After are kept
            (None: in this process; see ``providers.budget``).
    """

    def __init__(
        self,
        *,
        rules: WireRules,
        base_url: str,
        headers: dict[str, str] | None = None,
        auth: httpx.Auth | tuple[str, str] | None = None,
        timeout: float = 10.0,
        attempts: int = 3,
        max_retry_wait: float = 5.0,
        budget: BudgetFactory | None = None,
    ) -> None:
        self.rules = rules
        self.root = base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=self.root,
            headers={"Accept": "application/json", "User-Agent": USER_AGENT, **(headers or {})},
            auth=auth,
            timeout=timeout,
            verify=trusted_certificates(),
        )
        # The rate limit, and a Retry-After too long to wait out in the call: kept, so the next
        # sweep, drain or "Sync now" (in any worker, with a shared budget) waits too.
        self._budget = (budget or LocalBudget)(rules.requests_per_second)
        self._attempts = max(1, attempts)
        self._max_retry_wait = max_retry_wait
        self._asked = threading.local()  # one connection's provider serves sweeps and drains at once
        # What the vendor's own words must never carry on to a page or a log: the key sent with
        # every request (a header, or the password of basic auth).
        self._secrets = [
            value
            for name, value in (headers or {}).items()
            if name.lower() not in ("accept", "content-type", "user-agent") and len(value) >= 8
        ] + ([auth[1]] if isinstance(auth, tuple) and len(auth[1]) >= 8 else [])

    def told(self, err: ProviderError) -> ProviderError:
        """``err`` with the vendor's words in it rid of the secrets they may echo (``_vendor_words``):
        for a refusal a provider reads out of a reply itself (a GraphQL error under a 200)."""
        if err.args and isinstance(err.args[0], str):
            err.args = (self._vendor_words(err.args[0]), *err.args[1:])
        return err

    def _vendor_words(self, detail: str | None) -> str | None:
        """The vendor's error text without a secret it may echo (helper-140: a refusal quoting the
        webhook address Assay sent would show its token to everyone who reads the error)."""
        if not detail:
            return detail
        for secret in self._secrets:
            # Longest first, the same every run: "Bearer <key>" whole, then the key alone.
            for shown in sorted(
                {secret, secret.split(" ")[-1], secret.split("=")[-1].strip('"')}, key=len, reverse=True
            ):
                if len(shown) >= 8:
                    detail = detail.replace(shown, "[hidden]")
        return _QUERY_SECRET.sub(r"\1[hidden]", detail)

    def call(
        self, method: str, path: str, *, retry: bool | None = None, binary: bool = False, **kwargs: Any
    ) -> Any:
        """One request and its decoded JSON body (None for an empty reply), or its raw bytes.

        Args:
            method: HTTP method.
            path: Path (or full URL, for vendors whose pages link to each other).
            retry: Retry on 429/5xx/unreachable; defaults to True for GET only.
            binary: The reply is a file (a PDF report): return its bytes, not JSON.
            **kwargs: Passed to httpx (``json``, ``params``, ``data``, ``content``...).

        Raises:
            ProviderError: A subclass naming the cause in words a user can act on.
        """
        left = self._budget.held_for()
        if left > 0:
            raise RateLimited(f"{self.rules.vendor_name} asked Assay to wait; {try_again(left)}", left)
        try:
            return self._call(method, path, retry=retry, binary=binary, **kwargs)
        except TryLater as err:
            if err.retry_after is not None:
                self._budget.hold(err.retry_after)
            raise

    def asked_at(self) -> datetime.datetime | None:
        """The moment before this thread's latest request went (its last try), None before any.

        A listing's page is read, then handed out item by item: its statuses carry the moment
        their page was asked for (``AttemptStatus.asked_at``), read right after the page's call,
        so a view is held no newer than it is (a listing behind the fetches by id, older still by
        the provider's ``listing_lag``), and one asked for after it is never held older.
        """
        return getattr(self._asked, "at", None)

    def _call(self, method: str, path: str, *, retry: bool | None, binary: bool, **kwargs: Any) -> Any:
        if retry is None:
            retry = method.upper() == "GET"
        if not retry or self._attempts == 1:
            return self._once(method, path, binary=binary, **kwargs)

        def backoff(err: Exception) -> bool | float:
            # A 429 or a 5xx that says when to come back is retried then, if that is soon enough.
            if isinstance(err, TryLater) and err.retry_after is not None:
                return err.retry_after if err.retry_after <= self._max_retry_wait else False
            return isinstance(err, ProviderError) and err.retryable

        retrying = stamina.retry(
            on=backoff, attempts=self._attempts, timeout=None, wait_initial=0.2, wait_max=2.0, wait_jitter=0.3
        )
        return retrying(self._once)(method, path, binary=binary, **kwargs)

    def _once(self, method: str, path: str, *, binary: bool = False, **kwargs: Any) -> Any:
        name = self.rules.vendor_name
        self._budget.wait()
        self._asked.at = datetime.datetime.now(datetime.UTC)
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as err:
            raise VendorUnreachable(f"{name} at {self.root} did not answer in time.") from err
        except (httpx.ConnectError, httpx.UnsupportedProtocol, httpx.ProxyError) as err:
            raise VendorUnreachable(f"{name} at {self.root} could not be reached.") from err
        except httpx.TransportError as err:
            # The request went: the vendor may have acted on it (a send, an invitation made) before
            # its answer was lost, so "could not be reached" would say it had not.
            raise VendorUnreachable(
                f"The connection to {name} at {self.root} broke before it answered; it may have acted "
                "on the request all the same."
            ) from err
        if self.rules.special and (special := self.rules.special(response)) is not None:
            raise self.told(special)
        status = response.status_code
        body = self._json_or_none(response)
        if status == 401:
            raise KeyRejected(f"The {name} key was rejected (401). {self.rules.key_hint}".strip())
        if status == 403:
            if self.rules.forbidden_is_bad_key:
                raise KeyRejected(f"The {name} key is invalid or has expired (403). Generate a new one.")
            detail = self._vendor_words(self.rules.error_message(body)) or "permission denied"
            raise PermissionMissing(f"The {name} key lacks a permission Assay needs (403: {detail}).")
        if status == 429:
            wait = retry_after_seconds(response.headers.get("Retry-After"))
            raise RateLimited(f"{name} is rate-limiting Assay (429); {try_again(wait)}", wait)
        if status >= 500:
            raise VendorFailure(
                f"{name} failed ({status}); try again shortly.",
                retry_after_seconds(response.headers.get("Retry-After")),
            )
        if status >= 400:
            detail = self._vendor_words(self.rules.error_message(body))
            raise VendorRefused(f"{name} refused: {detail or status}.", status, _error_code(body))
        if status >= 300:
            # Not followed (the key would go to wherever it points), and not a reply either: a
            # redirect's empty body once read as a call that went well, a key "checked" unseen.
            where = response.headers.get("Location") or "another address"
            raise VendorRefused(
                f"{name} at {self.root} answered with a redirect ({status}) to {where}, which Assay "
                "does not follow: check the connection's region or address.",
                status,
            )
        if binary:
            return response.content
        if not response.content:
            return None
        if body is None:
            raise VendorFailure(f"{name} sent a reply Assay could not read ({status}, not JSON).")
        return body

    @staticmethod
    def _json_or_none(response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return None

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()
