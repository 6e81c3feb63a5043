"""A candidate applies to a second job with the same iMocha test (seed 003).

iMocha's invite is idempotent per email and test: sending again would silently
hand back the first job's invitation. Assay stops, shows the earlier attempt and
its score, and offers a re-attempt, which iMocha answers with a new invitation.
"""

import pytest

from dashboard.services import assessments, attempt_actions, pipeline
from dashboard.services.actors import SYSTEM
from models import AssessmentAttempt, AttemptState
from tests.conftest import enter_stage, finished_in_stage, vendor_test_stages


@pytest.fixture
def imocha_jobs(session, sandbox):
    return vendor_test_stages(session, "imocha", "Backend", "Platform")


def test_the_second_job_shows_the_earlier_attempt_and_re_attempts_on_request(session, sandbox, imocha_jobs):
    _integration, (first_stage, second_stage) = imocha_jobs
    first = finished_in_stage(session, sandbox, first_stage, "imocha")
    first_id = first.id
    assert first.state == AttemptState.COMPLETED and first.score_percent is not None

    second_id = enter_stage(session, second_stage)
    with pytest.raises(
        assessments.EarlierAttemptExists, match=r"Backend application .*score \d+%"
    ) as earlier:
        assessments.send_assessment(session=session, attempt_id=second_id, actor=SYSTEM)
    assert (earlier.value.earlier_attempt_id, earlier.value.attempt_id) == (first_id, second_id)
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


def test_a_one_off_send_of_the_same_test_names_the_attempt_it_made_so_it_can_be_re_taken(
    session, sandbox, imocha_jobs
):
    """The application page's "send any test" made a new attempt: the refusal names it, not a stale one."""
    integration, (first_stage, second_stage) = imocha_jobs
    first = finished_in_stage(session, sandbox, first_stage, "imocha")
    first_id = first.id
    application = pipeline.add_application(
        session=session, job_id=second_stage.job_id, name="Ada", email="ada@example.com", actor=SYSTEM
    )

    with pytest.raises(assessments.EarlierAttemptExists) as earlier:
        attempt_actions.send_one_off(
            session=session,
            application_id=application.id,
            integration_id=integration.id,
            vendor_test_id=first.vendor_test_id,
            vendor_test_name=first.vendor_test_name,
            actor=SYSTEM,
        )
    made = session.get(AssessmentAttempt, earlier.value.attempt_id)
    assert earlier.value.earlier_attempt_id == first_id
    assert made.application_id == application.id and made.state == AttemptState.READY_TO_SEND

    outcome = attempt_actions.reattempt(
        session=session, attempt_id=made.id, of_attempt_id=first_id, actor=SYSTEM
    )

    session.refresh(made)
    assert outcome.sent and made.state == AttemptState.SENT and made.retakes_attempt_id == first_id
