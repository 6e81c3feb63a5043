"""CoderPad Screen imitation: ``/coderpad-screen/assessment/api/v1.1`` plus the candidate's pages.

Same header (``API-Key``), int ids, epoch-ms times, ``start``/``limit`` (1..50)
paging, ``{"code","message"}`` errors and status values as the real API, so the
provider cannot tell the difference.
"""

from __future__ import annotations

import hashlib
import html
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from providers.sandbox.world import Controls, World

VENDOR = "coderpad_screen"
PREFIX = "/coderpad-screen"
API = PREFIX + "/assessment/api/v1.1"
DEMO_KEY = "demo-coderpad-screen-key"
DEMO_OPTIONS: dict[str, str] = {}
CAMPAIGNS = [
    {"id": 101, "name": "Backend Engineer (Python)", "languages": ["python3"], "archived": False},
    {"id": 102, "name": "Frontend Engineer (TypeScript)", "languages": ["typescript"], "archived": False},
    {"id": 103, "name": "Data Engineer (SQL + Python)", "languages": ["python3", "sql"], "archived": False},
    {"id": 104, "name": "Go Services", "languages": ["go"], "archived": False},
    {"id": 105, "name": "Java Fundamentals", "languages": ["java"], "archived": False},
    {"id": 106, "name": "Mobile (Kotlin)", "languages": ["kotlin"], "archived": False},
    {"id": 107, "name": "Site Reliability", "languages": ["bash", "python3"], "archived": False},
    {"id": 99, "name": "Legacy PHP (archived)", "languages": ["php"], "archived": True},
]
TECHNOLOGIES = {
    101: ("Python 3", "SQL"),
    102: ("TypeScript", "React"),
    103: ("SQL", "Python 3"),
    104: ("Go", "Concurrency"),
    105: ("Java", "Algorithms"),
    106: ("Kotlin", "Android"),
    107: ("Bash", "Linux"),
}
TIME_ALLOWED = 3600


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _now_ms(world: World) -> int:
    """The vendor's time in epoch milliseconds, on the sandbox's clock."""
    return int(world.now().timestamp() * 1000)


def _report(session: dict) -> dict:
    """A deterministic report from the candidate's email, so demos and tests repeat.

    The time used (``duration``) is the time between the start and the end, as the session's
    ``start_time`` and ``end_time`` tell it: a duration of its own made the demo read Started
    and Completed at one minute beside "37 min" taken.
    """
    seed = int(hashlib.sha256(session["candidate_email"].encode()).hexdigest(), 16)
    score = 40 + seed % 59
    duration = max(0, session["end_time"] - session["start_time"]) // 1000
    techs = TECHNOLOGIES.get(session["campaign_id"], ("Problem solving", "Code quality"))
    technologies = {}
    for i, tech in enumerate(techs):
        tech_score = max(0, min(100, score + (7 if i == 0 else -9)))
        technologies[tech] = {
            "score": float(tech_score),
            "points": tech_score * 3,
            "total_points": 300,
            "comparative_score": float((seed >> (8 + i)) % 100),
            "skills": {
                "Problem solving": {"score": float(tech_score), "points": tech_score, "total_points": 100},
                "Reliability": {
                    "score": float(max(0, tech_score - 5)),
                    "points": max(0, tech_score - 5),
                    "total_points": 100,
                },
            },
        }
    warnings = ["Pasted code detected in question 2"] if seed % 4 == 0 else []
    return {
        "score": float(score),
        "points": score * 5,
        "total_points": 500,
        "comparative_score": float(seed % 100),
        "duration": duration,
        "total_duration": TIME_ALLOWED,
        "warnings": warnings,
        "technologies": technologies,
    }


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    accepted = {DEMO_KEY, *world.extra_keys}

    def records() -> dict:
        return world.vendor(VENDOR, {"next_id": 5001, "tests": {}, "webhook": None, "extra_campaigns": []})

    def campaigns() -> list[dict]:
        archived = set(records().setdefault("archived_campaigns", []))
        return [
            {**c, "archived": True} if c["id"] in archived else c
            for c in CAMPAIGNS + records().setdefault("extra_campaigns", [])
        ]

    records()

    async def guard(
        request: Request, *, listing: bool = False, attempt: str | None = None
    ) -> Response | None:
        if request.headers.get("API-Key") not in accepted:
            return _error(401, "Unauthorized", "Invalid API key")
        return await world.before_api_call(VENDOR, listing=listing, attempt=attempt)

    def public(session: dict) -> dict:
        return {k: v for k, v in session.items() if k != "token"}

    def change(session: dict, status: str) -> None:
        session["status"] = status
        session["last_activity_time"] = _now_ms(world)
        world.save()
        world.deliver(
            VENDOR,
            records()["webhook"],
            {
                "event": "test.status_changed",
                "id": session["id"],
                "status": status,
                "campaign_id": session["campaign_id"],
                "candidate_email": session["candidate_email"],
                "timestamp": _now_ms(world),
            },
        )

    def start(session: dict) -> None:
        if session["status"] == "waiting":
            session["start_time"] = _now_ms(world)
            change(session, "in_progress")

    def submit(session: dict) -> None:
        if session["status"] == "in_progress":
            session["end_time"] = _now_ms(world)
            session["report"] = _report(session)
            change(session, "completed")

    def expire(session: dict) -> None:
        # CoderPad documents no expiry status [?]; the imitation says "expired".
        if session["status"] in ("waiting", "in_progress"):
            change(session, "expired")

    @router.get(API + "/campaigns")
    async def list_campaigns(request: Request):
        return await guard(request) or campaigns()

    @router.post(API + "/campaigns/{campaign_id}/actions/send")
    async def send(campaign_id: int, request: Request):
        if failure := await guard(request):
            return failure
        campaign = next((c for c in campaigns() if c["id"] == campaign_id and not c["archived"]), None)
        if campaign is None:
            return _error(400, "InvalidCampaignId", f"Campaign {campaign_id} does not exist")
        body = await request.json()
        name = str(body.get("candidate_name") or "")
        if len(name) > 100:
            return _error(400, "CandidateNameTooLong", "candidate_name is longer than 100 characters")
        tags = body.get("tags")
        if tags is not None and not isinstance(tags, str):
            return _error(400, "InvalidParameter", "tags must be a string")
        with world.lock:
            data = records()
            session_id = data["next_id"]
            data["next_id"] += 1
            token = secrets.token_urlsafe(12)
            data["tests"][str(session_id)] = {
                "id": session_id,
                "status": "waiting",
                "campaign_id": campaign_id,
                "candidate_name": name,
                "candidate_email": str(body.get("candidate_email") or ""),
                "tags": [t for t in (tags or "").split(",") if t],
                "send_time": _now_ms(world),
                "start_time": None,
                "end_time": None,
                "url": f"{world.public_url}{PREFIX}/report/{session_id}",
                "test_url": f"{world.public_url}{PREFIX}/take/{token}",
                "report": None,
                "product": "screen",
                "token": token,
            }
            world.counters[VENDOR].invitations_created += 1
            world.save()
        session = data["tests"][str(session_id)]
        await world.before_reply(VENDOR)
        return {"id": session_id, "test_url": session["test_url"]}

    @router.get(API + "/tests")
    async def list_tests(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        query = request.query_params
        try:
            start = int(query.get("start", 0))
            limit = int(query.get("limit", 20))
        except ValueError:
            return _error(400, "InvalidParameter", "start and limit must be integers")
        if not 1 <= limit <= 50:
            return _error(400, "InvalidLimit", "limit must be between 1 and 50")
        sessions = sorted(records()["tests"].values(), key=lambda s: s["id"])
        if "campaignId" in query:
            sessions = [s for s in sessions if str(s["campaign_id"]) == query["campaignId"]]
        if "tag" in query:
            sessions = [s for s in sessions if query["tag"] in s["tags"]]
        if "status" in query:
            sessions = [s for s in sessions if s["status"] == query["status"]]
        if "from" in query:
            sessions = [s for s in sessions if s["send_time"] >= int(query["from"])]
        page = sessions[start : start + limit]
        more = start + limit < len(sessions)
        return {
            "tests": [public(s) for s in page],
            "pagination": {
                "start": start,
                "limit": limit,
                "total": len(sessions),
                "has_more_items": more,
                "next_start": start + limit if more else None,
            },
        }

    @router.get(API + "/tests/{session_id}")
    async def get_test(session_id: int, request: Request):
        if failure := await guard(request, attempt=str(session_id)):
            return failure
        session = records()["tests"].get(str(session_id))
        return public(session) if session else _error(404, "NotFound", f"Test {session_id} not found")

    @router.post(API + "/tests/{session_id}/actions/{action}")
    async def act(session_id: int, action: str, request: Request):
        if failure := await guard(request):
            return failure
        session = records()["tests"].get(str(session_id))
        if session is None:
            return _error(404, "NotFound", f"Test {session_id} not found")
        if action not in {"cancel", "resend"}:
            return _error(404, "NotFound", f"Unknown action {action}")
        if session["status"] != "waiting":
            return _error(
                400, "InvalidTestStatus", f"Cannot {action} a test whose status is {session['status']}"
            )
        if action == "cancel":
            change(session, "cancelled")
        else:
            world.counters[VENDOR].invitations_resent += 1
        return Response(status_code=204)

    @router.delete(API + "/tests/{session_id}")
    async def delete_test(session_id: int, request: Request):
        """``DELETE /tests/{id}`` (the SDKs [S]): the session is gone from the listing and from lookups."""
        if failure := await guard(request):
            return failure
        with world.lock:
            if records()["tests"].pop(str(session_id), None) is None:
                return _error(404, "NotFound", f"Test {session_id} not found")
            world.save()
        return Response(status_code=204)

    @router.get(API + "/tests/{session_id}/report")
    async def report_pdf(session_id: int, request: Request):
        """The report as a PDF (``report_type``, ``include_comparative_score`` are accepted)."""
        if failure := await guard(request):
            return failure
        session = records()["tests"].get(str(session_id))
        if session is None:
            return _error(404, "NotFound", f"Test {session_id} not found")
        if not session["report"]:
            return _error(409, "TestNotFinished", "The report exists once the candidate has finished")
        report = session["report"]
        lines = [
            f"CoderPad Screen report - {session['candidate_name']}",
            f"Score {report['score']:.0f}% - comparative {report['comparative_score']:.0f}%",
            f"Time {report['duration'] // 60} of {report['total_duration'] // 60} minutes",
        ]
        return Response(_pdf(lines), media_type="application/pdf")

    @router.get(API + "/webhook")
    async def get_webhook(request: Request):
        if failure := await guard(request):
            return failure
        url = records()["webhook"]
        return {"url": url} if url else _error(404, "NotFound", "No webhook configuration")

    @router.post(API + "/webhook")
    async def set_webhook(request: Request):
        if failure := await guard(request):
            return failure
        url = await request.json()
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return _error(400, "InvalidParameter", "The body must be a JSON string holding a URL")
        records()["webhook"] = url
        world.save()
        return Response(status_code=204)

    @router.delete(API + "/webhook")
    async def delete_webhook(request: Request):
        if failure := await guard(request):
            return failure
        records()["webhook"] = None
        world.save()
        return Response(status_code=204)

    def by_token(token: str) -> dict | None:
        return next((s for s in records()["tests"].values() if s["token"] == token), None)

    @router.get(PREFIX + "/take/{token}", response_class=HTMLResponse)
    async def take(token: str):
        session = by_token(token)
        if session is None:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        campaign = next(c["name"] for c in campaigns() if c["id"] == session["campaign_id"])
        status = session["status"]
        if status == "waiting":
            action = (
                f'<form method="post" action="{PREFIX}/take/{token}/start"><button>Start test</button></form>'
            )
        elif status == "in_progress":
            action = (
                "<p>Your test is running. Write your solutions, then submit.</p>"
                f'<form method="post" action="{PREFIX}/take/{token}/submit"><button>Submit test</button></form>'
            )
        elif status == "completed":
            action = "<p class=done>Test submitted. Thank you! The hiring team will be in touch.</p>"
        else:
            action = f"<p>This test is {html.escape(status)}.</p>"
        body = (
            f"<p class=muted>CoderPad Screen · sandbox</p><h1>{html.escape(campaign)}</h1>"
            f"<p>Candidate: <b>{html.escape(session['candidate_name'])}</b> "
            f"({html.escape(session['candidate_email'])})</p>"
            f"<p>Time allowed: {TIME_ALLOWED // 60} minutes · status: <code>{html.escape(status)}</code></p>{action}"
        )
        return _page(campaign, body)

    @router.post(PREFIX + "/take/{token}/{step}")
    async def take_step(token: str, step: str):
        session = by_token(token)
        if session is None or step not in {"start", "submit"}:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        with world.lock:
            (start if step == "start" else submit)(session)
        return RedirectResponse(f"{PREFIX}/take/{token}", status_code=303)

    @router.get(PREFIX + "/report/{session_id}", response_class=HTMLResponse)
    async def report_page(session_id: int):
        session = records()["tests"].get(str(session_id))
        if session is None or not session["report"]:
            return HTMLResponse(_page("No report", "<p>No report yet.</p>"), status_code=404)
        report = session["report"]
        rows = "".join(
            f"<tr><td>{html.escape(t)}</td><td>{d['score']:.0f}%</td><td>{d['points']} / {d['total_points']}</td></tr>"
            for t, d in report["technologies"].items()
        )
        body = (
            f"<p class=muted>CoderPad Screen · detailed report</p><h1>{html.escape(session['candidate_name'])}</h1>"
            f"<p>Score <b>{report['score']:.0f}%</b> · comparative {report['comparative_score']:.0f}% · "
            f"{report['duration'] // 60} of {report['total_duration'] // 60} minutes</p>"
            f"<table><tr><th>Technology</th><th>Score</th><th>Points</th></tr>{rows}</table>"
        )
        return _page("Report", body)

    class ScreenControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            session = records()["tests"].get(vendor_attempt_id)
            steps = {"start": start, "submit": submit, "expire": expire}
            if session is None or step not in steps:
                return None
            steps[step](session)
            return public(session)

        def add_tests(self, count: int) -> int:
            extra = records().setdefault("extra_campaigns", [])
            for _ in range(count):
                number = 1000 + len(extra)
                extra.append(
                    {"id": number, "name": f"Generated campaign {number}", "languages": [], "archived": False}
                )
            world.save()
            return len(campaigns())

        def archive_test(self, test_id: str, archived: bool = True) -> bool:
            if not any(str(c["id"]) == test_id for c in campaigns()):
                return False
            listed = [i for i in records().setdefault("archived_campaigns", []) if i != int(test_id)]
            records()["archived_campaigns"] = [*listed, int(test_id)] if archived else listed
            world.save()
            return True

        def set_webhook(self, url: str, secret: str) -> None:
            records()["webhook"] = url or None
            world.save()

    return router, ScreenControls()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#5b3cc4;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of text: enough to be a real PDF file."""
    text = " ".join(
        f"BT /F1 12 Tf 50 {760 - 20 * i} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET"
        for i, line in enumerate(lines)
    ).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(text)).encode() + b" >>\nstream\n" + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
