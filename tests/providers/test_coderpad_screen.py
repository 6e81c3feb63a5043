"""The CoderPad Screen provider against the sandbox over HTTP, and its parsers on vendor-shaped JSON."""

import datetime
import json
import pathlib

import pytest

from providers.base import (
    ConnectionConfig,
    Invitee,
    KeyRejected,
    Progress,
    RateLimited,
    VendorFailure,
    VendorRefused,
    VendorUnreachable,
    WebhookRejected,
)
from providers.coderpad_screen import CoderPadScreen, parse_report, parse_session
from tests.conftest import SCREEN_KEY
from tests.http_server import PROBE, answering, capturing, serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "coderpad_screen"


def _screen(
    base_url: str, api_key: str = SCREEN_KEY, *, timeout: float = 5, webhook_url: str = ""
) -> CoderPadScreen:
    return CoderPadScreen(
        ConnectionConfig(base_url=base_url, api_key=api_key, timeout=timeout, webhook_url=webhook_url)
    )


@pytest.fixture
def screen(sandbox) -> CoderPadScreen:
    return _screen(sandbox.url + "/coderpad-screen")


def _invitee(n: int, reference: str = "") -> Invitee:
    return Invitee(
        name=f"Candidate {n}", email=f"c{n}@example.com", reference=reference or f"assay-ref{n:04d}"
    )


def _invite(screen: CoderPadScreen, n: int = 0, test_id: str = "101"):
    return screen.send(test_id=test_id, invitee=_invitee(n))


def test_a_valid_key_passes_and_a_wrong_one_is_named(screen, sandbox):
    screen.validate_key()

    wrong = _screen(sandbox.url + "/coderpad-screen", "nope")
    with pytest.raises(KeyRejected, match=r"rejected \(401\).*not the CoderPad Interview key") as err:
        wrong.validate_key()
    assert "nope" not in str(err.value)


def test_an_unreachable_vendor_names_the_url():
    with pytest.raises(VendorUnreachable, match=r"127\.0\.0\.1:9"):
        _screen("http://127.0.0.1:9", "k", timeout=2).validate_key()


def test_campaigns_skip_archived_ones_and_ids_are_strings(screen):
    tests = screen.list_tests()

    assert tests and all(isinstance(t.id, str) for t in tests)
    assert "Legacy PHP (archived)" not in [t.name for t in tests]


def test_send_then_fetch_and_find_by_reference(screen):
    invitation = _invite(screen)

    status = screen.fetch(invitation.vendor_attempt_id)
    found = screen.find_by_reference(test_id="101", invitee=_invitee(0))

    assert status.progress == Progress.SENT and status.raw_status == "waiting"
    assert status.test_url == invitation.test_url
    assert status.sent_at.tzinfo is not None
    assert found.vendor_attempt_id == invitation.vendor_attempt_id
    assert screen.find_by_reference(test_id="101", invitee=_invitee(9, "assay-none")) is None


def test_a_completed_session_carries_the_whole_result(screen, sandbox):
    invitation = _invite(screen)
    sandbox.start(invitation.vendor_attempt_id)
    sandbox.submit(invitation.vendor_attempt_id)

    status = screen.fetch(invitation.vendor_attempt_id)

    result = status.result
    assert status.progress == Progress.COMPLETED
    assert status.started_at <= status.completed_at
    assert 40 <= result.score_percent <= 98
    assert result.points <= result.max_points == 500
    assert result.duration_seconds < result.time_allowed_seconds == 3600
    assert {s.name for s in result.subscores if s.parent is None} == {"Python 3", "SQL"}
    assert any(s.parent == "Python 3" for s in result.subscores)
    assert status.report_url.endswith(f"/report/{invitation.vendor_attempt_id}")


def test_listing_pages_through_more_than_fifty_sessions(screen, sandbox):
    sent = {_invite(screen, n).vendor_attempt_id for n in range(55)}
    before = sandbox.stats()["list_requests"]

    statuses = list(
        screen.list_statuses(
            since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1), test_ids=["101"]
        )
    )

    assert {s.vendor_attempt_id for s in statuses} == sent
    assert sandbox.stats()["list_requests"] - before == 2  # ceil(55 / 50)


def test_cancel_works_while_waiting_and_is_refused_after_start(screen, sandbox):
    waiting, started = _invite(screen, 1), _invite(screen, 2)
    sandbox.start(started.vendor_attempt_id)

    screen.cancel(waiting.vendor_attempt_id)
    with pytest.raises(VendorRefused, match="in_progress") as err:
        screen.cancel(started.vendor_attempt_id)

    assert screen.fetch(waiting.vendor_attempt_id).progress == Progress.CANCELLED
    assert err.value.status_code == 400


def test_resend_is_accepted_while_waiting(screen):
    screen.resend(_invite(screen).vendor_attempt_id)


@pytest.mark.parametrize(
    ("failure", "error", "message"),
    [
        ({"status": 429, "retry_after": 7}, RateLimited, "rate-limiting"),
        ({"status": 503}, VendorFailure, "503"),
        ({"status": 500}, VendorFailure, "500"),
        ({"status": 502, "html": True}, VendorFailure, "502"),
        ({"status": 200, "html": True}, VendorFailure, "could not read"),
    ],
)
def test_vendor_failures_become_errors_a_user_can_read(screen, sandbox, failure, error, message):
    sandbox.faults(fail_next=[failure] * 3)  # every try of the retried read fails

    with pytest.raises(error, match=message) as err:
        screen.list_tests()

    if failure["status"] == 429:
        assert err.value.retry_after == 7
    assert err.value.retryable


@pytest.mark.parametrize("retry_after", ["inf", "1e10"])
def test_a_retry_after_beyond_reason_holds_the_connection_an_hour_at_most(screen, sandbox, retry_after):
    """ "inf" failed on its own arithmetic (OverflowError, no vendor error a caller could handle) and
    held every later call of the connection until the process restarted; 1e10 for centuries."""
    sandbox.faults(fail_next=[{"status": 429, "retry_after": retry_after}] * 3)

    with pytest.raises(RateLimited, match="try again in 3600 s") as err:
        screen.list_tests()

    assert err.value.retry_after == 3600


def test_a_session_of_unexpected_shape_is_read_as_far_as_it_goes():
    """Tags as a number and links as objects raised TypeError and AttributeError: in a sweep, every
    attempt after it went unsynced on every sweep."""
    status = parse_session({"id": 7, "status": "waiting", "tags": 5, "url": {"href": "x"}, "test_url": 123})

    assert (status.vendor_attempt_id, status.progress, status.reference) == ("7", Progress.SENT, None)
    assert (status.test_url, status.report_url) == (None, None)


def test_a_listed_session_without_an_id_is_passed_over_and_the_listing_goes_on(caplog):
    """helper-152: the parser's "no id" was raised out of the listing, which ended there: every
    sweep stopped at the same item, and no attempt listed after it was ever applied."""
    page = {
        "tests": [
            {"id": 7, "status": "waiting"},
            {"status": "completed"},
            {"id": 9, "status": "in_progress"},
        ],
        "pagination": {"start": 0, "limit": 50, "total": 3, "has_more_items": False},
    }
    with serving(answering(lambda request: (200, page)), probe=PROBE) as url:
        statuses = list(_screen(url + "/coderpad-screen").list_statuses(since=None))

    assert [(s.vendor_attempt_id, s.progress) for s in statuses] == [
        ("7", Progress.SENT),
        ("9", Progress.STARTED),
    ]
    assert all(s.asked_at is not None for s in statuses)
    assert "CoderPad Screen listed an item Assay cannot read" in caplog.text


def test_a_timeout_is_reported_as_unreachable(sandbox):
    sandbox.faults(latency_ms=1500)
    slow = _screen(sandbox.url + "/coderpad-screen", timeout=0.5)

    with pytest.raises(VendorUnreachable, match="did not answer in time"):
        slow.list_tests()


def test_the_registered_webhook_receives_status_changes(screen, sandbox):
    with capturing() as inbox:
        _screen(screen.config.base_url, webhook_url=inbox.url).register_webhook()
        invitation = _invite(screen)
        sandbox.start(invitation.vendor_attempt_id)
        [(_headers, body)] = inbox.wait(1, seconds=5)[:1]

    notice = screen.read_webhook(body)
    assert notice.vendor_attempt_ids == (invitation.vendor_attempt_id,)
    assert json.loads(body)["status"] == "in_progress"


@pytest.mark.parametrize("fixture", ["webhook_started.json", "webhook_completed.json"])
def test_webhook_fixtures_parse_and_identical_deliveries_share_a_key(fixture):
    body = (FIXTURES / fixture).read_bytes()
    screen = _screen("http://127.0.0.1:9", "k")

    first = screen.read_webhook(body)
    again = screen.read_webhook(body)

    assert first.vendor_attempt_ids == ("5001",)
    assert first.delivery_key == again.delivery_key


@pytest.mark.parametrize(
    "body", [b"", b"{", b"[1, 2]", b'"text"', b'{"status": "completed"}', b'{"id": true}']
)
def test_malformed_webhooks_are_rejected_with_400(body):
    screen = _screen("http://127.0.0.1:9", "k")

    with pytest.raises(WebhookRejected) as err:
        screen.read_webhook(body)

    assert err.value.status_code == 400


def test_a_documented_session_parses_ignoring_unknown_fields():
    status = parse_session(json.loads((FIXTURES / "test_completed.json").read_text()))

    assert status.progress == Progress.COMPLETED
    assert status.reference == "assay-0123456789abcdef0123"
    assert status.result.score_percent == 88.0 and status.result.comparative_score == 71.0
    assert status.result.warnings == (
        "Pasted code detected",
        "Left the test environment 2 times",
        "CoderPad Screen: the result waits for a reviewer's approval there",
    )
    assert [(s.name, s.parent) for s in status.result.subscores] == [
        ("Java", None),
        ("Problem Solving", "Java"),
    ]


def test_a_recruiters_cheating_mark_and_time_outside_the_test_are_said_by_the_score():
    """helper-153: CoderPad Screen's review and integrity fields were read by no one: a result marked
    as cheating there, or waiting for its reviewer, read as a clean final score."""
    report = {"score": 75.0, "marked_as_cheated_by_recruiter": True, "environment_exit_count": 1}
    outside = {**report, "time_spent_outside_environment_seconds": 130}
    approved = {"id": 7, "status": "completed", "approval_status": "APPROVED", "report": {"score": 75.0}}

    assert parse_report(report).warnings == (
        "CoderPad Screen: a recruiter marked the attempt as cheating",
        "Left the test environment 1 time",
    )
    assert parse_report(outside).warnings[-1] == "Left the test environment 1 time, 2 min 10 s outside it"
    assert parse_session(approved).result.warnings == ()


@pytest.mark.parametrize(
    ("raw", "progress"),
    [
        ("waiting", Progress.SENT),
        ("in_progress", Progress.STARTED),
        ("cancelled", Progress.CANCELLED),
        ("aborted", Progress.ERROR),
        ("something_new", Progress.ERROR),
        (None, Progress.ERROR),
    ],
)
def test_statuses_map_onto_the_lifecycle_keeping_the_raw_value(raw, progress):
    status = parse_session({"id": 1, "status": raw, "score": "not a number", "report": "garbage"})

    assert status.progress == progress
    assert status.raw_status == (raw or "unknown")
    assert status.result is None
