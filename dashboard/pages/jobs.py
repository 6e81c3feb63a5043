"""The home page: every job with what waits on the team."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import no_match, page_frame, table_region
from dashboard.pages import page
from dashboard.services.views import JobSummary
from dashboard.states.auth import AuthState
from dashboard.states.overview import SEARCH_BOX_ID, JobsState


def _job_row(job: JobSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(job.label, href="/jobs/" + job.id.to(str), weight="medium")),
        rx.table.cell(job.opened, white_space="nowrap"),
        rx.table.cell(job.applications),
        rx.table.cell(job.needs_sending),
        rx.table.cell(job.needs_review),
    )


@page(route=routes.HOME, title="Jobs · Assay", on_load=[AuthState.guard_page, JobsState.load])
def jobs_page() -> rx.Component:
    return page_frame(
        "Jobs",
        rx.cond(
            AuthState.can_manage_pipeline,
            rx.form(
                rx.hstack(
                    rx.input(
                        name="title", placeholder="New job title", aria_label="New job title", width="280px"
                    ),
                    rx.button(rx.icon("plus", size=14), "New job", type="submit", loading=JobsState.creating),
                ),
                on_submit=JobsState.create_job,
                # A created job opens its plan; a refused title stays in the box to be corrected.
                reset_on_submit=False,
            ),
        ),
        _same_title_question(),
        _search_box(),
        rx.cond(
            JobsState.jobs.length() > 0,
            table_region(
                "Jobs",
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Job"),
                        rx.table.column_header_cell("Opened"),
                        rx.table.column_header_cell("Applications"),
                        rx.table.column_header_cell("Assessment needs sending"),
                        rx.table.column_header_cell("Assessment needs review"),
                    )
                ),
                rx.table.body(rx.foreach(JobsState.jobs, _job_row)),
            ),
            rx.cond(
                JobsState.loaded,
                rx.cond(JobsState.search.strip() != "", _no_match(), rx.callout("No jobs yet.", icon="info")),
                rx.spinner(),
            ),
        ),
    )


def _same_title_question() -> rx.Component:
    """A new job titled as one the team has: open that one, make a second anyway, or retitle.

    Said (role alert) as it shows; the focus stays in the title box, to change the title there.
    """
    return rx.cond(
        JobsState.same_title_job_id != 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("copy")),
            rx.vstack(
                rx.callout.text(
                    "There is already a job called ",
                    rx.link(
                        JobsState.same_title_job,
                        href="/jobs/" + JobsState.same_title_job_id.to(str),
                        weight="medium",
                        color_scheme="amber",
                        high_contrast=True,
                        underline="always",  # a link, not only bolder words, in the callout's colour
                    ),
                    ". Open it, change the title above, or make a second job of this title "
                    "(for another office or team, say).",
                ),
                rx.button(
                    "Create a second “",
                    JobsState.same_title_asked,
                    "”",
                    size="1",
                    variant="soft",
                    color_scheme="amber",
                    high_contrast=True,
                    on_click=JobsState.create_same_title,
                    loading=JobsState.creating,
                ),
                spacing="2",
            ),
            color_scheme="amber",
            high_contrast=True,  # amber text on its own tint is too faint (axe: colour contrast)
            role="alert",
            max_width="640px",
        ),
    )


def _search_box() -> rx.Component:
    """The title search, narrowing the list as it is typed (once typing pauses), Escape to clear it."""
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            id=SEARCH_BOX_ID,
            placeholder="Search job titles",
            aria_label="Search jobs",
            type="search",
            value=JobsState.search,
            on_change=JobsState.search_jobs,
            # The search kept from the last visit arrives with the page's state: typing before
            # then would be merged with it, so wait for it.
            disabled=~rx.State.is_hydrated,
            width="280px",
        ),
        # Told to screen readers as the list narrows, not only drawn.
        rx.text(
            rx.cond(
                JobsState.search.strip() != "",
                rx.match(
                    JobsState.total,
                    (0, "No jobs match"),
                    (1, "1 job matches"),
                    JobsState.total.to(str) + " jobs match",
                ),
                "",
            ),
            role="status",
            size="2",
            color_scheme="gray",
        ),
        _more_than_shown(),
        align="center",
        spacing="3",
        wrap="wrap",
    )


def _no_match() -> rx.Component:
    """A search that matches no job says what was searched for, and offers the whole list back."""
    return no_match(
        rx.callout.text("No job matches '", JobsState.search.strip(), "'."), JobsState.clear_search
    )


def _more_than_shown() -> rx.Component:
    """Past the jobs shown, the list says so above it: how many more there are, how to reach them."""
    return rx.cond(
        JobsState.total > JobsState.jobs.length(),
        rx.text(
            "Showing the ",
            JobsState.jobs.length().to(str),
            " newest of ",
            JobsState.total.to(str),
            rx.cond(JobsState.search.strip() != "", " matching jobs", " jobs"),
            "; search by title to find the others.",
            size="2",
            color_scheme="gray",
        ),
    )
