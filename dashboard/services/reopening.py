"""Undoing a rejection: a recruiter who rejected the wrong candidate takes the decision back.

Only the decision is undone. The candidate stays at the stage they were rejected in, and the
history keeps the rejection and its undoing, each with who and when. Nothing at the vendor is
revived: a withdrawn invitation's link is dead at every vendor, and whether to send the test
again is the recruiter's call (Re-attempt, once reopened); nor is an interview it called off
booked again (the interviewers were told, and the time may be taken). A test the rejection left open (one
under way, one the vendor would not withdraw) is simply live again: its reminders resume and the
queue shows it, since both leave out only rejected candidates. Two things are undone with it. A
result the rejection marked reviewed (a decision settles every result waiting) needs review again,
since the decision that settled it is gone. And the rejection email, if it has not gone yet (no mail
server, or the server down), is withheld, never to be sent, since the candidate would be told a
decision the team took back. And what came while they were rejected, told to no one then (a result
to review, a test expired or failed), is told now: the team's notices, and the candidate's "your
result arrived" email unless the rejection email reached them.
"""

from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from dashboard.services import assessments, history, interviews, notify, review
from dashboard.services.actors import Actor
from dashboard.services.errors import NotFound, UserError
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Interview,
    OutboxMessage,
    Stage,
    utcnow,
)
from models.lifecycle import OPEN_STATES


def _rejected(session: Session, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound("That application no longer exists.")
    if application.rejected_at is None:
        raise UserError("This candidate is not rejected: there is nothing to undo.")
    return application


def _reviewed_by_the_rejection(session: Session, application: Application) -> list[AssessmentAttempt]:
    """The results the rejection marked reviewed: reviewed at its moment. Rejections made before
    the two shared one timestamp marked them in the same second or the one before (``utcnow`` is
    to the second), hence the second's grace. A person marking a result reviewed in that same
    second, just as a colleague rejects, would have it back to needs review: harmless, and rare."""
    return list(
        session.exec(
            select(AssessmentAttempt)
            .where(
                AssessmentAttempt.application_id == application.id,
                AssessmentAttempt.state == AttemptState.REVIEWED,
                AssessmentAttempt.reviewed_at <= application.rejected_at,  # type: ignore[operator]
                AssessmentAttempt.reviewed_at >= application.rejected_at - datetime.timedelta(seconds=1),  # type: ignore[operator]
            )
            .order_by(AssessmentAttempt.id)
        )
    )


def _back_to_review(session: Session, attempt: AssessmentAttempt, actor: Actor) -> None:
    attempt.state, attempt.reviewed_at, attempt.updated_at = AttemptState.COMPLETED, None, utcnow()
    session.add(attempt)
    history.record(
        session,
        application_id=attempt.application_id,
        attempt=attempt,
        summary=f"{attempt.vendor_test_name}: needs review again (the rejection that reviewed it was undone)",
        from_state=AttemptState.REVIEWED.value,
        to_state=AttemptState.COMPLETED.value,
        actor=actor,
    )


WITHHELD = "rejection undone"  # why the outbox says an email was withheld


def _rejection_emails(session: Session, application_id: int) -> list[OutboxMessage]:
    """The candidate's rejection emails (feedback, where the job gives it), sent or waiting."""
    key = f"{notify.FEEDBACK}rejected:{application_id}:"
    return list(
        session.exec(
            select(OutboxMessage).where(
                OutboxMessage.application_id == application_id,
                OutboxMessage.dedupe_key.startswith(key),  # type: ignore[attr-defined]
            )
        )
    )


def _withhold(session: Session, email: OutboxMessage, actor: Actor) -> bool:
    """Never send this waiting rejection email, unless it has gone meanwhile. Its dedupe key is
    set aside, so that rejecting the candidate again (for good, this time) writes them a new one
    instead of finding this one.

    Written wherever it is unsent, a send under way included: should that send fail, or its
    process die, the email is not tried again (``notify._claim`` refuses a withheld one). Should
    the mail server take it all the same, the send marks it sent and says in the history that it
    went after all (``notify._mark_sent``): the undo came a moment too late. False if it had gone.
    """
    withheld = session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == email.id, OutboxMessage.sent_at.is_(None))  # type: ignore[union-attr]
        .values(withheld=WITHHELD, dedupe_key=f"withheld:{email.id}:{email.dedupe_key}"[:200])
    ).rowcount
    session.expire(email)
    history.record(
        session,
        application_id=email.application_id,
        summary=(
            f"Rejection email to {email.to_address} withheld: it had not gone when the rejection was undone"
            if withheld
            else f"Rejection email to {email.to_address} not withheld: it had already gone"
        ),
        actor=actor,
    )
    return bool(withheld)


def what_stays(session: Session, application_id: int) -> list[str]:
    """What undoing the rejection does beyond the decision, a sentence each, for the dialog to say
    before the click. What it leaves as it is: the tests withdrawn at the vendor since the rejection
    (by it, or by hand after it: "since", as it cannot tell), the interviews called off since (the
    interviewers were told, and the time may be gone), and the rejection email if it went. What it
    undoes too: the results the rejection marked reviewed need review again, and a rejection email
    not gone yet is withheld."""
    application = _rejected(session, application_id)
    withdrawn = session.exec(
        select(AssessmentAttempt.vendor_test_name)
        .join(ApplicationEvent, ApplicationEvent.attempt_id == AssessmentAttempt.id)
        .where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.to_state == AttemptState.CANCELLED.value,
            ApplicationEvent.at >= application.rejected_at,
            AssessmentAttempt.state == AttemptState.CANCELLED,
            # At the vendor: one withdrawn before it was sent (a move since) was never there (helper-156).
            AssessmentAttempt.vendor_attempt_id.is_not(None),  # type: ignore[union-attr]
        )
        .distinct()
    ).all()
    said = []
    if reviewed := _reviewed_by_the_rejection(session, application):
        said.append(
            "Needs review again (the rejection had marked it reviewed): "
            + ", ".join(a.vendor_test_name for a in reviewed)
            + "."
        )
    if withdrawn:
        said.append(
            f"Withdrawn at the vendor since they were rejected, and staying withdrawn: {', '.join(withdrawn)}. "
            "You can send again (Re-attempt) once the rejection is undone."
        )
    called_off = session.exec(
        select(Interview).where(
            Interview.application_id == application_id,
            Interview.cancelled_at >= application.rejected_at,  # type: ignore[operator]
        )
    ).all()
    if called_off:
        said.append(
            "Cancelled since they were rejected, and staying cancelled: "
            + "; ".join(f"the interview on {interviews.named(i)}" for i in called_off)
            + ". Book again if it should still happen."
        )
    emails = _rejection_emails(session, application_id)
    if any(e.sent_at for e in emails):
        said.append(
            "They were emailed the rejection (this job's candidate feedback); undoing it does not unsay it."
        )
    said += [
        f"The rejection email to {e.to_address} has not gone yet and will not be sent."
        for e in emails
        if e.sent_at is None
    ]
    return said


def back_in(session: Session, application_id: int) -> str:
    """The stage the candidate is active again in once the rejection is undone: the one they were
    rejected in (the review page's row names the stage of its result, which may be an earlier one)."""
    return session.get(Stage, _rejected(session, application_id).stage_id).name


def reopen(*, session: Session, application_id: int, expected_version: int, actor: Actor) -> Application:
    """Undo the rejection: the candidate is active again in the stage they were rejected in, the
    results it marked reviewed need review again, and a rejection email not sent yet is withheld.

    Raises:
        UserError: An automatic actor, not rejected, or decided on meanwhile.
    """
    if actor.user_id is None:
        raise UserError("Only a person can undo a rejection.")
    application = _rejected(session, application_id)
    reason, rejected_at = application.rejection_reason or "", application.rejected_at
    review.claim_decision(
        session, application, expected_version
    )  # the application first, as a move or a delete
    # Then its tests, held to the commit (in order): a result applied meanwhile, read as still
    # rejected, was told to no one, and found by ``_told_now`` before it landed (helper-123). Now
    # it lands before or after. A failed test too: a sweep may still complete it (helper-124).
    for attempt in session.exec(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application_id,
            AssessmentAttempt.state.in_([*OPEN_STATES, AttemptState.ERROR]),  # type: ignore[union-attr]
        )
        .order_by(AssessmentAttempt.id)
    ).all():
        assessments.hold_attempt(session, attempt)
    reviewed = _reviewed_by_the_rejection(session, application)
    application.rejected_at = application.rejection_reason = None
    session.add(application)
    stage = session.get(Stage, application.stage_id)
    history.record(
        session,
        application_id=application.id,
        summary=f"Rejection undone ({reason}); active again in {stage.name}",
        actor=actor,
    )
    for attempt in reviewed:
        _back_to_review(session, attempt, actor)
    told_of_the_rejection = False
    for email in _rejection_emails(session, application_id):
        # Decided by the withholding, not before it (an email the mail server took meanwhile went),
        # and an email being sent now may go yet (the send marks it sent all the same): read after
        # the withholding's write, which waits for a send's claim on PostgreSQL (helper-125).
        withheld = email.sent_at is None and _withhold(session, email, actor)
        being_sent = (
            email.sending_since is not None and email.sending_since >= utcnow() - notify.SENDING_LEASE
        )
        told_of_the_rejection |= being_sent or not withheld
    history.bump_job(session, application.job_id)
    session.commit()
    _told_now(session, application, rejected_at, told_of_the_rejection, reviewed)
    return application


def _told_now(
    session: Session,
    application: Application,
    rejected_at: datetime.datetime,
    told_of_the_rejection: bool,
    reviewed: list[AssessmentAttempt],
) -> None:
    """What came while the candidate was rejected, and was told to no one, told now it is undone
    (helper-119): a result to review, a test expired or failed (the team's notices), and the
    candidate's "your result arrived" email, unless they read the rejection (an email saying the
    team reviews their result, after one saying it would not go on, would only confuse). Notices
    given before the rejection are not given again (one per attempt and kind), nor emails (one per
    attempt), and the results the rejection marked reviewed had theirs before it."""
    meanwhile = session.exec(
        select(AssessmentAttempt)
        .where(
            AssessmentAttempt.application_id == application.id,
            AssessmentAttempt.state.in_(list(notify.NOTICES)),  # type: ignore[union-attr]
            AssessmentAttempt.updated_at >= rejected_at,
        )
        .order_by(AssessmentAttempt.id)
    ).all()
    for attempt in meanwhile:
        notify.attempt_changed(session, attempt)
    session.commit()
    if told_of_the_rejection:
        return
    settled = {attempt.id for attempt in reviewed}
    for attempt in meanwhile:
        if attempt.state == AttemptState.COMPLETED and attempt.id not in settled:
            review.send_feedback(session, application.id, "result", attempt_id=attempt.id)
