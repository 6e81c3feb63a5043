"""The vendor's PDF report, fetched by Assay for a signed-in member of the job's team."""

import httpx

from dashboard.services import accounts, pipeline, plans, sync, views
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import disconnect
from models import AssessmentAttempt, Role
from tests.conftest import taken_at_vendor


def _finished(session, p, sandbox) -> AssessmentAttempt:
    attempt = taken_at_vendor(session, sandbox, p)
    sync.sync_integration(session=session, integration_id=p.integration.id)
    return attempt


def _cookie(session, email: str, role: Role, job_ids=()) -> dict:
    user, password = accounts.create_user(session=session, email=email, name=email.split("@")[0], role=role)
    for job_id in job_ids:
        accounts.set_job_member(session=session, user_id=user.id, job_id=job_id, member=True)
    return {"assay_session": accounts.sign_in(session=session, email=email, password=password)}


def test_a_team_member_gets_the_vendors_pdf(session, pipeline_with_assessment, sandbox, assay_api):
    attempt = _finished(session, pipeline_with_assessment, sandbox)
    cookies = _cookie(session, "riley@example.com", Role.RECRUITER)

    answer = httpx.get(f"{assay_api}/api/reports/{attempt.id}.pdf", cookies=cookies, timeout=10)

    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and b"Ada Lovelace" in answer.content
    assert "Ada%20Lovelace" in answer.headers["content-disposition"]


def test_the_pdf_is_refused_to_strangers_and_before_the_end(
    session, pipeline_with_assessment, sandbox, assay_api
):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    recruiter = _cookie(session, "riley@example.com", Role.RECRUITER)
    other_job = plans.create_job(session=session, title="Designer", stage_names=["Applied"])
    other_manager = _cookie(session, "harper@example.com", Role.HIRING_MANAGER, job_ids=[other_job.id])

    signed_out = httpx.get(f"{assay_api}/api/reports/{moved.attempt_id}.pdf", timeout=10)
    signed_out_missing = httpx.get(f"{assay_api}/api/reports/{moved.attempt_id + 999}.pdf", timeout=10)
    stranger_missing = httpx.get(
        f"{assay_api}/api/reports/{moved.attempt_id + 999}.pdf", cookies=other_manager, timeout=10
    )
    not_theirs = httpx.get(
        f"{assay_api}/api/reports/{moved.attempt_id}.pdf", cookies=other_manager, timeout=10
    )
    not_finished = httpx.get(f"{assay_api}/api/reports/{moved.attempt_id}.pdf", cookies=recruiter, timeout=10)

    # Signed out, an attempt that exists and one that does not are told apart by nothing.
    assert signed_out.status_code == signed_out_missing.status_code == 401
    assert signed_out.json() == signed_out_missing.json() and "Sign in" in signed_out.json()["message"]
    assert not_theirs.status_code == 403 and stranger_missing.status_code == 404
    assert not_finished.status_code == 404 and "finished" in not_finished.json()["message"]


def test_the_pdf_of_a_disconnected_connection_s_test_is_neither_offered_nor_a_server_error(
    session, pipeline_with_assessment, sandbox, assay_api
):
    """helper-107: the link stayed on the application page after the connection was disconnected,
    and followed, it answered 500 (its key erased, read as a changed master key)."""
    p = pipeline_with_assessment
    attempt = _finished(session, p, sandbox)
    cookies = _cookie(session, "riley@example.com", Role.RECRUITER)
    disconnect(session=session, integration_id=p.integration.id)

    answer = httpx.get(f"{assay_api}/api/reports/{attempt.id}.pdf", cookies=cookies, timeout=10)

    assert answer.status_code == 404 and "disconnected" in answer.json()["message"]
    [shown] = views.application(session, p.application.id).attempts
    assert shown.report_pdf_url == ""
