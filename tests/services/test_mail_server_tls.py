"""The outbox's mail server over TLS: its certificate checked, or nothing (and no password) goes.

helper-116: ``smtp+starttls://`` took any certificate (smtplib's default context checks none), so
whoever could sit between Assay and its mail server read the password and every email; an
``smtps://`` URL was taken for plain SMTP.
"""

import contextlib
import logging
import re
import ssl

import pytest
from aiosmtpd.controller import Controller
from pydantic import ValidationError
from sqlmodel import select

from dashboard.services import accounts, notify
from dashboard.settings import Settings, get_settings
from models import OutboxMessage, Role
from tests.http_server import free_port, self_signed_certificate


class _Inbox:
    def __init__(self) -> None:
        self.rcpt_tos: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.rcpt_tos += envelope.rcpt_tos
        return "250 OK"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (no authority anyone trusts): its files, cert and key."""
    return self_signed_certificate(tmp_path_factory.mktemp("mail-tls"), "mail.assay.test")


@contextlib.contextmanager
def _tls_mail_server(certificate, scheme: str):
    """A mail server on loopback with the certificate, by STARTTLS or TLS from the start, Assay's
    outbox pointed at it with a user and password; yields what it received."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inbox, port = _Inbox(), free_port()
    options = (
        {"tls_context": context, "require_starttls": True}
        if scheme == "smtp+starttls"
        else {"ssl_context": context}
    )
    server = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    server.start()
    settings = get_settings()
    previous = settings.smtp_url
    settings.smtp_url = f"{scheme}://127.0.0.1:{port}"
    try:
        yield inbox
    finally:
        settings.smtp_url = previous
        server.stop()


@pytest.fixture
def an_email_waiting(session) -> None:
    accounts.create_user(session=session, email="riley@example.com", name="Riley", role=Role.RECRUITER)
    session.add(
        OutboxMessage(dedupe_key="tls-walk", to_address="riley@example.com", subject="Hello", body="Hi")
    )
    session.commit()


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_a_mail_server_whose_certificate_is_not_trusted_is_given_nothing(
    session, certificate, an_email_waiting, scheme, monkeypatch
):
    # The mail server logs Assay walking out of the handshake as an error of its own: expected here.
    monkeypatch.setattr(logging.getLogger("mail.log"), "disabled", True)
    with _tls_mail_server(certificate, scheme) as inbox:
        sent = notify.deliver_outbox(session)

    [waiting] = session.exec(select(OutboxMessage)).all()
    assert (sent, inbox.rcpt_tos, waiting.sent_at) == (0, [], None)
    assert "CERTIFICATE_VERIFY_FAILED" in (waiting.error or "")


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_a_mail_server_whose_certificate_is_trusted_gets_the_email(
    session, certificate, an_email_waiting, scheme, monkeypatch
):
    """Trusted the usual way (``SSL_CERT_FILE``: a company's own authority): it is the check
    that refused the other, not TLS itself."""
    monkeypatch.setenv("SSL_CERT_FILE", certificate[0])
    with _tls_mail_server(certificate, scheme) as inbox:
        sent = notify.deliver_outbox(session)

    assert (sent, inbox.rcpt_tos) == (1, ["riley@example.com"])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtpz://mail.example.com", "smtp://, smtp+starttls:// or smtps://"),
        ("smtp://assay:secret@mail.example.com:587", "smtp+starttls:// or smtps://"),
    ],
)
def test_a_mail_server_address_that_would_not_work_or_would_send_the_password_in_clear_is_refused(url, says):
    with pytest.raises(ValidationError, match=re.escape(says)) as refused:
        Settings(smtp_url=url)
    assert url not in str(refused.value)  # helper-135: the password it carried was printed at start
    assert Settings(smtp_url="smtp://assay:secret@127.0.0.1:2525").smtp_url  # a relay on this machine


def test_a_mail_server_address_whose_password_holds_a_hash_unencoded_is_refused_without_it():
    """helper-149: "s3cr#et" read as a port ("s3cr") was refused by the outbox's run, every
    run, in a traceback quoting the password's first half; the outbox said "Waiting to be sent"."""
    with pytest.raises(ValidationError, match="percent-encode") as refused:
        Settings(smtp_url="smtp+starttls://assay:s3cr#et@mail.example.com:587")
    assert "s3cr" not in str(refused.value)
    assert Settings(smtp_url="smtp+starttls://assay:s3cr%23et@mail.example.com:587").smtp_url
