"""Sending assessments and applying what vendors report, through one lifecycle.

A send is claimed in the database before the vendor is called, so a double
click, two tabs or a retry race to one claim and produce one invitation; a retry
after an unclear failure first asks the vendor whether the invitation exists
(by the reference it carries) before sending again.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import logging
import math
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from dashboard.services import history, notify, plan_connections
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import provider_for, record_vendor_error
from dashboard.services.permissions import Permission, SignedInUser, require
from dashboard.services.wording import counted
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Integration,
    Job,
    Stage,
    StageAssessment,
    UnmatchedResult,
    decide,
    utcnow,
)
from models.lifecycle import FINISHED_STATES, OPEN_STATES, furthest
from providers import registry
from providers.base import (
    AttemptStatus,
    Capability,
    Invitee,
    Progress,
    ProviderError,
    VendorRefused,
    VendorUnreachable,
)

log = logging.getLogger(__name__)

# A claim older than this belongs to a process that died mid-send; it may be retaken.
CLAIM_TIMEOUT = datetime.timedelta(minutes=2)

_FROM_PROGRESS = {
    Progress.SENT: AttemptState.SENT,
    Progress.STARTED: AttemptState.STARTED,
    Progress.COMPLETED: AttemptState.COMPLETED,
    Progress.CANCELLED: AttemptState.CANCELLED,
    Progress.EXPIRED: AttemptState.EXPIRED,
    Progress.ERROR: AttemptState.ERROR,
}

STATE_LABELS = {
    AttemptState.READY_TO_SEND: "Assessment needs sending",
    AttemptState.SENT: "Sent",
    AttemptState.STARTED: "Started",
    AttemptState.COMPLETED: "Assessment needs review",
    AttemptState.REVIEWED: "Reviewed",
    AttemptState.CANCELLED: "Cancelled",
    AttemptState.EXPIRED: "Expired",
    AttemptState.ERROR: "Failed",
}


def minutes(seconds: int | None) -> float | None:
    """A duration in minutes to one decimal: 28.9 and 29.4 differ when candidates are compared."""
    return round(seconds / 60, 1) if seconds is not None else None


def percent_figure(value: float | None) -> str:
    """A score or comparative score to the tenth at most, as every page writes it: "58.3" for
    58.33, "94" for 94.0, "" for none ("%" is the page's to add: ``percent_label``).

    A vendor scoring by points gives 7 of 12 as 58.33: the review page said "58.33%", the
    application page "58.3%" and the board's card "58%", three figures for one result. Cut
    down, not rounded: 79.96 read "80%" where a rule advancing at 80 left it (the rules and
    filters compare the score itself; the CSV carries it whole).
    """
    return "" if value is None else _tenth_down(value)


def _tenth_down(value: float) -> str:
    """To the tenth, cut down (79.96 reads "79.9"), with no trailing zero ("94", not "94.0")."""
    return f"{math.floor(round(value * 10, 6)) / 10:g}"


def percent_label(value: float | None) -> str:
    """``percent_figure`` with its "%" ("58.3%"); "" for none."""
    return f"{percent_figure(value)}%" if value is not None else ""


def points_label(points: float | None, max_points: float | None) -> str:
    """Points scored of the test's maximum, alike on the review and application pages and in the
    CSV ("12.3 / 20"); "" unless both are known (a maximum alone read " / 500 points"). Cut down
    as scores are: 19.96 of 20 read "20 / 20", full marks, beside its 99.8%."""
    if points is None or not max_points:
        return ""
    return f"{_tenth_down(points)} / {_tenth_down(max_points)}"


def subscore_points_label(points: float | None, max_points: float | None) -> str:
    """A section's or question's points as the total's read beside them ("7.5 / 10"), the figure
    alone where the vendor gives no maximum (CodeSignal's Coding Score: "550"), "" where it gave
    no points (a question not graded yet read " / 10")."""
    if points is None:
        return ""
    return points_label(points, max_points) or _tenth_down(points)


def time_taken_label(taken: float | None, allowed: float | None) -> str:
    """How long a test took, of the time it allows ("28.9 min of 60 min"), alike on every page.

    Always to the tenth of a minute ("29.0 min", not "29 min"), so a column of times reads
    in one format; the time allowed is a limit, written as set. A time that rounds to nothing
    (the vendor stamped the start and the end within seconds) reads "under 1 min": "0.0 min"
    read as a broken figure, or as no time at all. No time reported is "" (the pages say so).
    """
    if taken is None:
        return ""
    shown = f"{taken:.1f} min" if round(taken, 1) > 0 else "under 1 min"
    return shown + (f" of {allowed:g} min" if allowed else "")


@dataclasses.dataclass(frozen=True)
class SendOutcome:
    """What a send did, in words for the person who clicked.

    ``failed``: the vendor refused or could not be reached, so the page tells it as an
    error; an outcome that is neither sent nor failed did nothing because nothing was
    needed (already sent, resent a moment ago).
    """

    sent: bool
    message: str
    failed: bool = False


def new_reference() -> str:
    """The id our invitation carries at the vendor."""
    return f"assay-{uuid.uuid4().hex[:20]}"


def _open_for_test(session: Session, application_id: int, integration_id: int, vendor_test_id: str):
    return session.exec(
        select(AssessmentAttempt).where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.integration_id == integration_id,
            AssessmentAttempt.vendor_test_id == vendor_test_id,
            AssessmentAttempt.state.in_(list(OPEN_STATES)),  # type: ignore[union-attr]
        )
    ).first()


def create_attempt(
    session: Session,
    *,
    application: Application,
    integration_id: int,
    vendor_test_id: str,
    vendor_test_name: str,
    actor: Actor,
    stage: Stage | None = None,
    stage_test: StageAssessment | None = None,
    live_interview: bool = False,
    retakes: AssessmentAttempt | None = None,
) -> AssessmentAttempt:
    """The application's open attempt at this test, created ready to send if there is none.

    One open attempt per application and test (a unique index backs this), so a
    double click, two tabs or a bulk action racing a click open one attempt. A send of the
    test that failed unconfirmed is taken up again rather than made anew (``_take_up``).
    """
    existing = _open_for_test(session, application.id, integration_id, vendor_test_id)
    if existing:
        return existing
    for _ in range(2):  # a take-up lost to a colleague's set-aside or Retry is tried once more
        unconfirmed = _tried_unconfirmed(session, application.id, integration_id, vendor_test_id)
        if unconfirmed is None:
            break
        if _take_up(
            session,
            unconfirmed,
            application=application,
            stage=stage,
            stage_test=stage_test,
            retakes=retakes,
            actor=actor,
        ):
            return unconfirmed
        if existing := _open_for_test(session, application.id, integration_id, vendor_test_id):
            return existing
    attempt = AssessmentAttempt(
        application_id=application.id,
        stage_id=stage.id if stage else None,
        stage_assessment_id=stage_test.id if stage_test else None,
        integration_id=integration_id,
        vendor_test_id=vendor_test_id,
        vendor_test_name=vendor_test_name,
        live_interview=live_interview,
        attempt_number=next_attempt_number(session, application.id, integration_id, vendor_test_id),
        retakes_attempt_id=retakes.id if retakes else None,
        reference=new_reference(),
        state=AttemptState.READY_TO_SEND,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except sa.exc.IntegrityError:
        # Another request opened it a moment ago.
        return _open_for_test(session, application.id, integration_id, vendor_test_id)
    label = f"attempt {attempt.attempt_number}" if attempt.attempt_number > 1 else "assessment"
    history.record(
        session,
        application_id=application.id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: {label} needs sending",
        to_state=AttemptState.READY_TO_SEND.value,
        actor=actor,
    )
    history.bump_job(session, application.job_id)
    return attempt


def next_attempt_number(
    session: Session, application_id: int, integration_id: int, vendor_test_id: str
) -> int:
    """The number a new attempt at the test takes: one more than the tries that reached, or may
    have reached, the candidate. One withdrawn before it was ever sent (its stage left) made the
    next "attempt 2" of a test they never got."""
    tried = session.exec(
        select(sa.func.count())
        .select_from(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.integration_id == integration_id,
            AssessmentAttempt.vendor_test_id == vendor_test_id,
            sa.or_(
                AssessmentAttempt.send_tries > 0,
                AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
            ),
        )
    ).one()
    return tried + 1


def _tried_unconfirmed(
    session: Session, application_id: int, integration_id: int, vendor_test_id: str
) -> AssessmentAttempt | None:
    """The application's newest attempt at the test if a send of it was tried and the vendor never
    confirmed it: failed (a timeout, say), or withdrawn after such a try. The vendor may have made
    its invitation all the same, before its answer was lost."""
    newest = session.exec(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.integration_id == integration_id,
            AssessmentAttempt.vendor_test_id == vendor_test_id,
        )
        .order_by(AssessmentAttempt.id.desc())  # type: ignore[union-attr]
    ).first()
    if newest is None or newest.vendor_attempt_id is not None:
        return None
    if newest.state == AttemptState.ERROR:
        return newest
    return newest if newest.state == AttemptState.CANCELLED and newest.send_tries > 0 else None


def _take_up(
    session: Session,
    attempt: AssessmentAttempt,
    *,
    application: Application,
    stage: Stage | None,
    stage_test: StageAssessment | None,
    retakes: AssessmentAttempt | None,
    actor: Actor,
) -> bool:
    """Ready a send tried and never confirmed to go again, in place of a fresh attempt (in the
    caller's transaction); False if a colleague took it up a moment ago.

    It keeps its reference, so its send first asks the vendor for the invitation an earlier try
    may have made; a fresh attempt, with a reference of its own, invited the candidate twice. It
    becomes ``stage``'s, or a one-off if the stage it failed for is one the candidate left.
    """
    before = attempt.state
    try:
        with session.begin_nested():
            taken = session.exec(
                sa.update(AssessmentAttempt)
                .where(
                    AssessmentAttempt.id == attempt.id,
                    AssessmentAttempt.state == before,
                    AssessmentAttempt.vendor_attempt_id.is_(None),  # type: ignore[union-attr]
                )
                .values(
                    state=AttemptState.READY_TO_SEND,
                    send_claimed_at=None,
                    error_reason=None,
                    expires_at=None,  # fixed again at the send, by the stage it goes for now
                    updated_at=utcnow(),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
    except sa.exc.IntegrityError:
        taken = 0  # another request opened an attempt at the test a moment ago
    session.refresh(attempt)
    if taken != 1:
        return False
    if stage is not None and attempt.stage_id != stage.id:
        attempt.stage_id, attempt.stage_assessment_id = stage.id, None
        attempt.deleted_stage = attempt.carried_from = None  # sent for this stage, not carried to it
    elif stage is None and attempt.stage_id not in (None, application.stage_id):
        # Its stage was left: a one-off now.
        attempt.stage_id = attempt.stage_assessment_id = attempt.carried_from = None
    if stage_test is not None:
        attempt.stage_assessment_id = stage_test.id
    if retakes is not None and retakes.id != attempt.id:
        attempt.retakes_attempt_id = retakes.id
    session.add(attempt)
    where = f" for {stage.name}" if stage is not None else ""
    history.record(
        session,
        application_id=application.id,
        attempt=attempt,
        summary=(
            f"{attempt.vendor_test_name}: its unconfirmed send taken up again{where}; the vendor is "
            "asked first whether the earlier try reached it"
        ),
        from_state=before.value,
        to_state=AttemptState.READY_TO_SEND.value,
        actor=actor,
    )
    history.bump_job(session, application.job_id)
    return True


def open_attempt(
    session: Session, *, application: Application, stage: Stage, stage_test: StageAssessment, actor: Actor
) -> tuple[AssessmentAttempt, str | None]:
    """The attempt a stage's test opens when the application enters the stage, and where it was
    carried over from (None: opened here, or this stage's own already).

    An attempt at the same test still open from an earlier stage (or a one-off send) is the
    invitation the candidate holds: it becomes this stage's, so the stage's Done when, its chip
    and the queue count it; left with the earlier stage, the candidate who finished it was never
    done with the stage they are in.
    """
    held = _open_for_test(session, application.id, stage_test.integration_id, stage_test.vendor_test_id)
    if held is not None and held.stage_id != stage.id:
        return held, _carry_over(session, held, stage, stage_test, actor)
    if held is None and (done := _finished_here(session, application.id, stage, stage_test)) is not None:
        return done, None
    attempt = create_attempt(
        session,
        application=application,
        integration_id=stage_test.integration_id,
        vendor_test_id=stage_test.vendor_test_id,
        vendor_test_name=stage_test.vendor_test_name,
        stage=stage,
        stage_test=stage_test,
        actor=actor,
        retakes=None
        if held
        else earlier_to_retake(session, application.id, stage_test.integration_id, stage_test.vendor_test_id),
    )
    return attempt, None


def _finished_here(
    session: Session, application_id: int, stage: Stage, stage_test: StageAssessment
) -> AssessmentAttempt | None:
    """The candidate's newest attempt at the test if it is this stage's and finished: back in a
    stage whose test they took (a card dragged out by mistake and back, an advance undone by
    hand), its result stands, and Re-attempt sends the test again if that is meant (helper-143:
    entering again sent it as a re-take, the result waiting for review hidden behind "Sent").
    Its test changed for them ("Change test") counts as the stage's, as the stage's Done when has it."""
    newest = session.exec(  # that reached the vendor: one withdrawn unsent meanwhile is passed over
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            sa.or_(
                sa.and_(
                    AssessmentAttempt.integration_id == stage_test.integration_id,
                    AssessmentAttempt.vendor_test_id == stage_test.vendor_test_id,
                ),
                AssessmentAttempt.stage_assessment_id == stage_test.id,  # a test changed for them
            ),
            AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(AssessmentAttempt.id.desc())  # type: ignore[union-attr]
    ).first()
    if newest is not None and newest.stage_id == stage.id and newest.state in FINISHED_STATES:
        return newest
    return None


def earlier_to_retake(
    session: Session, application_id: int, integration_id: int, vendor_test_id: str
) -> AssessmentAttempt | None:
    """The candidate's newest attempt at the test if a new one (a stage's, a one-off, a changed
    test) must re-take it at the vendor: they finished it, or it expired where the vendor refuses
    a new invitation beside an expired one (HackerRank's "already invited").

    A plain send of a finished test had a vendor whose invite is idempotent per email hand back
    the finished invitation, whose old result then passed for new; of an expired HackerRank test,
    it failed for good.
    """
    newest = session.exec(  # the newest that reached the vendor: one withdrawn unsent is passed over
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.integration_id == integration_id,
            AssessmentAttempt.vendor_test_id == vendor_test_id,
            AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(AssessmentAttempt.id.desc())  # type: ignore[union-attr]
    ).first()
    integration = session.get(Integration, integration_id)
    spec = registry.VENDORS.get(integration.vendor) if integration else None
    return newest if newest is not None and spec and _reopened_by_a_retake(newest, spec.provider) else None


def _reopened_by_a_retake(earlier: AssessmentAttempt, provider) -> bool:
    """Whether a new attempt at the test re-opens ``earlier`` at the vendor rather than inviting
    afresh: they finished it, or it expired where the vendor refuses a new invitation beside an
    expired one (``provider``: the connection's provider, or its class)."""
    return earlier.state in FINISHED_STATES or (
        earlier.state == AttemptState.EXPIRED and provider.expired_blocks_inviting
    )


def _asks_before_reuse(attempt: AssessmentAttempt, provider) -> bool:
    """Whether a send of ``attempt`` first looks for another application's invitation the vendor
    would hand back (its invite idempotent per email): not for a re-take, which re-opens its own,
    nor for a live interview's room, made anew each time."""
    return (
        not attempt.retakes_attempt_id and provider.reuses_invitation_per_email and not attempt.live_interview
    )


def stage_label(stage_name: str | None, attempt: AssessmentAttempt) -> str:
    """The stage an attempt counts for, as every page names it: its stage, one deleted since
    ("Screen (deleted)"), "Interview room" for a scheduled interview's pad (it counts for no
    stage's tests), or "One-off" for a send outside the plan."""
    if stage_name:
        return stage_name
    if attempt.deleted_stage:
        return f"{attempt.deleted_stage} (deleted)"
    return "Interview room" if attempt.live_interview else "One-off"


def _carry_over(
    session: Session, attempt: AssessmentAttempt, stage: Stage, stage_test: StageAssessment, actor: Actor
) -> str:
    """Make an open attempt the entered stage's (in the caller's transaction); where it came from."""
    earlier = session.get(Stage, attempt.stage_id) if attempt.stage_id else None
    # A stage deleted since keeps only its name on the attempt; a one-off send has none.
    origin = earlier.name if earlier else attempt.deleted_stage or "an earlier send"
    attempt.stage_id, attempt.stage_assessment_id, attempt.carried_from = stage.id, stage_test.id, origin
    attempt.deleted_stage = None  # it has a stage again
    session.add(attempt)
    label = STATE_LABELS[attempt.state].lower()
    kept = "" if attempt.state == AttemptState.READY_TO_SEND else "; not sent again"
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: carried over from {origin} to {stage.name} ({label}){kept}",
        actor=actor,
    )
    return origin


def _unclaimed(now: datetime.datetime) -> sa.ColumnElement[bool]:
    """No send holds the attempt: never claimed, or its claim outlived a crashed sender."""
    return sa.or_(
        AssessmentAttempt.send_claimed_at.is_(None),  # type: ignore[union-attr]
        AssessmentAttempt.send_claimed_at < now - CLAIM_TIMEOUT,
    )


def being_sent(now: datetime.datetime) -> sa.ColumnElement[bool]:
    """A send holds the attempt now (it asks the vendor): waiting to be sent, its claim alive."""
    return sa.and_(AssessmentAttempt.state == AttemptState.READY_TO_SEND, ~_unclaimed(now))


def withdraw_unsent(session: Session, *, application_id: int, stage: Stage, actor: Actor) -> int:
    """Withdraw the stage's tests not yet sent, and set aside those whose send failed, as the
    candidate leaves it (in the caller's transaction).

    Nothing is at the vendor as far as Assay knows, so nothing is cancelled there; the queue stops
    asking to send, or to retry, a test for a stage the candidate is no longer in. A test being
    sent right now (claimed) is left to finish, and one already sent stays open: the candidate
    may still take it. A failed send set aside is taken up again, not made anew, if the same test
    is sent to the candidate later (``create_attempt``). Returns how many were withdrawn.
    """
    of_stage = (AssessmentAttempt.application_id == application_id, AssessmentAttempt.stage_id == stage.id)
    failed = session.exec(
        select(AssessmentAttempt).where(
            *of_stage,
            AssessmentAttempt.state == AttemptState.ERROR,
            AssessmentAttempt.vendor_attempt_id.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    unsent = session.exec(
        select(AssessmentAttempt).where(
            *of_stage, AssessmentAttempt.state == AttemptState.READY_TO_SEND, _unclaimed(utcnow())
        )
    ).all()
    return _closed(
        session, failed, set_aside_if_failed, f"set aside after its send failed (left {stage.name})", actor
    ) + _closed(
        session, unsent, withdraw_if_unsent, f"withdrawn before it was sent (left {stage.name})", actor
    )


def _closed(session: Session, attempts, close, words: str, actor: Actor) -> int:
    """Cancel each of ``attempts`` here by ``close`` (False: a colleague's send or Retry took it a
    moment ago), each with its line in the history; how many were."""
    closed = 0
    for attempt in attempts:
        before = attempt.state
        if not close(session, attempt):
            continue
        closed += 1
        history.record(
            session,
            application_id=attempt.application_id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: {words}",
            from_state=before.value,
            to_state=AttemptState.CANCELLED.value,
            actor=actor,
        )
    return closed


def set_aside_if_failed(session: Session, attempt: AssessmentAttempt) -> bool:
    """Mark a failed send the vendor never confirmed cancelled, in the caller's transaction; False
    if it is no longer failed (a colleague's Retry a moment before wins)."""
    moved = session.exec(
        sa.update(AssessmentAttempt)
        .where(
            AssessmentAttempt.id == attempt.id,
            AssessmentAttempt.state == AttemptState.ERROR,
            AssessmentAttempt.vendor_attempt_id.is_(None),  # type: ignore[union-attr]
        )
        .values(state=AttemptState.CANCELLED, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    return moved.rowcount == 1


def withdraw_if_unsent(session: Session, attempt: AssessmentAttempt) -> bool:
    """Mark a test not sent yet cancelled, in the caller's transaction; False if a send holds it
    (or it is no longer waiting to be sent)."""
    now = utcnow()
    moved = session.exec(
        sa.update(AssessmentAttempt)
        .where(
            AssessmentAttempt.id == attempt.id,
            AssessmentAttempt.state == AttemptState.READY_TO_SEND,
            _unclaimed(now),
        )
        .values(state=AttemptState.CANCELLED, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return moved.rowcount == 1


def _claim(session: Session, attempt_id: int, email: str) -> bool:
    """Take the right to send this attempt to ``email``; False if it is sent or being sent.

    The address is kept with the claim, before the vendor is asked: a send that times out may
    have made the invitation under it, and the next try looks for it there."""
    now = utcnow()
    result = session.exec(
        sa.update(AssessmentAttempt)
        .where(
            AssessmentAttempt.id == attempt_id,
            AssessmentAttempt.state == AttemptState.READY_TO_SEND,
            _unclaimed(now),
            # Not for a candidate rejected since the send read them (a stage sending several tests
            # reads the application once, before the first).
            ~sa.exists().where(
                Application.id == AssessmentAttempt.application_id,
                Application.rejected_at.is_not(None),  # type: ignore[union-attr]
            ),
            # Nor to an address corrected since (helper-120: the test went to the typo).
            sa.exists().where(
                Application.id == AssessmentAttempt.application_id,
                Candidate.id == Application.candidate_id,
                Candidate.email == email,
            ),
        )
        .values(send_claimed_at=now, send_tries=AssessmentAttempt.send_tries + 1, invited_email=email)
    )
    session.commit()
    return result.rowcount == 1


def refuse_rejected(application: Application, candidate: Candidate) -> None:
    """A rejected candidate is sent no test (the queue leaves them out; a send from their page did not)."""
    if application.rejected_at is not None:
        raise UserError(f"{candidate.name} was rejected; a rejected candidate is sent no test.")


def disconnected_refusal(
    attempt: AssessmentAttempt, integration: Integration | None, *, sending: bool
) -> str:
    """Why an attempt on a disconnected connection cannot be sent (or reached at the vendor), and
    what the recruiter can do instead.

    It said "reconnect it first", but a connection made again is a new one, which the attempt
    does not use: reconnecting changed nothing. Another test through a connected vendor does.
    """
    through = integration.name if integration else "a vendor connection since removed"
    if sending and attempt.live_interview:
        return (
            f"{attempt.vendor_test_name} cannot be made: it goes through {through}, and a connection made "
            "again is a new one, which it does not use. Repair the stage's live-interview link in the "
            "interview plan, then book the interview again."
        )
    if sending:
        return (
            f"{attempt.vendor_test_name} cannot be sent: it goes through {through}, and a connection made "
            "again is a new one, which it does not use. Send the candidate the test through a connected "
            "vendor instead (Send an assessment on their application page)."
        )
    return (
        f"{attempt.vendor_test_name} cannot be reached at the vendor: it went through {through}, and a "
        "connection made again is a new one, which it does not use. To test the candidate again, send "
        "them the test through a connected vendor (Send an assessment on their application page)."
    )


def send_assessment(
    *, session: Session, attempt_id: int, actor: Actor, readdressed: bool = False
) -> SendOutcome:
    """Invite the candidate at the vendor; safe to call twice at once.

    A vendor failure puts the attempt in ``error`` with the vendor's reason
    (retryable or not) instead of raising; nothing already stored is lost. The claim holds
    only for the address read: one corrected meanwhile is sent to instead (``readdressed``, once).

    A rejected candidate is sent nothing: the queue leaves them out, and the application page's
    Send, a re-attempt or a move into a stage that sends on entry would have emailed them.

    Raises:
        UserError: The candidate was rejected, has no email, or the connection is gone.
    """
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None:
        raise NotFound("That assessment no longer exists.")
    if attempt.state != AttemptState.READY_TO_SEND:
        return SendOutcome(False, f"Already {STATE_LABELS[attempt.state].lower()}; nothing was sent again.")
    application = session.get(Application, attempt.application_id)
    was_in = application.stage_id  # where the candidate was as the send began
    candidate = session.get(Candidate, application.candidate_id)
    refuse_rejected(application, candidate)
    if not candidate.email:
        raise UserError(f"{candidate.name} has no email address; add one before sending.")
    integration = session.get(Integration, attempt.integration_id)
    if integration is None or integration.disconnected_at is not None:
        raise UserError(disconnected_refusal(attempt, integration, sending=True))
    provider = provider_for(integration)
    sent_under = credentials_of(integration)  # those the provider speaks with, read with it
    previous = (
        session.get(AssessmentAttempt, attempt.retakes_attempt_id) if attempt.retakes_attempt_id else None
    )
    if _asks_before_reuse(attempt, provider):
        _refuse_silent_reuse(session, attempt, candidate)
    tried_before = attempt.send_tries > 0
    # Where an earlier try's invitation, if the vendor made one, is filed: the candidate's email
    # may have been corrected since.
    earlier_address = attempt.invited_email or candidate.email
    if not _claim(session, attempt_id, candidate.email):
        session.refresh(application)
        refuse_rejected(application, candidate)  # rejected since it was read: the claim refused it
        read_as = candidate.email
        session.refresh(candidate)
        if candidate.email != read_as and not readdressed:  # corrected since it was read: sent there
            return send_assessment(session=session, attempt_id=attempt_id, actor=actor, readdressed=True)
        session.refresh(attempt)
        if attempt.state == AttemptState.CANCELLED:  # helper-156: said "already being sent", nothing sent
            return SendOutcome(False, "Not sent: it was withdrawn meanwhile; its history says why.")
        return SendOutcome(False, "This assessment is already being sent.")
    earlier_deadline = attempt.expires_at  # an earlier try's, if its invitation is found
    _set_deadline(session, attempt, provider)
    invitee = invitee_for(session, attempt)
    retake = (
        previous is not None
        and previous.vendor_attempt_id is not None
        and Capability.REATTEMPT in provider.capabilities
        and _reopened_by_a_retake(previous, provider)
        # The vendor re-opens an invitation for the address it went to: one sent to an email
        # corrected since would go to the typo again, its updates naming it. A fresh invitation
        # to the present address is sent instead (it still re-takes the first, in Assay).
        and (previous.invited_email or candidate.email) == candidate.email
    )
    try:
        found = revive = None
        if tried_before and not (retake and provider.finds_by_inviting):
            # An earlier send (or re-attempt) may have reached the vendor before it failed on our side.
            found = provider.find_by_reference(
                test_id=attempt.vendor_test_id, invitee=dataclasses.replace(invitee, email=earlier_address)
            )
            if found and _held_by_another(session, attempt, found, retaken=previous if retake else None):
                found = None  # CodeSignal finds a candidate's one pending room by email alone
            elif found and found.progress in DEAD_WHEN_FOUND:
                # HackerRank refuses a second invitation beside an expired one: re-opened instead,
                # where the vendor re-opens tests (its id kept, or a new one the vendor gives).
                if found.progress == Progress.EXPIRED and Capability.REATTEMPT in provider.capabilities:
                    revive = found.vendor_attempt_id
                invitee = _under_a_new_reference(session, attempt, invitee)
                found = None
            elif not found and _unlisted_yet(attempt, provider):
                return _not_sent_yet(session, attempt, provider)
        if found:
            status = found
        else:
            if retake or revive:
                invitation = provider.reattempt(
                    revive or previous.vendor_attempt_id, test_id=attempt.vendor_test_id, invitee=invitee
                )
            else:
                invitation = provider.send(test_id=attempt.vendor_test_id, invitee=invitee)
            status = AttemptStatus(
                vendor_attempt_id=invitation.vendor_attempt_id,
                progress=Progress.SENT,
                raw_status="",  # the send reply carries no status; the next fetch brings the vendor's
                test_url=invitation.test_url,
                report_url=invitation.report_url,
                expires_at=invitation.expires_at,
                sent_at=utcnow(),
            )
    except ProviderError as err:
        session.refresh(attempt)
        if isinstance(err, VendorUnreachable):  # no answer: the vendor may have acted all the same
            attempt.send_unanswered_at = utcnow()
        reason = str(err)
        if isinstance(err, VendorRefused) and not err.retryable:
            # The vendor may no longer list the plan's test: marked there, and said here.
            reason = " ".join([reason, plan_connections.unlisted_after_refusal(session, attempt)]).strip()
        _fail(session, attempt, reason=reason, retryable=err.retryable, actor=actor)
        record_vendor_error(session=session, integration=integration, message=str(err))
        left = _set_aside_if_moved_on(session, attempt, actor)
        return SendOutcome(False, f"Not sent: {reason}{left}", failed=True)
    session.refresh(attempt)
    attempt.vendor_attempt_id, attempt.sent_under = status.vendor_attempt_id, sent_under
    if found and not found.expires_at:
        attempt.expires_at = earlier_deadline  # the one it went out with, where the vendor does not say
    if not found:
        # The vendor's view as of its reply: a page asked for before it (an invitation revived under
        # its old id, listed expired a moment earlier) is older news (helper-132).
        attempt.vendor_read_at = asked_now()
    if found:
        attempt.invited_email = earlier_address  # the invitation stands where the earlier try made it
    session.refresh(integration)
    if integration.disconnected_at is not None:
        return _disconnected_while_sending(session, attempt, status, candidate.name, actor)
    _apply(session, attempt, status, actor=actor)
    integration.last_used_at = utcnow()
    if not found:  # an invitation made now: the vendor offers the test (one found says nothing of that)
        plan_connections.listed_again(session, attempt)
    # matching builds on this module: imported here to keep the layers acyclic.
    from dashboard.services import matching

    kept = matching.taken_by_a_send(session, attempt)
    session.commit()
    if attempt.after_completion_due_at is not None:
        # The earlier try's invitation found taken and finished (its webhook lost): what a result
        # sets off, as when a webhook or the sweep brings one. No sweep asks again of a finished test.
        _after_completion(session, attempt)
    if kept is not None:  # the vendor's word that came first: older news is not written (``_stale``)
        apply_to_attempt(session, attempt, kept, actor=actor)
    if notify.rejected_now(session, application.id):
        return _rejected_meanwhile(session, attempt, application, candidate.name, actor)
    if found and earlier_address != candidate.email:
        # helper-164: said as any found invitation, the test stayed at the typo, nobody told.
        return SendOutcome(
            True,
            f"{attempt.vendor_test_name}: an earlier try had reached the vendor at {earlier_address}, "
            f"{candidate.name}'s email before it was corrected, and that invitation stands (nothing was "
            f"sent twice). Cancel it and send it again to reach {candidate.email}.",
        )
    if found:
        return SendOutcome(
            True,
            f"{attempt.vendor_test_name} sent to {candidate.name}: an earlier try had reached the vendor, "
            "and that invitation stands (nothing was sent twice).",
        )
    moved_on = _moved_on_meanwhile(session, attempt, was_in)
    return SendOutcome(True, f"{attempt.vendor_test_name} sent to {candidate.name}.{moved_on}")


def _unlisted_yet(attempt: AssessmentAttempt, provider) -> bool:
    """Whether the invitation an earlier try, left unanswered, may have made could be missing from
    the vendor's listing still: CoderPad Interview's pad index lags its pads by up to a minute
    (documented), so a retry within it, finding no pad, made a second one (helper-153). A try the
    vendor answered with a refusal or a 5xx is not waited on: the lookup is what it can give."""
    unanswered = attempt.send_unanswered_at
    return (
        bool(provider.listing_lag) and unanswered is not None and utcnow() - unanswered < provider.listing_lag
    )


def _not_sent_yet(session: Session, attempt: AssessmentAttempt, provider) -> SendOutcome:
    """Let go of the send's claim, the attempt still to send (nothing written, its clock kept), and say
    when to send it again."""
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt.id)
        .values(send_claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    seconds = int((attempt.send_unanswered_at + provider.listing_lag - utcnow()).total_seconds()) + 1
    return SendOutcome(
        False,
        f"Not sent yet: {provider.display_name} lists a new invitation up to "
        f"{counted(round(provider.listing_lag.total_seconds() / 60), 'minute')} late, and the earlier try may "
        f"have made one. Send it again in {counted(seconds, 'second')}: it is looked for first, never made twice.",
        failed=True,
    )


def _moved_on_meanwhile(session: Session, attempt: AssessmentAttempt, was_in: int) -> str:
    """Words for a send of the stage the candidate was in as it began, whom a colleague moved on
    while the vendor was asked (helper-143: "Sent" and nothing more, the invitation open for a
    stage they left), or "". A re-take of an earlier stage's test, sent from a later one, is none."""
    if attempt.stage_id is None or attempt.stage_id != was_in:
        return ""
    now_in = session.exec(select(Application.stage_id).where(Application.id == attempt.application_id)).one()
    if now_in == was_in:
        return ""
    stage = session.get(Stage, now_in)
    return (
        f" They were moved to {stage.name if stage else 'another stage'} meanwhile; the invitation stands "
        "(cancel it on their page if it is not wanted)."
    )


def credentials_of(integration: Integration) -> datetime.datetime:
    """Which of the connection's credentials (key, region, settings) are in use: when they were
    set. An attempt keeps those it was sent under (``AssessmentAttempt.sent_under``)."""
    return integration.credentials_changed_at or integration.created_at


def _disconnected_while_sending(
    session: Session, attempt: AssessmentAttempt, status: AttemptStatus, name: str, actor: Actor
) -> SendOutcome:
    """The connection was disconnected while the vendor made the invitation: the disconnect failed
    the test (it was open, being sent), and Sent now would leave it open on a connection that no
    sweep or webhook reaches, for good. It stays failed as the disconnect left it; the invitation's
    link is kept, since the candidate may take it."""
    attempt.test_url = _web_link(status.test_url) or attempt.test_url  # opened as it is (helper-140)
    attempt.updated_at = utcnow()
    session.add(attempt)
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=(
            f"{attempt.vendor_test_name}: the vendor made the invitation as its connection was "
            "disconnected; its link is kept, but Assay no longer follows it"
        ),
        actor=actor,
    )
    session.commit()
    return SendOutcome(
        False,
        f"{attempt.vendor_test_name} for {name}: its connection was disconnected while it was being sent. "
        "The vendor made the invitation (its link is on the application), but Assay can no longer "
        "follow it: send the test again through a connected vendor if need be.",
        failed=True,
    )


def _rejected_meanwhile(
    session: Session, attempt: AssessmentAttempt, application: Application, name: str, actor: Actor
) -> SendOutcome:
    """The candidate was rejected while their test was on its way to the vendor: the rejection
    withdrew the tests it saw sent, not this one, which stayed open for a rejected candidate. It
    is withdrawn now as the rejection would have (or said to stay open, and why)."""
    # review builds on pipeline, which builds on this module: imported here to keep the layers acyclic.
    from dashboard.services import review

    session.refresh(application)
    outcome = review.withdraw_open_invitations(session, application, actor)
    test = attempt.vendor_test_name
    if test in outcome.withdrawn:
        return SendOutcome(
            False, f"{name} was rejected while {test} was being sent: it was withdrawn at the vendor."
        )
    why = "; ".join(outcome.not_withdrawn) or f"{test} was started already"
    return SendOutcome(True, f"{test} sent to {name}, who was rejected meanwhile; it stays open ({why}).")


class EarlierAttemptExists(UserError):
    """The vendor would hand back an invitation this candidate already used for another job.

    Names both attempts, so any page that asked to send ``attempt_id`` can offer to
    re-take ``earlier_attempt_id`` in its place.
    """

    def __init__(self, message: str, earlier_attempt_id: int, attempt_id: int) -> None:
        super().__init__(message)
        self.earlier_attempt_id, self.attempt_id = earlier_attempt_id, attempt_id


def _held_by_another(
    session: Session, attempt: AssessmentAttempt, found: AttemptStatus, *, retaken: AssessmentAttempt | None
) -> bool:
    """Whether an invitation the vendor found for ``attempt`` is already another attempt's (another
    job's room, found by the candidate's email alone): taken, that one stops hearing of it.

    A re-attempt's earlier try may have re-opened the test it re-takes under that test's own id
    (HackerRank keeps a candidate's id; iMocha revives an expired invitation): found open again,
    it is the re-attempt's. Found finished, it is the test retaken, which the vendor's lookup
    (iMocha's repeated invite) hands back when no re-attempt was made."""
    holders = select(AssessmentAttempt.id).where(
        AssessmentAttempt.integration_id == attempt.integration_id,
        AssessmentAttempt.vendor_attempt_id == found.vendor_attempt_id,
        AssessmentAttempt.id != attempt.id,
    )
    if retaken is not None and found.progress in (Progress.SENT, Progress.STARTED):
        holders = holders.where(AssessmentAttempt.id != retaken.id)
    return session.exec(holders).first() is not None


def _refuse_silent_reuse(session: Session, attempt: AssessmentAttempt, candidate: Candidate) -> None:
    """Stop before a vendor whose invite is idempotent per email returns another job's invitation.

    Raises:
        EarlierAttemptExists: Naming the earlier attempt and its score, so the
            recruiter can choose a re-attempt instead.
    """
    earlier = session.exec(
        select(AssessmentAttempt, Job.title)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .join(Job, Job.id == Application.job_id)
        .where(
            Application.candidate_id == candidate.id,
            AssessmentAttempt.application_id != attempt.application_id,
            AssessmentAttempt.integration_id == attempt.integration_id,
            AssessmentAttempt.vendor_test_id == attempt.vendor_test_id,
            AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
            # Sent to the address the candidate has now: one sent to an email corrected since is
            # filed under that one at the vendor, which would make a fresh invitation for this.
            sa.or_(
                AssessmentAttempt.invited_email.is_(None),  # type: ignore[union-attr]
                AssessmentAttempt.invited_email == candidate.email,
            ),
        )
        .order_by(AssessmentAttempt.id.desc())
    ).first()
    if earlier is None:
        return
    earlier_attempt, job_title = earlier
    score = (
        f", score {earlier_attempt.score_percent:.0f}%" if earlier_attempt.score_percent is not None else ""
    )
    raise EarlierAttemptExists(
        f"{candidate.name} already has {attempt.vendor_test_name} from the {job_title} application "
        f"({STATE_LABELS[earlier_attempt.state].lower()}{score}). The vendor would return that same "
        "invitation; send a re-attempt to give a fresh one.",
        earlier_attempt.id,
        attempt.id,
    )


def held_by_an_earlier_invitation(session: Session, attempt: AssessmentAttempt) -> str:
    """Why a test waiting to be sent was refused on entry: the vendor, whose invite is
    idempotent per email, would hand back another application's invitation (the words
    ``send_assessment`` refused it with); "" for any other test."""
    integration = session.get(Integration, attempt.integration_id)
    if (
        attempt.state != AttemptState.READY_TO_SEND
        or integration is None
        or not _asks_before_reuse(attempt, registry.VENDORS[integration.vendor].provider)
    ):
        return ""
    application = session.get(Application, attempt.application_id)
    try:
        _refuse_silent_reuse(session, attempt, session.get(Candidate, application.candidate_id))
    except EarlierAttemptExists as held:
        return str(held)
    return ""


def _set_deadline(session: Session, attempt: AssessmentAttempt, provider) -> None:
    """The stage's deadline, counted from this send, where the vendor takes one.

    Each try counts it again: one fixed at a try the vendor failed, days before a retry, sent
    the candidate a test already closing or closed (helper-141). An earlier try's invitation
    found at the vendor brings its own deadline instead.
    """
    if attempt.stage_id is None or attempt.vendor_attempt_id is not None:
        return
    stage = session.get(Stage, attempt.stage_id)
    if stage and stage.deadline_days and Capability.DEADLINE in provider.capabilities:
        attempt.expires_at = utcnow() + datetime.timedelta(days=stage.deadline_days)
    else:  # the stage's deadline cleared since the try before, or a test changed to a vendor without
        attempt.expires_at = None
    session.add(attempt)
    session.commit()


# An earlier try's invitation found at the vendor is not the attempt's once it expired or was
# withdrawn since (a failed send taken up weeks later): the candidate can no longer take it. One in
# a status Assay cannot read (error) is kept: it may be live, and a second would invite them twice.
DEAD_WHEN_FOUND = frozenset({Progress.EXPIRED, Progress.CANCELLED})


def _under_a_new_reference(session: Session, attempt: AssessmentAttempt, invitee: Invitee) -> Invitee:
    """The attempt's earlier invitation is dead at the vendor: a fresh one is made, under a
    reference of its own, so that no later lookup finds the dead one again (committed)."""
    attempt.reference = new_reference()
    session.add(attempt)
    session.commit()
    return dataclasses.replace(invitee, reference=attempt.reference)


def invitee_for(session: Session, attempt: AssessmentAttempt) -> Invitee:
    """Who the attempt invites, with the references vendors ask for and its deadline."""
    application = session.get(Application, attempt.application_id)
    candidate = session.get(Candidate, application.candidate_id)
    job = session.get(Job, application.job_id)
    return Invitee(
        name=candidate.name,
        email=candidate.email,
        reference=attempt.reference,
        candidate_ref=str(candidate.id),
        application_ref=str(application.id),
        job_ref=str(job.id),
        job_title=job.title,
        expires_at=attempt.expires_at,
    )


def _fail(
    session: Session, attempt: AssessmentAttempt, *, reason: str, retryable: bool, actor: Actor
) -> None:
    attempt.error_reason, attempt.error_retryable = reason, retryable
    _move(session, attempt, AttemptState.ERROR, f"{attempt.vendor_test_name}: failed: {reason}", actor)
    application = session.get(Application, attempt.application_id)
    notify.attempt_changed(session, attempt)
    history.bump_job(session, application.job_id)
    session.commit()


def _set_aside_if_moved_on(session: Session, attempt: AssessmentAttempt, actor: Actor) -> str:
    """A send that failed after its candidate left the stage (moved on while the vendor was asked)
    is set aside, as leaving sets aside the stage's failed sends (``withdraw_unsent``, which leaves
    one being sent alone): kept failed, the queue offered to retry it, and Retry sent the test of a
    stage the candidate had left (helper-156). What to add to the answer ("" if still there)."""
    application = session.get(Application, attempt.application_id)
    session.refresh(application)  # as it is now: the move landed while the vendor was asked
    if attempt.stage_id is None or application.stage_id == attempt.stage_id:
        return ""
    stage = session.get(Stage, attempt.stage_id)
    if not _closed(
        session, [attempt], set_aside_if_failed, f"set aside after its send failed (left {stage.name})", actor
    ):
        return ""
    history.bump_job(session, application.job_id)
    session.commit()
    return f" Set aside: the candidate has left {stage.name}."


def _move(session: Session, attempt: AssessmentAttempt, to: AttemptState, summary: str, actor: Actor) -> None:
    """Move the attempt to ``to``, with its line in the application's history (not committed)."""
    before, attempt.state, attempt.updated_at = attempt.state, to, utcnow()
    session.add(attempt)
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=summary,
        from_state=before.value,
        to_state=to.value,
        actor=actor,
    )


def retry_assessment(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """Send a failed attempt again (it first checks whether the vendor already has it)."""
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None:
        raise NotFound("That assessment no longer exists.")
    if attempt.state == AttemptState.ERROR:
        if attempt.vendor_attempt_id:
            return refresh_attempt(session=session, attempt_id=attempt_id, actor=actor)
        # Before it is readied: it stayed "to send", its reason gone, where it was refused.
        application = session.get(Application, attempt.application_id)
        refuse_rejected(application, session.get(Candidate, application.candidate_id))
        # Taken back to "to send" only while it is still failed: a colleague's Retry at once had
        # sent it meanwhile, and writing over that sent it a second time.
        readied = session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt_id, AssessmentAttempt.state == AttemptState.ERROR)
            .values(state=AttemptState.READY_TO_SEND, send_claimed_at=None, error_reason=None)
            .execution_options(synchronize_session=False)
        )
        session.refresh(attempt)
        if readied.rowcount != 1:
            session.commit()
            return send_assessment(session=session, attempt_id=attempt_id, actor=actor)  # says where it is
        history.record(
            session,
            application_id=attempt.application_id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: retrying",
            from_state=AttemptState.ERROR.value,
            to_state=AttemptState.READY_TO_SEND.value,
            actor=actor,
        )
        session.commit()
    return send_assessment(session=session, attempt_id=attempt_id, actor=actor)


def refresh_attempt(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """Ask the vendor for one attempt's status now."""
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None or not attempt.vendor_attempt_id:
        raise NotFound("That assessment has not reached the vendor.")
    integration = session.get(Integration, attempt.integration_id)
    asked = asked_now()
    try:
        status = provider_for(integration).fetch(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)
        status = dataclasses.replace(status, asked_at=asked)
    except ProviderError as err:
        record_vendor_error(session=session, integration=integration, message=str(err))
        return SendOutcome(False, f"Could not refresh: {err}", failed=True)
    outcome = apply_vendor_status(session=session, integration_id=integration.id, status=status, actor=actor)
    changed = outcome == Applied.CHANGED
    return SendOutcome(changed, "Updated from the vendor." if changed else "Already up to date.")


class Applied(enum.StrEnum):
    """What became of one vendor update."""

    CHANGED = "changed"  # the attempt moved in the lifecycle
    REFRESHED = "refreshed"  # same state, newer details (a link, a result field)
    UNCHANGED = "unchanged"  # nothing new, or a stale update the lifecycle refused
    UNKNOWN = "unknown"  # no attempt of ours has that vendor id or reference
    MISMATCH = "mismatch"  # the vendor names another candidate than the one we invited


def status_label(attempt: AssessmentAttempt, *, rejected: bool) -> str:
    """An attempt's status as every page writes it: a rejection marks the candidate's results
    reviewed, but they read "Rejected", not as ones only looked at (or advanced)."""
    if attempt.state == AttemptState.REVIEWED and rejected:
        return "Rejected"
    return STATE_LABELS[attempt.state]


def newest_at_its_test(*, passing_over=None) -> sa.ColumnElement[bool]:
    """A clause: the attempt is its candidate's newest at its test (in a query over
    ``AssessmentAttempt``). A fresh attempt after a cancel, or a re-take, stands for the test:
    the queue's buckets and the board's status and score filters go by it. ``passing_over(later)``:
    a clause on a later attempt that does not count (the board's re-take withdrawn elsewhere).
    """
    later = aliased(AssessmentAttempt)
    return ~sa.exists().where(
        later.application_id == AssessmentAttempt.application_id,
        later.integration_id == AssessmentAttempt.integration_id,
        later.vendor_test_id == AssessmentAttempt.vendor_test_id,
        later.id > AssessmentAttempt.id,
        *([~passing_over(later)] if passing_over else []),
    )


def find_attempt(session: Session, *, integration_id: int, status: AttemptStatus) -> AssessmentAttempt | None:
    """Our attempt for a vendor's update: by vendor id (newest row first), else by our reference.

    A vendor may keep its id for a re-attempt; the newest row is the live one. Read as it is
    now, even if the session holds it already: a sweep holds every open attempt as it read them
    at its start, and a page decided on that copy ended a test a recruiter had reopened since
    (its new deadline, and the time of the vendor's word with it, unseen: helper-152).
    """
    attempt = session.exec(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.integration_id == integration_id,
            AssessmentAttempt.vendor_attempt_id == status.vendor_attempt_id,
        )
        .order_by(AssessmentAttempt.id.desc())  # type: ignore[union-attr]
        .execution_options(populate_existing=True)
    ).first()
    if attempt is None and status.reference:
        attempt = session.exec(
            select(AssessmentAttempt)
            .where(
                AssessmentAttempt.integration_id == integration_id,
                AssessmentAttempt.reference == status.reference,
            )
            .execution_options(populate_existing=True)
        ).first()
    return attempt


def load_people(session: Session, attempts: list[AssessmentAttempt]) -> list:
    """Load the applications and candidates of ``attempts`` into the session, a thousand at a time.

    Applying a page of vendor updates reads each attempt's application and candidate
    (``same_person``, the history line); loaded together first, those reads are served
    from the session instead of two queries per update. Returns the rows: keep them while
    applying, as the session holds a row only while something refers to it.
    """
    rows: list = []
    application_ids = sorted({a.application_id for a in attempts})
    for start in range(0, len(application_ids), 1000):
        chunk = application_ids[start : start + 1000]
        applications = list(session.exec(select(Application).where(Application.id.in_(chunk))))  # type: ignore[union-attr]
        candidate_ids = {a.candidate_id for a in applications}
        rows += applications
        rows += session.exec(select(Candidate).where(Candidate.id.in_(candidate_ids)))  # type: ignore[union-attr]
    return rows


def same_person(session: Session, attempt: AssessmentAttempt, email: str | None) -> bool:
    """Whether ``email`` (a vendor's word; None: it named no one) is the invited candidate's, the
    one the invitation went to (the candidate's since corrected), or one a recruiter tied to this
    attempt by matching a result that named it.

    Without the second, every later update naming the address the candidate took the test
    under (a personal one, say) was kept for matching again, and polling never applied it.
    """
    if not email:
        return True
    application = session.get(Application, attempt.application_id)
    candidate = session.get(Candidate, application.candidate_id)
    if email.strip().lower() in {candidate.email.strip().lower(), (attempt.invited_email or "").lower()}:
        return True
    matched_to_it = session.exec(
        select(UnmatchedResult.id).where(
            UnmatchedResult.resolved_attempt_id == attempt.id,
            sa.func.lower(sa.func.trim(UnmatchedResult.candidate_email)) == email.strip().lower(),
        )
    ).first()
    return matched_to_it is not None


def apply_vendor_status(
    *,
    session: Session,
    integration_id: int,
    status: AttemptStatus,
    actor: Actor,
    delivery_id: int | None = None,
) -> Applied:
    """Apply a vendor's view of an attempt, if the lifecycle allows it.

    The one entry point for webhooks and polls. An update for an attempt we do
    not know, or naming another candidate than the one invited, is not applied;
    the caller decides whether it needs matching by a person.
    """
    attempt = find_attempt(session, integration_id=integration_id, status=status)
    if attempt is None:
        log.warning("integration %s: update for unknown attempt %s", integration_id, status.vendor_attempt_id)
        return Applied.UNKNOWN
    if not same_person(session, attempt, status.candidate_email):
        log.warning(
            "integration %s: update for attempt %s names another candidate; not applied",
            integration_id,
            attempt.id,
        )
        return Applied.MISMATCH
    return apply_to_attempt(session, attempt, status, actor=actor, delivery_id=delivery_id)


def apply_to_attempt(
    session: Session,
    attempt: AssessmentAttempt,
    status: AttemptStatus,
    *,
    actor: Actor,
    delivery_id: int | None = None,
) -> Applied:
    """Apply a vendor's view to this attempt (found by ``apply_vendor_status``, or chosen by a
    person matching a kept result), if the lifecycle allows it; committed."""
    for _try in range(5):
        if attempt.vendor_attempt_id is None:
            attempt.vendor_attempt_id = status.vendor_attempt_id
        try:
            outcome = _apply(session, attempt, status, actor=actor, delivery_id=delivery_id)
        except _Raced:
            # Another webhook or poll moved this attempt since we read it: decide again on fresh data.
            session.rollback()
            session.refresh(attempt)
            continue
        session.commit()
        if attempt.after_completion_due_at is not None:
            # Completed now, or before while what that sets off failed (the database locked, the
            # worker killed): this delivery's retry runs it (helper-157: skipped, as a result seen
            # before, the stage's rule never ran). Once done it is not run again.
            _after_completion(session, attempt)
        return outcome
    log.warning("attempt %s: gave up applying %s after repeated races", attempt.id, status.raw_status)
    return Applied.UNCHANGED


def _stale(attempt: AssessmentAttempt, status: AttemptStatus, actor: Actor) -> bool:
    """A view of the vendor's asked for before the one the attempt holds: a Refresh answered
    slowly while a webhook's later fetch applied a re-score wrote the older score back (70% over
    75%), or told it as changed after the review. Its details are not written (its move in the
    lifecycle, forward only, is decided as any other, and writes what the attempt lacks: ``_lacking``)."""
    if not _read_before(status, attempt):
        return False
    log.info("attempt %s: %s's view, asked for before the one applied, not written", attempt.id, actor.label)
    return True


def _as_read(attempt: AssessmentAttempt):
    """The attempt's row still holds the time of the vendor's word it was read with."""
    column = AssessmentAttempt.vendor_read_at
    return column.is_(None) if attempt.vendor_read_at is None else column == attempt.vendor_read_at  # type: ignore[union-attr]


class _Raced(Exception):
    """The attempt's state changed between reading it and writing the new one."""


def _after_completion(session: Session, attempt: AssessmentAttempt) -> None:
    """A result arrived: the stage's threshold rule and the candidate's feedback, if set; then the
    attempt's ``after_completion_due_at`` is cleared, so it runs once a completion.

    Each part is safe to run again: the email has a dedupe key, and the rule moves only a card
    still in the stage, put there before the result came in. A failure leaves the mark set.
    """
    # review builds on pipeline, which builds on this module: imported here to keep the layers acyclic.
    from dashboard.services import review

    due = attempt.after_completion_due_at
    review.send_feedback(session, attempt.application_id, "result", attempt_id=attempt.id)
    review.apply_rules(session, attempt)
    _let_go_of_the_follow_up(session, attempt.id, due)
    set_committed_value(attempt, "after_completion_due_at", None)


def _let_go_of_the_follow_up(session: Session, attempt_id: int, due: datetime.datetime) -> None:
    """Clear the attempt's ``after_completion_due_at`` (if still ``due``): done, or given up."""
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt_id, AssessmentAttempt.after_completion_due_at == due)
        .values(after_completion_due_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


# How long a completion's follow-up may still be under way in the run that completed it: the
# scheduled pick-up runs those marked due before then, whose run failed or died.
AFTER_COMPLETION_GRACE = datetime.timedelta(minutes=1)


def finish_after_completions(session: Session, *, limit: int = 200) -> int:
    """Run what a result sets off (``_after_completion``) for completions whose run did not finish
    a minute on; returns how many were finished.

    A completion a sweep applied, or a person's Refresh or matching, has no delivery whose retry
    would run it again, and no sweep asks again about a finished test: without this, a database
    failure or a worker killed between the completion and the stage's rule left a candidate who
    passed the bar unmoved for good (helper-157). One failing again for a fault of ours is logged
    and given up (its result waits for review as any other); the database failing stops the run.
    """
    due = list(
        session.exec(
            select(AssessmentAttempt.id)
            .where(AssessmentAttempt.after_completion_due_at < utcnow() - AFTER_COMPLETION_GRACE)  # type: ignore[operator]
            .order_by(AssessmentAttempt.after_completion_due_at)
            .limit(limit)
        )
    )
    session.commit()
    finished = 0
    for attempt_id in due:
        attempt = session.get(AssessmentAttempt, attempt_id, populate_existing=True)
        if attempt is None or attempt.after_completion_due_at is None:
            continue  # finished meanwhile, by a delivery's retry
        due_at = attempt.after_completion_due_at
        try:
            _after_completion(session, attempt)
        except (sa.exc.OperationalError, sa.exc.InterfaceError):
            session.rollback()
            raise  # the database away for a moment (locked, a connection dropped): the next run
        except Exception:
            # A fault of ours fails the same way each run: given up, or the oldest such, first in
            # every run, would hold up the rest (helper-165). The result waits for a person's review.
            session.rollback()
            log.exception("attempt %s: what its result sets off failed again; given up", attempt_id)
            _let_go_of_the_follow_up(session, attempt_id, due_at)
            continue
        finished += 1
    return finished


def _apply(
    session: Session,
    attempt: AssessmentAttempt,
    status: AttemptStatus,
    *,
    actor: Actor,
    delivery_id: int | None = None,
) -> Applied:
    """Move the attempt (CHANGED) or only refresh its details (REFRESHED), as the lifecycle allows."""
    reported = _FROM_PROGRESS[status.progress]
    if (
        (AttemptState.ERROR in (attempt.state, reported) or reported in _ENDED_BY_THE_VENDOR)
        and attempt.state != reported
        and _stale(attempt, status, actor)
    ):
        # Failed, or taken out of its failure, by a view older than the one that decided otherwise
        # (helper-126): the lifecycle lets an attempt leave and enter ERROR, so it cannot tell. Nor
        # ended by one (helper-131): a page read ahead said "expired", a person gave more days
        # since and the vendor opened it again; expired, for good, the later finish was dropped.
        return Applied.UNCHANGED
    reached = _reached_before_its_error(session, attempt) if attempt.state == AttemptState.ERROR else None
    decision = decide(attempt.state, reported, reached=reached)
    if not decision.apply and not decision.refresh:
        if decision.reason != "unchanged":
            log.info(
                "attempt %s: ignored %s from %s (%s)",
                attempt.id,
                reported.value,
                actor.label,
                decision.reason,
            )
        return Applied.UNCHANGED
    before = attempt.state
    changes = _vendor_details(attempt, status)
    if decision.apply and _read_before(status, attempt):
        changes = _lacking(attempt, changes)
    if decision.apply:
        # A refresh of details (a new link, a late result field) does not reset the SLA clock.
        changes.update(state=reported, updated_at=utcnow())
        if reported == AttemptState.COMPLETED and before != AttemptState.COMPLETED:
            # Written with the completion, cleared once the rule and feedback ran (``_after_completion``).
            changes.update(after_completion_due_at=utcnow())
        if reported == AttemptState.ERROR:
            changes.update(
                error_reason=f"The vendor reports status {status.raw_status!r}.", error_retryable=False
            )
        elif before == AttemptState.ERROR:
            changes.update(error_reason=None, error_retryable=False)  # the failure is behind it
        if reported == AttemptState.COMPLETED and not attempt.live_interview:
            _new_result_for(session, attempt)
        # One write, taken only if the state is still the one decided from: two deliveries
        # about one attempt, applied at once, cannot both move it (nor move it back). Nor if a
        # newer word was written meanwhile (a person's new deadline): decided again, it is stale.
        moved = session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.state == before, _as_read(attempt))
            .values(**changes)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise _Raced
        for name, value in changes.items():
            set_committed_value(attempt, name, value)  # written above: nothing left to flush
    elif not changes:
        return Applied.UNCHANGED
    elif attempt.state == AttemptState.REVIEWED:
        return _revised_after_review(session, attempt, status, actor=actor, delivery_id=delivery_id)
    else:
        if attempt.state == AttemptState.COMPLETED and not attempt.live_interview:
            _new_result_for(session, attempt)  # a result waiting for review, re-scored
        # Held and read again first: a review marked meanwhile has the change told (helper-119: it
        # was written silently over the reviewed result), any other move decided afresh.
        hold_attempt(session, attempt)
        if attempt.state != before:
            raise _Raced
        changes = _vendor_details(attempt, status)
        if not changes or _stale(attempt, status, actor):
            return Applied.UNCHANGED
        for name, value in changes.items():
            setattr(attempt, name, value)
        session.add(attempt)
    application = session.get(Application, attempt.application_id)
    if decision.apply:
        history.record(
            session,
            application_id=attempt.application_id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: {STATE_LABELS[reported].lower()}",
            from_state=before.value,
            to_state=reported.value,
            raw_status=status.raw_status or None,
            actor=actor,
            delivery_id=delivery_id,
        )
        notify.attempt_changed(session, attempt)
    history.bump_job(session, application.job_id)
    return Applied.CHANGED if decision.apply else Applied.REFRESHED


def _new_result_for(session: Session, attempt: AssessmentAttempt) -> None:
    """A result lands (or one waiting for review changes) for the attempt's application: its
    decision's version moves, so a decision taken on a page drawn before it is refused and the
    result is seen first (helper-166: a rejection on the 40 the page showed marked the re-take's 95,
    arrived as the dialog was open, reviewed unseen). The card is written before the attempt, in
    the order a move takes them (the card, then its tests), so the two never wait on each other."""
    session.exec(
        sa.update(Application)
        .where(Application.id == attempt.application_id)
        .values(decision_version=Application.decision_version + 1)
        .execution_options(synchronize_session=False)
    )


def hold_attempt(session: Session, attempt: AssessmentAttempt) -> None:
    """Hold the attempt until the caller's commit and read it again: a no-op write, which locks
    its row on PostgreSQL and the database on SQLite, so whoever else writes it waits, then finds
    what this transaction left."""
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.id == attempt.id)
        .values(id=AssessmentAttempt.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(attempt)


def _revised_after_review(
    session: Session,
    attempt: AssessmentAttempt,
    status: AttemptStatus,
    *,
    actor: Actor,
    delivery_id: int | None,
) -> Applied:
    """Keep the vendor's changed result of a reviewed attempt, the decision standing, and say so once.

    The attempt is held and read again first (``hold_attempt``), so the same change delivered twice and applied by two workers at once is
    kept and said by one, the other finding nothing new. A later finish than the one reviewed is
    a new take under the same invitation, not a re-score, and is said as one.
    """
    hold_attempt(session, attempt)
    if attempt.state != AttemptState.REVIEWED:
        raise _Raced
    changes = _vendor_details(attempt, status)
    if not changes or _stale(attempt, status, actor):
        return Applied.UNCHANGED
    before = (attempt.score_percent, list(attempt.warnings or []), attempt.completed_at)
    for name, value in changes.items():
        setattr(attempt, name, value)
    session.add(attempt)
    words = _revision_words(before, attempt)
    if words:
        history.record(
            session,
            application_id=attempt.application_id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: {words.history}",
            raw_status=status.raw_status or None,
            actor=actor,
            delivery_id=delivery_id,
        )
        notify.result_revised(session, attempt, words.figures, retaken=words.retaken)
    history.bump_job(session, session.get(Application, attempt.application_id).job_id)
    return Applied.REFRESHED


@dataclasses.dataclass(frozen=True)
class RevisionWords:
    """How a reviewed result's change is told: the history's line, and the figures the team is told."""

    history: str
    figures: str  # "70% → 75%", with any new integrity flag after it
    retaken: bool  # finished again later: a new take, not a re-score


def _revision_words(
    before: tuple[float | None, list[str], datetime.datetime | None], attempt: AssessmentAttempt
) -> RevisionWords | None:
    """The change to a reviewed result, told; None if neither its score, flags nor finish changed
    (a new link, a sub-score's detail: kept without a word)."""
    score, warnings, finished = before
    new_flags = [w for w in attempt.warnings or [] if w not in warnings]
    retaken = finished is not None and attempt.completed_at is not None and attempt.completed_at > finished
    if score == attempt.score_percent and not new_flags and not retaken:
        return None
    then, now = percent_label(score) or "no score", percent_label(attempt.score_percent) or "no score"
    figures = "; ".join([now if then == now else f"{then} \u2192 {now}", *new_flags])
    if retaken:
        when = attempt.completed_at.strftime("%Y-%m-%d %H:%M UTC")
        return RevisionWords(
            f"taken again at the vendor after the review, finished {when} ({figures})", figures, retaken=True
        )
    return RevisionWords(
        f"the vendor changed the result after the review ({figures})", figures, retaken=False
    )


def _reached_before_its_error(session: Session, attempt: AssessmentAttempt) -> AttemptState | None:
    """The furthest step an attempt now in error had reached, from its history (its times alone
    may be missing: not every vendor says when a test was started)."""
    steps = session.exec(
        select(ApplicationEvent.to_state).where(
            ApplicationEvent.attempt_id == attempt.id,
            ApplicationEvent.to_state.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    known = {state.value for state in AttemptState}
    return furthest([AttemptState(step) for step in steps if step in known])


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # a vendor time without zone is taken as UTC
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


# A time taken (or allowed) above this is no test's: a unit misread, or a vendor's bug. A year, well
# inside the columns' 32-bit integers (PostgreSQL refused more, and with it the whole update).
LONGEST_SECONDS = 365 * 24 * 3600


def _seconds(value: int | None) -> int | None:
    return value if value is None or 0 <= value <= LONGEST_SECONDS else None


def _web_link(url: str | None) -> str | None:
    """A vendor's link if it is a web address, else None: pages open these links as they are, and
    a ``javascript:`` or ``data:`` one would run in the signed-in page of whoever opened it."""
    if isinstance(url, str) and url.strip().lower().startswith(("https://", "http://")):
        return url.strip()
    return None


_RAW_STATUS_LENGTH = AssessmentAttempt.__table__.c.raw_status.type.length  # the column's, read from it


def _vendor_details(attempt: AssessmentAttempt, status: AttemptStatus) -> dict:
    """What the vendor knows that the attempt does not hold yet, by column."""
    values = {
        "raw_status": status.raw_status[:_RAW_STATUS_LENGTH] or attempt.raw_status,
        "test_url": _web_link(status.test_url) or attempt.test_url,
        "report_url": _web_link(status.report_url) or attempt.report_url,
        "sent_at": _utc(status.sent_at) or attempt.sent_at,
        "started_at": _utc(status.started_at) or attempt.started_at,
        "completed_at": _utc(status.completed_at) or attempt.completed_at,
        "expires_at": _utc(status.expires_at) or attempt.expires_at,
        "missing_since": None,  # the vendor has just answered for it (see deleted_at_vendor)
    }
    result = status.result
    if result is not None:
        score, warnings = result.score_percent, list(result.warnings)
        if score is not None and not 0 <= score <= 100:
            # A vendor bug or a scale we do not know: show it, never rank on it.
            warnings.append(f"The vendor reported a score of {score:g}%, outside 0-100; see its report.")
            score = None
        duration, allowed = _seconds(result.duration_seconds), _seconds(result.time_allowed_seconds)
        if (duration, allowed) != (result.duration_seconds, result.time_allowed_seconds):
            warnings.append(
                "The vendor reported a time taken that cannot be (negative, or over a year); see its report."
            )
        values.update(
            score_percent=score,
            points=result.points,
            max_points=result.max_points,
            comparative_score=result.comparative_score,
            duration_seconds=duration,
            time_allowed_seconds=allowed,
            subscores=[dataclasses.asdict(sub) for sub in result.subscores],
            warnings=warnings,
        )
    changed = {name: value for name, value in values.items() if getattr(attempt, name) != value}
    if changed and status.asked_at is not None and not _read_before(status, attempt):
        changed["vendor_read_at"] = status.asked_at
    return changed


# Ends a view older than the one held does not bring about: a person may have undone them since.
_ENDED_BY_THE_VENDOR = frozenset({AttemptState.EXPIRED, AttemptState.CANCELLED})


def _lacking(attempt: AssessmentAttempt, details: dict) -> dict:
    """Of the details of a view older than the one held, which moves the attempt on (forward, as
    the lifecycle allows), those the attempt lacks: the move's status word, each time and each
    part of the result not held (a score beside integrity warnings held alone). What it holds
    stays: a deadline a person moved since, a newer score (helper-127). Written none
    (helper-128): a finish listed on a page read ahead while a person moved the deadline
    completed the attempt without its result, never to be asked for again."""
    return {
        name: value
        for name, value in details.items()
        if name == "raw_status" or getattr(attempt, name) in (None, [], "")
    }


def _read_before(status: AttemptStatus, attempt: AssessmentAttempt) -> bool:
    """Whether ``status`` was asked for before the view the attempt holds (``vendor_read_at``).

    Every view is stamped with the moment before the request that brought it: a Refresh's, a
    webhook's fetch, a sweep's lookup by id (stamped by the caller), a listing's page (stamped by
    the provider with the page's own moment: stamped as each status was handed out, a page read
    ahead had its later statuses held newer than they were, helper-127; a listing behind the
    fetches by id, older by its ``listing_lag``). A view found or made otherwise (a matched result,
    an invitation adopted by its reference, a webhook's payload from a vendor that cannot be
    asked) carries none: never held stale."""
    return (
        status.asked_at is not None
        and attempt.vendor_read_at is not None
        and status.asked_at <= attempt.vendor_read_at
    )


def asked_now() -> datetime.datetime:
    """The moment a vendor is asked, to the microsecond (``AttemptStatus.asked_at``): two reads in
    one second are told apart, which ``utcnow``, to the second, cannot."""
    return datetime.datetime.now(datetime.UTC)


def mark_reviewed(*, session: Session, attempt_id: int, actor: Actor) -> SendOutcome:
    """The hiring manager has looked at the result; twice (a double click, two reviewers) is once.

    Raises:
        UserError: The attempt is not waiting for review.
    """
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None:
        raise NotFound("That assessment no longer exists.")
    hold_attempt(session, attempt)  # two reviewers at once: the second waits, then finds it reviewed
    if attempt.state == AttemptState.REVIEWED:
        session.commit()
        return SendOutcome(False, "Already marked reviewed.")
    if not decide(attempt.state, AttemptState.REVIEWED).apply:
        session.rollback()  # the hold let go
        label = STATE_LABELS[attempt.state].lower()
        raise UserError(f"Only a completed assessment can be reviewed; this one is {label}.")
    attempt.state = AttemptState.REVIEWED
    attempt.reviewed_at = utcnow()
    session.add(attempt)
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: reviewed",
        from_state=AttemptState.COMPLETED.value,
        to_state=AttemptState.REVIEWED.value,
        actor=actor,
    )
    history.bump_job(session, session.get(Application, attempt.application_id).job_id)
    session.commit()
    return SendOutcome(True, "Marked reviewed.")


def report_pdf(*, session: Session, attempt_id: int, user: SignedInUser) -> tuple[str, bytes]:
    """The vendor's PDF report of a finished attempt, for someone who may see its job.

    The PDF sits behind the vendor's API key, so Assay fetches it for the reader.

    Raises:
        PermissionDenied: Signed out, or not on the job's hiring team.
        NotFound: No such attempt, or no report yet.
        UserError: The vendor has no PDF, or could not be asked.
    """
    require(user, Permission.VIEW_PIPELINE)  # first: whether an attempt exists is not told to strangers
    attempt = session.get(AssessmentAttempt, attempt_id)
    if attempt is None:
        raise NotFound("That assessment does not exist.")
    application = session.get(Application, attempt.application_id)
    require(user, Permission.VIEW_PIPELINE, job_id=application.job_id)
    if attempt.state not in FINISHED_STATES or not attempt.vendor_attempt_id:
        raise NotFound("The report exists once the candidate has finished the test.")
    integration = session.get(Integration, attempt.integration_id)
    if integration.disconnected_at is not None:  # its key erased: nothing can ask the vendor
        raise NotFound(
            f"The connection {integration.name} was disconnected, so Assay can no longer fetch this "
            "report; the vendor's own report link still opens it there."
        )
    try:
        pdf = provider_for(integration).report_pdf(attempt.vendor_attempt_id, test_id=attempt.vendor_test_id)
    except ProviderError as err:
        raise UserError(str(err)) from err
    candidate = session.get(Candidate, application.candidate_id)
    filename = f"{candidate.name} - {attempt.vendor_test_name}.pdf".replace("/", "-").replace('"', "")
    return filename, pdf
