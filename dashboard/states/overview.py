"""The jobs list, live, and creating a job."""

from __future__ import annotations

import time

import reflex as rx

from dashboard.services import pipeline, plans, views
from dashboard.services.errors import SameTitle, UserError
from dashboard.services.permissions import Permission
from dashboard.states import live
from dashboard.states.auth import current_user, requires
from dashboard.states.common import in_session

STARTING_PLAN = ["Applied", "Recruiter screen", "Onsite", "Offer"]
SEARCH_BOX_ID = "jobs-search"
# A second "New job" for the title just made, this soon, is the second press of a double click.
DOUBLE_CLICK_SECONDS = 10.0


class JobsState(rx.State):
    """Every job with its counts."""

    jobs: list[views.JobSummary] = []
    # How many jobs the search matches (every job the user sees, with no search); ``jobs`` holds
    # the newest ``views.JOBS_SHOWN`` of them.
    total: int = 0
    # The title search, kept from one visit to the next as the queue's and the board's are.
    search: str = ""
    revision: int = -1
    loaded: bool = False  # "No jobs yet." only once the list is read, not while it loads
    creating: bool = False  # a job is being made, its plan about to open
    # The job this tab made last, and when: the second press of a double click finds it.
    _made_title: str = ""
    _made_at: float = 0.0
    # A new job's title another job has: the title typed, and that job, until the recruiter
    # goes on, submits another title or leaves the page.
    same_title_asked: str = ""
    same_title_job_id: int = 0
    same_title_job: str = ""

    async def _reload(self) -> None:
        visible, search = current_user().visible_job_ids, self.search

        def load(session):
            return pipeline.workspace_revision(session), views.find_jobs(session, visible, search)

        self.revision, found = await in_session(load)
        self.jobs, self.total = found.jobs, found.total
        self.loaded = True

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        self.creating = False
        self.same_title_asked, self.same_title_job_id, self.same_title_job = "", 0, ""
        await self._reload()
        return JobsState.watch  # after the load: the watch starts from what it read

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def search_jobs(self, value: str):
        """Narrow the list to the jobs whose title holds what is typed (as it is typed)."""
        self.search = value
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def clear_search(self):
        """Every job again, and the search box focused for the next search."""
        self.search = ""
        await self._reload()
        return rx.set_focus(SEARCH_BOX_ID)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def create_job(self, form: dict):
        """A new job with a starting plan (Applied, Recruiter screen, Onsite, Offer), edited later.

        The second click of a double click arrives once the first has made the job: it makes
        none (it made a second job of the same title, side by side on the list). A title the team
        already has is asked about first (see ``plans.create_job``): the page offers the job
        there is, and a second one of that title for whoever means it.
        """
        return await self._create(str(form.get("title", "")), same_title_meant=False)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def create_same_title(self):
        """The job asked about, of the title another job has, made as the recruiter confirmed."""
        if not self.same_title_asked:
            return None
        return await self._create(self.same_title_asked, same_title_meant=True)

    async def _create(self, title: str, *, same_title_meant: bool):
        # Not ``creating`` alone: it stays set until the jobs page loads again, so a title typed
        # and sent before that load (back on the list at once) was dropped without a word.
        tidy = " ".join(title.split())
        if tidy and tidy == self._made_title and time.monotonic() - self._made_at < DOUBLE_CLICK_SECONDS:
            return None
        self.creating = True
        self.same_title_asked, self.same_title_job_id, self.same_title_job = "", 0, ""
        try:
            job = await in_session(
                lambda s: plans.create_job(
                    session=s, title=title, stage_names=STARTING_PLAN, same_title_meant=same_title_meant
                )
            )
        except SameTitle as err:
            self.creating = False  # the recruiter opens that job, goes on, or changes the title
            self.same_title_asked = " ".join(title.split())
            self.same_title_job_id, self.same_title_job = err.job_id, err.title
            return None
        except UserError as err:
            self.creating = False  # refused: the corrected title is the next job
            return rx.toast.error(str(err))
        self._made_title, self._made_at = tidy, time.monotonic()
        # Not left spinning for the next visit: a spinning button is disabled, and the browser drops
        # an Enter pressed in a form whose submit button is disabled (the double click is caught above).
        self.creating = False
        return rx.redirect(f"/jobs/{job.id}/plan")

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(self, Permission.VIEW_PIPELINE, lambda: None, self._reload)
