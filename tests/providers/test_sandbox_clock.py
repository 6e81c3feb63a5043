"""The sandbox's clock, which the demo seed and some tests stop at a moment."""

import datetime
import time

from providers.sandbox.world import World


def test_a_stopped_clock_runs_again_by_itself_once_its_hold_is_over():
    """Found in a review: a demo seed killed outright (no ``finally`` to start the clock again)
    left a long-running sandbox stamping every later invitation with its last moment."""
    world = World(public_url="http://127.0.0.1:1")
    moment = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)

    world.stop_clock(moment, hold=1.0)
    held = world.now()
    world.stop_clock(moment, hold=1.0)  # each step of the seed stops it anew
    time.sleep(0.2)  # far inside the hold, however busy the machine
    still = world.now()
    time.sleep(1.0)

    assert held == still == moment
    assert abs(world.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(seconds=5)
    assert world.stopped_at is None
