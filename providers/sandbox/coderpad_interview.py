"""CoderPad Interview imitation: ``/coderpad-interview/api`` plus the pad and playback pages.

Same header (``Authorization: Token token="<key>"``), form-encoded writes (a JSON
body is refused with 400, as a form endpoint would), string pad ids such as
``"AFQ2K9A3"``, integer question ids, ISO 8601 times, ``{"status": "OK"}`` and
``{"status": "ERROR", "message"}`` envelopes, at most 50 items a page linked by
``next_page`` URLs, and a monthly pad quota answered with 429 "Over quota".

Pads never expire at CoderPad, so the ``expire`` control leaves the pad as it is.
There are no webhooks for pads. ``POST /_sandbox/coderpad_interview/quota`` sets
the quota, as CoderPad's billing would. ``archive_test`` deletes a question, as an
interviewer does in CoderPad's question bank: it leaves ``GET /questions`` and a pad
made from it is refused with 404; restoring it brings it back under its id (which
CoderPad cannot do, but a test of "listed again" needs).
"""

from __future__ import annotations

import datetime
import html
import secrets
import string
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from providers.sandbox.world import Controls, World

VENDOR = "coderpad_interview"
PREFIX = "/coderpad-interview"
API = PREFIX + "/api"
DEMO_KEY = "demo-coderpad-interview-key"
DEMO_OPTIONS: dict[str, str] = {}
PAGE_LIMIT = 50
OWNER = "sandbox-interviewer@example.com"
QUOTA = 500
# The ``language`` values the API documents; anything else is a 400.
_DOCUMENTED_LANGUAGES = (
    "angular bash c clojure coffeescript cpp csharp django elixir erlang fsharp gin haskell html java "
    "javascript julia kotlin lua markdown node objc ocaml perl php plaintext postgresql python rails "
    "react ruby rust spring svelte swift tcl typescript vb vue"
)
LANGUAGES = frozenset(_DOCUMENTED_LANGUAGES.split())
QUESTIONS = [
    (12345, "Request Construction", "ruby", "live", False),
    (12346, "Fix this FizzBuzz", "python", "live", False),
    (12347, "LRU Cache", "java", "live", False),
    (12348, "Debounce a Function", "typescript", "live", False),
    (12349, "SQL: Top Customers", "postgresql", "live", False),
    (12350, "Rate Limiter Design", "python", "take_home", False),
    (12351, "Untitled (draft)", "python", "live", True),
]
_ID_ALPHABET = string.ascii_uppercase + string.digits


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"status": "ERROR", "message": message}, status_code=status)


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _when(stamp: str) -> datetime.datetime:
    """A time ``_iso`` wrote, read back."""
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _now(world: World) -> str:
    """The vendor's time, on the sandbox's clock."""
    return _iso(world.now())


def _question(question_id: int, title: str, language: str, pad_type: str, draft: bool, when: str) -> dict:
    return {
        "id": question_id,
        "title": title,
        "owner_email": OWNER,
        "language": language,
        "description": f"{title}: discuss the approach, then code it together.",
        "candidate_instructions": [{"instructions": f"# {title}", "default_visible": True}],
        "contents": f"# {title}\n",
        "shared": True,
        "used": 0,
        "take_home": pad_type == "take_home",
        "test_cases_enabled": False,
        "solution": "",
        "pad_type": pad_type,
        "is_draft": draft,
        "author_name": "Sandbox Interviewer",
        "organization_name": "Sandbox Co",
        "custom_files": [],
        "created_at": when,
        "updated_at": when,
    }


def _sort_key(sort: str) -> tuple[str, bool] | None:
    """``created_at|updated_at[,asc|desc]`` (``desc`` by default) as (field, reverse)."""
    field, _, direction = sort.partition(",")
    if field not in ("created_at", "updated_at") or direction not in ("", "asc", "desc"):
        return None
    return field, direction != "asc"


def build(world: World) -> tuple[APIRouter, Controls]:
    """The imitation's routes and controls, sharing ``world``."""
    router = APIRouter()
    accepted = {DEMO_KEY, *world.extra_keys}

    def records() -> dict:
        return world.vendor(
            VENDOR,
            {
                "pads": {},
                "questions": [_question(*q, when="2024-01-15T09:00:00.000Z") for q in QUESTIONS],
                "next_question": 20000,
                "seq": 0,
                "quota": {"limit": QUOTA, "used": 0},
            },
        )

    records()

    def questions() -> list[dict]:
        """The question bank, less the questions deleted in CoderPad's UI (``archive_test``)."""
        deleted = set(records().setdefault("deleted_questions", []))
        return [q for q in records()["questions"] if q["id"] not in deleted]

    def authorised(request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme == "Token" and value.startswith("token="):
            return value.removeprefix("token=").strip('"') in accepted
        return scheme == "Bearer" and value in accepted  # Postman calls the same key a bearer token

    async def guard(request: Request, *, listing: bool = False) -> Response | None:
        if not authorised(request):
            return _error(401, "Invalid API key")
        return await world.before_api_call(VENDOR, listing=listing)

    def public(pad: dict) -> dict:
        return {k: v for k, v in pad.items() if not k.startswith("_")}

    def touch(pad: dict, kind: str, user: str | None) -> None:
        now = _now(world)
        pad["updated_at"] = now
        records()["seq"] += 1
        pad["_seq"] = records()["seq"]
        who = user or "Someone"
        pad["_events"].append(
            {
                "message": f"{now}: {who} {kind} the pad",
                "kind": kind,
                "metadata": None,
                "user_name": user,
                "user_email": None,
                "created_at": now,
            }
        )
        world.save()

    def join(pad: dict, name: str) -> None:
        if pad["ended_at"] is None and name not in pad["participants"]:
            pad["participants"].append(name)
            touch(pad, "joined", name)

    def end(pad: dict) -> None:
        if pad["ended_at"] is None:
            pad["ended_at"] = _now(world)
            touch(pad, "ended", None)

    def candidate_name(pad: dict) -> str:
        return pad["title"].split(" - ")[0] or "Candidate"

    async def form(request: Request) -> dict[str, str] | None:
        content_type = request.headers.get("Content-Type", "")
        if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            return None
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def page_of(items: list[dict], request: Request, path: str, key: str) -> Response | dict:
        query = request.query_params
        sort = query.get("sort", "created_at,desc")
        order = _sort_key(sort)
        try:
            number = int(query.get("page", 1))
        except ValueError:
            number = 0
        if order is None or number < 1:
            return _error(400, "Bad Request")
        field, reverse = order
        ordered = sorted(items, key=lambda i: (i[field], i.get("_seq", 0), str(i["id"])), reverse=reverse)
        start = (number - 1) * PAGE_LIMIT
        chunk = ordered[start : start + PAGE_LIMIT]

        def link(n: int) -> str:
            return f"{world.public_url}{path}?{urlencode({'sort': sort, 'page': n})}"

        return {
            "status": "OK",
            key: [public(i) for i in chunk],
            "next_page": link(number + 1) if start + PAGE_LIMIT < len(ordered) else None,
            "prev_page": link(number - 1) if number > 1 else None,
            "total": len(ordered),
        }

    @router.get(API + "/quota")
    async def quota(request: Request):
        if failure := await guard(request):
            return failure
        data = records()["quota"]
        return {
            "status": "OK",
            "trial_expires_at": None,
            "pads_used": data["used"],
            "quota_reset_at": "2024-01-01T00:00:00.000Z",
            "unlimited": False,
            "pads_remaining": max(0, data["limit"] - data["used"]),
            "billing_cycle_pad_limit": data["limit"],
        }

    @router.get(API + "/questions")
    @router.get(API + "/questions/")
    async def list_questions(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        return page_of(questions(), request, API + "/questions", "questions")

    @router.get(API + "/questions/{question_id}")
    async def get_question(question_id: str, request: Request):
        if failure := await guard(request):
            return failure
        question = next((q for q in questions() if str(q["id"]) == question_id), None)
        return {"status": "OK", **question} if question else _error(404, "Resource not found")

    @router.get(API + "/pads")
    @router.get(API + "/pads/")
    async def list_pads(request: Request):
        if failure := await guard(request, listing=True):
            return failure
        # The index lags the pads themselves (documented: up to a minute), as set by the faults.
        indexed_by = world.now() - datetime.timedelta(milliseconds=world.faults[VENDOR].index_lag_ms)
        pads = [p for p in records()["pads"].values() if _when(p["created_at"]) <= indexed_by]
        return page_of(pads, request, API + "/pads", "pads")

    @router.post(API + "/pads")
    @router.post(API + "/pads/")
    async def create_pad(request: Request):
        if failure := await guard(request):
            return failure
        fields = await form(request)
        if fields is None:
            return _error(400, "Bad Request: send the pad's fields form-encoded")
        language = fields.get("language") or None
        if language is not None and language not in LANGUAGES:
            return _error(400, f"Bad Request: unsupported language {language!r}")
        question = None
        if fields.get("question_id"):
            question = next((q for q in questions() if str(q["id"]) == fields["question_id"]), None)
            if question is None:
                return _error(404, "Resource not found")
        with world.lock:
            data = records()
            if data["quota"]["used"] >= data["quota"]["limit"]:
                return _error(429, "Over quota")
            pad_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
            while pad_id in data["pads"]:
                pad_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
            now = _now(world)
            data["seq"] += 1
            pad = {
                "id": pad_id,
                "title": fields.get("title") or f"Untitled Pad - {pad_id}",
                "owner_email": OWNER,
                "language": language or (question["language"] if question else "plaintext"),
                "participants": [],
                "contents": fields.get("contents") or (question["contents"] if question else ""),
                "notes": fields.get("notes") or None,
                "events": f"{world.public_url}{API}/pads/{pad_id}/events",
                "private": False,
                "execution_enabled": True,
                "created_at": now,
                "updated_at": now,
                "ended_at": None,
                "url": f"{world.public_url}{PREFIX}/take/{pad_id}",
                "playback": f"{world.public_url}{PREFIX}/playback/{pad_id}",
                "drawing": None,
                "type": "live",
                "question_ids": [question["id"]] if question else [],
                "pad_environment_ids": [],
                "active_environment_id": None,
                "team": {"id": "68264172-5a54-4ac3-962b-cb8d1ad15d05", "name": "Main Team"},
                "_seq": data["seq"],
                "_events": [],
            }
            if question:
                question["used"] += 1
            data["pads"][pad_id] = pad
            data["quota"]["used"] += 1
            world.counters[VENDOR].invitations_created += 1
            world.save()
        await world.before_reply(VENDOR)
        return {"status": "OK", **public(pad)}

    @router.get(API + "/pads/{pad_id}")
    async def get_pad(pad_id: str, request: Request):
        if failure := await guard(request):
            return failure
        pad = records()["pads"].get(pad_id)
        return {"status": "OK", **public(pad)} if pad else _error(404, "Resource not found")

    @router.put(API + "/pads/{pad_id}")
    async def update_pad(pad_id: str, request: Request):
        if failure := await guard(request):
            return failure
        fields = await form(request)
        if fields is None:
            return _error(400, "Bad Request: send the pad's fields form-encoded")
        with world.lock:
            pads = records()["pads"]
            pad = pads.get(pad_id)
            if pad is None:
                return _error(404, "Resource not found")
            if "language" in fields and fields["language"] not in LANGUAGES:
                return _error(400, f"Bad Request: unsupported language {fields['language']!r}")
            for name in ("title", "language", "contents", "notes"):
                if name in fields:
                    pad[name] = fields[name]
            touch(pad, "updated", None)
            if fields.get("ended") == "true":
                end(pad)
            if fields.get("deleted") == "true":
                del pads[pad_id]
                world.save()
        return {"status": "OK", **public(pad)}

    @router.get(API + "/pads/{pad_id}/events")
    async def pad_events(pad_id: str, request: Request):
        if failure := await guard(request, listing=True):
            return failure
        pad = records()["pads"].get(pad_id)
        if pad is None:
            return _error(404, "Resource not found")
        events = list(reversed(pad["_events"]))
        return {"status": "OK", "events": events, "total": len(events)}

    @router.post("/_sandbox/" + VENDOR + "/quota")
    async def set_quota(request: Request):
        """Set the monthly pad quota (``limit``) and what is used of it, as CoderPad's billing would."""
        body = await request.json()
        with world.lock:
            data = records()["quota"]
            for name in ("limit", "used"):
                if isinstance(body.get(name), int):
                    data[name] = body[name]
            world.save()
        return dict(data)

    @router.get(PREFIX + "/take/{pad_id}", response_class=HTMLResponse)
    async def pad_page(pad_id: str):
        pad = records()["pads"].get(pad_id)
        if pad is None:
            return HTMLResponse(_page("Pad not found", "<p>This pad does not exist.</p>"), status_code=404)
        if pad["ended_at"]:
            action = (
                "<p class=done>This interview has ended. Thank you! The hiring team will be in touch.</p>"
            )
        elif not pad["participants"]:
            action = (
                f'<form method="post" action="{PREFIX}/take/{pad_id}/join">'
                f'<label>Your name <input name="name" value="{html.escape(candidate_name(pad))}"></label> '
                "<button>Join interview</button></form>"
            )
        else:
            action = (
                "<p>The interview is live: code together in the editor below.</p>"
                f"<pre>{html.escape(pad['contents'] or '')}</pre>"
                f'<form method="post" action="{PREFIX}/take/{pad_id}/end"><button>End interview</button></form>'
            )
        people = ", ".join(pad["participants"]) or "nobody yet"
        body = (
            f"<p class=muted>CoderPad Interview · sandbox</p><h1>{html.escape(pad['title'])}</h1>"
            f"<p>Language: <code>{html.escape(pad['language'])}</code> · in the pad: {html.escape(people)}</p>"
            f"{action}"
        )
        return _page(pad["title"], body)

    @router.post(PREFIX + "/take/{pad_id}/{step}")
    async def pad_step(pad_id: str, step: str, request: Request):
        pad = records()["pads"].get(pad_id)
        if pad is None or step not in {"join", "end"}:
            return HTMLResponse(_page("Pad not found", "<p>This pad does not exist.</p>"), status_code=404)
        name = candidate_name(pad)
        if step == "join":
            submitted = (await request.form()).get("name")
            name = submitted.strip() if isinstance(submitted, str) and submitted.strip() else name
        with world.lock:
            if step == "join":
                join(pad, name)
            else:
                end(pad)
        return RedirectResponse(f"{PREFIX}/take/{pad_id}", status_code=303)

    @router.get(PREFIX + "/playback/{pad_id}", response_class=HTMLResponse)
    async def playback(pad_id: str):
        pad = records()["pads"].get(pad_id)
        if pad is None:
            return HTMLResponse(_page("No playback", "<p>This pad does not exist.</p>"), status_code=404)
        rows = "".join(
            f"<tr><td>{html.escape(e['created_at'])}</td><td>{html.escape(e['message'])}</td></tr>"
            for e in pad["_events"]
        )
        ended = f"ended {html.escape(pad['ended_at'])}" if pad["ended_at"] else "still open"
        body = (
            f"<p class=muted>CoderPad Interview · playback</p><h1>{html.escape(pad['title'])}</h1>"
            f"<p>Interview {ended} · participants: {html.escape(', '.join(pad['participants']) or 'none')}</p>"
            f"<pre>{html.escape(pad['contents'] or '')}</pre>"
            f"<table><tr><th>When</th><th>What happened</th></tr>{rows}</table>"
        )
        return _page("Playback", body)

    class InterviewControls:
        def act(self, vendor_attempt_id: str, step: str) -> dict | None:
            pad = records()["pads"].get(vendor_attempt_id)
            if pad is None or step not in {"start", "submit", "expire"}:
                return None
            if step == "start":
                join(pad, candidate_name(pad))
            elif step == "submit":
                end(pad)
            # "expire": CoderPad pads have no expiry; the pad stays as it is.
            return {"status": "OK", **public(pad)}

        def add_tests(self, count: int) -> int:
            data = records()
            when = _now(world)
            for _ in range(count):
                number = data["next_question"]
                data["next_question"] += 1
                data["questions"].append(
                    _question(number, f"Generated question {number}", "python", "live", False, when)
                )
            world.save()
            return len(data["questions"])

        def archive_test(self, test_id: str, archived: bool = True) -> bool:
            """Delete the question ``test_id`` names (or bring it back), as in CoderPad's question bank."""
            if not any(str(q["id"]) == test_id for q in records()["questions"]):
                return False
            kept = [i for i in records().setdefault("deleted_questions", []) if str(i) != test_id]
            records()["deleted_questions"] = [*kept, int(test_id)] if archived else kept
            world.save()
            return True

        def set_webhook(self, url: str, secret: str) -> None:
            """CoderPad Interview has no webhooks for pads: nothing to configure."""

    return router, InterviewControls()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:720px;margin:48px auto;padding:0 16px;color:#1f2430}}
button{{background:#1b6ef3;color:#fff;border:0;border-radius:6px;padding:10px 18px;font-size:15px;cursor:pointer}}
input{{padding:8px;font-size:15px}} pre{{background:#f4f5f7;padding:12px;border-radius:6px}}
.muted{{color:#6b7280;font-size:13px}} .done{{color:#0a7a3d;font-weight:600}}
table{{border-collapse:collapse}} td,th{{border-bottom:1px solid #e5e7eb;padding:6px 12px;text-align:left}}</style>
</head><body>{body}</body></html>"""
