"""Reviewing results and deciding: percentiles, which attempt counts, advance or reject, rules.

A decision carries the version of the application it was made on: two reviewers
deciding at once cannot both win; the later one is told what happened instead of
silently overwriting it. Rules only ever advance; a rejection is always a person's.
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import datetime
import io
import logging

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from dashboard.services import attempt_actions, history, interviews, notify, pipeline
from dashboard.services.actors import SYSTEM, Actor
from dashboard.services.assessments import (
    minutes,
    points_label,
    stage_label,
    status_label,
    time_taken_label,
)
from dashboard.services.errors import NotFound, UserError
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Gating,
    Integration,
    Job,
    OutboxMessage,
    Stage,
    StageAssessment,
    StageKind,
    utcnow,
)
from models.lifecycle import FINISHED_STATES
from providers import registry

log = logging.getLogger(__name__)

REJECTION_REASONS = [
    "Score below the bar",
    "Skills do not match the role",
    "Integrity concerns",
    "Candidate withdrew",
    "Position filled",
    "Other",
]
# A rejection's note is kept in its history line (300 characters, the reason before it).
REJECTION_NOTE_LIMIT = 200


@dataclasses.dataclass
class ResultRow:
    """One finished attempt as the review page lists it."""

    attempt_id: int
    application_id: int
    candidate_name: str
    stage_name: str
    test_name: str
    score: float | None
    points: str
    comparative: float | None
    percentile: float | None
    minutes: float | None
    minutes_allowed: float | None
    attempt_number: int
    counts: bool
    warnings: int
    report_url: str
    state: str
    decision_version: int
    rejected: bool
    # The stage the candidate was in as the page read them: an advance moves them on from it only.
    in_stage_id: int = 0
    below_bar: bool = False
    # Advancing from this result moves the candidate on from its stage: not once they are rejected or
    # have moved on since (they would skip a stage they are in). Rejecting stays theirs to do.
    advanceable: bool = True
    # Waiting for a person's review (see ``waiting_attempts``): the list the review page opens on.
    waiting: bool = False


def _finished_attempts(
    session: Session, job_id: int, tests: set[tuple[int, str]] | None = None
) -> list[tuple[AssessmentAttempt, Application, str, str | None]]:
    query = (
        sa.select(AssessmentAttempt, Application, Candidate.name, Stage.name)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .outerjoin(Stage, Stage.id == AssessmentAttempt.stage_id)
        .where(
            Application.job_id == job_id,
            AssessmentAttempt.state.in_(FINISHED_STATES),  # type: ignore[union-attr]
            AssessmentAttempt.live_interview.is_(False),  # type: ignore[attr-defined]
        )
        .order_by(AssessmentAttempt.id)
    )
    if tests is not None:
        query = query.where(
            sa.or_(
                sa.false(),
                *(
                    sa.and_(AssessmentAttempt.integration_id == i, AssessmentAttempt.vendor_test_id == t)
                    for i, t in tests
                ),
            )
        )
    return list(session.exec(query).all())


def _by_test(rows) -> list[list[AssessmentAttempt]]:
    """Each candidate's finished attempts at one test, oldest first (``rows`` come in id order)."""
    groups: dict[tuple, list[AssessmentAttempt]] = {}
    for attempt, application, _name, _stage in rows:
        groups.setdefault((application.id, attempt.integration_id, attempt.vendor_test_id), []).append(
            attempt
        )
    return list(groups.values())


def counted_attempts(session: Session, rows) -> set[int]:
    """Which attempt counts per candidate and test: the latest, or the best where the stage says so."""
    policies = {s.id: s.counting for s in session.exec(select(Stage))}
    counted = set()
    for attempts in _by_test(rows):
        stage_id = next((a.stage_id for a in reversed(attempts) if a.stage_id), None)
        policy = policies.get(stage_id, "latest")
        counted.add(max(attempts, key=_standing if policy == "best" else lambda a: a.id).id)
    return counted


def _standing(attempt: AssessmentAttempt) -> tuple[float, int]:
    """How attempts rank under "best": by score (none lowest), the later of equals first."""
    return (attempt.score_percent if attempt.score_percent is not None else -1, attempt.id)


def waiting_attempts(rows, counted: set[int]) -> set[int]:
    """The results waiting for a person's review: completed, their candidate not rejected, and
    either the attempt that counts or the latest at its test. Under "best", a re-take scoring
    below a reviewed best counts for nothing, yet no one has looked at it: it waits too.

    The queue's "Assessment needs review" is this rule in SQL (``waits_for_review``): the two
    pages list the same results.
    """
    latest = {attempts[-1].id for attempts in _by_test(rows)}
    return {
        attempt.id
        for attempt, application, _name, _stage in rows
        if attempt.state == AttemptState.COMPLETED
        and application.rejected_at is None
        and (attempt.id in counted or attempt.id in latest)
    }


def waits_for_review() -> sa.ColumnElement[bool]:
    """A clause over ``AssessmentAttempt``: ``waiting_attempts``' rule (bar the rejection, which
    the queue asks of the application): completed, and no later finished attempt at its test, or
    none better where the test's stage counts the best."""
    me, other, stage = AssessmentAttempt, aliased(AssessmentAttempt), aliased(Stage)
    at_its_test = sa.and_(
        other.application_id == me.application_id,
        other.integration_id == me.integration_id,
        other.vendor_test_id == me.vendor_test_id,
        other.state.in_(FINISHED_STATES),  # type: ignore[union-attr]
    )
    # As counted_attempts: the policy of the stage of the test's latest finished attempt with one.
    policy = (
        sa.select(stage.counting)
        .join(other, other.stage_id == stage.id)
        .where(at_its_test)
        .order_by(other.id.desc())  # type: ignore[union-attr]
        .limit(1)
        .scalar_subquery()
    )
    mine, theirs = sa.func.coalesce(me.score_percent, -1), sa.func.coalesce(other.score_percent, -1)
    better = sa.or_(theirs > mine, sa.and_(theirs == mine, other.id > me.id))
    return sa.and_(
        me.state == AttemptState.COMPLETED,
        me.live_interview.is_(False),  # type: ignore[attr-defined]  # an interview room is no result to review
        sa.or_(
            ~sa.exists().where(at_its_test, other.id > me.id),
            sa.and_(policy == "best", ~sa.exists().where(at_its_test, better)),
        ),
    )


def percentile_rank(score: float, cohort: list[float]) -> float | None:
    """Where ``score`` stands among the others' scores (0: lowest, 100: highest; ties share).

    ``cohort`` is sorted ascending and includes ``score``: two binary searches rank it,
    so a job's whole review list is ranked in n log n, not n squared.
    """
    if len(cohort) < 2:
        return None
    below = bisect.bisect_left(cohort, score)
    equal = bisect.bisect_right(cohort, score) - below - 1  # not counting the candidate themselves
    return round(100 * (below + 0.5 * equal) / (len(cohort) - 1), 1)


def results(session: Session, job_id: int, tests: set[tuple[int, str]] | None = None) -> list[ResultRow]:
    """Every finished attempt of a job, with which one counts and its percentile within the job.

    ``tests`` ((connection, test) pairs) keeps to those tests' results: a percentile ranks within
    its test alone, so one application's figures need no other test's rows (its page reloads with
    every change in the job; the whole job's results took a tenth of a second at 10,000).
    """
    if session.get(Job, job_id) is None:
        raise NotFound("That job does not exist.")
    rows = _finished_attempts(session, job_id, tests)
    counted = counted_attempts(session, rows)
    waiting = waiting_attempts(rows, counted)
    floors = {s.id: s.review_from for s in session.exec(select(Stage).where(Stage.job_id == job_id))}
    cohorts: dict[tuple, list[float]] = {}
    for attempt, _application, _name, _stage in rows:
        if attempt.id in counted and attempt.score_percent is not None:
            cohorts.setdefault((attempt.integration_id, attempt.vendor_test_id), []).append(
                attempt.score_percent
            )
    for scores in cohorts.values():
        scores.sort()
    found = []
    for attempt, application, name, stage_name in rows:
        cohort = cohorts.get((attempt.integration_id, attempt.vendor_test_id), [])
        percentile = (
            percentile_rank(attempt.score_percent, cohort)
            if attempt.id in counted and attempt.score_percent is not None
            else None
        )
        found.append(
            ResultRow(
                attempt_id=attempt.id,
                application_id=application.id,
                candidate_name=name,
                stage_name=stage_label(stage_name, attempt),
                test_name=attempt.vendor_test_name,
                score=attempt.score_percent,
                points=points_label(attempt.points, attempt.max_points),
                comparative=attempt.comparative_score,
                percentile=percentile,
                minutes=minutes(attempt.duration_seconds),
                minutes_allowed=minutes(attempt.time_allowed_seconds),
                attempt_number=attempt.attempt_number,
                counts=attempt.id in counted,
                warnings=len(attempt.warnings or []),
                report_url=attempt.report_url or "",
                state=status_label(attempt, rejected=application.rejected_at is not None),
                decision_version=application.decision_version,
                rejected=application.rejected_at is not None,
                in_stage_id=application.stage_id,
                below_bar=_below(attempt.score_percent, floors.get(attempt.stage_id)),
                advanceable=application.rejected_at is None
                and attempt.stage_id in (None, application.stage_id),
                waiting=attempt.id in waiting,
            )
        )
    return found


def _below(score: float | None, floor: float | None) -> bool:
    """Under the stage's review band: flagged for a person, never rejected by Assay."""
    return floor is not None and (score is None or score < floor)


@dataclasses.dataclass
class StageRuleView:
    """An assessment stage's rule as the review page shows it (empty text: not set)."""

    id: int
    name: str
    advance_at: str
    review_from: str
    counting: str


@dataclasses.dataclass
class ReviewSettings:
    """What the review page shows besides the results: the job, its rules, its feedback."""

    job_id: int
    title: str
    feedback_on: bool
    feedback_template: str
    rules: list[StageRuleView]


def settings(session: Session, job_id: int) -> ReviewSettings:
    """The job's review settings: each assessment stage's rule and the candidate feedback."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist.")

    def text(value: float | None) -> str:
        return f"{value:g}" if value is not None else ""

    stages = session.exec(
        select(Stage)
        .where(Stage.job_id == job_id, Stage.kind == StageKind.ASSESSMENT)
        .order_by(Stage.position)
    )
    return ReviewSettings(
        job.id,
        job.title,
        job.candidate_feedback,
        job.feedback_template or DEFAULT_TEMPLATE,
        [StageRuleView(s.id, s.name, text(s.advance_at), text(s.review_from), s.counting) for s in stages],
    )


# The history lines decisions write (an advance, a rejection, its undo), which a refused decision
# names: not the feedback email or the withdrawn invitations written after them.
DECISION_LINES = ("Advanced after review", "Rejected: ", "Rejection undone")


def claim_decision(session: Session, application: Application, expected_version: int) -> None:
    """Take the decision, or say who decided meanwhile.

    Said on a page that reloads on the refusal (the review and application pages do), so the
    reader is pointed at what it shows now, not told to reload it.
    """
    done = session.exec(
        sa.update(Application)
        .where(Application.id == application.id, Application.decision_version == expected_version)
        .values(decision_version=Application.decision_version + 1, updated_at=utcnow())
    )
    if done.rowcount != 1:
        session.rollback()
        latest = session.exec(
            select(ApplicationEvent)
            .where(
                ApplicationEvent.application_id == application.id,
                sa.or_(
                    *(ApplicationEvent.summary.startswith(line) for line in DECISION_LINES),
                    ApplicationEvent.actor_label.startswith("rule: "),  # a rule's advance
                ),
            )
            .order_by(ApplicationEvent.id.desc())
        ).first()
        result = _newest_result_line(session, application.id)
        if result is not None and (latest is None or result.id > latest.id):
            raise UserError(
                f"A result came in while you were looking ({result.summary}). "
                "The page now shows it: check it before deciding."
            )
        what = f" ({latest.summary}, by {latest.actor_label})" if latest else ""
        raise UserError(
            f"Someone decided on this application while you were looking{what}. "
            "The page now shows where they stand: check it before deciding."
        )
    session.refresh(application)


def _newest_result_line(session: Session, application_id: int) -> ApplicationEvent | None:
    """The history's newest line of a result landing (a move to completed) for the application."""
    return session.exec(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.to_state == AttemptState.COMPLETED.value,
        )
        .order_by(ApplicationEvent.id.desc())  # type: ignore[union-attr]
    ).first()


def _mark_counted_reviewed(
    session: Session, application: Application, actor: Actor, at: datetime.datetime | None = None
) -> None:
    """A decision settles every result waiting on the application (its stage's and one-offs), as
    reviewed ``at`` the decision's time (a rejection passes its own, so that undoing it finds them)."""
    at = at or utcnow()
    for attempt in list(
        session.exec(
            select(AssessmentAttempt).where(
                AssessmentAttempt.application_id == application.id,
                AssessmentAttempt.state == AttemptState.COMPLETED,
            )
        )
    ):
        # Only while still completed: a Mark reviewed at the same moment wrote its own line
        # (helper-142: both wrote one, and the decision's time over the reviewer's).
        marked = session.exec(
            sa.update(AssessmentAttempt)
            .where(AssessmentAttempt.id == attempt.id, AssessmentAttempt.state == AttemptState.COMPLETED)
            .values(state=AttemptState.REVIEWED, reviewed_at=at, updated_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.refresh(attempt)
        if marked != 1:
            continue
        history.record(
            session,
            application_id=application.id,
            attempt=attempt,
            summary=f"{attempt.vendor_test_name}: reviewed",
            from_state=AttemptState.COMPLETED.value,
            to_state=AttemptState.REVIEWED.value,
            actor=actor,
        )


def advance(
    *, session: Session, application_id: int, expected_version: int, seen_in: int, actor: Actor
) -> pipeline.MoveOutcome:
    """Move the candidate to the stage after ``seen_in``, the one the page showed them in; the
    result counts as reviewed. Returns the move's outcome: what it sent, and why a test the stage
    sends on entry was not sent.

    The decision and the move are one transaction: a move refused (a colleague moved the card
    since the page showed it, which takes no decision; the next stage sends through a connection
    that is gone) leaves the result waiting for review, decided by no one.

    Raises:
        UserError: Already in the last stage, rejected, moved or decided on meanwhile.
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if application.rejected_at is not None:
        raise UserError("This candidate was rejected: a rejected candidate is not advanced.")
    stages = list(
        session.exec(select(Stage).where(Stage.job_id == application.job_id).order_by(Stage.position))
    )
    index = next((i for i, s in enumerate(stages) if s.id == seen_in), None)
    if index is None:
        raise UserError(
            "That stage is no longer in this job's interview plan; the page now shows where they stand."
        )
    if index + 1 >= len(stages):
        raise UserError(f"{stages[index].name} is the last stage of the plan.")
    claim_decision(session, application, expected_version)
    _mark_counted_reviewed(session, application, actor)
    history.record(session, application_id=application.id, summary="Advanced after review", actor=actor)
    # Commits all of it, or rolls all of it back on a refusal. Moved from seen_in only: a
    # colleague's move since (to Offer, say) is not undone, nor a stage they are in skipped.
    outcome = pipeline.move_application(
        session=session,
        application_id=application.id,
        stage_id=stages[index + 1].id,
        actor=actor,
        seen_in=seen_in,
    )
    if not outcome.moved:  # a colleague put them in that stage meanwhile: rolled back, decided by no one
        raise UserError(
            f"{outcome.message[:-1]} meanwhile (a colleague's move): nothing was decided, and the result "
            "still waits for review."
        )
    send_feedback(session, application.id, "advanced")
    return outcome


@dataclasses.dataclass
class Rejection:
    """What a rejection did, in words for the person who rejected: besides the decision, the
    candidate's open invitations it withdrew at the vendor, those it could not (with why), and
    the upcoming interviews it called off.

    ``failed``: an invitation it was to withdraw is still open at the vendor (the vendor refused
    or was down), so the page tells it as an error: the recruiter may want to cancel it there.
    """

    reason: str
    withdrawn: list[str] = dataclasses.field(default_factory=list)
    not_withdrawn: list[str] = dataclasses.field(default_factory=list)
    interviews_cancelled: list[str] = dataclasses.field(default_factory=list)
    undone_meanwhile: list[str] = dataclasses.field(default_factory=list)  # left open: back in

    @property
    def failed(self) -> bool:
        return bool(self.not_withdrawn)

    @property
    def at_the_vendor(self) -> str:
        """What it did to the open tests ("" when there were none)."""
        said = [f"Withdrawn at the vendor: {', '.join(self.withdrawn)}."] if self.withdrawn else []
        said += [f"Still open at the vendor: {why}" for why in self.not_withdrawn]
        if self.undone_meanwhile:
            said.append(
                f"The rejection was undone meanwhile, so {', '.join(self.undone_meanwhile)} stays open."
            )
        return " ".join(said)

    @property
    def besides(self) -> str:
        """What it did besides the decision: to the open tests, then to the upcoming interviews."""
        called_off = "; ".join(self.interviews_cancelled)
        return f"{self.at_the_vendor} {f'Interviews cancelled: {called_off}.' if called_off else ''}".strip()

    @property
    def message(self) -> str:
        return f"Rejected ({self.reason}). {self.besides}".strip()


def _open_invitations(session: Session, application_id: int) -> list[AssessmentAttempt]:
    return list(
        session.exec(
            select(AssessmentAttempt)
            .where(
                AssessmentAttempt.application_id == application_id,
                AssessmentAttempt.state.in_([AttemptState.SENT, AttemptState.STARTED]),  # type: ignore[union-attr]
            )
            .order_by(AssessmentAttempt.id)
        )
    )


def open_tests_on_rejection(session: Session, application_id: int) -> list[str]:
    """What rejecting the candidate does to their open tests, a sentence each, for the reject
    dialog to say before it is done.

    A sent invitation not started yet is withdrawn at the vendor (``reject``), where the vendor
    can withdraw one: left open, the candidate would spend an evening on a test for a job that
    has turned them down, and the vendor's own reminders would keep asking them to. A test they
    have started is left to finish: cutting them off mid-test is worse, and its result still
    comes in.
    """
    said = []
    for attempt in _open_invitations(session, application_id):
        integration = session.get(Integration, attempt.integration_id)
        spec = registry.VENDORS.get(integration.vendor) if integration else None
        test = f"{spec.display_name if spec else 'vendor'} test, {attempt.vendor_test_name},"
        if attempt.state == AttemptState.STARTED:
            said.append(f"Their {test} is under way and stays open; its result still comes in.")
            continue
        cancel = next(a for a in attempt_actions.available_actions(session, attempt) if a.name == "cancel")
        said.append(
            f"Their open {test} will be withdrawn."
            if cancel.enabled
            else f"Their open {test} stays open: {cancel.reason}"
        )
    return said


def withdraw_open_invitations(session: Session, application: Application, actor: Actor) -> Rejection:
    """Withdraw the rejected candidate's sent, unstarted invitations by the Cancel button's path
    (``cancel_assessment``: idempotent, a vendor failure logged on the connection). One the vendor
    cannot or will not withdraw stays open, said in the history and told; the rejection stands.
    Also for a test a send made while the candidate was being rejected (``assessments``)."""
    outcome = Rejection(application.rejection_reason or "")
    rejected_at = application.rejected_at
    for attempt in _open_invitations(session, application.id):
        if attempt.state != AttemptState.SENT:
            continue  # started: left to finish (``open_tests_on_rejection``)
        name = attempt.vendor_test_name
        if not _still_rejected(session, application.id, rejected_at):
            # Undone by a colleague while the vendor was asked about the others (helper-156: it
            # went on withdrawing the tests of a candidate back in the running).
            outcome.undone_meanwhile.append(name)
            continue
        try:
            attempt_actions.require_offered(session, "cancel", attempt.id)
            attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=actor)
        except UserError as err:
            session.rollback()
            history.record(
                session,
                application_id=application.id,
                attempt=attempt,
                summary=f"{name}: not withdrawn at the vendor on the rejection: {err}",
                actor=actor,
            )
            session.commit()
            outcome.not_withdrawn.append(f"{name}: {err}")
        else:
            outcome.withdrawn.append(name)
    return outcome


def _still_rejected(session: Session, application_id: int, rejected_at) -> bool:
    """The rejection being carried out still stands: not undone, nor undone and made again."""
    now = session.exec(select(Application.rejected_at).where(Application.id == application_id)).first()
    return now is not None and now == rejected_at


def check_rejection_note(note: str) -> None:
    """Refuse a note longer than a rejection's history line holds (never cut it unsaid).

    Raises:
        UserError: The note is too long, with its length.
    """
    if len(note.strip()) > REJECTION_NOTE_LIMIT:
        raise UserError(
            f"The note is at most {REJECTION_NOTE_LIMIT} characters ({len(note.strip())} now): "
            "shorten it, or add a longer one to the application as a note after rejecting."
        )


def reject(
    *, session: Session, application_id: int, reason: str, note: str, expected_version: int, actor: Actor
) -> Rejection:
    """Reject with a reason from the list (and an optional note); always a person's decision.

    The decision is stored first, their upcoming interviews called off with it (the dialog says
    which: ``interviews.upcoming_on_rejection``); then their sent, unstarted invitations are
    withdrawn at the vendor (``open_tests_on_rejection`` says why, and the dialog says which), so
    a vendor that refuses or is down leaves the rejection made, and says which test is still open.

    Raises:
        UserError: No reason, an automatic actor, already rejected, or decided on meanwhile.
    """
    if actor.user_id is None:
        raise UserError("Only a person can reject a candidate.")
    if reason not in REJECTION_REASONS:
        raise UserError("Pick the reason for the rejection.")
    check_rejection_note(note)
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if application.rejected_at is not None:
        raise UserError("This candidate was already rejected.")
    claim_decision(session, application, expected_version)
    application.rejected_at, application.rejection_reason = utcnow(), reason
    _mark_counted_reviewed(session, application, actor, at=application.rejected_at)
    session.add(application)
    text = f"Rejected: {reason}" + (f". Note: {note.strip()}" if note.strip() else "")
    history.record(session, application_id=application.id, summary=text, actor=actor)
    called_off = interviews.cancel_upcoming(session, application.id, actor)
    history.bump_job(session, application.job_id)
    session.commit()
    send_feedback(session, application.id, "rejected")
    outcome = withdraw_open_invitations(session, application, actor)
    outcome.interviews_cancelled = called_off
    return outcome


@dataclasses.dataclass
class DryRun:
    """What a threshold rule would have done to the stage's completed candidates."""

    total: int
    would_advance: list[str]
    to_review: int
    below_bar: list[str] = dataclasses.field(default_factory=list)


def dry_run(
    session: Session, stage_id: int, advance_at: float, review_from: float | None = None, *, job_id: int
) -> DryRun:
    """Who of the stage's completed candidates the rule would advance, leave to review, or flag.

    Only a stage of ``job_id``, the job whose review page asks: the stage comes from the
    browser, and the answer names candidates, whom a hiring manager sees for their own jobs only.

    Raises:
        UserError: A threshold outside 0..100, the review band's floor above the advance bar,
            or a stage not in the job.
    """
    stage = session.get(Stage, stage_id)
    if stage is None or stage.job_id != job_id:
        raise NotFound("That stage no longer exists.")
    _check_rule(advance_at, review_from)
    rows = [r for r in results(session, stage.job_id) if r.counts and r.stage_name == stage.name]
    # By application, not by name: two candidates can share one (the demo job has two Linus Lovelaces).
    names = {r.application_id: r.candidate_name for r in rows}
    scores: dict[int, list[float | None]] = {}
    for r in rows:
        scores.setdefault(r.application_id, []).append(r.score)
    tests = _tests_of(session, stage)
    advanced = {a for a, theirs in scores.items() if _passes(stage.gating, advance_at, theirs, tests)}
    flagged = {
        r.application_id
        for r in rows
        if review_from is not None and (r.score is None or r.score < review_from)
    } - advanced
    return DryRun(
        len(names),
        sorted(names[a] for a in advanced),
        len(names) - len(advanced) - len(flagged),
        sorted(names[a] for a in flagged),
    )


def _check_rule(advance_at: float | None, review_from: float | None) -> None:
    for value in (advance_at, review_from):
        if value is not None and not 0 <= value <= 100:
            raise UserError("A threshold is a score from 0 to 100.")
    if advance_at is not None and review_from is not None and review_from > advance_at:
        raise UserError(
            f"The review band starts at {review_from:g}%, above the advance bar of {advance_at:g}%: "
            "lower the first or raise the second."
        )


def set_rule(
    *,
    session: Session,
    stage_id: int,
    advance_at: float | None,
    counting: str,
    actor: Actor,
    review_from: float | None = None,
) -> Stage:
    """Switch a stage's rule on (advance at a score, review from another) or off, and its counting policy.

    Raises:
        UserError: A threshold outside 0..100, a band upside down, or an unknown policy.
    """
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("That stage no longer exists.")
    _check_rule(advance_at, review_from)
    if counting not in ("latest", "best"):
        raise UserError("An attempt counts as the latest or the best.")
    stage.advance_at, stage.review_from, stage.counting = advance_at, review_from, counting
    stage.rule_enabled_at = utcnow() if advance_at is not None else None
    session.add(stage)
    session.commit()
    return stage


def set_counting(*, session: Session, stage_id: int, counting: str) -> Stage:
    """Which attempt counts in a stage, the latest or the best; the stage's rule stays as it is.

    Raises:
        UserError: An unknown policy.
    """
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("That stage no longer exists.")
    return set_rule(
        session=session,
        stage_id=stage_id,
        advance_at=stage.advance_at,
        review_from=stage.review_from,
        counting=counting,
        actor=SYSTEM,
    )


def _passes(gating: Gating, bar: float, scores: list[float | None], tests: int) -> bool:
    """Whether a candidate's counted scores at the stage's ``tests`` tests meet its advance bar:
    one of them where the stage asks for any one test, else each, every test finished
    (helper-141: only the test finished last was weighed, so a 95 finished after a 40 advanced
    the candidate, the 40 never seen; helper-142: the dry run passed one of two finished)."""
    met = [score is not None and score >= bar for score in scores]
    if gating == Gating.ANY:
        return any(met)
    return bool(met) and all(met) and len(met) >= tests


def _tests_of(session: Session, stage: Stage) -> int:
    """How many tests the stage's plan holds."""
    return len(session.exec(select(StageAssessment.id).where(StageAssessment.stage_id == stage.id)).all())


def _counted_scores(session: Session, application: Application, stage: Stage) -> list[float | None]:
    """The score that counts at each of the stage's tests the candidate finished (latest or best)."""
    rows = [
        (attempt, application, "", stage.name)
        for attempt in session.exec(
            select(AssessmentAttempt)
            .where(
                AssessmentAttempt.application_id == application.id,
                AssessmentAttempt.stage_id == stage.id,
                AssessmentAttempt.state.in_(FINISHED_STATES),  # type: ignore[union-attr]
                AssessmentAttempt.live_interview.is_(False),  # type: ignore[attr-defined]
            )
            .order_by(AssessmentAttempt.id)
        )
    ]
    counted = counted_attempts(session, rows)
    return [attempt.score_percent for attempt, *_ in rows if attempt.id in counted]


def apply_rules(session: Session, attempt: AssessmentAttempt) -> bool:
    """After a completion: advance the candidate if the stage's rule says so (never reject).

    Safe to run again (``assessments._after_completion`` runs it until it has finished): a card
    no longer in the stage, or put back into it after the result came in, is left where a person
    put it; a recruiter who moves the advanced candidate back on purpose is not overruled.
    """
    stage = session.get(Stage, attempt.stage_id) if attempt.stage_id else None
    # Read afresh: a sweep loads its applications at its start, and one may have moved since.
    application = session.get(Application, attempt.application_id, populate_existing=True)
    result_at = attempt.after_completion_due_at  # when the completion was written (None: not known)
    if (
        stage is None
        or stage.advance_at is None
        or application.stage_id != stage.id
        or application.rejected_at
        or (result_at is not None and application.stage_entered_at > result_at)
    ):
        return False
    if attempt.score_percent is None or attempt.score_percent < stage.advance_at:
        return False
    if not notify.stage_done(session, application.id, stage.id):
        return False
    if not _passes(
        stage.gating,
        stage.advance_at,
        _counted_scores(session, application, stage),
        _tests_of(session, stage),
    ):
        return False  # another of the stage's tests counts below the bar: a person's to weigh
    stages = list(session.exec(select(Stage).where(Stage.job_id == stage.job_id).order_by(Stage.position)))
    index = next(i for i, s in enumerate(stages) if s.id == stage.id)
    if index + 1 >= len(stages):
        return False
    rule_actor = dataclasses.replace(SYSTEM, label=f"rule: advance at {stage.advance_at:g}% or more")
    session.commit()  # the vendor's update that brought the result stands whatever the rule does
    try:
        claim_decision(session, application, application.decision_version)
        _mark_counted_reviewed(session, application, rule_actor)
        # One transaction with the claim: a refused move leaves the result waiting for a person.
        outcome = pipeline.move_application(
            session=session,
            application_id=application.id,
            stage_id=stages[index + 1].id,
            actor=rule_actor,
            seen_in=stage.id,
        )
    except UserError as err:
        # A person decided, or a recruiter moved the card, at the same moment (where they put it
        # stands), or the next stage sends through a connection that is gone: theirs to decide.
        log.info("the rule did not advance application %s: %s", application.id, err)
        return False
    if outcome.moved:
        send_feedback(session, application.id, "advanced")
    return outcome.moved


DEFAULT_TEMPLATE = (
    "Hello {name},\n\nThank you for taking the {test} for the {job} role. "
    "{band} You took {time_taken}.\n\nNext step: {next_step}\n\nThe hiring team"
)


def _band(score: float | None) -> str:
    if score is None:
        return "Your result is with the hiring team."
    if score >= 80:
        return "Your result is in the top band."
    if score >= 50:
        return "Your result is in the middle band."
    return "Your result is below the band we look for."


def send_feedback(
    session: Session, application_id: int, event: str, *, attempt_id: int | None = None
) -> bool:
    """Tell the candidate, where the job asks for it; each message once (a dedupe key per event).

    A result's email is about ``attempt_id``, the test just finished (it told of the newest
    finished one, another test finished first, and the stage's own was never told, helper-116);
    the others about the newest finished. A rejected candidate is told nothing but the rejection:
    a test finished after it had them read "the team reviews your result and comes back to you".
    """
    application = session.get(Application, application_id)
    job = session.get(Job, application.job_id)
    if not job.candidate_feedback or (notify.rejected_now(session, application_id) and event != "rejected"):
        return False
    candidate = session.get(Candidate, application.candidate_id)
    attempt = session.exec(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.state.in_(FINISHED_STATES),  # type: ignore[union-attr]
            # Not an interview's room ending: no test the candidate took (helper-166: "Thank you
            # for taking the Pairing room", and a rejection's email told of the room, not the test).
            AssessmentAttempt.live_interview.is_(False),  # type: ignore[attr-defined]
            *([AssessmentAttempt.id == attempt_id] if attempt_id is not None else []),
        )
        .order_by(AssessmentAttempt.id.desc())
    ).first()
    if attempt is None or not candidate.email:
        return False
    next_step = {
        "result": "the team reviews your result and comes back to you.",
        "advanced": "you move on to the next stage; the team will contact you.",
        "rejected": "we will not continue with your application this time.",
    }[event]
    taken = minutes(attempt.duration_seconds)
    values = _Blank(
        name=candidate.name,
        test=attempt.vendor_test_name,
        job=job.title,
        band=_band(attempt.score_percent),
        # As the application and review pages say it ("29.0 min of 60 min"), not a second way.
        time_taken=time_taken_label(taken, minutes(attempt.time_allowed_seconds)) or "? min",
        # A template saved with "{minutes} minutes" (the earlier default): the pages' figure.
        minutes=f"{taken:.1f}" if taken is not None else "?",
        next_step=next_step,
    )
    try:
        body = (job.feedback_template or DEFAULT_TEMPLATE).format_map(values)
    except (ValueError, IndexError, AttributeError, TypeError) as err:
        # Saved before templates were checked: a stray brace raised here, after the result was
        # stored, and the stage's rule and this email were lost for good (helper-112).
        log.warning(
            "job %s: its feedback template cannot be filled (%s); the default one is sent", job.id, err
        )
        body = DEFAULT_TEMPLATE.format_map(values)
    key = f"{notify.FEEDBACK}{event}:{application_id}:{attempt.id}"
    try:
        with session.begin_nested():
            session.add(
                OutboxMessage(
                    dedupe_key=key,
                    to_address=candidate.email,
                    subject=f"Your {job.title} assessment",
                    body=body,
                    application_id=application_id,
                )
            )
    except sa.exc.IntegrityError:
        return False
    history.record(
        session,
        application_id=application_id,
        # Written, not sent: the outbox says whether it went (no mail server set: never).
        summary=f"Feedback email to {candidate.email} ({event}) written to the outbox",
        actor=SYSTEM,
    )
    session.commit()
    return True


class _Blank(dict):
    """Template values; an unknown placeholder stays as written instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def set_feedback(*, session: Session, job_id: int, enabled: bool, template: str) -> Job:
    """Turn candidate feedback on or off for a job, with its message template."""
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound("That job does not exist.")
    if len(template) > 4000:
        raise UserError("The template is at most 4000 characters.")
    try:
        template.format_map(_Blank())
    except ValueError as err:
        why = "a value must be named" if "positional" in str(err) else "a brace stands alone"
        raise UserError(
            f"The template cannot be filled: {why}. Write each value by its name in braces, as "
            "{name}, and a brace meant as itself twice, {{ or }}."
        ) from None
    except (IndexError, AttributeError, TypeError):
        raise UserError(
            "The template cannot be filled: a value is written with more than its name (as "
            "{name.first}). Write each value by its name alone, as {name}."
        ) from None
    job.candidate_feedback, job.feedback_template = enabled, template.strip()
    session.add(job)
    session.commit()
    return job


def results_csv(rows: list[ResultRow]) -> str:
    """Results as CSV, one line per result in the order given (the review list's order)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "candidate",
            "stage",
            "test",
            "attempt",
            "counts",
            "score %",
            "points",
            "comparative %",
            "percentile in job",
            "minutes",
            "minutes allowed",
            "warnings",
            "status",
            "report",
        ]
    )
    for r in rows:
        writer.writerow(
            [
                _as_text(r.candidate_name),
                _as_text(r.stage_name),
                _as_text(r.test_name),
                r.attempt_number,
                "yes" if r.counts else "no",
                "" if r.score is None else f"{r.score:g}",  # whole, for a spreadsheet's sums
                r.points,
                "" if r.comparative is None else f"{r.comparative:g}",
                "" if r.percentile is None else f"{r.percentile:g}",
                "" if r.minutes is None else f"{r.minutes:g}",
                "" if r.minutes_allowed is None else f"{r.minutes_allowed:g}",
                r.warnings,
                r.state,
                _as_text(r.report_url),
            ]
        )
    return out.getvalue()


def _as_text(value: str) -> str:
    """A name as a spreadsheet shows it, never as a formula it runs: a candidate's name pasted
    from elsewhere, "=HYPERLINK(...)", would be one in Excel (OWASP's CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
