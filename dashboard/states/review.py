"""A job's review page: results side by side, keyboard-first decisions, rules with a dry run."""

from __future__ import annotations

import dataclasses

import reflex as rx

from dashboard.services import notes, pipeline, reopening, review
from dashboard.services.assessments import percent_label, time_taken_label
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission, require
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import id_in_path, in_session, score_bound
from dashboard.states.rejection import RejectForm, ReopenForm
from models import folded


@dataclasses.dataclass
class Row:
    """A result as the table shows it (numbers already formatted)."""

    attempt_id: int
    application_id: int
    candidate_name: str
    stage_name: str
    test_name: str
    score: float
    score_text: str
    minutes: float
    points: str
    comparative: str
    percentile: str
    time_taken: str
    attempt: str
    attempt_number: int
    counts: bool
    warnings: int
    report_url: str
    state: str
    decision_version: int
    in_stage_id: int = 0
    below_bar: bool = False
    rejected: bool = False
    advanceable: bool = True


@dataclasses.dataclass
class Bar:
    """One bucket of the score distribution: ``mark`` is 1 in the candidate in view's bucket,
    stacked on the ``candidates`` there besides them."""

    band: str
    candidates: int
    mark: int


# A key of None: the vendor gave no such figure; ``_sorted`` lists those last either way.
SORTS = {
    "score": lambda r: r.score if r.score >= 0 else None,
    "name": lambda r: r.candidate_name.lower(),
    "test": lambda r: r.test_name.lower(),
    "percentile": lambda r: float(r.percentile) if r.percentile else None,
    "comparative": lambda r: float(r.comparative.rstrip("%")) if r.comparative else None,
    "time": lambda r: r.minutes if r.minutes >= 0 else None,
    "attempt": lambda r: r.attempt_number,  # a number: attempt 10 comes after attempt 2
    "integrity": lambda r: r.warnings,
    "status": lambda r: r.state,
}


def _sorted(rows: list[Row], key, *, descending: bool) -> list[Row]:
    """``rows`` in ``key``'s order, those without the figure last in both directions, as a
    spreadsheet puts blanks: sorted from the quickest, "not reported" came before it."""
    known = [r for r in rows if key(r) is not None]
    return sorted(known, key=key, reverse=descending) + [r for r in rows if key(r) is None]


def _row(r: review.ResultRow) -> Row:
    return Row(
        attempt_id=r.attempt_id,
        application_id=r.application_id,
        candidate_name=r.candidate_name,
        stage_name=r.stage_name,
        test_name=r.test_name,
        score=r.score if r.score is not None else -1.0,
        score_text=percent_label(r.score) or "no score",
        minutes=r.minutes if r.minutes is not None else -1.0,
        points=r.points,
        comparative=percent_label(r.comparative),
        percentile=f"{r.percentile:g}" if r.percentile is not None else "",
        time_taken=time_taken_label(r.minutes, r.minutes_allowed),
        attempt=f"{r.attempt_number}" + ("" if r.counts else " (does not count)"),
        attempt_number=r.attempt_number,
        counts=r.counts,
        warnings=r.warnings,
        report_url=r.report_url,
        state=r.state,
        decision_version=r.decision_version,
        in_stage_id=r.in_stage_id,
        below_bar=r.below_bar,
        rejected=r.rejected,
        advanceable=r.advanceable,
    )


def _band(score: float) -> int:
    """The chart's bar for a score: 0-9 ... 90-100."""
    return min(9, int(score // 10))


# A job of thousands of results stays quick: the list sent to the browser is capped.
SHOWN_AT_MOST = 200


def count_axis(tallest: int) -> list[int]:
    """A count axis's labels from 0 up to ``tallest`` or just past it: every count up to ten,
    beyond that a round step (2, 5, 10, 20, 50...) so that about ten labels stand."""
    step = next(s for s in _round_steps() if tallest <= 10 * s)
    return list(range(0, -(-tallest // step) * step + 1, step))


def _round_steps():
    """1, 2, 5, 10, 20, 50, 100...: the steps a count axis reads at a glance."""
    scale = 1
    while True:
        yield from (scale, 2 * scale, 5 * scale)
        scale *= 10


class ReviewState(RejectForm, ReopenForm, rx.State):
    """The review page of one job."""

    title: str = ""
    review_job_id: int = 0
    rows: list[Row] = []
    matching: int = 0  # rows the filters let through; ``rows`` holds the first SHOWN_AT_MOST
    unfiltered: int = 0  # rows before the text and score filters (the list the filters narrow)
    cursor: int = 0
    show_all: bool = False
    min_score: str = ""
    text_filter: str = ""
    filter_error: str = ""  # why the boxes as typed are not a filter (the list keeps the last one)
    # The filter the rows show: the boxes as they were applied, not as they are being typed
    _min_score: str = ""
    _text_filter: str = ""
    sort: str = "score"
    descending: bool = True
    bars: list[dict[str, str | int]] = []  # chart rows: band, candidates, mark
    revision: int = -1
    loaded: bool = False
    error: str = ""
    # The id the refusal is about: the next page opened drew it until its own load answered.
    error_for: int = 0
    busy: bool = False
    # Who was in view when a colleague decided on them and the list caught up ("" if nobody):
    # the next a or r is not taken for the candidate who slid into their place unseen.
    decided_meanwhile: str = ""
    # Dialogs
    noting: bool = False
    note: str = ""
    _note_for: int = 0  # the attempt in view when the note was typed
    help_open: bool = False
    # Rules
    rules: list[review.StageRuleView] = []
    rule_stage_id: str = ""
    rule_threshold: str = ""
    rule_floor: str = ""
    dry_run_text: str = ""
    dry_run_names: list[str] = []
    # What the shown dry run tried (stage id, advance at, review from): the only rule Switch on turns on
    _dry_run_rule: tuple[int, float, float | None] | None = None
    feedback_on: bool = False
    feedback_template: str = ""

    def _job_id(self) -> int:
        return id_in_path(self, "jobs")

    async def _reload(self) -> None:
        job_id, user = self._job_id(), current_user()

        def load(session):
            require(user, Permission.REVIEW, job_id=job_id)
            revision = pipeline.job_revisions(session, [job_id])  # first: see queue's _reload
            return revision, review.settings(session, job_id), review.results(session, job_id)

        try:
            self.revision, found, results = await in_session(load)
        except UserError as err:
            self.error, self.rows, self.loaded, self.revision = str(err), [], True, -1
            self.error_for = job_id
            self.title, self.review_job_id = "", 0  # not the job reviewed before, named over the refusal
            return
        self.error, self.title, self.review_job_id = "", found.title, found.job_id
        self.feedback_on, self.feedback_template = found.feedback_on, found.feedback_template
        self.rules = found.rules
        if not self.rule_stage_id and self.rules:
            self.rule_stage_id = str(self.rules[0].id)
        current = self.rows[self.cursor].attempt_id if self.rows and self.cursor < len(self.rows) else None
        waiting_or_all = self._unfiltered(results)
        self.unfiltered = len(waiting_or_all)
        rows = self._listed(waiting_or_all)
        # The browser gets the first rows in the chosen order; deciding one brings the next in.
        self.matching, self.rows = len(rows), rows[:SHOWN_AT_MOST]
        ids = [r.attempt_id for r in self.rows]
        self.cursor = ids.index(current) if current in ids else min(self.cursor, max(0, len(ids) - 1))
        self._chart(rows)
        self.loaded = True

    def _unfiltered(self, results: list[review.ResultRow]) -> list[Row]:
        """The results the list narrows: those waiting for review, or every finished attempt.

        A result a rejected candidate finished (a test under way is left open by the rejection)
        waits for no review, as in the queue: it is listed with every finished attempt, beside
        the rejection's undo.
        """
        return [_row(r) for r in results if r.waiting or self.show_all]

    def _listed(self, rows: list[Row]) -> list[Row]:
        """Of ``rows``, those the list holds under its applied filters, in its order (all, not
        only those shown)."""
        # Accents, case and spacing aside, as the board and queue search: "jose" finds José.
        if words := folded(self._text_filter):
            rows = [
                r
                for r in rows
                if words
                in folded(" ".join((r.candidate_name, r.test_name, r.stage_name, r.state, r.score_text)))
            ]
        if (low := score_bound(self._min_score)) is not None:  # checked by apply_filter
            rows = [r for r in rows if r.score >= low]
        return _sorted(rows, SORTS.get(self.sort, SORTS["score"]), descending=self.descending)

    def _chart(self, listed: list[Row]) -> None:
        """The score distribution of the rows the list holds under its filters.

        Every one of them, not only the first SHOWN_AT_MOST sent to the browser; beside a
        narrowed list, a chart of the whole job's scores would mislead.
        """
        counts = [0] * 10
        for r in listed:
            if r.score >= 0:  # "no score" has no bar
                counts[_band(r.score)] += 1
        row = self.rows[self.cursor] if self.rows else None
        mark = _band(row.score) if row is not None and row.score >= 0 else -1
        if mark >= 0:
            counts[mark] -= 1  # the candidate in view is drawn as its own part of the bar, not twice
        self.bars = [
            dataclasses.asdict(Bar(f"{i * 10}-{i * 10 + 9 if i < 9 else 100}", n, int(i == mark)))
            for i, n in enumerate(counts)
        ]

    async def _catch_up(self) -> None:
        """The live watch's reload, after a colleague's change: when it took a decision on the
        candidate in view, ``decided_meanwhile`` names them (the list moved the next one into
        their place, under keys that were meant for them)."""
        before = self.in_view
        await self._reload()
        if before is None or self.error:
            return
        if self.in_view is not None and self.in_view.attempt_id == before.attempt_id:
            return  # still the one they were reading (every finished attempt shown): their keys mean them
        now = next((r for r in self.rows if r.attempt_id == before.attempt_id), None)
        if now is None or now.decision_version != before.decision_version:
            self.decided_meanwhile = before.candidate_name

    def _meant_for_another(self, key: str):
        """The toast refusing the first a or r after a colleague decided on the candidate who was
        in view (None when there is nothing to refuse): said with who is in view now."""
        if not self.decided_meanwhile or self.in_view is None:
            return None
        self.decided_meanwhile = ""
        what = "advance" if key == "a" else "reject"
        return rx.toast.info(
            f"{self.in_view.candidate_name} is in view now: press {key} again to {what} them."
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def load(self):
        self.cursor, self.rejecting, self.noting, self.help_open = 0, False, False, False
        self.decided_meanwhile = ""
        self.undoing_rejection = False
        self.rule_stage_id = ""
        if self._job_id() != self.review_job_id:
            # Another job's page: its filters and typed thresholds spoke of that job's results.
            self.show_all, self.rule_threshold, self.rule_floor = False, "", ""
            self.text_filter = self.min_score = self._text_filter = self._min_score = self.filter_error = ""
        self._forget_dry_run()
        await self._reload()
        return ReviewState.watch  # after the load: the watch starts from what it read

    @rx.event(background=True)
    @requires(Permission.REVIEW)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(
            self,
            Permission.REVIEW,
            lambda: [self._job_id()],
            self._catch_up,
            paused=lambda: (
                bool(self.error) or self.busy or self.rejecting or self.noting or self.undoing_rejection
            ),
        )

    @rx.var
    def filtered(self) -> bool:
        """Whether a text or a lowest score is applied (the boxes as applied, not as typed)."""
        return bool(self._text_filter.strip()) or score_bound(self._min_score) is not None

    @rx.var
    def chart_ticks(self) -> list[int]:
        """The count axis's labels, from 0 to its top: every count up to ten, then a round step
        (2, 5, 10, 20, 50...) so that about ten labels stand. Left to the chart, its five ticks
        fell between counts and were dropped: 0, 2, 4, 5 beside a bar of five, 0, 1, 2, 4 beside
        a bar of three."""
        return count_axis(max([1, *(int(b["candidates"]) + int(b["mark"]) for b in self.bars)]))

    @rx.var
    def in_view(self) -> Row | None:
        """The candidate the keyboard is on."""
        return self.rows[self.cursor] if self.rows and self.cursor < len(self.rows) else None

    # The dialogs tell nothing of rows still another job's (helper-140: the job checked is the
    # event's address, the rows may be those of a job the reviewer was taken off since).
    def _application_to_reject(self) -> int:
        return self.in_view.application_id if self.in_view and not self._not_this_jobs_rows() else 0

    def _application_to_reopen(self) -> int:
        row = self.in_view
        return row.application_id if row and row.rejected and not self._not_this_jobs_rows() else 0

    def _decision_refused(self, row: Row):
        """The toast saying why a result listed under "Show every finished attempt" takes no
        advance (None when it does): a on a candidate advanced since would move them on again
        from wherever they are now, past a stage they are still in. A rejected one takes no
        decision at all."""
        if row.advanceable:
            return None
        if row.rejected:
            return rx.toast.info(
                f"{row.candidate_name} was rejected: undo the rejection first to decide on them."
            )
        return rx.toast.info(
            f"{row.candidate_name} has moved on from {row.stage_name} since this result: "
            "advance them from their page, or reject them here."
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def key(self, key: str):
        """j/k next/previous, a advance, r reject, o open the report, n note, ? the shortcut list.

        The browser sends no keys while a dialog is open, but a key pressed just after r (or n, or ?)
        can be on its way before the dialog shows: it would act on the person the dialog names.
        """
        if self.rejecting or self.noting or self.help_open or self.undoing_rejection:
            return
        if key == "?":
            self.help_open = True
            return
        if self._not_this_jobs_rows():
            return
        if key in ("a", "r") and (refused := self._meant_for_another(key)):
            return refused
        if key in ("j", "k"):
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + (1 if key == "j" else -1)))
            self.decided_meanwhile = ""  # moved on by their own hand: they see who is in view
            await self._reload()
        elif (key == "a" and not self.rows[self.cursor].advanceable) or (
            key == "r" and self.rows[self.cursor].rejected
        ):
            return self._decision_refused(self.rows[self.cursor])
        elif key == "a":
            row = self.rows[self.cursor]
            return ReviewState.advance(row.attempt_id, row.decision_version)
        elif key == "r":
            await self._open_reject_dialog()
        elif key == "n":
            self._open_note()
        elif key == "o":
            # In a tab that cannot reach this one ("noopener", as the Report link's new tab is
            # by default): the vendor's page could otherwise send the review page elsewhere.
            url = self.rows[self.cursor].report_url
            return (
                rx.call_script(f"window.open({url!r}, '_blank', 'noopener')")
                if url
                else rx.toast.info("No report link yet.")
            )

    @rx.event
    @requires(Permission.REVIEW)
    async def focus(self, index: int):
        self.cursor, self.decided_meanwhile = index, ""
        await self._reload()

    def _not_this_jobs_rows(self) -> bool:
        """The rows are still another job's (the page's address moved on before its load came
        back): a decision would fall on a candidate of the job left, checked against this one."""
        return not self.rows or self.review_job_id != self._job_id()

    @rx.event
    @requires(Permission.REVIEW)
    async def advance(self, attempt_id: int, decision_version: int):
        """Advance the candidate the key or button was pressed on to the stage after the one the
        page showed them in.

        The event names the result (and the decision version read with it): the list can catch up
        with a colleague between the press and this event, and would slide the next candidate
        under the cursor.
        """
        if self._not_this_jobs_rows():
            return rx.toast.error("This page is still loading; try again in a moment.")
        row = next((r for r in self.rows if r.attempt_id == attempt_id), None)
        if row is None or row.decision_version != decision_version:  # j or k pressed since is no matter
            return rx.toast.info(
                "The list changed as you pressed (a colleague decided), so nothing was advanced: "
                "check who is in view."
            )
        if not row.advanceable:
            return self._decision_refused(row)
        job_id, actor = self._job_id(), acting_user()
        self.busy = True
        try:
            require(current_user(), Permission.REVIEW, job_id=job_id)
            outcome = await in_session(
                lambda s: review.advance(
                    session=s,
                    application_id=row.application_id,
                    expected_version=row.decision_version,
                    seen_in=row.in_stage_id,
                    actor=actor,
                )
            )
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        finally:
            self.busy = False  # also after an unexpected error, or the page would stop refreshing
        self.decided_meanwhile = ""  # a decision of their own, on the one they saw
        await self._reload()
        # Advanced, but a test the next stage sends on entry failed: told as an error, as the board does.
        return (rx.toast.error if outcome.not_sent else rx.toast.success)(
            f"{row.candidate_name}: {outcome.message}"
        )

    def _still_in_view(self, row: Row) -> bool:
        """Whether ``row``'s candidate is still the one in view, undecided since the page read them.

        A refused rejection keeps its dialog (and the note typed there) only then: once a
        colleague decided on them the list moves on, and the dialog would name whoever came next.
        """
        now = self.in_view
        return (
            now is not None
            and now.attempt_id == row.attempt_id
            and now.decision_version == row.decision_version
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def reject(self):
        """Reject the candidate in view, with the chosen reason."""
        if self._not_this_jobs_rows():
            self.rejecting = False
            return rx.toast.error("This page is still loading; try again in a moment.")
        row, reason, note = self.rows[self.cursor], self.reject_reason, self.reject_note
        if row.rejected:
            self.rejecting = False
            return self._decision_refused(row)
        job_id, actor = self._job_id(), acting_user()
        try:
            require(current_user(), Permission.REVIEW, job_id=job_id)
            outcome = await in_session(
                lambda s: review.reject(
                    session=s,
                    application_id=row.application_id,
                    reason=reason,
                    note=note,
                    expected_version=row.decision_version,
                    actor=actor,
                )
            )
        except UserError as err:
            await self._reload()  # decided meanwhile in another tab: the list shows what, at once
            self.rejecting = self._still_in_view(row)
            return rx.toast.error(str(err))
        self.rejecting, self.decided_meanwhile = False, ""
        await self._reload()
        # The row leaves the list of those waiting; it stays under every finished attempt, with its undo.
        undo = "" if self.show_all else " Undo it under Show every finished attempt."
        # A test the rejection could not withdraw at the vendor is still open there: told as an error.
        return (rx.toast.error if outcome.failed else rx.toast.success)(
            f"{row.candidate_name} rejected ({reason}). {outcome.besides}".strip() + undo
        )

    @rx.event
    @requires(Permission.REVIEW)
    async def undo_rejection(self):
        """Undo the rejection of the candidate in view (asked first: ``set_undoing_rejection``),
        as the application page does: a wrong r is taken back where it was pressed."""
        row, stage, job_id, actor = self.in_view, self.undo_stage, self._job_id(), acting_user()
        self.undoing_rejection = False
        if self._not_this_jobs_rows():  # checked against this job, it would reopen the other's
            return rx.toast.error("This page is still loading; try again in a moment.")
        if row is None or not row.rejected:
            return None
        try:
            require(current_user(), Permission.REVIEW, job_id=job_id)
            await in_session(
                lambda s: reopening.reopen(
                    session=s,
                    application_id=row.application_id,
                    expected_version=row.decision_version,
                    actor=actor,
                )
            )
        except UserError as err:
            await self._reload()  # as a refused rejection: what was decided meanwhile shows at once
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success(f"Rejection undone: {row.candidate_name} is active again in {stage}.")

    @rx.event
    @requires(Permission.REVIEW)
    def set_noting(self, value: bool):
        """Open or close the note dialog."""
        if value:
            self._open_note()
        else:
            self.noting = False

    def _open_note(self) -> None:
        """Open the note for the candidate in view: empty if the text in it was typed for another
        (one click from saving it on them), kept if for them (an Esc or a click outside closed
        the dialog on a long note, which reopened empty, helper-130)."""
        in_view = self.rows[self.cursor].attempt_id if self.rows else 0
        if in_view != self._note_for:
            self.note, self._note_for = "", in_view
        self.noting = True

    @rx.event
    @requires(Permission.REVIEW)
    def set_note(self, value: str):
        self.note = value

    @rx.event
    @requires(Permission.REVIEW)
    async def save_note(self):
        if not self.noting or self._not_this_jobs_rows():
            return None  # a second click on Save, queued behind the first, saved the note twice
        # The candidate it was typed for: a colleague's decision meanwhile moves the list on, and
        # the row in view then is the next candidate's (helper-131).
        row = next((r for r in self.rows if r.attempt_id == self._note_for), None)
        if row is None:
            return rx.toast.error(
                "That candidate left this list meanwhile (a colleague decided): the note was not "
                "saved. It is still here; open their application to add it there."
            )
        text, actor, job_id = self.note, acting_user(), self._job_id()
        try:
            require(current_user(), Permission.REVIEW, job_id=job_id)
            await in_session(
                lambda s: notes.add_note(session=s, application_id=row.application_id, text=text, actor=actor)
            )
        except UserError as err:
            return rx.toast.error(str(err))
        self.noting, self.note = False, ""
        return rx.toast.success("Note saved.")

    @rx.event
    @requires(Permission.REVIEW)
    def set_help_open(self, value: bool):
        self.help_open = value

    @rx.event
    @requires(Permission.REVIEW)
    async def set_show_all(self, value: bool):
        self.show_all = value
        await self._reload()

    @rx.event
    @requires(Permission.REVIEW)
    def set_text_filter(self, value: str):
        self.text_filter = value

    @rx.event
    @requires(Permission.REVIEW)
    def set_min_score(self, value: str):
        self.min_score = value

    @rx.event
    @requires(Permission.REVIEW)
    async def apply_filter(self, _form: dict | None = None):
        """Filter by the boxes as typed; a lowest score that is not one is refused, with the reason."""
        try:
            score_bound(self.min_score)
        except ValueError:
            self.filter_error = "Type the lowest score as a number from 0 to 100 (70 or 70%)."
            return
        self.filter_error, self._text_filter, self._min_score = "", self.text_filter, self.min_score
        await self._reload()

    @rx.event
    @requires(Permission.REVIEW)
    async def clear_filter(self):
        """Empty both boxes and show the list unfiltered."""
        self.text_filter = self.min_score = self._text_filter = self._min_score = self.filter_error = ""
        await self._reload()

    @rx.event
    @requires(Permission.REVIEW)
    async def sort_by(self, column: str):
        self.descending = (
            not self.descending
            if self.sort == column
            else column in ("score", "percentile", "comparative", "integrity")
        )
        self.sort = column
        await self._reload()

    @rx.event
    @requires(Permission.REVIEW)
    async def export(self):
        """Download, as CSV, the results the list holds: under its filters and in its order, and
        all of them, not only the first SHOWN_AT_MOST on the page. What the manager narrowed the
        list to is what reaches the spreadsheet; "Show every finished attempt" with no filter
        exports every finished attempt of the job."""
        job_id, user = self._job_id(), current_user()

        def load(session):
            require(user, Permission.REVIEW, job_id=job_id)
            return review.results(session, job_id)

        try:
            results = await in_session(load)
        except UserError as err:
            return rx.toast.error(str(err))
        by_attempt = {r.attempt_id: r for r in results}
        listed = [by_attempt[row.attempt_id] for row in self._listed(self._unfiltered(results))]
        return rx.download(data=review.results_csv(listed), filename=f"assay-results-job-{job_id}.csv")

    @rx.var
    def rule_on(self) -> bool:
        """Whether the picked stage has a rule on (Switch off has something to switch off)."""
        return any(str(r.id) == self.rule_stage_id and r.advance_at != "" for r in self.rules)

    def _forget_dry_run(self) -> None:
        """Take the shown dry run away: it spoke of other thresholds (or another stage) than those now typed."""
        self.dry_run_text, self.dry_run_names, self._dry_run_rule = "", [], None

    @rx.event
    @requires(Permission.REVIEW)
    def set_rule_stage_id(self, value: str):
        self.rule_stage_id = value
        self._forget_dry_run()

    @rx.event
    @requires(Permission.REVIEW)
    def set_rule_threshold(self, value: str):
        self.rule_threshold = value
        self._forget_dry_run()

    @rx.event
    @requires(Permission.REVIEW)
    def set_rule_floor(self, value: str):
        self.rule_floor = value
        self._forget_dry_run()

    def _typed_rule(self) -> tuple[int, float, float | None]:
        """The stage, advance bar and review floor as now picked and typed.

        Raises:
            ValueError: A threshold that is not a number.
        """
        floor = float(self.rule_floor) if self.rule_floor.strip() else None
        return int(self.rule_stage_id or 0), float(self.rule_threshold), floor

    @rx.event
    @requires(Permission.REVIEW)
    async def dry_run(self):
        """Say what the rule would have done to the stage's completed candidates.

        A refused one takes the earlier answer away too, or it would read as the answer to this one.
        """
        self._forget_dry_run()
        try:
            stage_id, threshold, floor = rule = self._typed_rule()
        except ValueError:
            return rx.toast.error("The thresholds are scores from 0 to 100.")
        job_id, user = self._job_id(), current_user()
        try:
            require(user, Permission.REVIEW, job_id=job_id)
            dry = await in_session(lambda s: review.dry_run(s, stage_id, threshold, floor, job_id=job_id))
        except UserError as err:
            return rx.toast.error(str(err))
        flagged = (
            f"; {len(dry.below_bar)} would be flagged below the bar for a person" if floor is not None else ""
        )
        self.dry_run_text = (
            f"This rule would have advanced {len(dry.would_advance)} of the {dry.total} completed candidates; "
            f"{dry.to_review} would go to review{flagged}. Nobody is rejected by a rule."
        )
        self.dry_run_names, self._dry_run_rule = dry.would_advance, rule

    @rx.event
    @requires(Permission.MANAGE_RULES)
    async def switch_rule(self, on: bool):
        """Switch the stage's auto-advance rule on at the thresholds of the dry run shown, or off (admins only).

        On is refused unless the boxes still hold what that dry run tried: the admin decides on
        what it said would happen, and the button being disabled is only the browser's word.
        """
        stage_id, actor = int(self.rule_stage_id or 0), acting_user()
        threshold = floor = None
        if on:
            try:
                typed = self._typed_rule()
            except ValueError:
                typed = None
            if self._dry_run_rule is None or typed != self._dry_run_rule:
                self._forget_dry_run()
                return rx.toast.error(
                    "Dry run these thresholds first: a rule switches on only at the thresholds its dry run showed."
                )
            _, threshold, floor = self._dry_run_rule
        elif not self.rule_on:
            return rx.toast.info("There is no rule on this stage to switch off.")
        counting = next((r.counting for r in self.rules if r.id == stage_id), "latest")
        try:
            await in_session(
                lambda s: review.set_rule(
                    session=s,
                    stage_id=stage_id,
                    advance_at=threshold,
                    review_from=floor,
                    counting=counting,
                    actor=actor,
                )
            )
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success("Rule switched on." if on else "Rule switched off.")

    @rx.event
    @requires(Permission.MANAGE_RULES)
    async def set_counting(self, stage_id: int, counting: str):
        """Which attempt counts in a stage: the latest or the best (admins only)."""
        try:
            await in_session(lambda s: review.set_counting(session=s, stage_id=stage_id, counting=counting))
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()

    @rx.event
    @requires(Permission.MANAGE_RULES)
    def set_feedback_template(self, value: str):
        self.feedback_template = value

    @rx.event
    @requires(Permission.MANAGE_RULES)
    async def save_feedback(self, on: bool):
        """Candidate feedback for this job: on or off, and its message (admins only)."""
        job_id, template = self._job_id(), self.feedback_template
        try:
            await in_session(
                lambda s: review.set_feedback(session=s, job_id=job_id, enabled=on, template=template)
            )
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        return rx.toast.success("Candidate feedback " + ("on." if on else "off."))
