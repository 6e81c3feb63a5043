"""The integrations page: mending a refused key, or asking for a sync, applies what waited for it."""

import asyncio

import pytest
import sqlalchemy as sa
from sqlmodel import select

from dashboard.services import assessments, integrations, plans, webhooks
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import list_vendor_tests
from dashboard.states.integrations import IntegrationsState
from models import AssessmentAttempt, AttemptState, Integration, Role, WebhookDelivery, new_session
from tests.conftest import (
    enter_stage,
    job_sending,
    link_pads,
    send_to_applicants,
    start_with_webhooks,
    vendor_test_stages,
)
from tests.states.conftest import run_async, run_handler, substate, watch_until


@pytest.fixture
def held_back(session, sandbox, pipeline_with_assessment) -> list[AssessmentAttempt]:
    """Three candidates started their tests while the vendor refused the connection's key."""
    sandbox.faults(drop_webhooks=True)
    attempts = send_to_applicants(session, pipeline_with_assessment.assessment, 3)
    integration = pipeline_with_assessment.integration
    start_with_webhooks(session, sandbox, integration, attempts)
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 401}] * 2)  # the key revoked
    assert webhooks.apply_pending(session=session, integration_id=integration.id) == 0  # as on arrival
    return attempts


def _page(signed_in_as):
    page = substate(signed_in_as(Role.ADMIN), IntegrationsState)
    run_async(run_handler(page, "load"))
    return page


def _settled(session, attempts) -> bool:
    session.expire_all()
    states = {session.get(AssessmentAttempt, a.id).state for a in attempts}
    return states == {AttemptState.STARTED} and all(
        d.applied_at and d.error is None for d in session.exec(select(WebhookDelivery))
    )


def test_rotating_a_refused_key_applies_the_deliveries_it_held_back_at_once(
    session, held_back, pipeline_with_assessment, signed_in_as
):
    integration = pipeline_with_assessment.integration
    page = _page(signed_in_as)
    (before,) = page.connections
    assert (before.health, before.webhooks_waiting) == ("failing", 3)

    run_async(
        run_handler(page, "open_dialog", "coderpad_screen", integration.id, integration.name, "sandbox", "")
    )
    said = run_async(
        run_handler(
            page, "save", {"dialog": f"edit {integration.id}", "api_key": "rotated-coderpad-key-4242"}
        )
    )
    assert "retry_waiting_webhooks" in repr(said)  # the save hands the retry to a background event
    said = run_async(run_handler(page, "retry_waiting_webhooks", integration.id))

    (after,) = page.connections
    assert (after.health, after.webhooks_waiting) == ("connected", 0)
    assert "Webhooks that were waiting: 3 deliveries applied." in repr(said)
    assert _settled(session, held_back)


def test_sync_now_applies_the_deliveries_waiting_for_retry(
    session, held_back, pipeline_with_assessment, signed_in_as
):
    page = _page(signed_in_as)

    said = run_async(run_handler(page, "sync_now", pipeline_with_assessment.integration.id))

    (after,) = page.connections
    assert after.webhooks_waiting == 0 and page.syncing_id == 0
    assert "corrected 3. Webhooks that were waiting: 3 deliveries applied." in repr(said)
    assert _settled(session, held_back)


def test_a_retry_tells_what_the_vendor_still_refuses(session, sandbox, held_back, pipeline_with_assessment):
    sandbox.faults(drop_webhooks=True, fail_next=[{"status": 401}] * 2)  # the key still refused

    retried = webhooks.retry_waiting(session=session, integration_id=pipeline_with_assessment.integration.id)

    assert (retried.applied, retried.closed, retried.waiting) == (0, 0, 3)
    assert retried.summary() == "Webhooks that were waiting: 0 deliveries applied, 3 still waiting."
    assert webhooks.Retried(1, 0, 0).summary() == "Webhooks that were waiting: 1 delivery applied."
    assert webhooks.Retried(2, 1, 0).summary() == (
        "Webhooks that were waiting: 2 deliveries applied, 1 could not be (see the connection's log)."
    )
    assert webhooks.Retried(0, 0, 0).summary() == ""


def test_sync_now_says_the_test_the_vendor_would_not_list_beside_what_it_checked(
    session, sandbox, signed_in_as
):
    """A test refused at HackerRank (the key's user cannot see it) no longer fails the whole
    sync: the admin is told what was checked, and which test was not listed."""
    integration, (first_stage,) = vendor_test_stages(session, "hackerrank", "Frontend Engineer")
    second_stage = job_sending(session, integration, "Backend Engineer", test_index=1)
    for stage in (first_stage, second_stage):
        attempt = session.get(AssessmentAttempt, enter_stage(session, stage))
        assessments.send_assessment(session=session, attempt_id=attempt.id, actor=SYSTEM)
    sandbox.faults(vendor="hackerrank", drop_webhooks=True, fail_next=[{"status": 403}])
    page = _page(signed_in_as)

    [toast] = run_async(run_handler(page, "sync_now", integration.id))

    assert '?.["warning"](' in repr(toast)  # a warning: most was swept, not a failure
    assert "Checked 2 open attempts; corrected 0. The test " in repr(toast)
    assert "could not be listed at HackerRank" in repr(toast) and "lacks access to this test" in repr(toast)
    (after,) = page.connections
    assert after.health == "failing"
    assert "could not be listed at HackerRank" in after.last_error


def test_a_second_sync_asked_while_one_runs_says_so_and_a_reload_frees_a_stuck_button(
    session, pipeline_with_assessment, signed_in_as
):
    page = _page(signed_in_as)
    page.syncing_id = pipeline_with_assessment.integration.id  # a sync under way (or cut short by a restart)

    said = run_async(run_handler(page, "sync_now", pipeline_with_assessment.integration.id))

    assert "still running" in repr(said) and "Checked" not in repr(said)
    run_async(run_handler(page, "load"))
    assert page.syncing_id == 0


def test_the_disconnect_question_names_the_connection_and_says_plainly_when_nothing_is_unfinished(
    session, screen, signed_in_as
):
    """Found by a walk: with nothing open it read "0 unfinished assessments will be marked failed
    (0 sent to candidates, 0 not sent yet)", under a title that said only "Disconnect"."""
    page = _page(signed_in_as)

    run_async(run_handler(page, "ask_disconnect", screen.id, "CoderPad Screen (EU team)"))

    assert page.confirm_disconnect_text == (
        "Its key is erased and its webhook stops working. "
        "It has no unfinished assessments: nothing will be marked failed."
    )
    assert page.confirm_disconnect_title == "Disconnect CoderPad Screen (EU team)?"
    [toast] = run_async(run_handler(page, "disconnect"))
    assert "Disconnected; it had no unfinished assessments." in repr(toast)


def test_the_disconnect_question_counts_the_unfinished_assessments_it_would_mark_failed(
    session, held_back, pipeline_with_assessment, signed_in_as
):
    page = _page(signed_in_as)
    integration = pipeline_with_assessment.integration

    run_async(run_handler(page, "ask_disconnect", integration.id, integration.name))

    assert page.confirm_disconnect_text == (
        "Its key is erased and its webhook stops working. "
        "3 unfinished assessments will be marked failed (3 sent to candidates, 0 not sent yet): "
        "candidates keep their links at the vendor, but Assay will no longer follow them. "
        "The stage CoderPad assessment (Backend Engineer) sends its tests: no candidate can enter it "
        "until it sends others (connecting again makes a new connection, which it does not use)."
    )
    assert page.confirm_disconnect_title == f"Disconnect {integration.name}?"
    [toast] = run_async(run_handler(page, "disconnect"))
    assert "Disconnected; 3 unfinished assessments marked failed." in repr(toast)


def test_the_disconnect_question_names_every_stage_that_sends_through_the_connection(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: an admin disconnected the demo's CoderPad Screen, connected it again, and
    every move into Backend Engineer's assessment stage was refused: the stage still sends through
    the connection disconnected, which the question had not said."""
    integration = pipeline_with_assessment.integration
    campaign = list_vendor_tests(session=session, integration_id=integration.id)[0]
    other = plans.create_job(session=session, title="Data Engineer", stage_names=["Applied"])
    plans.add_assessment_stage(
        session=session,
        job_id=other.id,
        name="Screen",
        integration_id=integration.id,
        vendor_test_id=campaign.id,
        vendor_test_name=campaign.name,
    )
    page = _page(signed_in_as)

    run_async(run_handler(page, "ask_disconnect", integration.id, integration.name))

    assert page.confirm_disconnect_text == (
        "Its key is erased and its webhook stops working. "
        "It has no unfinished assessments: nothing will be marked failed. "
        "The stages CoderPad assessment (Backend Engineer) and Screen (Data Engineer) send its tests: "
        "no candidate can enter them until they send others "
        "(connecting again makes a new connection, which they do not use)."
    )


def test_the_disconnect_question_names_the_stages_whose_interview_links_it_makes(
    session, pipeline_with_assessment, signed_in_as
):
    """Found in a review: disconnecting CoderPad Interview said nothing of Onsite, whose booked
    interviews get their pad through it, and where no interview can be booked once it is gone."""
    p = pipeline_with_assessment
    pads, _template = link_pads(session, p.onsite.id)
    page = _page(signed_in_as)

    run_async(run_handler(page, "ask_disconnect", pads.id, pads.name))

    assert page.confirm_disconnect_text.endswith(
        " Interviews booked in Onsite (Backend Engineer) get their link through it: none can be booked "
        "there until the link is repaired in the interview plan."
    )


def _fail_a_send(integration_id: int) -> None:
    """A vendor failure recorded elsewhere (a send, a sweep on another worker)."""
    with new_session() as other:
        integrations.record_vendor_error(
            session=other,
            integration=other.get(Integration, integration_id),
            message="CoderPad Screen is not answering (500).",
        )


def test_an_open_page_shows_a_connection_starting_to_fail_elsewhere(signed_in_as, pipeline_with_assessment):
    page = _page(signed_in_as)
    [card] = page.connections
    assert card.health == "connected"

    async def failing_while_open():
        failing = asyncio.create_task(asyncio.to_thread(_fail_a_send, card.id))
        await watch_until(page, lambda: page.connections[0].health == "failing")
        await failing

    run_async(failing_while_open())
    assert page.connections[0].last_error == "CoderPad Screen is not answering (500)."


def test_an_open_dialog_holds_the_page_as_it_is_until_it_closes(signed_in_as, pipeline_with_assessment):
    """A reload while the admin types in the connect dialog could redraw what they type: it waits."""
    page = _page(signed_in_as)
    [card] = page.connections
    run_async(run_handler(page, "open_dialog", "imocha", 0, "", "sandbox", ""))

    async def failing_while_typing():
        await asyncio.to_thread(_fail_a_send, card.id)
        with pytest.raises(TimeoutError):
            await watch_until(page, lambda: page.connections[0].health == "failing", timeout=1)

    run_async(failing_while_typing())
    assert page.connections[0].health == "connected" and page.dialog_open


def test_a_save_from_a_dialog_no_longer_open_changes_nothing(session, pipeline_with_assessment, signed_in_as):
    """helper-96's review: a save cancelled before its turn, landing after another dialog was
    opened, saved its boxes into that one: another connection rotated to the first one's key."""
    integration = pipeline_with_assessment.integration
    page = _page(signed_in_as)
    run_async(run_handler(page, "open_dialog", "hackerrank", 0, "", "sandbox", ""))  # another dialog now

    said = run_async(
        run_handler(
            page, "save", {"dialog": f"edit {integration.id}", "api_key": "rotated-coderpad-key-4242"}
        )
    )

    assert said in (None, []) and not page.saving
    session.expire_all()
    assert session.get(Integration, integration.id).api_key_last4 != "4242"


def test_a_save_that_fails_on_assay_s_side_says_so_in_the_dialog(
    session, pipeline_with_assessment, signed_in_as
):
    """helper-107: an error of ours (a stored secret unreadable, a database in trouble) freed the
    dialog's button and said nothing: the admin could not tell it had not been saved."""
    integration = pipeline_with_assessment.integration
    page = _page(signed_in_as)
    run_async(
        run_handler(page, "open_dialog", "coderpad_screen", integration.id, integration.name, "sandbox", "")
    )
    session.exec(sa.text("ALTER TABLE integrationlog RENAME TO integrationlog_away"))  # its audit line fails
    session.commit()

    with pytest.raises(sa.exc.DBAPIError):
        run_async(
            run_handler(
                page, "save", {"dialog": f"edit {integration.id}", "api_key": "rotated-coderpad-key-4242"}
            )
        )

    assert page.form_error.startswith("Not saved: Assay failed on its side") and not page.saving
