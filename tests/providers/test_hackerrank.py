"""The HackerRank provider against the sandbox over HTTP, and its parsers on vendor-shaped JSON."""

import base64
import datetime
import json
import pathlib

import httpx
import pytest

from providers.base import (
    ConnectionConfig,
    Invitee,
    KeyRejected,
    Progress,
    RateLimited,
    VendorFailure,
    VendorRefused,
    WebhookRejected,
)
from providers.hackerrank import (
    HackerRank,
    error_message,
    integrity_warnings,
    parse_candidate,
    progress_of,
    webhook_candidate_id,
)
from tests.http_server import Request, answering, capturing, serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "hackerrank"
KEY = "demo-hackerrank-key"
SECRET = "hackerrank-webhook-secret-0123456789"
BACKEND_TEST = "410001"  # 90 minutes in the sandbox's catalog
DATA_TEST = "410003"
NOW = datetime.datetime(2026, 5, 3, 12, 0, tzinfo=datetime.UTC)


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _hackerrank(
    base_url: str, api_key: str = KEY, *, webhook_url: str = "", webhook_secret: str = SECRET
) -> HackerRank:
    return HackerRank(
        ConnectionConfig(
            base_url=base_url,
            api_key=api_key,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            timeout=5,
        )
    )


def _api(sandbox) -> str:
    return sandbox.url + "/hackerrank/x/api/v3"


@pytest.fixture
def hackerrank(sandbox) -> HackerRank:
    return _hackerrank(_api(sandbox))


def _invitee(n: int, *, reference: str = "", email: str = "", expires_at=None) -> Invitee:
    return Invitee(
        name=f"Candidate {n}",
        email=email or f"c{n}@example.com",
        reference=reference or f"assay-ref{n:04d}",
        application_ref=str(500 + n),
        expires_at=expires_at,
    )


def _raw(sandbox, path: str, **params) -> dict:
    """What the sandbox's API itself answers, for checking what the provider sent."""
    response = httpx.get(
        _api(sandbox) + path, params=params, headers={"Authorization": f"Bearer {KEY}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def _invite_directly(sandbox, test_id: str, email: str, **fields) -> str:
    """An invitation made straight at the API (by hand in HackerRank, or in bulk for paging)."""
    response = httpx.post(
        _api(sandbox) + f"/tests/{test_id}/candidates",
        json={"email": email, "send_email": True, **fields},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=10,
    )
    response.raise_for_status()
    return str(response.json()["id"])


def _act(sandbox, candidate_id: str, step: str) -> dict:
    return sandbox.act(candidate_id, step, vendor="hackerrank")


def test_a_valid_key_passes_and_a_wrong_one_is_named(hackerrank, sandbox):
    hackerrank.validate_key()

    wrong = _hackerrank(_api(sandbox), "nope-0000")
    with pytest.raises(KeyRejected, match=r"HackerRank key was rejected \(401\).*Settings > API") as err:
        wrong.validate_key()
    assert "nope-0000" not in str(err.value)


def test_the_sandbox_also_takes_the_key_as_basic_auth_username(sandbox):
    basic = base64.b64encode(f"{KEY}:".encode()).decode()

    accepted = httpx.get(_api(sandbox) + "/tests", headers={"Authorization": f"Basic {basic}"}, timeout=10)
    refused = httpx.get(_api(sandbox) + "/tests", headers={"Authorization": "Bearer nope"}, timeout=10)

    assert accepted.status_code == 200
    assert refused.status_code == 401


def test_only_published_active_tests_are_listed_with_string_ids(hackerrank):
    tests = hackerrank.list_tests()

    names = [t.name for t in tests]
    assert tests and all(isinstance(t.id, str) for t in tests)
    assert "Staff Engineer (draft)" not in names and "Legacy PHP (archived)" not in names
    assert not any(t.live_interview for t in tests)


def test_tests_are_paged_by_following_next_and_total_is_a_string(hackerrank, sandbox):
    sandbox.post("/_sandbox/hackerrank/catalog", json={"extra_tests": 250})
    first_page = _raw(sandbox, "/tests", limit=100)
    before = sandbox.stats("hackerrank")["list_requests"]

    tests = hackerrank.list_tests()

    assert first_page["total"] == "259" and first_page["next"].startswith("http")
    assert len(tests) == 257  # the draft and the archived test are left out
    assert sandbox.stats("hackerrank")["list_requests"] - before == 3  # 100 + 100 + 59


def _paging_vendor(requests: list[str]):
    """A wire-level HackerRank whose ``next`` links cannot be rebuilt from offsets."""
    pages = {
        "/x/api/v3/tests": ({"id": "1", "name": "One"}, "/x/api/v3/tests?cursor=two"),
        "/x/api/v3/tests?cursor=two": ({"id": "2", "name": "Two"}, "{root}/x/api/v3/tests?cursor=three"),
        "/x/api/v3/tests?cursor=three": ({"id": 3, "name": "Three"}, ""),
        "/x/api/v3/loop": ({"id": "4", "name": "Four"}, "/x/api/v3/loop?again=1"),
        "/x/api/v3/loop?again=1": ({"id": "5", "name": "Five"}, "/x/api/v3/loop?again=1"),
        "/x/api/v3/away": ({"id": "6", "name": "Six"}, "https://elsewhere.example/x/api/v3/tests"),
    }

    def page(request: Request) -> tuple[int, dict]:
        cursor = "&".join(p for p in request.query.split("&") if p.startswith(("cursor=", "again=")))
        key = request.path + (f"?{cursor}" if cursor else "")
        requests.append(f"{key} {request.headers.get('authorization', '')}")
        item, link = pages.get(key, ({"id": "0"}, ""))
        return 200, {
            "data": [{**item, "state": "active", "draft": False}],
            "page_total": 1,
            "offset": 0,
            "previous": "",
            "next": link.replace("{root}", f"http://{request.headers['host']}"),
            "total": "3",
        }

    return answering(page)


def test_next_links_are_followed_as_given_and_only_on_the_same_site():
    requests: list[str] = []
    with serving(_paging_vendor(requests), probe="/probe") as url:
        provider = _hackerrank(url + "/x/api/v3")
        requests.clear()

        tests = provider.list_tests()
        looped = [item for page in provider._pages("/loop", {}, "test list") for item in page]
        with pytest.raises(VendorFailure, match="another site"):
            list(provider._pages("/away", {}, "test list"))

    assert [t.id for t in tests] == ["1", "2", "3"]
    assert [r.split(" ")[0] for r in requests[:3]] == [
        "/x/api/v3/tests",
        "/x/api/v3/tests?cursor=two",
        "/x/api/v3/tests?cursor=three",
    ]
    assert all(r.endswith(f"Bearer {KEY}") for r in requests)
    assert [i["id"] for i in looped] == ["4", "5"]  # a next link seen before ends the list


def test_documented_replies_read_a_numeric_id_as_text_and_skip_drafts_and_archived_tests():
    def reply(request: Request) -> tuple[int, bytes]:
        name = "invite_reply.json" if request.method == "POST" else "tests_page.json"
        return 200, (FIXTURES / name).read_bytes()

    with serving(answering(reply), probe="/probe") as url:
        provider = _hackerrank(url + "/x/api/v3")
        tests = provider.list_tests()
        invitation = provider.send(test_id="410001", invitee=_invitee(0))

    assert [(t.id, t.name) for t in tests] == [
        ("410001", "Backend Engineer (Python)"),
        ("410100", "Numeric id (tolerated)"),
    ]
    assert invitation.vendor_attempt_id == "10000"
    assert invitation.test_url.startswith("https://www.hackerrank.com/tests/")


def test_send_carries_the_reference_the_deadline_and_the_result_webhook(sandbox):
    deadline = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=5)
    provider = _hackerrank(
        _api(sandbox), webhook_url="https://assay.example/api/webhooks/hackerrank/1?token=t"
    )

    invitation = provider.send(test_id=BACKEND_TEST, invitee=_invitee(1, expires_at=deadline))

    raw = _raw(sandbox, f"/tests/{BACKEND_TEST}/candidates/{invitation.vendor_attempt_id}")
    status = provider.fetch(invitation.vendor_attempt_id, test_id=BACKEND_TEST)
    assert raw["invite_email_done"] is True  # send_email was said explicitly
    assert raw["invite_metadata"] == {"assay_reference": "assay-ref0001", "ats_application_id": "501"}
    assert raw["test_result_url"] == "https://assay.example/api/webhooks/hackerrank/1?token=t"
    assert raw["accept_result_updates"] is True
    assert "webhook_authentication" not in raw and SECRET not in json.dumps(raw)
    assert status.progress == Progress.SENT and status.raw_status == "-1"
    assert status.expires_at == deadline == invitation.expires_at
    assert status.reference == "assay-ref0001" and status.candidate_email == "c1@example.com"
    assert status.test_url == invitation.test_url and status.sent_at.tzinfo is not None


def test_already_invited_is_refused_without_a_second_invitation_and_the_retry_adopts_it(hackerrank, sandbox):
    invitee = _invitee(2)
    first = hackerrank.send(test_id=BACKEND_TEST, invitee=invitee)

    with pytest.raises(VendorRefused, match=r"already has an invitation for c2@example\.com") as err:
        hackerrank.send(test_id=BACKEND_TEST, invitee=invitee)
    found = hackerrank.find_by_reference(test_id=BACKEND_TEST, invitee=invitee)

    assert err.value.status_code == 422 and err.value.code == "already_invited"
    assert sandbox.stats("hackerrank")["invitations_created"] == 1
    assert found.vendor_attempt_id == first.vendor_attempt_id and found.reference == invitee.reference


def test_an_invitation_made_in_hackerrank_is_adopted_by_email_but_not_another_assay_one(hackerrank, sandbox):
    outside = _invite_directly(sandbox, BACKEND_TEST, "Outside@Example.com", full_name="Invited by hand")
    hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(3, reference="assay-first"))

    adopted = hackerrank.find_by_reference(
        test_id=BACKEND_TEST, invitee=_invitee(4, email="Outside@Example.com", reference="assay-new")
    )
    other = hackerrank.find_by_reference(test_id=BACKEND_TEST, invitee=_invitee(3, reference="assay-second"))

    assert adopted.vendor_attempt_id == outside and adopted.reference is None
    assert other is None


def test_a_completed_candidate_carries_the_whole_result(hackerrank, sandbox):
    invitation = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(5))
    _act(sandbox, invitation.vendor_attempt_id, "start")
    _act(sandbox, invitation.vendor_attempt_id, "submit")

    status = hackerrank.fetch(invitation.vendor_attempt_id, test_id=BACKEND_TEST)

    result = status.result
    assert status.progress == Progress.COMPLETED and status.raw_status == "7"
    assert status.started_at <= status.completed_at
    assert 35 <= result.score_percent <= 98
    assert result.points == result.score_percent * 2 and result.max_points == 200
    assert result.comparative_score is None  # HackerRank has no percentile
    assert result.time_allowed_seconds == 90 * 60 and 0 <= result.duration_seconds < 60
    names = {s.name for s in result.subscores}
    assert {"Problem Solving (Basic)", "Python (Intermediate)", "Python (tag)", "Backend (tag)"} == names
    assert all(0 <= s.score_percent <= 100 for s in result.subscores)
    assert "authkey=" in status.report_url
    assert httpx.get(status.report_url, timeout=10).status_code == 200


def test_integrity_signals_become_warnings_exactly_when_hackerrank_raises_them(hackerrank, sandbox):
    seen = set()
    for n in range(10, 22):
        invitation = hackerrank.send(test_id=DATA_TEST, invitee=_invitee(n))
        _act(sandbox, invitation.vendor_attempt_id, "start")
        raw = _act(sandbox, invitation.vendor_attempt_id, "submit")
        warnings = hackerrank.fetch(invitation.vendor_attempt_id, test_id=DATA_TEST).result.warnings
        seen.add(raw["integrity_status"])
        if raw["integrity_status"] == "High":
            assert any("integrity: high risk" in w for w in warnings)
        elif raw["integrity_status"] == "Medium":
            assert any("integrity: medium risk" in w for w in warnings)
        else:
            assert warnings == ()
    assert seen == {"High", "Medium", "No Issues Detected"}


def test_statuses_are_listed_100_a_page_for_each_test_since_a_time(hackerrank, sandbox):
    sent = {_invite_directly(sandbox, BACKEND_TEST, f"bulk{n}@example.com") for n in range(105)}
    sent.add(hackerrank.send(test_id=DATA_TEST, invitee=_invitee(300)).vendor_attempt_id)
    before = sandbox.stats("hackerrank")["list_requests"]
    an_hour_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)

    statuses = list(hackerrank.list_statuses(since=an_hour_ago, test_ids=[BACKEND_TEST, DATA_TEST]))
    later = list(
        hackerrank.list_statuses(
            since=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1), test_ids=[BACKEND_TEST]
        )
    )

    assert {s.vendor_attempt_id for s in statuses} == sent
    assert all(s.progress == Progress.SENT for s in statuses)
    assert sandbox.stats("hackerrank")["list_requests"] - before == 2 + 1 + 1  # 100 + 5, 1, then none
    assert later == []


def test_cancel_withdraws_a_waiting_invitation_and_is_refused_once_started(hackerrank, sandbox):
    waiting = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(6))
    started = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(7))
    _act(sandbox, started.vendor_attempt_id, "start")

    hackerrank.cancel(waiting.vendor_attempt_id, test_id=BACKEND_TEST)
    with pytest.raises(VendorRefused, match="already attempted") as err:
        hackerrank.cancel(started.vendor_attempt_id, test_id=BACKEND_TEST)
    cancelled = hackerrank.fetch(waiting.vendor_attempt_id, test_id=BACKEND_TEST)
    again = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(6, reference="assay-after-cancel"))

    assert cancelled.progress == Progress.CANCELLED and cancelled.raw_status == "-1, invite_valid false"
    assert err.value.status_code == 422
    assert again.vendor_attempt_id != waiting.vendor_attempt_id  # a cancelled invite does not block


def test_an_expired_invitation_reads_expired_until_its_deadline_is_extended(hackerrank, sandbox):
    invitation = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(8))
    _act(sandbox, invitation.vendor_attempt_id, "expire")
    expired = hackerrank.fetch(invitation.vendor_attempt_id, test_id=BACKEND_TEST)
    later = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=3)

    hackerrank.extend(invitation.vendor_attempt_id, test_id=BACKEND_TEST, expires_at=later)

    extended = hackerrank.fetch(invitation.vendor_attempt_id, test_id=BACKEND_TEST)
    assert expired.progress == Progress.EXPIRED and expired.raw_status == "-1, invite_valid_to passed"
    assert extended.progress == Progress.SENT and extended.expires_at == later


def test_resend_reuses_the_invitation_and_is_refused_once_started(hackerrank, sandbox):
    invitation = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(9))

    hackerrank.resend(invitation.vendor_attempt_id, test_id=BACKEND_TEST)
    _act(sandbox, invitation.vendor_attempt_id, "start")
    with pytest.raises(VendorRefused, match="started"):
        hackerrank.resend(invitation.vendor_attempt_id, test_id=BACKEND_TEST)

    raw = _raw(sandbox, f"/tests/{BACKEND_TEST}/candidates/{invitation.vendor_attempt_id}")
    assert sandbox.stats("hackerrank")["invitations_created"] == 1
    assert raw["invite_metadata"]["assay_reference"] == "assay-ref0009"


def test_a_reattempt_reopens_the_candidate_with_the_new_reference(hackerrank, sandbox):
    first = hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(30))
    _act(sandbox, first.vendor_attempt_id, "start")
    _act(sandbox, first.vendor_attempt_id, "submit")

    second = hackerrank.reattempt(
        first.vendor_attempt_id, test_id=BACKEND_TEST, invitee=_invitee(30, reference="assay-second-go")
    )

    status = hackerrank.fetch(second.vendor_attempt_id, test_id=BACKEND_TEST)
    assert second.vendor_attempt_id == first.vendor_attempt_id  # HackerRank keeps the candidate
    assert status.progress == Progress.SENT and status.result is None
    assert status.reference == "assay-second-go" and second.test_url
    assert sandbox.stats("hackerrank")["invitations_created"] == 2


@pytest.fixture
def receiver():
    """A loopback endpoint collecting what HackerRank posts: (headers, body)."""
    with capturing("/hook") as capture:
        yield capture


def test_result_webhooks_carry_the_bearer_token_given_with_the_invitation(sandbox, receiver):
    provider = _hackerrank(_api(sandbox), webhook_url=receiver.url)
    invitation = provider.send(test_id=BACKEND_TEST, invitee=_invitee(40))

    _act(sandbox, invitation.vendor_attempt_id, "start")
    _act(sandbox, invitation.vendor_attempt_id, "submit")

    deliveries = receiver.wait(2)
    notices = []
    for headers, body in deliveries:
        assert headers["authorization"] == f"Bearer {SECRET}"
        provider.authenticate_webhook(headers=headers, body=body)
        notices.append(provider.read_webhook(body))
    assert sorted(json.loads(body)["status"] for _headers, body in deliveries) == [1, 7]
    assert {n.vendor_attempt_ids for n in notices} == {(invitation.vendor_attempt_id,)}
    assert len({n.delivery_key for n in notices}) == 2 and all(n.statuses == () for n in notices)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer wrong-token"},
        {"authorization": f"Bearer {SECRET}x"},
        {"authorization": "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()},
        {"authorization": "Bearer "},
    ],
    ids=["missing", "wrong", "longer", "basic", "empty"],
)
def test_a_webhook_without_our_bearer_token_is_refused_with_401(headers):
    provider = _hackerrank("http://127.0.0.1:9")

    with pytest.raises(WebhookRejected) as err:
        provider.authenticate_webhook(headers=headers, body=b"{}")

    assert err.value.status_code == 401
    assert SECRET not in str(err.value)


def test_the_bearer_check_ignores_header_case_and_needs_a_secret():
    provider = _hackerrank("http://127.0.0.1:9")
    provider.authenticate_webhook(headers={"Authorization": f"bearer {SECRET}"}, body=b"{}")

    with pytest.raises(WebhookRejected) as err:
        _hackerrank("http://127.0.0.1:9", webhook_secret="").authenticate_webhook(
            headers={"authorization": "Bearer "}, body=b"{}"
        )
    assert err.value.status_code == 401


@pytest.mark.parametrize(
    ("fixture", "candidate_id"),
    [("webhook_report.json", "10042"), ("webhook_started.json", "10042"), ("webhook_nested.json", "10042")],
)
def test_webhook_shapes_name_the_candidate_and_identical_deliveries_share_a_key(fixture, candidate_id):
    body = (FIXTURES / fixture).read_bytes()
    provider = _hackerrank("http://127.0.0.1:9")

    first, again = provider.read_webhook(body), provider.read_webhook(body)

    assert first.vendor_attempt_ids == (candidate_id,)
    assert first.delivery_key == again.delivery_key and first.delivery_key.startswith("hackerrank:10042:")


@pytest.mark.parametrize(
    ("payload", "candidate_id"),
    [
        ({"candidate_id": "7", "id": "99"}, "7"),
        ({"test_candidate": {"id": 8}}, "8"),
        ({"data": {"id": "9", "status": 7}}, "9"),
        ({"report": {"candidate_id": "10"}}, "10"),
        ({"id": 11, "test": {"id": "410001"}}, "11"),
        ({"candidate": "not an object", "id": "12"}, "12"),
    ],
)
def test_nested_webhook_shapes_are_read(payload, candidate_id):
    assert webhook_candidate_id(payload) == candidate_id


@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"[1, 2]", b'"text"', b'{"status": 7}', b'{"id": true}', b'{"id": ""}', b'{"id": null}'],
)
def test_malformed_webhooks_are_rejected_with_400(body):
    with pytest.raises(WebhookRejected) as err:
        _hackerrank("http://127.0.0.1:9").read_webhook(body)

    assert err.value.status_code == 400


@pytest.mark.parametrize(
    ("fields", "progress", "raw"),
    [
        ({"status": -1}, Progress.SENT, "-1"),
        (
            {"status": -1, "invite_valid": True, "invite_valid_to": "2026-05-10T00:00:00+0000"},
            Progress.SENT,
            "-1",
        ),
        ({"status": -1, "invite_valid_to": None, "invite_valid": None}, Progress.SENT, "-1"),
        ({"status": -1, "invite_valid": False}, Progress.CANCELLED, "-1, invite_valid false"),
        (
            {"status": -1, "invite_valid": False, "invite_valid_to": "2026-05-10T00:00:00+0000"},
            Progress.CANCELLED,
            "-1, invite_valid false",
        ),
        (
            {"status": -1, "invite_valid": False, "invite_valid_to": "2026-05-01T00:00:00+0000"},
            Progress.EXPIRED,
            "-1, invite_valid_to passed",
        ),
        (
            {"status": -1, "invite_valid": True, "invite_valid_to": "2026-05-01T00:00:00Z"},
            Progress.EXPIRED,
            "-1, invite_valid_to passed",
        ),
        (
            {"status": -1, "invite_valid": False, "attempt_starttime": "2026-05-01T00:00:00+0000"},
            Progress.SENT,
            "-1",
        ),
        ({"status": 0}, Progress.STARTED, "0"),
        ({"status": 1}, Progress.STARTED, "1"),
        ({"status": 6}, Progress.STARTED, "6"),
        ({"status": "3"}, Progress.STARTED, "3"),
        ({"status": 7, "invite_valid": False}, Progress.COMPLETED, "7"),
        ({"status": 7.0}, Progress.COMPLETED, "7"),
        ({"status": 8}, Progress.ERROR, "8"),
        ({"status": -2}, Progress.ERROR, "-2"),
        ({"status": "completed"}, Progress.ERROR, "completed"),
        ({"status": True}, Progress.ERROR, "True"),
        ({"status": None}, Progress.ERROR, "unknown"),
        ({}, Progress.ERROR, "unknown"),
    ],
)
def test_status_ints_map_onto_the_lifecycle_keeping_the_raw_value(fields, progress, raw):
    assert progress_of(fields, now=NOW) == (progress, raw)


@pytest.mark.parametrize(
    ("fields", "warnings"),
    [
        (
            {"integrity_status": "High", "integrity_summary": "Code similarity."},
            ("HackerRank integrity: high risk (Code similarity.)",),
        ),
        ({"integrity_status": "Medium"}, ("HackerRank integrity: medium risk",)),
        ({"integrity_status": "No Issues Detected", "integrity_summary": "Nothing."}, ()),
        ({"integrity_status": None}, ()),
        ({"integrity_status": 3}, ()),
        ({"integrity_status": "Low"}, ("HackerRank integrity: Low",)),
        ({"plagiarism_status": True}, ("HackerRank flagged the attempt for plagiarism",)),
        ({"integrity_status": "No Issues Detected", "plagiarism_status": True}, ()),
        (
            {"out_of_window_events": 1, "editor_paste_count": "3"},
            ("Left the test window 1 time", "Pasted into the code editor 3 times"),
        ),
        ({"out_of_window_events": "many", "editor_paste_count": None}, ()),
    ],
)
def test_integrity_signals_are_worded_for_a_recruiter(fields, warnings):
    assert integrity_warnings(fields) == warnings


def test_a_documented_candidate_parses_ignoring_unknown_fields():
    status = parse_candidate(_fixture("candidate_completed.json"), time_allowed_seconds=105 * 60)

    result = status.result
    assert status.vendor_attempt_id == "10042" and status.progress == Progress.COMPLETED
    assert status.reference == "assay-0123456789abcdef0123"
    assert status.candidate_email == "ada@example.com"
    assert status.report_url.endswith("report?authkey=123abc")
    assert status.test_url.startswith("https://www.hackerrank.com/tests/")
    assert status.started_at == datetime.datetime(2026, 5, 2, 10, 0, tzinfo=datetime.UTC)
    assert status.completed_at == datetime.datetime(2026, 5, 2, 11, 15, tzinfo=datetime.UTC)
    assert status.sent_at.tzinfo == datetime.UTC and status.expires_at.day == 8
    assert (result.score_percent, result.points, result.max_points) == (75.0, 150.0, 200.0)
    assert result.duration_seconds == 75 * 60 and result.time_allowed_seconds == 105 * 60
    assert [(s.name, s.score_percent, s.points) for s in result.subscores] == [
        ("Problem Solving (Basic)", 100.0, None),
        ("Python (Intermediate)", 62.5, None),
        ("Python (tag)", 80.0, None),
        ("Hard (tag)", 2.5, None),
        ("Points (tag)", None, 140.0),
    ]
    assert result.warnings == (
        "HackerRank integrity: high risk (Code similarity with another submission on question 2.)",
        "Left the test window 2 times",
    )


def test_a_list_page_parses_with_total_as_a_string():
    page = _fixture("candidates_page.json")

    statuses = [parse_candidate(item) for item in page["data"]]

    assert page["total"] == "5"
    assert [(s.vendor_attempt_id, s.progress) for s in statuses] == [
        ("10001", Progress.SENT),
        ("10002", Progress.STARTED),
    ]
    assert statuses[0].reference == "assay-aaaaaaaaaaaaaaaaaaaa" and statuses[1].reference is None


def test_wrong_types_never_break_parsing():
    status = parse_candidate(
        {
            "id": 10,
            "status": 7,
            "email": ["not", "text"],
            "percentage_score": "88.5",
            "score": "lots",
            "added_time": "NaN",
            "attempt_starttime": "yesterday",
            "invited_on": 1e30,
            "attempt_endtime": 1700000000,
            "invite_valid_to": {"when": "soon"},
            "invite_metadata": '{"assay_reference": "assay-from-a-string"}',
            "scores_skills_split": ["Python", 80],
            "scores_tags_split": {"Python": "high", "SQL": {"score": 70}},
            "report_url": 42,
            "integrity_status": {"level": "High"},
        }
    )

    result = status.result
    assert status.vendor_attempt_id == "10" and status.progress == Progress.COMPLETED
    assert status.reference == "assay-from-a-string" and status.candidate_email is None
    assert status.report_url is None and status.started_at is None and status.expires_at is None
    assert status.sent_at is None
    assert status.completed_at == datetime.datetime.fromtimestamp(1700000000, tz=datetime.UTC)
    assert result.score_percent == 88.5 and result.points is None and result.max_points is None
    assert [(s.name, s.score_percent) for s in result.subscores] == [("SQL (tag)", 70.0)]
    assert result.warnings == ()


@pytest.mark.parametrize("fields", [{}, {"id": None}, {"id": True}, {"id": ""}, {"id": {"nested": 1}}])
def test_a_candidate_without_an_id_is_a_vendor_failure(fields):
    with pytest.raises(VendorFailure, match="without an id"):
        parse_candidate({"status": 7, **fields})


def test_a_score_above_100_percent_is_capped():
    status = parse_candidate({"id": "1", "status": 7, "percentage_score": 104.0, "score": 52})

    assert status.result.score_percent == 100.0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            _fixture("error_already_invited.json"),
            "Candidate is already invited to this test; email has already been invited to this test",
        ),
        (
            _fixture("error_validation.json"),
            "Validation failed; invite_valid_to must be an ISO 8601 datetime",
        ),
        ({"error": {"message": "Test not found", "code": 404}}, "Test not found"),
        ({"errors": ["limit is too high", "offset is negative"]}, "limit is too high; offset is negative"),
        ({"detail": "exceeded rate limit"}, "exceeded rate limit"),
        ("Unauthorized", "Unauthorized"),
        ({"message": ""}, None),
        ({"code": 500}, None),
        ([], None),
        (None, None),
    ],
)
def test_error_envelopes_become_readable_messages(body, message):
    assert error_message(body) == message


def test_refusals_from_hackerrank_name_the_cause(hackerrank, sandbox):
    with pytest.raises(VendorRefused, match="another HackerRank account") as missing:
        hackerrank.fetch("999999", test_id=BACKEND_TEST)
    with pytest.raises(VendorRefused, match="published, active tests") as draft:
        hackerrank.send(test_id="410090", invitee=_invitee(50))
    with pytest.raises(VendorRefused, match="needs the test of candidate 10000") as unknown:
        hackerrank.fetch("10000", test_id="")

    real = _invite_directly(sandbox, BACKEND_TEST, "real@example.com")
    with pytest.raises(VendorRefused) as odd:
        hackerrank.fetch(f"{real}?fields=id", test_id=BACKEND_TEST)  # an id stays one path segment

    assert (missing.value.status_code, missing.value.code) == (404, "not_found")
    assert odd.value.status_code == 404
    assert draft.value.status_code == 422
    assert unknown.value.status_code == 400


def test_exceeded_rate_limit_honours_retry_after(hackerrank, sandbox):
    sandbox.faults("hackerrank", fail_next=[{"status": 429, "retry_after": 7}] * 3)

    with pytest.raises(RateLimited, match="rate-limiting") as err:
        hackerrank.list_tests()

    assert err.value.retry_after == 7 and err.value.retryable


def test_a_send_that_failed_at_hackerrank_is_not_retried(hackerrank, sandbox):
    sandbox.faults("hackerrank", fail_next=[{"status": 502}])

    with pytest.raises(VendorFailure, match="502"):
        hackerrank.send(test_id=BACKEND_TEST, invitee=_invitee(60))

    assert sandbox.stats("hackerrank")["invitations_created"] == 0
    assert hackerrank.find_by_reference(test_id=BACKEND_TEST, invitee=_invitee(60)) is None
