"""The pipeline board of one job: paged columns, moving cards (drag, menu, bulk), filters."""

from __future__ import annotations

import logging

import reflex as rx

from dashboard.services import board_view, bulk_rejection, pipeline
from dashboard.services.errors import UserError
from dashboard.services.permissions import Permission, require
from dashboard.services.wording import counted
from dashboard.states import live
from dashboard.states.auth import acting_user, current_user, requires
from dashboard.states.common import focus_once_drawn, id_in_path, in_session, score_bound
from dashboard.states.rejection import RejectForm

log = logging.getLogger(__name__)

EMPTY = board_view.BoardView(0, "", [], [])
# The "Add candidate" boxes, emptied once a candidate is added
NEW_NAME_ID, NEW_EMAIL_ID = "new-candidate-name", "new-candidate-email"
# The board's region of columns, where the focus goes when no moved card is shown to take it
BOARD_ID = "pipeline-board"


def _focus_after_the_bar(application_id: int | None):
    """Give the focus lost with the selection bar to a card's checkbox (``application_id``: one
    moved, or unticked by "Clear selection"), or, none of them shown (a filter leaves them out),
    to the board's columns.

    The bar goes with the selection, "Move selected to", "Clear selection" and all, and the focus
    fell to the page's top: a keyboard user tabbed down from the navigation again, and a screen
    reader was left on nothing.
    """
    card = f'[data-application-id="{application_id}"] [role=checkbox]' if application_id else ""
    return focus_once_drawn(card, otherwise=f"#{BOARD_ID}")


def _bulk_move_toast(results: list[pipeline.BulkResult]):
    """Counts what moved, what was there already and what failed, with the first reasons.

    A stage that sends its tests on entry may move every card and send none: the sends
    that failed are counted and their first reasons given, as an error, not a success.
    """
    moved = sum(1 for r in results if r.moved)
    stayed = sum(1 for r in results if r.ok and not r.moved)
    failed = [r.named(r.message) for r in results if not r.ok]
    # Each reason led by whose card it is (helper-156: "Not sent: the key was rejected" three times).
    not_sent = [r.named(reason) for r in results for reason in r.not_sent]
    text = (
        f"Moved {moved} of {len(results)}." if failed or stayed else f"Moved {counted(moved, 'application')}."
    )
    if stayed:
        text += f" {stayed} {'was' if stayed == 1 else 'were'} in that stage already."
    if not_sent:
        text += f" {counted(len(not_sent), 'assessment')} not sent."
        failed = not_sent + failed
    # Rejected since they were ticked (helper-143: "Moved 3 applications." said nothing of it).
    rejected = [r.message.split(": ", 1)[-1] for r in results if r.rejected]
    if failed:
        return rx.toast.error(" ".join([text, *failed[:3], *rejected[:3]]))
    if rejected:
        return rx.toast.warning(" ".join([text, *rejected[:3]]))
    return rx.toast.success(text)


class BoardState(RejectForm, rx.State):
    """One job's board, reloaded when the job's revision changes.

    Its reject dialog rejects the selected cards (``bulk_rejection``), not one candidate.
    """

    board: board_view.BoardView = EMPTY
    loaded: bool = False
    revision: int = -1
    error: str = ""
    # The job the refusal is about: the next board opened drew it until its own load answered.
    error_for: int = 0
    # Filters, as typed (validated on apply)
    search: str = ""
    status: str = "any"
    score_min: str = ""
    score_max: str = ""
    filter_error: str = ""
    # Bumped by every Add candidate the state answers; the form sends the one it was drawn with.
    add_generation: int = 0
    # The filter the board shows: the boxes as they were applied, not as they are being typed
    # (a change arriving from elsewhere reloads the board while someone types)
    _shown: board_view.BoardFilter = board_view.BoardFilter()
    # Paging: cards shown per stage id (as a string key, for the client)
    limits: dict[str, int] = {}
    # Bulk selection
    selected: list[int] = []
    moving: bool = False
    # The selection the reject dialog opened on: each application's decision version then
    _rejecting_versions: dict[int, int] = {}
    # The stage each selected card was ticked in: a colleague's move since is not undone by
    # "Move selected to" (``pipeline.move_application``'s ``seen_in``).
    _ticked_in: dict[int, int] = {}

    def _job_id(self) -> int:
        return id_in_path(self, "jobs")

    def _filter(self) -> board_view.BoardFilter:
        return board_view.BoardFilter(
            search=self.search,
            status="" if self.status == "any" else self.status,
            score_min=score_bound(self.score_min),
            score_max=score_bound(self.score_max),
        )

    def _show_typed_filter(self) -> bool:
        """Make the boxes as typed the board's filter; False, with the reason shown, if they are not one."""
        try:
            typed = self._filter()
        except ValueError:
            self.filter_error = "Scores are numbers from 0 to 100."
            return False
        if typed.score_min is not None and typed.score_max is not None and typed.score_min > typed.score_max:
            self.filter_error = "The lowest score is above the highest."
            return False
        self.filter_error, self._shown = "", typed
        return True

    async def _reload(self) -> None:
        job_id = self._job_id()
        user = current_user()
        board_filter = self._shown
        limits = {int(k): v for k, v in self.limits.items()}

        def load(session):
            require(user, Permission.VIEW_PIPELINE, job_id=job_id)
            return (
                pipeline.job_revisions(session, [job_id]),
                board_view.board(session, job_id, board_filter, limits),
            )

        try:
            self.revision, self.board = await in_session(load)
            self.error = ""
        except UserError as err:
            self.board, self.error, self.revision, self.error_for = EMPTY, str(err), -1, job_id
        visible = {c.application_id for column in self.board.columns for c in column.cards}
        self.selected = [i for i in self.selected if i in visible]
        self.loaded = True

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def load(self):
        """Page load: the first page of every column, no filters."""
        self.revision, self.limits, self.selected, self._ticked_in = -1, {}, [], {}
        self.search, self.status, self.score_min, self.score_max = "", "any", "", ""
        self.filter_error, self._shown = "", board_view.BoardFilter()
        try:
            await self._reload()
        except Exception:
            # The database away as the page opened (helper-167: no watch was started, so the page
            # waited for good): the watch starts all the same, and reads the board once it answers.
            log.warning(
                "opening the board of job %s failed; read again at the next wake",
                self._job_id(),
                exc_info=True,
            )
            return [
                rx.toast.error(
                    "The board could not be read just now; it shows itself once the database answers."
                ),
                BoardState.watch,
            ]
        return BoardState.watch  # after the load: the watch starts from what it read

    @rx.event(background=True)
    @requires(Permission.VIEW_PIPELINE)
    async def watch(self):
        """Started by the page's load: keeps the page live while it is open (``live.keep_live``)."""
        return await live.keep_live(
            self,
            Permission.VIEW_PIPELINE,
            lambda: [self._job_id()],
            self._reload,
            paused=lambda: bool(self.error),  # refused (a job gone, not theirs); not a failed read
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def move(self, application_id: int, stage_id: int, seen_in: int = 0):
        """Move one card (dropped on a column, or picked in its "Move to" menu) from the stage it
        was seen in (``seen_in``), unless a colleague moved it meanwhile.

        The toast says whom it moved, as the review page's do: three moves in a row were three
        "Moved to Onsite." to a screen reader, naming nobody."""
        who = self._who(int(application_id))
        try:
            outcome = await in_session(
                lambda s: pipeline.move_application(
                    session=s,
                    application_id=int(application_id),
                    stage_id=int(stage_id),
                    actor=acting_user(),
                    seen_in=int(seen_in) or None,
                )
            )
        except UserError as err:
            await self._reload()
            return rx.toast.error(str(err))
        await self._reload()
        # Moved, but a test the stage sends on entry failed: told as an error, not a success.
        message = f"{who}: {outcome.message}" if who else outcome.message
        return (rx.toast.error if outcome.not_sent else rx.toast.success)(message)

    def _who(self, application_id: int) -> str:
        """The candidate of a card on the board, as its controls name them ("" if not shown)."""
        card = next(
            (k for c in self.board.columns for k in c.cards if k.application_id == application_id), None
        )
        if card is None:
            return ""
        return (
            f"{card.candidate_name} ({card.namesake_email})" if card.namesake_email else card.candidate_name
        )

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def menu_closed_with_its_card(self, application_id: int, seen_in: int):
        """A card's "Move to" menu was open as the board drew the card anew (``dnd.jsx``), which
        closes it: if a colleague moved the card, say so, rather than let the menu vanish unexplained."""
        job_id, user = self._job_id(), current_user()

        def tell(session) -> str:
            require(user, Permission.VIEW_PIPELINE, job_id=job_id)
            return pipeline.moved_meanwhile(
                session, job_id=job_id, application_id=int(application_id), seen_in=int(seen_in)
            )

        try:
            told = await in_session(tell)
        except UserError:
            return None  # the board itself says so at its next load
        return rx.toast.info(told) if told else None

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def toggle_selected(self, application_id: int):
        """Select or unselect a card for a bulk move."""
        if application_id in self.selected:
            self.selected = [i for i in self.selected if i != application_id]
        else:
            self.selected = [*self.selected, application_id]
            self._note_ticked([application_id])

    def _note_ticked(self, application_ids: list[int]) -> None:
        """Keep the stage each card is shown in as it is ticked."""
        shown_in = {k.application_id: k.stage_id for c in self.board.columns for k in c.cards}
        self._ticked_in = {
            **self._ticked_in,
            **{i: shown_in[i] for i in application_ids if i in shown_in},
        }

    @rx.var
    def added_are_sent(self) -> str:
        """Said before a list is pasted: a first stage that sends its tests on entry sends them to
        every line as it is added, which the recruiter should know before Add candidates."""
        first = self.board.columns[0] if self.board.columns else None
        if first is None or not (first.kind == "assessment" and first.auto_send and first.tests):
            return ""
        return (
            f"Each candidate added is sent {first.tests} at once: {first.name}, the plan's first stage, "
            "sends its tests on entry."
        )

    @rx.var
    def full_columns(self) -> list[int]:
        """The stages whose every card shown is selected (their header's box is ticked)."""
        chosen = set(self.selected)
        return [
            c.stage_id
            for c in self.board.columns
            if c.cards and all(k.application_id in chosen for k in c.cards)
        ]

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def toggle_column(self, stage_id: int):
        """Select every card shown in a stage, or none of them if all were: forty applicants to
        reject or move were forty ticks."""
        column = next((c for c in self.board.columns if c.stage_id == stage_id), None)
        if column is None:
            return
        ids = [k.application_id for k in column.cards]
        if stage_id in self.full_columns:
            self.selected = [i for i in self.selected if i not in ids]
        else:
            self._note_ticked([i for i in ids if i not in self.selected])
            self.selected = [*self.selected, *(i for i in ids if i not in self.selected)]

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    def clear_selection(self):
        """Untick every card; the focus goes to the first of them the board shows."""
        cleared = set(self.selected)
        self.selected, self._ticked_in = [], {}
        first = next(
            (k.application_id for c in self.board.columns for k in c.cards if k.application_id in cleared),
            None,
        )
        return _focus_after_the_bar(first)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def move_selected(self, stage_id: int):
        """Move every selected card; each succeeds or fails on its own."""
        ids, self.moving = list(self.selected), True
        seen_in = {i: self._ticked_in[i] for i in ids if i in self._ticked_in}
        # A vendor send per card into a stage that sends on entry: minutes at hundreds, on the pool
        # for slow work (helper-143); a move that sends nothing stays off it, behind no sync (helper-144).
        sends = any(c.auto_send for c in self.board.columns if c.stage_id == int(stage_id))
        yield
        try:
            results = await in_session(
                lambda s: pipeline.move_applications(
                    session=s,
                    application_ids=ids,
                    stage_id=int(stage_id),
                    actor=acting_user(),
                    seen_in=seen_in,
                ),
                slow=sends,
            )
        except Exception:
            # Not a refusal (each card's is told in its line) but a failure: the database away. The
            # buttons would spin on; those moved before it stay moved, and the board shows which.
            log.exception("moving the selection of job %s failed", self._job_id())
            self.moving = False
            await self._reload()
            yield rx.toast.error(
                "That did not go through for every card; the error is in the log. The board shows where each is."
            )
            return
        self.moving, self.selected, self._ticked_in = False, [], {}
        await self._reload()
        moved = {r.application_id for r in results if r.ok}
        shown = next((c for c in self.board.columns if c.stage_id == int(stage_id)), None)
        first = next(
            (k.application_id for k in (shown.cards if shown else []) if k.application_id in moved), None
        )
        yield _focus_after_the_bar(first)
        yield _bulk_move_toast(results)

    async def _open_reject_dialog(self) -> None:
        """The reject dialog, opened on the selection: what rejecting each would also do."""
        self.rejecting, self.reject_reason, self.reject_note = True, "", ""
        job_id, ids = self._job_id(), list(self.selected)
        selected = await in_session(lambda s: bulk_rejection.before_rejecting(s, job_id, ids))
        self._rejecting_versions, self.reject_also = selected.versions, selected.also

    @rx.var
    def rejecting_whom(self) -> str:
        """Whom the dialog rejects, for its title."""
        return counted(len(self.selected), "selected candidate")

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def reject(self):
        """Reject the selected candidates with the reason chosen, each on its own."""
        job_id, actor, reason, note = self._job_id(), acting_user(), self.reject_reason, self.reject_note
        # Those still selected only: a card the board's live reload took from the selection while
        # the reason was chosen (its status changed under a filter) was rejected all the same,
        # though the title said one fewer (helper-122).
        selected = set(self.selected)
        versions = {i: v for i, v in self._rejecting_versions.items() if i in selected}
        try:
            require(current_user(), Permission.REVIEW, job_id=job_id)
        except UserError as err:
            yield rx.toast.error(str(err))
            return
        self.moving = True
        yield
        try:
            outcomes = await in_session(
                lambda s: bulk_rejection.reject_selected(
                    session=s, job_id=job_id, versions=versions, reason=reason, note=note, actor=actor
                )
            )
        except UserError as err:
            self.moving = False
            yield rx.toast.error(str(err))
            return
        except Exception:
            # Not a refusal but a failure (the database away): the board's buttons would spin on.
            # Those rejected before it stay rejected, and the board, reloaded, shows which.
            log.exception("rejecting the selection of job %s failed", job_id)
            self.moving, self.rejecting = False, False
            await self._reload()
            yield rx.toast.error(
                "That did not go through for everyone; the error is in the log. The board shows who is rejected."
            )
            return
        self.moving, self.rejecting, self.selected = False, False, []
        await self._reload()
        text, trouble = bulk_rejection.told(outcomes, reason)
        yield (rx.toast.error if trouble else rx.toast.success)(text)

    @rx.event
    @requires(Permission.MANAGE_PIPELINE)
    async def add_candidate(self, form: dict):
        """A candidate applies (entered by the recruiter): the card lands in the first stage.

        The boxes are emptied only once the candidate is added: a refused entry stays to be corrected.
        The second click of a double click is sent with the boxes as they were, before the
        first click's answer emptied them: it carries the form's generation from before that
        answer, and is let go quietly (it added the person, then toasted "... is already in this
        job"). A submit made after the answer, the same person typed again, is refused, saying why.
        """
        drawn = form.get("generation")
        if drawn is not None and str(drawn) != str(self.add_generation):
            return None
        self.add_generation += 1
        job_id, actor = self._job_id(), acting_user()
        name, email = str(form.get("name", "")).strip(), str(form.get("email", ""))

        def add(session) -> tuple[str, bool]:
            application = pipeline.add_application(
                session=session, job_id=job_id, name=name, email=email, actor=actor
            )
            failed = pipeline.tests_not_sent(session, application) > 0
            return pipeline.added_message(session, application, typed_name=name), failed

        try:
            require(current_user(), Permission.MANAGE_PIPELINE, job_id=job_id)
            message, failed = await in_session(add)
        except UserError as err:
            return rx.toast.error(str(err))
        await self._reload()
        # Added, but a test the first stage sends on entry failed: an error, as a move's is.
        toast = (rx.toast.error if failed else rx.toast.success)(message)
        return [rx.set_value(NEW_NAME_ID, ""), rx.set_value(NEW_EMAIL_ID, ""), toast]

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def show_more(self, stage_id: int):
        """The next page of one column."""
        key = str(stage_id)
        self.limits = {**self.limits, key: self.limits.get(key, board_view.PAGE) + board_view.PAGE}
        await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    def set_search(self, value: str):
        self.search = value

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def set_status(self, value: str):
        """Filter by status at once, as Apply would (the boxes as typed, every column from its first page)."""
        self.status = value
        await self._apply_typed()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    def set_score_min(self, value: str):
        self.score_min = value

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    def set_score_max(self, value: str):
        self.score_max = value

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def apply_filters(self, _form: dict | None = None):
        """Search and filter (Enter in any box)."""
        await self._apply_typed()

    async def _apply_typed(self) -> None:
        """Show the filter as typed, every column from its first page (refused junk changes nothing)."""
        if self._show_typed_filter():
            self.limits = {}
            await self._reload()

    @rx.event
    @requires(Permission.VIEW_PIPELINE)
    async def clear_filters(self):
        self.search, self.status, self.score_min, self.score_max, self.limits = "", "any", "", "", {}
        self.filter_error, self._shown = "", board_view.BoardFilter()
        await self._reload()
