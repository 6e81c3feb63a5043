"""iMocha imitation: ``/imocha/v3`` plus the candidate's test page and the PDF-report stand-in.

Same header (``X-API-KEY``), int64 ids (``testId`` a string in reports), PascalCase
callbacks sent twice per attempt, three error shapes and status spellings that differ
between endpoints, as the reference describes iMocha. The invite is idempotent per
email and test: inviting again returns the invitation already there (reviving a
cancelled or expired one) and creates nothing. Cancellation and expiry are never
pushed; they show in the report and the reconciliation listing only.

Where the reference is silent [?] the imitation chooses, and says so: ``GET /tests``
pages with ``pageNo``/``pageSize`` when they are given (everything at once otherwise);
the report answers for an invitation in any state, its scores only once finished; the
listing's date range filters on when the invitation reached its state.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from providers.sandbox.world import Controls, World

VENDOR = "imocha"
PREFIX = "/imocha"
API = PREFIX + "/v3"
DEMO_KEY = "demo-imocha-key"
DEMO_OPTIONS: dict[str, str] = {}
TESTS = [
    {"testId": 1101, "testName": "Python Developer (Intermediate)", "duration": 45},
    {"testId": 1102, "testName": "Java 17 Developer", "duration": 60},
    {"testId": 1103, "testName": "SQL for Data Analysts", "duration": 40},
    {"testId": 1104, "testName": "React Front-end Developer", "duration": 50},
    {"testId": 1105, "testName": "Data Structures & Algorithms", "duration": 60},
    {"testId": 1106, "testName": "AWS Cloud Practitioner", "duration": 30},
    {"testId": 1107, "testName": "Business English (CEFR)", "duration": 35},
]
SECTIONS = {
    1101: ("Python Basics", "OOP in Python", "Coding"),
    1102: ("Core Java", "Collections", "Coding"),
    1103: ("SELECT & JOIN", "Aggregations"),
    1104: ("JavaScript", "React", "CSS"),
    1105: ("Arrays & Strings", "Graphs", "Dynamic Programming"),
    1106: ("Cloud Concepts", "Security"),
    1107: ("Reading", "Grammar", "Listening"),
}
FINISHED = ("Complete", "Test Left", "Terminated")
# How the reconciliation listing spells each state (it differs from the report's spelling).
LISTED_AS = {
    "Complete": "Completed",
    "Test Left": "Testleft",
    "Terminated": "Terminated",
    "Cancelled": "cancelled",
    "Expired": "Expired",
}
LISTING_STATES = {"completed": FINISHED, "cancelled": ("Cancelled",), "expired": ("Expired",)}
WIRE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ACCOUNT_ZONE = datetime.timezone(datetime.timedelta(hours=5, minutes=30))  # "AttemptedOn" is local
NOT_CANCELLABLE = "Testinvitation state in inprogress, complete, and expired can not be cancelled."


def _errors(status: int, *messages: str, with_result: bool = True) -> JSONResponse:
    """``{"result": null, "errors": [...]}``, or the bare ``{"errors": [...]}`` of the invite's 400."""
    body: dict[str, Any] = {"errors": list(messages)}
    if with_result:
        body = {"result": None, **body}
    return JSONResponse(body, status_code=status)


def _status_message(status: int, message: str) -> JSONResponse:
    """``{"statusCode": ..., "message": ...}``, the cancel endpoint's shape."""
    return JSONResponse({"statusCode": status, "message": message}, status_code=status)


def _iso(epoch: float | None, *, zone: bool = True) -> str | None:
    if epoch is None:
        return None
    moment = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ" if zone else "%Y-%m-%dT%H:%M:%S")


def _local(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(epoch, tz=ACCOUNT_ZONE).strftime("%d-%b-%Y %I:%M %p")


def _parse_wire(value: Any) -> float | None:
    if not isinstance(value, str) or not WIRE_TIME.match(value):
        return None
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


def _lowered(body: Any) -> dict[str, Any]:
    """Request fields by lower-cased name: iMocha binds ``sendEmail`` and ``SendEmail`` alike."""
    return {str(k).lower(): v for k, v in body.items()} if isinstance(body, dict) else {}


def _section_minutes(test_minutes: int, sections: int) -> list[int]:
    """Each section's time allowed, 2:3:4 of one another, adding up to the test's own duration:
    a test of 40 minutes whose sections allowed 25 read "25.0 min of 25 min" in the demo."""
    parts = [2 + i % 3 for i in range(sections)]
    minutes = [round(test_minutes * p / sum(parts)) for p in parts[:-1]]
    return [*minutes, test_minutes - sum(minutes)]


def _results(invitation: dict, *, partial: bool, worked_seconds: float, test_minutes: int) -> dict:
    """Deterministic section results from the candidate's email, so demos and tests repeat.

    The sections' times taken share out ``worked_seconds``, the time from ``attemptedOn`` to the
    finish: iMocha tells no finish, so the provider reads it as the start plus those times, and
    times of their own put it before or after the moment the candidate really finished. A
    section closes when its time is up: a candidate who stayed on longer finished then.
    """
    seed = int(hashlib.sha256(invitation["email"].lower().encode()).hexdigest(), 16)
    names = SECTIONS.get(invitation["testId"], ("Aptitude", "Domain knowledge"))
    sections, weights = [], []
    for i, (name, allowed_minutes) in enumerate(
        zip(names, _section_minutes(test_minutes, len(names)), strict=True)
    ):
        questions = 5 + (seed >> (4 * i)) % 6
        worth = questions * 2
        share = 35 + (seed >> (8 + 3 * i)) % 64
        if partial and i == len(names) - 1:
            share = share // 3  # the candidate left during the last section
        weights.append(allowed_minutes * (0.4 + ((seed >> (16 + i)) % 50) / 100))
        sections.append(
            {
                "sectionId": 9000 + i,
                "sectionName": name,
                "noOfQue": questions,
                "sectionScore": float(worth),
                "candidateScore": float(round(worth * share / 100)),
                "sectionTime": allowed_minutes,
            }
        )
    for section, weight in zip(sections, weights, strict=True):
        share = int(max(0.0, worked_seconds) * weight / sum(weights))
        section["sectionTimeTaken"] = min(share, section["sectionTime"] * 60)  # a section closes on time
    return {"sections": sections}


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    accepted = {DEMO_KEY, *world.extra_keys}

    def records() -> dict:
        return world.vendor(VENDOR, {"next_id": 3178600, "invitations": {}, "current": {}, "extra_tests": []})

    def catalog() -> list[dict]:
        return TESTS + records().setdefault("extra_tests", [])

    records()

    async def guard(
        request: Request, *, listing: bool = False, attempt: str | None = None
    ) -> Response | None:
        if request.headers.get("X-API-KEY") not in accepted:
            return _errors(401, "Invalid API key, or the subscription has expired.")
        return await world.before_api_call(VENDOR, listing=listing, attempt=attempt)

    def test_of(test_id: int) -> dict | None:
        return next((t for t in catalog() if t["testId"] == test_id), None)

    def report(invitation: dict) -> dict:
        """``GET /reports/{id}``: the status always, the scores once the attempt is finished."""
        test = test_of(invitation["testId"]) or {}
        shown: dict[str, Any] = {
            "testInvitationId": invitation["testInvitationId"],
            "testId": str(invitation["testId"]),  # a string here, an int everywhere else [P]
            "testName": test.get("testName"),
            "candidateEmail": invitation["email"],
            "candidateName": invitation["name"],
            "attemptedOn": _iso(invitation["attemptedOn"]),
            "Status": invitation["status"],
            "score": None,
            "scorePercentage": None,
            "candidatePoints": None,
            "totalTestPoints": None,
            "pdfReportUrl": None,
            "PerformanceCategory": None,
            "sections": [],
        }
        results = invitation.get("results")
        if invitation["status"] in FINISHED and results:
            total = sum(s["sectionScore"] for s in results["sections"])
            points = sum(s["candidateScore"] for s in results["sections"])
            percent = round(points / total * 100) if total else 0
            shown.update(
                score=points,
                scorePercentage=float(percent),
                candidatePoints=points,
                totalTestPoints=total,
                pdfReportUrl=f"{world.public_url}{PREFIX}/report/{invitation['testInvitationId']}",
                PerformanceCategory="Beginner"
                if percent < 40
                else "Intermediate"
                if percent < 75
                else "Expert",
                sections=results["sections"],
            )
        return shown

    def callback(invitation: dict) -> None:
        """The PascalCase callback, sent when the test starts and when it ends [P]."""
        shown = report(invitation)
        world.deliver(
            VENDOR,
            invitation.get("callbackUrl"),
            {
                "CandidateEmailId": invitation["email"],
                "AttemptedOn": _local(invitation["attemptedOn"]),
                "TotalScore": shown["totalTestPoints"],
                "CandidateScore": shown["candidatePoints"],
                "ReportPDFUrl": shown["pdfReportUrl"],
                "TestInvitationId": invitation["testInvitationId"],
                "Status": invitation["status"],
                "AttemptedOnUtc": _iso(invitation["attemptedOn"], zone=False),
                "PerformanceCategory": shown["PerformanceCategory"],
            },
        )

    def become(invitation: dict, status: str) -> None:
        invitation["status"] = status
        invitation["changedOn"] = world.now().timestamp()
        world.save()

    def lapse_if_due(invitation: dict) -> None:
        """An invitation whose access window has closed is Expired, as iMocha shows it."""
        end = invitation.get("endDateTime")
        if invitation["status"] == "Pending" and end is not None and end < world.now().timestamp():
            become(invitation, "Expired")

    def start(invitation: dict) -> None:
        lapse_if_due(invitation)
        if invitation["status"] == "Pending":
            invitation["attemptedOn"] = world.now().timestamp()
            become(invitation, "In Progress")
            callback(invitation)

    def finish(invitation: dict, status: str) -> None:
        if invitation["status"] == "In Progress":
            worked = world.now().timestamp() - invitation["attemptedOn"]
            invitation["results"] = _results(
                invitation,
                partial=status == "Test Left",
                worked_seconds=worked,
                test_minutes=(test_of(invitation["testId"]) or {"duration": 45})["duration"],
            )
            become(invitation, status)
            callback(invitation)

    def expire(invitation: dict) -> None:
        if invitation["status"] in ("Pending", "In Progress"):
            become(invitation, "Expired")  # iMocha pushes no callback for an expiry

    def new_invitation(test_id: int, values: dict[str, Any], settings: dict[str, Any]) -> dict:
        data = records()
        invitation_id = data["next_id"]
        data["next_id"] += 1
        token = secrets.token_urlsafe(12)
        invitation = {
            "testInvitationId": invitation_id,
            "testId": test_id,
            "email": values["email"],
            "name": values["name"],
            "status": "Pending",
            "invitedOn": world.now().timestamp(),
            "changedOn": world.now().timestamp(),
            "attemptedOn": None,
            "results": None,
            "emailsSent": 0,
            "token": token,
            "testUrl": f"{world.public_url}{PREFIX}/take/{token}",
            **settings,
        }
        data["invitations"][str(invitation_id)] = invitation
        data["current"][f"{test_id}:{values['email'].lower()}"] = invitation_id
        world.counters[VENDOR].invitations_created += 1
        return invitation

    def settings_from(fields: dict[str, Any]) -> dict[str, Any]:
        """The per-invitation settings an invite or re-attempt carries (only those given)."""
        found: dict[str, Any] = {}
        for name in ("callbackurl", "redirecturl"):
            if isinstance(fields.get(name), str) and fields[name]:
                found["callbackUrl" if name == "callbackurl" else "redirectUrl"] = fields[name]
        for name in ("startdatetime", "enddatetime"):
            if fields.get(name) is not None:
                found["startDateTime" if name == "startdatetime" else "endDateTime"] = _parse_wire(
                    fields[name]
                )
        if fields.get("sendemail") is not None:
            found["sendEmail"] = fields["sendemail"]
        return found

    def invalid_fields(fields: dict[str, Any]) -> list[str]:
        problems = []
        send_email = fields.get("sendemail")
        if send_email is not None and send_email not in ("yes", "no"):
            problems.append("'sendEmail' must be 'yes' or 'no'.")
        for name, label in (("startdatetime", "startDateTime"), ("enddatetime", "endDateTime")):
            if fields.get(name) is not None and _parse_wire(fields[name]) is None:
                problems.append(f"'{label}' must be a UTC date-time as YYYY-MM-ddTHH:mm:ssZ.")
        return problems

    @router.get(API + "/tests")
    async def list_tests(request: Request):
        if failure := await guard(request):
            return failure
        tests = catalog()
        query = request.query_params
        if "pageNo" in query or "pageSize" in query:
            try:
                page, size = int(query.get("pageNo", 1)), int(query.get("pageSize", 100))
            except ValueError:
                return _errors(400, "pageNo and pageSize must be integers.")
            if page < 1 or not 1 <= size <= 100:
                return _errors(400, "pageNo must be 1 or more and pageSize between 1 and 100.")
            tests = tests[(page - 1) * size : page * size]
        return {"tests": tests}

    @router.get(API + "/tests/{test_id}")
    async def get_test(test_id: int, request: Request):
        if failure := await guard(request):
            return failure
        test = test_of(test_id)
        return test or _errors(404, f"Test {test_id} not found.")

    @router.post(API + "/tests/{test_id}/invite")
    async def invite(test_id: int, request: Request):
        if failure := await guard(request):
            return failure
        if test_of(test_id) is None:
            return _errors(404, f"Test {test_id} not found.")
        try:
            fields = _lowered(await request.json())
        except ValueError:
            return _errors(400, "The request body is not valid JSON.", with_result=False)
        email = str(fields.get("email") or "").strip()
        name = str(fields.get("name") or "").strip()
        problems = invalid_fields(fields)
        if not email:
            problems.insert(0, "'Email' must not be empty.")
        elif "@" not in email:
            problems.insert(0, "'Email' is not a valid email address.")
        if not name:
            problems.append("'Name' must not be empty.")
        if problems:
            return _errors(400, *problems, with_result=False)
        settings = settings_from(fields)
        with world.lock:
            data = records()
            existing_id = data["current"].get(f"{test_id}:{email.lower()}")
            invitation = data["invitations"].get(str(existing_id)) if existing_id else None
            if invitation is None:
                invitation = new_invitation(test_id, {"email": email, "name": name}, settings)
            else:
                lapse_if_due(invitation)
                if invitation["status"] in ("Pending", "Cancelled", "Expired"):
                    # The access window and settings are overwritten; a dead one is revived [P].
                    invitation.update(settings)
                    if invitation["status"] != "Pending":
                        become(invitation, "Pending")
            if fields.get("sendemail") == "yes":
                invitation["emailsSent"] += 1
            world.save()
        await world.before_reply(VENDOR)
        return JSONResponse(
            {
                "testInvitationId": invitation["testInvitationId"],
                "testUrl": invitation["testUrl"],
                "status": invitation["status"],
            },
            status_code=201,
        )

    def invitation_of(invitation_id: str) -> dict | None:
        return records()["invitations"].get(invitation_id) if invitation_id.isdigit() else None

    @router.post(API + "/invitations/{invitation_id}/cancel")
    async def cancel(invitation_id: str, request: Request):
        if failure := await guard(request):
            return failure
        with world.lock:
            invitation = invitation_of(invitation_id)
            if invitation is None:
                return _status_message(404, "Test invitation not found.")
            lapse_if_due(invitation)
            if invitation["status"] != "Pending":
                return _status_message(400, NOT_CANCELLABLE)
            become(invitation, "Cancelled")
        return {"testInvitationId": invitation["testInvitationId"], "status": "cancelled"}

    @router.post(API + "/invitations/{invitation_id}/reattempt")
    async def reattempt(invitation_id: str, request: Request):
        if failure := await guard(request):
            return failure
        try:
            fields = _lowered(await request.json() if await request.body() else {})
        except ValueError:
            return _errors(400, "The request body is not valid JSON.")
        if problems := invalid_fields(fields):
            return _errors(400, *problems)
        settings = settings_from(fields)
        with world.lock:
            invitation = invitation_of(invitation_id)
            if invitation is None:
                return _errors(404, "Test invitation not found.")
            lapse_if_due(invitation)
            if invitation["status"] == "In Progress":
                return _errors(400, "Reattempt is not allowed as the test invitation is in inprogress state.")
            if invitation["status"] in FINISHED:
                inherited = {
                    k: invitation[k]
                    for k in ("callbackUrl", "redirectUrl", "startDateTime", "endDateTime", "sendEmail")
                    if k in invitation
                }
                again = new_invitation(
                    invitation["testId"],
                    {"email": invitation["email"], "name": invitation["name"]},
                    {**inherited, **settings, "previousInvitationId": invitation["testInvitationId"]},
                )
            else:
                again = invitation
                again.update(settings)
                become(again, "Pending")
            world.save()
        await world.before_reply(VENDOR)
        return {
            "testInvitationId": again["testInvitationId"],
            "testUrl": again["testUrl"],
            "callbackUrlRegistered": bool(again.get("callbackUrl")),
            "redirectUrlRegistered": bool(again.get("redirectUrl")),
        }

    @router.get(API + "/reports/{invitation_id}")
    async def get_report(invitation_id: str, request: Request):
        if failure := await guard(request, attempt=invitation_id):
            return failure
        if request.query_params.get("reportType", "1") not in ("1", "2", "3"):
            return _errors(400, "reportType must be 1, 2 or 3.")
        with world.lock:
            invitation = invitation_of(invitation_id)
            if invitation is None:
                return _errors(404, "Invalid testInvitationId.")
            lapse_if_due(invitation)
            return report(invitation)

    @router.post(API + "/candidates/testattempts")
    async def list_attempts(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        state = request.query_params.get("state", "")
        if state not in LISTING_STATES:
            return _errors(400, "state must be one of completed, cancelled, expired.")
        try:
            fields = _lowered(await request.json())
        except ValueError:
            return _errors(400, "The request body is not valid JSON.")
        start, end = _parse_wire(fields.get("startdatetime")), _parse_wire(fields.get("enddatetime"))
        if start is None or end is None or end < start:
            return _errors(400, "StartDateTime and EndDateTime must be UTC date-times, start before end.")
        with world.lock:
            for invitation in records()["invitations"].values():
                lapse_if_due(invitation)
            listed = [
                {
                    "testInvitationId": i["testInvitationId"],
                    "testId": i["testId"],
                    "name": i["name"],
                    "email": i["email"],
                    "invitationtype": "api",
                    "testStatus": LISTED_AS[i["status"]],
                }
                for i in sorted(records()["invitations"].values(), key=lambda i: i["testInvitationId"])
                if i["status"] in LISTING_STATES[state] and start <= i["changedOn"] <= end
            ]
        return {"result": {"testAttempts": listed}, "errors": None}

    @router.post(API + "/callbacks/process")
    async def process_callbacks(request: Request):
        """Re-send the latest callback of up to 100 invitations [P]."""
        if failure := await guard(request):
            return failure
        try:
            ids = _lowered(await request.json()).get("testinvitationids")
        except ValueError:
            ids = None
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            return _errors(400, "testinvitationIds must list 1 to 100 ids.")
        successful, failed = [], []
        with world.lock:
            for invitation_id in ids:
                invitation = invitation_of(str(invitation_id))
                if invitation and invitation["status"] in ("In Progress", *FINISHED):
                    callback(invitation)
                    successful.append(invitation_id)
                else:
                    failed.append(invitation_id)
        return {"result": {"testinvitationIds": {"successful": successful, "failed": failed}}, "errors": None}

    def by_token(token: str) -> dict | None:
        return next((i for i in records()["invitations"].values() if i["token"] == token), None)

    @router.get(PREFIX + "/take/{token}", response_class=HTMLResponse)
    async def take(token: str):
        with world.lock:
            invitation = by_token(token)
            if invitation is not None:
                lapse_if_due(invitation)
        if invitation is None:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        test = test_of(invitation["testId"]) or {"testName": "Test", "duration": 0}
        status = invitation["status"]
        if status == "Pending":
            action = (
                f'<form method="post" action="{PREFIX}/take/{token}/start"><button>Start test</button></form>'
            )
        elif status == "In Progress":
            action = (
                "<p>Your test is running. Answer the questions, then submit.</p>"
                f'<form method="post" action="{PREFIX}/take/{token}/submit"><button>Submit test</button></form>'
            )
        elif status in FINISHED:
            action = (
                "<p class=done>Test submitted. Thank you! The hiring team will be in touch.</p>"
                "<p class=muted>You have already attempted this test.</p>"
            )
        else:
            action = f"<p>This test invitation is {html.escape(status.lower())}.</p>"
        body = (
            f"<p class=muted>iMocha · sandbox</p><h1>{html.escape(test['testName'])}</h1>"
            f"<p>Candidate: <b>{html.escape(invitation['name'])}</b> ({html.escape(invitation['email'])})</p>"
            f"<p>Duration: {test['duration']} minutes · status: <code>{html.escape(status)}</code></p>{action}"
        )
        return _page(test["testName"], body)

    @router.post(PREFIX + "/take/{token}/{step}")
    async def take_step(token: str, step: str):
        invitation = by_token(token)
        if invitation is None or step not in {"start", "submit"}:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        with world.lock:
            if step == "start":
                start(invitation)
            else:
                finish(invitation, "Complete")
        return RedirectResponse(f"{PREFIX}/take/{token}", status_code=303)

    @router.get(PREFIX + "/report/{invitation_id}", response_class=HTMLResponse)
    async def report_page(invitation_id: str):
        invitation = invitation_of(invitation_id)
        shown = report(invitation) if invitation else None
        if shown is None or shown["scorePercentage"] is None:
            return HTMLResponse(_page("No report", "<p>No report yet.</p>"), status_code=404)
        rows = "".join(
            f"<tr><td>{html.escape(s['sectionName'])}</td><td>{s['candidateScore']:.0f} / {s['sectionScore']:.0f}</td>"
            f"<td>{s['sectionTimeTaken'] // 60} of {s['sectionTime']} min</td></tr>"
            for s in shown["sections"]
        )
        body = (
            f"<p class=muted>iMocha · candidate report</p><h1>{html.escape(invitation['name'])}</h1>"
            f"<p>{html.escape(shown['testName'] or '')} · <b>{shown['scorePercentage']:.0f}%</b> "
            f"({shown['candidatePoints']:.0f} of {shown['totalTestPoints']:.0f} points) · "
            f"{html.escape(shown['PerformanceCategory'])} · {html.escape(shown['Status'])}</p>"
            f"<table><tr><th>Section</th><th>Score</th><th>Time</th></tr>{rows}</table>"
        )
        return _page("Report", body)

    class IMochaControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            """``start``, ``submit``, ``expire``, plus ``leave`` (Test Left) and ``terminate``."""
            invitation = invitation_of(vendor_attempt_id)
            steps = {
                "start": start,
                "submit": lambda i: finish(i, "Complete"),
                "leave": lambda i: finish(i, "Test Left"),
                "terminate": lambda i: finish(i, "Terminated"),
                "expire": expire,
            }
            if invitation is None or step not in steps:
                return None
            steps[step](invitation)
            return report(invitation)

        def add_tests(self, count: int) -> int:
            extra = records().setdefault("extra_tests", [])
            for _ in range(count):
                number = 5000 + len(extra)
                extra.append({"testId": number, "testName": f"Generated test {number}", "duration": 30})
            world.save()
            return len(catalog())

        def set_webhook(self, url: str, secret: str) -> None:
            """Nothing to configure: iMocha takes a callback URL with each invitation, unsigned."""

    return router, IMochaControls()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#f26522;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""
