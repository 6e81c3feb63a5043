"""The plan page's repair of a test (or live-interview link) left on a disconnected connection.

Its question asks the vendor, through each connected connection of the test's vendor, whether it
lists the test (``plan_connections``), and offers "Use <connection>" only for those that do; with
none, it says what to change in the plan instead. Asking is a round trip to the vendor, so it is
done when the recruiter opens the question, not on every live refresh of the page.
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import plan_connections, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.states.auth import acting_user, requires
from dashboard.states.common import in_session


class ConnectionRepair(rx.State, mixin=True):
    """The repair question; the page state mixing it in reloads the plan (``_reload``)."""

    repair_test_id: int = 0  # the stage's test being repaired, or
    repair_link_stage_id: int = 0  # the stage whose live-interview link is
    repair_title: str = ""
    repair_asking: bool = False  # the vendor is being asked which connections list it
    repair_text: str = ""
    repair_offers: list[views.Choice] = []

    async def _ask(self, find):
        self.repair_text, self.repair_offers, self.repair_asking = "", [], True
        yield
        try:
            repair = await in_session(find)
        except UserError as err:  # repaired or removed meanwhile, in another tab
            self.repair_test_id = self.repair_link_stage_id = 0
            self.repair_asking = False
            await self._reload()
            yield rx.toast.error(str(err))
            return
        self.repair_text = repair.text
        self.repair_offers = [views.Choice(str(i), name) for i, name in repair.offers]
        self.repair_asking = False

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def ask_repair_test(self, stage_test_id: int, test_name: str, stage_name: str):
        """Open the question for a stage's test: which connected connections list it."""
        self.repair_test_id, self.repair_link_stage_id = stage_test_id, 0
        self.repair_title = f"{test_name} in {stage_name}: its connection was disconnected"
        async for update in self._ask(lambda s: plan_connections.repair_for_test(s, stage_test_id)):
            yield update

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def ask_repair_link(self, stage_id: int, stage_name: str):
        """Open the question for a stage's live-interview link."""
        self.repair_test_id, self.repair_link_stage_id = 0, stage_id
        self.repair_title = f"The live-interview link of {stage_name}: its connection was disconnected"
        async for update in self._ask(lambda s: plan_connections.repair_for_link(s, stage_id)):
            yield update

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_repair_open(self, open_: bool):
        if not open_:
            self.repair_test_id = self.repair_link_stage_id = 0

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def use_connection(self, integration_id: str):
        """The recruiter chose a connection the question offered: move the test (or link) to it."""
        test_id, stage_id, actor = self.repair_test_id, self.repair_link_stage_id, acting_user()
        self.repair_test_id = self.repair_link_stage_id = 0

        def use(s) -> str:
            if test_id:
                return plan_connections.use_for_test(
                    session=s, stage_test_id=test_id, integration_id=int(integration_id), actor=actor
                )
            return plan_connections.use_for_link(
                session=s, stage_id=stage_id, integration_id=int(integration_id), actor=actor
            )

        try:
            said = await in_session(use)
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(said)
