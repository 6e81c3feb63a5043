"""Scheduled reconciliation: the safety net under webhooks.

One paged sweep of the vendor's list per connection (not one request per
attempt), applied through the same ``apply_vendor_status`` as webhooks.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import logging
import threading
from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import deleted_at_vendor, matching
from dashboard.services.actors import POLL, Actor
from dashboard.services.assessments import Applied, apply_vendor_status, asked_now, load_people
from dashboard.services.errors import NotFound
from dashboard.services.integrations import get_integration, provider_for, record_vendor_error
from dashboard.services.read_ahead import read_ahead
from dashboard.services.wording import counted
from models import (
    VENDOR_ERROR_SHOWN_FOR,
    AssessmentAttempt,
    Integration,
    IntegrationLog,
    utcnow,
)
from models.lifecycle import WAITING_ON_VENDOR
from providers.base import (
    AttemptStatus,
    Capability,
    PermissionMissing,
    Progress,
    ProviderError,
    TestsUnlisted,
    VendorFailure,
    until_all_seen,
)

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class SyncReport:
    """What one sweep of one connection found."""

    integration_id: int
    open_attempts: int
    corrected: int
    error: str | None = None  # the sweep stopped there; what it applied before stands
    unlisted: str | None = None  # tests the vendor would not list (deleted, unseen): the rest was swept


def sync_integration(*, session: Session, integration_id: int, actor: Actor = POLL) -> SyncReport:
    """Bring every open attempt of one connection in line with the vendor; those of a test the
    vendor would not list are left as they were (``SyncReport.unlisted``)."""
    try:
        integration = get_integration(session, integration_id)
    except NotFound as gone:  # disconnected as a sweep fired, or Sync now on a card gone since
        return SyncReport(integration_id, 0, 0, str(gone))
    open_attempts = list(
        session.exec(
            select(AssessmentAttempt).where(
                AssessmentAttempt.integration_id == integration_id,
                AssessmentAttempt.state.in_(WAITING_ON_VENDOR),  # type: ignore[union-attr]
                AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
            )
        )
    )
    if not open_attempts:
        _drop_the_last_sweeps_line(integration)  # about attempts no longer open
        integration.last_sync_at, integration.last_sync_corrected = utcnow(), 0
        session.commit()
        return SyncReport(integration_id, 0, 0)
    provider = provider_for(integration)
    if Capability.POLL not in provider.capabilities:
        # Results only arrive by webhook for this vendor; there is nothing to ask.
        integration.last_sync_at, integration.last_sync_corrected = utcnow(), 0
        session.commit()
        return SyncReport(integration_id, len(open_attempts), 0)
    by_vendor_id = {a.vendor_attempt_id: a for a in open_attempts}
    _people = load_people(session, open_attempts)  # held (referenced) while the sweep applies
    corrected = 0
    proof = deleted_at_vendor.AccountProof.of(integration)

    def apply(status: AttemptStatus) -> Applied:
        nonlocal corrected
        outcome = apply_vendor_status(
            session=session, integration_id=integration_id, status=status, actor=actor
        )
        corrected += outcome == Applied.CHANGED
        if outcome == Applied.MISMATCH:
            # Taken under another address: kept for a person, as a webhook's is. Dropped, the
            # attempt waited for good, each sweep reading it and saying nothing (helper-152).
            matching.record(session=session, integration_id=integration_id, status=status, outcome=outcome)
        return outcome

    seen: set[str] = set()
    listed_closed: list[AttemptStatus] = []  # listed, not open here: maybe ours, finished
    needs_report: list[str] = []
    refused: list[str] = []
    not_found: list[AssessmentAttempt] = []
    looked_up: list[int] = []
    unlisted: TestsUnlisted | None = None
    stop = threading.Event()
    try:
        listing = listing_for(provider, open_attempts, set(by_vendor_id), stop=stop, others=listed_closed)
        # Each page is applied while the next is on its way (read ahead on a thread of its own).
        with contextlib.closing(read_ahead(listing, stop=stop, name=f"sync-{integration_id}")) as statuses:
            try:
                for status in statuses:
                    seen.add(status.vendor_attempt_id)
                    if _lacks_result(provider, status):
                        needs_report.append(status.vendor_attempt_id)  # applied with its score, never without
                    else:
                        proof.saw(status, by_vendor_id[status.vendor_attempt_id], apply(status))
            except TestsUnlisted as err:
                if _shut_out(open_attempts, err):
                    raise  # every test refused its access (an account locked, a key's user shut out)
                unlisted = err  # the other tests were listed and applied: the sweep goes on without these
        failed_in_a_row = 0
        for vendor_id in _to_fetch(provider, needs_report, seen, _listed_tests_only(by_vendor_id, unlisted)):
            looked_up.append(by_vendor_id[vendor_id].id)
            try:
                asked = asked_now()
                status = provider.fetch(vendor_id, test_id=by_vendor_id[vendor_id].vendor_test_id)
                apply(dataclasses.replace(status, asked_at=asked))
                seen.add(vendor_id)
                failed_in_a_row = 0
            except ProviderError as err:
                # Only 5xx in a row count: a refusal (a 404) is an answer about that one attempt.
                failed_in_a_row = failed_in_a_row + 1 if err.retryable else 0
                if err.whole_connection or (err.retryable and not _about_this_one(err, failed_in_a_row)):
                    raise  # not about this attempt: asking about the next would fail the same way
                if deleted_at_vendor.is_not_found(provider, err):
                    not_found.append(by_vendor_id[vendor_id])
                else:
                    refused.append(f"{vendor_id}: {err}")  # it must not hold back the rest
    except ProviderError as err:
        # What was applied before the failure stands: it is the vendor's own word.
        _mark_looked_up(session, looked_up)
        session.refresh(integration)  # as it is now: disconnected meanwhile, its health is not ours
        if integration.disconnected_at is None:
            record_vendor_error(session=session, integration=integration, message=str(err))
        session.commit()
        return SyncReport(integration_id, len(open_attempts), corrected, str(err))
    if not_found:
        deleted_at_vendor.prove_with_finished(session, integration_id, proof, listed_closed)
    missing = deleted_at_vendor.settle(
        session,
        provider=provider,
        open_attempts=open_attempts,
        seen=seen,
        not_found=not_found,
        proof=proof,
        apply=apply,
    )
    _mark_looked_up(session, looked_up)
    unlisted_line = _unlisted_line(unlisted, open_attempts, provider.display_name)
    message = " ".join(
        line
        for line in (
            unlisted_line,
            missing,
            f"{counted(len(refused), 'attempt')} could not be read at the vendor: " + "; ".join(refused[:3])
            if refused
            else None,
        )
        if line
    )
    _close(session, integration, corrected, message)
    if corrected:
        log.info("sync of integration %s corrected %s attempts", integration_id, corrected)
    return SyncReport(integration_id, len(open_attempts), corrected, unlisted=unlisted_line)


def _close(session: Session, integration: Integration, corrected: int, message: str) -> None:
    """The sweep's time and its line for the connection's health, in one commit: each commit that
    hid and showed it again woke every open page (helper-136).

    A line still so stays shown, written at the sweep's time, which the sweep's own success would
    otherwise pass (helper-134: a test deleted at the vendor was said once, then never). One line
    for all: lines recorded one by one each became the last error in turn, and were each logged
    again every sweep. It is logged when its words change, when it comes back after a sweep without
    it, or once a day while they hold.
    """
    session.refresh(integration)  # as it is now: the copy read at the sweep's start may be minutes old
    if integration.disconnected_at is not None:
        session.commit()  # the lookups' turns (``_mark_looked_up``), kept all the same (helper-152)
        return  # disconnected meanwhile: its health is not the sweep's to write (helper-138)
    if not message:
        _drop_the_last_sweeps_line(integration)  # gone: said no more, even within its own second
    now = utcnow()
    # Asked before the row changes: a query flushes what changed, and a flush of the sweep's time
    # alone would hide the line it then shows again, waking every open page twice.
    # Logged again when its words change, when it comes back after a sweep without it, or a day on.
    held = bool(message) and integration.last_error == message and integration.last_error_at is not None
    logged = held and _logged_since(session, integration.id, message, now - VENDOR_ERROR_SHOWN_FOR)
    integration.last_sync_at = integration.last_used_at = now
    integration.last_sync_corrected = corrected
    if message and not logged:
        record_vendor_error(session=session, integration=integration, message=message, at=now)  # commits
        return
    if message:
        integration.last_error, integration.last_error_at = message, now  # the sweep's moment: still shown
    session.add(integration)
    session.commit()


def _logged_since(session: Session, integration_id: int, message: str, since: datetime.datetime) -> bool:
    """Whether the connection's error log holds ``message`` since ``since`` (its "Errors (24 h)")."""
    return (
        session.exec(
            select(IntegrationLog.id)
            .where(
                IntegrationLog.integration_id == integration_id,
                IntegrationLog.kind == "error",
                IntegrationLog.message == message[:500],
                IntegrationLog.at > since,
            )
            .limit(1)
        ).first()
        is not None
    )


def _drop_the_last_sweeps_line(integration: Integration) -> None:
    """Stop showing the line the last sweep wrote (known by its moment, the sweep's own)."""
    if integration.last_error_at is not None and integration.last_error_at == integration.last_sync_at:
        integration.last_error_at = None


def _shut_out(open_attempts: list[AssessmentAttempt], unlisted: TestsUnlisted) -> bool:
    """Whether the refusals look like the account's, not the tests': every test with open attempts
    refused, each for want of access (a 404, a test deleted, is that test's alone; helper-136)."""
    return all(a.vendor_test_id in unlisted.tests for a in open_attempts) and all(
        isinstance(err, PermissionMissing) for err in unlisted.tests.values()
    )


def _unlisted_line(
    unlisted: TestsUnlisted | None, open_attempts: list[AssessmentAttempt], vendor: str
) -> str | None:
    """The tests the vendor would not list, by the names the plan shows, and its first reason."""
    if unlisted is None:
        return None
    names = {a.vendor_test_id: a.vendor_test_name for a in open_attempts}
    named = ", ".join(f'"{names.get(test_id) or test_id}"' for test_id in unlisted.tests)
    reason = next(iter(unlisted.tests.values()))
    if len(unlisted.tests) == 1:
        return f"The test {named} could not be listed at {vendor}; its open attempts are left as they were: {reason}"
    return (
        f"{len(unlisted.tests)} tests could not be listed at {vendor} ({named}); "
        f"their open attempts are left as they were: {reason}"
    )


def _listed_tests_only(by_vendor_id: dict, unlisted: TestsUnlisted | None) -> dict:
    """The open attempts whose tests the vendor listed. Those of a test it would not list are
    neither looked up one by one (each would be refused the same way, every sweep, spending the
    rate limit) nor taken for deleted: they wait, as they are, for the test to be listed again."""
    if unlisted is None:
        return by_vendor_id
    return {vendor_id: a for vendor_id, a in by_vendor_id.items() if a.vendor_test_id not in unlisted.tests}


# A listing's window opens this long before the earliest send asked about, for clocks that disagree.
LISTING_SLACK = datetime.timedelta(hours=1)


def listing_since(attempts: list[AssessmentAttempt]) -> datetime.datetime:
    """Where the listing's window for ``attempts`` opens: an hour before the earliest send."""
    return min(a.sent_at or a.created_at for a in attempts) - LISTING_SLACK


def listing_for(
    provider,
    attempts: list[AssessmentAttempt],
    wanted: set[str],
    *,
    stop: threading.Event,
    others: list[AttemptStatus] | None = None,
) -> Iterator[AttemptStatus]:
    """The vendor's listing over the window and tests of ``attempts``, for the ids in ``wanted``.

    Lazy, and it ends once every wanted id is seen or ``stop`` is set (see ``read_ahead``),
    so no page more is asked for. The window opens an hour before the earliest send, for
    clocks that disagree. A few of the items listed but not wanted go to ``others``.
    """
    since = listing_since(attempts)
    test_ids = sorted({a.vendor_test_id for a in attempts})
    return until_all_seen(
        provider.list_statuses(since=since, test_ids=test_ids), wanted, stop=stop, others=others
    )


# Attempts fetched one by one per sweep, where the listing could not say: finished ones
# whose score it leaves out first (iMocha), then the open ones it omits, those that heard
# nothing for longest first; the rest wait, still open, for the next sweep. A listing that
# tells all omits few (a page shifting under the read, a lagging index, a deletion).
MAX_FETCHES_PER_SWEEP = 200
MAX_LOOKUPS_PER_SWEEP = 20


def _about_this_one(err: ProviderError, failed_in_a_row: int) -> bool:
    """Whether a retryable failure to read one attempt is about that attempt alone: a 5xx (its
    tries spent) not following another (helper-112: one iMocha report answering 500 for weeks
    held back every report behind it, sweep after sweep, in the same order). Not a rate limit or
    no answer at all, nor a second 5xx in a row: the vendor, not the attempt."""
    return isinstance(err, VendorFailure) and failed_in_a_row == 1


def _lacks_result(provider, status: AttemptStatus) -> bool:
    """A finished attempt listed without its score, by a vendor whose listing carries none."""
    return not provider.listing_tells_all and status.progress == Progress.COMPLETED and status.result is None


def _to_fetch(provider, needs_report: list[str], seen: set[str], by_vendor_id: dict) -> list[str]:
    """What the listing could not say: results it lists without, and open attempts it omits."""
    now = utcnow()
    omitted = sorted(
        (
            a
            for vendor_id, a in by_vendor_id.items()
            if vendor_id not in seen and deleted_at_vendor.due_for_lookup(a, now)
        ),
        key=_lookup_turn,
    )
    # Results first, each in its turn too: two reports failing in a row end the sweep, and asked
    # for in the listing's order they were the first two of every sweep after (helper-152).
    reports = sorted(needs_report, key=lambda vendor_id: _lookup_turn(by_vendor_id[vendor_id]))
    cap = MAX_LOOKUPS_PER_SWEEP if provider.listing_tells_all else MAX_FETCHES_PER_SWEEP
    return [*reports, *(a.vendor_attempt_id for a in omitted)][:cap]


def _lookup_turn(attempt: AssessmentAttempt) -> tuple[bool, datetime.datetime]:
    """Never looked up first, those that heard nothing for longest; then those looked up longest
    ago. A lookup finding nothing new changes nothing else on the attempt, so without its time
    the same oldest ones were asked about every sweep and, past the cap, the rest never."""
    if attempt.looked_up_at is None:
        return False, attempt.missing_since or attempt.updated_at
    return True, attempt.looked_up_at


def _mark_looked_up(session: Session, attempt_ids: list[int]) -> None:
    """When the sweep asked about these by their id (``_lookup_turn``), committed with the sweep."""
    if attempt_ids:
        session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id.in_(attempt_ids))  # type: ignore[union-attr]
            .values(looked_up_at=utcnow())
            .execution_options(synchronize_session="evaluate")  # the sweep's attempts in hand too
        )


def sync_intervals(session: Session, default_seconds: float) -> dict[int, float]:
    """Each live connection and how often it is swept (its own interval, or the workspace's)."""
    rows = session.exec(
        sa.select(Integration.id, Integration.sync_every_seconds).where(
            Integration.disconnected_at.is_(None)  # type: ignore[union-attr]
        )
    ).all()
    return {integration_id: float(seconds or default_seconds) for integration_id, seconds in rows}
