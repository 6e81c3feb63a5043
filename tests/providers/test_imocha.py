"""The iMocha provider against the sandbox over HTTP, and its parsers on iMocha-shaped JSON.

Where the sandbox cannot show what went over the wire (the invite's body, a plain-text
error, an API that ignores paging), a small recording vendor on loopback answers with
the documented payloads instead.
"""

import dataclasses
import datetime
import json
import pathlib
import threading
import time

import httpx
import pytest

from providers.base import (
    Capability,
    ConnectionConfig,
    Invitee,
    KeyRejected,
    Progress,
    RateLimited,
    Unsupported,
    VendorFailure,
    VendorRefused,
    WebhookRejected,
)
from providers.imocha import (
    IMocha,
    error_message,
    normalise_status,
    parse_callback,
    parse_listed_attempt,
    parse_report,
    special,
    wire_time,
)
from providers.sandbox.imocha import DEMO_KEY, TESTS
from tests.http_server import Request, answering, capturing, serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "imocha"
PYTHON_TEST = "1101"
JAVA_TEST = "1102"


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _imocha(base_url: str, api_key: str = DEMO_KEY, *, webhook_url: str = "") -> IMocha:
    return IMocha(ConnectionConfig(base_url=base_url, api_key=api_key, webhook_url=webhook_url, timeout=5))


@pytest.fixture
def imocha(sandbox) -> IMocha:
    return _imocha(sandbox.url + "/imocha/v3")


def _invitee(n: int, **overrides) -> Invitee:
    values = {"name": f"Candidate {n}", "email": f"c{n}@example.com", "reference": f"assay-ref{n:04d}"}
    return Invitee(**{**values, **overrides})


def _act(sandbox, invitation_id: str, step: str) -> dict:
    return sandbox.act(invitation_id, step, vendor="imocha")


def _hour_ago() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)


@dataclasses.dataclass
class Recorded:
    """A recording vendor: what Assay sent, and the replies it gets, by method and path."""

    url: str
    requests: list[dict]
    replies: dict[tuple[str, str], tuple[int, str | bytes, str]]


@pytest.fixture
def recorder():
    requests: list[dict] = []
    replies: dict[tuple[str, str], tuple[int, str | bytes, str]] = {}
    lock = threading.Lock()

    def vendor(request: Request) -> tuple[int, str | bytes, str]:
        record = {
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": request.headers,
            "json": request.json(),
        }
        with lock:
            requests.append(record)
        return replies.get((request.method, request.path), (404, b"", "text/plain"))

    with serving(answering(vendor), probe="/probe") as url:
        requests.clear()
        yield Recorded(url + "/v3", requests, replies)


def _json_reply(name: str, status: int = 200) -> tuple[int, str, str]:
    return status, (FIXTURES / name).read_text(), "application/json"


@pytest.mark.parametrize(
    ("raw", "normalised", "progress"),
    [
        ("Pending", "pending", Progress.SENT),
        ("In Progress", "inprogress", Progress.STARTED),
        ("Inprogress", "inprogress", Progress.STARTED),
        ("IN PROGRESS", "inprogress", Progress.STARTED),
        ("in_progress", "inprogress", Progress.STARTED),
        ("Complete", "complete", Progress.COMPLETED),
        ("Completed", "completed", Progress.COMPLETED),
        ("Test Left", "testleft", Progress.COMPLETED),
        ("Testleft", "testleft", Progress.COMPLETED),
        ("Terminated", "terminated", Progress.COMPLETED),
        ("Cancelled", "cancelled", Progress.CANCELLED),
        ("cancelled", "cancelled", Progress.CANCELLED),
        ("Canceled", "canceled", Progress.CANCELLED),
        ("Expired", "expired", Progress.EXPIRED),
        (" Expired ", "expired", Progress.EXPIRED),
        ("Reset", "reset", Progress.ERROR),  # the deprecated v2 vocabulary is not v3's
        ("Something New", "somethingnew", Progress.ERROR),
    ],
)
def test_statuses_are_normalised_then_mapped_keeping_the_raw_value(raw, normalised, progress):
    status = parse_report({"testInvitationId": 1, "Status": raw, "scorePercentage": "n/a", "sections": "x"})

    assert normalise_status(raw) == normalised
    assert status.progress == progress
    assert status.raw_status == raw
    assert (status.result is not None) == (progress == Progress.COMPLETED)


@pytest.mark.parametrize("raw", [None, 42, "", ["Complete"]])
def test_a_missing_or_mistyped_status_is_an_error_not_a_crash(raw):
    status = parse_report({"testInvitationId": 7, "Status": raw})

    assert status.progress == Progress.ERROR and status.raw_status == "unknown"


@pytest.mark.parametrize(
    ("raw", "warned"),
    [("Terminated", "terminated"), ("Test Left", "left the test"), ("Complete", None)],
)
def test_a_terminated_or_abandoned_test_is_completed_with_a_warning(raw, warned):
    status = parse_report({**_fixture("report_complete.json"), "Status": raw})

    assert status.progress == Progress.COMPLETED
    if warned:
        assert len(status.result.warnings) == 1 and warned in status.result.warnings[0]
    else:
        assert status.result.warnings == ()


def test_a_documented_report_parses_ignoring_unknown_fields():
    status = parse_report(_fixture("report_complete.json"))

    result = status.result
    assert status.vendor_attempt_id == "3178622" and status.progress == Progress.COMPLETED
    assert status.raw_status == "Complete" and status.candidate_email == "ada@example.com"
    assert status.report_url == "https://app.imocha.io/reports/pdf/3178622"
    assert status.started_at == datetime.datetime(2024, 5, 2, 9, 30, tzinfo=datetime.UTC)
    assert status.completed_at == status.started_at + datetime.timedelta(seconds=720 + 1500)
    assert (result.score_percent, result.points, result.max_points) == (72.0, 36.0, 50.0)
    assert result.comparative_score is None  # iMocha has none
    assert (result.duration_seconds, result.time_allowed_seconds) == (2220, 45 * 60)
    assert [(s.name, s.score_percent, s.points, s.max_points) for s in result.subscores] == [
        ("Python Basics", 80.0, 16.0, 20.0),
        ("Coding", 66.67, 20.0, 30.0),
    ]


def test_a_pending_report_has_no_result_and_no_dates():
    status = parse_report(_fixture("report_pending.json"))

    assert status.progress == Progress.SENT and status.raw_status == "Pending"
    assert status.result is None and status.started_at is None and status.report_url is None


def test_a_report_with_wrong_types_still_parses():
    status = parse_report(
        {
            "testInvitationId": 3178622.0,
            "Status": "Complete",
            "scorePercentage": None,
            "score": "not a number",
            "candidatePoints": "18",
            "totalTestPoints": 24,
            "attemptedOn": 1714642200,
            "pdfReportUrl": {"url": "x"},
            "sections": [None, "x", {"sectionName": 5, "candidateScore": "a", "sectionScore": True}],
        }
    )

    assert status.vendor_attempt_id == "3178622"
    assert status.result.score_percent == 75.0  # from the points when no percentage is given
    assert status.result.subscores[0].name == "5" and status.result.subscores[0].score_percent is None
    assert status.started_at is None and status.report_url is None


@pytest.mark.parametrize(
    "data", [{}, {"testInvitationId": True}, {"testInvitationId": ""}, {"Status": "Complete"}]
)
def test_a_report_without_an_invitation_id_is_a_vendor_failure(data):
    with pytest.raises(VendorFailure, match="iMocha"):
        parse_report(data)


def test_pascal_case_callbacks_parse_from_the_fixtures():
    started = parse_callback(_fixture("callback_in_progress.json"))
    completed = parse_callback(_fixture("callback_complete.json"))
    terminated = parse_callback(_fixture("callback_terminated.json"))

    assert (started.vendor_attempt_id, started.progress, started.raw_status) == (
        "3178622",
        Progress.STARTED,
        "In Progress",
    )
    # AttemptedOnUtc has no zone and is UTC; the local AttemptedOn (IST here) is not used.
    assert started.started_at == datetime.datetime(2024, 5, 2, 9, 30, tzinfo=datetime.UTC)
    assert started.result is None and started.report_url is None
    assert started.candidate_email == "ada@example.com"
    assert completed.progress == Progress.COMPLETED
    assert (completed.result.score_percent, completed.result.points, completed.result.max_points) == (
        72.0,
        36.0,
        50.0,
    )
    assert completed.report_url == "https://app.imocha.io/reports/pdf/3178622"
    assert terminated.vendor_attempt_id == "3178630" and terminated.progress == Progress.COMPLETED
    assert terminated.result.score_percent == 30.0 and "terminated" in terminated.result.warnings[0]


def test_the_two_callbacks_of_one_attempt_are_two_deliveries_and_a_repeat_is_one():
    provider = _imocha("http://127.0.0.1:9", "k")
    started_body = (FIXTURES / "callback_in_progress.json").read_bytes()
    completed_body = (FIXTURES / "callback_complete.json").read_bytes()

    started = provider.read_webhook(started_body)
    completed = provider.read_webhook(completed_body)
    repeated = provider.read_webhook(completed_body)

    assert started.vendor_attempt_ids == completed.vendor_attempt_ids == ("3178622",)
    assert started.delivery_key != completed.delivery_key == repeated.delivery_key
    assert started.delivery_key.startswith("imocha:3178622:inprogress:")
    assert [s.progress for s in (*started.statuses, *completed.statuses)] == [
        Progress.STARTED,
        Progress.COMPLETED,
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[1, 2]",
        b'"text"',
        b'{"Status": "Complete"}',
        b'{"TestInvitationId": true}',
        b'{"TestInvitationId": null}',
        b'{"TestInvitationId": {"id": 1}}',
    ],
)
def test_malformed_callbacks_are_rejected_with_400(body):
    with pytest.raises(WebhookRejected) as err:
        _imocha("http://127.0.0.1:9", "k").read_webhook(body)

    assert err.value.status_code == 400


def test_callbacks_are_unsigned_so_any_headers_pass():
    _imocha("http://127.0.0.1:9", "k").authenticate_webhook(
        headers={"content-type": "application/json"}, body=(FIXTURES / "callback_complete.json").read_bytes()
    )


def test_listed_attempts_parse_with_their_own_spelling():
    items = _fixture("testattempts_completed.json")["result"]["testAttempts"]

    statuses = [parse_listed_attempt(item) for item in items]

    assert [(s.vendor_attempt_id, s.progress, s.raw_status) for s in statuses] == [
        ("3178622", Progress.COMPLETED, "Completed"),
        ("3178625", Progress.COMPLETED, "Testleft"),
        ("3178630", Progress.COMPLETED, "Terminated"),
    ]
    assert statuses[1].candidate_email == "alan@example.com"


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("error_result_errors.json", "Invalid testInvitationId"),
        ("error_invite_errors.json", "'Email' must not be empty; 'Name' must not be empty"),
        (
            "error_cancel_status_message.json",
            "Testinvitation state in inprogress, complete, and expired can not be cancelled",
        ),
    ],
)
def test_the_three_error_shapes_give_the_vendors_words(fixture, message):
    assert error_message(_fixture(fixture)) == message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"errors": {"Email": ["'Email' is not a valid email address."]}}, "Email: 'Email' is not a valid"),
        ({"errors": [{"message": "Test is inactive."}]}, "Test is inactive"),
        ({"result": None, "errors": None}, None),
        ([1, 2], None),
        (None, None),
    ],
)
def test_other_error_bodies_are_read_or_left_to_the_status_code(body, message):
    found = error_message(body)

    assert found == message if message is None else found.startswith(message)


def test_a_plain_text_refusal_keeps_the_vendors_words_and_html_does_not():
    text = special(httpx.Response(400, text="Test link is inactive."))
    page = special(httpx.Response(404, text="<html><body>Not Found</body></html>"))

    assert isinstance(text, VendorRefused) and str(text) == "iMocha refused: Test link is inactive."
    assert page is None  # the common mapping then says "iMocha refused: 404."


def test_a_429_about_the_quota_is_a_refusal_and_any_other_429_is_rate_limiting():
    quota = special(
        httpx.Response(429, json={"result": None, "errors": ["Invite quota exhausted for the plan."]})
    )
    pace = special(httpx.Response(429, json={"statusCode": 429, "message": "Too many requests."}))

    assert isinstance(quota, VendorRefused) and quota.status_code == 429 and quota.code == "quota"
    assert "quota is used up" in str(quota) and "Invite quota exhausted" in str(quota)
    assert pace is None


def test_a_plain_text_refusal_over_http_reaches_the_user(recorder):
    recorder.replies[("POST", "/v3/invitations/3178622/cancel")] = (
        400,
        "Invitation is locked.",
        "text/plain",
    )

    with pytest.raises(VendorRefused, match="Invitation is locked") as err:
        _imocha(recorder.url).cancel("3178622")

    assert err.value.status_code == 400


def test_a_quota_429_is_not_retried_even_on_a_read(recorder):
    recorder.replies[("GET", "/v3/tests")] = (
        429,
        json.dumps({"errors": ["Invite credits exhausted."]}),
        "application/json",
    )

    with pytest.raises(VendorRefused, match="quota is used up"):
        _imocha(recorder.url).list_tests()

    assert len(recorder.requests) == 1  # a rate limit would have been tried again


def test_the_invite_carries_the_key_callback_email_flag_and_deadline(recorder):
    recorder.replies[("POST", "/v3/tests/1101/invite")] = _json_reply("invite_created.json", 201)
    hook = "https://assay.example.com/api/webhooks/imocha/4?token=s3cret"
    deadline = datetime.datetime(2024, 6, 1, 18, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))

    invitation = _imocha(recorder.url, "key-123", webhook_url=hook).send(
        test_id=PYTHON_TEST, invitee=_invitee(1, expires_at=deadline)
    )

    [sent] = recorder.requests
    assert sent["headers"]["x-api-key"] == "key-123"
    assert sent["json"] == {
        "email": "c1@example.com",
        "name": "Candidate 1",
        "sendEmail": "yes",
        "callbackUrl": hook,
        "endDateTime": "2024-06-01T16:30:00Z",
    }
    assert invitation.vendor_attempt_id == "3178622"
    assert invitation.test_url.startswith("https://test.imocha.io/IMInstructions")
    assert invitation.expires_at == deadline


def test_an_invite_reply_without_an_id_is_a_vendor_failure(recorder):
    recorder.replies[("POST", "/v3/tests/1101/invite")] = (
        201,
        '{"testUrl": "https://x"}',
        "application/json",
    )

    with pytest.raises(VendorFailure, match="no test invitation id"):
        _imocha(recorder.url).send(test_id=PYTHON_TEST, invitee=_invitee(1))


def test_the_reattempt_sends_pascal_case_settings_and_returns_the_new_id(recorder):
    recorder.replies[("POST", "/v3/invitations/3178622/reattempt")] = _json_reply("reattempt_created.json")
    hook = "https://assay.example.com/hook?token=t"

    again = _imocha(recorder.url, webhook_url=hook).reattempt(
        "3178622", test_id=PYTHON_TEST, invitee=_invitee(1)
    )

    assert recorder.requests[0]["json"] == {"sendEmail": "yes", "CallbackUrl": hook}
    assert again.vendor_attempt_id == "3178701" and again.test_url.endswith("UmVhdHRlbXB0")


def test_tests_parse_with_string_ids_and_survive_junk_items(recorder):
    recorder.replies[("GET", "/v3/tests")] = _json_reply("tests_list.json")

    tests = _imocha(recorder.url).list_tests()

    assert [(t.id, t.name) for t in tests] == [
        ("1101", "Python Developer (Intermediate)"),
        ("1102", "Java 17 Developer"),
        ("1103", "Test 1103"),
    ]
    assert not any(t.live_interview for t in tests)


def test_an_api_that_ignores_paging_is_read_once_more_then_left(recorder):
    everything = {"tests": [{"testId": n, "testName": f"Test {n}"} for n in range(1, 131)]}
    recorder.replies[("GET", "/v3/tests")] = (200, json.dumps(everything), "application/json")

    tests = _imocha(recorder.url).list_tests()

    assert len(tests) == 130
    assert len(recorder.requests) == 2  # page 2 repeated page 1: nothing new, so stop


def test_tests_are_read_across_pages(imocha, sandbox):
    sandbox.post("/_sandbox/imocha/catalog", json={"extra_tests": 250})
    before = sandbox.stats("imocha")["api_requests"]

    tests = imocha.list_tests()

    assert len(tests) == 257 and len({t.id for t in tests}) == 257
    assert sandbox.stats("imocha")["api_requests"] - before == 3


def test_a_wrong_key_is_named_with_the_subscription_hint(sandbox):
    with pytest.raises(KeyRejected, match=r"rejected \(401\).*subscription has expired") as err:
        _imocha(sandbox.url + "/imocha/v3", "wrong-key-42").validate_key()

    assert "wrong-key-42" not in str(err.value)


def test_the_invite_is_idempotent_per_email_and_test(imocha, sandbox):
    invitee = _invitee(1)

    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    again = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(1, reference="assay-other", name="C. One"))
    other_test = imocha.send(test_id=JAVA_TEST, invitee=invitee)
    other_person = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(2))

    assert again.vendor_attempt_id == first.vendor_attempt_id and again.test_url == first.test_url
    assert len({first.vendor_attempt_id, other_test.vendor_attempt_id, other_person.vendor_attempt_id}) == 3
    assert sandbox.stats("imocha")["invitations_created"] == 3
    assert imocha.reuses_invitation_per_email


@pytest.mark.parametrize("ended", ["cancel", "expire"])
def test_inviting_again_revives_a_cancelled_or_expired_invitation(imocha, sandbox, ended):
    invitee = _invitee(3)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    if ended == "cancel":
        imocha.cancel(first.vendor_attempt_id)
    else:
        _act(sandbox, first.vendor_attempt_id, "expire")
    assert imocha.fetch(first.vendor_attempt_id).progress in (Progress.CANCELLED, Progress.EXPIRED)

    again = imocha.send(test_id=PYTHON_TEST, invitee=invitee)

    assert again.vendor_attempt_id == first.vendor_attempt_id
    assert imocha.fetch(first.vendor_attempt_id).progress == Progress.SENT
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_inviting_a_finished_candidate_again_returns_the_finished_invitation(imocha, sandbox):
    invitee = _invitee(4)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    _act(sandbox, first.vendor_attempt_id, "start")
    _act(sandbox, first.vendor_attempt_id, "submit")

    again = imocha.send(test_id=PYTHON_TEST, invitee=invitee)

    assert again.vendor_attempt_id == first.vendor_attempt_id
    assert imocha.fetch(first.vendor_attempt_id).progress == Progress.COMPLETED
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_find_by_reference_is_the_idempotent_invite_and_reports_the_state(imocha, sandbox):
    invitee = _invitee(5)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    _act(sandbox, first.vendor_attempt_id, "start")

    found = imocha.find_by_reference(test_id=PYTHON_TEST, invitee=invitee)

    assert found.vendor_attempt_id == first.vendor_attempt_id
    assert (found.progress, found.raw_status) == (Progress.STARTED, "In Progress")
    assert found.test_url == first.test_url
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_a_sent_invitation_is_pending_until_started(imocha, sandbox):
    invitation = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(6))

    status = imocha.fetch(invitation.vendor_attempt_id)

    assert (status.progress, status.raw_status) == (Progress.SENT, "Pending")
    assert status.candidate_email == "c6@example.com" and status.result is None


def test_a_broken_report_answers_500_on_every_read_and_the_others_are_read(imocha, sandbox):
    """The sandbox's ``broken_attempts``: one report failing for weeks (helper-112), every try of
    every read, while the vendor answers about the others; queued failures are left to those."""
    broken, other = (imocha.send(test_id=PYTHON_TEST, invitee=_invitee(n)) for n in (21, 22))
    sandbox.faults("imocha", broken_attempts=[broken.vendor_attempt_id], fail_next=[{"status": 503}])

    for _ in range(2):
        with pytest.raises(VendorFailure):
            imocha.fetch(broken.vendor_attempt_id)
    read = imocha.fetch(other.vendor_attempt_id)

    assert read.progress == Progress.SENT  # its first try took the queued 503, its second was read
    assert sandbox.stats("imocha")["failures_injected"] == 1


def test_a_completed_attempt_carries_the_whole_result(imocha, sandbox):
    invitation = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(7))
    _act(sandbox, invitation.vendor_attempt_id, "start")
    _act(sandbox, invitation.vendor_attempt_id, "submit")

    status = imocha.fetch(invitation.vendor_attempt_id)

    result = status.result
    assert status.progress == Progress.COMPLETED and status.raw_status == "Complete"
    assert 0 <= result.score_percent <= 100 and result.points <= result.max_points
    assert [s.name for s in result.subscores] == ["Python Basics", "OOP in Python", "Coding"]
    assert result.duration_seconds <= result.time_allowed_seconds
    assert status.started_at.tzinfo is not None and status.started_at <= status.completed_at
    assert status.report_url.endswith(f"/imocha/report/{invitation.vendor_attempt_id}")
    assert httpx.get(status.report_url, timeout=5).status_code == 200
    assert imocha.fetch(invitation.vendor_attempt_id).result == result  # deterministic


def test_a_terminated_attempt_is_completed_with_a_warning(imocha, sandbox):
    invitation = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(8))
    _act(sandbox, invitation.vendor_attempt_id, "start")
    _act(sandbox, invitation.vendor_attempt_id, "terminate")

    status = imocha.fetch(invitation.vendor_attempt_id)

    assert (status.progress, status.raw_status) == (Progress.COMPLETED, "Terminated")
    assert "proctoring" in status.result.warnings[0]


def test_cancel_works_while_pending_and_is_refused_after_start_with_the_vendors_message(imocha, sandbox):
    pending = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(9))
    started = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(10))
    _act(sandbox, started.vendor_attempt_id, "start")

    imocha.cancel(pending.vendor_attempt_id)
    with pytest.raises(VendorRefused) as err:
        imocha.cancel(started.vendor_attempt_id)

    assert imocha.fetch(pending.vendor_attempt_id).progress == Progress.CANCELLED
    assert err.value.status_code == 400
    assert str(err.value).startswith("iMocha cannot cancel this invitation: ")
    assert "Testinvitation state in inprogress, complete, and expired can not be cancelled" in str(err.value)
    assert imocha.fetch(started.vendor_attempt_id).progress == Progress.STARTED


def test_cancelling_an_unknown_invitation_says_so(imocha):
    with pytest.raises(VendorRefused, match="Test invitation not found") as err:
        imocha.cancel("999")

    assert err.value.status_code == 404


@pytest.mark.parametrize("finish", ["submit", "leave"])
def test_a_reattempt_gets_a_new_id_while_the_first_keeps_its_result(imocha, sandbox, finish):
    invitee = _invitee(11)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    _act(sandbox, first.vendor_attempt_id, "start")
    _act(sandbox, first.vendor_attempt_id, finish)
    first_result = imocha.fetch(first.vendor_attempt_id).result

    second = imocha.reattempt(first.vendor_attempt_id, test_id=PYTHON_TEST, invitee=invitee)

    assert second.vendor_attempt_id != first.vendor_attempt_id and second.test_url != first.test_url
    assert imocha.fetch(second.vendor_attempt_id).progress == Progress.SENT
    kept = imocha.fetch(first.vendor_attempt_id)
    assert kept.progress == Progress.COMPLETED and kept.result == first_result
    # Inviting the same email again now finds the new, live invitation.
    assert imocha.send(test_id=PYTHON_TEST, invitee=invitee).vendor_attempt_id == second.vendor_attempt_id
    assert sandbox.stats("imocha")["invitations_created"] == 2


def test_a_reattempt_is_refused_while_the_test_is_in_progress(imocha, sandbox):
    invitee = _invitee(12)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    _act(sandbox, first.vendor_attempt_id, "start")

    with pytest.raises(VendorRefused, match=r"iMocha cannot allow a re-attempt now: .*inprogress state"):
        imocha.reattempt(first.vendor_attempt_id, test_id=PYTHON_TEST, invitee=invitee)


def test_a_reattempt_of_an_expired_invitation_revives_it_under_its_own_id(imocha, sandbox):
    invitee = _invitee(13)
    first = imocha.send(test_id=PYTHON_TEST, invitee=invitee)
    _act(sandbox, first.vendor_attempt_id, "expire")

    again = imocha.reattempt(first.vendor_attempt_id, test_id=PYTHON_TEST, invitee=invitee)

    assert again.vendor_attempt_id == first.vendor_attempt_id
    assert imocha.fetch(first.vendor_attempt_id).progress == Progress.SENT
    assert sandbox.stats("imocha")["invitations_created"] == 1


def test_listing_finds_cancellations_and_expiries_with_one_request_per_state(imocha, sandbox):
    cancelled = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(14))
    expired = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(15))
    completed = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(16))
    pending = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(17))
    started = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(18))
    elsewhere = imocha.send(test_id=JAVA_TEST, invitee=_invitee(19))
    imocha.cancel(cancelled.vendor_attempt_id)
    _act(sandbox, expired.vendor_attempt_id, "expire")
    for attempt in (completed, elsewhere):
        _act(sandbox, attempt.vendor_attempt_id, "start")
        _act(sandbox, attempt.vendor_attempt_id, "submit")
    _act(sandbox, started.vendor_attempt_id, "start")
    before = sandbox.stats("imocha")["list_requests"]

    listed = {s.vendor_attempt_id: s for s in imocha.list_statuses(since=_hour_ago(), test_ids=[PYTHON_TEST])}

    assert sandbox.stats("imocha")["list_requests"] - before == 3
    assert {k: s.progress for k, s in listed.items()} == {
        cancelled.vendor_attempt_id: Progress.CANCELLED,
        expired.vendor_attempt_id: Progress.EXPIRED,
        completed.vendor_attempt_id: Progress.COMPLETED,
    }
    # The listing carries no score: the sync fetches the report of those it still waits on.
    assert listed[completed.vendor_attempt_id].result is None
    assert pending.vendor_attempt_id not in listed and started.vendor_attempt_id not in listed
    assert not imocha.listing_tells_all


def test_listing_only_covers_the_window_asked_for(imocha, sandbox):
    invitation = imocha.send(test_id=PYTHON_TEST, invitee=_invitee(20))
    imocha.cancel(invitation.vendor_attempt_id)

    later = list(
        imocha.list_statuses(since=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1))
    )
    everything = list(imocha.list_statuses(since=None))

    assert invitation.vendor_attempt_id not in {s.vendor_attempt_id for s in later}
    assert invitation.vendor_attempt_id in {s.vendor_attempt_id for s in everything}


def test_the_sandbox_sends_two_pascal_case_callbacks_per_attempt(imocha, sandbox):
    with capturing("/hook") as inbox:
        provider = _imocha(imocha.config.base_url, webhook_url=inbox.url)
        invitation = provider.send(test_id=PYTHON_TEST, invitee=_invitee(21))
        provider.cancel(provider.send(test_id=PYTHON_TEST, invitee=_invitee(22)).vendor_attempt_id)
        _act(sandbox, invitation.vendor_attempt_id, "start")
        _act(sandbox, invitation.vendor_attempt_id, "submit")
        inbox.wait(2, seconds=5)
        time.sleep(0.2)  # nothing more should come (a cancellation is never pushed)

    received = [body for _headers, body in inbox.deliveries]
    # Each callback goes out on its own, so they may arrive in either order.
    payloads = {json.loads(body)["Status"]: json.loads(body) for body in received}
    assert len(received) == 2 and set(payloads) == {"In Progress", "Complete"}
    assert payloads["In Progress"]["ReportPDFUrl"] is None and payloads["Complete"]["ReportPDFUrl"]
    assert not payloads["In Progress"]["AttemptedOnUtc"].endswith("Z")
    statuses = [s for body in received for s in provider.read_webhook(body).statuses]
    assert {s.vendor_attempt_id for s in statuses} == {invitation.vendor_attempt_id}
    [finished] = [s for s in statuses if s.progress == Progress.COMPLETED]
    reported = imocha.fetch(invitation.vendor_attempt_id).result
    assert (finished.result.points, finished.result.max_points) == (reported.points, reported.max_points)
    assert abs(finished.result.score_percent - reported.score_percent) < 1  # the report rounds [P]


def test_an_invite_the_vendor_refuses_names_the_field(imocha):
    with pytest.raises(VendorRefused, match="iMocha refused: 'Email' is not a valid email address") as err:
        imocha.send(test_id=PYTHON_TEST, invitee=_invitee(23, email="not-an-email"))

    assert err.value.status_code == 400


def test_resend_and_extend_are_refused_with_the_reason():
    provider = _imocha("http://127.0.0.1:9", "k")

    with pytest.raises(Unsupported, match="no call to email the invitation again"):
        provider.resend("1", test_id=PYTHON_TEST)
    with pytest.raises(Unsupported, match="no call to move a sent invitation's deadline"):
        provider.extend("1", test_id=PYTHON_TEST, expires_at=datetime.datetime.now(datetime.UTC))
    assert Capability.DEADLINE in provider.capabilities and Capability.EXTEND not in provider.capabilities


def test_wire_times_are_utc_with_a_z():
    assert (
        wire_time(datetime.datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=datetime.UTC)) == "2024-01-02T03:04:05Z"
    )
    assert wire_time(datetime.datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05Z"


def test_an_injected_rate_limit_is_still_rate_limiting(imocha, sandbox):
    sandbox.faults("imocha", fail_next=[{"status": 429, "retry_after": 30}] * 3)

    with pytest.raises(RateLimited) as err:
        imocha.list_tests()

    assert err.value.retry_after == 30


def test_each_test_s_sections_allow_the_test_s_own_duration(imocha, sandbox):
    """Seen in the demo: "SQL for Data Analysts" (40 minutes) read "25.0 min of 25 min", its
    sections allowing 25 between them."""
    for n, test in enumerate(imocha.list_tests()):
        invitation = imocha.send(test_id=test.id, invitee=_invitee(700 + n))
        _act(sandbox, invitation.vendor_attempt_id, "start")
        _act(sandbox, invitation.vendor_attempt_id, "submit")
        minutes = next(t["duration"] for t in TESTS if str(t["testId"]) == test.id)

        result = imocha.fetch(invitation.vendor_attempt_id).result

        assert (test.name, result.time_allowed_seconds) == (test.name, minutes * 60)
