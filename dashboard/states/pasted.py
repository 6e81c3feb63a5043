"""The board's "Paste a list" dialog: many candidates added to the job at once.

The board reloads by itself (each candidate added moves the job's revision), so this state
only holds the dialog: the list as last left, the lines refused and why.
"""

from __future__ import annotations

import logging

import reflex as rx

from dashboard.services import pasted_candidates
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission, require
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import id_in_path, in_session

log = logging.getLogger(__name__)

PASTED_LIST_ID = "pasted-candidates"


class PastedListState(rx.State):
    """What the dialog shows: the list (kept when it closes), and the last add's refusals."""

    # The list as the recruiter left it: the box is drawn from it when the dialog opens again,
    # so closing it to look something up loses nothing typed.
    text: str = ""
    _for_job: int = 0  # the job whose board the list was typed on
    open: bool = False
    adding: bool = False
    # Bumped by every list the state answers; the form sends the one it was drawn with, so a
    # double click's second submit (the whole list again, "already in this job" each) is let go.
    generation: int = 0
    refused: list[str] = []  # "Line 3 (bob@): 'bob@' is not an email address …"
    renamed: list[str] = []  # an email known under another name: the card kept that name

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_open(self, value: bool):
        """Open or close the dialog; what it held stays for the next time, on the same job's
        board only: on another job's, the last list (its lines "already in this job") was
        offered again, and sent it would have added that job's candidates to this one."""
        if value and self._for_job != id_in_path(self, "jobs"):
            self.text, self.refused, self.renamed = "", [], []
            self._for_job = id_in_path(self, "jobs")
        self.open = bool(value)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def keep(self, value: str):
        """The box's text, kept as it loses the focus (Close included)."""
        self.text = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def add(self, form: dict):
        """Add each line's candidate; the lines refused stay in the box, each reason listed."""
        if str(form.get("generation")) != str(self.generation):
            return
        self.generation += 1
        text, job_id, actor = str(form.get("lines", "")), id_in_path(self, "jobs"), acting_user()
        # The last add's refusals go: beside a list refused whole, they read as this one's.
        self.text, self.adding, self.refused, self.renamed = text, True, [], []
        yield
        try:
            require(current_user(), Permission.MANAGE_PIPELINE, job_id=job_id)
            # Slow: a first stage sending on entry asks the vendor once a line.
            outcome = await in_session(
                lambda s: pasted_candidates.add_pasted(session=s, job_id=job_id, text=text, actor=actor),
                slow=True,
            )
        except UserError as err:
            yield rx.toast.error(str(err))
            return
        except Exception:  # the database away mid-list: each line added went in on its own
            log.exception("adding a pasted list to job %s failed", job_id)
            yield rx.toast.error(
                "Adding the list stopped on an unexpected error. The board shows who was added; "
                "the list stays here (added again, those lines say they are already in this job)."
            )
            return
        finally:
            self.adding = False
        self.refused, self.renamed = outcome.refused, outcome.renamed
        self.text = "\n".join(outcome.refused_lines)
        yield rx.set_value(PASTED_LIST_ID, self.text)
        yield (rx.toast.error if outcome.refused or outcome.not_sent else rx.toast.success)(outcome.message)
