"""The vendor-neutral contract every provider module speaks.

Everything above ``providers/`` sees only these types: a vendor's header names,
status strings, id types and error envelopes stop inside its own module.
Providers are synchronous (httpx.Client): services call them from worker
threads, so one slow vendor never blocks the Reflex event loop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from providers.budget import BudgetFactory

log = logging.getLogger(__name__)


class Progress(enum.StrEnum):
    """Where a vendor says an attempt is, on the common lifecycle."""

    SENT = "sent"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    ERROR = "error"


class Capability(enum.StrEnum):
    """Actions a vendor may or may not support; the UI disables the rest with the reason.

    A provider lists what it can do in ``capabilities`` and, for each thing it
    cannot, says why in ``limitations`` (the reference fact, in a user's words).
    """

    CANCEL = "cancel"  # withdraw an invitation
    RESEND = "resend"  # send the invitation email again
    REATTEMPT = "reattempt"  # let the candidate take the test again (a new attempt row)
    EXTEND = "extend"  # move the deadline of a sent invitation
    DEADLINE = "deadline"  # a deadline can be given when sending
    WEBHOOK = "webhook"  # the vendor pushes status changes
    POLL = "poll"  # the vendor can be asked for an attempt's status (fetch / list)


@dataclasses.dataclass(frozen=True)
class ExtraField:
    """A per-connection setting beyond the API key (a workspace id, a company id).

    ``choices``: the only values the provider understands, offered as a select and
    checked on save; empty for free text. A provider must not quietly read anything
    else as its default, so the admin never saves a setting that does nothing.

    ``default``: the choice the provider applies when the setting is left empty, shown
    in the empty select so it does not seem to fall back on something unknown.
    """

    key: str
    label: str
    help: str = ""
    required: bool = True
    choices: tuple[str, ...] = ()
    default: str = ""


@dataclasses.dataclass(frozen=True)
class ConnectionConfig:
    """Everything a provider needs to speak for one connection.

    Attributes:
        base_url: The vendor's API root for the connection's region.
        api_key: The decrypted key (never logged, never sent to the browser).
        webhook_url: Assay's webhook URL for this connection (with its token), for
            vendors that take a callback per invitation or verify a signed URL.
        webhook_secret: The connection's webhook secret, for vendors that sign
            deliveries or send credentials we give them.
        options: Values of the vendor's ``ExtraField`` s.
        timeout: Seconds to wait for one vendor reply.
        budget: Where the connection's rate limit and Retry-After are kept: None in
            this process, or a ``providers.budget.SharedBudget`` for several workers.
        region: The region the admin chose (``sandbox``, ``custom`` or one of the
            vendor's), so a refusal can name it; "" when not known.
    """

    base_url: str
    api_key: str = dataclasses.field(repr=False)
    webhook_url: str = dataclasses.field(default="", repr=False)  # its token is a secret
    webhook_secret: str = dataclasses.field(default="", repr=False)
    options: dict[str, str] = dataclasses.field(default_factory=dict)
    timeout: float = 10.0
    budget: BudgetFactory | None = None
    region: str = ""


@dataclasses.dataclass(frozen=True)
class Region:
    """A named base URL a connection can point at."""

    key: str
    label: str
    base_url: str


@dataclasses.dataclass(frozen=True)
class VendorTest:
    """A test (campaign) a recruiter can pick for an assessment stage.

    ``live_interview`` marks a template for a live interview (a pad or interview
    link, ended by the interviewer, with no score) rather than a scored test.
    ``built_in`` marks one the provider offers itself (CoderPad Interview's blank pads),
    listed whatever the vendor answered: it says nothing of what the vendor holds.
    """

    id: str
    name: str
    live_interview: bool = False
    built_in: bool = False


@dataclasses.dataclass(frozen=True)
class Invitee:
    """Who is invited, and the references that tie the invitation to our records.

    Attributes:
        name: The candidate's full name.
        email: Where the vendor sends the invitation.
        reference: Our attempt's unique reference; travels with the invitation
            (a tag, an external id) so a retried send can find what a timeout hid.
        candidate_ref: Our candidate id, for vendors that ask for the ATS's one.
        application_ref: Our application id (CodeSignal's ``externalId``).
        job_ref: Our job id, for vendors that ask for it.
        job_title: The job's title, for vendors that show it to the candidate.
        expires_at: The deadline, where the vendor takes one (``Capability.DEADLINE``).
    """

    name: str
    email: str
    reference: str
    candidate_ref: str = ""
    application_ref: str = ""
    job_ref: str = ""
    job_title: str = ""
    expires_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class SubScore:
    """A per-technology / per-skill / per-section score."""

    name: str
    score_percent: float | None
    points: float | None = None
    max_points: float | None = None
    parent: str | None = None


@dataclasses.dataclass(frozen=True)
class AssessmentResult:
    """The common result shape: total, comparative, time, breakdown, integrity."""

    score_percent: float | None
    points: float | None = None
    max_points: float | None = None
    comparative_score: float | None = None
    duration_seconds: int | None = None
    time_allowed_seconds: int | None = None
    subscores: tuple[SubScore, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class AttemptStatus:
    """A vendor's current view of one attempt, mapped onto the common lifecycle."""

    vendor_attempt_id: str
    progress: Progress
    raw_status: str
    reference: str | None = None
    candidate_email: str | None = None
    test_url: str | None = None
    report_url: str | None = None
    sent_at: datetime.datetime | None = None
    started_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None
    expires_at: datetime.datetime | None = None
    result: AssessmentResult | None = None
    # When Assay asked the vendor for it: the moment before the request (a fetch's, set by its
    # caller) or before its page's (a listing's, set by the provider). None: never held stale.
    asked_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class Invitation:
    """What a vendor returns when a test is sent."""

    vendor_attempt_id: str
    test_url: str | None
    report_url: str | None = None
    expires_at: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True)
class WebhookNotice:
    """What a webhook delivery tells us.

    Attributes:
        delivery_key: Unique per delivery, so that duplicates collapse in the inbox.
        vendor_attempt_ids: Attempts the delivery is about; when the vendor can be
            asked (``Capability.POLL``) services re-fetch them rather than trust the body.
        statuses: What the payload itself says, applied as is only for vendors
            that cannot be asked (their webhook is authenticated and the only source).
        comment: A line for the application's history (Coodesh's result comment).
    """

    delivery_key: str
    vendor_attempt_ids: tuple[str, ...]
    statuses: tuple[AttemptStatus, ...] = ()
    comment: str | None = None


class ProviderError(Exception):
    """A vendor call failed; ``str(err)`` is a message a user can act on.

    ``retryable``: the same call may succeed later with nobody doing anything (the vendor
    was down). ``whole_connection``: every call on this connection fails the same way until
    an admin mends it (a revoked key): what waited on it is kept, not given up.
    """

    retryable = False
    whole_connection = False


class KeyRejected(ProviderError):
    """The vendor refused the key (401, or 403 where it means a bad key)."""

    whole_connection = True


class PermissionMissing(ProviderError):
    """The key is valid but lacks a permission the integration needs.

    Usually a permission of the key itself (the whole connection); ``whole_connection=False``
    where the vendor's refusal may be about one test only.
    """

    def __init__(self, message: str, *, whole_connection: bool = True) -> None:
        super().__init__(message)
        self.whole_connection = whole_connection


class VendorUnreachable(ProviderError):
    """No answer: DNS, connection refused or reset, timeout."""

    retryable = True


class TryLater(ProviderError):
    """A failure worth trying again; ``retry_after``: seconds the vendor said to wait, if it did."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(TryLater):
    """429 (or the vendor's equivalent)."""


class VendorFailure(TryLater):
    """A 5xx (a 503 may say when to come back), or a reply we cannot read (HTML, wrong shape)."""


class VendorRefused(ProviderError):
    """A 4xx the vendor explains (validation, not allowed in this state, not found)."""

    def __init__(self, message: str, status_code: int, code: str | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code


class Unsupported(ProviderError):
    """The vendor has no way to do this (see the provider's ``limitations``)."""


class WebhookRejected(ProviderError):
    """A webhook that fails authentication (401) or cannot be parsed (400)."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclasses.dataclass(frozen=True)
class VendorSpec:
    """What the integrations page needs to know to connect a vendor.

    Attributes:
        key: Stable identifier stored in our tables and used in webhook URLs.
        display_name: The name recruiters know.
        key_label: What the vendor calls the credential, so admins paste the right one.
        regions: Real regions (sandbox and custom are added by ``region_base_url``).
        sandbox_prefix: Path of this vendor's imitation on the sandbox server.
        provider: The provider class, built from a ``ConnectionConfig``.
        extra_fields: Settings beyond the key (a company or workspace id).
        webhook_setup: What the admin does with the webhook URL at the vendor.
        webhook_secret_label: What the vendor calls the secret it signs webhooks with, for
            vendors whose setup asks the admin to paste one (shown beside the URL); "" if none.
        webhook_can_go_stale: The address the vendor posts to is kept at the vendor (pasted by the
            admin, or one per account), not given with each invitation.
    """

    key: str
    display_name: str
    key_label: str
    regions: tuple[Region, ...]
    sandbox_prefix: str
    provider: type
    extra_fields: tuple[ExtraField, ...] = ()
    webhook_setup: str = "Assay registers its webhook with the vendor when you save."
    webhook_secret_label: str = ""
    # Whether the webhook address the vendor posts to can go stale unseen: the admin gives it by hand
    # (CodeSignal's settings: a connection made again has a new one, known to the vendor only once
    # pasted there), or the account keeps one (CoderPad Screen's organisation: another app
    # registering its own takes its place). Not where it goes with each invitation.
    webhook_can_go_stale: bool = False


class Provider(Protocol):
    """One vendor connection, built from a ``ConnectionConfig``, speaking the wire protocol.

    Methods a vendor cannot support raise ``Unsupported`` with the reason found in
    ``limitations``; everything else raises a ``ProviderError`` subclass whose text
    a recruiter can act on.
    """

    vendor: str
    display_name: str
    capabilities: frozenset[Capability]
    limitations: dict[Capability, str]
    page_size: int  # items per page of the status listing, for sync budgeting
    reuses_invitation_per_email: bool
    finds_by_inviting: bool
    expired_blocks_inviting: bool
    invitations_expire: bool
    listing_tells_all: bool
    listing_lag: datetime.timedelta  # how far the listing may be behind a fetch by id
    has_report_pdf: bool

    def close(self) -> None:
        """Release its open HTTP connections (a connection tried and refused, or let go)."""

    def validate_key(self) -> None:
        """Make one cheap authenticated call; raise a ProviderError naming the cause."""

    def list_tests(self) -> list[VendorTest]:
        """Every test the key can send, across all pages."""

    def send(self, *, test_id: str, invitee: Invitee) -> Invitation:
        """Invite the candidate; the invitation carries ``invitee.reference``."""

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """The attempt already sent for ``invitee.reference``, so a retried send adopts it."""

    def fetch(self, vendor_attempt_id: str, *, test_id: str) -> AttemptStatus:
        """One attempt's status and result."""

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str]
    ) -> Iterator[AttemptStatus]:
        """Every attempt sent since ``since`` (for the tests in ``test_ids``), through paged lists.

        Lazily, page by page, each attempt once: a caller that has heard of every attempt
        it asked about stops iterating, and no further page is requested.
        """

    def cancel(self, vendor_attempt_id: str, *, test_id: str) -> None:
        """Withdraw the invitation; VendorRefused with the vendor's reason if it can't."""

    def resend(self, vendor_attempt_id: str, *, test_id: str) -> None:
        """Send the invitation email again."""

    def reattempt(self, vendor_attempt_id: str, *, test_id: str, invitee: Invitee) -> Invitation:
        """Let the candidate take the test again; the returned invitation is the new attempt."""

    def extend(self, vendor_attempt_id: str, *, test_id: str, expires_at: datetime.datetime) -> None:
        """Move the invitation's deadline to ``expires_at``."""

    def report_pdf(self, vendor_attempt_id: str, *, test_id: str) -> bytes:
        """The vendor's report as a PDF (Unsupported where the vendor has none behind its API)."""

    def register_webhook(self) -> None:
        """Point the vendor's account-wide webhook at ``config.webhook_url`` (where it has an API)."""

    def authenticate_webhook(self, *, headers: dict[str, str], body: bytes) -> None:
        """Check the vendor's signature, if it signs; WebhookRejected(401) if it is wrong."""

    def read_webhook(self, body: bytes) -> WebhookNotice:
        """Read a delivery; WebhookRejected(400) if it is not one."""


def listed_item(
    parse: Callable[..., AttemptStatus],
    item: dict,
    moment: datetime.datetime | None,
    vendor_name: str,
    **options: Any,
) -> AttemptStatus | None:
    """One listed ``item`` read by its ``parse`` (with ``options``), as from a page asked for at
    ``moment`` (``VendorClient.asked_at``); None (logged) if it cannot be read (an item without an id). A listing goes on past
    it: raised, it stopped every sweep at the same item, and no attempt listed after it was ever
    applied (helper-152). The attempt it was, if Assay's, goes unseen, and is looked up by its id."""
    try:
        return dataclasses.replace(parse(item, **options), asked_at=moment)
    except VendorFailure as err:
        log.warning(
            "%s listed an item Assay cannot read; the listing goes on without it: %s", vendor_name, err
        )
        return None


class TestsUnlisted(ProviderError):
    """Some tests could not be listed (each refused on its own); the others were.

    ``tests`` maps each such test's id (as the listing was asked for it) to the vendor's
    refusal. Not by itself a failure of the connection (the sweep takes every test refused its
    access for the account's, ``sync._shut_out``): the caller keeps what was listed.
    """

    def __init__(self, tests: dict[str, ProviderError]) -> None:
        self.tests = tests
        first = next(iter(tests.values()))
        others = len(tests) - 1
        more = f" (and {others} other test{'s' if others > 1 else ''})" if others else ""
        super().__init__(f"{first}{more}")


@contextlib.contextmanager
def each_test_listed() -> Iterator[Callable[[str], contextlib.AbstractContextManager[None]]]:
    """For a listing read test by test: a refusal about one test (a 404 for a test deleted, a 403
    for one the key's user cannot see) is raised once the other tests are listed, not at once.

    Raised at once, it ended the listing, and the sweep, at that test every time: the tests
    after it were never read again, their expiries and missed webhooks never seen (helper-129).
    Raised at the end as ``TestsUnlisted``, naming the tests, the sweep goes on without them (unless
    every test was refused its access)
    (nothing of theirs looked up one by one or taken for deleted, helper-131). A failure that is
    not about one test (the key refused, the vendor down or rate-limiting) is raised at once.
    """
    refusals: dict[str, ProviderError] = {}

    @contextlib.contextmanager
    def refused(test_id: str) -> Iterator[None]:
        try:
            yield
        except ProviderError as err:
            if err.whole_connection or err.retryable:
                raise
            refusals[test_id] = err

    yield refused
    if refusals:
        raise TestsUnlisted(refusals)


def once(statuses: Iterable[AttemptStatus]) -> Iterator[AttemptStatus]:
    """Each attempt the first time it is listed, lazily.

    Paging by offset repeats an item when the list shifts while it is read (a newer
    invitation pushes the rest down a page); the first copy is the one read earlier.
    """
    seen: set[str] = set()
    for status in statuses:
        if status.vendor_attempt_id not in seen:
            seen.add(status.vendor_attempt_id)
            yield status


def until_all_seen(
    statuses: Iterable[AttemptStatus],
    wanted: set[str],
    *,
    stop: threading.Event | None = None,
    others: list[AttemptStatus] | None = None,
    others_kept: int = 50,
) -> Iterator[AttemptStatus]:
    """The statuses of the attempts in ``wanted``, each once, ending as soon as the last is seen.

    Listings are lazy, so ending here means no further page is asked of the vendor. It
    also ends when ``stop`` is set (its reader has gone), checked on every item listed.
    The first ``others_kept`` items listed that are not wanted go to ``others``, if given.
    """
    waiting = set(wanted)
    if not waiting:
        return
    for status in statuses:
        if stop is not None and stop.is_set():
            return
        if status.vendor_attempt_id in waiting:
            waiting.discard(status.vendor_attempt_id)
            yield status
            if not waiting:
                return
        elif others is not None and len(others) < others_kept:
            others.append(status)


class ProviderBase:
    """Defaults for what a vendor cannot do: each raises ``Unsupported`` with the reason.

    A provider module subclasses this, sets its class attributes, and overrides
    what its vendor supports.
    """

    vendor: str = ""
    display_name: str = ""
    capabilities: frozenset[Capability] = frozenset()
    limitations: dict[Capability, str] = {}  # read-only: a class-level table
    page_size: int = 50
    # The vendor's invite is idempotent per email and test: inviting the same person
    # again returns the first invitation (iMocha). Assay asks before re-using it.
    reuses_invitation_per_email: bool = False
    # ``find_by_reference`` is itself an invite (iMocha's, idempotent per email): not a pure read,
    # so it is not asked for a re-attempt, whose candidate it would email the test they finished.
    finds_by_inviting: bool = False
    # The vendor refuses a new invitation beside an expired one for the same email and test
    # (HackerRank's 422 "already invited"): a re-attempt of an expired test re-opens it instead.
    expired_blocks_inviting: bool = False
    # False where invitations never lapse (a live pad stays open until it is ended).
    invitations_expire: bool = True
    # True where report_pdf works (the report is behind the vendor's key, so Assay serves it).
    has_report_pdf: bool = False
    # False where the status listing does not tell all: it omits open attempts or lists
    # results without their scores (iMocha lists finished invitations only, scoreless).
    # The sync then fetches the ones it still waits on, a bounded number per sweep. Where
    # it tells all, one it leaves out is looked up too, and a 404 may mean deleted there.
    listing_tells_all: bool = True
    # How far the status listing may be behind a fetch by id (a search index updated later): a
    # listed status is held that much older than its page (``AttemptStatus.asked_at``), so a
    # fetch asked for meanwhile is never taken for older than the listing.
    listing_lag: datetime.timedelta = datetime.timedelta(0)

    def __init__(self, config: ConnectionConfig) -> None:
        self.config = config

    def unsupported(self, capability: Capability) -> Unsupported:
        """The error for an action this vendor cannot do, with its reason."""
        return Unsupported(self.limitations.get(capability) or f"{self.display_name} cannot do this.")

    def find_by_reference(self, *, test_id: str, invitee: Invitee) -> AttemptStatus | None:
        """No way to look an invitation up: a retried send sends again."""
        return None

    def fetch(self, vendor_attempt_id: str, *, test_id: str) -> AttemptStatus:
        raise self.unsupported(Capability.POLL)

    def list_statuses(
        self, *, since: datetime.datetime | None, test_ids: Sequence[str]
    ) -> Iterator[AttemptStatus]:
        raise self.unsupported(Capability.POLL)

    def cancel(self, vendor_attempt_id: str, *, test_id: str) -> None:
        raise self.unsupported(Capability.CANCEL)

    def resend(self, vendor_attempt_id: str, *, test_id: str) -> None:
        raise self.unsupported(Capability.RESEND)

    def reattempt(self, vendor_attempt_id: str, *, test_id: str, invitee: Invitee) -> Invitation:
        raise self.unsupported(Capability.REATTEMPT)

    def extend(self, vendor_attempt_id: str, *, test_id: str, expires_at: datetime.datetime) -> None:
        raise self.unsupported(Capability.EXTEND)

    def report_pdf(self, vendor_attempt_id: str, *, test_id: str) -> bytes:
        """The vendor's report as a PDF, where it offers one behind its API key."""
        raise Unsupported(f"{self.display_name} offers no report PDF through its API; use the report link.")

    def register_webhook(self) -> None:
        """Nothing to register: the vendor takes the URL per invitation or in its own UI."""

    def authenticate_webhook(self, *, headers: dict[str, str], body: bytes) -> None:
        """Unsigned vendors: the secret token in the webhook URL (checked by the service) suffices."""
