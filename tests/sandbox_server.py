"""The vendor sandbox on a free loopback port, for the duration of a block."""

import contextlib
from collections.abc import Iterator

from providers.sandbox.server import build_app
from tests.http_server import free_port, serving


@contextlib.contextmanager
def running_sandbox(*, state_file: str | None = None) -> Iterator[str]:
    """Yields the sandbox's base URL (where its candidate links point too)."""
    port = free_port()
    app = build_app(state_file=state_file, public_url=f"http://127.0.0.1:{port}")
    with serving(app, port=port, probe="/_sandbox/stats") as url:
        yield url
