"""The admin's integrations page and the team's roles, walked in Chromium.

Sign-in refuses a wrong password without a hint; an admin connects a second
CoderPad Screen account (a wrong key, the connected account's key, then its own),
reveals its webhook URL (and
CodeSignal's its signing secret),
rotates the key, syncs, slows its sync job down (the scheduler follows), and
disconnects it after a warning; invites a hiring
manager; a hiring manager sees only their job, its board without what moves
candidates, and cannot manage integrations.
"""

import re
import time

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from dashboard.jobs.scheduler import LEADER_CHECK_S
from tests.browser.steps import DEMO_PASSWORD, broken_rules, open_and_escape, query_app, shared_names

pytestmark = pytest.mark.browser

NAME = "CoderPad Screen (EU team)"
# The key of a second account at a vendor (the sandbox accepts it at every vendor): the demo's key
# is the account its connection connects, and the same account is not connected twice.
ANOTHER_ACCOUNT_KEY = "another-account-key"


def _sync_runs(db_url: str, integration_id: str) -> list[str]:
    """The times the running app's scheduler swept this connection, from its run ledger."""
    slots = query_app(
        db_url,
        "SELECT slot FROM scheduledrun WHERE job_name = :job ORDER BY id",
        job=f"sync:{integration_id}",
    )
    return [str(slot) for slot in slots]


def test_admin_connects_rotates_and_disconnects_a_vendor(page, demo_app, app_url, shoot, sign_in):

    page.goto(f"{app_url}/sign-in")
    page.get_by_label("Email").fill("admin@assay.test")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    shoot("10-sign-in-refused", full_page=False)
    sign_in("admin@assay.test")

    page.goto(f"{app_url}/integrations")
    tile = page.locator(".vendor-tile", has_text="CoderPad Screen").first
    expect(tile).to_contain_text("connected")
    tile.get_by_role("button", name="Connect CoderPad Screen", exact=True).click()
    page.get_by_label("Connection name").fill(NAME)
    page.get_by_label("API key").fill("wrong-key-0000")
    page.get_by_role("button", name="Save & close").click()
    expect(page.get_by_role("alert")).to_contain_text("rejected (401)")
    # The key of the account the demo's "CoderPad Screen" connects, pasted with spaces around it.
    page.get_by_label("API key").fill("  demo-coderpad-screen-key  ")
    page.get_by_role("button", name="Save & close").click()
    expect(page.get_by_role("alert")).to_have_text(
        "This key is already connected as 'CoderPad Screen': a second connection to the same "
        "CoderPad Screen account would take its webhooks. Use that connection, or paste the key "
        "of another account."
    )
    expect(page.get_by_label("Connection name")).to_have_value(NAME)  # kept, to be corrected
    page.get_by_label("API key").fill("eu-team-coderpad-key-7777")
    page.get_by_role("button", name="Save & close").click()
    card = page.locator(".integration-connection", has_text=NAME)
    expect(card).to_contain_text("\u2022\u2022\u2022\u20227777")
    expect(card.locator(".audit-log")).to_contain_text(
        "Connected. Region: Sandbox (Assay's built-in vendor sandbox)"
    )
    # Its region as the dialog offered it, not the registry's key ("sandbox").
    expect(card.locator(".connection-region")).to_have_text("Sandbox (Assay's built-in vendor sandbox)")
    shoot("11-connected")

    card.get_by_role("button", name=f"Reveal the webhook of {NAME}", exact=True).click()
    expect(card.locator(".webhook-url")).to_have_text(
        re.compile(r"/api/webhooks/coderpad_screen/\d+\?token=[\w-]{20,}")
    )
    integration_id = re.search(r"coderpad_screen/(\d+)", card.locator(".webhook-url").inner_text())[1]
    expect(card.get_by_role("button", name=f"Copy webhook URL of {NAME}", exact=True)).to_be_visible()
    shoot("12-webhook-revealed", card)
    card.get_by_role("button", name="Hide").click()
    expect(card.locator(".webhook-secret")).to_have_count(0)  # CoderPad does not sign its webhooks

    # CodeSignal signs with a secret the admin pastes there: the page shows it beside the URL.
    signing = page.locator(".integration-connection", has_text="CodeSignal").first
    expect(signing.locator(".webhook-secret")).to_have_text("\u2022" * 6)
    signing.get_by_role("button", name="Reveal").click()
    expect(signing.locator(".webhook-url")).to_have_text(re.compile(r"token=[\w-]{20,}"))
    token = re.search(r"token=([\w-]+)", signing.locator(".webhook-url").inner_text())[1]
    expect(signing.locator(".webhook-secret")).to_have_text(token)
    expect(signing.get_by_role("button", name="Copy webhook secret")).to_be_visible()
    shoot("12b-codesignal-webhook-secret", signing)
    signing.get_by_role("button", name="Hide").click()
    expect(signing.locator(".webhook-secret")).to_have_text("\u2022" * 6)

    card.get_by_role("button", name="Rotate key or change region").click()
    page.get_by_label("API key").fill("rotated-coderpad-key-4242")
    page.get_by_role("button", name="Save & close").click()
    expect(card).to_contain_text("\u2022\u2022\u2022\u20224242")
    expect(card.locator(".audit-log")).to_contain_text(
        "Key rotated (\u2022\u2022\u2022\u20227777 \u2192 \u2022\u2022\u2022\u20224242)"
    )

    card.get_by_role("button", name=f"Sync now with {NAME}", exact=True).click()
    expect(page.get_by_text(re.compile(r"Checked \d+ open attempts; corrected \d+"))).to_be_visible()
    shoot("13-rotated-and-synced")

    # The new connection has its own sync job at the workspace's 5 s; slow it to 15 minutes.
    deadline = time.monotonic() + 15
    while not _sync_runs(demo_app.db_url, integration_id):
        assert time.monotonic() < deadline, "the new connection was never swept on its own"
        time.sleep(0.5)
    card.get_by_role("combobox", name=f"How often to sync {NAME}", exact=True).click()
    page.get_by_role("option", name="every 15 minutes").click()
    expect(page.get_by_text(f"{NAME} will be synced every 15 minutes.")).to_be_visible()
    expect(card.locator(".audit-log")).to_contain_text(
        "Sync every 5 s (the workspace default) \u2192 every 15 minutes."
    )
    expect(card.get_by_role("combobox", name="How often to sync")).to_have_text("every 15 minutes")
    shoot("18-sync-every-15-minutes", card)
    time.sleep(LEADER_CHECK_S + 1)  # the leader checks its sync jobs this often
    settled = len(_sync_runs(demo_app.db_url, integration_id))
    time.sleep(12.5)  # two and a half of the default's intervals
    later = _sync_runs(demo_app.db_url, integration_id)[settled:]
    assert len(later) <= 1, later  # at most one 15-minute mark falls in 12.5 s; at 5 s there would be 2 or 3

    # Renamed, key untouched: a refused name stays in the box to be corrected.
    card.get_by_role("button", name="Rename").click()
    renaming = page.get_by_role("dialog")
    renaming.get_by_label("New connection name").fill("x" * 81)
    renaming.get_by_role("button", name="Rename").click()
    expect(renaming.get_by_role("alert")).to_have_text("A connection name is at most 80 characters.")
    expect(renaming.get_by_label("New connection name")).to_have_value("x" * 81)
    renaming.get_by_label("New connection name").fill("EU" + "x" * 78)  # no space to break the line at
    renaming.get_by_role("button", name="Rename").click()
    expect(renaming).to_have_count(0)
    card = page.locator(".integration-connection", has_text="EU" + "x" * 78)
    expect(card.locator(".audit-log")).to_contain_text("x" * 78)
    edge, log = card.bounding_box(), card.locator(".audit-log").bounding_box()
    assert log["x"] + log["width"] <= edge["x"] + edge["width"], (log, edge)  # the audit line wraps
    card.get_by_role("button", name="Rename").click()
    renaming.get_by_label("New connection name").fill("CoderPad Screen (Europe)")
    renaming.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("Renamed to CoderPad Screen (Europe).")).to_be_visible()
    expect(renaming).to_have_count(0)
    card = page.locator(".integration-connection", has_text="CoderPad Screen (Europe)")
    expect(card.locator(".audit-log")).to_contain_text(f"Renamed from '{NAME}' to 'EU")
    expect(card.locator(".audit-log")).to_contain_text("x' to 'CoderPad Screen (Europe)'.")  # the second
    expect(card).to_contain_text("\u2022\u2022\u2022\u20224242")  # the key it had
    shoot("13b-renamed", card)

    card.get_by_role("button", name="Disconnect").click()
    dialog = page.get_by_role("alertdialog", name="Disconnect CoderPad Screen (Europe)?")
    expect(dialog).to_contain_text(
        "Its key is erased and its webhook stops working. "
        "It has no unfinished assessments: nothing will be marked failed."
    )
    shoot("14-disconnect-warning", full_page=False)
    dialog.get_by_role("button", name="Disconnect").click()
    expect(page.get_by_text("Disconnected; it had no unfinished assessments.")).to_be_visible()
    expect(card).to_have_count(0)
    assert "rotated-coderpad-key-4242" not in page.content()

    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Morgan Manager")
    page.get_by_label("Invite email").fill("morgan@example.com")
    page.get_by_label("Invite role").click()
    page.get_by_role("option", name="Hiring manager").click()
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("First password for morgan@example.com")).to_be_visible()
    morgan = page.get_by_role("row", name=re.compile("Morgan Manager"))
    expect(morgan.get_by_role("combobox", name="Role")).to_have_text("Hiring manager")
    shoot("15-users-invited")


def test_a_hiring_manager_sees_only_their_job_and_no_integrations(page, app_url, shoot, sign_in):
    sign_in("manager@assay.test")

    # Exact: a job whose title holds one of these ("Senior Backend Engineer") would match too.
    expect(page.get_by_role("link", name="Backend Engineer", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Frontend Engineer", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Integrations", exact=True)).to_have_count(0)
    shoot("16-manager-jobs", full_page=False)

    # Their job's board shows the cards without what moves them (their role cannot).
    page.get_by_role("link", name="Backend Engineer", exact=True).click()
    cards = page.locator(".pipeline-card")
    expect(cards.first).to_be_visible()
    expect(page.get_by_role("link", name="Review results")).to_be_visible()
    expect(page.get_by_role("link", name="Edit plan")).to_have_count(0)
    for control in ["Move to", "Add candidate"]:
        expect(page.get_by_role("button", name=control)).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)
    expect(page.locator("[aria-roledescription='draggable card']")).to_have_count(0)
    shoot("16b-manager-board", full_page=False)

    page.goto(f"{app_url}/integrations")
    expect(page.locator(".page-refusal")).to_contain_text("Integrations are the admins' page")
    expect(page.locator(".integration-connection")).to_have_count(0)
    shoot("17-manager-refused", full_page=False)


# A real surname, and no space in it to break the line at.
LONG_NAME = "Hubert Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaftschaferswessenschafewarenwohlgepflege"


def test_users_page_keeps_a_refused_invite_confirms_deactivation_and_wraps_long_names(
    page, app_url, shoot, sign_in
):
    page.set_viewport_size({"width": 1600, "height": 900})
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")

    # A refused invite keeps what was typed, to be corrected; a successful one clears it,
    # and the role goes back to Recruiter rather than passing this one's to the next person.
    name, email = page.get_by_label("Invite name"), page.get_by_label("Invite email")
    role = page.get_by_label("Invite role")
    name.fill("Quinn Queue")
    email.fill("admin@assay.test")
    role.click()
    page.get_by_role("option", name="Hiring manager").click()
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("alert")).to_have_text("admin@assay.test already has an account.")
    expect(name).to_have_value("Quinn Queue")
    expect(email).to_have_value("admin@assay.test")
    expect(role).to_have_text("Hiring manager")
    email.fill("quinn@example.com")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("First password for quinn@example.com")).to_be_visible()
    quinn = page.get_by_role("row", name=re.compile("Quinn Queue"))
    expect(quinn.get_by_role("combobox", name="Role")).to_have_text("Hiring manager")
    expect(name).to_have_value("")
    expect(email).to_have_value("")
    expect(role).to_have_text("Recruiter")

    # A name longer than the service keeps is refused, in words.
    name.fill(LONG_NAME + " " + "x" * 130)
    email.fill("hubert@example.com")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("alert")).to_have_text("A name is at most 120 characters.")
    name.fill(LONG_NAME)
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("First password for hubert@example.com")).to_be_visible()
    hubert = page.get_by_role("row", name=re.compile("Wolfeschlegel"))
    box = hubert.get_by_role("button", name="Deactivate").bounding_box()
    assert box["x"] + box["width"] <= 1600, box  # the name wraps; the row's controls stay on screen
    shoot("19-users-long-name-wraps", full_page=False)

    # Deactivating signs the person out: it asks first, naming them.
    quinn.get_by_role("button", name="Deactivate").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(
        "Deactivate Quinn Queue? They are signed out and cannot sign in until reactivated; "
        "the email alerts still waiting for them are withheld."
    )
    shoot("19-users-deactivate-asks", full_page=False)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(quinn.get_by_role("button", name="Deactivate")).to_be_visible()  # still active
    quinn.get_by_role("button", name="Deactivate").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Quinn Queue is deactivated; their sessions have ended.")).to_be_visible()
    expect(quinn.get_by_role("button", name="Reactivate")).to_be_visible()

    # Putting a hiring manager on a job's team says so: the job's name typed (the list offers the
    # jobs as it is typed), Enter; the row then shows the job ticked, and unticking takes them off.
    harper = page.get_by_role("row", name=re.compile("manager@assay.test"))
    add_to_job = harper.get_by_role("combobox", name="Add Harper Manager to a job", exact=True)
    add_to_job.press_sequentially("data engineer", delay=20)  # typed as a person does, case aside
    add_to_job.press("Enter")
    expect(page.get_by_text(re.compile(r"is now on the Data Engineer team\."))).to_be_visible()
    on_data_team = harper.get_by_role("checkbox", name="Harper Manager on the Data Engineer team", exact=True)
    expect(on_data_team).to_be_checked()
    expect(add_to_job).to_have_value("")
    shoot("19b-users-added-to-a-job", full_page=False)
    add_to_job.fill("Data Enginer")
    add_to_job.press("Enter")
    expect(
        page.get_by_text("No job is called 'Data Enginer': pick one from the list as you type.")
    ).to_be_visible()
    expect(add_to_job).to_have_value("Data Enginer")  # kept, to be corrected
    on_data_team.focus()
    page.keyboard.press("Space")
    expect(page.get_by_text(re.compile(r"is no longer on the Data Engineer team\."))).to_be_visible()
    expect(on_data_team).to_have_count(0)
    expect(add_to_job).to_be_focused()  # not the next job's box, which a second Space would untick

    # A first password is shown once: coming back to the page, or reloading it, does not show it again.
    expect(page.get_by_text("First password for hubert@example.com")).to_be_visible()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Status colours")).to_be_visible()
    page.get_by_role("link", name="Users").click()
    expect(harper).to_be_visible()
    expect(page.get_by_text("First password for")).to_have_count(0)
    page.reload()
    expect(harper).to_be_visible()
    expect(page.get_by_text("First password for")).to_have_count(0)


def test_each_control_on_the_users_page_names_whose_it_is(page, app_url, sign_in):
    """Found by a CI run: every row's boxes were named by the bare job title ("Data Engineer"), its
    select "Role" and its button "Deactivate", so a screen reader tabbing down heard "Data Engineer,
    checkbox, checked" for each person without whose, and a locator by a job's title found a box
    in every row (test_board_cards' job "Long Names Engineer" broke a locator of "Name")."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    riley = page.get_by_role("row", name=re.compile("recruiter@assay.test"))
    expect(riley.get_by_role("combobox", name="Role of Riley Recruiter", exact=True)).to_have_text(
        "Recruiter"
    )
    expect(riley.get_by_role("button", name="Deactivate Riley Recruiter", exact=True)).to_be_visible()
    expect(riley.get_by_role("combobox", name="Add Riley Recruiter to a job", exact=True)).to_be_visible()
    expect(
        riley.get_by_role("button", name="Add Riley Recruiter to the job typed", exact=True)
    ).to_be_visible()
    assert shared_names(page) == {}


def test_the_admins_own_row_says_before_any_click_that_they_cannot_deactivate_themselves(
    page, app_url, shoot, sign_in
):
    """Found by a walk: the signed-in admin's own row had a live Deactivate button that only ever
    answered "You cannot deactivate yourself." once clicked; it is disabled, and says why beside it."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    mine = page.get_by_role("row", name=re.compile("admin@assay.test"))
    button = mine.get_by_role("button", name="Deactivate Avery Admin", exact=True)

    expect(button).to_be_disabled()
    expect(button).to_have_accessible_description("You cannot deactivate yourself.")
    expect(mine.get_by_text("You cannot deactivate yourself.")).to_be_visible()
    riley = page.get_by_role("row", name=re.compile("recruiter@assay.test"))
    expect(riley.get_by_role("button", name="Deactivate Riley Recruiter", exact=True)).to_be_enabled()
    shoot("users-own-row-cannot-deactivate", full_page=False)


def test_each_control_on_the_integrations_page_names_its_connection(page, app_url, sign_in):
    """Every connection's card offered "Rename", "Sync now", "Disconnect" and "Reveal", and every
    vendor's tile "Connect": an admin using a screen reader heard six of each with nothing of which
    connection they would disconnect."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    card = page.locator(".integration-connection", has_text="iMocha").first  # the demo's
    expect(card).to_be_visible()
    assert shared_names(page) == {}
    expect(card.get_by_role("button", name="Disconnect iMocha", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Sync now with iMocha", exact=True)).to_be_visible()


def _open_coodesh_dialog(page, app_url, sign_in):
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    page.locator(".vendor-tile", has_text="Coodesh").first.get_by_role(
        "button", name="Connect Coodesh", exact=True
    ).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Company ID").fill("coodesh-demo-company")
    return dialog


def test_a_too_long_connection_name_is_refused_and_kept_and_the_longest_wraps_in_its_card(
    page, app_url, shoot, sign_in
):
    dialog = _open_coodesh_dialog(page, app_url, sign_in)
    too_long = "<b>Coodesh</b> \U0001f680 " + "Brasil" * 50
    dialog.get_by_label("Connection name").fill(too_long)
    dialog.get_by_label("API key").fill(ANOTHER_ACCOUNT_KEY)
    dialog.get_by_role("button", name="Save & close").click()
    expect(dialog.get_by_role("alert")).to_have_text("A connection name is at most 80 characters.")
    expect(dialog.get_by_label("Connection name")).to_have_value(too_long)
    shoot("20-connection-name-too-long", full_page=False)

    # The longest name allowed, with no space to break at, wraps inside its card.
    longest = "Coodesh" + "x" * 73
    dialog.get_by_label("Connection name").fill(longest)
    dialog.get_by_label("API key").fill(ANOTHER_ACCOUNT_KEY)
    dialog.get_by_role("button", name="Save & close").click()
    card = page.locator(".integration-connection", has_text=longest)
    expect(card.locator(".audit-log")).to_contain_text(
        "Connected. Region: Sandbox (Assay's built-in vendor sandbox)"
    )
    assert card.evaluate("c => c.scrollWidth <= c.clientWidth"), "the name overflows its card"
    shoot("21-long-connection-name-wraps", card)

    # Gone again, so the other walks' pickers find one Coodesh connection, as seeded.
    card.get_by_role("button", name="Disconnect").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(card).to_have_count(0)


def test_a_setting_with_fixed_values_is_offered_as_a_select(page, app_url, shoot, sign_in):
    dialog = _open_coodesh_dialog(page, app_url, sign_in)
    # The name's example is this vendor's: it read "e.g. CoderPad Screen (EU team)" in every dialog.
    expect(dialog.get_by_label("Connection name")).to_have_attribute("placeholder", "e.g. Coodesh (EU team)")

    # Coodesh's unit of time taken has two values: offered as a choice, not typed.
    expect(dialog.get_by_role("textbox", name="Unit of time taken")).to_have_count(0)
    # Left empty, it says what applies (not "The vendor's default", against the help's "minutes").
    expect(dialog.get_by_role("combobox", name="Unit of time taken")).to_have_text("minutes (the default)")
    expect(dialog).to_contain_text("Choose how Assay reads it on results: minutes (the default) or seconds.")
    dialog.get_by_role("combobox", name="Unit of time taken").click()
    expect(page.get_by_role("option")).to_have_text(["minutes", "seconds"])
    page.get_by_role("option", name="seconds").click()
    expect(dialog.get_by_role("combobox", name="Unit of time taken")).to_have_text("seconds")
    shoot("22-unit-of-time-taken-is-a-select", full_page=False)
    dialog.get_by_label("Connection name").fill("Coodesh (seconds)")
    dialog.get_by_label("API key").fill(ANOTHER_ACCOUNT_KEY)
    dialog.get_by_role("button", name="Save & close").click()
    card = page.locator(".integration-connection", has_text="Coodesh (seconds)")
    expect(card.locator(".audit-log")).to_contain_text(
        "Connected. Region: Sandbox (Assay's built-in vendor sandbox)"
    )

    # The saved choice is shown again when the connection is edited.
    card.get_by_role("button", name="Rotate key or change region").click()
    expect(dialog.get_by_role("combobox", name="Unit of time taken")).to_have_text("seconds")
    dialog.get_by_role("button", name="Cancel").click()

    # Found by a walk: changing only the setting asked for the key again ("Paste the Coodesh API
    # key."), and the dialog's first focus was the name, which cannot be changed there.
    from_server: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: from_server.append(str(frame))))
    card.get_by_role("button", name="Rotate key or change region").click()
    expect(dialog.get_by_role("combobox", name="Region")).to_be_focused()
    expect(dialog).to_contain_text("Leave it empty to keep the current key (\u2022\u2022\u2022\u2022-key)")
    dialog.get_by_role("combobox", name="Unit of time taken").click()
    page.get_by_role("option", name="minutes").click()
    dialog.get_by_role("button", name="Save & close").click()
    expect(dialog).to_have_count(0)
    expect(card.locator(".audit-log")).to_contain_text("Unit of time taken: seconds \u2192 minutes.")
    expect(card).to_contain_text("\u2022\u2022\u2022\u2022-key")  # the same key, kept
    assert not [f for f in from_server if ANOTHER_ACCOUNT_KEY in f]  # and it stayed on the server

    # Gone again, so the other walks' pickers find one Coodesh connection, as seeded.
    card.get_by_role("button", name="Disconnect").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(card).to_have_count(0)


def test_a_refusal_naming_a_long_custom_url_wraps_inside_the_connect_dialog(page, app_url, shoot, sign_in):
    """The vendor's address has no space to break at: the refusal ran out of the dialog, its end unread."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    tile = page.locator(".vendor-tile", has_text="CoderPad Screen").first
    tile.get_by_role("button", name="Connect CoderPad Screen", exact=True).click()
    page.get_by_label("Connection name").fill("CoderPad Screen (on premises)")
    page.get_by_role("dialog").get_by_label("Region", exact=True).click()  # not "... change region of ..."
    page.get_by_role("option", name="Custom base URL").click()
    address = "http://127.0.0.1:9/tenants/" + "9f3a0c7be21d" * 20  # nothing listens there
    page.get_by_label("Custom base URL").fill(address)
    page.get_by_label("API key").fill("demo-coderpad-screen-key")
    page.get_by_role("button", name="Save & close").click()

    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("could not be reached")
    shoot("19-long-url-refused", full_page=False)
    dialog, box = page.get_by_role("dialog").bounding_box(), refusal.bounding_box()
    assert box["x"] + box["width"] <= dialog["x"] + dialog["width"], (box, dialog)
    # The boxes span the dialog, so a long address can be read while it is typed.
    for field in ["Connection name", "Custom base URL", "API key"]:
        width = page.get_by_label(field).bounding_box()["width"]
        assert width >= 0.8 * dialog["width"], (field, width, dialog)


def test_a_hiring_manager_opening_an_admin_page_by_url_is_told_whose_it_is(page, app_url, shoot):
    """Found by a walk: /integrations spun forever, /users offered its Invite form and /settings
    its Save buttons to a hiring manager, told only by a toast that went away; then the page
    said whose it was beside a toast saying "cannot do this" for merely opening it."""

    # Signed out, the link asks them to sign in, then opens the page it named (it led to the jobs page).
    page.goto(f"{app_url}/settings")
    expect(page).to_have_url(re.compile(r"/sign-in/?\?next=%2Fsettings$"))
    page.get_by_label("Email").fill("manager@assay.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/settings/?$"))
    expect(page.locator(".page-refusal")).to_contain_text("Settings are the admins' page")

    # A job not theirs says so in place of the board; each admin page does the same.
    page.goto(f"{app_url}/jobs/2")
    expect(page.get_by_text("You are not on the hiring team of this job.")).to_be_visible()

    def no_toast_blames_the_visit():
        # The page's own load was refused too; that refusal used to pop "cannot do this" as
        # if they had tried something. It comes within a few hundred ms when it comes.
        # Counted once: expect() would wait for the toast to time out and pass.
        page.wait_for_timeout(1_500)
        assert page.locator("[data-sonner-toast]").all_inner_texts() == []

    page.goto(f"{app_url}/integrations")
    expect(page.locator(".page-refusal")).to_contain_text("Integrations are the admins' page")
    no_toast_blames_the_visit()
    expect(page.locator(".rt-Spinner")).to_have_count(0)
    expect(page.get_by_role("button")).to_have_text(["Sign out"])  # nothing to connect, reveal or sync
    shoot("17b-manager-integrations-refused", full_page=False)

    page.goto(f"{app_url}/users")
    expect(page.locator(".page-refusal")).to_contain_text("Users are the admins' page")
    no_toast_blames_the_visit()
    expect(page.get_by_role("button")).to_have_text(["Sign out"])  # no Invite, roles or Deactivate
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    shoot("17c-manager-users-refused", full_page=False)

    page.goto(f"{app_url}/settings")
    expect(page.locator(".page-refusal")).to_contain_text("Settings are the admins' page")
    no_toast_blames_the_visit()
    expect(page.get_by_role("button")).to_have_text(["Sign out"])  # no Save clocks, Restore defaults
    expect(page.get_by_role("spinbutton")).to_have_count(0)
    shoot("17d-manager-settings-refused", full_page=False)


def test_a_dialog_closed_from_the_keyboard_gives_the_focus_back_to_what_opened_it(page, app_url, sign_in):
    """Found by a walk: Escape (or Cancel, Keep it) closed a connection's, a user's or the settings'
    dialog and left the focus on the page's top, so a keyboard user tabbed back down from the start."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    card = page.locator(".integration-connection", has_text="HackerRank").first
    for name in ["Rotate key or change region", "Rename", "Disconnect"]:
        open_and_escape(page, card.get_by_role("button", name=name))
    connect = page.locator(".vendor-tile", has_text="HackerRank").get_by_role(
        "button", name="Connect HackerRank", exact=True
    )
    connect.focus()
    page.keyboard.press("Enter")
    page.get_by_role("dialog").get_by_role("button", name="Cancel").press("Enter")
    expect(connect).to_be_focused()

    page.goto(f"{app_url}/users")
    open_and_escape(
        page,
        page.get_by_role("row", name=re.compile("recruiter@assay.test")).get_by_role(
            "button", name="Deactivate"
        ),
    )

    page.goto(f"{app_url}/settings")
    # Once its clocks are read: the form drawn again under the focus took it away (ci125).
    expect(page.get_by_role("spinbutton").first).to_be_visible()
    open_and_escape(page, page.get_by_role("button", name="Restore defaults"))


def test_the_users_jobs_column_says_what_a_ticked_job_means(page, app_url, shoot, sign_in):
    """Found by a walk: the "Jobs" column of ticks had no word on what a tick does, which differs by
    role (a hiring manager sees only those jobs; a recruiter sees all, the ticks narrow the queue)."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")

    explained = (
        "Jobs: a hiring manager sees and reviews only the jobs ticked in their row, and is emailed when "
        "a test there needs review. Recruiters and admins see every job; a recruiter's ticked jobs are "
        "the ones the queue shows when its Recruiter filter is set to them."
    )
    expect(page.get_by_text(explained)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Jobs")).to_have_accessible_description(explained)
    shoot("23-users-jobs-column-explained", full_page=False)


def test_an_invited_persons_first_password_has_a_copy_button_and_stays_in_the_browser(
    page, demo_app, app_url, shoot, sign_in
):
    """Found by a walk: the first password had to be selected by hand to hand it over, where the
    webhook URL beside it on the integrations page has a copy button."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    to_server: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: to_server.append(str(frame))))
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Casey Copy")
    page.get_by_label("Invite email").fill("casey@example.com")
    page.get_by_role("button", name="Invite").click()
    shown = page.locator(".rt-CalloutRoot", has_text="First password for casey@example.com")
    password = shown.locator("code").inner_text()
    assert len(password) >= 12, password

    shown.get_by_role("button", name="Copy the first password for casey@example.com", exact=True).click()

    expect(page.get_by_text("First password copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == password
    shoot("24-first-password-copy", full_page=False)
    assert not [frame for frame in to_server if password in frame]  # copied in the browser only
    assert password not in demo_app.log_path.read_text()


def test_a_person_whose_first_password_was_lost_is_given_a_new_one(page, app_url, browser, sign_in, shoot):
    """Found by a walk: a first password closed (Done, or leaving the page) before it was handed
    over left the person unable ever to sign in, and inviting them again answered "already has an
    account". Their row gives them a new password, asked first, shown once as the first one was."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Lou Lostpassword")
    page.get_by_label("Invite email").fill("lou@example.com")
    page.get_by_role("button", name="Invite").click()
    page.get_by_role("button", name="Done").click()  # closed before it was handed over
    expect(page.get_by_text("First password for")).to_have_count(0)

    lou = page.get_by_role("row", name=re.compile("lou@example.com"))
    lou.get_by_role("button", name="New password for Lou Lostpassword", exact=True).click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Give Lou Lostpassword a new password? Their old one stops working")
    shoot("users-new-password-asks", full_page=False)
    dialog.get_by_role("button", name="Give a new password").click()
    expect(page.get_by_text("New password for lou@example.com (shown once):")).to_be_visible()
    shoot("users-new-password-shown", full_page=False)
    password = page.locator("code").inner_text()

    lous_tab = browser.new_context().new_page()
    lous_tab.goto(f"{app_url}/sign-in")
    lous_tab.get_by_label("Email").fill("lou@example.com")
    lous_tab.get_by_label("Password").fill(password)
    lous_tab.get_by_role("button", name="Sign in").click()
    expect(lous_tab.get_by_text("Lou Lostpassword")).to_be_visible()
    lous_tab.context.close()


def test_a_deactivated_persons_row_says_so_in_words(page, app_url, sign_in, shoot):
    """Found by a walk: a deactivated person's row read as an active one's (name, role, jobs), but
    for its button saying Reactivate; an admin scanning the team, or a screen reader reading a row,
    could not tell who can sign in."""
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/users")
    page.get_by_label("Invite name").fill("Dee Parted")
    page.get_by_label("Invite email").fill("dee@example.com")
    page.get_by_role("button", name="Invite").click()
    dee = page.get_by_role("row", name=re.compile("dee@example.com"))
    expect(dee).not_to_contain_text("Deactivated")

    dee.get_by_role("button", name="Deactivate Dee Parted", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Deactivate").click()

    expect(dee.get_by_role("button", name="Reactivate Dee Parted", exact=True)).to_be_visible()
    expect(dee.get_by_role("cell").first).to_contain_text("Deactivated: cannot sign in")
    shoot("users-deactivated-row", full_page=False)


def _reach_the_demos_account(demo_app, name: str) -> None:
    """Point the connection ``name`` at the account the demo's "CoderPad Screen" connects, as a
    connection made before Assay refused an account twice holds it: the demo's key, encrypted with
    the app's master key, and no fingerprint (the start left it without one)."""
    master = (demo_app.log_path.parent / "master.key").read_bytes().strip()
    engine = sa.create_engine(demo_app.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "UPDATE integration SET api_key_encrypted = :key, api_key_last4 = :last4,"
                    " account_fingerprint = NULL WHERE name = :name AND disconnected_at IS NULL"
                ),
                {
                    "key": Fernet(master).encrypt(b"demo-coderpad-screen-key").decode(),
                    "last4": "-key",
                    "name": name,
                },
            )
    finally:
        engine.dispose()


def test_two_connections_reaching_one_account_say_so_on_their_cards_until_one_is_disconnected(
    page, demo_app, app_url, shoot, sign_in
):
    """The start found such a pair and wrote a log warning only, which no admin reads."""
    twice = "CoderPad Screen (Lisbon)"
    sign_in("admin@assay.test")
    page.goto(f"{app_url}/integrations")
    page.get_by_role("button", name="Connect CoderPad Screen", exact=True).click()
    page.get_by_label("Connection name").fill(twice)
    page.get_by_label("API key").fill("berlin-coderpad-key-5555")
    page.get_by_role("button", name="Save & close").click()
    card = page.locator(".integration-connection").filter(has=page.get_by_text(twice, exact=True))
    demos = page.locator(".integration-connection").filter(
        has=page.get_by_text("CoderPad Screen", exact=True)
    )
    expect(card).to_be_visible()
    expect(card.locator(".same-account")).to_have_count(0)  # another account: nothing to say

    _reach_the_demos_account(demo_app, twice)
    page.reload()
    note = (
        "Reaches the same CoderPad Screen account as {!r}: both sync it, on one rate limit, and its "
        "webhooks may reach only one of them. Disconnect one of them."
    )
    expect(card.locator(".same-account")).to_have_text(note.format("CoderPad Screen"))
    expect(demos.locator(".same-account")).to_have_text(note.format(twice))
    # Read out as words in the card (a screen reader's browse mode), and within WCAG's colours.
    assert note.format("CoderPad Screen") in card.aria_snapshot()
    assert broken_rules(page) == []
    shoot("25-one-account-connected-twice", card)
    shoot("25b-one-account-connected-twice-page")

    card.get_by_role("button", name=f"Disconnect {twice}", exact=True).click()
    page.get_by_role("alertdialog").get_by_role("button", name="Disconnect").click()
    expect(card).to_have_count(0)
    expect(demos.locator(".same-account")).to_have_count(0)
