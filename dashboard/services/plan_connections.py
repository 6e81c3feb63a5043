"""Plan stages left on a disconnected vendor connection: marked, and moved to a connected one.

Disconnecting leaves a stage's tests (and its live-interview link) pointing at the connection,
and connecting the vendor again makes a new one, which they do not use: no candidate can enter
the stage, no interview be booked in it, while the plan looked as if nothing were wrong. The
plan page says so on the test itself, and offers to send it through a connected connection of
the same vendor, but only one the vendor says lists that very test: another account's catalogue
may hold other tests under the same ids, or none, so nothing is moved on a guess.
"""

from __future__ import annotations

from models import Integration


def _disconnected(connection: Integration | None) -> bool:
    return connection is None or connection.disconnected_at is not None


def test_warning(stage_name: str, connection: Integration | None) -> str:
    """What a stage's test through a disconnected connection stops; "" while it is connected."""
    if not _disconnected(connection):
        return ""
    through = connection.name if connection else "a connection since removed"
    return (
        f"Sent through {through}, which was disconnected: no candidate can enter {stage_name} "
        "until this test is replaced."
    )


def template_warning(stage_name: str, connection: Integration | None) -> str:
    """What a live-interview link through a disconnected connection stops; "" while it is connected."""
    if not _disconnected(connection):
        return ""
    through = connection.name if connection else "a connection since removed"
    return (
        f"Made through {through}, which was disconnected: no interview can be booked in {stage_name} "
        "until this link is replaced."
    )
