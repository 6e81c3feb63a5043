"""Connecting a vendor: the key is checked live, stored encrypted, and nothing half-saves."""

import concurrent.futures
import datetime
import hashlib
import pathlib
import re
import threading
import time

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlmodel import select

from dashboard.services import assessments, pipeline, secrets, sync, views
from dashboard.services.actors import SYSTEM
from dashboard.services.errors import UserError
from dashboard.services.integrations import (
    CANCELLED,
    connect,
    disconnect,
    fingerprint_connections,
    list_vendor_tests,
    provider_for,
    reencrypt_connections,
    rename_connection,
    tidy_custom_addresses,
    unfinished_attempts,
    update_connection,
    webhook_secret,
    webhook_url,
)
from dashboard.settings import get_settings
from models import AssessmentAttempt, AttemptState, Integration, IntegrationLog, clock_stopped_at, new_session
from providers.registry import VENDORS
from providers.sandbox.coderpad_screen import API as SCREEN_API
from providers.sandbox.codesignal import DEMO_KEY as CODESIGNAL_KEY
from providers.sandbox.coodesh import DEMO_KEY as COODESH_KEY
from providers.sandbox.coodesh import DEMO_OPTIONS as COODESH_OPTIONS
from providers.sandbox.imocha import DEMO_KEY as IMOCHA_KEY
from tests.conftest import (
    SCREEN_KEY,
    SECOND_SCREEN_KEY,
    a_colleague_meanwhile,
    connect_screen,
    selects,
    send_test,
    store_webhook,
)
from tests.http_server import serving


def _everything_stored(session, url: str) -> bytes:
    """The raw bytes of the database: the SQLite file (and its WAL), or every PostgreSQL row as JSON."""
    if url.startswith("sqlite"):
        database_file = pathlib.Path(url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in database_file.parent.glob("assay.db*"))
    tables = session.exec(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).all()
    rows = [
        session.exec(sa.text(f"SELECT coalesce(json_agg(t)::text, '') FROM {name} t")).one()[0]
        for (name,) in tables
    ]
    return "".join(rows).encode()


def test_a_valid_key_is_saved_encrypted_and_shown_masked(session, sandbox, db):
    integration = connect_screen(session)

    assert integration.api_key_last4 == SCREEN_KEY[-4:]
    assert SCREEN_KEY not in integration.api_key_encrypted
    assert SCREEN_KEY.encode() not in _everything_stored(session, db)
    [view] = views.integrations(session)
    assert view.masked_key.endswith(SCREEN_KEY[-4:])
    assert SCREEN_KEY not in repr(view)


def test_a_rejected_key_names_the_cause_and_saves_nothing(session, sandbox):
    with pytest.raises(UserError, match=r"CoderPad Screen key was rejected \(401\)"):
        connect_screen(session, api_key="not-the-right-key")

    assert session.exec(select(Integration)).all() == []


def test_a_rejected_new_key_leaves_the_old_one_in_place(session, sandbox):
    first = connect_screen(session)
    old = first.api_key_encrypted

    with pytest.raises(UserError):
        connect_screen(session, api_key="wrong-key-9999")

    session.expire_all()
    assert session.get(Integration, first.id).api_key_encrypted == old


def test_a_refused_rotation_leaves_the_connection_its_provider_open_and_in_use(session, sandbox):
    """The connection's provider holds its open TLS connections and rate budget: a key the
    vendor refuses is tried on a provider of its own, closed after, not put in the working one's place."""
    screen = connect_screen(session)
    working = provider_for(screen)

    with pytest.raises(UserError, match="rejected"):
        update_connection(
            session=session,
            integration_id=screen.id,
            region="sandbox",
            custom_base_url="",
            api_key="wrong-key-9999",
        )

    session.expire_all()
    assert provider_for(session.get(Integration, screen.id)) is working
    assert working.validate_key() is None  # its client still open: a closed one raises


@pytest.mark.parametrize(
    "address",
    ["http://api.vendor-mirror.example", "http://localhost.vendor.example", "https://", "http://10.0.0.5"],
)
def test_a_custom_address_not_https_to_a_host_nor_http_to_this_machine_is_refused(session, sandbox, address):
    """helper-135: an http:// address took the key in clear over the network to whoever listened."""
    with pytest.raises(UserError, match=re.escape("must start with https://")):
        connect_screen(session, region="custom", custom_base_url=address)
    assert session.exec(select(Integration)).all() == []


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("https://svc:P4ss-w0rd@proxy.example/api", "no user name, password"),
        ("https://proxy.example/api?token=P4ss-w0rd", "no user name, password"),
        ("https://proxy.example:44x3/api", "not a web address Assay can call"),
        ("https://[::1/api", "not a web address Assay can call"),
    ],
)
def test_a_custom_address_with_a_password_in_it_or_none_to_call_is_refused_in_words(
    session, sandbox, address, said
):
    """helper-145: a password in the address was stored in clear, shown to every admin and quoted in
    every error; an address no client can call was "Assay failed on its side" and a traceback."""
    with pytest.raises(UserError, match=re.escape(said)) as refused:
        connect_screen(session, region="custom", custom_base_url=address)
    assert "P4ss-w0rd" not in str(refused.value)
    assert session.exec(select(Integration)).all() == []


@pytest.mark.parametrize("pasted", ["\ufeff" + SCREEN_KEY, SCREEN_KEY + "\u200b"])
def test_a_key_pasted_with_an_invisible_character_is_refused_in_words(session, sandbox, pasted):
    with pytest.raises(UserError, match="a character no key has"):
        connect_screen(session, api_key=pasted)
    assert session.exec(select(Integration)).all() == []


def test_an_unreachable_vendor_names_the_url(session, sandbox):
    with pytest.raises(UserError, match=re.escape("127.0.0.1:9")):
        connect_screen(session, region="custom", custom_base_url="http://127.0.0.1:9")


async def _redirecting(scope, receive, send):
    """A host that sends every request elsewhere, as an http:// address of an https:// API does."""
    if scope["type"] != "http":
        return
    headers = [(b"location", b"https://api.elsewhere.example/v1"), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 302, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def test_a_vendor_address_that_redirects_is_refused_not_taken_for_a_valid_key(session, sandbox):
    """helper-107: a 302 with an empty body read as a call that went well, so a key was "checked
    with the vendor and saved" that no vendor had seen (CoderPad Screen, HackerRank, iMocha)."""
    with (
        serving(_redirecting, probe="/probe") as url,
        pytest.raises(UserError, match=re.escape("https://api.elsewhere.example/v1")) as refused,
    ):
        connect_screen(session, region="custom", custom_base_url=url)

    assert "redirect" in str(refused.value)
    assert session.exec(select(Integration)).all() == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"api_key": "  "}, "Paste the CoderPad Screen API key"),
        ({"api_key": "has a space"}, "does not look like an API key"),
        ({"name": ""}, "Give the connection a name"),
        ({"region": "mars"}, "has no region 'mars'"),
        ({"region": "custom", "custom_base_url": "ftp://x"}, "must start with http"),
        ({"vendor": "acme"}, "cannot connect to 'acme'"),
    ],
)
def test_bad_input_gets_a_clear_message(session, sandbox, overrides, message):
    with pytest.raises(UserError, match=message):
        connect_screen(session, **overrides)
    assert session.exec(select(Integration)).all() == []


def test_a_second_connection_with_the_same_name_is_refused(session, sandbox):
    connect_screen(session)

    with pytest.raises(UserError, match="named 'CoderPad Screen' already exists"):
        connect(
            session=session,
            vendor="coderpad_screen",
            name="CoderPad Screen",
            region="sandbox",
            custom_base_url="",
            api_key=SCREEN_KEY,
        )


def test_a_name_taken_says_an_before_a_vendor_named_with_a_vowel(session, sandbox):
    """Found by a walk: "A iMocha connection named 'iMocha walk' already exists." """
    imocha = {"vendor": "imocha", "name": "iMocha walk", "api_key": IMOCHA_KEY}
    connect_screen(session, **imocha)

    with pytest.raises(UserError) as refused:
        connect(session=session, region="sandbox", custom_base_url="", **imocha)

    assert str(refused.value) == "An iMocha connection named 'iMocha walk' already exists."


def test_the_same_account_is_not_connected_twice_under_another_name(session, sandbox):
    """Found by a walk: an admin pasted the key of the connected CoderPad Screen account (spaces
    around it) under another name; CoderPad keeps one webhook per account, so it moved to the new
    connection, and the first one's results arrived there as results Assay could not match."""
    first = connect_screen(session, name="CoderPad Screen")

    with pytest.raises(UserError) as refused:
        connect_screen(session, name="CoderPad Screen (EU team)", api_key=f"  {SCREEN_KEY}  ")

    assert str(refused.value) == (
        "This key is already connected as 'CoderPad Screen': a second connection to the same "
        "CoderPad Screen account would take its webhooks. Use that connection, or paste the key "
        "of another account."
    )
    assert [i.id for i in session.exec(select(Integration)).all()] == [first.id]
    assert sandbox.stats()["api_requests"] == 2  # the first connection's check and webhook only


def test_while_a_slow_vendor_checks_a_new_key_others_can_write(session, sandbox):
    """Found by a walk: while CoderPad Screen took its time answering a Connect, the scheduler's
    writes waited on SQLite's lock and failed ("database is locked", ERRORs in the app's log): the
    new connection was written before the vendor was asked, and its write held until it answered."""
    other = connect_screen(session, name="CoderPad Screen (US team)", api_key=SECOND_SCREEN_KEY)
    sandbox.faults(latency_ms=2500)  # each call: the key's check, then the webhook's registration
    failed: list[BaseException] = []

    def connecting() -> None:
        with new_session() as own:
            try:
                connect_screen(own, name="CoderPad Screen (EU team)")
            except BaseException as err:
                failed.append(err)

    admin = threading.Thread(target=connecting)
    admin.start()
    time.sleep(1)  # the vendor is being asked
    started = time.monotonic()
    with new_session() as colleague:
        rename_connection(session=colleague, integration_id=other.id, name="CoderPad Screen (Americas)")
        took = time.monotonic() - started
        shown = [view.name for view in views.integrations(colleague)]
    still_connecting = admin.is_alive()
    admin.join(30)

    assert not failed, failed
    assert took < 1, f"the rename waited {took:.1f} s for the vendor"
    assert still_connecting  # the vendor was still being asked when the rename was done
    assert shown == ["CoderPad Screen (Americas)"]  # nor was the connection shown before it answered
    session.expire_all()
    names = {i.name for i in session.exec(select(Integration)).all()}
    assert names == {"CoderPad Screen (Americas)", "CoderPad Screen (EU team)"}


def test_two_admins_connecting_one_name_at_once_are_told_and_one_connection_is_made(session, sandbox):
    """The name is checked before the vendor is asked, and taken once it answers: an admin whose
    colleague took it meanwhile is told so, as if the colleague had been first, not shown a crash.
    Either may be first to take it (the colleague's vendor check can outlast the second it is given
    on a loaded machine, as in CI156): one is made, the other told."""
    name = "CoderPad Screen (EU team)"
    refusal = f"A CoderPad Screen connection named {name!r} already exists."
    told: list[str] = []

    with a_colleague_meanwhile(
        session,
        selects(Integration, name),
        lambda own: _refused_or_made(told, lambda: connect_screen(own, name=name)),
    ):
        _refused_or_made(
            told,
            lambda: connect(
                session=session,
                vendor="coderpad_screen",
                name=name,
                region="sandbox",
                custom_base_url="",
                api_key=SECOND_SCREEN_KEY,
            ),
        )

    assert sorted(told) == sorted([f"made {name}", refusal])
    session.expire_all()
    [made] = session.exec(select(Integration)).all()  # the refused one's hidden row is gone
    assert (made.name, made.disconnected_at) == (name, None)


def test_a_key_is_not_rotated_to_the_key_another_connection_holds(session, sandbox):
    """Rotating to another connection's key makes the same account connected twice."""
    connect_screen(session, name="CoderPad Screen")
    other = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)

    with pytest.raises(UserError, match=r"^This key is already connected as 'CoderPad Screen':"):
        update_connection(
            session=session, integration_id=other.id, region="sandbox", custom_base_url="", api_key=SCREEN_KEY
        )

    session.expire_all()
    assert session.get(Integration, other.id).api_key_last4 == "4242"
    # Its own key again, and an account disconnected and connected anew, are no second connection.
    update_connection(
        session=session, integration_id=other.id, region="sandbox", custom_base_url="", api_key=""
    )
    disconnect(session=session, integration_id=other.id)
    assert connect_screen(session, name="EU again", api_key=SECOND_SCREEN_KEY).api_key_last4 == "4242"


def test_a_name_too_long_for_the_card_and_the_disconnected_suffix_is_refused(session, sandbox):
    long_name = "<b>EU hiring</b> \U0001f680 " + "x" * 300

    with pytest.raises(UserError, match=r"^A connection name is at most 80 characters\.$"):
        connect_screen(session, name=long_name)

    assert session.exec(select(Integration)).all() == []
    longest = connect_screen(session, name="y" * 80)
    disconnect(session=session, integration_id=longest.id)
    assert re.fullmatch(r"y{80} \(disconnected \d{4}-\d\d-\d\d \d\d:\d\d\)", longest.name)


def test_a_name_connected_and_disconnected_twice_in_a_minute_is_disconnected_both_times(session, sandbox):
    """Found by a walk: an admin connected Coodesh BR, disconnected it, connected it again and
    disconnected that within the minute: the second Disconnect crashed on the (vendor, name)
    constraint, both retired as "Coodesh BR (disconnected <same minute>)", and the card stayed."""
    minute = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    with clock_stopped_at(minute):  # the clock every service reads, stopped (not a patch of ours)
        first = connect_screen(session, name="Screen BR")
        disconnect(session=session, integration_id=first.id)
        second = connect_screen(session, name="Screen BR")

        disconnect(session=session, integration_id=second.id)

    assert (first.name, second.name) == (
        "Screen BR (disconnected 2026-03-02 09:30)",
        "Screen BR (disconnected 2026-03-02 09:30, 2)",
    )
    assert views.integrations(session) == []


def test_a_connection_is_renamed_without_its_key_and_a_name_it_cannot_take_is_refused(session, sandbox):
    """An admin names connections after their teams; one named too long before the limit can be mended."""
    eu = connect_screen(session, name="CoderPad Screen")
    us = connect_screen(session, name="CoderPad Screen US", api_key=SECOND_SCREEN_KEY)
    session.exec(
        sa.update(Integration).where(Integration.id == us.id).values(name="z" * 110)
    )  # before the limit
    session.commit()
    key_before = us.api_key_encrypted

    for name, refusal in [
        ("  ", "Give the connection a name."),
        ("x" * 81, "A connection name is at most 80 characters."),
        (" CoderPad Screen ", "A CoderPad Screen connection named 'CoderPad Screen' already exists."),
    ]:
        with pytest.raises(UserError, match=f"^{re.escape(refusal)}$"):
            rename_connection(session=session, integration_id=us.id, name=name)
        session.refresh(us)
        assert us.name == "z" * 110

    rename_connection(session=session, integration_id=us.id, name=" CoderPad Screen (US team) ")
    rename_connection(
        session=session, integration_id=eu.id, name="CoderPad Screen"
    )  # its own name: no change

    session.refresh(us)
    assert (us.name, us.api_key_encrypted) == ("CoderPad Screen (US team)", key_before)
    audit = session.exec(
        select(IntegrationLog.message).where(IntegrationLog.kind == "audit").order_by(IntegrationLog.id)
    ).all()
    assert audit[-1] == f"Renamed from {'z' * 110!r} to 'CoderPad Screen (US team)'."
    assert sum(message.startswith("Renamed") for message in audit) == 1


def test_a_setting_with_a_fixed_set_of_values_refuses_any_other_and_names_them(session, sandbox):
    coodesh = {"vendor": "coodesh", "name": "Coodesh", "api_key": COODESH_KEY}

    with pytest.raises(UserError, match=r"^The Unit of time taken is one of: minutes, seconds\.$"):
        connect_screen(session, **coodesh, options={**COODESH_OPTIONS, "time_unit": "banana"})

    assert session.exec(select(Integration)).all() == []
    saved = connect_screen(session, **coodesh, options={**COODESH_OPTIONS, "time_unit": "seconds"})
    assert saved.options["time_unit"] == "seconds"
    [field] = [f for v in views.vendors([]) if v.key == "coodesh" for f in v.fields if f.key == "time_unit"]
    assert field.choices == ["minutes", "seconds"]  # the dialog offers them as a select


def test_a_wrong_coodesh_key_names_the_region_actually_chosen(session, sandbox):
    with pytest.raises(UserError, match=r"environment chosen here \(sandbox\)") as err:
        connect_screen(
            session, vendor="coodesh", name="Coodesh", api_key="wrong-key-0000", options=COODESH_OPTIONS
        )

    assert "homologation" not in str(err.value) and "production" not in str(err.value)


def test_updating_a_connection_is_audited_without_the_key(session, sandbox):
    integration = connect_screen(session)

    update_connection(
        session=session,
        integration_id=integration.id,
        region="sandbox",
        custom_base_url="",
        api_key=SCREEN_KEY,
    )

    [view] = views.integrations(session)
    assert [a.summary for a in view.audit] == [
        "Key re-checked.",
        "Connected. Region: Sandbox (Assay's built-in vendor sandbox); key \u2022\u2022\u2022\u2022-key.",
    ]
    assert all(SCREEN_KEY not in a.summary for a in view.audit)
    session.refresh(integration)
    assert integration.credentials_changed_at is None  # the same key and region: nothing changed

    update_connection(  # the same sandbox, reached as a custom base URL: a region change
        session=session,
        integration_id=integration.id,
        region="custom",
        custom_base_url=sandbox.url + VENDORS["coderpad_screen"].sandbox_prefix,
        api_key=SCREEN_KEY,
    )

    session.refresh(integration)
    assert integration.credentials_changed_at is not None
    custom = sandbox.url + VENDORS["coderpad_screen"].sandbox_prefix
    # Found by a walk: "Region sandbox \u2192 custom", the registry's keys, not the dialog's labels.
    assert views.integrations(session)[0].audit[0].summary == (
        f"Region: Sandbox (Assay's built-in vendor sandbox) \u2192 Custom base URL ({custom})."
    )


def test_an_empty_key_box_keeps_the_stored_key_and_checks_the_new_settings_with_it(session, sandbox):
    """Found by a walk: changing only a setting (Coodesh's "Unit of time taken") asked for the key
    again ("Paste the Coodesh API key."), one an admin may no longer have to hand; a move to a
    custom address does ask for it (helper-135)."""
    coodesh = connect_screen(
        session, vendor="coodesh", name="Coodesh", api_key=COODESH_KEY, options=COODESH_OPTIONS
    )
    stored = coodesh.api_key_encrypted

    update_connection(
        session=session,
        integration_id=coodesh.id,
        region="sandbox",
        custom_base_url="",
        api_key="  ",
        options={**COODESH_OPTIONS, "time_unit": "seconds"},
    )

    session.refresh(coodesh)
    assert coodesh.options["time_unit"] == "seconds"
    assert coodesh.api_key_encrypted == stored  # the same key, not even encrypted again
    [view] = [v for v in views.integrations(session) if v.id == coodesh.id]
    # Found by a walk: "Settings company_id=coodesh-demo-company, time_unit=seconds.", every setting
    # by its key, for one changed; the admin changed "Unit of time taken", from its default.
    assert view.audit[0].summary == "Unit of time taken: minutes (the default) \u2192 seconds."

    # A custom address is not handed the stored key (helper-135: any address an admin, or a
    # stolen admin session, typed in received it with the check): it is to be pasted again.
    # Pasted, the address is checked with the vendor, and one the key does not reach changes nothing.
    for api_key, refusal in (
        ("", "Paste the API key again to move this connection to a custom address"),
        (COODESH_KEY, "127.0.0.1:9"),
    ):
        with pytest.raises(UserError, match=re.escape(refusal)):
            update_connection(
                session=session,
                integration_id=coodesh.id,
                region="custom",
                custom_base_url="http://127.0.0.1:9",
                api_key=api_key,
            )
    session.expire_all()
    kept = session.get(Integration, coodesh.id)
    assert (kept.region, kept.custom_base_url, kept.api_key_encrypted) == ("sandbox", "", stored)


def test_a_coderpad_screen_account_whose_webhook_another_app_took_says_to_check_it(
    session, pipeline_with_assessment, sandbox
):
    """helper-126: CoderPad Screen keeps one webhook an organisation; another app registering its own
    (a staging Assay on the same account) takes it, and news then waits for each sync unseen."""
    p = pipeline_with_assessment
    sandbox.faults(drop_webhooks=True)  # posted to the other app
    attempt = send_test(session, p.assessment, p.application)
    sandbox.start(attempt.vendor_attempt_id)

    sync.sync_integration(session=session, integration_id=p.integration.id)

    [card] = views.integrations(session)
    assert card.webhooks_silent.startswith("The last sync found 1 change no webhook told of")
    store_webhook(session, p.integration, {"event": "test.status_changed", "id": attempt.vendor_attempt_id})
    [card] = views.integrations(session)
    assert card.webhooks_silent == ""


def test_vendor_errors_show_in_the_health_of_the_last_24_hours(session, pipeline_with_assessment, sandbox):
    sandbox.faults(fail_next=[{"status": 503}] * 6)  # two reads, each tried three times
    for _ in range(2):
        with pytest.raises(UserError):
            list_vendor_tests(session=session, integration_id=pipeline_with_assessment.integration.id)

    [view] = views.integrations(session)

    assert view.errors_24h == 2
    assert view.health == "failing"
    assert "503" in view.last_error


def test_a_vendor_error_mended_since_no_longer_shows_beside_a_healthy_badge(
    session, pipeline_with_assessment, sandbox
):
    """The card read "connected" under a red "CoderPad Screen failed (503)" for a day after the
    vendor came back; the count of the day's errors keeps it."""
    integration = pipeline_with_assessment.integration
    sandbox.faults(fail_next=[{"status": 503}] * 3)  # one read, tried three times
    with pytest.raises(UserError):
        list_vendor_tests(session=session, integration_id=integration.id)
    integration.last_error_at -= datetime.timedelta(minutes=5)  # the vendor failed a while ago
    session.commit()

    list_vendor_tests(session=session, integration_id=integration.id)  # and answers now

    [view] = views.integrations(session)
    assert (view.health, view.errors_24h) == ("connected", 1)
    assert view.last_error == ""


def test_disconnecting_erases_the_key_and_fails_open_attempts_with_the_reason(
    session, pipeline_with_assessment, sandbox
):
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    integration_id = p.integration.id
    waiting = pipeline.add_application(
        session=session, job_id=p.job.id, name="Bo", email="bo@example.com", actor=SYSTEM
    )
    pipeline.move_application(
        session=session, application_id=waiting.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assert unfinished_attempts(session, integration_id) == (1, 1)  # one sent, one not sent yet
    assert sum(unfinished_attempts(session, integration_id)) == 2

    affected = disconnect(session=session, integration_id=integration_id, actor=SYSTEM)

    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    integration = session.get(Integration, integration_id)
    assert affected == 2
    assert attempt.state == AttemptState.ERROR and "was disconnected" in attempt.error_reason
    assert integration.api_key_encrypted == "" and integration.disconnected_at
    assert views.integrations(session) == []
    with pytest.raises(UserError, match="no longer exists"):
        list_vendor_tests(session=session, integration_id=integration_id)
    # the name is free again
    assert connect_screen(session).id != integration_id
    # Connected again, the stage still sends through the old connection: the refusal must not
    # send the recruiter to reconnect it, which they (or an admin) just did.
    with pytest.raises(UserError) as refused:
        pipeline.move_application(
            session=session, application_id=p.application.id, stage_id=p.onsite.id, actor=SYSTEM
        )
        third = pipeline.add_application(
            session=session, job_id=p.job.id, name="Cy", email="cy@example.com", actor=SYSTEM
        )
        pipeline.move_application(
            session=session, application_id=third.id, stage_id=p.assessment.id, actor=SYSTEM
        )
    assert str(refused.value) == (
        f"CoderPad assessment sends {attempt.vendor_test_name} through a vendor connection that was "
        "disconnected; repair or change the stage's tests in the interview plan before moving candidates in."
    )


def test_the_disconnect_audit_line_counts_as_a_sentence_reads(session, pipeline_with_assessment, sandbox):
    """Found by a walk: the audit log said "Disconnected; 1 open assessments marked failed." (and
    "0 open assessments" for a quiet connection) where the toast beside it read as a sentence."""
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    assessments.send_assessment(session=session, attempt_id=moved.attempt_id, actor=SYSTEM)
    quiet = connect_screen(session, name="Quiet", api_key=SECOND_SCREEN_KEY)

    disconnect(session=session, integration_id=p.integration.id, actor=SYSTEM)
    disconnect(session=session, integration_id=quiet.id, actor=SYSTEM)

    def said(integration_id):
        return session.exec(
            select(IntegrationLog.message)
            .where(IntegrationLog.integration_id == integration_id, IntegrationLog.kind == "audit")
            .order_by(IntegrationLog.id)
        ).all()[-1]

    assert said(p.integration.id) == "Disconnected; 1 unfinished assessment marked failed."
    assert said(quiet.id) == "Disconnected; it had no unfinished assessments."


def test_only_a_vendor_that_signs_is_given_the_webhook_secret_to_paste(session, sandbox):
    screen = connect_screen(session)
    codesignal = connect(
        session=session,
        vendor="codesignal",
        name="CodeSignal",
        region="sandbox",
        custom_base_url="",
        api_key=CODESIGNAL_KEY,
    )

    assert webhook_secret(screen) == ""  # CoderPad does not sign: the secret stays on the server
    token = re.search(r"token=([\w-]+)", webhook_url(codesignal))[1]
    assert webhook_secret(codesignal) == token


def test_a_connection_asked_for_by_many_threads_at_once_is_given_one_provider(session, screen):
    """The provider holds the connection's rate budget: two built at once would each spend the vendor's limit.

    A changed connection (here its key stored again, as a rotation in another worker leaves
    it) is rebuilt on first use, often by a burst of webhooks and a sweep together.
    """
    screen.api_key_encrypted = secrets.encrypt(SCREEN_KEY)
    at_once = threading.Barrier(8)

    def ask(_: int) -> int:
        at_once.wait()
        return id(provider_for(screen))

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        providers = set(pool.map(ask, range(8)))
    assert len(providers) == 1


def test_a_connections_card_names_its_region_as_the_connect_dialog_does(session, sandbox):
    """Found by a walk: the connect dialog offered "Homologation (Coodesh's test environment)" and
    the card it made wore the registry's key, "homologation" (every sandbox card, "sandbox")."""
    connect_screen(session)
    coodesh = connect_screen(
        session, vendor="coodesh", name="Coodesh", api_key=COODESH_KEY, options=COODESH_OPTIONS
    )
    coodesh.region = "homologation"  # not reachable from a test: as the admin would have picked it
    session.add(coodesh)
    session.commit()

    labels = {v.vendor: v.region_label for v in views.integrations(session)}

    assert labels == {
        "coderpad_screen": "Sandbox (Assay's built-in vendor sandbox)",
        "coodesh": "Homologation (Coodesh's test environment)",
    }


def test_the_region_choices_read_as_the_vendor_names_them():
    """The connect dialog offered 'homologation' and 'legacy', the registry's keys, though each
    region has a label an admin recognises ("Legacy (interviewmocha.com)")."""
    regions = {v.key: [(r.value, r.label) for r in v.regions] for v in views.vendors([])}

    assert regions["imocha"] == [
        ("sandbox", "Sandbox (Assay's built-in vendor sandbox)"),
        ("global", "Global"),
        ("legacy", "Legacy (interviewmocha.com)"),
        ("custom", "Custom base URL"),
    ]
    assert ("homologation", "Homologation (Coodesh's test environment)") in regions["coodesh"]


def test_an_account_a_colleague_connects_while_the_vendor_answers_is_not_connected_twice(session, sandbox):
    """helper-90's review: the same-account check read the live connections before the vendor was
    asked, and a connection in the making is hidden until it answers: two admins pasting one key at
    once both got a live connection. It is asked again once the vendor has answered."""
    told: list[str] = []

    def colleague_connects(own) -> None:
        told.append(connect_screen(own, name="CoderPad Screen (colleague)").name)

    with (
        a_colleague_meanwhile(session, selects(Integration, "sandbox"), colleague_connects),
        pytest.raises(UserError, match=r"^This key is already connected as 'CoderPad Screen \(colleague\)'"),
    ):
        connect_screen(session, name="CoderPad Screen")

    session.expire_all()
    assert told == ["CoderPad Screen (colleague)"]
    assert [i.name for i in session.exec(select(Integration)).all()] == told  # and no hidden row left


def test_a_connection_is_not_moved_to_the_region_where_another_holds_its_key(session, sandbox, sandbox_url):
    """helper-90's review: the same-account check ran only on a new key, so a connection to another
    deployment (a custom address) moved, its key kept, to the region where another connection holds
    that key, and the one account was connected twice."""
    connect_screen(session, name="CoderPad Screen")
    spec = VENDORS["coderpad_screen"]
    elsewhere = connect_screen(
        session,
        name="CoderPad Screen (on premises)",
        region="custom",
        custom_base_url=sandbox_url + spec.sandbox_prefix,
    )

    with pytest.raises(UserError, match=r"^This key is already connected as 'CoderPad Screen':"):
        update_connection(
            session=session, integration_id=elsewhere.id, region="sandbox", custom_base_url="", api_key=""
        )

    session.expire_all()
    assert session.get(Integration, elsewhere.id).region == "custom"


def _the_second(looks):
    """For ``a_colleague_meanwhile``: the second statement ``looks`` picks out (the check asked again)."""
    seen: list[object] = []

    def picks(state) -> bool:
        if not looks(state):
            return False
        seen.append(state)
        return len(seen) == 2

    return picks


def _the_accounts_webhook(sandbox) -> str:
    """Where CoderPad Screen sends the account's webhooks: one URL per account."""
    url = f"{sandbox.url}{SCREEN_API}/webhook"
    return httpx.get(url, headers={"API-Key": SCREEN_KEY}, timeout=10).json()["url"]


def _refused_or_made(told: list[str], connecting) -> None:
    """Connect, keeping the connection's name or the refusal's words in ``told``."""
    try:
        told.append(f"made {connecting().name}")
    except UserError as err:
        told.append(str(err))


def test_two_admins_connecting_one_account_at_the_same_moment_make_one_connection(session, sandbox):
    """The task's race: the same-account check is asked again once the vendor has answered, but
    two admins passing that second check at the same moment (on PostgreSQL neither sees the other's
    connection until it is committed) each got a live connection to the one account. The database
    refuses the second now, and the admin is told as the check tells."""
    told: list[str] = []
    a_colleague = "CoderPad Screen (colleague)"

    with a_colleague_meanwhile(
        session,
        _the_second(selects(Integration, "sandbox")),
        lambda own: _refused_or_made(told, lambda: connect_screen(own, name=a_colleague)),
    ):
        _refused_or_made(told, lambda: connect_screen(session, name="CoderPad Screen"))

    made = [said.removeprefix("made ") for said in told if said.startswith("made ")]
    refused = [said for said in told if not said.startswith("made ")]
    assert len(made) == 1, told
    assert refused == [
        f"This key is already connected as {made[0]!r}: a second connection to the same CoderPad "
        "Screen account would take its webhooks. Use that connection, or paste the key of another account."
    ]
    session.expire_all()
    # Nothing of the refused one stays: no hidden row, so no copy of the key.
    [kept] = session.exec(select(Integration)).all()
    assert (kept.name, kept.disconnected_at) == (made[0], None)
    assert _the_accounts_webhook(sandbox) == webhook_url(kept)


def test_a_key_rotated_while_a_colleague_connects_that_key_is_refused(session, sandbox):
    """The same race through a rotation: the admin's check passed, a colleague connected the key
    before the rotation was saved, and one account had two live connections."""
    other = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
    told: list[str] = []

    with (
        a_colleague_meanwhile(
            session,
            selects(Integration, "sandbox", other.id),
            lambda own: _refused_or_made(told, lambda: connect_screen(own, name="CoderPad Screen")),
        ),
        pytest.raises(UserError, match=r"^This key is already connected as 'CoderPad Screen':"),
    ):
        update_connection(
            session=session, integration_id=other.id, region="sandbox", custom_base_url="", api_key=SCREEN_KEY
        )

    assert told == ["made CoderPad Screen"]
    session.expire_all()
    rotated = session.get(Integration, other.id)
    assert (secrets.decrypt(rotated.api_key_encrypted), rotated.api_key_last4) == (SECOND_SCREEN_KEY, "4242")
    [colleagues] = session.exec(select(Integration).where(Integration.name == "CoderPad Screen")).all()
    assert _the_accounts_webhook(sandbox) == webhook_url(colleagues)


def _made_before_fingerprints(session, *integrations: Integration) -> None:
    """The connections as the migration that added the account fingerprint leaves them: without one."""
    session.exec(
        sa.update(Integration)
        .where(Integration.id.in_([i.id for i in integrations]))
        .values(account_fingerprint=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.expire_all()


def test_connections_made_before_fingerprints_get_theirs_at_start_and_one_account_twice_is_named(
    session, sandbox, caplog
):
    """The migration cannot make the fingerprints (they are keyed by the master key, outside the
    database), so the start does; an account connected twice before the check existed keeps its
    first connection's, and the log names the pair for an admin to disconnect one."""
    first = connect_screen(session, name="CoderPad Screen")
    twice = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
    other = connect_screen(session, name="CoderPad Screen (US team)", api_key="another-account-key")
    twice.api_key_encrypted = secrets.encrypt(SCREEN_KEY)  # as the check, younger than it, let pass
    session.add(twice)
    session.commit()
    _made_before_fingerprints(session, first, twice, other)

    assert fingerprint_connections(session) == 2
    assert fingerprint_connections(session) == 0  # every worker starting does it; once is enough

    session.expire_all()
    stored = {i.name: i.account_fingerprint for i in session.exec(select(Integration))}
    assert stored["CoderPad Screen"] and stored["CoderPad Screen (US team)"]
    assert stored["CoderPad Screen"] != stored["CoderPad Screen (US team)"]
    assert stored["CoderPad Screen (EU team)"] is None
    assert (
        "The CoderPad Screen connections 'CoderPad Screen' and 'CoderPad Screen (EU team)' reach the "
        "same account: disconnect one of them." in caplog.messages
    )
    # The database holds them to it now: the second cannot take the account's fingerprint.
    with pytest.raises(sa.exc.IntegrityError):
        twice = session.get(Integration, twice.id)
        twice.account_fingerprint = stored["CoderPad Screen"]
        session.commit()
    session.rollback()


def _connected_twice(session) -> tuple[Integration, Integration, Integration]:
    """An account connected twice before the check existed (the start left the second without a
    fingerprint), beside a connection of another account."""
    first = connect_screen(session, name="CoderPad Screen")
    twice = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
    other = connect_screen(session, name="CoderPad Screen (US team)", api_key="another-account-key")
    twice.api_key_encrypted = secrets.encrypt(SCREEN_KEY)  # as the check, younger than it, let pass
    session.add(twice)
    session.commit()
    _made_before_fingerprints(session, first, twice, other)
    fingerprint_connections(session)
    session.expire_all()
    return first, twice, other


def _looks_for_connections_without_a_fingerprint(state) -> bool:
    """The disconnect's look for another connection of the account (after its own commit)."""
    return state.is_select and "integration.account_fingerprint IS NULL" in str(state.statement.compile())


def _same_account_notes(session) -> dict[str, str]:
    return {view.name: view.same_account for view in views.integrations(session)}


def test_an_account_connected_twice_is_said_on_both_cards_naming_the_other(session, sandbox):
    """The start named the pair in a log line only, which no admin reads: each card says it now."""
    _connected_twice(session)

    assert _same_account_notes(session) == {
        "CoderPad Screen": "Reaches the same CoderPad Screen account as 'CoderPad Screen (EU team)': "
        "both sync it, on one rate limit, and its webhooks may reach only one of them. Disconnect one of them.",
        "CoderPad Screen (EU team)": "Reaches the same CoderPad Screen account as 'CoderPad Screen': "
        "both sync it, on one rate limit, and its webhooks may reach only one of them. Disconnect one of them.",
        "CoderPad Screen (US team)": "",
    }


def test_an_account_connected_three_times_names_both_others_and_a_key_unreadable_is_passed_over(
    session, sandbox
):
    _connected_twice(session)
    third = connect_screen(session, name="CoderPad Screen (APAC)", api_key="eu-team-coderpad-key-7777")
    third.api_key_encrypted = secrets.encrypt(SCREEN_KEY)
    session.add(third)
    session.commit()
    _made_before_fingerprints(session, third)
    lost = connect_screen(session, name="CoderPad Screen (lost key)", api_key="berlin-coderpad-key-5555")
    lost.api_key_encrypted = Fernet(Fernet.generate_key()).encrypt(SCREEN_KEY.encode()).decode()
    session.add(lost)
    session.commit()
    _made_before_fingerprints(session, lost)

    notes = _same_account_notes(session)

    assert notes["CoderPad Screen (APAC)"].startswith(
        "Reaches the same CoderPad Screen account as 'CoderPad Screen' and 'CoderPad Screen (EU team)': "
    )
    assert notes["CoderPad Screen"].startswith(
        "Reaches the same CoderPad Screen account as 'CoderPad Screen (APAC)' and 'CoderPad Screen (EU team)': "
    )
    assert notes["CoderPad Screen (EU team)"].endswith(
        ": all of them sync it, on one rate limit, and its webhooks may reach only one of them. "
        "Disconnect all but one."
    )
    assert notes["CoderPad Screen (lost key)"] == ""  # its own master key is gone: nothing to compare


def test_disconnecting_one_of_an_account_connected_twice_clears_the_note_and_hands_the_other_its_fingerprint(
    session, sandbox
):
    """The start gave the account's fingerprint to the first connection only; once that one is
    disconnected, the other, left without one, held nothing against the account being connected a
    third time by a colleague racing the check, until the next start."""
    first, twice, _other = _connected_twice(session)
    held = first.account_fingerprint

    disconnect(session=session, integration_id=first.id)

    session.expire_all()
    assert session.get(Integration, twice.id).account_fingerprint == held
    assert fingerprint_connections(session) == 0  # as a start would have made it
    assert _same_account_notes(session) == {"CoderPad Screen (EU team)": "", "CoderPad Screen (US team)": ""}
    # CoderPad Screen keeps one webhook per account: it pointed at the one disconnected.
    assert _the_accounts_webhook(sandbox) == webhook_url(session.get(Integration, twice.id))


def test_disconnecting_the_connection_without_the_fingerprint_leaves_the_holders_as_it_was(session, sandbox):
    """...and the account's webhook, which the one disconnected had registered last, is the holder's again."""
    first, twice, _other = _connected_twice(session)
    held = first.account_fingerprint
    provider_for(twice).register_webhook()  # as the second connect did, before the check existed

    disconnect(session=session, integration_id=twice.id)

    assert _same_account_notes(session) == {"CoderPad Screen": "", "CoderPad Screen (US team)": ""}
    session.expire_all()
    assert session.get(Integration, first.id).account_fingerprint == held
    assert _the_accounts_webhook(sandbox) == webhook_url(session.get(Integration, first.id))


def test_a_connection_rotated_to_another_account_meanwhile_is_not_handed_the_account(session, sandbox):
    """The account's fingerprint is handed on only to a connection still reaching it: one whose
    key a colleague rotated, or which they disconnected, after it was read, keeps what it has."""
    first, twice, _other = _connected_twice(session)

    def rotates(own):
        row = own.get(Integration, twice.id)
        row.api_key_encrypted = secrets.encrypt("a-third-account-key")
        own.add(row)
        own.commit()

    with a_colleague_meanwhile(session, _looks_for_connections_without_a_fingerprint, rotates):
        disconnect(session=session, integration_id=first.id)

    session.expire_all()
    assert session.get(Integration, twice.id).account_fingerprint is None


@pytest.fixture
def a_new_master_key():
    """A master key prepended to the one in use, as an operator rotating it does (then restarts);
    the new key, then the old one."""
    from cryptography.fernet import Fernet

    settings = get_settings()
    old = (settings.data_dir / "master.key").read_text().strip()
    new = Fernet.generate_key().decode()
    settings.master_keys = f"{new},{old}"
    secrets.forget_master_keys()
    yield new, old
    settings.master_keys = ""
    secrets.forget_master_keys()


def test_a_restart_after_a_new_master_key_encrypts_every_secret_with_it_so_the_old_can_go(
    session, sandbox, request
):
    """helper-145: a master key prepended was used for new secrets only, so the old one could never
    be dropped from the list: every connection made before would then read as unreadable."""
    integration = connect_screen(session)
    token_before = webhook_url(integration)

    new, _old = request.getfixturevalue("a_new_master_key")
    assert reencrypt_connections(session) == 1
    assert reencrypt_connections(session) == 0  # the next start finds nothing older
    get_settings().master_keys = new  # the old key taken off the list
    secrets.forget_master_keys()

    session.expire_all()
    kept = session.get(Integration, integration.id)
    assert secrets.decrypt(kept.api_key_encrypted) == SCREEN_KEY
    assert webhook_url(kept) == token_before
    assert provider_for(kept).validate_key() is None


def test_a_fingerprint_is_keyed_by_the_master_key_and_made_again_when_it_is_rotated(
    session, sandbox, request
):
    """A bare hash of the account would let whoever holds the database test guesses of a key
    offline; keyed by the master key it cannot be, and so it changes when the master key does."""
    integration = connect_screen(session)
    before = integration.account_fingerprint
    for bare in (SCREEN_KEY, f"coderpad_screen\0sandbox\0\0{SCREEN_KEY}"):
        assert before not in {
            hashlib.sha256(bare.encode()).hexdigest(),
            hashlib.sha512(bare.encode()).hexdigest(),
        }

    request.getfixturevalue("a_new_master_key")
    assert fingerprint_connections(session) == 1

    session.expire_all()
    after = session.get(Integration, integration.id).account_fingerprint
    assert after not in {None, before}
    with pytest.raises(UserError, match=r"^This key is already connected as 'CoderPad Screen':"):
        connect_screen(session, name="CoderPad Screen (again)")


def test_a_connection_whose_key_cannot_be_read_keeps_its_fingerprint_and_the_start_goes_on(
    session, sandbox, caplog
):
    """helper-95's review: an account connected twice before the check existed, its first
    connection holding the fingerprint; the master key its key was encrypted with is dropped.
    At the next start that one was skipped and the second given its fingerprint: the index refused
    it, and no worker could start."""
    first = connect_screen(session, name="CoderPad Screen")
    twice = connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)
    twice.api_key_encrypted = secrets.encrypt(SCREEN_KEY)  # as the check, younger than it, let pass
    session.add(twice)
    session.commit()
    _made_before_fingerprints(session, twice)
    held = first.account_fingerprint
    first.api_key_encrypted = Fernet(Fernet.generate_key()).encrypt(SCREEN_KEY.encode()).decode()
    session.add(first)
    session.commit()

    fingerprint_connections(session)

    session.expire_all()
    assert session.get(Integration, first.id).account_fingerprint == held
    assert session.get(Integration, twice.id).account_fingerprint is None
    assert any("has no fingerprint" in m for m in caplog.messages)


def test_a_connect_cancelled_before_its_turn_came_writes_nothing_and_asks_no_vendor(session, sandbox):
    """helper-95's review: a Connect cancelled while it waited for a worker thread still wrote its
    hidden row, sent the key to the vendor and registered its webhook, and only then saw the cancel."""
    asked = sandbox.stats()["api_requests"]

    with pytest.raises(UserError, match=f"^{re.escape(CANCELLED)}$"):
        connect(
            session=session,
            vendor="coderpad_screen",
            name="CoderPad Screen",
            region="sandbox",
            custom_base_url="",
            api_key=SCREEN_KEY,
            withdrawn=lambda: True,
        )

    assert session.exec(select(Integration)).all() == []
    assert sandbox.stats()["api_requests"] == asked


@pytest.mark.parametrize("colleague", ["disconnects", "moves the region"])
def test_a_key_rotated_while_a_colleague_changes_the_connection_is_refused(session, sandbox, colleague):
    """helper-107: a rotation worked out before a colleague's change was saved over it: after a
    disconnect, the connection held a key again (its erasure undone); after a region change, the
    new key stood at a region it was never checked at, under the old key's fingerprint."""
    connection = connect_screen(session)

    def colleague_acts(own) -> None:
        if colleague == "disconnects":
            disconnect(session=own, integration_id=connection.id)
        else:
            update_connection(
                session=own,
                integration_id=connection.id,
                region="custom",
                custom_base_url=sandbox.url + VENDORS["coderpad_screen"].sandbox_prefix,
                api_key=SCREEN_KEY,  # pasted again: a custom address is not handed the stored key
            )

    with (
        # The colleague asks the vendor and never waits on this session: waited for until done.
        a_colleague_meanwhile(session, selects(Integration, "sandbox", connection.id), colleague_acts),
        pytest.raises(
            UserError, match=r"^A colleague changed or disconnected this connection while the vendor"
        ),
    ):
        update_connection(
            session=session,
            integration_id=connection.id,
            region="sandbox",
            custom_base_url="",
            api_key=SECOND_SCREEN_KEY,
        )

    session.expire_all()
    after = session.get(Integration, connection.id)
    if colleague == "disconnects":
        assert after.disconnected_at is not None and after.api_key_encrypted == ""
    else:
        assert (after.region, secrets.decrypt(after.api_key_encrypted)) == ("custom", SCREEN_KEY)


def test_a_connection_whose_secrets_cannot_be_read_is_mended_by_pasting_its_key(session, sandbox):
    """helper-107: with a master key lost, a connection's key and webhook token could not be read:
    every connect of that vendor failed with no word (the check read every connection's key), and
    a rotation read the old key first, so nothing could mend it."""
    lost = Fernet(Fernet.generate_key())
    broken = connect_screen(session)
    broken.api_key_encrypted = lost.encrypt(SCREEN_KEY.encode()).decode()
    broken.webhook_token_encrypted = lost.encrypt(b"old-token").decode()
    session.add(broken)
    session.commit()

    connect_screen(session, name="CoderPad Screen (EU team)", api_key=SECOND_SCREEN_KEY)  # no longer fails
    with pytest.raises(UserError, match=r"^The stored key can no longer be read .*paste the key"):
        update_connection(
            session=session, integration_id=broken.id, region="sandbox", custom_base_url="", api_key=""
        )
    update_connection(
        session=session, integration_id=broken.id, region="sandbox", custom_base_url="", api_key=SCREEN_KEY
    )

    session.expire_all()
    mended = session.get(Integration, broken.id)
    assert secrets.decrypt(mended.api_key_encrypted) == SCREEN_KEY
    assert _the_accounts_webhook(sandbox) == webhook_url(mended)  # a new token, given to the vendor
    assert "old-token" not in webhook_url(mended)


def test_a_connection_disconnected_while_a_test_was_being_sent_leaves_it_failed_not_sent(
    session, pipeline_with_assessment, sandbox
):
    """helper-107: the disconnect failed the test being sent (still "needs sending"), then the
    vendor's answer came back and made it Sent, on a connection no sweep or webhook reaches: open
    for good. It stays failed; the invitation the vendor made keeps its link."""
    p = pipeline_with_assessment
    moved = pipeline.move_application(
        session=session, application_id=p.application.id, stage_id=p.assessment.id, actor=SYSTEM
    )
    sandbox.faults(latency_ms=1500)  # the vendor slow to answer the send: the admin disconnects meanwhile

    def send() -> assessments.SendOutcome:
        with new_session() as own:
            return assessments.send_assessment(session=own, attempt_id=moved.attempt_id, actor=SYSTEM)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        sending = pool.submit(send)
        time.sleep(0.7)
        disconnect(session=session, integration_id=p.integration.id)
        outcome = sending.result()

    session.expire_all()
    attempt = session.get(AssessmentAttempt, moved.attempt_id)
    assert sandbox.stats()["invitations_created"] == 1  # the vendor made it
    assert (attempt.state, attempt.error_retryable) == (AttemptState.ERROR, False)
    assert "was disconnected" in attempt.error_reason and attempt.test_url
    assert (outcome.sent, outcome.failed) == (False, True)
    assert "its connection was disconnected while it was being sent" in outcome.message


def test_one_account_at_a_custom_address_typed_two_ways_is_connected_once(session, sandbox, sandbox_url):
    """helper-145: "…/api" and "…/api/" (or "HTTP://…") were two accounts to the duplicate check,
    and CoderPad Screen, one webhook an account, gave it to the second connection."""
    address = sandbox_url + VENDORS["coderpad_screen"].sandbox_prefix

    first = connect_screen(session, region="custom", custom_base_url=f" {address}/ ")
    with pytest.raises(UserError, match="already connected"):
        connect_screen(
            session,
            name="Screen again",
            region="custom",
            custom_base_url=address.replace("http://", "HTTP://"),
        )

    assert first.custom_base_url == address
    assert (
        connect_screen(
            session, name="Screen sandbox", custom_base_url="https://ignored.example"
        ).custom_base_url
        == ""
    )


def test_a_custom_address_saved_before_it_was_tidied_is_tidied_at_start_and_edits_as_itself(
    session, sandbox, sandbox_url
):
    """helper-146: saved as "…/prefix/" before addresses were tidied, it was another account to the
    duplicate check, and its edit dialog (which sends it back as saved) read as a move to a new
    custom address, asking for the key again."""
    address = sandbox_url + VENDORS["coderpad_screen"].sandbox_prefix
    saved = connect_screen(session, region="custom", custom_base_url=address)
    saved.custom_base_url = address.replace("http://", "HTTP://") + "/"  # as it was kept then
    session.add(saved)
    session.commit()

    assert tidy_custom_addresses(session) == 1
    fingerprint_connections(session)
    session.expire_all()
    assert session.get(Integration, saved.id).custom_base_url == address
    with pytest.raises(UserError, match="already connected"):
        connect_screen(session, name="Screen again", region="custom", custom_base_url=address)
    update_connection(
        session=session, integration_id=saved.id, region="custom", custom_base_url=address + "/", api_key=""
    )
