"""Undoing a rejection: a candidate rejected by mistake is active again where they were."""

import datetime
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from dashboard.services import (
    accounts,
    assessments,
    attempt_actions,
    notify,
    pipeline,
    plans,
    queue_view,
    reopening,
    review,
    sync,
    views,
)
from dashboard.services.actors import SYSTEM, Actor, user
from dashboard.services.errors import UserError
from dashboard.settings import get_settings
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Gating,
    OutboxMessage,
    Role,
    new_session,
    utcnow,
)
from tests.conftest import (
    enter_stage,
    rejected_by_a_recruiter,
    send_test,
    sent_with_a_reminder,
    two_test_stage,
    vendor_test_stages,
)
from tests.http_server import free_port


def _rita(session) -> Actor:
    recruiter, _ = accounts.create_user(
        session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
    )
    return user(recruiter.id, recruiter.name)


def _reject(session, application_id: int, actor: Actor) -> None:
    version = session.get(Application, application_id).decision_version
    review.reject(
        session=session,
        application_id=application_id,
        reason="Other",
        note="",
        expected_version=version,
        actor=actor,
    )


def _reopen(session, application_id: int, actor: Actor) -> Application:
    version = session.get(Application, application_id).decision_version
    return reopening.reopen(
        session=session, application_id=application_id, expected_version=version, actor=actor
    )


def test_undoing_a_rejection_keeps_the_stage_records_who_and_lets_the_recruiter_send_again(
    session, pipeline_with_assessment, sandbox
):
    """Found by a walk: a recruiter who rejected the wrong candidate had no way back."""
    p, rita = pipeline_with_assessment, _rita(session)
    attempt = send_test(session, p.assessment, p.application)
    _reject(session, p.application.id, rita)

    said = reopening.what_stays(session, p.application.id)
    reopened = _reopen(session, p.application.id, rita)

    assert said[0].startswith(
        f"Withdrawn at the vendor since they were rejected, and staying withdrawn: {attempt.vendor_test_name}."
    )
    assert reopened.rejected_at is None and reopened.stage_id == p.assessment.id
    latest = session.exec(select(ApplicationEvent).order_by(ApplicationEvent.id.desc())).first()
    assert latest.summary == "Rejection undone (Other); active again in CoderPad assessment"
    assert latest.actor_label == "Rita"
    session.refresh(attempt)
    assert attempt.state == AttemptState.CANCELLED  # the withdrawn link stays dead
    outcome = attempt_actions.reattempt(session=session, attempt_id=attempt.id, actor=rita)
    assert outcome.sent
    assert [r.candidate_name for r in queue_view.rows(session, "awaiting")] == ["Ada Lovelace"]


def test_a_test_left_open_by_the_rejection_is_reminded_again_once_it_is_undone(session, sandbox):
    attempt = sent_with_a_reminder(session)
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 400}])  # it refuses the withdrawal
    rita = _rita(session)
    _reject(session, attempt.application_id, rita)
    # The reminder is due (set after the rejection, which asked the vendor why it refused and
    # took its deadline).
    session.refresh(attempt)
    attempt.expires_at = utcnow() + datetime.timedelta(hours=10)
    session.add(attempt)
    session.commit()
    assert attempt_actions.send_due_reminders(session=session, actor=SYSTEM) == 0

    _reopen(session, attempt.application_id, rita)

    assert attempt_actions.send_due_reminders(session=session, actor=SYSTEM) == 1


def test_only_a_rejected_candidate_is_reopened_and_only_by_a_person(session, pipeline_with_assessment):
    p, rita = pipeline_with_assessment, _rita(session)
    with pytest.raises(UserError, match="not rejected"):
        _reopen(session, p.application.id, rita)
    _reject(session, p.application.id, rita)
    with pytest.raises(UserError, match="Only a person"):
        _reopen(session, p.application.id, SYSTEM)
    with pytest.raises(UserError, match="Someone decided on this application"):
        reopening.reopen(session=session, application_id=p.application.id, expected_version=0, actor=rita)


def _rejected_after_the_test(session, p, sandbox, rita: Actor) -> None:
    """Ada took the test, and the job tells candidates: rejecting her writes her an email."""
    review.set_feedback(session=session, job_id=p.job.id, enabled=True, template="Hi {name}: {next_step}")
    attempt = send_test(session, p.assessment, p.application)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    _reject(session, p.application.id, rita)


def test_a_result_the_rejection_marked_reviewed_needs_review_again_once_it_is_undone(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: a rejection settles every result waiting (marks it reviewed), and undoing
    it left them reviewed, so the hiring manager's queue no longer showed a result nobody had
    decided on."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)
    [attempt] = session.exec(select(AssessmentAttempt)).all()
    assert attempt.state == AttemptState.REVIEWED

    said = reopening.what_stays(session, p.application.id)
    _reopen(session, p.application.id, rita)

    assert f"Needs review again (the rejection had marked it reviewed): {attempt.vendor_test_name}." in said
    session.refresh(attempt)
    assert (attempt.state, attempt.reviewed_at) == (AttemptState.COMPLETED, None)
    assert [r.candidate_name for r in queue_view.rows(session, "needs_review")] == ["Ada Lovelace"]
    events = session.exec(select(ApplicationEvent).where(ApplicationEvent.attempt_id == attempt.id)).all()
    assert events[-1].summary == (
        f"{attempt.vendor_test_name}: needs review again (the rejection that reviewed it was undone)"
    )
    assert (events[-1].from_state, events[-1].to_state, events[-1].actor_label) == (
        "reviewed",
        "completed",
        "Rita",
    )


def test_a_result_reviewed_before_the_rejection_stays_reviewed_once_it_is_undone(
    session, pipeline_with_assessment, sandbox
):
    p, rita = pipeline_with_assessment, _rita(session)
    attempt = send_test(session, p.assessment, p.application)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    assessments.mark_reviewed(session=session, attempt_id=attempt.id, actor=rita)
    session.commit()
    session.refresh(attempt)
    attempt.reviewed_at -= datetime.timedelta(hours=1)  # the hiring manager looked at it an hour ago
    session.add(attempt)
    session.commit()
    _reject(session, p.application.id, rita)

    said = reopening.what_stays(session, p.application.id)
    _reopen(session, p.application.id, rita)

    assert not [line for line in said if "needs review" in line]
    session.refresh(attempt)
    assert attempt.state == AttemptState.REVIEWED
    assert queue_view.rows(session, "needs_review") == []


def _handed_over(session, while_sending=None) -> list[str]:
    """What the outbox hands a real SMTP server on loopback (aiosmtpd), sending once; each email as
    the server takes it is passed to ``while_sending`` first, as something else happens meanwhile
    (a reply it returns, "451 …", is the server's instead of taking it)."""
    handed: list[str] = []

    class Server:
        async def handle_DATA(self, server, smtp_session, envelope):
            refusal = while_sending(len(handed)) if while_sending is not None else None
            if refusal:
                return refusal
            handed.append(envelope.content.decode())
            return "250 OK"

    port = free_port()
    server = Controller(Server(), hostname="127.0.0.1", port=port)
    settings = get_settings()
    previous, settings.smtp_url = settings.smtp_url, f"smtp://127.0.0.1:{port}"
    server.start()
    try:
        notify.deliver_outbox(session)
    finally:
        server.stop()
        settings.smtp_url = previous
    return handed


def _rejection_emails(session) -> list[OutboxMessage]:
    """Her rejection emails, withheld or not (completing the test wrote her one about the result)."""
    rejections = OutboxMessage.dedupe_key.contains("feedback:rejected:")  # type: ignore[attr-defined]
    return list(session.exec(select(OutboxMessage).where(rejections).order_by(OutboxMessage.id)))


def test_undoing_a_rejection_withholds_its_email_not_yet_sent(session, pipeline_with_assessment, sandbox):
    """Found by a review: with no mail server set, the rejection email waited in the outbox and went
    out once one was set, though the rejection had been undone; the candidate was told a decision
    the team had taken back."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)

    said = reopening.what_stays(session, p.application.id)
    _reopen(session, p.application.id, rita)

    assert "The rejection email to ada@example.com has not gone yet and will not be sent." in said
    [email] = _rejection_emails(session)
    assert email.sent_at is None and email.withheld == "rejection undone"
    others = session.exec(
        select(OutboxMessage).where(OutboxMessage.sent_at.is_(None), OutboxMessage.withheld.is_(None))
    ).all()
    handed = _handed_over(session)
    session.refresh(email)
    # Every other email went; this one was never handed to the mail server at all.
    assert len(handed) == len(others) and (email.sent_at, email.error) == (None, None)
    assert views.outbox(session)[0].status == "Withheld: rejection undone"
    history = session.exec(select(ApplicationEvent.summary).order_by(ApplicationEvent.id.desc())).first()
    assert (
        history
        == "Rejection email to ada@example.com withheld: it had not gone when the rejection was undone"
    )

    _reject(session, p.application.id, rita)  # rejected again, for good: she is told this time
    assert [e.withheld for e in _rejection_emails(session)] == ["rejection undone", None]


def test_a_rejection_undone_while_the_outbox_goes_out_withholds_its_email_still_to_go(
    session, pipeline_with_assessment, sandbox
):
    """Seen in a review: the mail server was handed the emails read at the batch's start, so a
    rejection undone while earlier emails went out (its email marked withheld, the question
    having said it would not go) still had its email sent."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)
    waiting = session.exec(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    assert len(waiting) >= 2 and waiting[-1].dedupe_key.startswith("feedback:rejected:")

    def undone_at_the_first(already_handed: int) -> None:
        if already_handed == 0:  # the recruiter undoes the rejection as the first email goes
            with new_session() as other:
                _reopen(other, p.application.id, rita)

    handed = _handed_over(session, undone_at_the_first)

    [rejection] = _rejection_emails(session)
    session.refresh(rejection)
    assert len(handed) == len(waiting) - 1
    assert (rejection.sent_at, rejection.withheld) == (None, "rejection undone")


def _handed_over_as_undone(
    session, p, rita, *, refused: bool, reply: str = "451 4.3.0 Try again later"
) -> tuple[list[str], OutboxMessage]:
    """The outbox goes out, and the rejection is undone while the mail server takes the rejection
    email itself (the last to go), which it then accepts, or ``refused``, turns away (``reply``)."""
    waiting = session.exec(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()
    rejection_turn = len(waiting) - 1

    def undone_during_its_own_exchange(already_handed: int) -> None:
        if already_handed == rejection_turn:
            with new_session() as other:
                _reopen(other, p.application.id, rita)
            if refused:
                return reply
        return None

    handed = _handed_over(session, undone_during_its_own_exchange)
    [rejection] = _rejection_emails(session)
    session.refresh(rejection)
    return handed, rejection


def test_a_rejection_undone_while_the_mail_server_takes_its_email_says_it_went_all_the_same(
    session, pipeline_with_assessment, sandbox
):
    """The SQLite half of a review's finding: an undo landing while the mail server took the
    rejection email itself marked it withheld (the outbox said it never went) though it had gone;
    PostgreSQL's row lock had closed that only there."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)

    handed, rejection = _handed_over_as_undone(session, p, rita, refused=False)

    assert handed[-1].count("we will not continue with your application")
    assert rejection.sent_at is not None and rejection.withheld is None
    assert views.outbox(session)[0].status.startswith("Sent")
    history = session.exec(select(ApplicationEvent.summary).order_by(ApplicationEvent.id.desc())).first()
    assert history == (
        "Rejection email to ada@example.com went all the same: "
        "the mail server was taking it as the rejection was undone"
    )
    session.refresh(p.application)
    assert p.application.rejected_at is None  # the undo itself went through


def test_rejected_again_after_a_rejection_email_went_all_the_same_she_is_not_written_twice(
    session, pipeline_with_assessment, sandbox
):
    """helper-149: the email that went kept the key the undo had set aside, so rejecting her again
    wrote her a second rejection email, and the undo after it did not know she had been told."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)
    _handed_over_as_undone(session, p, rita, refused=False)
    session.expire_all()  # undone in another session

    _reject(session, p.application.id, rita)

    assert [e.sent_at is not None for e in _rejection_emails(session)] == [True]  # the one that went
    assert _handed_over(session) == []
    assert reopening._rejection_emails(session, p.application.id)  # the undo knows she was told


def test_a_rejection_undone_while_its_email_is_turned_away_is_never_tried_again(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: an email the undo found on its way was left to a later send should
    this one fail, and the candidate told a rejection the team had taken back."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)

    _handed, rejection = _handed_over_as_undone(session, p, rita, refused=True)

    assert (rejection.sent_at, rejection.withheld) == (None, "rejection undone")
    assert _handed_over(session) == []  # the next run, the mail server well again: nothing goes
    session.refresh(rejection)
    assert (rejection.sent_at, rejection.withheld) == (None, "rejection undone")


def test_a_rejection_undone_while_its_address_is_refused_for_good_stays_withheld_as_undone(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: the mail server's refusal for good overwrote the undo's reason, written
    meanwhile, with its own: the history said the rejection was undone, the outbox not."""
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)

    _handed, rejection = _handed_over_as_undone(
        session, p, rita, refused=True, reply="550 5.1.1 No such user"
    )

    assert (rejection.sent_at, rejection.withheld) == (None, "rejection undone")
    assert rejection.error == "550 5.1.1 No such user"


def test_a_rejection_email_already_sent_stays_sent_and_the_question_says_so(
    session, pipeline_with_assessment, sandbox
):
    p, rita = pipeline_with_assessment, _rita(session)
    _rejected_after_the_test(session, p, sandbox, rita)
    [email] = _rejection_emails(session)
    email.sent_at = utcnow()
    session.add(email)
    session.commit()

    said = reopening.what_stays(session, p.application.id)
    _reopen(session, p.application.id, rita)

    assert said[-1].startswith("They were emailed the rejection")
    session.refresh(email)
    assert email.withheld is None and views.outbox(session)[0].status.startswith("Sent ")


def test_a_test_withdrawn_before_it_was_sent_is_not_said_to_be_withdrawn_at_the_vendor(session, sandbox):
    """helper-156: rejected with her test still waiting to be sent, then moved back (which withdrew it
    before it went): the undo dialog said it was "withdrawn at the vendor" and offered a re-attempt
    of a test that never reached the vendor."""
    _integration, (stage,) = vendor_test_stages(session, "hackerrank", "Backend")
    attempt_id = enter_stage(session, stage)  # waiting to be sent
    application_id = session.get(AssessmentAttempt, attempt_id).application_id
    rejected_by_a_recruiter(session, application_id)
    applied = next(s for s in plans.stages_of(session, stage.job_id) if s.id != stage.id)
    pipeline.move_application(
        session=session, application_id=application_id, stage_id=applied.id, actor=SYSTEM
    )

    session.expire_all()
    assert session.get(AssessmentAttempt, attempt_id).state == AttemptState.CANCELLED
    assert not [line for line in reopening.what_stays(session, application_id) if "Withdrawn" in line]
    assert sandbox.stats("hackerrank")["invitations_created"] == 0


def test_a_rejection_undone_while_its_withdrawals_run_withdraws_no_more(
    session, pipeline_with_assessment, sandbox
):
    """helper-156: Ada is rejected with two tests sent; a colleague undoes it while the vendor is
    asked to withdraw the first. The second was withdrawn all the same, for a candidate back in."""
    p = pipeline_with_assessment
    two_test_stage(session, p, Gating.ALL)
    pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    rita = _rita(session)
    sandbox.faults(fail_next=[{"reply_delay_ms": 1500}])  # the first withdrawal: made, its reply held

    def colleague_undoes_it() -> None:
        sandbox.wait_for_a_held_reply("coderpad_screen")
        with new_session() as own:
            _reopen(own, p.application.id, rita)

    colleague = threading.Thread(target=colleague_undoes_it)
    colleague.start()
    outcome = rejected_by_a_recruiter(session, p.application.id)
    colleague.join()

    session.expire_all()
    sent = {a.state: a for a in session.exec(select(AssessmentAttempt)).all() if a.vendor_attempt_id}
    assert sorted(sent) == sorted([AttemptState.CANCELLED, AttemptState.SENT])
    assert session.get(Application, p.application.id).rejected_at is None
    still_open = sent[AttemptState.SENT].vendor_test_name
    assert f"The rejection was undone meanwhile, so {still_open} stays open." in outcome.message
    started = sandbox.act(sent[AttemptState.SENT].vendor_attempt_id, "start")
    assert started["status"] == "in_progress"  # open at the vendor: the candidate can take it
