"""The webhook inbox: authenticate, store once, then apply like a poll would.

Receiving and applying are separate so the vendor gets its 2xx at once, a
duplicate collapses on the unique delivery key, and a delivery that failed to
apply stays in the inbox for the scheduler to retry.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import hashlib
import hmac
import logging
import math
import threading
import time
from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments, history, inbox_drain, matching, secrets, sync
from dashboard.services.actors import WEBHOOK
from dashboard.services.integrations import close_waiting_deliveries, provider_for, record_vendor_error
from dashboard.services.read_ahead import read_ahead
from dashboard.services.wording import counted
from models import (
    WEBHOOK_REFUSED,
    AssessmentAttempt,
    Integration,
    IntegrationLog,
    WebhookDelivery,
    revisions,
    utcnow,
)
from providers.base import (
    AttemptStatus,
    Capability,
    Progress,
    ProviderError,
    VendorFailure,
    VendorRefused,
    VendorUnreachable,
    WebhookRejected,
)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Receipt:
    """The HTTP answer for the vendor, and the delivery to apply (None: nothing to do)."""

    status_code: int
    message: str
    delivery_id: int | None = None


def receive(
    *, session: Session, vendor: str, integration_id: int, token: str, headers: dict[str, str], body: bytes
) -> Receipt:
    """Authenticate and store one delivery; never raises for bad input."""
    integration = session.get(Integration, integration_id)
    if integration is None or integration.vendor != vendor or integration.disconnected_at is not None:
        return Receipt(404, "No such integration.")
    expected = secrets.readable(integration.webhook_token_encrypted)
    if expected is None:  # the master key that encrypted it is gone: said on the card, not a 500
        return _refused(
            session,
            integration,
            Receipt(401, "The connection's webhook token can no longer be read: rotate its key to renew it."),
        )
    if not hmac.compare_digest(token.encode(), expected.encode()):
        log.warning("webhook for integration %s: bad token", integration_id)
        return _refused(
            session,
            integration,
            Receipt(401, "Bad webhook token: the vendor may hold the address from before the token changed."),
        )
    provider = provider_for(integration)
    try:
        provider.authenticate_webhook(headers=headers, body=body)
        notice = provider.read_webhook(body)
    except WebhookRejected as err:
        log.warning("webhook for integration %s rejected: %s", integration_id, err)
        return _refused(session, integration, Receipt(err.status_code, str(err)))
    except RecursionError:  # Python's JSON reader gives up on a body nested thousands deep
        log.warning("webhook for integration %s refused: nested too deep to read", integration_id)
        return _refused(session, integration, Receipt(400, "The delivery is nested too deep to read."))
    if any(len(vendor_id) > LONGEST_VENDOR_ID for vendor_id in notice.vendor_attempt_ids):
        # Assay keeps no longer id (the column's length): it cannot be any attempt Assay sent, and
        # stored, it failed on every try to apply (PostgreSQL refused it with the delivery).
        return _refused(
            session,
            integration,
            Receipt(400, f"The delivery names an attempt id over {LONGEST_VENDOR_ID} characters."),
        )
    delivery = WebhookDelivery(
        integration_id=integration_id,
        delivery_key=_inbox_key(integration_id, notice.delivery_key),
        body=body.decode("utf-8", errors="replace"),
        vendor_attempt_ids=list(notice.vendor_attempt_ids),
    )
    session.add(delivery)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        session.rollback()
        log.info("webhook for integration %s: duplicate %s", integration_id, notice.delivery_key)
        return Receipt(200, "Duplicate delivery; already received.")
    refused = integration.webhook_refused_at
    if refused is not None and (integration.last_webhook_at is None or refused > integration.last_webhook_at):
        revisions.card_changed(session)  # the card's "refused" note goes: its open pages are woken
    integration.last_webhook_at = utcnow()
    session.add(integration)
    session.commit()
    # 200, not 202: CodeSignal takes any other answer for a failure (it saves no webhook whose
    # first, empty delivery gets another, and queues its events behind one that did).
    return Receipt(200, "Accepted.", delivery.id)


LONGEST_VENDOR_ID = AssessmentAttempt.__table__.c.vendor_attempt_id.type.length  # the column's, read from it

# A refused delivery's mark on the connection's error log: at most one a minute, so that neither
# a vendor retrying nor anyone posting to the address fills it.
REFUSAL_LOGGED_EVERY = datetime.timedelta(minutes=1)


def _refused(session: Session, integration: Integration, receipt: Receipt) -> Receipt:
    """Answer a refused delivery, and keep the refusal on the connection's health: every delivery
    refused (a signature made with another secret, an address from before the token changed) once
    left only a log line, the connection reading "connected" while the vendor's news was lost. The
    health says so until a delivery is accepted after it (``views.integrations``)."""
    last, accepted = integration.webhook_refused_at, integration.last_webhook_at
    # Noted anew after a minute, or once one was accepted since (the card would read well).
    if last is None or utcnow() - last >= REFUSAL_LOGGED_EVERY or (accepted is not None and accepted >= last):
        integration.webhook_refused_at = utcnow()  # moves the workspace revision: open pages wake
        session.add(integration)
        session.add(
            IntegrationLog(
                integration_id=integration.id,
                kind="error",
                actor_label=WEBHOOK_REFUSED,
                message=f"Webhook delivery refused ({receipt.status_code}): {receipt.message}"[:500],
            )
        )
        session.commit()
    return receipt


def _inbox_key(integration_id: int, vendor_key: str) -> str:
    """Unique per connection (two teams' accounts may send the same body), and short enough to store."""
    key = f"{integration_id}:{vendor_key}"
    if len(key) > 200:  # the column's length: a vendor's very long id is hashed, never an error
        key = f"{integration_id}:sha256:{hashlib.sha256(vendor_key.encode()).hexdigest()}"
    return key


class Applying(enum.Enum):
    """How applying one stored delivery ended."""

    DONE = "done"  # applied, or closed for good (the vendor refuses that attempt: retrying cannot help)
    KEPT = (
        "kept"  # for retry: the key refused, the vendor rate-limiting, as it is for the deliveries after it
    )
    # For retry: the vendor failed to answer about these attempts (a 5xx after retries, a reply the
    # provider could not read, a timeout or no connection); down, if it fails so about others too.
    UNANSWERED = "unanswered"
    KEPT_ALONE = "kept alone"  # for retry: something in this delivery only (a value Assay could not take)


def _apply(session: Session, delivery_id: int) -> Applying:
    """Apply a stored delivery.

    Where the vendor can be asked, the payload is not trusted (most vendors do
    not sign bodies): each attempt it names is re-fetched and the vendor's own
    answer applied. Vendors that cannot be asked push the result itself, which is
    applied as authenticated. An update Assay cannot tie to an application is kept
    for matching, never dropped.

    A failure that is no vendor's answer (a value the database refused, a fault of ours)
    keeps the delivery for retry with its reason on the connection's health, and holds up
    none after it: deliveries are applied oldest first, and one that fails the same way on
    every retry stopped every later one of its connection, silently.
    """
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.applied_at is not None:
        return Applying.DONE
    integration = session.get(Integration, delivery.integration_id)
    provider = provider_for(integration)
    try:
        notice = provider.read_webhook(delivery.body.encode())
        if Capability.POLL in provider.capabilities:
            statuses = _refetch(session, provider, integration.id, notice.vendor_attempt_ids)
        else:
            statuses = list(notice.statuses)
        for status in statuses:
            if _apply_or_keep(session, integration.id, status, delivery.id) and notice.comment:
                _comment(session, integration.id, status, notice.comment, delivery.id)
    except ProviderError as err:
        kept = err.retryable or err.whole_connection  # the vendor down, the key revoked: retry later
        _record_failure(session, delivery_id, integration.id, str(err), closed=not kept)
        log.warning("webhook delivery %s not applied: %s", delivery_id, err)
        if not kept:
            return Applying.DONE
        # A 5xx, a reply it could not read, a timeout: about these attempts, unless others fail so too.
        about_them = isinstance(err, (VendorFailure, VendorUnreachable)) and not err.whole_connection
        return Applying.UNANSWERED if about_them else Applying.KEPT
    except (sa.exc.OperationalError, sa.exc.InterfaceError):
        session.rollback()
        raise  # the database away for a moment (locked, a connection dropped): the next drain retries it
    except Exception as err:
        log.exception("webhook delivery %s could not be applied", delivery_id)
        reason = f"Assay could not apply it ({type(err).__name__}); it is retried with the others."
        _record_failure(session, delivery_id, integration.id, reason, closed=False)
        return Applying.KEPT_ALONE
    delivery.applied_at = utcnow()
    delivery.error = None
    session.add(delivery)
    session.commit()
    return Applying.DONE


def _record_failure(
    session: Session, delivery_id: int, integration_id: int, reason: str, *, closed: bool
) -> None:
    """The delivery's reason, on it and on its connection's health; ``closed``: never retried."""
    session.rollback()
    delivery = session.get(WebhookDelivery, delivery_id)
    integration = session.get(Integration, integration_id)
    delivery.error, delivery.tried_at = reason, utcnow()  # tried: it waits behind the others next retry
    if closed:  # the vendor refuses this attempt for good (deleted there): retrying cannot help
        delivery.applied_at = utcnow()
        record_vendor_error(
            session=session, integration=integration, message=f"Webhook not applied: {reason}"
        )
    else:
        record_vendor_error(
            session=session,
            integration=integration,
            message=f"Webhook kept for retry: {reason}",
            as_last_error=False,
        )
    session.add(delivery)
    session.commit()


def _apply_or_keep(session: Session, integration_id: int, status: AttemptStatus, delivery_id: int) -> bool:
    """Apply a webhook's status; one Assay cannot tie to an application is kept for matching.

    Returns True when it was tied to an attempt.
    """
    outcome = assessments.apply_vendor_status(
        session=session, integration_id=integration_id, status=status, actor=WEBHOOK, delivery_id=delivery_id
    )
    if outcome in (assessments.Applied.UNKNOWN, assessments.Applied.MISMATCH):
        matching.record(
            session=session,
            integration_id=integration_id,
            status=status,
            outcome=outcome,
            delivery_id=delivery_id,
        )
        return False
    return True


def _refetch(session: Session, provider, integration_id: int, vendor_attempt_ids) -> list[AttemptStatus]:
    """The vendor's current view of each attempt a delivery names.

    An attempt we do not know may not be fetchable (some vendors need the test
    id we would have stored); it is then kept for matching as "sent", and the
    first sync after a recruiter matches it brings the vendor's real state.
    """
    statuses = []
    for vendor_attempt_id in vendor_attempt_ids:
        probe = AttemptStatus(vendor_attempt_id, Progress.SENT, "")
        ours = assessments.find_attempt(session, integration_id=integration_id, status=probe)
        asked = assessments.asked_now()
        try:
            status = provider.fetch(vendor_attempt_id, test_id=ours.vendor_test_id if ours else "")
            statuses.append(dataclasses.replace(status, asked_at=asked))
        except VendorRefused:
            if ours is not None:
                raise
            statuses.append(AttemptStatus(vendor_attempt_id, Progress.SENT, "unknown to Assay"))
    return statuses


def _comment(
    session: Session, integration_id: int, status: AttemptStatus, comment: str, delivery_id: int
) -> None:
    """The vendor's result summary as a line in the application's history (Coodesh's comment)."""
    attempt = assessments.find_attempt(session, integration_id=integration_id, status=status)
    if attempt is None:
        return
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=comment,
        actor=WEBHOOK,
        raw_status=status.raw_status or None,
        delivery_id=delivery_id,
    )
    session.commit()


# With this many deliveries waiting, one paged listing asks the vendor less than a fetch each.
BATCH_AT = 5


def apply_pending(
    *,
    session: Session,
    integration_id: int,
    retry_failed: bool = False,
    limit: int = 2000,
    wait: float = inbox_drain.LEASE_SECONDS,
) -> int:
    """Apply a connection's waiting deliveries together; returns how many are done.

    A burst (a vendor catching up after an outage, a busy hour) is applied with one
    paged listing instead of one re-fetch per delivery, so the vendor's rate limit is
    spent on pages, not attempts (where the pages would be fewer: ``_listing_pays``).
    Each delivery is applied as soon as its page arrives (the database work fills the
    wait between paced pages), and paging stops once every attempt named that Assay
    knows has been seen. Deliveries the listing cannot settle (an attempt it omits, or
    one Assay does not know) fall back to their own re-fetch.
    Every delivery was stored before the listing began, so the listing is at least
    as new as what it announced. Deliveries that failed before are left to the
    scheduled retry unless ``retry_failed``. One drain per connection at a time, in
    every worker (``inbox_drain``): a connection another drain holds for longer than ``wait``
    seconds is left to it (0 is returned).
    """
    with inbox_drain.draining(integration_id, wait=wait) as held:
        if not held:
            return 0
        started = time.monotonic()
        done = _apply_pending(session, integration_id, retry_failed=retry_failed, limit=limit)
        # Deliveries stored while this drain ran are its too: a drain waiting for it, in this worker
        # or another, gives up after a lease, and its deliveries would wait for the scheduled retry
        # (helper-131). Those failing now are left to that retry; and a stream that never pauses
        # is let go after half a lease (helper-132), its connection's next drain queued behind
        # the other connections' (the applier's), this one's thread free for them.
        while (
            not retry_failed
            and done < limit
            and time.monotonic() - started < inbox_drain.LEASE_SECONDS / 2
            and (more := _apply_pending(session, integration_id, retry_failed=False, limit=limit - done))
        ):
            done += more
        return done


def _apply_pending(session: Session, integration_id: int, *, retry_failed: bool, limit: int) -> int:
    query = select(WebhookDelivery).where(
        WebhookDelivery.integration_id == integration_id,
        WebhookDelivery.applied_at.is_(None),  # type: ignore[union-attr]
    )
    if retry_failed:
        # Never tried first (new, or held unasked behind two kept in a row), then those tried longest
        # ago: two a run keeps failing on (two reports broken for weeks) were, oldest first, the first
        # two of every retry, and stopped each there: none behind them was ever fetched (helper-157).
        tried = WebhookDelivery.tried_at
        query = query.order_by(tried.is_not(None), tried, WebhookDelivery.id)  # type: ignore[union-attr]
    else:
        query = query.where(WebhookDelivery.error.is_(None)).order_by(WebhookDelivery.id)  # type: ignore[union-attr]
    pending = list(session.exec(query.limit(limit)))
    integration = session.get(Integration, integration_id)
    if not pending or integration is None:
        return 0
    if integration.disconnected_at is not None:
        # Received as it was disconnected (helper-145): its key is erased, and built without it
        # the provider failed as "the master key has changed". Closed as the disconnect closed
        # those waiting then (helper-146: left open for good).
        close_waiting_deliveries(session, integration_id, "its connection was disconnected.", utcnow())
        session.commit()
        return 0
    provider = provider_for(integration)
    if Capability.POLL not in provider.capabilities or len(pending) < BATCH_AT:
        return _apply_each(session, [d.id for d in pending])
    # Plain ids and names, read before the first commit expires the rows.
    named = {d.id: _named(provider, d) for d in pending}
    known = _known(session, integration_id, named)
    if not _listing_pays(session, provider, integration_id, named, known):
        return _apply_each(session, list(named))
    _people = assessments.load_people(session, known)  # held (referenced) while the listing is applied
    unseen: dict[str, list[int]] = {}
    for delivery_id, vendor_attempt_ids in named.items():
        for vendor_attempt_id in vendor_attempt_ids:
            unseen.setdefault(vendor_attempt_id, []).append(delivery_id)
    settled: dict[str, AttemptStatus] = {}
    applied: set[int] = set()
    on_its_own: set[int] = set()  # the listing's word could not be applied: each is applied on its own
    with contextlib.closing(_listing(provider, integration_id, known)) as listing:
        for status in listing:
            waiting = unseen.pop(status.vendor_attempt_id, None)
            if waiting is None:
                continue
            settled[status.vendor_attempt_id] = status  # a listing that tells all (_listing_pays)
            for delivery_id in waiting:
                ids = named[delivery_id]
                if delivery_id in applied or delivery_id in on_its_own or not all(i in settled for i in ids):
                    continue
                if _apply_listed(session, integration_id, delivery_id, [settled[i] for i in ids]):
                    applied.add(delivery_id)
                else:
                    on_its_own.add(delivery_id)
            if not unseen:
                break  # every attempt named is seen (the listing itself ends once it has seen those known)
    rest = [delivery_id for delivery_id in named if delivery_id not in applied]
    return len(applied) + _apply_each(session, rest)


def _known(
    session: Session, integration_id: int, named: dict[int, tuple[str, ...]]
) -> list[AssessmentAttempt]:
    """Assay's attempts among those the deliveries name (the listing is searched for these only)."""
    wanted = {vendor_id for ids in named.values() for vendor_id in ids}
    return list(
        session.exec(
            select(AssessmentAttempt).where(
                AssessmentAttempt.integration_id == integration_id,
                AssessmentAttempt.vendor_attempt_id.in_(wanted),  # type: ignore[union-attr]
            )
        )
    )


def _listing_pays(
    session: Session,
    provider,
    integration_id: int,
    named: dict[int, tuple[str, ...]],
    known: list[AssessmentAttempt],
) -> bool:
    """Whether one listing likely asks the vendor less than the fetches it would spare.

    Only a listing that tells all can settle a delivery (iMocha's lists finished
    invitations without their scores, so each would be fetched anyway). The listing is read
    as far as the last attempt named, about ``k / (k + 1)`` of the way through for ``k``
    attempts spread over it. Its length is counted from Assay's own attempts on either
    side of what vendors filter on (the tests named, or sent in the window), so for no
    vendor is it counted short by its filters; a few deliveries on a long listing (a quiet
    hour's trickle on a busy account) are then fetched one by one rather than costing
    every page before theirs. Attempts Assay does not know are fetched either way.
    """
    if not provider.listing_tells_all or not known:
        return False
    known_ids = {a.vendor_attempt_id for a in known}
    spared = sum(vendor_id in known_ids for ids in named.values() for vendor_id in ids)
    since = sync.listing_since(known)  # the window the listing itself is asked for
    listed = session.exec(
        select(sa.func.count())
        .select_from(AssessmentAttempt)
        .where(
            AssessmentAttempt.integration_id == integration_id,
            sa.or_(
                AssessmentAttempt.vendor_test_id.in_({a.vendor_test_id for a in known}),  # type: ignore[union-attr]
                sa.func.coalesce(AssessmentAttempt.sent_at, AssessmentAttempt.created_at) >= since,
            ),
        )
    ).one()
    pages = math.ceil(listed * len(known) / (len(known) + 1) / provider.page_size)
    return pages < spared


def _apply_each(session: Session, delivery_ids: list[int]) -> int:
    """Apply deliveries one by one, each with its own re-fetch; returns how many are done.

    Once two in a row are kept for retry (the vendor down after retries, the key revoked),
    the rest are not asked about: each would fail the same way and spend the vendor's
    rate limit (a burst of 300 would be 300 refused calls). They keep that reason, shown on
    the connection's health, and wait with it for the scheduled retry, which asks about them
    before the two (``_apply_pending``): two attempts broken for weeks may be all that fails.
    One kept alone (a value Assay could not take, a fault of ours) holds up none after it,
    and so do two the vendor failed to answer about the same attempts (its start and its
    finish, its report failing for weeks: the pair, first in every retry, stopped it there
    and held up every delivery after them, helper-129).
    """
    done = kept_in_a_row = 0
    kept_about: set[str] = set()  # the attempts the deliveries kept in a row name
    for index, delivery_id in enumerate(delivery_ids):
        outcome = _apply(session, delivery_id)
        if outcome not in (Applying.KEPT, Applying.UNANSWERED):
            done, kept_in_a_row, kept_about = done + (outcome is Applying.DONE), 0, set()
            continue
        if outcome is Applying.UNANSWERED:
            about = set(session.get(WebhookDelivery, delivery_id).vendor_attempt_ids or ())
            if about and about <= kept_about:
                continue  # the same attempts unanswered again: no news of the vendor
            kept_about |= about
        kept_in_a_row += 1
        if kept_in_a_row < 2:
            continue
        reason = session.get(WebhookDelivery, delivery_id).error
        session.exec(
            sa.update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(delivery_ids[index + 1 :]),  # type: ignore[union-attr]
                WebhookDelivery.applied_at.is_(None),  # type: ignore[union-attr]
            )
            .values(error=reason)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        break
    return done


def _apply_listed(
    session: Session, integration_id: int, delivery_id: int, statuses: list[AttemptStatus]
) -> bool:
    """Apply what the listing says of a delivery's attempts, then mark the delivery applied.

    Applying again is harmless (the lifecycle finds nothing new), so a stop between
    the two only means the scheduled retry applies it once more. The row (held by the
    drain, so read no more) is changed rather than updated in bulk: whether it held an error
    from a retry before is what moves its connection's health (``models.revisions``).
    Returns False if it could not be applied: it is then applied on its own, which keeps
    it for retry with its reason if it fails that way too.
    """
    try:
        for status in statuses:
            _apply_or_keep(session, integration_id, status, delivery_id)
        delivery = session.get(WebhookDelivery, delivery_id)
        delivery.applied_at, delivery.error = utcnow(), None
        session.add(delivery)
        session.commit()
    except Exception as err:
        session.rollback()
        log.warning(
            "webhook delivery %s not applied from the listing, applied on its own: %r", delivery_id, err
        )
        return False
    return True


def _named(provider, delivery: WebhookDelivery) -> tuple[str, ...]:
    try:
        return provider.read_webhook(delivery.body.encode()).vendor_attempt_ids
    except WebhookRejected:
        return ()  # _apply records why it cannot be applied


def _listing(provider, integration_id: int, known: list[AssessmentAttempt]) -> Iterator[AttemptStatus]:
    """The vendor's listing of Assay's attempts among those named, read ahead of their applying.

    Read on a thread of its own (``read_ahead``), so the next page is on its way while
    this one is applied; it asks for no page past the last of them. An attempt Assay does
    not know is not waited for (it might be on no page), its delivery is fetched on its own.
    """
    if not known:
        return
    stop = threading.Event()
    wanted = {a.vendor_attempt_id for a in known}
    listing = _named_in_listing(provider, integration_id, known, wanted, stop)
    with contextlib.closing(read_ahead(listing, stop=stop, name=f"listing-{integration_id}")) as statuses:
        yield from statuses


def _named_in_listing(
    provider, integration_id: int, ours: list[AssessmentAttempt], wanted: set[str], stop: threading.Event
) -> Iterator[AttemptStatus]:
    """The listed statuses of the attempts in ``wanted``, ending once the last is seen.

    It also ends early if the listing fails, whatever the failure (a vendor error, or a reply
    the provider cannot read): the deliveries not yet settled fall back to their own
    re-fetch, so one bad page never holds a burst back.
    """
    try:
        yield from sync.listing_for(provider, ours, wanted, stop=stop)
    except ProviderError as err:
        log.warning(
            "integration %s: listing for waiting webhooks failed, fetching the rest one by one: %s",
            integration_id,
            err,
        )
    except Exception:  # a reply the provider could not read: the per-attempt fetch may still work
        log.exception(
            "integration %s: could not read the listing for waiting webhooks; fetching the rest one by one",
            integration_id,
        )


@dataclasses.dataclass(frozen=True)
class Retried:
    """What became of the deliveries a connection had waiting, retried on an admin's word."""

    applied: int  # now applied
    closed: int  # closed with an error the vendor gave for good (shown on the connection's log)
    waiting: int  # still waiting for the scheduled retry (the vendor still failing, or beyond this batch)

    def summary(self) -> str:
        """The toast's words, or "" when nothing was waiting."""
        if not (self.applied or self.closed or self.waiting):
            return ""
        parts = [f"{counted(self.applied, 'delivery', 'deliveries')} applied"]
        if self.closed:
            parts.append(f"{self.closed} could not be (see the connection's log)")
        if self.waiting:
            parts.append(f"{self.waiting} still waiting")
        return "Webhooks that were waiting: " + ", ".join(parts) + "."


def retry_waiting(*, session: Session, integration_id: int) -> Retried:
    """Apply a connection's waiting deliveries now: an admin mended its key, or asked for a sync.

    The scheduled retry would apply them too, up to a poll interval later; until then the
    connection would still read "failing" to the admin who has just fixed it. Counted from
    the deliveries that were waiting when asked: where each stands now (whoever applied
    it meanwhile), a refused one never counted as applied.
    """
    waiting = _waiting_ids(session, integration_id)
    session.commit()  # no transaction held open while waiting for a drain under way
    if not waiting:
        return Retried(0, 0, 0)
    apply_pending(session=session, integration_id=integration_id, retry_failed=True)
    rows = session.exec(
        select(WebhookDelivery.applied_at, WebhookDelivery.error).where(
            WebhookDelivery.id.in_(waiting)  # type: ignore[union-attr]
        )
    ).all()
    applied = sum(at is not None and error is None for at, error in rows)
    closed = sum(at is not None and error is not None for at, error in rows)
    return Retried(applied, closed, len(waiting) - applied - closed)


def _waiting_ids(session: Session, integration_id: int) -> list[int]:
    return list(
        session.exec(
            select(WebhookDelivery.id).where(
                WebhookDelivery.integration_id == integration_id,
                WebhookDelivery.applied_at.is_(None),  # type: ignore[union-attr]
            )
        )
    )


def connections_with_pending(session: Session) -> list[int]:
    """The connections that have deliveries stored but not yet applied.

    Every one of them, however many deliveries wait: a connection whose key was revoked
    keeps its deliveries for retry, and must not crowd the others out of theirs. A disconnected
    one has no key left to apply them with (disconnecting closes them; one received meanwhile stays).
    """
    return list(
        session.exec(
            select(WebhookDelivery.integration_id)
            .join(Integration, Integration.id == WebhookDelivery.integration_id)
            .where(
                WebhookDelivery.applied_at.is_(None),  # type: ignore[union-attr]
                Integration.disconnected_at.is_(None),  # type: ignore[union-attr]
            )
            .distinct()
            .order_by(WebhookDelivery.integration_id)
        )
    )
