"""A send the vendor would answer with another job's invitation: offer a re-attempt instead.

Some vendors (iMocha) answer an invite for the same email and test with the invitation
the candidate already used, score and all. ``send_assessment`` stops before that
(``EarlierAttemptExists``); the page that asked then shows this choice in place: a
fresh re-attempt of the earlier test (or, while the earlier invitation is still open, the
reason it cannot be yet), or not now. For the application page and the queue.
"""

from __future__ import annotations

import reflex as rx

from dashboard.services import assessments, attempt_actions
from dashboard.services.permissions import Permission
from dashboard.states.auth import requires
from dashboard.states.common import in_session


class EarlierAttemptChoice(rx.State, mixin=True):
    """The earlier attempt found, and the attempt that was to be sent."""

    earlier_attempt_id: int = 0  # 0: no choice to make
    earlier_message: str = ""
    earlier_for_attempt_id: int = 0
    earlier_not_now: str = ""  # why the earlier attempt cannot be re-taken yet ("": it can)

    async def _offer_reattempt(self, refusal: assessments.EarlierAttemptExists) -> None:
        earlier = refusal.earlier_attempt_id
        self.earlier_not_now = await in_session(lambda s: attempt_actions.why_not_retake(s, earlier))
        self.earlier_for_attempt_id = refusal.attempt_id
        self.earlier_attempt_id, self.earlier_message = earlier, str(refusal)

    def _take_choice(self) -> tuple[int, int]:
        """(the attempt to send, the earlier attempt to re-take), the dialog closed; (0, 0) once
        taken: a second click, queued behind the first, re-attempted the attempt just sent, named
        no earlier one, and told of an error after the re-attempt had gone (helper-130)."""
        chosen = (self.earlier_for_attempt_id, self.earlier_attempt_id) if self.earlier_attempt_id else (0, 0)
        self.earlier_attempt_id = self.earlier_for_attempt_id = 0
        return chosen

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def close_earlier(self, value: bool):
        if not value:
            self.earlier_attempt_id = 0
