"""The sandbox server: every vendor imitation plus the ``/_sandbox`` control API."""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import pkgutil
from types import ModuleType

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import providers.sandbox as sandbox_package
from providers.sandbox.world import Controls, Faults, ReplyFaults, World


def _discover() -> dict[str, ModuleType]:
    """Every imitation module: each defines VENDOR (the provider's key), DEMO_KEY,
    DEMO_OPTIONS and build(world) -> (APIRouter, Controls)."""
    found = {}
    for info in pkgutil.iter_modules(sandbox_package.__path__):
        if info.name in ("server", "world", "__main__"):
            continue
        module = importlib.import_module(f"providers.sandbox.{info.name}")
        if hasattr(module, "build") and hasattr(module, "VENDOR"):
            found[module.VENDOR] = module
    return found


IMITATIONS = _discover()


def build_app(*, state_file: str | None = None, public_url: str = "http://127.0.0.1:8700") -> FastAPI:
    """A sandbox app; ``public_url`` is where candidates' browsers reach it."""
    world = World(public_url=public_url, state_file=state_file)
    app = FastAPI(title="Assay vendor sandbox", docs_url=None, redoc_url=None)
    app.add_middleware(ReplyFaults, world=world)  # for ``reset_replies`` and ``reply_delay_ms``
    controls: dict[str, Controls] = {}
    for vendor, module in IMITATIONS.items():
        router, controls[vendor] = module.build(world)
        app.include_router(router)

    def unknown(vendor: str) -> JSONResponse:
        return JSONResponse({"message": f"unknown vendor {vendor!r}"}, status_code=404)

    @app.post("/_sandbox/{vendor}/attempts/{vendor_attempt_id}/{step}")
    async def act(vendor: str, vendor_attempt_id: str, step: str):
        """Play the candidate (start, submit; HackerRank's also under_another_email) or the clock
        (expire) on one attempt."""
        if vendor not in controls:
            return unknown(vendor)
        with world.lock:
            shown = controls[vendor].act(vendor_attempt_id, step)
        if shown is None:
            return JSONResponse(
                {"message": f"no attempt {vendor_attempt_id} or step {step}"}, status_code=404
            )
        return shown

    @app.post("/_sandbox/{vendor}/catalog")
    async def catalog(vendor: str, request: Request):
        """Grow the vendor's test catalog by ``extra_tests`` generated tests, or archive the test
        ``archive`` names (or delete the live-interview template it names), as an admin does in the
        vendor's own UI: it leaves the listing, and sending it is refused; ``restore`` brings one back."""
        if vendor not in controls:
            return unknown(vendor)
        body = await request.json()
        if "archive" in body or "restore" in body:
            archive = getattr(controls[vendor], "archive_test", None)
            if archive is None:
                return JSONResponse(
                    {"message": f"{vendor}'s imitation cannot archive tests"}, status_code=404
                )
            test_id = str(body.get("archive", body.get("restore")))
            with world.lock:
                found = archive(test_id, archived="archive" in body)
            if not found:
                return JSONResponse({"message": f"no test {test_id}"}, status_code=404)
            return {"archived" if "archive" in body else "restored": test_id}
        with world.lock:
            total = controls[vendor].add_tests(int(body.get("extra_tests", 0)))
        return {"tests": total}

    @app.post("/_sandbox/{vendor}/webhook")
    async def webhook(vendor: str, request: Request):
        """Set the account's webhook URL and secret, as an admin does in the vendor's UI."""
        if vendor not in controls:
            return unknown(vendor)
        body = await request.json()
        with world.lock:
            controls[vendor].set_webhook(str(body.get("url") or ""), str(body.get("secret") or ""))
        return {"ok": True}

    @app.post("/_sandbox/faults")
    async def set_faults(request: Request):
        """Replace one vendor's faults: drop/duplicate/reorder webhooks, latency, queued failures
        (a status, a reset connection, a stall), reset replies. See ``Faults``."""
        body = await request.json()
        vendor = body.pop("vendor", None)
        if vendor not in world.faults:
            return JSONResponse({"message": f"unknown vendor {vendor!r}"}, status_code=404)
        known = {f.name for f in dataclasses.fields(Faults)}
        world.set_faults(vendor, Faults(**{k: v for k, v in body.items() if k in known}))
        return dataclasses.asdict(world.faults[vendor])

    @app.get("/_sandbox/{vendor}/faulted-replies")
    async def faulted_replies(vendor: str):
        """The bodies of the vendor's replies that a fault delayed or cut, oldest first: what a
        caller that gave up never read (the id of an invitation created in spite of a timeout)."""
        if vendor not in controls:
            return unknown(vendor)
        return world.faulted_replies.get(vendor, [])

    @app.post("/_sandbox/clock")
    async def clock(request: Request):
        """Stop the vendors' clock at ``at`` (ISO 8601, with its zone), or start it again (``null``)."""
        body = await request.json()
        at = body.get("at")
        try:
            moment = datetime.datetime.fromisoformat(at) if at else None
        except (TypeError, ValueError):
            return JSONResponse({"message": "at must be an ISO 8601 time or null"}, status_code=400)
        if moment is not None and moment.tzinfo is None:
            return JSONResponse({"message": "at must carry its time zone"}, status_code=400)
        world.stop_clock(moment)
        return {"at": world.stopped_at.isoformat() if world.stopped_at else None}

    @app.post("/_sandbox/reset")
    async def reset():
        """Forget every record, fault and counter, and start a stopped clock again."""
        world.reset()
        return {"reset": True}

    @app.get("/_sandbox/stats")
    async def stats():
        """Per-vendor counters: invitations created, requests, webhooks sent, dropped, held and
        in flight, injected failures and reset connections."""
        return {vendor: dataclasses.asdict(counters) for vendor, counters in world.counters.items()}

    return app
