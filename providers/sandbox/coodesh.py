"""Coodesh imitation: ``/coodesh/assessments/ats`` plus the candidate's pages.

Same header (``X-API-KEY``), the assessment list as an array wrapping one page
object (``offset``/``total``/``limit`` 150/``payload``), 24-hex ObjectId-like ids,
every attempt field required, and results pushed to the ``webhook_url`` given with
each attempt, as the reference notes describe. What the notes could not capture is
imitated plausibly and marked [?]: the error envelope (``{"statusCode", "message":
[...], "error"}``), the webhook body (the attempt's documented fields plus
``event``, ``status``, ``total_grade``/``max_grade``, ``time_taken`` with
``time_taken_unit`` after the documented ``duration``/``duration_unit`` pattern,
and graded ``questions``), and an ``expired`` event.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import re
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from providers.sandbox.world import Controls, World

VENDOR = "coodesh"
PREFIX = "/coodesh"
DEMO_KEY = "demo-coodesh-key"
DEMO_OPTIONS: dict[str, str] = {"company_id": "coodesh-demo-company"}
PAGE_LIMIT = 150
REQUIRED = (
    "email",
    "name",
    "user_id",
    "assessment_id",
    "company_id",
    "job_id",
    "callback_url",
    "webhook_url",
)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _object_id(seed: str) -> str:
    """A 24-hex id like Coodesh's (MongoDB ObjectId-shaped), stable for a seed."""
    return hashlib.sha256(seed.encode()).hexdigest()[:24]


def _question(name: str, kind: str, level: str, minutes: int) -> dict:
    return {
        "name": name,
        "description": f"{name}: solve it and explain your choices.",
        "type": kind,
        "type_formatted": {"freecoding": "Programação livre", "whiteboard": "Quadro branco"}[kind],
        "level": level,
        "level_formatted": {"beginner": "Iniciante", "advanced": "Avançado"}[level],
        "duration": minutes,
        "duration_unit": "minute",
    }


def _assessment(name: str, hours: int, questions: list[dict]) -> dict:
    return {
        "assessment_id": _object_id(name),
        "name": name,
        "description": f"{name} assessment for the hiring team.",
        "default_locale": "pt",
        "duration": hours,
        "duration_unit": "hour",
        "questions": questions,
    }


ASSESSMENTS = [
    _assessment(
        "Back-end Node.js",
        2,
        [
            _question("REST API with Express", "freecoding", "beginner", 60),
            _question("Event loop", "whiteboard", "advanced", 30),
        ],
    ),
    _assessment(
        "Front-end React",
        2,
        [
            _question("Component state", "freecoding", "beginner", 45),
            _question("Rendering performance", "whiteboard", "advanced", 30),
        ],
    ),
    _assessment("Python Data", 3, [_question("Pandas cleaning", "freecoding", "advanced", 90)]),
    _assessment("Java Spring", 2, [_question("Spring Boot service", "freecoding", "advanced", 60)]),
    _assessment("Mobile Flutter", 1, [_question("Widget tree", "whiteboard", "beginner", 40)]),
]


def _error(status: int, messages: str | list[str], error: str) -> JSONResponse:
    """The NestJS-style envelope the imitation assumes for Coodesh [?]."""
    return JSONResponse({"statusCode": status, "message": messages, "error": error}, status_code=status)


def _now(world: World) -> str:
    """The vendor's time, on the sandbox's clock."""
    return world.now().isoformat(timespec="seconds").replace("+00:00", "Z")


def _minutes_between(started: str, finished: str) -> int:
    """Whole minutes from the start to the finish: the time taken agrees with both times shown."""
    begin, end = (datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) for t in (started, finished))
    return max(0, round((end - begin).total_seconds() / 60))


def _result(attempt: dict, assessment: dict) -> dict:
    """A deterministic result from the candidate's email, so demos and tests repeat."""
    seed = int(hashlib.sha256(attempt["email"].encode()).hexdigest(), 16)
    grade = 40 + seed % 59
    questions = []
    for i, question in enumerate(assessment["questions"]):
        questions.append(
            {
                "name": question["name"],
                "type": question["type"],
                "level": question["level"],
                "grade": max(0, min(100, grade + (6 if i % 2 == 0 else -8))),
                "max_grade": 100,
            }
        )
    result = {
        "total_grade": grade,
        "max_grade": 100,
        "time_taken": _minutes_between(attempt["started_at"], attempt["finished_at"]),
        "time_taken_unit": "minute",
        "questions": questions,
    }
    if seed % 4 == 0:
        result["warnings"] = ["The candidate left the test window 3 times"]
    return result


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    accepted = {DEMO_KEY, *world.extra_keys}

    def records() -> dict:
        return world.vendor(VENDOR, {"attempts": {}, "extra_assessments": []})

    def assessments() -> list[dict]:
        return ASSESSMENTS + records().setdefault("extra_assessments", [])

    records()

    async def guard(request: Request, *, listing: bool = False) -> Response | None:
        if request.headers.get("X-API-KEY") not in accepted:
            return _error(401, "Invalid API key", "Unauthorized")
        return await world.before_api_call(VENDOR, listing=listing)

    def shown(attempt: dict, event: str) -> dict:
        """The attempt as its webhook shows it [?]: the documented fields plus progress and result."""
        body = {
            "event": event,
            "attempt_id": attempt["attempt_id"],
            "status": attempt["status"],
            **{k: attempt[k] for k in REQUIRED if k != "webhook_url"},
            "attempt_url": attempt["attempt_url"],
            "created_at": attempt["created_at"],
            "started_at": attempt["started_at"],
            "finished_at": attempt["finished_at"],
        }
        if attempt["result"]:
            assessment = next(a for a in assessments() if a["assessment_id"] == attempt["assessment_id"])
            body.update(attempt["result"])
            body["duration"] = assessment["duration"]
            body["duration_unit"] = assessment["duration_unit"]
            body["report_url"] = f"{world.public_url}{PREFIX}/report/{attempt['attempt_id']}"
        return body

    def push(attempt: dict, event: str) -> None:
        world.save()
        world.deliver(VENDOR, attempt["webhook_url"], shown(attempt, event))

    def start(attempt: dict) -> None:
        if attempt["status"] == "created":
            attempt["status"] = "started"
            attempt["started_at"] = _now(world)
            push(attempt, "attempt.started")

    def submit(attempt: dict) -> None:
        if attempt["status"] == "started":
            assessment = next(a for a in assessments() if a["assessment_id"] == attempt["assessment_id"])
            attempt["status"] = "finished"
            attempt["finished_at"] = _now(world)
            attempt["result"] = _result(attempt, assessment)
            push(attempt, "attempt.finished")

    def expire(attempt: dict) -> None:
        if attempt["status"] in ("created", "started"):
            attempt["status"] = "expired"
            push(attempt, "attempt.expired")

    @router.get(PREFIX + "/assessments/ats")
    async def list_assessments(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        try:
            offset = max(0, int(request.query_params.get("offset", 0)))
            limit = min(PAGE_LIMIT, max(1, int(request.query_params.get("limit", PAGE_LIMIT))))
        except ValueError:
            return _error(400, ["offset and limit must be integers"], "Bad Request")
        catalog = assessments()
        page = catalog[offset : offset + limit]
        return [{"offset": offset, "total": len(catalog), "limit": limit, "payload": page}]

    @router.post(PREFIX + "/assessments/ats/attempts")
    async def create_attempt(request: Request):
        if failure := await guard(request):
            return failure
        try:
            body = await request.json()
        except ValueError:
            return _error(400, ["body must be JSON"], "Bad Request")
        if not isinstance(body, dict):
            return _error(400, ["body must be an object"], "Bad Request")
        if "webhook_url" not in body and "webhook_ul" in body:
            body["webhook_url"] = body["webhook_ul"]  # the schema's spelling, in case a client follows it
        problems = [
            f"{field} should not be empty"
            for field in REQUIRED
            if not isinstance(body.get(field), str) or not body[field].strip()
        ]
        if not problems:
            if not EMAIL.match(body["email"]):
                problems.append("email must be an email")
            problems += [
                f"{field} must be a URL address"
                for field in ("callback_url", "webhook_url")
                if not body[field].startswith(("http://", "https://"))
            ]
        if problems:
            return _error(400, problems, "Bad Request")
        if not any(a["assessment_id"] == body["assessment_id"] for a in assessments()):
            return _error(404, f"Assessment {body['assessment_id']} not found", "Not Found")
        with world.lock:
            data = records()
            attempt_id = _object_id(f"attempt-{len(data['attempts'])}-{secrets.token_hex(4)}")
            token = secrets.token_urlsafe(12)
            data["attempts"][attempt_id] = {
                "attempt_id": attempt_id,
                **{field: body[field] for field in REQUIRED},
                "status": "created",
                "attempt_url": f"{world.public_url}{PREFIX}/take/{token}",
                "created_at": _now(world),
                "started_at": None,
                "finished_at": None,
                "result": None,
                "token": token,
            }
            world.counters[VENDOR].invitations_created += 1
            world.save()
        attempt = data["attempts"][attempt_id]
        await world.before_reply(VENDOR)
        return JSONResponse(
            {"attempt_id": attempt_id, "attempt_url": attempt["attempt_url"]}, status_code=201
        )

    def by_token(token: str) -> dict | None:
        return next((a for a in records()["attempts"].values() if a["token"] == token), None)

    @router.get(PREFIX + "/take/{token}", response_class=HTMLResponse)
    async def take(token: str):
        attempt = by_token(token)
        if attempt is None:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        assessment = next(a for a in assessments() if a["assessment_id"] == attempt["assessment_id"])
        status = attempt["status"]
        if status == "created":
            action = (
                f'<form method="post" action="{PREFIX}/take/{token}/start"><button>Start test</button></form>'
            )
        elif status == "started":
            action = (
                "<p>Your test is running. Answer the questions, then submit.</p>"
                f'<form method="post" action="{PREFIX}/take/{token}/submit"><button>Submit test</button></form>'
            )
        elif status == "finished":
            back = html.escape(attempt["callback_url"], quote=True)
            action = (
                "<p class=done>Test submitted. Thank you! The hiring team will be in touch.</p>"
                f'<p class=muted><a href="{back}">Back to the application</a></p>'
            )
        else:
            action = f"<p>This test is {html.escape(status)}.</p>"
        questions = "".join(
            f"<li>{html.escape(q['name'])} · {html.escape(q['level_formatted'])} · {q['duration']} min</li>"
            for q in assessment["questions"]
        )
        body = (
            f"<p class=muted>Coodesh · sandbox</p><h1>{html.escape(assessment['name'])}</h1>"
            f"<p>Candidate: <b>{html.escape(attempt['name'])}</b> ({html.escape(attempt['email'])})</p>"
            f"<p>Duration: {assessment['duration']} {html.escape(assessment['duration_unit'])}(s) · "
            f"status: <code>{html.escape(status)}</code></p><ul>{questions}</ul>{action}"
        )
        return _page(assessment["name"], body)

    @router.post(PREFIX + "/take/{token}/{step}")
    async def take_step(token: str, step: str):
        attempt = by_token(token)
        if attempt is None or step not in {"start", "submit"}:
            return HTMLResponse(_page("Test not found", "<p>This link is not valid.</p>"), status_code=404)
        with world.lock:
            (start if step == "start" else submit)(attempt)
        return RedirectResponse(f"{PREFIX}/take/{token}", status_code=303)

    @router.get(PREFIX + "/report/{attempt_id}", response_class=HTMLResponse)
    async def report_page(attempt_id: str):
        attempt = records()["attempts"].get(attempt_id)
        if attempt is None or not attempt["result"]:
            return HTMLResponse(_page("No report", "<p>No result yet.</p>"), status_code=404)
        result = attempt["result"]
        rows = "".join(
            f"<tr><td>{html.escape(q['name'])}</td><td>{q['grade']} / {q['max_grade']}</td></tr>"
            for q in result["questions"]
        )
        warnings = "".join(f"<p class=muted>⚠ {html.escape(w)}</p>" for w in result.get("warnings", []))
        body = (
            f"<p class=muted>Coodesh · result</p><h1>{html.escape(attempt['name'])}</h1>"
            f"<p>Total grade <b>{result['total_grade']}/{result['max_grade']}</b> · "
            f"time taken {result['time_taken']} min</p>{warnings}"
            f"<table><tr><th>Question</th><th>Grade</th></tr>{rows}</table>"
        )
        return _page("Result", body)

    class CoodeshControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            attempt = records()["attempts"].get(vendor_attempt_id)
            steps = {"start": start, "submit": submit, "expire": expire}
            if attempt is None or step not in steps:
                return None
            steps[step](attempt)
            return shown(attempt, f"attempt.{attempt['status']}")

        def add_tests(self, count: int) -> int:
            extra = records().setdefault("extra_assessments", [])
            for _ in range(count):
                number = len(extra) + 1
                extra.append(
                    _assessment(
                        f"Generated assessment {number}",
                        1,
                        [_question(f"Exercise {number}", "freecoding", "beginner", 30)],
                    )
                )
            world.save()
            return len(assessments())

        def set_webhook(self, url: str, secret: str) -> None:
            """Coodesh takes the webhook URL with each attempt; there is no account-wide one."""

    return router, CoodeshControls()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:640px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#1a56db;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""
