"""Slack and e-mail handoffs: a real aiosmtpd server and a real aiohttp "Slack" receiver,
driven by the outbox worker on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy.orm import Session, sessionmaker

from bot.handoff.delivery import deliver_due
from bot.handoff.targets import (
    EmailTarget,
    SlackTarget,
    Target,
    WebhookTarget,
    message_id,
    targets_from_settings,
)
from bot.settings import SettingsError, load_settings
from bot.store import (
    AnswerInput,
    Handoff,
    ensure_conversation,
    record_answers,
    request_handoff,
    session_scope,
    set_score,
    set_status,
)
from tests.receivers import Receiver, free_port, running_receiver
from tests.unit.repo_policies import POLICIES

T0 = datetime(2025, 3, 3, 10, 0, tzinfo=timezone.utc)  # a Monday
ROUTING = POLICIES.routing
SECRET = "s3cret"
SENDER = "leadbot@example.com"
OWNER = "dana"
HOSTILE_NEED = "<script>alert(1)</script> @channel *urgent* <https://evil.example|click> & co"
Factory = sessionmaker[Session]


# ---------------------------------------------------------------------------- SMTP server
@dataclass
class Mailbox:
    """What a real aiosmtpd server accepted; answers `codes` in turn to DATA, then 250."""

    port: int
    codes: list[str] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    envelopes: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    def messages(self) -> list[EmailMessage]:
        parsed = []
        for _, _, content in self.envelopes:
            message = message_from_bytes(content, policy=email_policy.default)
            assert isinstance(message, EmailMessage)
            parsed.append(message)
        return parsed

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.codes:
            return self.codes.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.logins.append(login)
        return AuthResult(success=login == ("bot", "pw"))


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port,
                            authenticator=box.authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def slack() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def crm() -> Iterator[Receiver]:
    with running_receiver() as receiver:
        yield receiver


def email_target(box: Mailbox, recipients: list[str] | None = None) -> EmailTarget:
    return EmailTarget("127.0.0.1", box.port, "bot", "pw", starttls=False, sender=SENDER,
                       recipients=recipients or [])


# ---------------------------------------------------------------------------- helpers
def hostile_lead(factory: Factory, sender: str = "h1", owner: str | None = OWNER) -> int:
    """A qualified lead whose answers try HTML, Slack mrkdwn and mentions; its handoff id."""
    with session_scope(factory) as session:
        ensure_conversation(session, sender, at=T0)
        lead = record_answers(session, [
            AnswerInput(sender, "name", "Eve <b>Mallory</b>", "Eve <b>Mallory</b>", "m1", T0),
            AnswerInput(sender, "company", "Acme & <Sons>", "Acme & <Sons>", "m2",
                        T0 + timedelta(seconds=1)),
            AnswerInput(sender, "need", HOSTILE_NEED, HOSTILE_NEED, "m3",
                        T0 + timedelta(seconds=2)),
        ])
        set_score(session, lead, {"fit": 70, "engagement": 40, "total": 61, "band": "hot",
                                  "reasons": [{"rule": "fit.need", "points": 10,
                                               "detail": "need stated"}]})
        set_status(session, lead, "qualified", ["need <i>stated</i>"])
        return request_handoff(session, lead, "qualified", owner=owner).id


def key_of(factory: Factory, handoff_id: int) -> str:
    with session_scope(factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return handoff.idempotency_key


def deliveries(factory: Factory, handoff_id: int) -> tuple[str, list[tuple[str, str, int]]]:
    with session_scope(factory) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return handoff.status, sorted((d.target, d.status, d.attempts)
                                      for d in handoff.deliveries)


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


# ---------------------------------------------------------------------------- e-mail
def test_one_email_per_handoff_to_the_owner_escaped(
    session_factory: Factory, mailbox: Mailbox
) -> None:
    handoff_id = hostile_lead(session_factory)
    target = email_target(mailbox)

    assert deliver_due(session_factory, [target], ROUTING, T0) == 1
    assert deliver_due(session_factory, [target], ROUTING, T0 + timedelta(hours=1)) == 0

    assert len(mailbox.envelopes) == 1
    owner_email = POLICIES.routing.owner(OWNER).email
    mail_from, rcpt_tos, _ = mailbox.envelopes[0]
    assert (mail_from, rcpt_tos) == (SENDER, [owner_email])
    assert mailbox.logins == [("bot", "pw")]
    [message] = mailbox.messages()
    key = key_of(session_factory, handoff_id)
    assert message["Idempotency-Key"] == key
    assert message["Message-ID"] == message_id(key, SENDER)
    assert message["To"] == owner_email and message["From"] == SENDER
    assert message.get_content_type() == "multipart/alternative"
    assert "Eve" in message["Subject"] and "\n" not in message["Subject"]
    text, html = parts(message)
    assert HOSTILE_NEED in text  # the text part shows the visitor's words as given
    assert "<script>" not in html and "<b>Mallory" not in html and "<Sons>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Acme &amp; &lt;Sons&gt;" in html
    assert deliveries(session_factory, handoff_id) == ("delivered", [("email", "delivered", 1)])


def test_a_resent_email_has_the_same_message_id_and_goes_to_configured_recipients(
    session_factory: Factory, mailbox: Mailbox
) -> None:
    mailbox.codes = ["451 try again later"]
    handoff_id = hostile_lead(session_factory)
    target = email_target(mailbox, ["sales@example.com", "crm-inbox@example.org"])

    assert deliver_due(session_factory, [target], ROUTING, T0) == 0
    assert deliveries(session_factory, handoff_id) == ("pending", [("email", "pending", 1)])
    assert deliver_due(session_factory, [target], ROUTING, T0 + timedelta(minutes=11)) == 1

    [(_, rcpt_tos, _)] = mailbox.envelopes
    assert rcpt_tos == ["sales@example.com", "crm-inbox@example.org"]
    [message] = mailbox.messages()
    key = key_of(session_factory, handoff_id)
    assert message["Message-ID"] == message_id(key, SENDER)  # as the refused first attempt
    assert message["Idempotency-Key"] == key


def test_starttls_against_a_server_without_it_fails_and_is_retried(
    session_factory: Factory, mailbox: Mailbox
) -> None:
    handoff_id = hostile_lead(session_factory)
    target = EmailTarget("127.0.0.1", mailbox.port, starttls=True, sender=SENDER)
    assert deliver_due(session_factory, [target], ROUTING, T0) == 0
    assert mailbox.envelopes == []
    assert deliveries(session_factory, handoff_id) == ("pending", [("email", "pending", 1)])


# ---------------------------------------------------------------------------- Slack
def test_slack_gets_valid_block_kit_with_visitor_text_escaped(
    session_factory: Factory, slack: Receiver
) -> None:
    handoff_id = hostile_lead(session_factory)
    assert deliver_due(session_factory, [SlackTarget(slack.url)], ROUTING, T0) == 1
    assert deliver_due(session_factory, [SlackTarget(slack.url)], ROUTING,
                       T0 + timedelta(hours=1)) == 0

    [request] = slack.received
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Idempotency-Key"] == key_of(session_factory, handoff_id)
    message = request.json
    assert isinstance(message["text"], str) and message["text"]
    blocks = message["blocks"]
    assert isinstance(blocks, list) and 0 < len(blocks) <= 50
    for block in blocks:
        assert block["type"] in {"header", "section", "context", "divider", "actions"}
    texts = json.dumps(message, ensure_ascii=False)
    assert "<script>" not in texts and "<https://evil" not in texts and "<b>" not in texts
    assert "@channel" not in texts  # broken up so it cannot notify the channel
    assert "*urgent*" not in texts  # no formatting injected
    assert "&lt;script&gt;" in texts and "Acme &amp; &lt;Sons&gt;" in texts
    owner = POLICIES.routing.owner(OWNER)
    assert f"<@{owner.slack_id}>" in texts  # our own mention of the owner stays a mention
    assert deliveries(session_factory, handoff_id) == ("delivered", [("slack", "delivered", 1)])


def test_a_non_2xx_slack_answer_is_retried(session_factory: Factory, slack: Receiver) -> None:
    handoff_id = hostile_lead(session_factory)
    missing = f"http://127.0.0.1:{slack.port}/no-such-hook"  # the receiver answers 404
    assert deliver_due(session_factory, [SlackTarget(missing)], ROUTING, T0) == 0
    status, [(name, state, attempts)] = deliveries(session_factory, handoff_id)
    assert (status, name, state, attempts) == ("pending", "slack", "pending", 1)


# ---------------------------------------------------------------------------- all three
def test_the_worker_delivers_to_webhook_slack_and_email_once_each(
    session_factory: Factory, crm: Receiver, slack: Receiver, mailbox: Mailbox
) -> None:
    handoff_id = hostile_lead(session_factory, owner=None)  # routed when the payload is built
    targets: list[Target] = [
        WebhookTarget(crm.url, SECRET), SlackTarget(slack.url), email_target(mailbox)]

    assert deliver_due(session_factory, targets, ROUTING, T0) == 3
    assert deliver_due(session_factory, targets, ROUTING, T0 + timedelta(hours=1)) == 0

    key = key_of(session_factory, handoff_id)
    assert len(crm.received) == len(slack.received) == len(mailbox.envelopes) == 1
    webhook = crm.received[0]
    assert webhook.signed_with(SECRET)
    body = webhook.json
    assert webhook.headers["Idempotency-Key"] == key == body["idempotency_key"]
    assert not [k for k in body if k.startswith("_")]
    owner = POLICIES.routing.owner(body["owner"]["id"])
    assert body["owner"]["email"] == owner.email
    assert HOSTILE_NEED in body["summary"]  # JSON carries the raw text; JSON escapes it
    assert slack.received[0].headers["Idempotency-Key"] == key
    [message] = mailbox.messages()
    assert message["Idempotency-Key"] == key
    assert mailbox.envelopes[0][1] == [owner.email]
    assert deliveries(session_factory, handoff_id) == ("delivered", [
        ("email", "delivered", 1), ("slack", "delivered", 1), ("webhook", "delivered", 1)])


# ---------------------------------------------------------------------------- settings
def test_settings_add_slack_and_email_targets(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "none.env"))
    settings = load_settings(
        handoff_webhook_url="https://crm.example.com/in",
        slack_webhook_url="https://hooks.slack.com/services/T/B/x",
        smtp_host="smtp.example.com", smtp_from=SENDER, smtp_to="a@example.com, b@example.org",
        smtp_starttls="false", handoff_file="var/h.jsonl",
    )
    targets = targets_from_settings(settings)
    assert [t.name for t in targets] == ["webhook", "slack", "email", "file"]
    email = targets[2]
    assert isinstance(email, EmailTarget)
    assert (email.port, email.starttls, email.recipients) == (
        587, False, ["a@example.com", "b@example.org"])
    defaults = load_settings()
    assert (defaults.smtp_port, defaults.smtp_starttls, defaults.smtp_recipients) == (
        587, True, [])

    wrong = {
        "SLACK_WEBHOOK_URL": {"slack_webhook_url": "hooks.slack.com/x"},
        "SMTP_FROM": {"smtp_host": "smtp.example.com"},
        "SMTP_TO": {"smtp_to": "sales@example.com, nobody"},
        "SMTP_PORT": {"smtp_port": "0"},
        "SMTP_STARTTLS": {"smtp_starttls": "maybe"},
        "SMTP_HOST": {"smtp_host": "smtp example com"},
    }
    for name, values in wrong.items():
        with pytest.raises(SettingsError, match=f"^{name}: ") as error:
            load_settings(**values)
        assert "\n" not in str(error.value)


# ---------------------------------------------------------------------------- TLS and repeats
@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_mailbox(authority: trustme.CA) -> Iterator[Mailbox]:
    """A real SMTP server speaking TLS from the first byte (as on port 465)."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port,
                            ssl_context=server_context, authenticator=box.authenticate,
                            # aiosmtpd counts only STARTTLS as TLS when guarding AUTH
                            auth_require_tls=False)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def test_implicit_tls_smtp_checks_the_certificate_and_delivers(
    session_factory: Factory, tls_mailbox: Mailbox, authority: trustme.CA, tmp_path: Path
) -> None:
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    handoff_id = hostile_lead(session_factory)
    untrusted = EmailTarget("127.0.0.1", tls_mailbox.port, "bot", "pw", starttls=False,
                            sender=SENDER, implicit_tls=True)
    assert deliver_due(session_factory, [untrusted], ROUTING, T0) == 0  # unknown CA: refused
    assert tls_mailbox.envelopes == []
    trusted = EmailTarget("127.0.0.1", tls_mailbox.port, "bot", "pw", starttls=False,
                          sender=SENDER, implicit_tls=True, ca_file=str(ca_file))
    assert deliver_due(session_factory, [trusted], ROUTING, T0 + timedelta(minutes=5)) == 1
    assert tls_mailbox.logins == [("bot", "pw")]
    assert deliveries(session_factory, handoff_id) == ("delivered", [("email", "delivered", 2)])


def test_smtp_tls_settings_are_checked(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "none.env"))
    with pytest.raises(SettingsError, match=r"^SMTP_CA_FILE: .* is not a file"):
        load_settings(smtp_ca_file=str(tmp_path / "missing.pem"))
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    settings = load_settings(smtp_host="smtp.example.com", smtp_from=SENDER, smtp_ssl="true",
                             smtp_port="465", smtp_ca_file=str(tmp_path / "ca.pem"))
    [target] = targets_from_settings(settings)
    assert isinstance(target, EmailTarget)
    assert (target.implicit_tls, target.port, target.ca_file) == (
        True, 465, str(tmp_path / "ca.pem"))


def test_slack_says_when_a_message_may_repeat_an_interrupted_send(
    session_factory: Factory, slack: Receiver
) -> None:
    """Slack cannot deduplicate: after a send whose outcome is unknown, the resend carries
    the same reference and a warning, so the channel sees it is the same lead.
    """
    handoff_id = hostile_lead(session_factory)
    key = key_of(session_factory, handoff_id)

    class KilledAfterPost:
        name = "slack"

        def send(self, payload: dict[str, Any], key: str) -> None:
            SlackTarget(slack.url).send(payload, key)
            raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        deliver_due(session_factory, [KilledAfterPost()], ROUTING, T0)
    assert deliver_due(session_factory, [SlackTarget(slack.url)], ROUTING,
                       T0 + timedelta(hours=1)) == 1
    first, second = (r.json for r in slack.received)
    footer = next(b for b in first["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert f"ref {key}" in footer and "repeat" not in footer
    footer = next(b for b in second["blocks"] if b["type"] == "context")["elements"][0]["text"]
    assert f"ref {key}" in footer and "Possibly a repeat" in footer
    assert deliveries(session_factory, handoff_id) == ("delivered", [("slack", "delivered", 2)])
