"""The home page: every job with what waits on the team."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import page_frame
from dashboard.pages import page
from dashboard.services.views import JobSummary
from dashboard.states.auth import AuthState
from dashboard.states.overview import JobsState


def _job_row(job: JobSummary) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(job.title, href="/jobs/" + job.id.to(str), weight="medium")),
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
        rx.cond(
            JobsState.jobs.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Job"),
                        rx.table.column_header_cell("Applications"),
                        rx.table.column_header_cell("Assessment needs sending"),
                        rx.table.column_header_cell("Assessment needs review"),
                    )
                ),
                rx.table.body(rx.foreach(JobsState.jobs, _job_row)),
                width="100%",
            ),
            rx.cond(JobsState.loaded, rx.callout("No jobs yet.", icon="info"), rx.spinner()),
        ),
    )
