"""The queue across jobs: buckets with counts, filters, search, bulk send with progress, a step per row."""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from dashboard.services import assessments, attempt_actions, pipeline, queue_view, views
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission
from dashboard.services.wording import counted
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, recheck, requires
from dashboard.states.common import in_session, outcome_toast
from dashboard.states.earlier import EarlierAttemptChoice
from dashboard.states.unmatched import UnmatchedResults

# A row's one click (``queue_view.QueueRow.step``): the services the application page uses.
STEPS = {"send": assessments.send_assessment, **attempt_actions.ONE_CLICK}

log = logging.getLogger(__name__)


class QueueState(UnmatchedResults, EarlierAttemptChoice, rx.State):
    """What waits on the team, bucket by bucket; live."""

    buckets: list[queue_view.BucketCount] = []
    bucket: str = "needs_sending"
    rows: list[queue_view.QueueRow] = []
    offset: int = 0  # the bucket's rows before ``rows``, the page shown
    _start: queue_view.PageKey | None = None  # where the page shown starts (``queue_view.page``)
    _next_start: queue_view.PageKey | None = None
    revision: int = -1
    loaded: bool = False
    # Said where the rows would be when the bucket shows none (``_empty_words``)
    empty_words: str = "Nothing in this bucket."
    filtered: bool = False  # a filter or search is on: it may hide what the bucket holds
    # Filters
    jobs: list[views.Choice] = []
    job_id: str = "all"
    stage: str = "all"
    member: str = "all"
    stage_names: list[str] = []
    members: list[views.Choice] = []
    search: str = ""
    # Bulk send
    selected: list[int] = []
    # Said beside the selection when a reload unticked rows that left the page (a colleague sent
    # them, or moved their candidates on): they were unticked without a word (helper-122).
    unticked: str = ""
    confirming_send: bool = False  # the "Send N assessments?" question is open
    sending: bool = False
    progress_done: int = 0
    progress_total: int = 0
    progress_sent: int = 0  # of those done, the ones that reached the candidate
    results: list[str] = []
    stepping: int = 0  # the attempt whose row's one click is being taken
    # The search the rows show: the box as it was applied, not as it is being typed
    _search: str = ""

    def _filter(self) -> queue_view.QueueFilter:
        return queue_view.QueueFilter(
            job_id=int(self.job_id) if self.job_id != "all" else None,
            stage_name="" if self.stage == "all" else self.stage,
            member_id=int(self.member) if self.member != "all" else None,
            search=self._search,
        )

    async def _reload(self, *, watched: bool = False) -> None:
        """Read the page again; ``watched`` (the live watch's reload, nobody here acting) says what
        it unticked: a person's own send, filter or page turn unticks in silence."""
        visible = current_user().visible_job_ids
        bucket, queue_filter, start = self.bucket, self._filter(), self._start
        may_match = current_user().may(Permission.MANAGE_PIPELINE)

        def load(session):
            # The revision before the rows: a change landing while they are read wakes the watch
            # (read after, it would hide that change until the job changed again).
            revision = pipeline.workspace_revision(session)
            # The Stage list offers the picked job's stages; a stage of another job is dropped.
            choices = queue_view.filter_choices(session, visible, queue_filter.job_id)
            narrowed = queue_filter.within(choices[0])
            buckets = queue_view.counts(session, narrowed, visible)
            total = queue_view.count_of(buckets, bucket)
            return (
                revision,
                buckets,
                queue_view.page(session, bucket, narrowed, visible, start, total),
                queue_view.unmatched(session) if may_match else (0, []),
                queue_view.set_aside(session) if may_match else (0, []),
                [views.Choice(str(j.id), j.label) for j in views.list_jobs(session, visible)],
                choices,
                narrowed.stage_name,
            )

        loaded = await in_session(load)
        self.revision, self.buckets, shown = loaded[:3]
        self.rows, self.offset, self._start, self._next_start = (
            shown.rows,
            shown.before,
            shown.start,
            shown.next_start,
        )
        (self.unmatched_count, self.unmatched), (self.set_aside_count, self.set_aside) = loaded[3:5]
        self.jobs, choices, stage = loaded[5:]
        self.stage_names = choices[0]
        if stage != queue_filter.stage_name and self.stage == queue_filter.stage_name:
            self.stage = "all"  # dropped: the picked job has no such stage
        self.members = [views.Choice(str(i), name) for i, name in choices[1]]
        shown = {r.attempt_id for r in self.rows}
        kept = [i for i in self.selected if i in shown]
        if watched and len(kept) < len(self.selected):
            gone = len(self.selected) - len(kept)
            self.unticked = (
                f"{counted(gone, 'selected row')} left this page meanwhile (sent, moved on or changed, "
                f"by a colleague or the vendor) and {'is' if gone == 1 else 'are'} no longer selected."
            )
        self.selected = kept
        self.empty_words = self._empty_words()
        self.loaded = True

    def _empty_words(self) -> str:
        """What an empty bucket says: under a filter or a search, that no one matches it.

        "Nothing in this bucket." under a green tick, said of a search that found no one (or
        the one kept from the last visit), read as if every test had been sent meanwhile.
        """
        picked = (self.job_id, self.stage, self.member) != ("all", "all", "all")
        searched = bool(self._search.strip())
        self.filtered = picked or searched
        if not self.filtered:
            return "Nothing in this bucket."
        which = " and the ".join(word for word, on in (("filters", picked), ("search", searched)) if on)
        return f"No one in {queue_view.BUCKETS[self.bucket]} matches the {which}."

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        self.stepping = self.earlier_attempt_id = 0
        self.unticked = ""
        await self._reload()
        return QueueState.watch  # after the load: the watch starts from what it read

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(
            self, Permission.VIEW_PIPELINE, lambda: None, self._reload_watched, paused=lambda: self.sending
        )

    async def _reload_watched(self) -> None:
        await self._reload(watched=True)

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def pick_bucket(self, bucket: str):
        self.bucket, self.selected, self.results, self._start, self.unticked = bucket, [], [], None, ""
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def set_job_id(self, value: str):
        self.job_id, self._start = value, None
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def set_stage(self, value: str):
        self.stage, self._start = value, None
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def set_member(self, value: str):
        self.member, self._start = value, None
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    def set_search(self, value: str):
        self.search = value

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def apply_search(self, _form: dict | None = None):
        self._search, self._start = self.search, None
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def clear_filters(self):
        """Every job, stage and recruiter, and no search: the whole bucket again."""
        self.job_id = self.stage = self.member = "all"
        self.search = self._search = ""
        self._start = None
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def turn_page(self, forward: bool):
        """The next or the previous page of the bucket."""
        if forward:
            if self._next_start is None:
                return
            self._start = self._next_start
        else:
            visible, bucket, queue_filter, start = (
                current_user().visible_job_ids,
                self.bucket,
                self._filter(),
                self._start,
            )
            self._start = await in_session(
                lambda s: queue_view.page_before(s, bucket, queue_filter, visible, start)
            )
        self.selected, self.unticked = [], ""
        await self._reload()

    @rx.var
    def more(self) -> bool:
        """Whether a page follows this one (Next is offered)."""
        return self._next_start is not None

    @rx.var
    def total(self) -> int:
        """Rows in the chosen bucket under the filters (its count); ``rows`` is one page of them."""
        return queue_view.count_of(self.buckets, self.bucket)

    @rx.var
    def bucket_label(self) -> str:
        """The bucket shown, as its button says it ("Needs sending"): the rows' table is named by it."""
        return queue_view.BUCKETS.get(self.bucket, "")

    @rx.var
    def page_label(self) -> str:
        """Which rows are shown, like "101-200 of 10,000"; empty when one page holds the bucket."""
        if self.offset == 0 and self.total <= queue_view.ROWS_PER_PAGE:
            return ""
        return f"{self.offset + 1:,}-{self.offset + len(self.rows):,} of {self.total:,}"

    @rx.var
    def progress_label(self) -> str:
        """How far a bulk send got, counting only invitations that went out ("Sent 2 of 3; 1 not
        sent"): a refused or already-sent row is done, but the candidate got nothing."""
        label = f"Sent {self.progress_sent} of {self.progress_total}"
        not_sent = self.progress_done - self.progress_sent
        return label + (f"; {not_sent} not sent" if not_sent else "")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def toggle_selected(self, attempt_id: int):
        self.unticked = ""
        if attempt_id in self.selected:
            self.selected = [i for i in self.selected if i != attempt_id]
        else:
            self.selected = [*self.selected, attempt_id]

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def select_all(self, value: bool):
        self.selected, self.unticked = ([r.attempt_id for r in self.rows] if value else []), ""

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def ask_send_selected(self):
        """Ask before the bulk send: each selected candidate is emailed at once, and an email
        cannot be unsent (the application page asks before sending even one)."""
        self.confirming_send = bool(self.selected)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def set_confirming_send(self, value: bool):
        self.confirming_send = value

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def send_selected(self):
        """Send every selected attempt, one by one, showing progress and each row's result.

        A second click of Send (the dialog closes with the first's answer) finds nothing selected
        and leaves the first's report (it wiped it, helper-122). An error on Assay's side for one
        row is said on its line and the rest are still sent (it ended the loop, the others never
        tried and the page not reloaded). The sender is checked again before each email: one
        signed out or deactivated meanwhile went on inviting candidates in their name (helper-154)."""
        if self.sending or not self.selected:
            return
        self.confirming_send, self.unticked = False, ""
        ids = list(self.selected)
        names = {r.attempt_id: r.candidate_name for r in self.rows}
        self.sending, self.progress_done, self.progress_total, self.results = True, 0, len(ids), []
        self.progress_sent = 0
        yield
        allowed = True
        try:
            for attempt_id in ids:
                try:
                    if not (allowed := await recheck(self, Permission.MANAGE_PIPELINE)):
                        left = len(ids) - self.progress_done
                        self.results = [
                            *self.results,
                            f"Stopped: you can no longer send tests; {left} not sent.",
                        ]
                        break
                    actor = acting_user()  # as checked now
                    outcome = await in_session(
                        lambda s, i=attempt_id, by=actor: assessments.send_assessment(
                            session=s, attempt_id=i, actor=by
                        )
                    )
                    line = f"{names.get(attempt_id, attempt_id)}: {outcome.message}"
                    self.progress_sent += int(outcome.sent)
                except UserError as err:
                    line = f"{names.get(attempt_id, attempt_id)}: not sent: {err}"
                except Exception:
                    log.exception("bulk send: attempt %s", attempt_id)
                    line = f"{names.get(attempt_id, attempt_id)}: not sent: something went wrong in Assay; it is in the log"
                self.progress_done += 1
                self.results = [*self.results, line]
                yield
                await asyncio.sleep(0)
        finally:
            self.sending, self.selected = False, []  # also after an unexpected error: refreshes resume
        if allowed:  # not read again for a user shut out meanwhile
            await self._reload()

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def take_step(self, step: str, attempt_id: int):
        """The row's one click: send, retry a failed send, resend the invitation, or re-attempt."""
        service = STEPS.get(step)
        if service is None:
            yield rx.toast.error(f"Unknown action {step!r}.")
            return
        actor = acting_user()

        def work(session):
            return service(session=session, attempt_id=attempt_id, actor=actor)

        async for update in self._step(step, attempt_id, work):
            yield update

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def reattempt_earlier(self):
        """Send a fresh re-attempt instead of the vendor's earlier invitation (``EarlierAttemptChoice``)."""
        attempt_id, earlier = self._take_choice()
        if not attempt_id:
            return
        actor = acting_user()

        def work(session):
            return attempt_actions.reattempt(
                session=session, attempt_id=attempt_id, of_attempt_id=earlier, actor=actor
            )

        async for update in self._step("reattempt", attempt_id, work):
            yield update

    async def _step(self, step: str, attempt_id: int, work):
        """Run one row's service with its button busy; a toast says how it went, then the rows reload."""
        shown = [r.attempt_id for r in self.rows]
        position = shown.index(attempt_id) if attempt_id in shown else 0
        # Its own row unticked now: a reload of the watch while the vendor is asked would tell it
        # as taken by a colleague (helper-125).
        self.stepping, self.selected, self.unticked = (
            attempt_id,
            [i for i in self.selected if i != attempt_id],
            "",
        )
        yield
        toast = None
        try:
            toast = outcome_toast(self._where_it_went(await in_session(work)))
        except assessments.EarlierAttemptExists as err:
            await self._offer_reattempt(err)  # the page asks: a re-attempt, or not now
        except UserError as err:
            toast = rx.toast.error(str(err))
        except Exception:
            log.exception("queue step %s on attempt %s failed", step, attempt_id)
            toast = rx.toast.error("That did not go through; the error is in the log. Nothing was lost.")
        finally:
            self.stepping = 0  # also when cancelled: the buttons must not stay disabled
        yield toast  # the buttons free again before the rows are read
        # Watched: its own row unticked already, a ticked row a colleague sent meanwhile is told
        # here, where the watch, finding the revision read, would not tell it (helper-126).
        await self._reload(watched=True)
        if not self.earlier_attempt_id:  # else the question asked takes the focus
            yield self._focus_after_step(attempt_id, position)

    def _where_it_went(self, outcome):
        """A send (or re-attempt) the vendor failed, told with where its row went: the
        row and its button left the bucket shown for Failed, and the toast only said to try
        again shortly."""
        if getattr(outcome, "failed", False) and self.bucket != "failed":
            return dataclasses.replace(outcome, message=f"{outcome.message} It waits under Failed.")
        return outcome

    def _focus_after_step(self, attempt_id: int, position: int) -> rx.event.EventSpec:
        """The focus after a row's step: on its row if it stayed, else on the row that took its
        place (or the one before, it was the last), else on the bucket, now empty.

        The busy button was disabled, and a row that left took its button along: either way
        the browser dropped the focus to the page's top, and a keyboard user sending a
        morning's tests tabbed back down past the filters after each one.
        """
        shown = [r.attempt_id for r in self.rows]
        if attempt_id not in shown and shown:
            attempt_id = shown[min(position, len(shown) - 1)]
        row = f"queue-row-{attempt_id}" if shown else ""
        return rx.call_script(
            f"const row = document.getElementById({row!r});"
            " (row?.querySelector('.queue-step:not([disabled])') ?? row?.querySelector('a')"
            " ?? document.querySelector('.queue-bucket[aria-pressed=true]'))?.focus()"
        )
