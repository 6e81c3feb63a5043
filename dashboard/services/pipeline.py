"""Applications moving through a job's interview plan.

Entering an assessment stage opens a ready-to-send attempt for each test the
stage sends, and sends them at once when the stage says so, through the same
send as the button, so automation and clicks cannot disagree. A test the candidate
still has open from an earlier stage is carried over to the new one, not sent twice.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments, history, plans
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from dashboard.services.integrations import get_integration
from dashboard.services.people import candidate_name_and_email, tidy_name
from dashboard.services.wording import counted, is_are
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Job,
    Stage,
    StageAssessment,
    StageKind,
    WorkspaceRevision,
    utcnow,
)
from models.lifecycle import FINISHED_STATES

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class MoveOutcome:
    """What moving an application did."""

    message: str
    attempt_ids: tuple[int, ...] = ()
    sent: int = 0
    moved: bool = True  # False: it was in that stage already
    not_sent: tuple[str, ...] = ()  # why each test the stage sends on entry failed or was refused
    carried: int = 0  # of ``attempt_ids``, those carried over already sent: none to send again
    kept: int = 0  # of ``attempt_ids``, results finished in this stage before: kept, none sent
    rejected: bool = False  # the candidate is rejected: the stage's tests wait, not sent on entry

    @property
    def attempt_id(self) -> int | None:
        """The first attempt opened (most stages send one test)."""
        return self.attempt_ids[0] if self.attempt_ids else None


def add_application(*, session: Session, job_id: int, name: str, email: str, actor: Actor) -> Application:
    """A candidate applies: the application starts in the plan's first stage.

    The candidate is matched by email, so one person applying to two jobs is one
    candidate, and the name already known for that email is kept (the caller shows
    whose it is). The email is required: every test is sent to it, and a candidate
    added without one could never be sent a test.

    Raises:
        UserError: No name, no email or one that is not an address, the person already
            in this job, or a job without a plan.
    """
    name, address = candidate_name_and_email(name, email)
    # First, before looking for the person's card: the job's row stays locked (the database, on
    # SQLite) until this commits, so two recruiters adding the same person at once (two workers)
    # add one after the other, and the second finds the first's card rather than making another.
    history.bump_job(session, job_id)
    try:
        first = session.exec(
            select(Stage).where(Stage.job_id == job_id).order_by(Stage.position).with_for_update(read=True)
        ).first()  # held (PostgreSQL) to the commit, as a move holds the stage it enters (``_entered``)
        if first is None:
            raise UserError("That job has no interview plan yet.")
        tests = plans.tests_of(session, first.id) if first.kind == StageKind.ASSESSMENT else []
        _refuse_disconnected(session, first, tests, "adding candidates")
        candidate = _candidate_with(session, name, address)
        _refuse_second_application(session, candidate, job_id)
    except UserError:
        session.rollback()  # lets go of the job
        raise
    application = Application(candidate_id=candidate.id, job_id=job_id, stage_id=first.id)
    session.add(application)
    session.flush()
    # A plan's first stage is usually called Applied: "Applied; entered Applied" said it twice.
    entered = "" if first.name.strip().casefold() == "applied" else f"; entered {first.name}"
    history.record(session, application_id=application.id, summary=f"Applied{entered}", actor=actor)
    # Being added is entering the first stage: a test it sends is opened (and sent, when the stage
    # sends on entry), as a move into it would; ``added_message`` says how that went. Opened in the
    # card's own commit: opened after it, a colleague's move landing between left the card in
    # another stage with the first stage's test sent, and a plan edit between failed the add
    # half made, its card kept without the test (helper-156).
    if tests:
        _enter(session, application, first, tests, actor, moved="")
    else:
        session.commit()
    return application


def added_message(session: Session, application: Application, *, typed_name: str) -> str:
    """What to tell the recruiter who added ``application``: whose card it is, when the
    email already belonged to someone known by another name than the one typed; and what became
    of the tests of a first stage that sends some."""
    candidate = session.get(Candidate, application.candidate_id)
    typed = tidy_name(typed_name)
    if candidate.name.casefold() == typed.casefold():
        said = f"{candidate.name} added."
    else:
        said = (
            f"{candidate.name} added: {candidate.email} is already {candidate.name}'s address, "
            f"so the name typed ({typed}) was not used."
        )
    return said + "".join(line for line, _not_sent in _first_tests(session, application))


def tests_not_sent(session: Session, application: Application) -> int:
    """How many tests the first stage sends on entry were not sent to ``application`` as it was
    added: failed, or refused (``_first_tests``)."""
    return sum(not_sent for _said, not_sent in _first_tests(session, application))


def _first_tests(session: Session, application: Application) -> list[tuple[str, bool]]:
    """How each test opened on entering the first stage stands (a sentence, space first), and
    whether it is one the stage was to send and did not."""
    opened = session.exec(
        select(AssessmentAttempt)
        .where(AssessmentAttempt.application_id == application.id)
        .order_by(AssessmentAttempt.id)
    )
    stage = session.get(Stage, application.stage_id)
    said = []
    for a in opened:
        if a.state == AttemptState.ERROR:
            said.append((f" {a.vendor_test_name} not sent: {a.error_reason}", True))
        elif a.state == AttemptState.READY_TO_SEND and stage.send_automatically:
            # The send was refused (the vendor would hand back another job's invitation): why, and
            # what to do, as a move's refusal says it.
            held = assessments.held_by_an_earlier_invitation(session, a)
            said.append(
                (f" {a.vendor_test_name} not sent on entry: {held or 'it waits in Needs sending.'}", True)
            )
        elif a.state == AttemptState.READY_TO_SEND:
            said.append((f" {a.vendor_test_name} needs sending.", False))
        else:
            said.append((f" {a.vendor_test_name} {assessments.STATE_LABELS[a.state].lower()}.", False))
    return said


def _candidate_with(session: Session, name: str, address: str) -> Candidate:
    """The candidate whose email ``address`` is, made when it is new.

    Two recruiters adding the same new person at once (two workers) both find the address free;
    the email is unique, so the database lets one save them, and the other takes theirs.
    """
    found = select(Candidate).where(Candidate.email == address)
    candidate = session.exec(found).first()
    if candidate is not None:
        return candidate
    try:
        with session.begin_nested():
            candidate = Candidate(name=name, email=address)
            session.add(candidate)
    except sa.exc.IntegrityError:
        return session.exec(found).one()
    return candidate


def _refuse_second_application(session: Session, candidate: Candidate, job_id: int) -> None:
    """One person is one card per job: a second would split their tests and history in two."""
    existing = session.exec(
        select(Application, Stage.name)
        .join(Stage, Stage.id == Application.stage_id)
        .where(Application.candidate_id == candidate.id, Application.job_id == job_id)
    ).first()
    if existing is not None:
        application, stage = existing
        where = f"rejected in {stage}" if application.rejected_at else f"in {stage}"
        raise UserError(f"{candidate.name} ({candidate.email}) is already in this job, {where}.")


def _refuse_disconnected(session: Session, stage: Stage, tests: list[StageAssessment], before: str) -> None:
    """Refuse entering ``stage`` while a test it sends goes through a disconnected connection:
    connecting the vendor again makes a new connection, so the plan must change (not "reconnect")."""
    for test in tests:
        try:
            get_integration(session, test.integration_id)
        except NotFound as err:
            raise UserError(
                f"{stage.name} sends {test.vendor_test_name} through a vendor connection that was "
                f"disconnected; repair or change the stage's tests in the interview plan before {before}."
            ) from err


def move_application(
    *, session: Session, application_id: int, stage_id: int, actor: Actor, seen_in: int | None = None
) -> MoveOutcome:
    """Move an application to another stage of its job's plan.

    ``seen_in``: the stage the card was in on the recruiter's board (ticked, or its drag begun).
    A colleague's move since then is not undone: the card stays where they put it.

    Commits; a refusal, or a card already in the stage, rolls the session back (callers commit
    their own work first).

    Raises:
        UserError: The stage is not in this job's plan, the card moved meanwhile from ``seen_in``,
            or a connection the stage sends through is gone (connecting the vendor again makes a
            new connection: the plan must change, so the refusal says so rather than "reconnect it").
    """
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    _hold_card(session, application)
    try:
        # Read shared-locked (PostgreSQL): a deletion of the stage under way is waited for, then
        # refused here, not raced into a card left in a deleted stage (``plans.delete_stage``).
        stage = _entered(session, stage_id)
        if stage is None or stage.job_id != application.job_id:
            raise UserError("That stage is not part of this job's interview plan.")
        if stage.id == application.stage_id:
            session.rollback()  # lets go of the card
            return MoveOutcome(f"Already in {stage.name}.", moved=False)
        if seen_in is not None and application.stage_id != seen_in:
            _refuse_moved_meanwhile(session, application, stage)
        tests = plans.tests_of(session, stage.id) if stage.kind == StageKind.ASSESSMENT else []
        _refuse_disconnected(session, stage, tests, "moving candidates in")
    except UserError:
        session.rollback()
        raise
    before = session.get(Stage, application.stage_id)
    withdrawn = assessments.withdraw_unsent(session, application_id=application.id, stage=before, actor=actor)
    application.stage_id = stage.id
    application.stage_entered_at = application.updated_at = utcnow()
    session.add(application)
    history.record(
        session,
        application_id=application.id,
        summary=f"Moved from {before.name} to {stage.name}",
        from_state=before.name,
        to_state=stage.name,
        actor=actor,
    )
    left = f" Withdrew {counted(withdrawn, 'unsent assessment')} of {before.name}." if withdrawn else ""
    return _enter(session, application, stage, tests, actor, f"Moved to {stage.name}", left)


def _hold_card(session: Session, application: Application) -> None:
    """The card's own row written first (a write that changes nothing), then read again: a
    colleague's move of it at the same moment is then done (or not begun), and where the card is
    is read after it, not before. The card before its stage and its job, as a rejection and a
    vendor's update take them: the other order could deadlock with those on PostgreSQL."""
    session.exec(
        sa.update(Application)
        .where(Application.id == application.id)
        .values(updated_at=Application.updated_at)
        .execution_options(synchronize_session=False)
    )
    session.refresh(application)


def _entered(session: Session, stage_id: int) -> Stage | None:
    """The stage a card enters, read shared-locked (PostgreSQL): a plan edit or deletion under way
    is waited for (``plans._hold_plan``); None once it is gone."""
    return session.exec(
        select(Stage)
        .where(Stage.id == stage_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    ).first()


def _refuse_moved_meanwhile(session: Session, application: Application, stage: Stage) -> None:
    """A colleague moved the card since it was seen: say where it is, and move nothing."""
    raise UserError(f"{_moved_to(session, application)} meanwhile; not moved to {stage.name}.")


def _moved_to(session: Session, application: Application) -> str:
    """Whose card it is and the stage it is in now: "Ada Lovelace was moved to Onsite"."""
    name = session.get(Candidate, application.candidate_id).name
    return f"{name} was moved to {session.get(Stage, application.stage_id).name}"


def moved_meanwhile(session: Session, *, job_id: int, application_id: int, seen_in: int) -> str:
    """What to tell a recruiter whose card's "Move to" menu, on ``job_id``'s board, closed as the
    board drew the card anew: a colleague moved it out of ``seen_in``, the column the menu was
    opened in; "" if it is still there (or gone, or not this job's), the menu having closed for
    another reason."""
    application = session.get(Application, application_id)
    if application is None or application.job_id != job_id or application.stage_id == seen_in:
        return ""
    now_in = session.get(Stage, application.stage_id).name
    return (
        f"{_moved_to(session, application)} meanwhile, so their menu closed before you chose. "
        f"Move them from their card in {now_in} if need be."
    )


def _enter(
    session: Session,
    application: Application,
    stage: Stage,
    tests: list[StageAssessment],
    actor: Actor,
    moved: str,
    left: str = "",
) -> MoveOutcome:
    """The application is in ``stage`` now: open its tests, and send them when the stage sends
    on entry (commits; ``moved`` and ``left`` begin and end the message)."""
    opened = [
        assessments.open_attempt(session, application=application, stage=stage, stage_test=test, actor=actor)
        for test in tests
    ]
    history.bump_job(session, application.job_id)
    session.commit()
    if not opened:
        return MoveOutcome(f"{moved}.{left}")
    ids = tuple(a.id for a, _origin in opened)
    # Only what has not reached the candidate is sent (or asked to be): one still open from an
    # earlier stage is the invitation they hold.
    unsent = tuple(a.id for a, _origin in opened if a.state == AttemptState.READY_TO_SEND)
    finished = [a for a, origin in opened if not origin and a.state in FINISHED_STATES]
    carried = "".join(_carried(a, origin) for a, origin in opened if origin) + "".join(
        f" {a.vendor_test_name} was finished in this stage already: its result stands, not sent again."
        for a in finished
    )
    kept = len(finished)
    held = len(ids) - len(unsent) - kept
    if not unsent:
        return MoveOutcome(f"{moved}.{carried}{left}", ids, carried=held, kept=kept)
    if application.rejected_at is not None:
        # Not a failure to act on: the test waits (out of the queue, as the rejected are) and is
        # there to send should the rejection be undone.
        name = session.get(Candidate, application.candidate_id).name
        the_tests = "test is" if len(unsent) == 1 else "tests are"
        return MoveOutcome(
            f"{moved}: {name} is rejected, so the stage's {the_tests} not sent.{carried}{left}",
            ids,
            carried=held,
            kept=kept,
            rejected=True,
        )
    if not stage.send_automatically:
        return MoveOutcome(f"{moved}: assessment needs sending.{carried}{left}", ids, carried=held, kept=kept)
    outcomes = [_send_on_entry(session, attempt_id, actor) for attempt_id in unsent]
    sent = sum(o.sent for o in outcomes)
    failed = [o.message for o in outcomes if not o.sent]
    message = f"{moved}. Sent {sent} of {counted(len(outcomes), 'assessment')}.{carried}{left}"
    not_sent = tuple(o.message for o in outcomes if o.failed)
    return MoveOutcome(" ".join([message, *failed]), ids, sent, not_sent=not_sent, carried=held, kept=kept)


def _carried(attempt: AssessmentAttempt, origin: str) -> str:
    """The move's words for a test carried over from an earlier stage (a sentence, space first)."""
    if attempt.state == AttemptState.READY_TO_SEND:
        return f" {attempt.vendor_test_name} carried over from {origin}."
    label = assessments.STATE_LABELS[attempt.state].lower()
    return f" {attempt.vendor_test_name} carried over from {origin} ({label}), not sent again."


def delete_stage(
    *, session: Session, stage_id: int, move_to_stage_id: int | None, actor: Actor
) -> MoveOutcome:
    """Delete a stage; its applications leave it and enter the chosen stage as a move would: its
    tests not yet sent are withdrawn, the chosen stage's opened (and sent, if it sends on entry),
    and a stage whose test goes through a disconnected connection is refused.

    ``plans.delete_stage`` only moves them: into a stage that sends its tests on entry,
    they arrived with no test opened, none sent and nothing in the queue.

    Raises:
        UserError: As ``plans.delete_stage``, or the chosen stage sends through a disconnected connection.
    """
    target = session.get(Stage, move_to_stage_id) if move_to_stage_id is not None else None
    tests = plans.tests_of(session, target.id) if target and target.kind == StageKind.ASSESSMENT else []
    if tests and plans.applications_in(session, stage_id):
        _refuse_disconnected(session, target, tests, "moving candidates in")
    withdrawn = 0

    def leaving(application: Application, stage: Stage) -> None:
        nonlocal withdrawn
        withdrawn += assessments.withdraw_unsent(
            session, application_id=application.id, stage=stage, actor=actor
        )

    stage_name = plans.get_stage(session, stage_id).name
    moved = plans.delete_stage(
        session=session, stage_id=stage_id, move_to_stage_id=move_to_stage_id, actor=actor, leaving=leaving
    )
    if not moved:
        return MoveOutcome("Stage deleted.")
    left = f" Withdrew {counted(withdrawn, 'unsent assessment')} of {stage_name}." if withdrawn else ""
    outcomes = []
    for application in moved:
        # The card, then the chosen stage and its tests, as they are now, held as a move holds
        # them: a card a colleague moved on since is left where they put it, and a test removed
        # meanwhile is waited for, not met as a test gone under the card.
        _hold_card(session, application)
        target = _entered(session, move_to_stage_id)
        if target is None or application.stage_id != target.id:
            session.rollback()  # lets go of the card
            if target is None:
                break
            continue  # a colleague moved it on since: not counted as moved there
        tests = plans.tests_of(session, target.id) if target.kind == StageKind.ASSESSMENT else []
        outcomes.append(_enter(session, application, target, tests, actor, ""))
    count = len(outcomes)
    if target is None:  # a colleague deleted it too, a moment after the cards arrived
        return MoveOutcome(
            f"Stage deleted. {counted(count, 'application')} moved; that stage was deleted since."
        )
    carried, kept = sum(o.carried for o in outcomes), sum(o.kept for o in outcomes)
    # A carried invitation is not sent again, nor a result kept, nor is a test sent to a rejected candidate.
    opened = sum(len(o.attempt_ids) - o.carried - o.kept for o in outcomes if not o.rejected)
    rejected = sum(o.rejected for o in outcomes)
    sent = sum(o.sent for o in outcomes)
    not_sent = tuple(reason for o in outcomes for reason in o.not_sent)
    message = f"Stage deleted. {counted(count, 'application')} moved to {target.name}.{left}"
    if carried:
        message += f" {counted(carried, 'assessment')} already sent carried over, not sent again."
    if kept:
        message += f" {counted(kept, 'result')} finished in {target.name} before kept, not sent again."
    if opened and target.send_automatically:
        message += f" Sent {sent} of {counted(opened, 'assessment')}. " + " ".join(not_sent[:3])
    elif opened:
        message += f" {counted(opened, 'assessment')} {'needs' if opened == 1 else 'need'} sending."
    if rejected:
        message = (
            f"{message.strip()} {counted(rejected, 'rejected candidate')} {is_are(rejected)} sent nothing."
        )
    return MoveOutcome(
        message.strip(), tuple(a for o in outcomes for a in o.attempt_ids), sent, not_sent=not_sent
    )


def _send_on_entry(session: Session, attempt_id: int, actor: Actor) -> assessments.SendOutcome:
    """Send one of the tests a stage sends automatically; a refusal is told, not raised.

    The move is committed by then: raised, a refusal (the vendor would hand back another
    job's invitation) read as a move that failed, and left the stage's other tests unsent.
    """
    try:
        return assessments.send_assessment(session=session, attempt_id=attempt_id, actor=actor)
    except UserError as err:
        session.rollback()
        return assessments.SendOutcome(False, f"Not sent: {err}", failed=True)


@dataclasses.dataclass(frozen=True)
class BulkResult:
    """One application's result in a bulk action, for the per-row report."""

    application_id: int
    ok: bool
    message: str
    moved: bool = False  # ok and not moved: it was in that stage already
    not_sent: tuple[str, ...] = ()  # why each test the stage sends on entry failed or was refused
    rejected: bool = False  # moved, but rejected (a colleague, since it was ticked): nothing sent
    candidate: str = ""  # whose card: a reason in the bulk report names them ("" if it is gone)

    def named(self, reason: str) -> str:
        """``reason`` led by the candidate's name, unless it begins with it: the report of a move
        of many says whose each is."""
        return reason if reason.startswith(self.candidate) else f"{self.candidate}: {reason}"


def move_applications(
    *,
    session: Session,
    application_ids: list[int],
    stage_id: int,
    actor: Actor,
    seen_in: dict[int, int] | None = None,
) -> list[BulkResult]:
    """Move several applications; each succeeds or fails on its own. ``seen_in``: each card's
    stage as the recruiter's board showed it (``move_application``'s)."""
    names = _candidate_names(session, application_ids)
    results = []
    for application_id in application_ids:
        try:
            outcome = move_application(
                session=session,
                application_id=application_id,
                stage_id=stage_id,
                actor=actor,
                seen_in=(seen_in or {}).get(application_id),
            )
            results.append(
                BulkResult(
                    application_id,
                    True,
                    outcome.message,
                    outcome.moved,
                    outcome.not_sent,
                    outcome.rejected,
                    candidate=names.get(application_id, ""),
                )
            )
        except UserError as err:  # rolled back by move_application
            results.append(
                BulkResult(application_id, False, str(err), candidate=names.get(application_id, ""))
            )
    return results


def _candidate_names(session: Session, application_ids: list[int]) -> dict[int, str]:
    """Each application's candidate's name, read once for a bulk action's report."""
    rows = session.exec(
        select(Application.id, Candidate.name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.id.in_(application_ids))  # type: ignore[union-attr]
    ).all()
    return dict(rows)


_SUM_OF_REVISIONS = sa.select(sa.func.coalesce(sa.func.sum(Job.revision), 0))
_OUTSIDE_JOBS = sa.select(sa.func.coalesce(sa.func.max(WorkspaceRevision.revision), 0))


def job_revisions(session: Session, job_ids: list[int]) -> int:
    """A number that changes whenever any of these jobs changes."""
    query = _SUM_OF_REVISIONS.where(Job.id.in_(job_ids))  # type: ignore[union-attr]
    return session.exec(query).one()[0]


def workspace_revision(session: Session) -> int:
    """A number that changes whenever anything the team sees changes, in one query.

    Every job's revision, plus the one that results kept for matching, the outbox and
    notifications move (``models.revisions``): what pages showing every job watch.
    """
    every_job = _SUM_OF_REVISIONS.scalar_subquery()
    return session.exec(sa.select(every_job + _OUTSIDE_JOBS.scalar_subquery())).one()[0]


def outside_jobs_revision(session: Session) -> int:
    """A number that changes with what belongs to no job: notifications and who read them,
    the outbox, results kept for matching. What the navigation's unread count watches."""
    return session.exec(_OUTSIDE_JOBS).one()[0]


def revisions_of(session: Session, job_ids: Iterable[int]) -> dict[int, int]:
    """Each job's revision, by id (a job that no longer exists is left out)."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    rows = session.exec(sa.select(Job.id, Job.revision).where(Job.id.in_(ids)))  # type: ignore[union-attr]
    return {job_id: revision for job_id, revision in rows}


def job_of(session: Session, application_id: int) -> int | None:
    """The job an application is in (None: no such application); only that column is read."""
    return session.scalar(sa.select(Application.job_id).where(Application.id == application_id))


def ownership(session: Session, application_id: int, attempt_id: int | None) -> tuple[int | None, bool]:
    """The application's job (None: no such application), and whether ``attempt_id`` (if any)
    is one of that application's assessments: what a page checks before acting on them."""
    if attempt_id is None:
        return job_of(session, application_id), True
    owner = session.scalar(
        sa.select(AssessmentAttempt.application_id).where(AssessmentAttempt.id == attempt_id)
    )
    return job_of(session, application_id), owner == application_id


def application_job_revision(session: Session, application_id: int) -> int:
    """The revision of the job an application is in (-1: no such application).

    Only the job id is read (an application never changes job), so a page that reads
    this before the application itself holds no copy of the row from before it.
    """
    job_id = job_of(session, application_id)
    return job_revisions(session, [job_id]) if job_id is not None else -1
