"""The CoderPad Interview provider against the sandbox over HTTP, and its parsers on vendor-shaped JSON."""

import datetime
import json
import pathlib

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
from providers.coderpad_interview import (
    SPEC,
    CoderPadInterview,
    next_page_params,
    pad_progress,
    parse_pad,
)
from providers.sandbox.coderpad_interview import DEMO_KEY
from tests.http_server import Request, answering, serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "coderpad_interview"
VENDOR = "coderpad_interview"
QUESTION = "12346"  # "Fix this FizzBuzz" in the sandbox's question bank


def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def _interview(base_url: str, api_key: str = DEMO_KEY, *, timeout: float = 5) -> CoderPadInterview:
    return CoderPadInterview(ConnectionConfig(base_url=base_url, api_key=api_key, timeout=timeout))


@pytest.fixture
def interview(sandbox) -> CoderPadInterview:
    return _interview(sandbox.url + SPEC.sandbox_prefix)


def _invitee(n: int, reference: str = "") -> Invitee:
    return Invitee(
        name=f"Candidate {n}",
        email=f"c{n}@example.com",
        reference=reference or f"assay-ref{n:04d}",
        job_title="Backend Engineer",
    )


def _pad(sandbox, pad_id: str) -> dict:
    """The pad as the sandbox's API shows it, read without our provider."""
    response = httpx.get(
        f"{sandbox.url}{SPEC.sandbox_prefix}/pads/{pad_id}",
        headers={"Authorization": f'Token token="{DEMO_KEY}"'},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize(
    ("pad", "progress", "raw"),
    [
        ({}, Progress.SENT, "created"),
        ({"participants": [], "ended_at": None}, Progress.SENT, "created"),
        ({"participants": [""]}, Progress.SENT, "created"),
        ({"participants": "Guest 405"}, Progress.SENT, "created"),  # wrong type: not a list of names
        ({"participants": ["Guest 405"], "ended_at": None}, Progress.STARTED, "joined"),
        ({"participants": ["vincent", "Guest 405"], "ended_at": ""}, Progress.STARTED, "joined"),
        ({"participants": [], "ended_at": "2014-11-14T03:06:39Z"}, Progress.COMPLETED, "ended"),
        ({"participants": ["Guest"], "ended_at": "2014-11-14T03:06:39Z"}, Progress.COMPLETED, "ended"),
        ({"state": "something_new"}, Progress.SENT, "created"),
    ],
)
def test_pads_map_onto_the_lifecycle_by_participants_and_ended_at(pad, progress, raw):
    assert pad_progress(pad) == (progress, raw)
    assert parse_pad({"id": "AFQ2K9A3", **pad}).progress == progress


def test_an_ended_pad_is_completed_without_a_score_and_links_its_playback():
    status = parse_pad(_fixture("pad_ended.json"))

    assert status.vendor_attempt_id == "DM32JWG2"
    assert status.progress == Progress.COMPLETED and status.raw_status == "ended"
    assert status.result is None
    assert status.report_url == "https://coderpad.io/DM32JWG2/playback"
    assert status.test_url == "https://coderpad.io/DM32JWG2"
    assert status.reference == "assay-fedcba9876543210fedc"
    assert status.completed_at == datetime.datetime(2014, 11, 14, 11, 6, 39, 520000, tzinfo=datetime.UTC)
    assert status.sent_at == datetime.datetime(2014, 11, 14, 3, 2, 45, tzinfo=datetime.UTC)


def test_an_ended_pad_without_playback_reports_its_pad_link():
    pad = {**_fixture("pad_ended.json"), "playback": None}

    assert parse_pad(pad).report_url == "https://coderpad.io/DM32JWG2"


@pytest.mark.parametrize(
    ("fixture", "progress", "reference"),
    [
        ("pad_created.json", Progress.SENT, "assay-0123456789abcdef0123"),
        ("pad_joined.json", Progress.STARTED, None),
    ],
)
def test_open_pads_parse_ignoring_unknown_fields(fixture, progress, reference):
    status = parse_pad(_fixture(fixture))

    assert status.progress == progress
    assert status.reference == reference
    assert status.report_url is None and status.completed_at is None


def test_wrong_types_do_not_break_parsing_and_a_missing_id_is_named():
    status = parse_pad(
        {"id": 42, "participants": 5, "notes": 7, "created_at": 12, "url": [], "ended_at": "not a time"}
    )

    assert status.vendor_attempt_id == "42"
    assert status.progress == Progress.COMPLETED  # ended_at is set, whatever it says
    assert status.completed_at is None and status.sent_at is None and status.test_url is None
    assert status.reference is None
    for broken in ({}, {"id": None}, {"id": True}, {"id": ""}, {"id": {"nested": 1}}):
        with pytest.raises(VendorFailure, match="CoderPad Interview sent a pad without an id"):
            parse_pad(broken)


@pytest.mark.parametrize(
    ("next_page", "params"),
    [
        (
            "https://app.coderpad.io/api/question?sort=updated_at,desc&page=2",
            {"sort": "updated_at,desc", "page": "2"},
        ),
        ("https://app.coderpad.io/api/pads?page=3", {"page": "3"}),
        ("https://app.coderpad.io/api/pads", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_next_page_links_are_read_for_their_query(next_page, params):
    assert next_page_params(next_page) == params


def test_a_valid_key_passes_and_a_wrong_one_points_at_the_interview_key(interview, sandbox):
    interview.validate_key()

    wrong = _interview(sandbox.url + SPEC.sandbox_prefix, "screen-key-by-mistake")
    with pytest.raises(KeyRejected, match=r"rejected \(401\).*not the CoderPad Screen key") as err:
        wrong.validate_key()

    assert "screen-key-by-mistake" not in str(err.value)
    assert "not the Screen key" in SPEC.key_label


def test_questions_and_blank_pads_are_all_live_interview_templates(interview):
    tests = interview.list_tests()

    names = [t.name for t in tests]
    assert all(t.live_interview and isinstance(t.id, str) for t in tests)
    assert "Untitled (draft)" not in names  # drafts are not offered
    assert {"Fix this FizzBuzz", "Blank pad (Python)"} <= set(names)
    assert len({t.id for t in tests}) == len(tests)


def test_a_question_deleted_at_coderpad_leaves_the_listing_and_a_pad_from_it_is_refused(interview, sandbox):
    """The sandbox deletes a question as an interviewer does in CoderPad's question bank: a stage's
    live-interview link made from it then fails each booking, which the plan must learn of."""
    deleted = sandbox.post(f"/_sandbox/{VENDOR}/catalog", json={"archive": QUESTION})

    assert deleted.status_code == 200
    assert QUESTION not in {t.id for t in interview.list_tests()}
    with pytest.raises(VendorRefused) as refused:
        interview.send(test_id=QUESTION, invitee=_invitee(1))
    assert (refused.value.status_code, refused.value.retryable) == (404, False)

    sandbox.post(f"/_sandbox/{VENDOR}/catalog", json={"restore": QUESTION})
    assert QUESTION in {t.id for t in interview.list_tests()}


def test_the_question_bank_is_read_across_next_page_links(interview, sandbox):
    before = len(interview.list_tests())
    sandbox.post(f"/_sandbox/{VENDOR}/catalog", json={"extra_tests": 160})
    requests_before = sandbox.stats(VENDOR)["list_requests"]

    tests = interview.list_tests()

    assert len(tests) == before + 160
    assert sandbox.stats(VENDOR)["list_requests"] - requests_before == 4  # ceil((7 + 160) / 50)


def test_next_page_is_followed_on_the_configured_host_only():
    """The docs' own link names another host and path (``/api/question``); the key stays home."""
    seen: list[tuple[str, str, str]] = []
    first = _fixture("questions_page.json")
    last = {"status": "OK", "questions": [{"id": 99, "title": "Last page question"}], "total": 4}

    def vendor(request: Request) -> tuple[int, dict]:
        seen.append((request.path, request.query, request.headers.get("authorization", "")))
        return 200, last if "page=2" in request.query else first

    with serving(answering(vendor), probe="/probe") as url:
        seen.clear()
        tests = _interview(url + "/api", "k-123").list_tests()

    questions = [(t.id, t.name) for t in tests if not t.id.startswith("blank:")]
    assert questions == [
        ("12345", "Request Construction"),
        ("45678", "Fix this fizzbuzz"),
        ("99", "Last page question"),
    ]
    assert [(path, query) for path, query, _ in seen] == [
        ("/api/questions/", "sort=created_at%2Casc"),
        ("/api/questions/", "sort=updated_at%2Cdesc&page=2"),
    ]
    assert all(auth == 'Token token="k-123"' for _, _, auth in seen)


def test_a_page_that_links_to_itself_ends_the_listing():
    calls = []
    page = {
        "status": "OK",
        "questions": [{"id": 1, "title": "Loop"}],
        "next_page": "http://x/api/questions?page=1",
    }

    def vendor(request: Request) -> tuple[int, dict]:
        calls.append(request.query)
        return 200, page

    with serving(answering(vendor), probe="/probe") as url:
        calls.clear()
        tests = _interview(url + "/api", "k").list_tests()

    assert [t.id for t in tests if t.name == "Loop"] == ["1"]
    assert len(calls) == 2  # the first page, then page=1 once; it is not followed again


def test_a_pad_is_created_form_encoded_with_the_reference_in_its_notes(interview, sandbox):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(1))

    pad = _pad(sandbox, invitation.vendor_attempt_id)
    assert len(invitation.vendor_attempt_id) == 8 and invitation.vendor_attempt_id.isalnum()
    assert invitation.test_url == pad["url"] and invitation.test_url.endswith(f"/take/{pad['id']}")
    assert pad["title"] == "Candidate 1 - Backend Engineer"
    assert "Assay reference: assay-ref0001" in pad["notes"]
    assert pad["question_ids"] == [12346] and pad["language"] == "python"
    assert sandbox.stats(VENDOR)["invitations_created"] == 1


def test_the_sandbox_refuses_a_json_pad_like_a_form_endpoint(sandbox):
    response = httpx.post(
        f"{sandbox.url}{SPEC.sandbox_prefix}/pads/",
        json={"title": "JSON is not a form", "question_id": QUESTION},
        headers={"Authorization": f'Token token="{DEMO_KEY}"'},
        timeout=5,
    )

    assert response.status_code == 400
    assert response.json()["status"] == "ERROR"
    assert sandbox.stats(VENDOR)["invitations_created"] == 0


def test_a_blank_pad_opens_in_its_language(interview, sandbox):
    invitation = interview.send(test_id="blank:typescript", invitee=_invitee(2))

    pad = _pad(sandbox, invitation.vendor_attempt_id)
    assert pad["language"] == "typescript" and pad["question_ids"] == []


def test_an_unknown_question_or_language_is_refused_with_the_vendors_words(interview):
    with pytest.raises(VendorRefused, match="Resource not found") as missing:
        interview.send(test_id="999999", invitee=_invitee(3))
    with pytest.raises(VendorRefused, match="unsupported language") as language:
        interview.send(test_id="blank:cobol", invitee=_invitee(4))

    assert (missing.value.status_code, language.value.status_code) == (404, 400)


def test_an_unknown_pad_is_refused_as_not_found(interview):
    with pytest.raises(VendorRefused, match=r"CoderPad Interview refused: Resource not found") as err:
        interview.fetch("NOSUCHPD")

    assert err.value.status_code == 404


def test_over_quota_is_refused_once_and_never_retried(interview, sandbox):
    sandbox.post(f"/_sandbox/{VENDOR}/quota", json={"limit": 3, "used": 3})
    before = sandbox.stats(VENDOR)["api_requests"]

    with pytest.raises(VendorRefused, match=r"monthly pad quota is used up \(429 Over quota\)") as err:
        interview.send(test_id=QUESTION, invitee=_invitee(5))

    assert not isinstance(err.value, RateLimited) and not err.value.retryable
    assert err.value.status_code == 429
    assert sandbox.stats(VENDOR)["api_requests"] - before == 1  # one request, no retry
    assert sandbox.stats(VENDOR)["invitations_created"] == 0


def test_over_quota_on_a_read_is_not_retried_either():
    """Even a retried GET stops at the first "Over quota": it is not a rate limit."""
    calls = []
    body = (FIXTURES / "error_over_quota.json").read_bytes()

    def vendor(request: Request) -> tuple[int, bytes]:
        calls.append(request.path)
        return 429, body

    with serving(answering(vendor), probe="/probe") as url:
        calls.clear()
        with pytest.raises(VendorRefused, match="monthly pad quota"):
            _interview(url + "/api", "k").validate_key()

    assert calls == ["/api/quota"]


def test_a_429_without_the_quota_message_stays_a_rate_limit(interview, sandbox):
    sandbox.faults(VENDOR, fail_next=[{"status": 429, "retry_after": 30}])

    with pytest.raises(RateLimited) as err:
        interview.send(test_id=QUESTION, invitee=_invitee(6))

    assert err.value.retry_after == 30
    assert sandbox.stats(VENDOR)["invitations_created"] == 0


def test_the_error_envelope_of_a_refused_key_is_read(sandbox):
    response = httpx.get(
        f"{sandbox.url}{SPEC.sandbox_prefix}/quota",
        headers={"Authorization": 'Token token="nope"'},
        timeout=5,
    )

    assert response.status_code == 401
    assert response.json() == _fixture("error_invalid_key.json")


def test_an_interview_is_followed_from_created_to_ended(interview, sandbox):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(7))
    pad_id = invitation.vendor_attempt_id

    created = interview.fetch(pad_id)
    sandbox.act(pad_id, "start", VENDOR)
    joined = interview.fetch(pad_id)
    sandbox.act(pad_id, "submit", VENDOR)
    ended = interview.fetch(pad_id)

    assert (created.progress, created.raw_status) == (Progress.SENT, "created")
    assert created.reference == "assay-ref0007" and created.sent_at.tzinfo is not None
    assert (joined.progress, joined.raw_status) == (Progress.STARTED, "joined")
    assert (ended.progress, ended.raw_status) == (Progress.COMPLETED, "ended")
    assert ended.result is None and ended.report_url.endswith(f"/playback/{pad_id}")
    assert created.sent_at <= ended.completed_at


def test_pads_never_expire(interview, sandbox):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(8))

    sandbox.act(invitation.vendor_attempt_id, "expire", VENDOR)

    assert interview.fetch(invitation.vendor_attempt_id).progress == Progress.SENT
    assert (
        Capability.DEADLINE not in interview.capabilities and Capability.EXTEND not in interview.capabilities
    )


def test_find_by_reference_reads_the_notes(interview):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(9))

    found = interview.find_by_reference(test_id=QUESTION, invitee=_invitee(9))

    assert found.vendor_attempt_id == invitation.vendor_attempt_id
    assert interview.find_by_reference(test_id=QUESTION, invitee=_invitee(9, "assay-none")) is None


def test_statuses_are_listed_across_pages_by_last_change(interview, sandbox):
    sent = {interview.send(test_id=QUESTION, invitee=_invitee(n)).vendor_attempt_id for n in range(55)}
    first = sorted(sent)[0]
    sandbox.act(first, "start", VENDOR)
    sandbox.act(first, "submit", VENDOR)
    before = sandbox.stats(VENDOR)["list_requests"]

    statuses = list(
        interview.list_statuses(
            since=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1), test_ids=[QUESTION]
        )
    )

    assert {s.vendor_attempt_id for s in statuses} == sent
    assert next(s for s in statuses if s.vendor_attempt_id == first).progress == Progress.COMPLETED
    assert sandbox.stats(VENDOR)["list_requests"] - before == 2  # ceil(55 / 50)


def test_listing_stops_at_pads_last_changed_before_since(interview, sandbox):
    for n in range(55):
        interview.send(test_id=QUESTION, invitee=_invitee(n))
    before = sandbox.stats(VENDOR)["list_requests"]

    statuses = list(
        interview.list_statuses(
            since=datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1), test_ids=[QUESTION]
        )
    )

    assert statuses == []
    assert sandbox.stats(VENDOR)["list_requests"] - before == 1  # the first page is already older


def test_the_candidate_joins_and_the_interview_ends_on_the_pad_page(interview, sandbox):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(10))
    pad_id = invitation.vendor_attempt_id

    with httpx.Client(follow_redirects=True, timeout=5) as browser:
        assert "Join interview" in browser.get(invitation.test_url).text
        live = browser.post(f"{invitation.test_url}/join", data={"name": "Ada"}).text
        assert "End interview" in live and "Ada" in live
        assert interview.fetch(pad_id).progress == Progress.STARTED
        assert "interview has ended" in browser.post(f"{invitation.test_url}/end").text
        status = interview.fetch(pad_id)
        playback = browser.get(status.report_url)

    assert status.progress == Progress.COMPLETED
    assert playback.status_code == 200 and "joined the pad" in playback.text


def test_what_pads_cannot_do_is_refused_with_the_reason(interview):
    invitation = interview.send(test_id=QUESTION, invitee=_invitee(11))

    with pytest.raises(Unsupported, match="cannot withdraw"):
        interview.cancel(invitation.vendor_attempt_id, test_id=QUESTION)
    with pytest.raises(Unsupported, match="no invitation emails"):
        interview.resend(invitation.vendor_attempt_id, test_id=QUESTION)
    with pytest.raises(WebhookRejected) as err:
        interview.read_webhook(b'{"id": "AFQ2K9A3"}')

    assert err.value.status_code == 400
    assert interview.capabilities == frozenset({Capability.POLL})
    assert all(interview.limitations[c] for c in set(Capability) - interview.capabilities)
