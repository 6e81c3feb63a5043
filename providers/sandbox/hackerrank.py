"""HackerRank for Work imitation: ``/hackerrank/x/api/v3`` plus the candidate's pages and reports.

The same wire as the real API, so the provider cannot tell the difference: ``Authorization:
Bearer <key>`` (or Basic with the key as username, or ``?access_token=``), string ids (the invite
reply's ``id`` is an int, as in the spec's example), ``limit`` (1..100) / ``offset`` pages with
``next`` links and ``total`` as a string, ``status`` -1 / 1 / 7, times as ``...+0000``, 422
"already invited", and the TestCandidate object POSTed to each invitation's ``test_result_url``
with the bearer token (or Basic credentials) from its ``webhook_authentication``.

Where the vendor's behaviour is undocumented [?] the imitation picks one reading and the
provider shares it: a cancelled invite stays listed with ``invite_valid: false`` before its
deadline, an expired one has its ``invite_valid_to`` in the past; a cancelled invite no longer
blocks inviting the same email again; ``force_reattempt`` keeps the candidate id and starts a
new attempt; with ``accept_result_updates`` the start of an attempt is posted too, the finished
report always is.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import html
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from providers.sandbox.world import Controls, World

VENDOR = "hackerrank"
PREFIX = "/hackerrank"
API = PREFIX + "/x/api/v3"
DEMO_KEY = "demo-hackerrank-key"
DEMO_OPTIONS: dict[str, str] = {}
ANOTHER_EMAIL = "someone.else@example.com"  # whom a candidate playing ``under_another_email`` becomes
INVITED, STARTED, COMPLETED = -1, 1, 7  # 1 stands for the "internal" in-between values
MAX_SCORE = 200
DEFAULT_LIMIT, MAX_LIMIT = 10, 100


def _test(
    test_id: str, name: str, minutes: int, skills: tuple[str, ...], tags: list[str], **extra: Any
) -> dict:
    return {
        "id": test_id,
        "unique_id": name.lower().replace(" ", "-").replace("(", "").replace(")", ""),
        "name": name,
        "duration": minutes,
        "owner": "u-sandbox-admin",
        "instructions": "Solve the questions in the time allowed.",
        "created_at": "2026-01-05T09:00:00+0000",
        "state": "active",
        "locked": False,
        "test_type": "normal",
        "starred": False,
        "draft": False,
        "tags": tags,
        "cutoff_score": 60,
        "skills": list(skills),
        **extra,
    }


TESTS = [
    _test(
        "410001",
        "Backend Engineer (Python)",
        90,
        ("Problem Solving (Basic)", "Python (Intermediate)"),
        ["Python", "Backend"],
    ),
    _test(
        "410002",
        "Frontend Engineer (React)",
        75,
        ("JavaScript (Intermediate)", "React (Basic)"),
        ["JavaScript", "Frontend"],
    ),
    _test(
        "410003",
        "Data Engineer (SQL)",
        60,
        ("SQL (Intermediate)", "Problem Solving (Basic)"),
        ["SQL", "Data"],
    ),
    _test(
        "410004",
        "Java Services",
        90,
        ("Java (Intermediate)", "Problem Solving (Intermediate)"),
        ["Java", "Backend"],
    ),
    _test(
        "410005", "Go Microservices", 90, ("Go (Intermediate)", "REST API (Intermediate)"), ["Go", "Backend"]
    ),
    _test(
        "410006",
        "Site Reliability (Linux)",
        60,
        ("Linux Shell (Basic)", "Problem Solving (Basic)"),
        ["Linux", "SRE"],
    ),
    _test(
        "410007",
        "Mobile Engineer (Kotlin)",
        75,
        ("Kotlin (Basic)", "Problem Solving (Basic)"),
        ["Kotlin", "Mobile"],
    ),
    _test("410090", "Staff Engineer (draft)", 120, ("System Design",), ["Senior"], draft=True),
    _test("410099", "Legacy PHP (archived)", 60, ("PHP (Basic)",), ["PHP"], state="archived"),
]


def _stamp(moment: datetime.datetime) -> str:
    """HackerRank's time format: ``2016-05-24T06:27:25+0000``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _now(world: World) -> datetime.datetime:
    """The vendor's time, on the sandbox's clock."""
    return world.now().replace(microsecond=0)


def _parse_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def _error(status: int, message: str, errors: dict[str, list[str]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"message": message}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def _seed(email: str) -> int:
    return int(hashlib.sha256(email.strip().lower().encode()).hexdigest(), 16)


def _report(candidate: dict, test: dict) -> dict:
    """Deterministic report fields from the candidate's email, so demos and tests repeat."""
    seed = _seed(candidate["email"])
    percent = 35 + seed % 64
    skills = {
        skill: max(0, min(100, percent + (8 if i == 0 else -11))) for i, skill in enumerate(test["skills"])
    }
    tags = {tag: max(0, min(100, percent - 4 * i)) for i, tag in enumerate(test["tags"])}
    risk = seed % 5
    integrity = {
        0: ("High", "Code similarity with another submission on question 2; 4 tab switches."),
        1: ("Medium", "2 tab switches during the test."),
    }.get(risk, ("No Issues Detected", None))
    return {
        "percentage_score": float(percent),
        "score": percent * MAX_SCORE / 100,
        "scores_skills_split": skills,
        "scores_tags_split": tags,
        "integrity_status": integrity[0],
        "integrity_summary": integrity[1],
        "out_of_window_events": {0: 4, 1: 2}.get(risk, 0),
        "editor_paste_count": 3 if risk == 0 else 0,
        "feedback": "Clear questions, fair time limit.",
    }


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    accepted = {DEMO_KEY, *world.extra_keys}

    def records() -> dict:
        return world.vendor(VENDOR, {"next_id": 10000, "candidates": {}, "extra_tests": []})

    def tests() -> list[dict]:
        archived = set(records().setdefault("archived_tests", []))
        return [
            {**t, "state": "archived"} if t["id"] in archived else t
            for t in TESTS + records().setdefault("extra_tests", [])
        ]

    def find_test(test_id: str) -> dict | None:
        return next((t for t in tests() if t["id"] == test_id), None)

    records()

    def key_of(request: Request) -> str | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return value.strip()
        if scheme.lower() == "basic":
            try:
                return base64.b64decode(value.strip()).decode().partition(":")[0]
            except (binascii.Error, UnicodeDecodeError):
                return None
        return request.query_params.get("access_token")

    async def guard(request: Request, *, listing: bool = False) -> Response | None:
        if key_of(request) not in accepted:
            return _error(401, "Unauthorized: a valid API token is required")
        return await world.before_api_call(VENDOR, listing=listing)

    def expired(candidate: dict) -> bool:
        deadline = _parse_time(candidate["invite_valid_to"])
        return deadline is not None and deadline <= _now(world)

    def public(candidate: dict) -> dict:
        shown = {k: v for k, v in candidate.items() if not k.startswith("_")}
        if candidate["status"] == INVITED and expired(candidate):
            shown["invite_valid"] = False
        return shown

    def public_test(test: dict) -> dict:
        return {k: v for k, v in test.items() if k != "skills"}

    def page(request: Request, items: list[dict]) -> dict | JSONResponse:
        try:
            offset = int(request.query_params.get("offset", 0))
            limit = int(request.query_params.get("limit", DEFAULT_LIMIT))
        except ValueError:
            return _error(400, "offset and limit must be integers")
        if not 1 <= limit <= MAX_LIMIT or offset < 0:
            return _error(400, f"limit must be between 1 and {MAX_LIMIT}, offset at least 0")

        def link(at: int) -> str:
            return str(request.url.include_query_params(offset=at, limit=limit))

        total = len(items)
        last = max(0, (total - 1) // limit * limit)
        chunk = items[offset : offset + limit]
        return {
            "data": chunk,
            "page_total": len(chunk),
            "offset": offset,
            "previous": link(max(0, offset - limit)) if offset > 0 else "",
            "next": link(offset + limit) if offset + limit < total else "",
            "first": link(0),
            "last": link(last),
            "total": str(total),  # a string, as the spec types it
        }

    def notify(candidate: dict, *, report: bool) -> None:
        """POST the TestCandidate to the invitation's result URL, with the credentials it gave."""
        url = candidate.get("test_result_url")
        if not url or not (report or candidate.get("accept_result_updates")):
            return
        auth = candidate.get("_webhook_authentication") or {}
        data = auth.get("data") or {}
        headers = {}
        if auth.get("type") == "bearer_token":
            headers["Authorization"] = f"Bearer {data.get('token', '')}"
        elif auth.get("type") == "basic_auth":
            pair = f"{data.get('username', '')}:{data.get('password', '')}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        world.deliver(VENDOR, url, public(candidate), headers)

    def open_invite(candidate: dict) -> bool:
        return candidate["status"] == INVITED and not candidate["_cancelled"] and not expired(candidate)

    def start(candidate: dict) -> None:
        if open_invite(candidate):
            candidate["status"] = STARTED
            candidate["attempt_starttime"] = _stamp(_now(world))
            world.save()
            notify(candidate, report=False)

    def submit(candidate: dict) -> None:
        if 0 <= candidate["status"] < COMPLETED:
            candidate.update(_report(candidate, find_test(candidate["test"])))
            candidate["status"] = COMPLETED
            candidate["attempt_endtime"] = _stamp(_now(world))
            world.save()
            notify(candidate, report=True)

    def expire(candidate: dict) -> None:
        if candidate["status"] == INVITED and not candidate["_cancelled"] and not expired(candidate):
            candidate["invite_valid_to"] = _stamp(_now(world) - datetime.timedelta(seconds=1))
            candidate["invite_valid"] = False
            world.save()

    def fresh_attempt(candidate: dict, deadline: datetime.datetime | None) -> None:
        """Reset a candidate for a new invitation or attempt, as ``force_reattempt`` does."""
        token = secrets.token_urlsafe(12)
        candidate.update(
            {
                "status": INVITED,
                "score": 0.0,
                "percentage_score": 0.0,
                "attempt_starttime": None,
                "attempt_endtime": None,
                "invite_valid": True,
                "invited_on": _stamp(_now(world)),
                "invite_valid_to": _stamp(deadline) if deadline else None,
                "invite_link": f"{world.public_url}{PREFIX}/take/{token}",
                "scores_skills_split": {},
                "scores_tags_split": {},
                "integrity_status": None,
                "integrity_summary": None,
                "out_of_window_events": 0,
                "editor_paste_count": 0,
                "feedback": None,
                "_token": token,
            }
        )

    def apply_invite_fields(candidate: dict, body: dict, deadline: datetime.datetime | None) -> None:
        if body.get("full_name"):
            candidate["full_name"] = str(body["full_name"])
        if "invite_valid_to" in body:
            candidate["invite_valid_to"] = _stamp(deadline) if deadline else None
            candidate["invite_valid"] = True
        if isinstance(body.get("invite_metadata"), dict):
            candidate["invite_metadata"] = body["invite_metadata"]
        if body.get("test_result_url"):
            candidate["test_result_url"] = body["test_result_url"]
            candidate["_webhook_authentication"] = body["webhook_authentication"]
            candidate["accept_result_updates"] = bool(body.get("accept_result_updates"))
        if body.get("send_email") is True:
            candidate["invite_email_done"] = True

    @router.get(API + "/tests")
    async def list_tests(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        return page(request, [public_test(t) for t in tests()])

    @router.get(API + "/tests/{test_id}")
    async def get_test(test_id: str, request: Request):
        if failure := await guard(request):
            return failure
        test = find_test(test_id)
        return public_test(test) if test else _error(404, f"Test {test_id} not found")

    @router.post(API + "/tests/{test_id}/candidates")
    async def invite(test_id: str, request: Request):
        if failure := await guard(request):
            return failure
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object")
        test = find_test(test_id)
        if test is None:
            return _error(404, f"Test {test_id} not found")
        if test["draft"] or test["state"] != "active":
            return _error(422, "Candidates can only be invited to published, active tests")
        email = str(body.get("email") or "").strip()
        if "@" not in email:
            return _error(422, "Validation failed", {"email": ["is not a valid email address"]})
        deadline = _parse_time(body.get("invite_valid_to"))
        if body.get("invite_valid_to") is not None and deadline is None:
            return _error(422, "Validation failed", {"invite_valid_to": ["must be an ISO 8601 datetime"]})
        if body.get("invite_metadata") is not None and not isinstance(body["invite_metadata"], dict):
            return _error(422, "Validation failed", {"invite_metadata": ["must be a JSON object"]})
        if body.get("test_result_url"):
            auth = body.get("webhook_authentication")
            data = auth.get("data") if isinstance(auth, dict) else None
            valid = isinstance(data, dict) and (
                (auth.get("type") == "bearer_token" and data.get("token"))
                or (auth.get("type") == "basic_auth" and data.get("username"))
            )
            if not valid:
                return _error(422, "webhook_authentication is required when test_result_url is provided")
        with world.lock:
            data = records()
            existing = next(
                (
                    c
                    for c in reversed(list(data["candidates"].values()))
                    if c["test"] == test_id and c["email"].lower() == email.lower() and not c["_cancelled"]
                ),
                None,
            )
            if existing is not None:
                attempted = existing["status"] != INVITED
                if body.get("force_reattempt") and attempted:
                    fresh_attempt(existing, deadline)
                    apply_invite_fields(existing, body, deadline)
                    world.counters[VENDOR].invitations_created += 1
                elif body.get("force") or body.get("force_reattempt"):
                    if attempted:
                        return _error(
                            422,
                            "Candidate has already attempted this test; pass force_reattempt to let them "
                            "take it again",
                        )
                    apply_invite_fields(existing, body, deadline)
                    world.counters[VENDOR].invitations_resent += 1  # the invitation emailed again
                else:
                    return _error(
                        422,
                        "Candidate is already invited to this test",
                        {"email": ["has already been invited to this test"]},
                    )
                candidate = existing
            else:
                candidate_id = str(data["next_id"])
                data["next_id"] += 1
                report = f"{world.public_url}{PREFIX}/x/tests/{test_id}/candidates/{candidate_id}"
                candidate = {
                    "id": candidate_id,
                    "full_name": str(body.get("full_name") or ""),
                    "email": email,
                    "test": test_id,
                    "user": "u-sandbox-admin",
                    "ats_state": 0,
                    "invite_email_done": body.get("send_email") is True,  # "by default false"
                    "invite_valid_from": None,
                    "invite_metadata": {},
                    "evaluator_email": body.get("evaluator_email"),
                    "test_finish_url": body.get("test_finish_url"),
                    "test_result_url": None,
                    "accept_result_updates": False,
                    "tags": [t for t in body.get("tags") or [] if isinstance(t, str)]
                    if isinstance(body.get("tags"), list)
                    else [],
                    "report_url": report + "/report",
                    "authenticated_report_url": report + f"/report?authkey={secrets.token_hex(6)}",
                    "pdf_url": report + "/pdf",
                    "added_time": "0",
                    "unclaimed_added_time": 0,
                    "candidate_details": [],
                    "out_of_window_duration": 0.0,
                    "proctor_images": [],
                    "_cancelled": False,
                    "_webhook_authentication": None,
                }
                fresh_attempt(candidate, deadline)
                apply_invite_fields(candidate, body, deadline)
                data["candidates"][candidate_id] = candidate
                world.counters[VENDOR].invitations_created += 1
            world.save()
        await world.before_reply(VENDOR)
        return JSONResponse(
            {"id": int(candidate["id"]), "email": candidate["email"], "test_link": candidate["invite_link"]},
            status_code=201,
        )

    @router.get(API + "/tests/{test_id}/candidates")
    async def list_candidates(test_id: str, request: Request):
        if failure := await guard(request, listing=True):
            return failure
        if find_test(test_id) is None:
            return _error(404, f"Test {test_id} not found")
        query = request.query_params
        found = [c for c in records()["candidates"].values() if c["test"] == test_id]
        if "email" in query:
            found = [c for c in found if c["email"].lower() == query["email"].strip().lower()]
        if "status" in query:
            found = [c for c in found if str(c["status"]) == query["status"]]
        if "invited_on" in query:
            low, _, high = query["invited_on"].partition("..")
            since, until = _parse_time(low), _parse_time(high)
            if (low and since is None) or (high and until is None):
                return _error(400, "invited_on must be a range from..to of ISO 8601 datetimes")
            found = [
                c
                for c in found
                if (since is None or _parse_time(c["invited_on"]) >= since)
                and (until is None or _parse_time(c["invited_on"]) <= until)
            ]
        return page(request, [public(c) for c in sorted(found, key=lambda c: int(c["id"]))])

    def candidate_of(test_id: str, candidate_id: str) -> dict | None:
        candidate = records()["candidates"].get(candidate_id)
        return candidate if candidate and candidate["test"] == test_id else None

    @router.get(API + "/tests/{test_id}/candidates/{candidate_id}")
    async def get_candidate(test_id: str, candidate_id: str, request: Request):
        if failure := await guard(request):
            return failure
        candidate = candidate_of(test_id, candidate_id)
        return public(candidate) if candidate else _error(404, f"Candidate {candidate_id} not found")

    @router.put(API + "/tests/{test_id}/candidates/{candidate_id}")
    async def update_candidate(test_id: str, candidate_id: str, request: Request):
        if failure := await guard(request):
            return failure
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object")
        with world.lock:
            candidate = candidate_of(test_id, candidate_id)
            if candidate is None:
                return _error(404, f"Candidate {candidate_id} not found")
            if "invite_valid_to" in body:
                deadline = _parse_time(body["invite_valid_to"])
                if body["invite_valid_to"] is not None and deadline is None:
                    return _error(
                        422, "Validation failed", {"invite_valid_to": ["must be an ISO 8601 datetime"]}
                    )
                if candidate["_cancelled"]:
                    return _error(422, "The invite for this candidate was cancelled")
                candidate["invite_valid_to"] = _stamp(deadline) if deadline else None
                if candidate["status"] == INVITED and not expired(candidate):
                    candidate["invite_valid"] = True
            if isinstance(body.get("full_name"), str):
                candidate["full_name"] = body["full_name"]
            if isinstance(body.get("test_result_url"), str):
                candidate["test_result_url"] = body["test_result_url"]
            world.save()
            return public(candidate)

    @router.delete(API + "/tests/{test_id}/candidates/{candidate_id}/invite")
    async def cancel_invite(test_id: str, candidate_id: str, request: Request):
        if failure := await guard(request):
            return failure
        with world.lock:
            candidate = candidate_of(test_id, candidate_id)
            if candidate is None:
                return _error(404, f"Candidate {candidate_id} not found")
            if candidate["_cancelled"]:
                return _error(422, "The invite for this candidate is already cancelled")
            if candidate["status"] != INVITED:
                return _error(422, "Candidate has already attempted the test; the invite cannot be cancelled")
            candidate["_cancelled"] = True
            candidate["invite_valid"] = False
            world.save()
        return Response(status_code=204)

    def by_token(token: str) -> dict | None:
        return next((c for c in records()["candidates"].values() if c["_token"] == token), None)

    @router.get(PREFIX + "/take/{token}", response_class=HTMLResponse)
    async def take(token: str):
        candidate = by_token(token)
        if candidate is None:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        test = find_test(candidate["test"])
        status = candidate["status"]
        if status == COMPLETED:
            action = "<p class=done>Test submitted. Thank you! The hiring team will be in touch.</p>"
        elif 0 <= status < COMPLETED:
            action = (
                "<p>Your test is running. Write your solutions, then submit.</p>"
                f'<form method="post" action="{PREFIX}/take/{token}/submit"><button>Submit test</button></form>'
            )
        elif open_invite(candidate):
            action = (
                f'<form method="post" action="{PREFIX}/take/{token}/start"><button>Start test</button></form>'
            )
        else:
            action = "<p>This invitation is no longer valid.</p>"
        deadline = candidate["invite_valid_to"] or "no deadline"
        body = (
            f"<p class=muted>HackerRank · sandbox</p><h1>{html.escape(test['name'])}</h1>"
            f"<p>Candidate: <b>{html.escape(candidate['full_name'])}</b> ({html.escape(candidate['email'])})</p>"
            f"<p>Time allowed: {test['duration']} minutes · invite valid until {html.escape(deadline)}</p>{action}"
        )
        return _page(test["name"], body)

    @router.post(PREFIX + "/take/{token}/{step}")
    async def take_step(token: str, step: str):
        candidate = by_token(token)
        if candidate is None or step not in {"start", "submit"}:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        with world.lock:
            (start if step == "start" else submit)(candidate)
        return RedirectResponse(f"{PREFIX}/take/{token}", status_code=303)

    @router.get(PREFIX + "/x/tests/{test_id}/candidates/{candidate_id}/{kind}", response_class=HTMLResponse)
    async def report_page(test_id: str, candidate_id: str, kind: str):
        candidate = candidate_of(test_id, candidate_id)
        if candidate is None or kind not in {"report", "pdf"} or candidate["status"] != COMPLETED:
            return HTMLResponse(_page("No report", "<p>No report yet.</p>"), status_code=404)
        rows = "".join(
            f"<tr><td>{html.escape(name)}{suffix}</td><td>{score}%</td></tr>"
            for split, suffix in (("scores_skills_split", ""), ("scores_tags_split", " (tag)"))
            for name, score in candidate[split].items()
        )
        integrity = html.escape(candidate["integrity_status"] or "not evaluated")
        if candidate["integrity_summary"]:
            integrity += " · " + html.escape(candidate["integrity_summary"])
        body = (
            f"<p class=muted>HackerRank · candidate report</p><h1>{html.escape(candidate['full_name'])}</h1>"
            f"<p>Score <b>{candidate['percentage_score']:.0f}%</b> ({candidate['score']:.0f} of {MAX_SCORE})"
            f" · integrity: {integrity}</p><table><tr><th>Skill / tag</th><th>Score</th></tr>{rows}</table>"
        )
        return _page("Report", body)

    def under_another_email(candidate: dict) -> None:
        """The candidate signs in under another address (a personal one) and takes the test."""
        candidate["email"] = ANOTHER_EMAIL
        start(candidate)

    class HackerRankControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            candidate = records()["candidates"].get(vendor_attempt_id)
            steps = {
                "start": start,
                "submit": submit,
                "expire": expire,
                "under_another_email": under_another_email,
            }
            if candidate is None or step not in steps:
                return None
            steps[step](candidate)
            return public(candidate)

        def add_tests(self, count: int) -> int:
            extra = records().setdefault("extra_tests", [])
            for _ in range(count):
                number = 500000 + len(extra)
                extra.append(
                    _test(
                        str(number),
                        f"Generated test {number}",
                        60,
                        ("Problem Solving (Basic)",),
                        ["Generated"],
                    )
                )
            world.save()
            return len(tests())

        def archive_test(self, test_id: str, archived: bool = True) -> bool:
            if find_test(test_id) is None:
                return False
            listed = [i for i in records().setdefault("archived_tests", []) if i != test_id]
            records()["archived_tests"] = [*listed, test_id] if archived else listed
            world.save()
            return True

        def set_webhook(self, url: str, secret: str) -> None:
            """Nothing to configure: HackerRank takes a result URL and token with each invitation."""

    return router, HackerRankControls()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#1ba94c;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""
