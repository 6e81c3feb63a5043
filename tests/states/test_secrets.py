"""A vendor key pasted on the integrations page never comes back: not in client state, not in logs."""

import json
import logging

from sqlmodel import select

from dashboard.services import accounts, assessments, pipeline, plans, sync
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import webhook_url
from dashboard.states.integrations import IntegrationsState
from dashboard.states.users import UsersState
from models import AssessmentAttempt, Integration, Role
from tests.conftest import SCREEN_KEY
from tests.states.conftest import run_async, run_handler, substate


def test_a_full_flow_leaves_no_key_in_client_state_or_logs(session, sandbox, signed_in_as, caplog):
    caplog.set_level(logging.DEBUG)
    root = signed_in_as(Role.ADMIN)
    page = substate(root, IntegrationsState)

    run_async(run_handler(page, "open_dialog", "coderpad_screen", 0, "", "sandbox", ""))
    updates = run_async(
        run_handler(page, "save", {"dialog": "new coderpad_screen", "name": "Screen", "api_key": SCREEN_KEY})
    )
    run_async(run_handler(page, "reveal_webhook", page.connections[0].id))
    integration = session.exec(select(Integration)).one()
    job = plans.create_job(session=session, title="Job", stage_names=["Applied"])
    stage = plans.add_assessment_stage(
        session=session,
        job_id=job.id,
        name="Test",
        integration_id=integration.id,
        vendor_test_id="101",
        vendor_test_name="Backend",
    )
    application = pipeline.add_application(
        session=session, job_id=job.id, name="A", email="a@example.com", actor=SYSTEM
    )
    moved = pipeline.move_application(
        session=session, application_id=application.id, stage_id=stage.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)
    sync.sync_integration(session=session, integration_id=integration.id)

    assert page.connections and page.connections[0].masked_key.endswith(SCREEN_KEY[-4:])
    assert "checked with the vendor" in str(updates[-1])
    client_state = json.dumps(root.dict(), default=str)
    assert SCREEN_KEY not in client_state
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert "API-Key" in logged or "HTTP Request" in logged  # the logs did cover the vendor calls
    assert SCREEN_KEY not in logged


def test_a_revealed_webhook_url_reaches_the_page_but_not_the_stored_state(session, sandbox, signed_in_as):
    """Reflex keeps every page's state server-side (in Redis in production), for an hour after
    the tab closes: a revealed webhook token must go to the browser only, as the API key does."""
    root = signed_in_as(Role.ADMIN)
    page = substate(root, IntegrationsState)
    run_async(run_handler(page, "open_dialog", "coderpad_screen", 0, "", "sandbox", ""))
    run_async(
        run_handler(page, "save", {"dialog": "new coderpad_screen", "name": "Screen", "api_key": SCREEN_KEY})
    )
    integration = session.exec(select(Integration)).one()
    token = webhook_url(integration).rsplit("token=", 1)[1]

    shown = run_async(run_handler(page, "reveal_webhook", integration.id))

    assert token.encode() not in page._serialize(), "the webhook token is kept in the page's stored state"
    assert page.revealed_id == integration.id
    assert token in str(shown), "the page was not sent the webhook URL to show"


def test_an_invited_persons_first_password_reaches_the_page_once_and_is_not_stored(signed_in_as, monkeypatch):
    """The invite's "First password (shown once)" was a state var: kept server-side (in Redis in
    production) and shown again on coming back to the users page, even after a reload."""
    monkeypatch.setattr(accounts.secrets, "token_urlsafe", lambda _n: "first-password-4242")
    page = substate(signed_in_as(Role.ADMIN), UsersState)

    shown = run_async(
        run_handler(page, "invite", {"name": "Pat", "email": "pat@example.com", "role": "recruiter"})
    )

    assert b"first-password-4242" not in page._serialize(), (
        "the first password is kept in the page's stored state"
    )
    assert "first-password-4242" in str(shown), "the page was not sent the password to hand over"
    assert page.invited_email == "pat@example.com"
    again = run_async(run_handler(page, "load"))
    assert page.invited_email == "" and "first-password-4242" not in str(again)
