"""A candidate applies to a second job with the same iMocha test (seed 003).

iMocha's invite is idempotent per email and test: sending again would silently
hand back the first job's invitation. Assay stops, shows the earlier attempt and
its score, and offers a re-attempt, which iMocha answers with a new invitation.
"""

import pytest

from dashboard.services import assessments, attempt_actions, sync
from dashboard.services.actors import SYSTEM
from models import AssessmentAttempt, AttemptState
from tests.conftest import enter_stage, vendor_test_stages


@pytest.fixture
def imocha_jobs(session, sandbox):
    return vendor_test_stages(session, "imocha", "Backend", "Platform")


def test_the_second_job_shows_the_earlier_attempt_and_re_attempts_on_request(session, sandbox, imocha_jobs):
    integration, (first_stage, second_stage) = imocha_jobs
    first_id = enter_stage(session, first_stage)
    assessments.send_assessment(session=session, attempt_id=first_id, actor=SYSTEM)
    first = session.get(AssessmentAttempt, first_id)
    sandbox.act(first.vendor_attempt_id, "start", vendor="imocha")
    sandbox.act(first.vendor_attempt_id, "submit", vendor="imocha")
    sync.sync_integration(session=session, integration_id=integration.id)
    session.refresh(first)
    assert first.state == AttemptState.COMPLETED and first.score_percent is not None

    second_id = enter_stage(session, second_stage)
    with pytest.raises(
        assessments.EarlierAttemptExists, match=r"Backend application .*score \d+%"
    ) as earlier:
        assessments.send_assessment(session=session, attempt_id=second_id, actor=SYSTEM)
    assert earlier.value.earlier_attempt_id == first_id
    assert session.get(AssessmentAttempt, second_id).state == AttemptState.READY_TO_SEND
    assert sandbox.stats("imocha")["invitations_created"] == 1

    outcome = attempt_actions.reattempt(
        session=session, attempt_id=second_id, of_attempt_id=first_id, actor=SYSTEM
    )

    second = session.get(AssessmentAttempt, second_id)
    session.refresh(first)
    assert outcome.sent and second.state == AttemptState.SENT
    assert second.retakes_attempt_id == first_id and second.vendor_attempt_id != first.vendor_attempt_id
    assert first.state == AttemptState.COMPLETED and first.score_percent is not None  # never overwritten


def test_another_candidate_is_not_stopped(session, sandbox, imocha_jobs):
    _integration, (first_stage, second_stage) = imocha_jobs
    assessments.send_assessment(session=session, attempt_id=enter_stage(session, first_stage), actor=SYSTEM)

    outcome = assessments.send_assessment(
        session=session,
        attempt_id=enter_stage(session, second_stage, email="grace@example.com"),
        actor=SYSTEM,
    )

    assert outcome.sent
