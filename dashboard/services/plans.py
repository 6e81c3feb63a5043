"""Interview plans: ordered stages, and the tests each assessment stage sends.

A plan is edited while candidates are in it, so every change keeps their place:
deleting a stage asks where its applications go, and removing a stage's test
leaves the attempts already sent where they are.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import history
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, SameTitle, UserError
from dashboard.services.integrations import get_integration
from dashboard.services.wording import counted
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Gating,
    Integration,
    Interview,
    Job,
    Stage,
    StageAssessment,
    StageKind,
    folded,
    utcnow,
)
from providers import registry
from providers.base import Capability

MAX_DEADLINE_DAYS = 90
T = TypeVar("T")
P = ParamSpec("P")


def stages_of(session: Session, job_id: int) -> list[Stage]:
    """A job's interview plan, in order."""
    return list(session.exec(select(Stage).where(Stage.job_id == job_id).order_by(Stage.position)))


def tests_of(session: Session, stage_id: int) -> list[StageAssessment]:
    """The tests an assessment stage sends, in order."""
    return list(
        session.exec(
            select(StageAssessment)
            .where(StageAssessment.stage_id == stage_id)
            .order_by(StageAssessment.position)
        )
    )


def get_stage(session: Session, stage_id: int) -> Stage:
    """The stage, or NotFound."""
    stage = session.get(Stage, stage_id)
    if stage is None:
        raise NotFound("That stage no longer exists.")
    return stage


def _refusals_roll_back(edit: Callable[P, T]) -> Callable[P, T]:
    """A plan edit refused (a UserError) after its plan was held lets go of it at once: an open
    session (a test's, a script's) held the plan, and every colleague's edit waited on it."""

    @functools.wraps(edit)
    def edited(*args: P.args, **changes: P.kwargs) -> T:
        try:
            return edit(*args, **changes)
        except UserError:
            changes["session"].rollback()  # every plan edit takes its session by keyword
            raise

    return edited


def _hold_plan(session: Session, job_id: int) -> None:
    """Hold the job's plan for an edit before anything of it is read: its stages locked (on
    PostgreSQL, in one order, by id) and written (a write that changes nothing: SQLite's lock).

    Two colleagues' edits of one plan at once (two workers) then go one after the other, each
    reading the plan the other left: read before, two moves wrote their positions over each
    other's (B 0, C 0, A 1: which stage is next was anyone's guess), and a test added as a
    colleague removed the stage's only one was saved under a stage turned regular, sending
    nothing (helper-113). The stages before the job (its revision), as a move takes them.
    What the session read before is read again.
    """
    # FOR NO KEY UPDATE: a move's read of its stage (FOR SHARE) waits; a row merely naming a stage
    # (an attempt opened, a card's stage set: a key share) does not.
    session.exec(
        select(Stage.id).where(Stage.job_id == job_id).order_by(Stage.id).with_for_update(key_share=True)
    )
    session.exec(
        sa.update(Stage)
        .where(Stage.job_id == job_id)
        .values(position=Stage.position)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()


def _held_stage(session: Session, stage_id: int) -> Stage:
    """The stage, its plan held for an edit (``_hold_plan``), read as it is now.

    Raises:
        NotFound: The stage is gone (a colleague deleted it a moment ago).
    """
    _hold_plan(session, get_stage(session, stage_id).job_id)
    stage = session.exec(select(Stage).where(Stage.id == stage_id)).first()
    if stage is None:
        session.rollback()
        raise NotFound("That stage no longer exists: a colleague deleted it a moment ago.")
    return stage


def _name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise UserError("Give the stage a name.")
    if len(cleaned) > 120:
        raise UserError("A stage name is at most 120 characters.")
    return cleaned


def _unique_name(session: Session, job_id: int, name: str, stage_id: int | None = None) -> str:
    """The cleaned name, refused when another stage of the job has it (in any case).

    The board's columns and "Move to" menus name stages by name, so two of one name
    cannot be told apart; a stale name box once renamed a stage to its neighbour's name.
    """
    cleaned = _name(name)
    taken = next(
        (
            s
            for s in stages_of(session, job_id)
            if s.id != stage_id and s.name.casefold() == cleaned.casefold()
        ),
        None,
    )
    if taken is not None:
        raise UserError(f"This plan already has a stage called {taken.name}.")
    return cleaned


def _renumber(session: Session, stages: list[Stage]) -> None:
    for position, stage in enumerate(stages):
        if stage.position != position:
            stage.position = position
            session.add(stage)


def job_titled(session: Session, title: str) -> Job | None:
    """The oldest job whose title is ``title`` in any case, accents and spacing, if there is one."""
    return session.exec(select(Job).where(Job.search_title == folded(title)).order_by(Job.id)).first()


def create_job(
    *, session: Session, title: str, stage_names: list[str], same_title_meant: bool = False
) -> Job:
    """A job with a plan of regular stages, in order; its title's spacing tidied ("Backend  Engineer ").

    A title the team already has ("backend engineer" beside "Backend Engineer") stops the first
    time: two rows of one name on the jobs list, one of them to be told apart and deleted by
    hand, are more often a slip than a wish. It is not refused, though: one role is often hired
    for twice (two offices, two teams, a second requisition), and the ATSs Assay sits beside
    allow it (Greenhouse tells jobs apart by id, office and requisition, and makes a job by
    copying an existing one; Ashby copies a job with its attributes; see
    ../shared/reference/ats-landscape.md for the ATSs compared), so the recruiter who means it
    goes on with ``same_title_meant``.

    Raises:
        SameTitle: A job of that title exists and ``same_title_meant`` is not set.
        UserError: No title or a too long one, no stages, or two stages of one name.
    """
    title = " ".join(title.split())
    if not title:
        raise UserError("Give the job a title.")
    if len(title) > 200:  # the column's length
        raise UserError("A job title is at most 200 characters.")
    if not stage_names:
        raise UserError("An interview plan needs at least one stage.")
    names = [_name(name) for name in stage_names]
    if len({name.casefold() for name in names}) < len(names):
        raise UserError("Each stage of a plan needs a name of its own.")
    if not same_title_meant and (existing := job_titled(session, title)) is not None:
        raise SameTitle(existing.id, existing.title)
    job = Job(title=title)
    session.add(job)
    session.flush()
    for position, name in enumerate(names):
        session.add(Stage(job_id=job.id, position=position, name=name, kind=StageKind.REGULAR))
    history.bump_job(session, job.id)  # open job lists see it: the sum of revisions moves
    session.commit()
    return job


@_refusals_roll_back
def add_stage(
    *,
    session: Session,
    job_id: int,
    name: str,
    kind: StageKind = StageKind.REGULAR,
    after_stage_id: int | None = None,
) -> Stage:
    """Add a stage after ``after_stage_id`` (default: at the end).

    Raises:
        UserError: No name, a name the plan already has, or the anchor stage is not in this plan.
    """
    if session.get(Job, job_id) is None:
        raise NotFound("That job no longer exists.")
    _hold_plan(session, job_id)
    stages = stages_of(session, job_id)
    position = len(stages)
    if after_stage_id is not None:
        anchor = next((s for s in stages if s.id == after_stage_id), None)
        if anchor is None:
            raise UserError("The stage to insert after is not in this plan.")
        position = stages.index(anchor) + 1
    stage = Stage(job_id=job_id, position=position, name=_unique_name(session, job_id, name), kind=kind)
    stages.insert(position, stage)
    session.add(stage)
    _renumber(session, stages)
    history.bump_job(session, job_id)
    session.commit()
    return stage


@_refusals_roll_back
def add_stage_test(
    *, session: Session, stage_id: int, integration_id: int, vendor_test_id: str, vendor_test_name: str
) -> StageAssessment:
    """Add one more test to an assessment stage (a regular stage becomes an assessment stage).

    Raises:
        UserError: No test picked, the connection is gone, or the stage already sends it.
    """
    if not vendor_test_id:
        raise UserError("Pick the test this stage sends.")
    stage = _held_stage(session, stage_id)
    get_integration(session, integration_id)
    existing = tests_of(session, stage_id)
    if any(t.integration_id == integration_id and t.vendor_test_id == vendor_test_id for t in existing):
        raise UserError(f"{stage.name} already sends {vendor_test_name or vendor_test_id}.")
    test = StageAssessment(
        stage_id=stage_id,
        position=len(existing),
        integration_id=integration_id,
        vendor_test_id=vendor_test_id,
        vendor_test_name=(vendor_test_name or vendor_test_id)[:200],
    )
    stage.kind = StageKind.ASSESSMENT
    session.add_all([test, stage])
    history.bump_job(session, stage.job_id)
    session.commit()
    return test


@dataclasses.dataclass(frozen=True)
class StageTestRemoval:
    """What removing a test from its stage changes, for the question asked before it is done."""

    test_name: str
    stage_name: str
    sends_automatically: bool
    only_test: bool  # the stage becomes a regular stage, sending nothing
    with_candidates: int  # sent and not finished: the candidates keep their links
    not_sent: int  # opened, waiting in the queue's Needs sending: they stay there
    # The stage's deadline or reminder, which no test left takes: it goes with the test (a sentence).
    drops: str = ""


def removal_of(session: Session, stage_test_id: int) -> StageTestRemoval:
    """What ``remove_stage_test`` would change: its attempts stay, new entrants are not sent it.

    Raises:
        NotFound: The test is no longer part of the stage.
    """
    test = session.get(StageAssessment, stage_test_id)
    if test is None:
        raise NotFound("That test is no longer part of the stage.")
    stage = get_stage(session, test.stage_id)
    # A rejected candidate's unsent test is in no queue (they are sent none): not counted as waiting there.
    counts = dict(
        session.exec(
            sa.select(AssessmentAttempt.state, sa.func.count())
            .join(Application, Application.id == AssessmentAttempt.application_id)
            .where(
                AssessmentAttempt.stage_assessment_id == test.id,
                sa.or_(
                    AssessmentAttempt.state != AttemptState.READY_TO_SEND,
                    Application.rejected_at.is_(None),  # type: ignore[union-attr]
                ),
            )
            .group_by(AssessmentAttempt.state)
        ).all()
    )
    return StageTestRemoval(
        test_name=test.vendor_test_name,
        stage_name=stage.name,
        sends_automatically=stage.send_automatically,
        only_test=len(tests_of(session, stage.id)) == 1,
        with_candidates=counts.get(AttemptState.SENT, 0) + counts.get(AttemptState.STARTED, 0),
        not_sent=counts.get(AttemptState.READY_TO_SEND, 0),
        drops=_dropped_with(session, stage, test.id)[1],
    )


def _dropped_with(session: Session, stage: Stage, stage_test_id: int) -> tuple[str, str]:
    """What of the stage's settings goes when the test goes, and the sentence saying so: its
    deadline (with its reminder), or its reminder, that no test left takes ("", "" if nothing).
    Kept, it read "Deadline: 5 days" over a stage applying none, and the settings, saved
    unchanged, were refused (helper-113)."""
    only = len(tests_of(session, stage.id)) == 1
    if stage.deadline_days is not None and (
        only or _no_test_can(session, stage.id, Capability.DEADLINE, but=stage_test_id)
    ):
        return "deadline", f"Its {stage.deadline_days}-day deadline goes with it: no test left takes one."
    if stage.reminder_hours is not None and (
        only or _no_test_can(session, stage.id, Capability.RESEND, but=stage_test_id)
    ):
        return "reminder", "Its reminder goes with it: no test left can be sent again."
    return "", ""


def waiting_to_send(session: Session, stage_id: int) -> int:
    """How many of the stage's tests wait in the queue's Needs sending (their candidates not
    rejected): turning on "send automatically" sends tests on entry from then on, not these."""
    return session.exec(
        sa.select(sa.func.count())
        .select_from(AssessmentAttempt)
        .join(Application, Application.id == AssessmentAttempt.application_id)
        .where(
            AssessmentAttempt.stage_id == stage_id,
            AssessmentAttempt.state == AttemptState.READY_TO_SEND,
            Application.rejected_at.is_(None),  # type: ignore[union-attr]
        )
    ).one()[0]


@_refusals_roll_back
def remove_stage_test(*, session: Session, stage_test_id: int) -> str:
    """Stop sending a test in a stage; attempts already sent stay as they are. A deadline or
    reminder no test left takes goes with it (``removal_of`` asks first): the sentence saying so,
    or "", as it was done."""
    test = session.get(StageAssessment, stage_test_id)
    if test is None:
        raise NotFound("That test is no longer part of the stage.")
    stage = _held_stage(session, test.stage_id)
    test = session.get(StageAssessment, stage_test_id)
    if test is None:  # a colleague removed it a moment ago
        session.rollback()
        raise NotFound("That test is no longer part of the stage.")
    dropped, said = _dropped_with(session, stage, test.id)
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.stage_assessment_id == test.id)
        .values(stage_assessment_id=None)
    )
    if dropped == "deadline":
        stage.deadline_days = None
    if dropped:
        stage.reminder_hours = None  # a reminder counts back from the deadline
    session.add(stage)
    session.delete(test)
    session.flush()
    if not tests_of(session, stage.id):
        # A regular stage, its assessment settings hidden: kept, a test added later sent itself on
        # entry, or advanced candidates by a rule no one saw (helper-159). It starts afresh.
        stage.kind, stage.send_automatically, stage.gating = StageKind.REGULAR, False, Gating.ALL
        stage.advance_at = stage.review_from = stage.rule_enabled_at = None
        stage.counting = "latest"  # (its deadline and reminder went with the test: ``_dropped_with``)
        session.add(stage)
    history.bump_job(session, stage.job_id)
    session.commit()
    return said


def add_assessment_stage(
    *,
    session: Session,
    job_id: int,
    name: str,
    integration_id: int,
    vendor_test_id: str,
    vendor_test_name: str,
    send_automatically: bool = False,
    after_stage_id: int | None = None,
    deadline_days: int | None = None,
    gating: Gating = Gating.ALL,
) -> Stage:
    """Add an assessment stage sending one test (more can be added to it later).

    Raises:
        UserError: No name, no test picked, a bad deadline, or the connection is gone.
    """
    if not vendor_test_id:
        raise UserError("Pick the test this stage sends.")
    get_integration(session, integration_id)
    _check_deadline(deadline_days)
    stage = add_stage(
        session=session, job_id=job_id, name=name, kind=StageKind.ASSESSMENT, after_stage_id=after_stage_id
    )
    stage.send_automatically, stage.deadline_days, stage.gating = send_automatically, deadline_days, gating
    session.add(stage)
    session.commit()
    add_stage_test(
        session=session,
        stage_id=stage.id,
        integration_id=integration_id,
        vendor_test_id=vendor_test_id,
        vendor_test_name=vendor_test_name,
    )
    return stage


def _check_deadline(deadline_days: int | None) -> None:
    if deadline_days is None:
        return
    if deadline_days < 1:
        raise UserError("A deadline must be at least one day after the test is sent.")
    if deadline_days > MAX_DEADLINE_DAYS:
        raise UserError(f"A deadline is at most {MAX_DEADLINE_DAYS} days.")


def _no_test_can(session: Session, stage_id: int, capability: Capability, but: int | None = None) -> str:
    """The vendors' reasons when none of the stage's tests (``but`` the one about to be removed)
    can be sent with ``capability``; "" if one can, or if none is left.

    A deadline or reminder no vendor of the stage takes was saved and silently never applied.
    """
    reasons = []
    for test in tests_of(session, stage_id):
        if test.id == but:
            continue
        integration = session.get(Integration, test.integration_id)
        spec = registry.VENDORS.get(integration.vendor) if integration else None
        if spec is None:
            continue
        if capability in spec.provider.capabilities:
            return ""
        reasons.append(spec.provider.limitations.get(capability, f"{spec.display_name} cannot do this."))
    return " ".join(dict.fromkeys(reasons))


@_refusals_roll_back
def configure_stage(
    *,
    session: Session,
    stage_id: int,
    send_automatically: bool,
    gating: Gating,
    deadline_days: int | None,
    reminder_hours: int | None = None,
) -> Stage:
    """Set how an assessment stage sends: automatically or on a click, gating, deadline, reminder.

    Raises:
        UserError: A deadline in the past or too far out, or a reminder without a deadline or after it;
            a deadline (or reminder) that no vendor of the stage's tests takes, with the vendor's reason.
    """
    _check_deadline(deadline_days)
    stage = _held_stage(session, stage_id)
    if deadline_days is not None and (cannot := _no_test_can(session, stage_id, Capability.DEADLINE)):
        raise UserError(f"{cannot} Leave the deadline empty for this stage.")
    if reminder_hours is not None:
        if deadline_days is None:
            raise UserError("A reminder needs a deadline to count back from.")
        if not 1 <= reminder_hours < deadline_days * 24:
            raise UserError("Send the reminder between 1 hour and the whole deadline before it.")
        if cannot := _no_test_can(session, stage_id, Capability.RESEND):
            raise UserError(f"A reminder sends the invitation again: {cannot} Leave the reminder empty.")
    stage.send_automatically, stage.gating = send_automatically, Gating(gating)
    stage.deadline_days, stage.reminder_hours = deadline_days, reminder_hours
    session.add(stage)
    history.bump_job(session, stage.job_id)
    session.commit()
    return stage


def set_live_interview_template(
    *, session: Session, stage_id: int, integration_id: int | None, template_id: str, template_name: str
) -> Stage:
    """The live-interview template whose link is made when an interview in this stage is scheduled."""
    stage = get_stage(session, stage_id)
    if integration_id is not None:
        get_integration(session, integration_id)
        if not template_id:
            raise UserError("Pick the live-interview template.")
    stage.live_integration_id = integration_id
    stage.live_template_id = template_id or None
    stage.live_template_name = (template_name or template_id or "")[:200] or None
    # Another template (or the same one, picked from a listing that shows it) is not known gone.
    stage.live_template_unlisted_since = stage.live_template_listing_asked_at = None
    session.add(stage)
    history.bump_job(session, stage.job_id)  # open plan pages show the new link
    session.commit()
    return stage


@_refusals_roll_back
def rename_stage(*, session: Session, stage_id: int, name: str) -> Stage:
    """Rename a stage; its applications and history stay.

    Raises:
        UserError: No name, too long, or another stage of the plan has it.
    """
    stage = _held_stage(session, stage_id)
    stage.name = _unique_name(session, stage.job_id, name, stage_id)
    session.add(stage)
    history.bump_job(session, stage.job_id)
    session.commit()
    return stage


@_refusals_roll_back
def move_stage(*, session: Session, stage_id: int, position: int) -> list[Stage]:
    """Put a stage at ``position`` (0 is first) in its plan; returns the new order."""
    stage = _held_stage(session, stage_id)
    stages = [s for s in stages_of(session, stage.job_id) if s.id != stage.id]
    stages.insert(max(0, min(position, len(stages))), stage)
    _renumber(session, stages)
    history.bump_job(session, stage.job_id)
    session.commit()
    return stages


def applications_in(session: Session, stage_id: int) -> int:
    """How many applications are in a stage now."""
    return session.exec(
        sa.select(sa.func.count()).select_from(Application).where(Application.stage_id == stage_id)
    ).one()[0]


@_refusals_roll_back
def delete_stage(
    *,
    session: Session,
    stage_id: int,
    move_to_stage_id: int | None,
    actor: Actor,
    leaving: Callable[[Application, Stage], None] = lambda _application, _stage: None,
) -> list[Application]:
    """Delete a stage, moving its applications to ``move_to_stage_id`` first; returns those moved.
    ``leaving(application, stage)`` runs for each as it leaves, in this transaction.

    The plan is held (``_hold_plan``) and the stage's applications read locked after it: a
    colleague's move into or out of it is done before the delete reads who is in it, or waits
    and is refused after (the stage is gone), never half seen.

    Raises:
        UserError: The last stage of a plan, or applications with nowhere to go.
    """
    # The cards in it before the plan: a colleague's move of one out of it (the card, then its
    # new stage) is done, or waits, first; the other order could deadlock with it on PostgreSQL.
    # FOR NO KEY UPDATE, as a write of the card takes: a webhook's history line naming the card (a
    # key share) is not waited on, which could deadlock with this deletion's write of its attempts.
    session.exec(
        select(Application.id)
        .where(Application.stage_id == stage_id)
        .order_by(Application.id)
        .with_for_update(key_share=True)
    )
    stage = _held_stage(session, stage_id)
    stages = stages_of(session, stage.job_id)
    if len(stages) == 1:
        session.rollback()
        raise UserError("A plan needs at least one stage; add another before deleting this one.")
    moving = list(
        session.exec(
            select(Application)
            .where(Application.stage_id == stage_id)
            .order_by(Application.id)
            .with_for_update(key_share=True)
        )
    )
    if moving:
        target = next((s for s in stages if s.id == move_to_stage_id and s.id != stage_id), None)
        if target is None:
            session.rollback()
            raise UserError(
                f"{stage.name} holds {counted(len(moving), 'application')}: choose the stage they move to."
            )
        for application in moving:
            leaving(application, stage)
            application.stage_id, application.stage_entered_at = target.id, utcnow()
            session.add(application)
            history.record(
                session,
                application_id=application.id,
                summary=f"Moved from {stage.name} to {target.name} (stage deleted)",
                from_state=stage.name,
                to_state=target.name,
                actor=actor,
            )
    # Attempts sent for the stage stay, with their results, no longer tied to it but named for it.
    session.exec(
        sa.update(AssessmentAttempt)
        .where(AssessmentAttempt.stage_id == stage_id)
        .values(stage_id=None, stage_assessment_id=None, deleted_stage=stage.name)
    )
    # Interviews booked in it stay too (their rooms, their history), tied to no stage.
    session.exec(sa.update(Interview).where(Interview.stage_id == stage_id).values(stage_id=None))
    for test in tests_of(session, stage_id):
        session.delete(test)
    session.flush()
    session.delete(stage)
    session.flush()
    _renumber(session, [s for s in stages if s.id != stage_id])
    history.bump_job(session, stage.job_id)
    session.commit()
    return moving
