"""The Coodesh provider against the sandbox over HTTP, and its tolerant parsers on vendor-shaped JSON."""

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
    ProviderError,
    Unsupported,
    VendorFailure,
    VendorRefused,
    WebhookRejected,
)
from providers.coodesh import (
    RULES,
    SPEC,
    Coodesh,
    duration_seconds,
    key_hint,
    parse_attempt,
    read_grade,
    result_comment,
)
from providers.sandbox.coodesh import DEMO_KEY, DEMO_OPTIONS, REQUIRED
from tests.http_server import Request, answering, capturing, serving

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "coodesh"
NODE_ASSESSMENT = "Back-end Node.js"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _coodesh(
    base_url: str = "http://127.0.0.1:9",
    api_key: str = DEMO_KEY,
    *,
    webhook_url: str = "https://assay.example.com/api/webhooks/coodesh/3?token=t0k3n",
    options: dict[str, str] | None = None,
    region: str = "",
) -> Coodesh:
    return Coodesh(
        ConnectionConfig(
            base_url=base_url,
            api_key=api_key,
            webhook_url=webhook_url,
            options=dict(DEMO_OPTIONS) if options is None else options,
            timeout=5,
            region=region,
        )
    )


def _invitee(n: int = 0, **overrides) -> Invitee:
    values = {
        "name": f"Candidate {n}",
        "email": f"c{n}@example.com",
        "reference": f"assay-ref{n:04d}",
        "candidate_ref": str(100 + n),
        "application_ref": str(200 + n),
        "job_ref": "7",
        **overrides,
    }
    return Invitee(**values)


@pytest.fixture
def inbox():
    """A loopback webhook receiver at a URL shaped like Assay's, recording each delivery."""
    with capturing("/api/webhooks/coodesh/3?token=t0k3n") as capture:
        yield capture


@pytest.fixture
def coodesh(sandbox, inbox) -> Coodesh:
    return _coodesh(sandbox.url + SPEC.sandbox_prefix, webhook_url=inbox.url)


def _node_test(coodesh: Coodesh) -> str:
    return next(t.id for t in coodesh.list_tests() if t.name == NODE_ASSESSMENT)


def test_only_the_webhook_is_supported_and_every_other_action_says_why():
    provider = _coodesh()

    assert provider.capabilities == {Capability.WEBHOOK}
    for capability in set(Capability) - {Capability.WEBHOOK}:
        assert "Coodesh" in provider.limitations[capability]
    with pytest.raises(Unsupported, match="look up or list"):
        provider.fetch("66df68adc308c0ef4ee945f7", test_id="x")
    with pytest.raises(Unsupported, match="withdraw"):
        provider.cancel("66df68adc308c0ef4ee945f7", test_id="x")
    assert provider.find_by_reference(test_id="x", invitee=_invitee()) is None


def test_the_regions_are_production_and_homologation_and_the_company_id_is_required():
    assert [r.key for r in SPEC.regions] == ["production", "homologation"]
    fields = {f.key: f for f in SPEC.extra_fields}
    assert fields["company_id"].label == "Company ID" and fields["company_id"].required
    assert not fields["time_unit"].required


@pytest.mark.parametrize(
    ("region", "named"),
    [("sandbox", "(sandbox)"), ("custom", "(custom: {url})"), ("", "(the one at {url})")],
)
def test_a_wrong_key_is_named_with_the_environment_actually_chosen(sandbox, region, named):
    url = sandbox.url + "/coodesh"
    wrong = _coodesh(url, "nope-key", region=region)

    with pytest.raises(KeyRejected, match=r"rejected \(401\)") as err:
        wrong.validate_key()

    assert str(err.value).endswith(f"belongs to the environment chosen here {named.format(url=url)}.")
    assert "nope-key" not in str(err.value)


def test_a_wrong_key_in_a_real_region_names_that_region_even_when_known_only_by_its_url():
    homologation = "https://api-homologation.coodesh.com"
    for region in ("homologation", ""):
        hint = key_hint(ConnectionConfig(base_url=homologation, api_key="k", region=region))
        assert hint.endswith("environment chosen here (homologation).")


def test_the_assessment_list_is_an_array_wrapping_a_page_of_at_most_150(sandbox):
    sandbox.post("/_sandbox/coodesh/catalog", json={"extra_tests": 160})

    reply = httpx.get(
        sandbox.url + "/coodesh/assessments/ats",
        params={"offset": 0, "limit": 500},
        headers={"X-API-KEY": DEMO_KEY},
    ).json()

    assert isinstance(reply, list) and len(reply) == 1
    assert reply[0]["limit"] == 150 and reply[0]["total"] == 165 and len(reply[0]["payload"]) == 150


def test_listing_pages_through_more_than_150_assessments(coodesh, sandbox):
    sandbox.post("/_sandbox/coodesh/catalog", json={"extra_tests": 300})
    before = sandbox.stats("coodesh")["list_requests"]

    tests = coodesh.list_tests()

    assert len(tests) == 305 and len({t.id for t in tests}) == 305
    assert all(isinstance(t.id, str) and len(t.id) == 24 and not t.live_interview for t in tests)
    assert sandbox.stats("coodesh")["list_requests"] - before == 3  # ceil(305 / 150)


def _static_vendor(reply):
    """A vendor that answers every list request with ``reply``, whatever the offset."""
    calls = []

    def answer(request: Request) -> tuple[int, object]:
        calls.append(request.query)
        return 200, reply

    return answering(answer), calls


def test_a_vendor_ignoring_the_offset_cannot_make_the_listing_loop():
    page = json.loads(_fixture("assessments_page.json"))
    page[0]["total"] = 900  # claims more than it ever sends
    app, calls = _static_vendor(page)

    with serving(app, probe="/probe") as url:
        calls.clear()
        tests = _coodesh(url).list_tests()

    assert [t.name for t in tests] == [NODE_ASSESSMENT, "System design whiteboard"]
    assert len(calls) == 2  # the second page brought nothing new


def test_a_bare_page_object_is_read_too():
    page = json.loads(_fixture("assessments_page.json"))[0]
    app, _calls = _static_vendor(page)

    with serving(app, probe="/probe") as url:
        tests = _coodesh(url).list_tests()

    assert [t.id for t in tests] == ["6707e51d2f1c4a0012ab34cd", "6707e51d2f1c4a0012ab34ce"]


def test_an_unreadable_list_is_a_vendor_failure():
    app, _calls = _static_vendor(["not a page"])

    with serving(app, probe="/probe") as url, pytest.raises(VendorFailure, match="could not read"):
        _coodesh(url).list_tests()


@pytest.mark.parametrize("missing", REQUIRED)
def test_the_sandbox_requires_every_documented_field_and_names_the_missing_one(sandbox, missing):
    assessment = httpx.get(sandbox.url + "/coodesh/assessments/ats", headers={"X-API-KEY": DEMO_KEY}).json()
    body = {
        "email": "ada@example.com",
        "name": "Ada",
        "user_id": "1",
        "assessment_id": assessment[0]["payload"][0]["assessment_id"],
        "company_id": "acme",
        "job_id": "7",
        "callback_url": "https://assay.example.com/applications/1",
        "webhook_url": "https://assay.example.com/api/webhooks/coodesh/1?token=t",
    }
    del body[missing]

    reply = httpx.post(
        sandbox.url + "/coodesh/assessments/ats/attempts", json=body, headers={"X-API-KEY": DEMO_KEY}
    )

    assert reply.status_code == 400
    assert reply.json()["message"] == [f"{missing} should not be empty"]
    assert sandbox.stats("coodesh")["invitations_created"] == 0


def test_send_carries_every_field_and_the_reference_rides_in_the_callback_url(coodesh, sandbox, inbox):
    invitee = _invitee(1)
    invitation = coodesh.send(test_id=_node_test(coodesh), invitee=invitee)

    sandbox.act(invitation.vendor_attempt_id, "start", vendor="coodesh")
    [(_headers, body)] = inbox.wait(1)
    echoed = json.loads(body)
    status = coodesh.read_webhook(body).statuses[0]

    assert len(invitation.vendor_attempt_id) == 24 and "/coodesh/take/" in invitation.test_url
    assert (
        echoed["user_id"] == "101"
        and echoed["job_id"] == "7"
        and echoed["company_id"] == DEMO_OPTIONS["company_id"]
    )
    origin = inbox.url.split("/api/")[0]
    assert echoed["callback_url"] == f"{origin}/applications/201?assay_reference=assay-ref0001"
    assert status.reference == invitee.reference and status.candidate_email == invitee.email
    assert status.progress == Progress.STARTED and status.test_url == invitation.test_url


def test_the_pushed_lifecycle_ends_with_a_result_and_its_history_comment(coodesh, sandbox, inbox):
    """The candidate works 41 minutes (the sandbox's clock stopped at their start, then at their
    submit): the time taken is those 41 minutes, as the start and finish times tell it."""
    started_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    sandbox.stop_clock(started_at - datetime.timedelta(minutes=5))
    invitation = coodesh.send(test_id=_node_test(coodesh), invitee=_invitee(2))

    sandbox.stop_clock(started_at)
    sandbox.act(invitation.vendor_attempt_id, "start", vendor="coodesh")
    inbox.wait(1)
    sandbox.stop_clock(started_at + datetime.timedelta(minutes=41))
    sandbox.act(invitation.vendor_attempt_id, "submit", vendor="coodesh")
    notices = [coodesh.read_webhook(body) for _headers, body in inbox.wait(2)]

    started, finished = (n.statuses[0] for n in notices)
    assert started.progress == Progress.STARTED and notices[0].comment is None
    assert finished.progress == Progress.COMPLETED and finished.raw_status == "finished"
    result = finished.result
    assert 40 <= result.score_percent <= 98 and result.max_points == 100
    assert result.time_allowed_seconds == 2 * 3600 and result.duration_seconds == 41 * 60
    assert [s.name for s in result.subscores] == ["REST API with Express", "Event loop"]
    assert finished.completed_at - finished.started_at == datetime.timedelta(minutes=41)
    expected = (
        f"Coodesh result: total grade {result.points:.0f}/100, time taken {result.duration_seconds // 60} min"
    )
    assert notices[1].comment.startswith(expected)
    assert httpx.get(finished.report_url).status_code == 200


def test_an_expiry_is_pushed_as_an_expired_event(coodesh, sandbox, inbox):
    invitation = coodesh.send(test_id=_node_test(coodesh), invitee=_invitee(3))

    shown = sandbox.act(invitation.vendor_attempt_id, "expire", vendor="coodesh")
    notice = coodesh.read_webhook(inbox.wait(1)[0].body)

    assert shown["status"] == "expired"
    assert notice.statuses[0].progress == Progress.EXPIRED and notice.comment is None


def test_an_unknown_assessment_is_refused_with_coodesh_s_message(coodesh, sandbox):
    with pytest.raises(VendorRefused, match="Coodesh refused: Assessment nope not found") as err:
        coodesh.send(test_id="nope", invitee=_invitee())

    assert err.value.status_code == 404


@pytest.mark.parametrize(
    ("options", "webhook_url", "overrides", "message"),
    [
        ({}, "https://assay.example.com/hook", {}, "Company ID"),
        (DEMO_OPTIONS, "", {}, "webhook URL"),
        (DEMO_OPTIONS, "https://assay.example.com/hook", {"job_ref": ""}, r"job id \(job_id\)"),
        (DEMO_OPTIONS, "https://assay.example.com/hook", {"candidate_ref": " "}, r"candidate id \(user_id\)"),
    ],
)
def test_a_value_coodesh_requires_but_assay_lacks_is_named_before_calling(
    options, webhook_url, overrides, message
):
    provider = _coodesh(webhook_url=webhook_url, options=options)

    with pytest.raises(ProviderError, match=message):
        provider.send(test_id="6707e51d2f1c4a0012ab34cd", invitee=_invitee(**overrides))


def test_a_failed_send_is_never_retried_blindly(coodesh, sandbox):
    test_id = _node_test(coodesh)
    sandbox.faults("coodesh", fail_next=[{"status": 503}])

    with pytest.raises(VendorFailure):
        coodesh.send(test_id=test_id, invitee=_invitee())

    assert sandbox.stats("coodesh")["invitations_created"] == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            json.loads(_fixture("error_validation.json")),
            "company_id should not be empty; job_id should not be empty",
        ),
        ({"statusCode": 401, "message": "Invalid API key", "error": "Unauthorized"}, "Invalid API key"),
        (
            {"errors": {"email": ["is invalid"], "job_id": "is missing"}},
            "email: is invalid; job_id: is missing",
        ),
        ({"errors": [{"message": "name is required"}]}, "name is required"),
        ([{"message": "wrapped in an array"}], "wrapped in an array"),
        ("plain text", None),
        ({}, None),
    ],
)
def test_error_envelopes_become_messages(body, message):
    assert RULES.error_message(body) == message


def test_the_finished_fixture_parses_ignoring_unknown_fields():
    status = parse_attempt(json.loads(_fixture("webhook_finished.json")))

    result = status.result
    assert status.vendor_attempt_id == "66df68adc308c0ef4ee945f7"
    assert status.progress == Progress.COMPLETED and status.raw_status == "finished"
    assert status.reference == "assay-0123456789abcdef0123" and status.candidate_email == "ada@example.com"
    assert status.completed_at == datetime.datetime(2024, 9, 9, 18, 46, tzinfo=datetime.UTC)
    assert status.sent_at.tzinfo is not None and status.report_url.endswith("/66df68adc308c0ef4ee945f7")
    assert (result.score_percent, result.points, result.max_points) == (82.0, 82.0, 100.0)
    assert result.duration_seconds == 41 * 60 and result.time_allowed_seconds == 5 * 3600
    assert [(s.name, s.score_percent) for s in result.subscores] == [("REST API", 88.0), ("Event loop", 76.0)]
    assert result.warnings == ("The candidate left the test window 3 times", "Pasted code detected")


def test_a_nested_body_with_a_string_grade_and_an_event_name_parses():
    notice = _coodesh().read_webhook(_fixture("webhook_nested_string_grade.json"))

    [status] = notice.statuses
    assert status.vendor_attempt_id == "66df68adc308c0ef4ee945f8"  # data.id, not the candidate's id
    assert status.progress == Progress.COMPLETED and status.raw_status == "ASSESSMENT_COMPLETED"
    assert status.candidate_email == "grace@example.com"
    assert (status.result.score_percent, status.result.points, status.result.max_points) == (82.0, 41.0, 50.0)
    assert status.result.duration_seconds == 41 * 60 + 30
    assert status.completed_at == datetime.datetime(2024, 9, 9, 18, 46, tzinfo=datetime.UTC)
    assert notice.comment == "Coodesh result: total grade 41/50 (82%), time taken 42 min"


@pytest.mark.parametrize(
    ("fixture", "progress"),
    [
        ("webhook_started.json", Progress.STARTED),
        ("webhook_finished.json", Progress.COMPLETED),
        ("webhook_expired.json", Progress.EXPIRED),
    ],
)
def test_webhook_fixtures_parse_and_identical_deliveries_share_a_key(fixture, progress):
    body = _fixture(fixture)
    provider = _coodesh()

    first, again = provider.read_webhook(body), provider.read_webhook(body)

    assert first.vendor_attempt_ids == ("66df68adc308c0ef4ee945f7",)
    assert first.statuses[0].progress == progress
    assert first.delivery_key == again.delivery_key and first.delivery_key.startswith("coodesh:66df68adc308")
    assert (first.comment is not None) == (progress == Progress.COMPLETED)


@pytest.mark.parametrize(
    ("payload", "attempt_id"),
    [
        ({"attempt_id": "a1", "status": "started"}, "a1"),
        ({"attempt_id": 12345, "status": "started"}, "12345"),
        ({"id": "a2", "status": "started"}, "a2"),
        ({"attempt": {"id": "a3", "status": "started"}}, "a3"),
        ({"attempt": {"attempt_id": "a4"}, "id": "event-9", "status": "started"}, "a4"),
        ({"data": {"attempt_id": "a5", "status": "started"}}, "a5"),
    ],
)
def test_the_attempt_id_is_found_where_coodesh_may_put_it(payload, attempt_id):
    notice = _coodesh().read_webhook(json.dumps(payload).encode())

    assert notice.vendor_attempt_ids == (attempt_id,)
    assert notice.statuses[0].progress == Progress.STARTED


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b"[1]",
        b"[]",
        b'"text"',
        b"\xff\xfe",
        b'{"status": "finished", "total_grade": 80}',
        b'{"attempt_id": true, "status": "finished"}',
        b'{"attempt_id": "", "candidate": {"id": "c-1"}, "grade": 80}',
        b'[{"attempt_id": "a1"}, {"status": "finished"}]',
    ],
)
def test_a_delivery_naming_no_attempt_is_rejected_with_400(body):
    with pytest.raises(WebhookRejected) as err:
        _coodesh().read_webhook(body)

    assert err.value.status_code == 400


def test_an_array_of_attempts_is_read_without_a_shared_comment():
    body = json.dumps(
        [{"attempt_id": "a1", "total_grade": 70}, {"attempt_id": "a2", "total_grade": 90}]
    ).encode()

    notice = _coodesh().read_webhook(body)

    assert notice.vendor_attempt_ids == ("a1", "a2")
    assert [s.result.score_percent for s in notice.statuses] == [70.0, 90.0]
    assert notice.comment is None  # one comment cannot belong to two applications


@pytest.mark.parametrize(
    ("raw", "progress"),
    [
        ("created", Progress.SENT),
        ("started", Progress.STARTED),
        ("in_progress", Progress.STARTED),
        ("In Progress", Progress.STARTED),
        ("finished", Progress.COMPLETED),
        ("completed", Progress.COMPLETED),
        ("FINALIZADO", Progress.COMPLETED),
        ("expired", Progress.EXPIRED),
        ("timed-out", Progress.EXPIRED),
        ("canceled", Progress.CANCELLED),
        ("paused_by_proctor", Progress.ERROR),
        ("something_new", Progress.ERROR),
        ("not_finished", Progress.ERROR),
        ("not started", Progress.SENT),
    ],
)
def test_statuses_map_onto_the_lifecycle_keeping_the_raw_value(raw, progress):
    status = parse_attempt({"attempt_id": "a1", "status": raw})

    assert status.progress == progress and status.raw_status == raw


@pytest.mark.parametrize(
    ("payload", "progress", "raw"),
    [
        ({"event": "attempt.started"}, Progress.STARTED, "attempt.started"),
        ({"event": "attempt.finished", "grade": 50}, Progress.COMPLETED, "attempt.finished"),
        ({"total_grade": "73"}, Progress.COMPLETED, "result"),  # a grade without any status word
        ({"time_taken": 12}, Progress.ERROR, "unknown"),  # no grade, no status: nothing to claim
        ({"event": "ping"}, Progress.ERROR, "ping"),
        ({"status": "weird", "total_grade": 80}, Progress.ERROR, "weird"),
    ],
)
def test_without_a_status_the_event_or_a_grade_decides(payload, progress, raw):
    status = parse_attempt({"attempt_id": "a1", **payload})

    assert (status.progress, status.raw_status) == (progress, raw)


@pytest.mark.parametrize(
    ("grade", "maximum", "expected"),
    [
        (82, None, (82.0, None, None)),
        (82.5, None, (82.5, None, None)),
        ("82", None, (82.0, None, None)),
        ("82,5", None, (82.5, None, None)),
        ("82%", None, (82.0, None, None)),
        (41, 50, (82.0, 41.0, 50.0)),
        ("41", "50", (82.0, 41.0, 50.0)),
        ("41/50", None, (82.0, 41.0, 50.0)),
        ("8,2", 10, (82.0, 8.2, 10.0)),
        ({"value": 41, "max": 50}, None, (82.0, 41.0, 50.0)),
        (820, None, (None, 820.0, None)),  # points with no maximum: no percent invented
        (120, 100, (100.0, 120.0, 100.0)),  # over the maximum: clamped
        (80, 0, (80.0, None, None)),  # a zero maximum is ignored
        ("excellent", None, (None, None, None)),
        (True, None, (None, None, None)),
        (None, 100, (None, None, None)),
        ([82], None, (None, None, None)),
    ],
)
def test_grades_are_read_as_percent_or_points(grade, maximum, expected):
    assert read_grade(grade, maximum) == expected


@pytest.mark.parametrize(
    ("value", "unit", "default_unit", "seconds"),
    [
        (41, None, "minute", 2460),
        (2460, None, "second", 2460),
        (41, "minute", "second", 2460),
        (2460, "seconds", "minute", 2460),
        (1.5, "hours", "minute", 5400),
        ("41", None, "minute", 2460),
        ("00:41:00", None, "minute", 2460),
        ("41:30", None, "minute", 2490),
        ("1:02:03", None, "minute", 3723),
        ("41 min", None, "second", 2460),
        ("2460s", None, "minute", 2460),
        ("1h 5m", None, "second", 3900),
        ("41 minutos", None, "second", 2460),
        ("PT41M30S", None, "second", 2490),
        ({"value": 41, "unit": "minute"}, None, "second", 2460),
        ({"value": "2460", "unit": "second"}, None, "minute", 2460),
        ({"duration": 2, "duration_unit": "hour"}, None, "minute", 7200),
        (41, "fortnights", "minute", 2460),  # an unknown unit falls back to the default
        (-5, None, "minute", None),
        ("soon", None, "minute", None),
        ("41 minutes and some", None, "minute", None),
        (True, None, "minute", None),
        (None, None, "minute", None),
        ([41], None, "minute", None),
    ],
)
def test_time_taken_is_read_whatever_its_unit(value, unit, default_unit, seconds):
    assert duration_seconds(value, unit, default_unit=default_unit) == seconds


@pytest.mark.parametrize(
    ("fields", "seconds"),
    [
        ({"time_taken": 41, "time_taken_unit": "minute"}, 2460),
        ({"time_taken_seconds": 2460}, 2460),
        ({"time_spent_in_minutes": "41"}, 2460),
        ({"elapsed_time": "00:41:00"}, 2460),
        ({"time_taken": {"value": 2460, "unit": "s"}}, 2460),
        ({"time_taken": 41}, 2460),  # bare: the connection's unit, minutes by default
    ],
)
def test_time_taken_is_found_under_its_likely_names(fields, seconds):
    status = parse_attempt({"attempt_id": "a1", "status": "finished", "grade": 70, **fields})

    assert status.result.duration_seconds == seconds


def test_the_connection_s_time_unit_reads_bare_numbers_as_seconds():
    provider = _coodesh(options={**DEMO_OPTIONS, "time_unit": "seconds"})
    body = json.dumps({"attempt_id": "a1", "status": "finished", "total_grade": 82, "time_taken": 2460})

    notice = provider.read_webhook(body.encode())

    assert notice.statuses[0].result.duration_seconds == 2460
    assert notice.comment == "Coodesh result: total grade 82/100, time taken 41 min"


@pytest.mark.parametrize(
    ("fields", "comment"),
    [
        ({"total_grade": 82, "time_taken": 41}, "Coodesh result: total grade 82/100, time taken 41 min"),
        ({"total_grade": 82, "max_grade": 100}, "Coodesh result: total grade 82/100"),
        ({"grade": "82.5"}, "Coodesh result: total grade 82.5/100"),
        (
            {"grade": 41, "max_grade": 50, "time_taken": "00:00:45"},
            "Coodesh result: total grade 41/50 (82%), time taken 45 s",
        ),
        ({"grade": 1230, "time_taken": 95}, "Coodesh result: total grade 1230 points, time taken 1 h 35 min"),
        ({"time_taken": 30}, "Coodesh result: no grade given, time taken 30 min"),
        (
            {"grade": 60, "warnings": ["Pasted code"]},
            "Coodesh result: total grade 60/100, warnings: Pasted code",
        ),
        ({"grade": "n/a"}, None),
    ],
)
def test_the_history_comment_says_grade_and_time_in_words(fields, comment):
    status = parse_attempt({"attempt_id": "a1", "status": "finished", **fields})

    assert result_comment(status) == comment


def test_wrong_types_are_survived_not_raised():
    status = parse_attempt(
        {
            "attempt_id": "a1",
            "status": ["finished"],
            "event": 7,
            "email": {"nested": True},
            "total_grade": {"unexpected": "shape"},
            "time_taken": [1, 2],
            "questions": "none",
            "warnings": 3,
            "started_at": "yesterday",
            "finished_at": True,
            "callback_url": 42,
            "metadata": "x",
            "attempt_url": None,
            "data": [1],
        }
    )

    assert status.progress == Progress.ERROR and status.raw_status == "7"  # the event, as text
    assert status.result is None and status.candidate_email is None and status.started_at is None
    assert status.reference is None and status.test_url is None


def test_a_missing_attempt_id_is_a_vendor_failure_in_the_parser():
    with pytest.raises(VendorFailure, match="no attempt"):
        parse_attempt({"status": "finished", "total_grade": 80})


def test_the_time_unit_setting_is_worded_for_an_admin_and_its_default_is_the_one_applied():
    """Found by a walk: the dialog said "Unit of bare times (optional)", "Coodesh's result format is
    undocumented…", and its empty select read "The vendor's default" while the help said minutes."""
    field = {f.key: f for f in SPEC.extra_fields}["time_unit"]

    assert field.label == "Unit of time taken"
    assert field.help == (
        "Coodesh sometimes reports a candidate's time taken as a plain number, such as 45, with no unit. "
        "Choose how Assay reads it on results: minutes (the default) or seconds. "
        "If the times taken look 60 times too long, choose seconds."
    )
    assert field.default == "minutes" and field.default in field.choices
    body = json.dumps(
        {"attempt_id": "a1", "status": "finished", "total_grade": 82, "time_taken": 41}
    ).encode()
    left_empty = _coodesh(options=DEMO_OPTIONS).read_webhook(body)
    chosen = _coodesh(options={**DEMO_OPTIONS, "time_unit": field.default}).read_webhook(body)
    assert (
        left_empty.statuses[0].result.duration_seconds
        == chosen.statuses[0].result.duration_seconds
        == 41 * 60
    )
