"""The plan page and a connection disconnected under it: a stage's test, or its live-interview
link, that goes through it is marked in words, and repaired where a connected connection of the
same vendor lists the same test."""

from dashboard.services import plans
from dashboard.services.actors import SYSTEM
from dashboard.services.integrations import disconnect
from models import Integration
from tests.conftest import connect_screen, link_pads
from tests.states.conftest import plan_page, run_async, run_handler, toast_level


def test_a_test_and_a_live_link_through_a_disconnected_connection_are_marked_in_words(
    session, pipeline_with_assessment, signed_in_as
):
    """Found by a walk: with the stage's connection disconnected (and the vendor connected again,
    a new connection), the plan showed the test as if nothing were wrong, while every move into
    the stage was refused."""
    p = pipeline_with_assessment
    pads, _template = link_pads(session, p.onsite.id)
    page = plan_page(signed_in_as, p.job.id)
    stage = next(s for s in page.plan.stages if s.id == p.assessment.id)
    assert stage.tests[0].broken == ""  # connected: nothing to say
    assert next(s for s in page.plan.stages if s.id == p.onsite.id).live_broken == ""

    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    disconnect(session=session, integration_id=pads.id, actor=SYSTEM)
    run_async(run_handler(page, "load"))

    screen = session.get(Integration, p.integration.id).name
    assert screen.startswith("CoderPad Screen (disconnected ")  # the name says it, dated
    [test] = next(s for s in page.plan.stages if s.id == p.assessment.id).tests
    assert test.broken == (
        f"Sent through {screen}: no candidate can enter CoderPad assessment until this test is replaced."
    )
    onsite = next(s for s in page.plan.stages if s.id == p.onsite.id)
    assert onsite.live_broken == (
        f"Made through {session.get(Integration, pads.id).name}: no interview "
        "can be booked in Onsite until this link is replaced."
    )


def test_the_repair_offers_the_connection_listing_the_test_and_moves_it_there(
    session, pipeline_with_assessment, signed_in_as
):
    """Disconnected and connected again: the question offers the new connection (the sandbox says
    it lists the test), and choosing it clears the mark; with none, it says what to change."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    page = plan_page(signed_in_as, p.job.id)

    run_async(run_handler(page, "ask_repair_test", test.id, test.vendor_test_name, "CoderPad assessment"))
    assert page.repair_offers == [] and page.repair_text.startswith("No connected CoderPad Screen connection")

    again = connect_screen(session)
    run_async(run_handler(page, "ask_repair_test", test.id, test.vendor_test_name, "CoderPad assessment"))
    assert (
        page.repair_title
        == f"{test.vendor_test_name} in CoderPad assessment: its connection was disconnected"
    )
    assert [(c.value, c.label) for c in page.repair_offers] == [(str(again.id), "CoderPad Screen")]
    [toast] = run_async(run_handler(page, "use_connection", str(again.id)))

    assert toast_level(toast) == "success" and "through CoderPad Screen now" in repr(toast)
    assert page.repair_test_id == 0  # the question closed
    [shown] = next(s for s in page.plan.stages if s.id == p.assessment.id).tests
    assert shown.broken == ""


def test_a_plan_test_names_the_connection_it_goes_through(session, pipeline_with_assessment, signed_in_as):
    """Two accounts of one vendor read alike ("CoderPad Screen"): after a repair to the Berlin
    one, nothing said which the stage now used."""
    p = pipeline_with_assessment
    [test] = plans.tests_of(session, p.assessment.id)
    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    berlin = connect_screen(session, name="Berlin team")
    page = plan_page(signed_in_as, p.job.id)
    run_async(run_handler(page, "ask_repair_test", test.id, test.vendor_test_name, "CoderPad assessment"))
    run_async(run_handler(page, "use_connection", str(berlin.id)))

    [shown] = next(s for s in page.plan.stages if s.id == p.assessment.id).tests
    assert shown.vendor_name == "Berlin team (CoderPad Screen)"
