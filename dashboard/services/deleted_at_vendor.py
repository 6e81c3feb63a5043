"""Invitations deleted at the vendor: left out of its complete listing, and a 404 when asked.

Deleting a test session in the vendor's own dashboard withdraws it (CoderPad Interview
even has no other way), so the attempt ends as cancelled, as CodeSignal's own "deleted"
status does, and a recruiter can re-send it. A cancel is final, so two guards keep a
healthy attempt from being cancelled:

- the same sweep found others of ours in the listing, open or finished, sent under the same
  key, region and settings as the missing one (``AccountProof``): the connection reaches the
  account it was sent to (after a key swapped for another account's, every attempt would
  look deleted);
- it stayed missing for ``MISSING_FOR``, over two sweeps at least (a vendor's lookup may
  lag an invitation it has just made).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from dashboard.services.assessments import Applied, credentials_of, find_attempt, hold_attempt, same_person
from dashboard.services.wording import counted, is_are
from models import AssessmentAttempt, Integration, utcnow
from models.lifecycle import WAITING_ON_VENDOR
from providers.base import AttemptStatus, Progress, ProviderError, VendorRefused

MISSING_FOR = datetime.timedelta(hours=1)
DELETED = "deleted at the vendor"  # the raw status recorded in the history


def is_not_found(provider, err: ProviderError) -> bool:
    """A 404 for an attempt the listing left out, where the listing tells all.

    Elsewhere (iMocha's report of a pending invitation) a 404 may just mean "not yet".
    """
    return provider.listing_tells_all and isinstance(err, VendorRefused) and err.status_code == 404


def due_for_lookup(attempt: AssessmentAttempt, now: datetime.datetime) -> bool:
    """Not missing yet, or missing long enough that a 404 now cancels it: else asking is a waste."""
    return attempt.missing_since is None or _missing_long_enough(attempt, now)


def _missing_long_enough(attempt: AssessmentAttempt, now: datetime.datetime) -> bool:
    return attempt.missing_since is not None and attempt.missing_since <= now - MISSING_FOR


@dataclasses.dataclass
class AccountProof:
    """Which accounts the sweep's listing showed the connection reaches, by the credentials (key,
    region, settings) attempts of ours listed in it were sent under.

    By whether they were sent before or after the last change, as before, an attempt listed from
    one account proved those sent to another deleted after two changes (a wrong account's key
    pasted, then put right; a move to a new account, then its key rotated), helper-129.
    """

    current: datetime.datetime  # the connection's credentials now (``assessments.credentials_of``)
    changed_at: datetime.datetime | None  # its last key, region or settings change
    shown: set[object] = dataclasses.field(default_factory=set)  # the credentials proven reached

    @classmethod
    def of(cls, integration: Integration) -> AccountProof:
        return cls(credentials_of(integration), integration.credentials_changed_at)

    def saw(self, status: AttemptStatus, attempt: AssessmentAttempt, outcome: Applied) -> None:
        """A listed item that is ours beyond its id: the same candidate, our reference where it carries one."""
        if outcome == Applied.MISMATCH or status.reference not in (None, attempt.reference):
            return
        self.shown.add(self._sent_under(attempt))

    def covers(self, attempt: AssessmentAttempt) -> bool:
        """Whether a 404 for ``attempt`` comes from the account it was sent to."""
        return self._sent_under(attempt) in self.shown

    def _sent_under(self, attempt: AssessmentAttempt) -> object:
        if attempt.sent_under is not None:
            return attempt.sent_under
        # Sent before Assay kept it: the credentials now if sent since they were set, else "some
        # before them" (all such alike, as before).
        return self.current if self.changed_at is None or _sent(attempt) >= self.changed_at else _BEFORE


_BEFORE = "sent under credentials before the current ones"


def prove_with_finished(
    session: Session, integration_id: int, proof: AccountProof, listed: list[AttemptStatus]
) -> None:
    """Let attempts of ours the listing showed but that are no longer open prove the account too.

    A connection whose one open attempt was deleted has no other open attempt to show up
    in the listing; its finished ones, sent in the same window, show the same thing.
    """
    for status in listed:
        attempt = find_attempt(session, integration_id=integration_id, status=status)
        if attempt is not None:
            ours = same_person(session, attempt, status.candidate_email)
            proof.saw(status, attempt, Applied.UNCHANGED if ours else Applied.MISMATCH)


def _sent(attempt: AssessmentAttempt) -> datetime.datetime:
    return attempt.sent_at or attempt.created_at


def settle(
    session: Session,
    *,
    provider,
    open_attempts: list[AssessmentAttempt],
    seen: set[str],
    not_found: list[AssessmentAttempt],
    proof: AccountProof,
    apply: Callable[[AttemptStatus], Applied],
) -> str | None:
    """After a sweep: start or stop each attempt's missing clock; cancel those missing long enough.

    Returns a line for the connection's health when something is missing, else None.
    """
    _set_missing_since(
        session,
        [a for a in open_attempts if a.missing_since is not None and a.vendor_attempt_id in seen],
        None,
    )
    proven = [a for a in not_found if proof.covers(a)]
    now = utcnow()
    answered_since: set[int] = set()
    for attempt in proven:
        if _missing_long_enough(attempt, now):
            # Held and read again: the vendor answered for it since the sweep read it (a webhook's
            # fetch, a Refresh), which stopped its clock; the sweep's copy still said missing.
            hold_attempt(session, attempt)
            if _missing_long_enough(attempt, now):
                apply(AttemptStatus(attempt.vendor_attempt_id, Progress.CANCELLED, DELETED))
            else:
                answered_since.add(attempt.id)  # its clock not started again from this sweep's 404
                session.commit()
    # Those closed now (cancelled here, or by a person meanwhile, as read when held) are open no
    # more: said, they kept the line on the health (helper-136, helper-138).
    proven = [a for a in proven if a.id not in answered_since and a.state in WAITING_ON_VENDOR]
    _set_missing_since(session, [a for a in proven if a.missing_since is None], now)
    lines = []
    if proven:
        hours = counted(MISSING_FOR // datetime.timedelta(hours=1), "hour")
        lines.append(
            f"{counted(len(proven), 'open attempt')} {is_are(len(proven))} no longer at {provider.display_name} "
            f"(deleted there?); each is cancelled once missing for {hours}."
        )
    if unproven := sum(not proof.covers(a) for a in not_found):
        lines.append(
            f"{counted(unproven, 'open attempt')} {is_are(unproven)} missing at {provider.display_name}, and its listing shows none of "
            "this connection's attempts from the account they were sent from: check that the key and region "
            "are that account's. They were not cancelled."
        )
    return " ".join(lines) or None


def _set_missing_since(
    session: Session, attempts: list[AssessmentAttempt], moment: datetime.datetime | None
) -> None:
    if not attempts:
        return
    # A clock is started only where none runs: one another sweep started meanwhile keeps its start.
    unstarted = sa.true() if moment is None else AssessmentAttempt.missing_since.is_(None)  # type: ignore[union-attr]
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id.in_([a.id for a in attempts]), unstarted)  # type: ignore[union-attr]
        .values(missing_since=moment)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    for attempt in attempts:
        set_committed_value(attempt, "missing_since", moment)  # written above: nothing left to flush
