"""The two servers ``bench/webhooks.py`` compares, each run in its own process by it.

``assay``: Assay's real API (``dashboard.api.routes.build_api()``: webhooks and health) on
the database, data dir and sandbox named by the environment (``REFLEX_DB_URL``,
``ASSAY_DATA_DIR``, ``ASSAY_SANDBOX_URL``), as the Reflex backend mounts it.
``bare``: a Starlette endpoint that reads the body and answers 200, the floor of the
same machine, server and client.

Not a benchmark itself: ``python bench/webhook_servers.py assay|bare PORT``.
"""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def _bare(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"message": "Accepted."})


def bare_app() -> Starlette:
    async def health(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/api/webhooks/{vendor}/{integration_id}", _bare, methods=["POST"]),
            Route("/api/health", health),
        ]
    )


def assay_app():
    from dashboard.api.routes import build_api
    from dashboard.settings import get_settings
    from models import init_engine

    init_engine(get_settings().db_url)
    return build_api()


if __name__ == "__main__":
    kind, port = sys.argv[1], int(sys.argv[2])
    app = assay_app() if kind == "assay" else bare_app()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
