"""Two admins changing one vendor connection at once: the second finds what the first did.

helper-118: both Disconnects went through (each failed the open tests again in the history and
the audit log, and renamed the retired connection twice); a Rename racing a Disconnect gave the
retired connection the new name, which then refused a new connection by that name.
"""

import pytest
from sqlmodel import select

from dashboard.services import assessments, integrations
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import NotFound
from models import ApplicationEvent, AssessmentAttempt, AttemptState, Integration, IntegrationLog
from tests.conftest import a_colleague_meanwhile, reads, send_test


def _colleague_disconnects(integration_id: int):
    return lambda own: integrations.disconnect(session=own, integration_id=integration_id, actor=SYSTEM)


def test_two_admins_disconnecting_one_connection_at_once_disconnect_it_once(
    session, pipeline_with_assessment
):
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)

    with (
        a_colleague_meanwhile(session, reads(AssessmentAttempt), _colleague_disconnects(p.integration.id)),
        pytest.raises(NotFound, match="no longer exists"),
    ):
        integrations.disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)

    session.expire_all()
    failed = session.exec(
        select(ApplicationEvent).where(
            ApplicationEvent.attempt_id == attempt.id, ApplicationEvent.to_state == "error"
        )
    ).all()
    disconnects = session.exec(
        select(IntegrationLog).where(IntegrationLog.message.startswith("Disconnected"))  # type: ignore[union-attr]
    ).all()
    assert (len(failed), len(disconnects)) == (1, 1)
    assert session.get(Integration, p.integration.id).name.endswith(")")  # retired once: "(disconnected ...)"
    assert ", 2)" not in session.get(Integration, p.integration.id).name


def test_a_rename_as_a_colleague_disconnects_does_not_name_the_retired_connection(session, screen):
    with (
        a_colleague_meanwhile(session, reads(Integration), _colleague_disconnects(screen.id)),
        pytest.raises(NotFound, match="no longer exists"),
    ):
        integrations.rename_connection(
            session=session, integration_id=screen.id, name="Renamed", actor=SYSTEM
        )

    session.expire_all()
    assert session.get(Integration, screen.id).name.startswith("CoderPad Screen (disconnected ")


def test_a_sync_interval_set_as_a_colleague_disconnects_is_refused(session, screen):
    screen_id = screen.id
    session.expire_all()  # the connection read from the database, as a page's request does
    with (
        a_colleague_meanwhile(session, reads(Integration), _colleague_disconnects(screen_id)),
        pytest.raises(NotFound, match="no longer exists"),
    ):
        integrations.set_sync_interval(session=session, integration_id=screen_id, seconds=300, actor=SYSTEM)

    session.expire_all()
    assert session.get(Integration, screen_id).sync_every_seconds is None


def test_a_result_applied_as_an_admin_disconnects_is_not_written_over_as_failed(
    session, pipeline_with_assessment, sandbox
):
    """helper-159: the disconnect read the open attempts, a webhook applied the candidate's result,
    and the disconnect wrote "failed" over it from its copy: the score hidden, no sync to bring it back."""
    p = pipeline_with_assessment
    attempt = send_test(session, p.assessment, p.application)
    sandbox.start(attempt.vendor_attempt_id)
    sandbox.submit(attempt.vendor_attempt_id)

    def result_arrives(own) -> None:
        assert assessments.refresh_attempt(session=own, attempt_id=attempt.id, actor=SYSTEM).sent

    with a_colleague_meanwhile(session, reads(AssessmentAttempt), result_arrives):
        affected = integrations.disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)

    session.expire_all()
    kept = session.get(AssessmentAttempt, attempt.id)
    assert (affected, kept.state, kept.error_reason) == (0, AttemptState.COMPLETED, None)
    assert kept.score_percent is not None
