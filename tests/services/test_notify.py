"""Notifications and the outbox: each notice once, however many times its cause is reported."""

import contextlib
import datetime
import email

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from dashboard.services import accounts, actors, assessments, notify, pipeline, plans, review, sync, views
from dashboard.services.actors import SYSTEM, WEBHOOK, user
from dashboard.services.corrections import correct_candidate
from dashboard.services.errors import UserError
from dashboard.settings import get_settings
from models import (
    Application,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    Notification,
    OutboxMessage,
    Role,
    User,
    new_session,
    utcnow,
)
from providers.base import AssessmentResult, AttemptStatus, Progress
from tests.http_server import free_port


def _completed_twice(session, p) -> AssessmentAttempt:
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    done = AttemptStatus(
        attempt.vendor_attempt_id, Progress.COMPLETED, "completed", result=AssessmentResult(score_percent=70)
    )
    for _ in range(2):  # the webhook and the poll both report it
        assessments.apply_vendor_status(
            session=session, integration_id=p.integration.id, status=done, actor=WEBHOOK
        )
    return attempt


def test_a_completion_notifies_once_and_mails_the_team_once(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    accounts.create_user(session=session, email="harper@example.com", name="Harper", role=Role.HIRING_MANAGER)

    _completed_twice(session, p)

    kinds = [n.kind for n in session.exec(select(Notification))]
    mail = session.exec(select(OutboxMessage)).all()
    assert kinds == ["needs_review"]
    assert [m.to_address for m in mail] == ["riley@example.com"]  # Harper is not on this job
    assert "needs review" in mail[0].subject and f"/applications/{p.application.id}" in mail[0].body


def test_a_one_test_stage_completed_is_told_once_not_again_as_the_stage_done(
    session, pipeline_with_assessment, sandbox
):
    """With one test, "needs review" is the stage's news: "finished the stage" said it twice
    (54 notifications for 27 completions in the demo)."""
    p = pipeline_with_assessment

    attempt = _completed_twice(session, p)

    messages = [n.message for n in session.exec(select(Notification))]
    assert messages == [
        f"Ada Lovelace's {attempt.vendor_test_name} is complete and needs review (Backend Engineer)."
    ]


def test_a_needs_review_notice_decided_since_says_where_the_result_is_now(
    session, pipeline_with_assessment, sandbox
):
    """Found by a hiring manager's walk: the demo opened on 9 unread "is complete and needs review"
    notices while the review page listed 6: three results had been reviewed since, and their
    notices still said they needed review. A notice keeps its words (what happened, when) and
    says where the result is now, once that is no longer the state it told of."""
    p = pipeline_with_assessment
    attempt = _completed_twice(session, p)
    riley, _password = accounts.create_user(
        session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER
    )
    [waiting] = views.notifications(session, riley.id)

    review.reject(
        session=session,
        application_id=p.application.id,
        reason="Other",
        note="",
        expected_version=session.get(Application, p.application.id).decision_version,
        actor=actors.user(riley.id, riley.name),
    )
    [decided] = views.notifications(session, riley.id)

    assert waiting.now == ""  # still needs review: the notice says it
    assert "needs review" in decided.message and decided.now == "Rejected"
    assert session.get(AssessmentAttempt, attempt.id).state == AttemptState.REVIEWED


def test_an_expiry_is_a_notification_and_the_views_show_it(session, pipeline_with_assessment, sandbox):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    sandbox.act(session.get(AssessmentAttempt, moved.attempt_id).vendor_attempt_id, "expire")
    sync.sync_integration(session=session, integration_id=p.integration.id)

    riley, _password = accounts.create_user(
        session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER
    )
    [shown] = views.notifications(session, riley.id)
    assert shown.kind == "expired" and shown.unread and "expired" in shown.message
    assert shown.at == "just now"  # not "0m ago"
    notice = session.get(Notification, shown.id)
    notice.created_at -= datetime.timedelta(minutes=5)
    session.add(notice)
    session.commit()
    assert views.notifications(session, riley.id)[0].at == "5m ago"
    assert views.unread_count(session, riley.id) == 1
    assert notify.mark_read(session, riley.id, [shown.id]) == 1
    assert notify.mark_read(session, riley.id, [shown.id]) == 0  # read already: nothing written
    assert views.unread_count(session, riley.id) == 0
    assert views.notifications(session, riley.id, frozenset({999})) == []  # a hiring manager of another job


def test_without_smtp_mail_stays_readable_in_the_outbox(session, pipeline_with_assessment, sandbox):
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    _completed_twice(session, pipeline_with_assessment)

    sent = notify.deliver_outbox(session)

    [mail] = views.outbox(session)
    assert sent == 0 and not views.mail_server_set()  # said once, above the outbox
    assert (mail.status, mail.tone) == ("Not sent", "gray")  # the row's own status, nothing more


class _Inbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it is handed."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextlib.contextmanager
def _smtp_settings(url: str):
    settings = get_settings()
    previous = settings.smtp_url, settings.mail_from
    settings.smtp_url, settings.mail_from = url, "Assay <assay@example.com>"
    try:
        yield
    finally:
        settings.smtp_url, settings.mail_from = previous


def test_mail_reaches_the_smtp_server_once_and_waits_while_it_is_down(
    session, pipeline_with_assessment, sandbox
):
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    _completed_twice(session, pipeline_with_assessment)
    port = free_port()
    inbox = _Inbox()

    with _smtp_settings(f"smtp://127.0.0.1:{port}"):
        while_down = notify.deliver_outbox(session)  # nothing listens yet
        [waiting] = session.exec(select(OutboxMessage)).all()
        assert while_down == 0 and waiting.sent_at is None and waiting.error
        [shown] = views.outbox(session)
        assert shown.status == f"Not sent: {waiting.error}" and shown.tone == "red"

        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            delivered = notify.deliver_outbox(session)
            again = notify.deliver_outbox(session)
        finally:
            server.stop()

        [shown] = views.outbox(session)
        assert shown.status.startswith("Sent ") and shown.tone == "green"

    [message] = inbox.messages
    [mail] = session.exec(select(OutboxMessage)).all()
    assert (delivered, again) == (1, 0)
    assert message["To"] == "riley@example.com" and message["From"] == "Assay <assay@example.com>"
    assert "needs review" in message["Subject"]
    assert mail.sent_at is not None and mail.error is None


def test_a_failure_told_in_a_vendors_words_over_two_lines_is_mailed_in_one(
    session, pipeline_with_assessment, sandbox
):
    """helper-130: a vendor's plain-text refusal kept its line break, and the team's email about the
    failed send had it in its subject: no email can carry that header, so the run failed on it,
    every run, holding back the emails behind it."""
    p = pipeline_with_assessment
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    attempt.state = AttemptState.ERROR
    attempt.error_reason = "iMocha refused: Invalid candidate email.\nContact support."
    session.add(attempt)
    session.commit()
    notify.attempt_changed(session, attempt)
    session.commit()
    inbox = _Inbox()

    with _mail_server(inbox):
        sent = notify.deliver_outbox(session)

    [message] = inbox.messages
    assert sent == 1
    assert "Invalid candidate email. Contact support." in message["Subject"]
    [notice] = session.exec(select(Notification).where(Notification.kind == "failed")).all()
    assert "\n" not in notice.message


def test_an_email_sent_twice_after_its_send_was_lost_carries_one_message_id(
    session, pipeline_with_assessment, sandbox
):
    """The mail server took an email, and the send died before it could write so (a database
    error, the worker killed): once its claim runs out it goes again, as it must, since Assay
    cannot tell that from a send that died before the server took it. Both copies carry one
    Message-ID, by which mail clients show the candidate or the team one email, not two."""
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    _completed_twice(session, pipeline_with_assessment)
    inbox = _Inbox()
    with _mail_server(inbox):
        assert notify.deliver_outbox(session) == 1
        [mail] = session.exec(select(OutboxMessage)).all()
        mail.sent_at, mail.sending_since = (
            None,
            utcnow() - notify.SENDING_LEASE * 2,
        )  # as the lost send left it
        session.add(mail)
        session.commit()
        assert notify.deliver_outbox(session) == 1

    first, second = inbox.messages
    assert first["Message-ID"] is not None
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")  # the domain of the address mail comes from


class _Refusing(_Inbox):
    """A mail server that turns one address (or "*": every one) down at RCPT, for good (5xx) or for now (4xx)."""

    def __init__(self, address: str, reply: str) -> None:
        super().__init__()
        self.address, self.reply, self.asked = address, reply, []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked.append(address)
        if self.address in (address, "*"):
            return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextlib.contextmanager
def _mail_server(handler, **server_options):
    """``handler`` serving SMTP on loopback, Assay's outbox pointed at it, for the block."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **server_options)
    controller.start()
    try:
        with _smtp_settings(f"smtp://127.0.0.1:{port}"):
            yield
    finally:
        controller.stop()


def _team_of_two_told_of_a_completion(session, pipeline_with_assessment) -> None:
    # The refused address sorts first, so its email goes first: the batch must not stop at it.
    for email_address in ("gone@example.com", "riley@example.com"):
        accounts.create_user(session=session, email=email_address, name=email_address, role=Role.RECRUITER)
    _completed_twice(session, pipeline_with_assessment)


def test_an_address_refused_for_good_is_not_tried_again_and_holds_up_no_one_else(
    session, pipeline_with_assessment, sandbox
):
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", "550 5.1.1 No such user")
    with _mail_server(server):
        delivered = notify.deliver_outbox(session)
        again = notify.deliver_outbox(session)
        shown = {m.to_address: m for m in views.outbox(session)}

    assert (delivered, again) == (1, 0)
    assert [m["To"] for m in server.messages] == ["riley@example.com"]
    assert server.asked.count("gone@example.com") == 1  # never asked again
    gone = shown["gone@example.com"]
    assert gone.tone == "red"
    assert gone.status == f"Withheld: {notify.REFUSED} (550 5.1.1 No such user)"
    assert views.outbox_count(session, standing="withheld") == 1


def test_an_address_refused_for_now_is_tried_again_and_holds_up_no_one_else(
    session, pipeline_with_assessment, sandbox
):
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", "450 4.2.1 Mailbox busy, try later")
    with _mail_server(server):
        first = notify.deliver_outbox(session)
        [waiting] = [m for m in views.outbox(session) if m.to_address == "gone@example.com"]
        server.address = None  # the mailbox has room again
        second = notify.deliver_outbox(session)

    assert (first, second) == (1, 1)
    assert (waiting.status, waiting.tone) == ("Not sent: 450 4.2.1 Mailbox busy, try later", "red")
    assert sorted(m["To"] for m in server.messages) == ["gone@example.com", "riley@example.com"]


def test_an_address_turned_down_for_now_for_days_is_given_up_as_a_mail_server_would(
    session, pipeline_with_assessment, sandbox
):
    """A mailbox full for good answered 452 on every run, and its email was tried on every run
    forever. From the first such refusal it is tried for five days, then withheld, saying why."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", "452 4.2.2 Mailbox full")
    with _mail_server(server):
        notify.deliver_outbox(session)
        full = session.exec(select(OutboxMessage).where(OutboxMessage.to_address == "gone@example.com")).one()
        first_refused = full.refused_since
        notify.deliver_outbox(session)  # a day later, say: still within the five
        session.refresh(full)
        assert (full.refused_since, full.withheld) == (first_refused, None)

        full.refused_since = first_refused - notify.GIVE_UP_AFTER
        session.add(full)
        session.commit()
        notify.deliver_outbox(session)
        notify.deliver_outbox(session)
        [shown] = [m for m in views.outbox(session) if m.to_address == "gone@example.com"]

    assert server.asked.count("gone@example.com") == 3  # not asked once given up
    assert (shown.status, shown.tone) == (f"Withheld: {notify.GAVE_UP} (452 4.2.2 Mailbox full)", "red")
    assert [m["To"] for m in server.messages] == ["riley@example.com"]


def test_an_email_turned_down_is_tried_again_on_request_and_one_withheld_by_an_undo_is_not(
    session, pipeline_with_assessment, sandbox
):
    """A refusal withholds an email for good, yet the address may exist since (or the mailbox have
    room): the outbox offers Try again. An email withheld because its rejection was undone must
    never go, so it is not offered, and asked for by hand it is refused."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", "550 5.1.1 No such user")
    rita = user(1, "Rita")
    with _mail_server(server):
        notify.deliver_outbox(session)
        [refused] = [m for m in views.outbox(session) if m.to_address == "gone@example.com"]
        server.address = None  # the mailbox was created since

        said = notify.try_again(session, refused.id, rita)
        delivered = notify.deliver_outbox(session)
        with pytest.raises(UserError, match="not withheld for a refusal"):
            notify.try_again(session, refused.id, rita)  # a second click, from another tab
        [sent] = [m for m in views.outbox(session) if m.to_address == "gone@example.com"]

    undone = OutboxMessage(
        dedupe_key="undone", to_address="ada@example.com", subject="s", body="", withheld="rejection undone"
    )
    session.add(undone)
    session.commit()
    assert refused.can_try_again and not sent.can_try_again
    assert said == "The email to gone@example.com goes with the next send."
    assert delivered == 1 and sent.status.startswith("Sent ")
    assert not next(m for m in views.outbox(session) if m.id == undone.id).can_try_again
    with pytest.raises(UserError):
        notify.try_again(session, undone.id, rita)


def test_notifications_read_newest_first_by_when_they_happened_not_by_when_they_were_written(session):
    """Seen in the demo: its morning is replayed candidate by candidate, so notices were written
    out of time order and the list read "4h ago" above "1h ago"."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    for key, hours_ago in (("one hour ago", 1), ("four hours ago", 4), ("two hours ago", 2)):
        session.add(
            Notification(
                dedupe_key=key,
                kind="needs_review",
                message=key,
                created_at=now - datetime.timedelta(hours=hours_ago),
            )
        )
    session.commit()
    reader, _password = accounts.create_user(
        session=session, email="rea@example.com", name="Rea", role=Role.RECRUITER
    )

    shown = [n.message for n in views.notifications(session, reader.id)]

    assert shown == ["one hour ago", "two hours ago", "four hours ago"]


def test_a_relay_refusing_us_withholds_nothing_and_stops_the_batch_to_try_again(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: a mis-set relay answers every address "554 5.7.1 Relay access denied",
    a 5xx, and each email of the run was withheld for good, none to come back once it was mended.
    A second address refused alike stops the run: it is about Assay, not the addresses."""
    accounts.create_user(session=session, email="sam@example.com", name="Sam", role=Role.RECRUITER)
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("*", "554 5.7.1 Relay access denied")
    with _mail_server(server):
        refused = notify.deliver_outbox(session)
        asked = list(server.asked)
        server.address = None  # the relay set right
        mended = notify.deliver_outbox(session)

    assert (refused, mended) == (0, 3)
    assert views.outbox_count(session, standing="withheld") == 0
    assert asked == ["gone@example.com", "riley@example.com"]  # the run stopped at the second refusal


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.2.1 The email account that you tried to reach is disabled",
        "552 5.2.2 Mailbox full",
        "552 Requested mail action aborted: exceeded storage allocation",
    ],
)
def test_an_address_refused_for_good_in_other_words_holds_up_no_one_else(
    session, pipeline_with_assessment, sandbox, reply
):
    """helper-116: only "no such user" (5.1.x) was taken for the address's: a disabled or full
    mailbox stopped every run at that email, the oldest waiting, for good."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", reply)
    with _mail_server(server):
        delivered = notify.deliver_outbox(session)
        again = notify.deliver_outbox(session)
        shown = {m.to_address: m for m in views.outbox(session)}

    assert (delivered, again) == (1, 0)
    assert shown["gone@example.com"].status == f"Withheld: {notify.REFUSED} ({reply})"
    assert shown["riley@example.com"].status.startswith("Sent ")


@pytest.mark.parametrize(
    "reply", ["550 5.7.1 Recipient not authorized", "550 5.4.1 Recipient address rejected: Access denied"]
)
def test_an_address_refused_in_words_that_could_be_about_assay_is_passed_over_when_the_next_goes(
    session, pipeline_with_assessment, sandbox, reply
):
    """A 5.7.x refusal may be about Assay (a relay) or about the address ("recipient not
    authorised"): the next email to another address tells which. Gone through, the refused one
    waits on, its own words on it alone, tried after the others (helper-116: every row of the run
    read "Not sent: {'gone@example.com': ...}")."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", reply)
    with _mail_server(server):
        delivered = notify.deliver_outbox(session)
        shown = {m.to_address: m for m in views.outbox(session)}
        newer = OutboxMessage(dedupe_key="newer", to_address="riley@example.com", subject="Newer", body="")
        session.add(newer)
        session.commit()
        server.asked.clear()
        notify.deliver_outbox(session)

    assert delivered == 1
    assert shown["gone@example.com"].status == f"Not sent: {reply}"
    assert shown["riley@example.com"].status.startswith("Sent ")
    assert server.asked == ["riley@example.com", "gone@example.com"]  # the newer one first


def test_an_address_outside_ascii_the_server_cannot_take_holds_up_no_one_else(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: without SMTPUTF8 the server cannot be given "josé@example.com", and the
    error stopped every batch at that email, the first in each."""
    for email_address in ("josé@example.com", "riley@example.com"):
        accounts.create_user(session=session, email=email_address, name="Team", role=Role.RECRUITER)
    _completed_twice(session, pipeline_with_assessment)
    with _mail_server(_Inbox(), enable_SMTPUTF8=False):
        delivered = notify.deliver_outbox(session)
        shown = {m.to_address: m for m in views.outbox(session)}

    assert delivered == 1
    assert shown["riley@example.com"].status.startswith("Sent ")
    assert shown["josé@example.com"].status.startswith(f"Withheld: {notify.REFUSED} (553 ")


def test_assays_own_address_outside_ascii_withholds_no_email_and_says_what_to_mend(
    session, pipeline_with_assessment, sandbox
):
    """helper-149: each email was blamed for Assay's own address and withheld as refused for good,
    the whole outbox one by one. The display name may be written in any language."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    with _mail_server(_Inbox(), enable_SMTPUTF8=False):
        get_settings().mail_from = "Assay <recrutement@équipe.example>"
        delivered = notify.deliver_outbox(session)
        shown = views.outbox(session)
        get_settings().mail_from = "Équipe Assay <recrutement@xn--quipe-9ra.example>"
        mended = notify.deliver_outbox(session)

    assert delivered == 0
    assert {m.status for m in shown} == {
        "Not sent: ASSAY_MAIL_FROM's address is written outside ASCII, which this mail server does not "
        "take (no SMTPUTF8): write it in ASCII (a domain in its xn-- form)"
    }
    assert mended == 2


def test_a_send_failing_again_after_a_retry_is_told_again(session, pipeline_with_assessment, sandbox):
    """helper-116: one notice per attempt and kind, and a retry reuses the attempt: a send that
    failed again after the team's Retry told no one."""
    p = pipeline_with_assessment
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    sandbox.faults(fail_next=[{"status": 503}] * 20)
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    sandbox.faults(fail_next=[{"status": 503}] * 20)
    assessments.retry_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    sandbox.faults()

    told = session.exec(select(Notification).where(Notification.kind == "failed")).all()
    assert session.get(AssessmentAttempt, moved.attempt_id).state == AttemptState.ERROR
    assert len(told) == 2
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.subject.contains("failed"))).all()) == 2


def test_two_addresses_refused_in_words_that_could_be_about_assay_hold_back_no_other_email(
    session, pipeline_with_assessment, sandbox
):
    """helper-119: two addresses refused alike stopped the run, as a relay refusing Assay does, and
    the second's reply was written on every email behind it: those then went after the two refused
    ones, and every later run stopped at them again. The rest stay untried and unmarked, and go first."""
    for address in ("x@corp.example", "y@corp.example", "ok@example.com"):
        session.add(OutboxMessage(dedupe_key=address, to_address=address, subject="Hello", body=""))
    session.commit()
    with _smtp_settings(f"smtp://127.0.0.1:{free_port()}"):  # helper-149: after an outage, alike
        assert notify.deliver_outbox(session) == 0  # nothing listens: each email says so

    class _RefusingCorp(_Refusing):
        async def handle_RCPT(self, server, smtp_session, envelope, address, rcpt_options):
            self.asked.append(address)
            if address.endswith("@corp.example"):
                return "550 5.7.1 Recipient not authorized"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    server = _RefusingCorp("", "")
    with _mail_server(server):
        first = notify.deliver_outbox(session)
        untried = session.exec(
            select(OutboxMessage).where(OutboxMessage.to_address == "ok@example.com")
        ).one()
        second = notify.deliver_outbox(session)

    assert (first, untried.error, second) == (0, None, 1)
    assert [m["To"] for m in server.messages] == ["ok@example.com"]


def test_a_server_closing_on_one_emails_421_stops_the_run_and_turns_down_no_email(
    session, pipeline_with_assessment, sandbox
):
    """helper-149: smtplib closes the connection on a 421 ("try again later", a throttle): the
    email it answered was counted refused (its five days started) and every email behind it was
    written "please run connect() first" and put behind the newer ones."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    server = _Refusing("gone@example.com", "421 4.7.0 Try again later")
    with _mail_server(server):
        first = notify.deliver_outbox(session)
        session.expire_all()
        after = sorted(
            (m.to_address, m.error, m.refused_since, m.sending_since, m.withheld)
            for m in session.exec(select(OutboxMessage))
        )
        server.address = None  # the throttle lifted
        second = notify.deliver_outbox(session)

    assert after == [
        ("gone@example.com", "421 4.7.0 Try again later", None, None, None),
        ("riley@example.com", "421 4.7.0 Try again later", None, None, None),
    ]
    assert (first, second) == (0, 2)
    assert all(message["Date"] for message in server.messages)  # RFC 5322 asks for one


def test_alerts_waiting_for_a_teammate_deactivated_meanwhile_never_go(
    session, pipeline_with_assessment, sandbox
):
    """helper-149: deactivated at nine, they were still emailed at ten the candidates' results of a
    team they had left. The candidate's own email and the rest of the team's alerts still go."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    gone = session.exec(select(User).where(User.email == "gone@example.com")).one()
    session.add(
        OutboxMessage(
            dedupe_key="feedback:completed:1:1",
            to_address="gone@example.com",  # a candidate of that address, told of their own result
            subject="Your Backend Engineer assessment",
            body="Thank you.",
        )
    )
    full = OutboxMessage(  # turned down for days, before: "Try again" is no longer offered
        dedupe_key="expired:1:gone@example.com",
        to_address="gone@example.com",
        subject="An assessment expired",
        body="",
        withheld=notify.GAVE_UP,
    )
    session.add(full)
    session.commit()

    accounts.set_active(session=session, user_id=gone.id, active=False)
    accounts.set_active(session=session, user_id=gone.id, active=True)  # back: not these alerts
    inbox = _Inbox()
    with _mail_server(inbox):
        delivered = notify.deliver_outbox(session)
        shown = views.outbox(session)
        with pytest.raises(UserError, match="not withheld for a refusal"):
            notify.try_again(session, full.id, actors.SYSTEM)

    went = sorted((m["To"], "needs review" in m["Subject"]) for m in inbox.messages)
    assert (delivered, went) == (2, [("gone@example.com", False), ("riley@example.com", True)])
    withheld = {
        m.subject: m.status for m in shown if m.to_address == "gone@example.com" and "Your" not in m.subject
    }
    assert set(withheld.values()) == {f"Withheld: {notify.DEACTIVATED}"} and len(withheld) == 2


class _DeactivatedAsItGoes(_Inbox):
    """A mail server answering ``reply`` to ``address`` while an admin deactivates that teammate."""

    def __init__(self, user_id: int, address: str, reply: str) -> None:
        super().__init__()
        self.user_id, self.address, self.reply = user_id, address, reply

    async def handle_RCPT(self, server, smtp_session, envelope, address, rcpt_options):
        if address == self.address:
            with new_session() as own:
                accounts.set_active(session=own, user_id=self.user_id, active=False)
            if not self.reply.startswith("250"):
                return self.reply
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.mark.parametrize("reply", ["451 4.7.1 Greylisted, try again later", "250 OK"])
def test_an_alert_being_sent_as_its_teammate_is_deactivated_is_not_tried_again(
    session, pipeline_with_assessment, sandbox, reply
):
    """helper-150: the alert a send held was left out of the withholding; turned down for now, it
    went to the deactivated teammate on the next run. Taken all the same, it is simply sent."""
    _team_of_two_told_of_a_completion(session, pipeline_with_assessment)
    gone = session.exec(select(User).where(User.email == "gone@example.com")).one()
    server = _DeactivatedAsItGoes(gone.id, gone.email, reply)

    with _mail_server(server):
        first = notify.deliver_outbox(session)
        second = notify.deliver_outbox(session)
        shown = {m.to_address: m.status for m in views.outbox(session)}

    taken = reply.startswith("250")
    assert (first, second) == (2 if taken else 1, 0)
    assert sorted(m["To"] for m in server.messages) == (["gone@example.com"] if taken else []) + [
        "riley@example.com"
    ]
    assert (
        shown["gone@example.com"].startswith("Sent ")
        if taken
        else shown["gone@example.com"] == (f"Withheld: {notify.DEACTIVATED}")
    )


def _a_completion_told_to(session, pipeline_with_assessment, manager_role: Role) -> User:
    """Riley (a recruiter) and Harper (``manager_role``, on the job's team) sent the team's
    "needs review" alert about a completion, not yet gone; Harper, as written then."""
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    harper, _password = accounts.create_user(
        session=session, email="harper@example.com", name="Harper", role=manager_role
    )
    job_id = pipeline_with_assessment.job.id
    accounts.set_job_member(session=session, user_id=harper.id, job_id=job_id, member=True)
    _completed_twice(session, pipeline_with_assessment)
    waiting = sorted(m.to_address for m in session.exec(select(OutboxMessage)))
    assert waiting == ["harper@example.com", "riley@example.com"]
    return harper


def test_an_alert_waiting_for_a_hiring_manager_taken_off_the_job_never_goes(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: a hiring manager taken off a job was still emailed the alerts written
    before, with the candidates' names and results, for up to a run (or days, the mail server
    down). Their notification list already left them out; their email now does too."""
    harper = _a_completion_told_to(session, pipeline_with_assessment, Role.HIRING_MANAGER)
    accounts.set_job_member(
        session=session, user_id=harper.id, job_id=pipeline_with_assessment.job.id, member=False
    )
    inbox = _Inbox()

    with _mail_server(inbox):
        delivered = notify.deliver_outbox(session)
        again = notify.deliver_outbox(session)
        shown = {m.to_address: m for m in views.outbox(session)}

    assert (delivered, again) == (1, 0)
    assert [m["To"] for m in inbox.messages] == ["riley@example.com"]
    assert (shown["harper@example.com"].status, shown["harper@example.com"].tone) == (
        f"Withheld: {notify.LEFT_THE_JOB}",
        "gray",
    )
    assert not shown["harper@example.com"].can_try_again
    assert shown["riley@example.com"].status.startswith("Sent ")


def test_an_alert_waiting_for_a_recruiter_made_a_hiring_manager_of_other_jobs_never_goes(
    session, pipeline_with_assessment, sandbox
):
    """Found in a review: a recruiter (told of every job) made a hiring manager of other jobs was
    still emailed the alerts written before about a job no longer theirs."""
    sam, _password = accounts.create_user(
        session=session, email="sam@example.com", name="Sam", role=Role.RECRUITER
    )
    _completed_twice(session, pipeline_with_assessment)
    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    accounts.change_role(session=session, user_id=sam.id, role=Role.HIRING_MANAGER)
    accounts.set_job_member(session=session, user_id=sam.id, job_id=other.id, member=True)
    inbox = _Inbox()

    with _mail_server(inbox):
        delivered = notify.deliver_outbox(session)
        [shown] = views.outbox(session)

    assert delivered == 0 and inbox.messages == []
    assert (shown.to_address, shown.status) == ("sam@example.com", f"Withheld: {notify.LEFT_THE_JOB}")


def test_a_failed_send_alert_waiting_for_a_recruiter_made_a_hiring_manager_of_its_job_never_goes(
    session, pipeline_with_assessment, sandbox
):
    """Hiring managers are not sent a failed send (only results): a recruiter made one, even of
    that job, was still emailed the failures written before."""
    p = pipeline_with_assessment
    sam, _password = accounts.create_user(
        session=session, email="sam@example.com", name="Sam", role=Role.RECRUITER
    )
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    attempt.state, attempt.error_reason = AttemptState.ERROR, "iMocha refused: Invalid candidate email."
    session.add(attempt)
    notify.attempt_changed(session, attempt)
    session.commit()
    accounts.change_role(session=session, user_id=sam.id, role=Role.HIRING_MANAGER)
    accounts.set_job_member(session=session, user_id=sam.id, job_id=p.job.id, member=True)
    inbox = _Inbox()

    with _mail_server(inbox):
        delivered = notify.deliver_outbox(session)
        [shown] = views.outbox(session)

    assert delivered == 0 and inbox.messages == []
    assert "failed" in shown.subject and shown.status == f"Withheld: {notify.MADE_A_MANAGER}"


def test_an_alert_waiting_for_a_hiring_manager_still_on_the_job_goes(
    session, pipeline_with_assessment, sandbox
):
    """Checked again as it goes, an alert still theirs goes as before: a hiring manager taken off
    the job and put back on before it went is sent it, as a recruiter is."""
    harper = _a_completion_told_to(session, pipeline_with_assessment, Role.HIRING_MANAGER)
    job_id = pipeline_with_assessment.job.id
    accounts.set_job_member(session=session, user_id=harper.id, job_id=job_id, member=False)
    accounts.set_job_member(session=session, user_id=harper.id, job_id=job_id, member=True)
    inbox = _Inbox()

    with _mail_server(inbox):
        delivered = notify.deliver_outbox(session)
        shown = {m.to_address: m.status for m in views.outbox(session)}

    assert delivered == 2
    assert sorted(m["To"] for m in inbox.messages) == ["harper@example.com", "riley@example.com"]
    assert all(status.startswith("Sent ") for status in shown.values())


class _CorrectedAsItGoes(_Inbox):
    """A mail server refusing the typo, ``typo``, for good, while a recruiter corrects it to ``fixed``."""

    def __init__(self, application_id: int, typo: str, fixed: str, reply: str) -> None:
        super().__init__()
        self.application_id, self.typo, self.fixed, self.reply = application_id, typo, fixed, reply

    async def handle_RCPT(self, server, smtp_session, envelope, address, rcpt_options):
        if address != self.typo:
            envelope.rcpt_tos.append(address)
            return "250 OK"
        with new_session() as own:
            correct_candidate(
                session=own, application_id=self.application_id, name="Ada", email=self.fixed, actor=SYSTEM
            )
        return self.reply


@pytest.mark.parametrize("reply", ["550 5.1.1 No such user", "421 4.3.2 Closing, too many messages"])
def test_a_candidates_email_refused_at_the_address_corrected_as_it_went_goes_to_the_corrected_one(
    session, pipeline_with_assessment, sandbox, reply
):
    """helper-149: a correction moves the emails waiting, not the one being handed over; refused at
    the typo, that one was withheld there for good, and "Try again" sent it to the typo again (or,
    the server closing on it, it was tried at the typo on the next run)."""
    application = pipeline_with_assessment.application
    typo = session.get(Candidate, application.candidate_id).email
    session.add(
        OutboxMessage(
            dedupe_key=f"feedback:completed:{application.id}:1",
            to_address=typo,
            subject="Your Backend Engineer assessment",
            body="Thank you.",
            application_id=application.id,
        )
    )
    session.commit()
    server = _CorrectedAsItGoes(application.id, typo, "ada.fixed@example.com", reply)

    with _mail_server(server):
        refused = notify.deliver_outbox(session)
        session.expire_all()
        [waiting] = session.exec(select(OutboxMessage)).all()
        went = notify.deliver_outbox(session)

    assert refused == 0
    assert (waiting.to_address, waiting.withheld, waiting.error) == ("ada.fixed@example.com", None, None)
    assert went == 1 and [m["To"] for m in server.messages] == ["ada.fixed@example.com"]


def test_the_outbox_lists_the_newest_written_first_whatever_order_they_were_stored_in(session):
    """The demo's team, played candidate by candidate, writes emails for moments out of order: in
    the order stored, the page said "newest first" above 13:58, 11:51, 15:12."""
    written = {"noon": 12, "morning": 9, "afternoon": 15}
    for subject, hour in written.items():
        session.add(
            OutboxMessage(
                dedupe_key=subject,
                to_address="riley@example.com",
                subject=subject,
                body="",
                created_at=datetime.datetime(2026, 12, 7, hour, tzinfo=datetime.UTC),
            )
        )
    session.commit()

    assert [m.subject for m in views.outbox(session)] == ["afternoon", "noon", "morning"]
