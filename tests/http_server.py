"""Serve an ASGI app on a loopback port in a background thread, for tests.

Besides ``serving`` itself: ``answering`` builds a stand-in vendor from a function of
the request, and ``capturing`` is a webhook receiver recording what a vendor delivers.
"""

import contextlib
import dataclasses
import datetime
import ipaddress
import json
import pathlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import httpx
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

PROBE = "/probe"  # the path ``serving`` is probed on by the helpers below; never recorded by ``capturing``


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed_certificate(folder: pathlib.Path, name: str = "127.0.0.1") -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no authority signed (its own, so it can be trusted alone:
    ``SSL_CERT_FILE``), and its key: the files' paths, for ``serving(tls=...)`` and mail servers."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = folder / "cert.pem", folder / "key.pem"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(certificate_file), str(key_file)


@contextlib.contextmanager
def serving(
    app, *, port: int | None = None, probe: str = "/", tls: tuple[str, str] | None = None
) -> Iterator[str]:
    """Run ``app`` under uvicorn until the block ends; yields its base URL (https with ``tls``,
    the files of its certificate and key)."""
    port = port or free_port()
    certificate, key = tls or (None, None)
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", ssl_certfile=certificate, ssl_keyfile=key
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url + probe, timeout=2)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclasses.dataclass(frozen=True)
class Request:
    """One HTTP request, read whole, as a stand-in vendor saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # names in lower case
    body: bytes

    def json(self) -> Any:
        """The body as JSON; None when there is no body."""
        return json.loads(self.body) if self.body else None


def answering(reply: Callable[[Request], tuple]):
    """An ASGI app that answers each HTTP request with what ``reply(request)`` returns.

    ``reply`` returns ``(status, body)`` or ``(status, body, content_type)``: a body of
    bytes or text is sent as it is, anything else as JSON; the content type defaults to
    ``application/json``. Being a plain function, ``reply`` can also record the request.
    """

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = Request(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode(),
            headers={k.decode().lower(): v.decode() for k, v in scope["headers"]},
            body=body,
        )
        status, content, *content_type = reply(request)
        if isinstance(content, str):
            content = content.encode()
        elif not isinstance(content, bytes):
            content = json.dumps(content).encode()
        headers = [(b"content-type", (content_type or ["application/json"])[0].encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    return app


class Delivery(NamedTuple):
    """One webhook delivery: its headers (names in lower case) and raw body."""

    headers: dict[str, str]
    body: bytes


@dataclasses.dataclass
class Capture:
    """A webhook receiver on loopback: its URL, and what was delivered to it so far."""

    url: str
    deliveries: list[Delivery]

    def wait(self, count: int = 1, seconds: float = 10) -> list[Delivery]:
        """The deliveries, once there are ``count`` of them or ``seconds`` have passed.

        Vendors (and the sandbox) post webhooks from a background thread, so a test
        waits for them instead of reading the list right after acting.
        """
        deadline = time.monotonic() + seconds
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.deliveries)


@contextlib.contextmanager
def capturing(path: str = "/hook") -> Iterator[Capture]:
    """Serve a webhook receiver that records every delivery and answers 200 ``{}``.

    Args:
        path: What follows the base URL in ``Capture.url`` (path and query), so that
            the URL looks like the one Assay gives vendors where a test needs it to.
    """
    deliveries: list[Delivery] = []
    lock = threading.Lock()

    def record(request: Request) -> tuple[int, bytes]:
        if request.path != PROBE:
            with lock:
                deliveries.append(Delivery(request.headers, request.body))
        return 200, b"{}"

    with serving(answering(record), probe=PROBE) as url:
        yield Capture(url + path, deliveries)
