"""The test picker never shows one connection's tests under another connection's name."""

from dashboard.states.plan import PlanState
from models import Role
from tests.conftest import connect_pads, vendor_test_stages
from tests.states.conftest import follow, run_async, run_handler, substate


def test_changing_the_connection_clears_the_old_tests_until_the_new_ones_arrive(
    session, sandbox, signed_in_as
):
    _, (stage,) = vendor_test_stages(session, "coderpad_screen", "Backend")
    signal, _ = vendor_test_stages(session, "codesignal")
    plan = substate(signed_in_as(Role.ADMIN), PlanState)

    run_async(run_handler(plan, "open_add_test", stage.id, stage.name, False))
    run_async(run_handler(plan, "load_tests", False))
    screen_tests = [t.label for t in plan.tests]
    assert screen_tests and plan.test_id == plan.tests[0].value

    [load_next] = run_async(run_handler(plan, "set_connection_id", str(signal.id)))
    # The same update that names the new connection empties the list (the page disables it).
    assert (plan.connection_id, plan.tests, plan.test_id) == (str(signal.id), [], "")
    assert load_next.handler.fn.__name__ == "load_tests"

    run_async(run_handler(plan, "load_tests", False))
    signal_tests = [t.label for t in plan.tests]
    assert signal_tests and signal_tests != screen_tests and not plan.loading_tests


def test_adding_a_test_opens_on_the_first_connection_that_has_tests(session, sandbox, signed_in_as):
    screen, (stage,) = vendor_test_stages(session, "coderpad_screen", "Backend")
    pads = connect_pads(session)  # live pads only: sorted first, and no tests to add
    plan = substate(signed_in_as(Role.ADMIN), PlanState)

    [opening] = run_async(run_handler(plan, "open_add_test", stage.id, stage.name, False))
    follow(plan, opening)

    assert plan.connections[0].value == str(pads.id)  # still offered
    assert plan.connection_id == str(screen.id)
    assert plan.tests and plan.test_id == plan.tests[0].value and plan.picker_error == ""
    assert not plan.loading_tests

    # Picked by hand, the connection without tests says so.
    follow(plan, run_async(run_handler(plan, "set_connection_id", str(pads.id)))[0])
    assert (plan.tests, plan.picker_error) == ([], "This connection has no tests.")
