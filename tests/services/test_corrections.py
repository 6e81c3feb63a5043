"""Correcting a candidate's name or email after they were added, or after a test went to the typo."""

import time

import pytest
from sqlmodel import select

from dashboard.services import assessments, attempt_actions, pipeline, plans, sync, views
from dashboard.services.actors import SYSTEM
from dashboard.services.corrections import correct_candidate
from dashboard.services.errors import UserError
from dashboard.services.notify import GAVE_UP, REFUSED
from dashboard.settings import get_settings
from models import (
    Application,
    ApplicationEvent,
    AssessmentAttempt,
    AttemptState,
    Candidate,
    OutboxMessage,
    utcnow,
)
from tests.conftest import (
    a_colleague_adding,
    a_colleague_meanwhile,
    enter_stage,
    reads,
    selects,
    vendor_test_stages,
)


@pytest.fixture
def hackerrank_jobs(session, sandbox):
    """HackerRank: its updates name the candidate's email, and a retried send looks them up by it."""
    return vendor_test_stages(session, "hackerrank", "Backend", "Platform")


def _sent(session, stage) -> AssessmentAttempt:
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    return session.get(AssessmentAttempt, attempt_id)


def _correct(session, application_id: int, email: str, name: str = "Ada Lovelace") -> str:
    return correct_candidate(
        session=session, application_id=application_id, name=name, email=email, actor=SYSTEM
    )


def test_the_test_taken_at_the_mistyped_address_still_counts_and_the_recruiter_is_told_to_send_again(
    session, sandbox, hackerrank_jobs
):
    """The vendor keeps the address it was given: its updates name the typo, which is no longer
    the candidate's email, yet the result is theirs, not one kept for a person to match."""
    _integration, (stage, _) = hackerrank_jobs
    attempt = _sent(session, stage)

    told = _correct(session, attempt.application_id, " Ada@Example.com ")

    assert told == (
        "Ada Lovelace corrected. The invitation to Backend Engineer (Python) went to ada@exmaple.com, "
        "not started yet: cancel it and send it again to reach ada@example.com."
    )
    candidate = session.exec(select(Candidate)).one()
    assert candidate.email == "ada@example.com"
    sandbox.act(attempt.vendor_attempt_id, "start", vendor="hackerrank")
    sandbox.act(attempt.vendor_attempt_id, "submit", vendor="hackerrank")
    sync.sync_integration(session=session, integration_id=attempt.integration_id)
    session.refresh(attempt)
    assert attempt.state == AttemptState.COMPLETED and attempt.score_percent is not None
    assert attempt.invited_email == "ada@exmaple.com"


def test_a_retry_after_a_timeout_finds_the_invitation_made_under_the_address_before_the_correction(
    session, sandbox, hackerrank_jobs, monkeypatch
):
    """Sent to the typo, the vendor made it but answered too late; the typo corrected, the retry
    looks under the address the vendor was given, and sends nothing twice. The correction and the
    retry both say the test is at the typo (helper-164: "sent to Ada Lovelace", nothing more)."""
    _integration, (stage, _) = hackerrank_jobs
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    monkeypatch.setattr(get_settings(), "vendor_timeout_seconds", 0.3)
    sandbox.faults(vendor="hackerrank", reply_delay_ms=800)
    first = assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    assert not first.sent
    time.sleep(0.6)  # let the late reply go out before the faults are cleared
    sandbox.faults(vendor="hackerrank")
    told = _correct(session, session.get(AssessmentAttempt, attempt_id).application_id, "ada@example.com")

    retried = assessments.retry_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    attempt = session.get(AssessmentAttempt, attempt_id)
    assert retried.sent and attempt.state == AttemptState.SENT
    assert sandbox.stats("hackerrank")["invitations_created"] == 1
    assert attempt.invited_email == "ada@exmaple.com"
    test = attempt.vendor_test_name
    assert told.endswith(
        f"The failed send of {test} to ada@exmaple.com may have reached the vendor: a Retry finds it "
        "there if so; then cancel and send again to reach ada@example.com."
    ), told
    assert retried.message == (
        f"{test}: an earlier try had reached the vendor at ada@exmaple.com, Ada Lovelace's email before it "
        "was corrected, and that invitation stands (nothing was sent twice). Cancel it and send it again "
        "to reach ada@example.com."
    )


def test_a_test_sent_after_the_correction_goes_to_the_new_address(session, sandbox, hackerrank_jobs):
    _integration, (stage, _) = hackerrank_jobs
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    told = _correct(session, session.get(AssessmentAttempt, attempt_id).application_id, "ada@example.com")

    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    assert told == "Ada Lovelace corrected."
    assert session.get(AssessmentAttempt, attempt_id).invited_email == "ada@example.com"


def test_the_correction_is_in_the_history_of_each_of_their_applications(session, sandbox, hackerrank_jobs):
    _integration, (backend, platform) = hackerrank_jobs
    first = pipeline.add_application(
        session=session, job_id=backend.job_id, name="Ada  Lovelase", email="ada@example.com", actor=SYSTEM
    )
    second = pipeline.add_application(
        session=session, job_id=platform.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )

    _correct(session, second.id, "ada@example.org")

    session.expire_all()
    assert session.get(Candidate, first.candidate_id).search_name == "ada lovelace"  # found as corrected
    for application in (first, second):
        events = session.exec(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application.id)
            .order_by(ApplicationEvent.id)
        ).all()
        assert events[-1].summary == (
            "Corrected: name Ada Lovelase → Ada Lovelace; email ada@example.com → ada@example.org"
        )


def test_an_address_another_candidate_has_is_refused_and_nothing_changes(session, sandbox, hackerrank_jobs):
    _integration, (stage, _) = hackerrank_jobs
    ada = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )
    pipeline.add_application(
        session=session, job_id=stage.job_id, name="Grace", email="grace@example.com", actor=SYSTEM
    )

    with pytest.raises(UserError, match=r"grace@example\.com is already Grace.s address"):
        _correct(session, ada.id, "Grace@example.com", name="Ada")
    with pytest.raises(UserError, match="is not an email address"):
        _correct(session, ada.id, "ada@", name="Ada")
    with pytest.raises(UserError, match="nothing to correct"):
        _correct(session, ada.id, "ada@example.com", name="Ada ")

    session.expire_all()
    assert session.get(Candidate, ada.candidate_id).email == "ada@example.com"


def test_emails_not_gone_or_refused_at_the_typo_go_to_the_new_address(session, sandbox, hackerrank_jobs):
    """Refused at the typo, for good or for days, the email goes again, to the corrected address; one
    withheld because its rejection was undone stays withheld, and one sent stays as it went."""
    _integration, (stage, _) = hackerrank_jobs
    ada = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Ada", email="ada@exmaple.com", actor=SYSTEM
    )
    kinds = {
        "waiting": None,
        "refused": REFUSED,
        "gave up": GAVE_UP,
        "undone": "rejection undone",
        "sent": None,
    }
    for kind, withheld in kinds.items():
        session.add(
            OutboxMessage(
                dedupe_key=kind,
                to_address="ada@exmaple.com",
                subject=kind,
                body="",
                application_id=ada.id,
                withheld=withheld,
                error="550 5.1.1 no such user" if kind == "refused" else None,
                refused_since=utcnow() if kind == "gave up" else None,
                sent_at=utcnow() if kind == "sent" else None,
            )
        )
    session.commit()

    told = _correct(session, ada.id, "ada@example.com", name="Ada")

    assert told == "Ada corrected. 3 emails not sent yet will go to ada@example.com."
    session.expire_all()
    rows = {m.subject: (m.to_address, m.withheld, m.error) for m in session.exec(select(OutboxMessage))}
    assert rows == {
        "waiting": ("ada@example.com", None, None),
        "refused": ("ada@example.com", None, None),
        "gave up": ("ada@example.com", None, None),
        "undone": ("ada@exmaple.com", "rejection undone", None),
        "sent": ("ada@exmaple.com", None, None),
    }


def test_resending_an_invitation_that_went_to_the_typo_is_refused_saying_what_reaches_them(
    session, sandbox, hackerrank_jobs
):
    """The vendor would send it to the address it was given, the typo, again."""
    _integration, (stage, _) = hackerrank_jobs
    attempt = _sent(session, stage)
    _correct(session, attempt.application_id, "ada@example.com")

    [resend] = [a for a in attempt_actions.available_actions(session, attempt) if a.name == "resend"]
    with pytest.raises(UserError, match=r"would go to ada@exmaple\.com again") as refused:
        attempt_actions.resend_invitation(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert not resend.enabled and resend.reason == str(refused.value)
    assert "cancel it and send it again" in resend.reason


def test_a_vendor_inviting_once_per_email_gives_a_fresh_invitation_to_the_corrected_address(session, sandbox):
    """iMocha hands back the invitation it has for an email and test: Assay stops a second job's
    send to offer a re-attempt. Sent to the typo before, the corrected address has none there, so
    nothing stops the send, and iMocha makes a fresh invitation."""
    _integration, (first_job, second_job) = vendor_test_stages(session, "imocha", "Backend", "Platform")
    first = _sent(session, first_job)
    _correct(session, first.application_id, "ada@example.com")

    second_id = enter_stage(session, second_job, name="Ada Lovelace", email="ada@example.com")
    sent = assessments.send_assessment(session=session, attempt_id=second_id, actor=SYSTEM)

    assert sent.sent
    assert sandbox.stats("imocha")["invitations_created"] == 2
    assert session.get(AssessmentAttempt, second_id).vendor_attempt_id != first.vendor_attempt_id


def test_a_re_attempt_after_the_correction_invites_the_corrected_address_and_its_result_counts(
    session, sandbox
):
    """Found in a review: iMocha re-opens an invitation for the address it went to, so a
    re-attempt of one taken at the typo went to the typo again, and every update, naming it, was
    refused as another candidate's: the re-attempt stayed "sent" for good."""
    _integration, (stage, _) = vendor_test_stages(session, "imocha", "Backend", "Platform")
    first = _sent(session, stage)
    sandbox.act(first.vendor_attempt_id, "start", vendor="imocha")
    sandbox.act(first.vendor_attempt_id, "submit", vendor="imocha")
    sync.sync_integration(session=session, integration_id=first.integration_id)
    _correct(session, first.application_id, "ada@example.com")

    outcome = attempt_actions.reattempt(session=session, attempt_id=first.id, actor=SYSTEM)
    again = session.exec(
        select(AssessmentAttempt).where(AssessmentAttempt.retakes_attempt_id == first.id)
    ).one()
    sandbox.act(again.vendor_attempt_id, "start", vendor="imocha")
    sandbox.act(again.vendor_attempt_id, "submit", vendor="imocha")
    sync.sync_integration(session=session, integration_id=again.integration_id)
    session.refresh(again)

    assert outcome.sent and again.invited_email == "ada@example.com"
    assert again.state == AttemptState.COMPLETED and again.score_percent is not None


def test_a_send_that_never_reached_the_vendor_is_not_said_to_have_gone_to_the_typo(
    session, sandbox, hackerrank_jobs
):
    """Found in a review: "Sent to <typo>" showed for an attempt whose sends all failed."""
    _integration, (stage, _) = hackerrank_jobs
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 400}])
    assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)
    application_id = session.get(AssessmentAttempt, attempt_id).application_id
    _correct(session, application_id, "ada@example.com")

    [shown] = views.application(session, application_id).attempts

    assert shown.state == "error" and shown.sent_to_before == ""


def test_an_address_a_colleague_gave_another_candidate_meanwhile_is_refused(session):
    """The check that the address is free ran before a colleague's worker saved a new candidate
    with it: the unique email refuses the correction, which says whose address it is."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    ada = pipeline.add_application(
        session=session, job_id=job.id, name="Ada Lovelace", email="ada@exmaple.com", actor=SYSTEM
    )

    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])

    def colleague_adds(own) -> None:
        pipeline.add_application(
            session=own, job_id=other.id, name="Ada King", email="ada@example.com", actor=SYSTEM
        )

    with (
        a_colleague_meanwhile(session, selects(Candidate, "ada@example.com"), colleague_adds),
        pytest.raises(
            UserError, match=r"^ada@example.com is already Ada King's address; one person is one candidate.$"
        ),
    ):
        _correct(session, ada.id, "ada@example.com")

    session.expire_all()
    assert sorted((c.name, c.email) for c in session.exec(select(Candidate))) == [
        ("Ada King", "ada@example.com"),
        ("Ada Lovelace", "ada@exmaple.com"),
    ]


def test_a_correction_and_an_add_of_the_same_address_to_one_of_their_jobs_do_not_deadlock(session):
    """Found in a review: an add locks its job, then writes the email; a correction wrote the email,
    then bumped the candidate's jobs. Each waited on the other (PostgreSQL broke the deadlock by
    failing one). The correction now takes the jobs first, as the add does."""
    job = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    ada = pipeline.add_application(
        session=session, job_id=job.id, name="Ada Lovelace", email="ada@exmaple.com", actor=SYSTEM
    )
    told: list[str] = []
    colleague_adds = a_colleague_adding(job.id, "Ada", "ada@example.com", told)

    def the_address_written(state) -> bool:
        return state.is_update and str(state.statement).startswith("UPDATE candidate")

    with a_colleague_meanwhile(session, the_address_written, colleague_adds):
        _correct(session, ada.id, "ada@example.com")

    assert told == ["Ada Lovelace (ada@example.com) is already in this job, in Applied."]


def test_a_card_a_colleague_adds_while_the_name_is_corrected_gets_the_corrected_line(session):
    """Found in a review: the correction read the candidate's cards, then wrote; a colleague adding
    them to another job in between made a card showing the new name with no word of the change."""
    backend = plans.create_job(session=session, title="Backend Engineer", stage_names=["Applied"])
    platform = plans.create_job(session=session, title="Platform Engineer", stage_names=["Applied"])
    ada = pipeline.add_application(
        session=session, job_id=backend.id, name="Ada Lovelase", email="ada@example.com", actor=SYSTEM
    )

    def the_cards_read(state) -> bool:
        return state.is_select and "application.candidate_id =" in str(state.statement)

    with a_colleague_meanwhile(
        session, the_cards_read, a_colleague_adding(platform.id, "Ada", "ada@example.com", [])
    ):
        correct_candidate(
            session=session, application_id=ada.id, name="Ada Lovelace", email="ada@example.com", actor=SYSTEM
        )

    lines = session.exec(
        select(Application.job_id, ApplicationEvent.summary)
        .join(Application, Application.id == ApplicationEvent.application_id)
        .where(ApplicationEvent.summary.startswith("Corrected"))
        .order_by(Application.job_id)
    ).all()
    assert lines == [
        (backend.id, "Corrected: name Ada Lovelase → Ada Lovelace"),
        (platform.id, "Corrected: name Ada Lovelase → Ada Lovelace"),
    ]


def test_an_email_corrected_as_a_test_is_being_sent_says_the_test_is_on_its_way_to_the_typo(
    session, sandbox, hackerrank_jobs
):
    """helper-120: corrected while a colleague's send asked the vendor, the toast said only "Ada
    Lovelace corrected."; the test went to the typo, and no one was told to send it again."""
    _integration, (stage, _) = hackerrank_jobs
    attempt = session.get(
        AssessmentAttempt, enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    )
    # A colleague's send holds it: claimed for the address read, the vendor being asked.
    attempt.send_claimed_at, attempt.send_tries, attempt.invited_email = utcnow(), 1, "ada@exmaple.com"
    session.add(attempt)
    session.commit()

    told = _correct(session, attempt.application_id, "ada@example.com")

    assert told == (
        "Ada Lovelace corrected. Backend Engineer (Python) is being sent to ada@exmaple.com right now: "
        "once it shows as sent, cancel and send again to reach ada@example.com."
    )


def test_a_send_claimed_after_a_colleague_corrected_the_email_goes_to_the_corrected_one(
    session, sandbox, hackerrank_jobs
):
    """helper-120: the send read the typo, the correction was saved, then the send took the test
    for the typo and the vendor emailed it there."""
    _integration, (stage, _) = hackerrank_jobs
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    application_id = session.get(AssessmentAttempt, attempt_id).application_id
    session.expire_all()

    with a_colleague_meanwhile(
        session, reads(Candidate), lambda own: _correct(own, application_id, "ada@example.com")
    ):
        outcome = assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM)

    session.expire_all()
    sent = session.get(AssessmentAttempt, attempt_id)
    assert outcome.sent and (sent.state, sent.invited_email) == (AttemptState.SENT, "ada@example.com")


def test_an_address_saved_before_todays_checks_does_not_stop_a_correction(session, hackerrank_jobs):
    """helper-144: "<bea@example.com>", taken as an address before it was refused, made every
    correction of Bea's name fail as "not an email address"; the address is mended too."""
    _integration, (stage, _) = hackerrank_jobs
    bea = pipeline.add_application(
        session=session, job_id=stage.job_id, name="Bea", email="bea@example.com", actor=SYSTEM
    )
    candidate = session.get(Candidate, bea.candidate_id)
    candidate.email = "<bea@example.com>"  # as it was saved then
    session.add(candidate)
    session.commit()

    _correct(session, bea.id, "<bea@example.com>", name="Bea Smith")
    _correct(session, bea.id, "bea@example.com", name="Bea Smith")

    session.expire_all()
    mended = session.get(Candidate, bea.candidate_id)
    assert (mended.name, mended.email) == ("Bea Smith", "bea@example.com")


def test_a_send_the_vendor_refused_at_the_old_address_is_not_said_to_have_reached_it(
    session, sandbox, hackerrank_jobs
):
    """helper-165: a send refused (a 400 for the typo) made nothing at the vendor; the correction said
    it "may have reached the vendor" and to cancel and send again."""
    _integration, (stage, _) = hackerrank_jobs
    attempt_id = enter_stage(session, stage, name="Ada Lovelace", email="ada@exmaple.com")
    sandbox.faults(vendor="hackerrank", fail_next=[{"status": 400}] * 2)
    assert not assessments.send_assessment(session=session, attempt_id=attempt_id, actor=SYSTEM).sent
    sandbox.faults(vendor="hackerrank")

    told = _correct(session, session.get(AssessmentAttempt, attempt_id).application_id, "ada@example.com")

    assert told == "Ada Lovelace corrected."
