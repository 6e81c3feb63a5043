"""Picking a vendor connection and one of its tests, live from the vendor: shared by pages.

The plan page (a stage's tests, or its live-interview template) and the
application page (a one-off send, or another test for one candidate) both offer
it. Each connection's list is fetched once and cached until "Refresh".
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import integrations as integration_service
from dashboard.services import views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import requires
from dashboard.states.common import in_session


class TestPicker(rx.State, mixin=True):
    """Connection and test choices; ``picker_live`` picks live-interview templates instead of tests."""

    connections: list[views.Choice] = []
    connection_id: str = ""
    tests: list[views.Choice] = []
    test_id: str = ""
    loading_tests: bool = False
    picker_error: str = ""
    picker_live: bool = False
    _test_cache: dict[str, list[tuple[str, str, bool]]] = {}

    async def _open_picker(self, *, live: bool) -> bool:
        """Fill the connections; False (with the reason shown) when none is connected."""
        self.connections = await in_session(views.connections)
        self.connection_id = self.connections[0].value if self.connections else ""
        self.tests, self.test_id, self.picker_error, self.picker_live = [], "", "", live
        if not self.connections:
            self.picker_error = "No vendor is connected yet: connect one on the integrations page."
        return bool(self.connections)

    def _picked_name(self) -> str:
        return next((t.label for t in self.tests if t.value == self.test_id), self.test_id)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_connection_id(self, value: str):
        # The old connection's tests go in the same update as the new connection, so the
        # test list never offers one connection's tests under another's name.
        self.connection_id, self.tests, self.test_id, self.picker_error = value, [], "", ""
        return type(self).load_tests(False)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_test_id(self, value: str):
        self.test_id = value

    async def _fetch_tests(self, key: str) -> None:
        """Ask the vendor for one connection's tests and cache them; UserError says why not."""
        found = await in_session(
            lambda s: integration_service.list_vendor_tests(session=s, integration_id=int(key))
        )
        self._test_cache = {**self._test_cache, key: [(t.id, t.name, t.live_interview) for t in found]}

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def open_on_first_with_tests(self):
        """Start on the first connection offering what is being picked, not merely the first listed.

        A live-pad connection (CoderPad Interview) has no tests and most connections have
        no live-interview templates: opening on one of those would greet the recruiter with
        "no tests". The others stay in the list, and one picked by hand still says so.
        """
        self.loading_tests, self.picker_error = True, ""
        yield
        for choice in self.connections:
            if choice.value not in self._test_cache:
                try:
                    await self._fetch_tests(choice.value)
                except UserError:
                    continue  # kept on the connection's health; its own turn in the list shows it
            if any(live == self.picker_live for _i, _n, live in self._test_cache[choice.value]):
                self.connection_id = choice.value
                break
        self.loading_tests = False
        yield type(self).load_tests(False)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def load_tests(self, refresh: bool):
        """The connection's tests, live from the vendor (cached until refreshed)."""
        key = self.connection_id
        if not key:
            return
        if refresh or key not in self._test_cache:
            self.loading_tests, self.picker_error = True, ""
            yield
            try:
                await self._fetch_tests(key)
            except UserError as err:
                self.tests, self.test_id, self.loading_tests, self.picker_error = [], "", False, str(err)
                return
        wanted = [(i, n) for i, n, live in self._test_cache[key] if live == self.picker_live]
        self.tests = [views.Choice(i, n) for i, n in wanted]
        self.test_id = self.tests[0].value if self.tests else ""
        self.loading_tests = False
        if not self.tests:
            kind = "live-interview templates" if self.picker_live else "tests"
            self.picker_error = f"This connection has no {kind}."
