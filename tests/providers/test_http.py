"""The shared HTTP layer: pacing under a vendor's rate limit, retries only where safe."""

import itertools
import time

import pytest

from providers.base import VendorFailure
from providers.http import VendorClient, WireRules
from tests.http_server import serving


async def _counting_app(scope, receive, send):
    if scope["type"] != "http":
        return
    _counting_app.calls.append((scope["method"], time.monotonic()))
    status = 503 if scope["path"] == "/down" else 200
    await send(
        {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
    )
    await send({"type": "http.response.body", "body": b"{}"})


_counting_app.calls = []


@pytest.fixture
def server():
    _counting_app.calls.clear()
    with serving(_counting_app, probe="/probe") as url:
        _counting_app.calls.clear()
        yield url


def test_requests_keep_under_the_vendors_rate_limit_in_every_second(server, monkeypatch):
    monkeypatch.setenv("ASSAY_VENDOR_PACING", "on")
    client = VendorClient(rules=WireRules(vendor_name="Vendor", requests_per_second=10), base_url=server)

    for _ in range(14):
        client.call("GET", "/ok")

    times = [t for _method, t in _counting_app.calls]
    # A burst up to the limit goes at once; the eleventh waits for the first to leave the window.
    assert times[9] - times[0] < 0.5
    assert min(times[i + 10] - times[i] for i in range(len(times) - 10)) >= 0.95  # window 1.05 s


def test_a_fractional_rate_rounds_down_within_the_second(server, monkeypatch):
    monkeypatch.setenv("ASSAY_VENDOR_PACING", "on")
    client = VendorClient(rules=WireRules(vendor_name="Vendor", requests_per_second=1.5), base_url=server)

    for _ in range(3):
        client.call("GET", "/ok")

    times = [t for _method, t in _counting_app.calls]
    # 1.5 a second allows one in any second, never two (arrival times: a little slack).
    assert min(later - earlier for earlier, later in itertools.pairwise(times)) >= 0.95


def test_a_write_is_not_retried_but_a_read_is(server):
    client = VendorClient(rules=WireRules(vendor_name="Vendor"), base_url=server, attempts=3)

    with pytest.raises(VendorFailure, match="503"):
        client.call("POST", "/down")
    posts = len(_counting_app.calls)
    with pytest.raises(VendorFailure, match="503"):
        client.call("GET", "/down")

    assert posts == 1 and len(_counting_app.calls) - posts == 3
