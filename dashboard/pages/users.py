"""The team: who can do what, and which jobs each hiring manager sees."""

import reflex as rx

from dashboard import routes
from dashboard.components.layout import (
    focus_returns,
    no_match,
    only_for,
    page_frame,
    question_answers,
    refusal,
    table_region,
)
from dashboard.pages import page
from dashboard.services.views import Choice, UserView
from dashboard.states.auth import AuthState
from dashboard.states.live import NavigationWatch
from dashboard.states.users import FIRST_PASSWORD, ROLES, SEARCH_BOX_ID, UsersState


def _role_select(aria_label: str, **props) -> rx.Component:
    """The roles by the names people use, not their stored values."""
    return rx.select.root(
        rx.select.trigger(aria_label=aria_label),
        rx.select.content(*(rx.select.item(label, value=role) for role, label in ROLES.items())),
        **props,
    )


def _job_toggle(user: UserView, job: Choice) -> rx.Component:
    """A job the person is on, ticked, to take them off it, named for both: the job's title alone,
    in every row, told a screen reader user tabbing down nothing of whose team it was."""
    return rx.checkbox(
        job.label,
        checked=True,
        on_change=lambda on: UsersState.toggle_job(user.id, job.value, on),
        aria_label=user.name + " on the " + job.label + " team",
        size="1",
    )


JOBS_LIST_ID = "team-jobs"


def _add_to_job(user: UserView) -> rx.Component:
    """A box to put the person on another job, its name picked from the page's one list of jobs as
    it is typed: a box per job in every row drew a million for 100 people and 10,000 jobs. A form
    of its own, the box left to the browser (held on the server, letters typed while the server
    answered the last one were lost, helper-121); Enter or Add sends it."""
    return rx.form(
        rx.hstack(
            rx.el.input(
                name="job",
                # An id as a plain attribute: given as ``id``, Reflex makes a ref of it, which a
                # name made per row broke (the form sent nothing). It is found by that id to be
                # cleared once the person is added, and focused once a job is unticked.
                custom_attrs={"id": "add-to-job-" + user.id.to_string()},
                list=JOBS_LIST_ID,
                placeholder="Add to a job",
                aria_label="Add " + user.name + " to a job",
                auto_complete="off",
                class_name="add-to-job rt-reset",
                style={
                    "font_size": "var(--font-size-1)",
                    "padding": "2px 6px",
                    "border": "1px solid var(--gray-a7)",
                    "border_radius": "var(--radius-2)",
                    "background": "var(--color-surface)",
                    "color": "var(--gray-12)",
                    "min_width": "10em",
                },
            ),
            # Whose box it is, sent with the form: its handler is made once for all rows (Reflex
            # hoists it out of the loop), so it cannot name the row's person itself.
            rx.el.input(type="hidden", name="user_id", value=user.id),
            rx.button(
                "Add",
                type="submit",
                size="1",
                variant="soft",
                aria_label="Add " + user.name + " to the job typed",
            ),
            spacing="1",
            align="center",
        ),
        on_submit=UsersState.add_to_job,
        reset_on_submit=False,  # a name refused stays, to be corrected
    )


def _jobs_list() -> rx.Component:
    """Every job's name, once on the page, offered by each person's "Add to a job" box."""
    return rx.el.datalist(
        rx.foreach(UsersState.jobs, lambda job: rx.el.option(value=job.label)), id=JOBS_LIST_ID
    )


JOBS_COLUMN_HELP_ID = "jobs-column-help"


def _jobs_column_help() -> rx.Component:
    """What a ticked job means, which differs by role: a new admin could not tell from the ticks.

    True to the code: a hiring manager's ticks are all they may see (``visible_job_ids``) and who
    is emailed for review (``notify``); a recruiter sees every job, and the ticks are what the
    queue's Recruiter filter narrows to (``QueueFilter.member_id``).
    """
    return rx.text(
        "Jobs: a hiring manager sees and reviews only the jobs ticked in their row, and is emailed when "
        "a test there needs review. Recruiters and admins see every job; a recruiter's ticked jobs are "
        "the ones the queue shows when its Recruiter filter is set to them.",
        id=JOBS_COLUMN_HELP_ID,
        size="2",
        color_scheme="gray",
        margin_top="12px",
    )


OWN_ROW_REASON_ID = "cannot-deactivate-yourself"


def _cannot_deactivate_yourself(user: UserView) -> rx.Component:
    """The signed-in admin's own Deactivate, disabled with the reason beside it (and read with it):
    live, it only ever answered "You cannot deactivate yourself." once clicked."""
    return rx.vstack(
        rx.button(
            "Deactivate",
            size="1",
            variant="soft",
            color_scheme="red",
            disabled=True,
            aria_label="Deactivate " + user.name,
            aria_describedby=OWN_ROW_REASON_ID,
        ),
        rx.text("You cannot deactivate yourself.", id=OWN_ROW_REASON_ID, size="1", color_scheme="gray"),
        spacing="1",
    )


def _row(user: UserView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                # A long name (or one without spaces) wraps anywhere rather than widening the
                # table and pushing the row's role, jobs and Deactivate off-screen.
                rx.text(user.name, weight="medium", overflow_wrap="anywhere"),
                rx.text(user.email, size="1", color_scheme="gray", overflow_wrap="anywhere"),
                # In words, beside the name: the row read as an active one's but for its Reactivate
                # button, so neither a glance down the team nor a screen reader told who can sign in.
                rx.cond(
                    ~user.active,
                    rx.badge("Deactivated: cannot sign in", color_scheme="gray", size="1", margin_top="4px"),
                ),
                spacing="0",
            ),
            # Nor squeezed by the other columns on a phone (to 79 px, "admin@ / assay.te / st"):
            # the table scrolls sideways in its own box instead.
            min_width="12em",
            max_width="320px",
        ),
        rx.table.cell(
            _role_select(
                value=user.role,
                on_change=lambda role: UsersState.change_role(user.id, role),
                size="1",
                aria_label="Role of " + user.name,  # not "Role" in every row
            )
        ),
        rx.table.cell(
            rx.cond(
                user.role == "admin",
                rx.text("all jobs", size="1", color_scheme="gray"),
                # A hiring manager sees only these; a recruiter sees all, and owns these (the queue's filter).
                rx.vstack(
                    rx.foreach(user.jobs, lambda job: _job_toggle(user, job)), _add_to_job(user), spacing="1"
                ),
            )
        ),
        rx.table.cell(
            rx.cond(
                user.id == AuthState.user_id,
                _cannot_deactivate_yourself(user),
                rx.vstack(
                    rx.cond(
                        user.active,
                        rx.button(
                            "Deactivate",
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=UsersState.ask_deactivate(user.id, user.name),
                            aria_label="Deactivate " + user.name,
                        ),
                        rx.button(
                            "Reactivate",
                            size="1",
                            variant="soft",
                            on_click=UsersState.set_active(user.id, True),
                            aria_label="Reactivate " + user.name,
                        ),
                    ),
                    # A first password closed before it was handed over, or one forgotten: without
                    # this the person could never sign in again (inviting them is refused).
                    rx.button(
                        "New password",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=UsersState.ask_new_password(user.id, user.name),
                        aria_label="New password for " + user.name,
                    ),
                    spacing="1",
                ),
            )
        ),
    )


def _invite_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.hstack(
                rx.input(
                    name="name",
                    placeholder="Name",
                    aria_label="Invite name",
                    value=UsersState.invite_name,
                    on_change=UsersState.set_invite_name,
                ),
                rx.input(
                    name="email",
                    placeholder="Email",
                    type="email",
                    aria_label="Invite email",
                    value=UsersState.invite_email,
                    on_change=UsersState.set_invite_email,
                ),
                _role_select(
                    name="role",
                    value=UsersState.invite_role,
                    on_change=UsersState.set_invite_role,
                    aria_label="Invite role",
                ),
                rx.button("Invite", type="submit"),
                align="center",
                wrap="wrap",
            ),
            on_submit=UsersState.invite,
            # Not reset here: a refused invite keeps what was typed; the state clears it once invited.
            reset_on_submit=False,
        ),
        refusal(UsersState.invite_error, margin_top="8px"),
        rx.cond(
            FIRST_PASSWORD.value != "",
            rx.callout(
                rx.hstack(
                    rx.text(
                        rx.cond(UsersState.password_is_new, "New password for ", "First password for "),
                        UsersState.invited_email,
                        " (shown once): ",
                    ),
                    rx.code(FIRST_PASSWORD.value),
                    # Copied from the browser's own copy, as a revealed webhook URL is: the
                    # password does not go back to the server (nor into its logs) to be copied.
                    rx.icon_button(
                        rx.icon("copy", size=12),
                        size="1",
                        variant="soft",
                        aria_label=rx.cond(
                            UsersState.password_is_new,
                            "Copy the new password for ",
                            "Copy the first password for ",
                        )
                        + UsersState.invited_email,
                        on_click=[
                            rx.set_clipboard(FIRST_PASSWORD.value),
                            rx.toast.info(
                                rx.cond(
                                    UsersState.password_is_new,
                                    "New password copied.",
                                    "First password copied.",
                                )
                            ),
                        ],
                    ),
                    rx.button("Done", size="1", on_click=UsersState.dismiss_password),
                    align="center",
                ),
                icon="key-round",
                margin_top="8px",
            ),
        ),
        width="100%",
    )


def _search_box() -> rx.Component:
    """The search by name or email, narrowing the list as it is typed (once typing pauses); what it
    found is said."""
    searching = UsersState.search.strip() != ""
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=14)),
            id=SEARCH_BOX_ID,
            placeholder="Search names and emails",
            aria_label="Search people",
            type="search",
            value=UsersState.search,
            on_change=UsersState.search_users,
            # The search kept from the last visit arrives with the page's state: typing before
            # then would be merged with it, so wait for it.
            disabled=~rx.State.is_hydrated,
            width=rx.breakpoints(initial="100%", sm="280px"),
        ),
        # Told to screen readers as the list narrows, not only drawn.
        rx.text(
            rx.cond(
                searching,
                rx.match(
                    UsersState.total,
                    (0, "No one matches"),
                    (1, "1 person matches"),
                    UsersState.total.to(str) + " people match",
                ),
                "",
            ),
            role="status",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            UsersState.total > UsersState.users.length(),
            rx.text(
                "Showing the first ",
                UsersState.users.length().to(str),
                " of ",
                UsersState.total.to(str),
                rx.cond(searching, " matching people", " people"),
                " by name; search by name or email to find the others.",
                size="2",
                color_scheme="gray",
            ),
        ),
        align="center",
        spacing="3",
        wrap="wrap",
        margin_top="16px",
        width="100%",
    )


def _no_match() -> rx.Component:
    """A search that matches no one says what was searched for, and offers the whole team back."""
    return no_match(
        rx.callout.text("No one's name or email holds '", UsersState.search.strip(), "'."),
        UsersState.clear_search,
    )


def _deactivate_dialog() -> rx.Component:
    """Deactivating ends the person's sessions at once, so it asks first, like deleting a stage."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Deactivate a user"),
            rx.alert_dialog.description(
                "Deactivate ",
                rx.text.strong(UsersState.deactivate_name),
                "? They are signed out and cannot sign in until reactivated; "
                "the email alerts still waiting for them are withheld.",
                overflow_wrap="anywhere",
            ),
            question_answers(
                "Cancel", rx.button("Deactivate", color_scheme="red", on_click=UsersState.confirm_deactivate)
            ),
            **focus_returns(),
        ),
        open=UsersState.deactivate_user_id != 0,
        on_open_change=UsersState.set_deactivate_open,
    )


def _new_password_dialog() -> rx.Component:
    """A new password ends the person's sessions and their old password, so it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Give a new password"),
            rx.alert_dialog.description(
                "Give ",
                rx.text.strong(UsersState.new_password_name),
                " a new password? Their old one stops working and they are signed out; the new one "
                "is shown here once, for you to hand over.",
                overflow_wrap="anywhere",
            ),
            question_answers(
                "Cancel", rx.button("Give a new password", on_click=UsersState.confirm_new_password)
            ),
            **focus_returns(),
        ),
        open=UsersState.new_password_user_id != 0,
        on_open_change=UsersState.set_new_password_open,
    )


def _demote_self_dialog() -> rx.Component:
    """An admin's own Role box set away from admin takes this page from them: it asks first."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Stop being an admin?"),
            rx.alert_dialog.description(
                "You become a ",
                rx.text.strong(rx.match(UsersState.demote_self_role, *ROLES.items(), "")),
                " at once: Integrations, Users and Settings close to you, and only another admin "
                "can make you an admin again.",
            ),
            # Not the dialog's own action: closing it that way would ask the server as a non-admin
            # by then, and be refused ("cannot do this") just after the change it confirmed.
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Stay an admin", variant="soft", color_scheme="gray")),
                rx.button("Change my role", color_scheme="red", on_click=UsersState.confirm_demote_self),
                justify="end",
                spacing="2",
                margin_top="16px",
            ),
            **focus_returns(),
        ),
        open=UsersState.demote_self_role != "",
        on_open_change=UsersState.set_demote_self_open,
    )


def _demote_dialog() -> rx.Component:
    """Another admin's Role box set away from admin takes Integrations, Users and Settings from
    them: it asks first, naming them, as an admin's own box does."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Take the admin role from ", UsersState.demote_name, "?"),
            rx.alert_dialog.description(
                rx.text.strong(UsersState.demote_name),
                " becomes a ",
                rx.text.strong(rx.match(UsersState.demote_role, *ROLES.items(), "")),
                " at once: Integrations, Users and Settings close to them.",
                overflow_wrap="anywhere",
            ),
            question_answers(
                "Keep them an admin",
                rx.button("Change their role", color_scheme="red", on_click=UsersState.confirm_demote),
            ),
            **focus_returns(),
        ),
        open=UsersState.demote_user_id != 0,
        on_open_change=UsersState.set_demote_open,
    )


@page(
    route=routes.USERS,
    title="Users · Assay",
    # No job here: the watch keeps only the navigation's unread count live.
    on_load=[AuthState.guard_page, UsersState.load, NavigationWatch.watch],
)
def users_page() -> rx.Component:
    searching = UsersState.search.strip() != ""
    return page_frame(
        "Users",
        only_for(
            AuthState.can_manage_users,
            "Users are the admins' page: an admin invites people, sets their roles and chooses "
            "which jobs a hiring manager sees. Ask an admin for a change.",
            _invite_form(),
            _deactivate_dialog(),
            _new_password_dialog(),
            _demote_self_dialog(),
            _demote_dialog(),
            _jobs_column_help(),
            _jobs_list(),
            _search_box(),
            # Not an empty table's header under it: the search found no one, and says so.
            rx.cond(
                (UsersState.total == 0) & searching,
                _no_match(),
                table_region(
                    "People in the team",
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Person"),
                            rx.table.column_header_cell("Role"),
                            rx.table.column_header_cell("Jobs", aria_describedby=JOBS_COLUMN_HELP_ID),
                            rx.table.column_header_cell(""),
                        )
                    ),
                    rx.table.body(rx.foreach(UsersState.users, _row)),
                ),
            ),
        ),
    )
