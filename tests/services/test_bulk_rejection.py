"""Rejecting the candidates selected on a board at once, each as one rejection is."""

import pytest

from dashboard.services import accounts, bulk_rejection, pipeline, plans, review
from dashboard.services.actors import SYSTEM, user
from dashboard.services.errors import UserError
from models import Application, AttemptState, Role
from tests.conftest import send_test


@pytest.fixture
def rita(session):
    recruiter, _ = accounts.create_user(
        session=session, email="rita@example.com", name="Rita", role=Role.RECRUITER
    )
    return user(recruiter.id, recruiter.name)


def _applicant(session, job_id: int, name: str) -> Application:
    email = name.split()[0].lower() + "@example.com"
    return pipeline.add_application(session=session, job_id=job_id, name=name, email=email, actor=SYSTEM)


def _rejected_already(session, job_id: int, count: int, actor) -> list[Application]:
    """``count`` applicants of the job, each rejected already (by ``actor``)."""
    applicants = [_applicant(session, job_id, f"Rejected{n:02d} Already") for n in range(count)]
    for applicant in applicants:
        review.reject(
            session=session,
            application_id=applicant.id,
            reason="Other",
            note="",
            expected_version=0,
            actor=actor,
        )
    return applicants


def test_the_selection_is_rejected_each_on_its_own_and_those_passed_over_say_why(
    session, pipeline_with_assessment, sandbox, rita
):
    p = pipeline_with_assessment
    ada = send_test(session, p.assessment, p.application)  # her unstarted test is withdrawn
    grace, bea = (_applicant(session, p.job.id, n) for n in ("Grace Hopper", "Bea King"))
    review.reject(
        session=session, application_id=bea.id, reason="Other", note="", expected_version=0, actor=rita
    )
    elsewhere = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    cy = _applicant(session, elsewhere.id, "Cy Young")  # another job's: never touched from this board
    ids = [p.application.id, grace.id, bea.id, cy.id]

    selected = bulk_rejection.before_rejecting(session, p.job.id, ids)
    # A colleague advances Grace while the dialog is open: their decision stands.
    review.advance(
        session=session,
        application_id=grace.id,
        expected_version=selected.versions[grace.id],
        seen_in=grace.stage_id,
        actor=rita,
    )
    outcomes = bulk_rejection.reject_selected(
        session=session,
        job_id=p.job.id,
        versions=selected.versions,
        reason="Score below the bar",
        note="Screened as a batch",
        actor=rita,
    )

    assert set(selected.versions) == {p.application.id, grace.id, bea.id}
    assert (
        selected.also[0]
        == "Ada Lovelace: Their open CoderPad Screen test, Backend Engineer (Python), will be withdrawn."
    )
    assert selected.also[1] == "Bea King is rejected already, and stays as they are."
    assert [(o.name, o.rejection is not None) for o in outcomes] == [
        ("Ada Lovelace", True),
        ("Bea King", False),
        ("Grace Hopper", False),
    ]
    session.expire_all()
    assert session.get(Application, p.application.id).rejection_reason == "Score below the bar"
    assert session.get(Application, grace.id).rejected_at is None  # the colleague's decision stands
    assert session.get(Application, cy.id).rejected_at is None
    session.refresh(ada)
    assert ada.state == AttemptState.CANCELLED
    text, trouble = bulk_rejection.told(outcomes, "Score below the bar")
    assert trouble
    assert text.startswith(
        "Rejected 1 of 3 (Score below the bar). 1 test withdrawn at the vendor. "
        "Bea King: This candidate was already rejected. Grace Hopper: Someone decided on this application"
    )


def test_no_reason_rejects_no_one(session, pipeline_with_assessment, rita):
    p = pipeline_with_assessment
    selected = bulk_rejection.before_rejecting(session, p.job.id, [p.application.id])

    with pytest.raises(UserError, match="Pick the reason"):
        bulk_rejection.reject_selected(
            session=session, job_id=p.job.id, versions=selected.versions, reason="", note="", actor=rita
        )

    session.expire_all()
    assert session.get(Application, p.application.id).rejected_at is None


def test_a_long_selection_says_its_first_lines_and_counts_the_rest(session, pipeline_with_assessment, rita):
    p = pipeline_with_assessment
    applicants = _rejected_already(session, p.job.id, 12, rita)

    selected = bulk_rejection.before_rejecting(session, p.job.id, [a.id for a in applicants])

    assert len(selected.also) == bulk_rejection.SAID_AT_MOST
    assert selected.also[-1] == "Not listed here: 5 more candidates; the toast says what was done."
    assert len(selected.versions) == 12  # each is rejected all the same


def test_all_rejected_is_told_as_a_success(session, pipeline_with_assessment, rita):
    p = pipeline_with_assessment
    grace = _applicant(session, p.job.id, "Grace Hopper")
    selected = bulk_rejection.before_rejecting(session, p.job.id, [p.application.id, grace.id])

    outcomes = bulk_rejection.reject_selected(
        session=session,
        job_id=p.job.id,
        versions=selected.versions,
        reason="Position filled",
        note="",
        actor=rita,
    )

    assert bulk_rejection.told(outcomes, "Position filled") == (
        "Rejected 2 candidates (Position filled).",
        False,
    )


def test_a_toast_of_many_passed_over_names_three_and_counts_the_rest(session, pipeline_with_assessment, rita):
    p = pipeline_with_assessment
    applicants = _rejected_already(session, p.job.id, 5, rita)
    selected = bulk_rejection.before_rejecting(session, p.job.id, [a.id for a in applicants])

    outcomes = bulk_rejection.reject_selected(
        session=session, job_id=p.job.id, versions=selected.versions, reason="Other", note="", actor=rita
    )

    text, trouble = bulk_rejection.told(outcomes, "Other")
    assert trouble and text.endswith("And 2 more.")
