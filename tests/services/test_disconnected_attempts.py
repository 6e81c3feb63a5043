"""An assessment whose connection was disconnected: the refusal says what can be done.

It said "reconnect it first", but a connection made again is a new one, which the assessment does
not use: reconnecting changed nothing, and the recruiter was left with no way forward.
"""

import pytest

from dashboard.services import assessments, attempt_actions
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from dashboard.services.integrations import disconnect
from models import AssessmentAttempt, Integration, utcnow
from tests.conftest import connect_screen, send_test


def test_sending_an_assessment_whose_connection_was_disconnected_says_to_send_it_through_a_connected_one(
    session, pipeline_with_assessment, sandbox
):
    """A test opened on a page from before the disconnect (Send an assessment, not yet sent)."""
    p = pipeline_with_assessment
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    connect_screen(session)  # connected again: a new connection
    attempt = assessments.create_attempt(
        session,
        application=p.application,
        integration_id=p.integration.id,
        vendor_test_id="any",
        vendor_test_name="Python screen",
        actor=SYSTEM,
    )
    session.commit()

    with pytest.raises(UserError) as refused:
        assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    old = session.get(Integration, p.integration.id).name
    assert str(refused.value) == (
        f"Python screen cannot be sent: it goes through {old}, and a connection made again is a new "
        "one, which it does not use. Send the candidate the test through a connected vendor instead "
        "(Send an assessment on their application page)."
    )


def test_acting_on_an_assessment_whose_connection_was_disconnected_says_what_can_be_done(
    session, pipeline_with_assessment, sandbox
):
    """A Cancel clicked on a page drawn before an admin disconnected the connection."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    integration = session.get(Integration, p.integration.id)
    integration.disconnected_at, integration.name = utcnow(), "CoderPad Screen (disconnected just now)"
    session.add(integration)
    session.commit()

    with pytest.raises(UserError) as refused:
        attempt_actions.cancel_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)

    assert str(refused.value) == (
        f"{attempt.vendor_test_name} cannot be reached at the vendor: it went through CoderPad Screen "
        "(disconnected just now), and a connection made again is a new one, which it does not use. "
        "To test the candidate again, send them the test through a connected vendor "
        "(Send an assessment on their application page)."
    )
    assert session.get(AssessmentAttempt, attempt.id).state.value == "sent"
