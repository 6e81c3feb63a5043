"""Vendor webhooks and a health check, mounted into the Reflex backend.

A webhook is authenticated and stored before the vendor gets its answer; it is
applied right after, off the request, so the vendor is answered fast.
"""

from __future__ import annotations

import asyncio
import logging
import os
import urllib.parse

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import text

from dashboard.api.applier import WebhookApplier
from dashboard.routes import SESSION_API
from dashboard.services import accounts, assessments, webhooks
from dashboard.services.errors import NotFound, UserError
from dashboard.services.permissions import PermissionDenied
from dashboard.settings import from_assays_pages, get_settings, served_over_https, session_cookie
from dashboard.states import live
from models import new_session

log = logging.getLogger(__name__)


def _drain(integration_id: int) -> None:
    with new_session() as session:
        webhooks.apply_pending(session=session, integration_id=integration_id)


# Applies what the route stored, off the request; process-wide (see dashboard.api.applier).
applier = WebhookApplier(_drain)


# The largest delivery taken (a vendor's batch of results is some kilobytes): a larger body is
# refused before it is held in memory, whoever sends it, for it is read before it is authenticated.
LARGEST_DELIVERY = 4 * 1024 * 1024


async def _body_within(request: Request, limit: int) -> bytes | None:
    """The request's body, or None if it is over ``limit`` bytes (said or found while reading)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def receive_webhook(vendor: str, integration_id: int, request: Request) -> JSONResponse:
    """``POST /api/webhooks/<vendor>/<integration id>?token=...``."""
    body = await _body_within(request, LARGEST_DELIVERY)
    if body is None:
        return JSONResponse({"message": "The delivery is too large (4 MiB at most)."}, status_code=413)
    token = request.query_params.get("token", "")
    headers = {k.lower(): v for k, v in request.headers.items()}

    def store() -> webhooks.Receipt:
        with new_session() as session:
            return webhooks.receive(
                session=session,
                vendor=vendor,
                integration_id=integration_id,
                token=token,
                headers=headers,
                body=body,
            )

    receipt = await asyncio.to_thread(store)
    if receipt.delivery_id is not None:
        applier.delivered(integration_id)
    return JSONResponse({"message": receipt.message}, status_code=receipt.status_code)


def _not_from_assays_pages(request: Request) -> JSONResponse | None:
    """A refusal for a session request no page of Assay's sent: another site's form (a plain-text
    body shaped as JSON, to sign the visitor in as someone else) or script (to sign them out)."""
    if not from_assays_pages(request.headers.get("origin", "")):
        return JSONResponse({"message": "Sign in from Assay's own sign-in page."}, status_code=403)
    return None


async def start_session(request: Request) -> Response:
    """``POST /api/session`` with ``{"code": ...}`` (JSON, from one of Assay's pages): the one-time
    code a sign-in (or a password change) gave the page, traded for the session's cookie, HttpOnly
    (no script on the page can read it), sent only over HTTPS where Assay is served so, and kept
    no longer than the session lasts."""
    if refused := _not_from_assays_pages(request):
        return refused
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return JSONResponse({"message": "Send the sign-in's code as JSON."}, status_code=415)
    try:
        code = (await request.json()).get("code", "")
    except (ValueError, AttributeError):
        code = ""

    def claim() -> str | None:
        with new_session() as session:
            return accounts.claim_handoff(session=session, code=code if isinstance(code, str) else "")

    token = await asyncio.to_thread(claim)
    if token is None:
        return JSONResponse(
            {"message": "That sign-in has expired or was used: sign in again."}, status_code=401
        )
    public_url = get_settings().public_url
    answer = Response(status_code=204)
    answer.set_cookie(
        session_cookie(public_url),
        token,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=served_over_https(public_url),
    )
    return answer


async def end_session(request: Request) -> Response:
    """``DELETE /api/session`` (from one of Assay's pages): the session ended on the server and its
    cookie taken off the browser."""
    if refused := _not_from_assays_pages(request):
        return refused
    public_url = get_settings().public_url
    token = request.cookies.get(session_cookie(public_url), "")

    def end() -> None:
        with new_session() as session:
            accounts.sign_out(session=session, token=token)

    if token:
        await asyncio.to_thread(end)
    answer = Response(status_code=204)
    answer.delete_cookie(
        session_cookie(public_url),
        path="/",
        httponly=True,
        samesite="lax",
        secure=served_over_https(public_url),
    )
    return answer


async def report_pdf(attempt_id: int, request: Request) -> Response:
    """``GET /api/reports/<attempt id>.pdf``: the vendor's PDF, for a signed-in member of the job's team."""
    token = request.cookies.get(session_cookie(get_settings().public_url), "")

    def fetch() -> tuple[str, bytes] | None:
        with new_session() as session:
            user = accounts.signed_in_user(session=session, token=token)
            if user is None:
                return None
            return assessments.report_pdf(session=session, attempt_id=attempt_id, user=user)

    try:
        found = await asyncio.to_thread(fetch)
    except PermissionDenied as err:
        return JSONResponse({"message": str(err)}, status_code=403)
    except NotFound as err:
        return JSONResponse({"message": str(err)}, status_code=404)
    except UserError as err:
        return JSONResponse({"message": str(err)}, status_code=502)
    if found is None:  # signed out, or the session ended: told before anything about the attempt
        return JSONResponse({"message": "Sign in to Assay to open this report."}, status_code=401)
    filename, pdf = found
    disposition = f"inline; filename*=UTF-8''{urllib.parse.quote(filename)}"
    return Response(pdf, media_type="application/pdf", headers={"Content-Disposition": disposition})


async def health() -> JSONResponse:
    """Liveness plus a database round trip; ``live_pages``: this worker's open pages kept live."""

    def check() -> None:
        with new_session() as session:
            session.exec(text("SELECT 1"))

    await asyncio.to_thread(check)
    return JSONResponse({"status": "ok", "worker": os.getpid(), "live_pages": live.watch().waiting})


def build_api() -> FastAPI:
    """The FastAPI app Reflex mounts its own routes under."""
    api = FastAPI(title="Assay API", docs_url=None, redoc_url=None, openapi_url=None)
    api.add_api_route("/api/webhooks/{vendor}/{integration_id}", receive_webhook, methods=["POST"])
    api.add_api_route(SESSION_API, start_session, methods=["POST"])
    api.add_api_route(SESSION_API, end_session, methods=["DELETE"])
    api.add_api_route("/api/reports/{attempt_id}.pdf", report_pdf, methods=["GET"])
    api.add_api_route("/api/health", health, methods=["GET"])
    return api
