"""`leadbot doctor` against nothing (free ports) and against real stand-ins: aiohttp servers
for Rasa, the action server and the web app, real receivers, a real aiosmtpd server.
"""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiohttp import web
from aiosmtpd.controller import Controller
from click.testing import CliRunner, Result

from bot.cli.main import main
from bot.ops.doctor import Check, check_database, check_model, check_restarts, check_targets
from bot.ops.supervision import RunState
from bot.policies.base import POLICY_DIR
from bot.settings import load_settings
from bot.store import migrate
from tests.receivers import free_port, running_receiver, serving

RASA_TOKEN = "doctor-rasa-token"
SENDER = "leadbot@example.com"


def doctor(env: dict[str, str], tmp_path: Path) -> Result:
    """`leadbot doctor` with exactly these settings (no .env file)."""
    return CliRunner().invoke(main, ["doctor", "--timeout", "2"],
                              env={"LEADBOT_ENV_FILE": str(tmp_path / "no.env"), **env})


def lines_of(result: Result) -> dict[str, str]:
    """Check name -> its whole line."""
    found = {}
    for line in result.output.splitlines():
        name = line[5:].split(":", 1)[0]
        found[name] = line
    return found


def base_env(tmp_path: Path, **values: Any) -> dict[str, str]:
    """Settings pointing every server at a free port and no handoff target."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'leadbot.db'}",
        "RASA_HOST": "127.0.0.1", "RASA_PORT": str(free_port()), "RASA_TOKEN": RASA_TOKEN,
        "ACTION_PORT": str(free_port()), "WEB_HOST": "127.0.0.1", "WEB_PORT": str(free_port()),
        "HANDOFF_WEBHOOK_URL": "", "SLACK_WEBHOOK_URL": "", "SMTP_HOST": "", "SMTP_FROM": "",
        "SMTP_SSL": "false", "SMTP_STARTTLS": "false", "SMTP_CA_FILE": "", "HANDOFF_FILE": "",
        "REPS_TOKEN": "",
        # A `leadbot run` of this checkout must not lend these tests its tokens or state.
        "LEADBOT_VAR_DIR": str(tmp_path / "var"),
    }
    env.update({key.upper(): str(value) for key, value in values.items()})
    return env


def test_the_policies_checked_are_those_of_policy_dir(tmp_path: Path) -> None:
    trial = tmp_path / "trial"
    shutil.copytree(POLICY_DIR, trial)
    (trial / "retention.yml").write_text("delete_after_days: 0\n", encoding="utf-8")
    line = lines_of(doctor(base_env(tmp_path, policy_dir=trial), tmp_path))["policies"]
    assert not line.startswith("ok")
    assert f"policies: {trial / 'retention.yml'}:1: delete_after_days:" in line


# ---------------------------------------------------------------------------- stand-ins
def rasa_app() -> web.Application:
    """Rasa's /status: 401 without the right token, like `rasa run --auth-token`."""

    async def status(request: web.Request) -> web.Response:
        if request.query.get("token") != RASA_TOKEN:
            return web.json_response({"message": "User is not authenticated."}, status=401)
        return web.json_response({"model_file": "models/leadbot-0123456789abcdef.tar.gz"})

    app = web.Application()
    app.router.add_get("/status", status)
    return app


def health_app(path: str) -> web.Application:
    """An action server (/health) or the web app (/healthz)."""

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get(path, health)
    return app


@dataclass
class Mailbox:
    """A real SMTP server that accepts everything (no mail is sent by the doctor)."""

    messages: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        return "250 OK"


@pytest.fixture
def smtp_port() -> Iterator[int]:
    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@pytest.fixture
def servers() -> Iterator[dict[str, int]]:
    """Rasa, the action server and the web app stand-ins, each on its own free port."""
    ports = {"rasa": free_port(), "action": free_port(), "web": free_port()}
    with ExitStack() as stack:
        stack.enter_context(serving(rasa_app(), ports["rasa"]))
        stack.enter_context(serving(health_app("/health"), ports["action"]))
        stack.enter_context(serving(health_app("/healthz"), ports["web"]))
        yield ports


# ---------------------------------------------------------------------------- nothing running
def test_with_nothing_running_each_missing_piece_fails_with_a_fix(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("a file, not a directory")
    env = base_env(
        tmp_path,
        handoff_webhook_url=f"http://127.0.0.1:{free_port()}/hook",
        slack_webhook_url="https://hooks.slack.invalid/services/T0/B0/x",
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from=SENDER,
        handoff_file=not_a_dir / "handoffs.jsonl",
    )
    result = doctor(env, tmp_path)
    assert result.exit_code == 1, result.output
    lines = lines_of(result)
    assert lines["settings"].startswith("ok   settings:")
    assert lines["policies"].startswith("ok   policies:")
    expected_failures = {
        "database": "no database file at",
        "rasa": f"nothing answers at http://127.0.0.1:{env['RASA_PORT']}",
        "action server": f"nothing answers at http://127.0.0.1:{env['ACTION_PORT']}/health",
        "web app": f"nothing answers at http://127.0.0.1:{env['WEB_PORT']}/healthz",
        "webhook": "refuses connections",
        "slack": "cannot resolve hooks.slack.invalid",
        "smtp": f"cannot talk to 127.0.0.1:{env['SMTP_PORT']}",
        "handoff file": "cannot write in",
    }
    for name, problem in expected_failures.items():
        assert lines[name].startswith(f"FAIL {name}: "), lines[name]
        assert problem in lines[name] and " — " in lines[name], lines[name]
    assert lines["reps token"].startswith("warn reps token: REPS_TOKEN is empty")
    assert lines["model"].startswith(("ok   model:", "FAIL model:"))  # CI trains later
    assert lines["restarts"].startswith("ok   restarts: no `leadbot run`")
    assert len(result.output.splitlines()) == len(lines) == 13  # one line per check


def test_a_wrong_setting_is_one_fail_line(tmp_path: Path) -> None:
    result = doctor(base_env(tmp_path, rasa_port="0"), tmp_path)
    assert result.exit_code == 1
    lines = lines_of(result)
    assert lines["settings"].startswith("FAIL settings: RASA_PORT: ")
    assert "— fix it in .env" in lines["settings"]
    assert "policies" in lines and "rasa" not in lines  # no settings, no servers to ask


def test_no_model_for_other_training_data(tmp_path: Path) -> None:
    check = check_model(tmp_path)  # a project with no data: its model was never trained
    assert check.status == "fail" and "run `make train`" in check.line()


def test_no_handoff_target_is_only_a_warning(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    settings = load_settings(handoff_webhook_url="", slack_webhook_url="", smtp_host="",
                             smtp_from="", handoff_file="")
    [check] = check_targets(settings)
    assert check.status == "warn"
    assert check.line().startswith("warn handoff targets: no target configured")


def test_the_database_must_exist_and_be_migrated(db_url: str, tmp_path: Path,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    settings = load_settings(database_url=db_url)
    if db_url.startswith("sqlite"):
        assert "no database file" in check_database(settings).line()
        Path(db_url.removeprefix("sqlite:///")).touch()
    never_migrated = check_database(settings)
    assert never_migrated.status == "fail"
    assert "is at migration none" in never_migrated.line()
    assert never_migrated.line().endswith("— run `leadbot db upgrade`")
    migrate(db_url)
    assert check_database(settings).status == "ok"
    unreachable = load_settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    down = check_database(unreachable)
    assert down.status == "fail" and "cannot connect to" in down.line()


# ---------------------------------------------------------------------------- all answering
def test_with_everything_answering_every_line_is_ok(
    tmp_path: Path, servers: dict[str, int], smtp_port: int
) -> None:
    database = f"sqlite:///{tmp_path / 'leadbot.db'}"
    migrate(database)
    with running_receiver() as crm, running_receiver() as slack:
        env = base_env(
            tmp_path, database_url=database, rasa_port=servers["rasa"],
            action_port=servers["action"], web_port=servers["web"],
            handoff_webhook_url=crm.url, slack_webhook_url=slack.url.replace("/hook", "/x"),
            smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_from=SENDER,
            handoff_file=tmp_path / "out" / "handoffs.jsonl", reps_token="reps",
        )
        result = doctor(env, tmp_path)
        assert crm.received == [] and slack.received == []  # nothing was posted
    lines = lines_of(result)
    for name in ("settings", "policies", "database", "rasa", "action server", "web app",
                 "webhook", "slack", "smtp", "handoff file", "reps token"):
        assert lines[name].startswith(f"ok   {name}: "), lines[name]
    assert "model leadbot-0123456789abcdef.tar.gz" in lines["rasa"]
    assert "answers EHLO and NOOP (plain)" in lines["smtp"]
    assert not (tmp_path / "out").exists()  # checked, not created
    model_ok = lines["model"].startswith("ok   model:")
    assert result.exit_code == (0 if model_ok else 1), result.output


def test_a_wrong_rasa_token_says_so(tmp_path: Path, servers: dict[str, int]) -> None:
    result = doctor(base_env(tmp_path, rasa_port=servers["rasa"], rasa_token="stale"), tmp_path)
    line = lines_of(result)["rasa"]
    assert line.startswith("FAIL rasa: ") and "refused RASA_TOKEN (HTTP 401)" in line
    assert "— set RASA_TOKEN to the token Rasa was started with" in line
    empty = doctor(base_env(tmp_path, rasa_port=servers["rasa"], rasa_token=""), tmp_path)
    assert "RASA_TOKEN is empty" in lines_of(empty)["rasa"]


# ---------------------------------------------------------------------------- SMTP and TLS
def smtp_check(tmp_path: Path, monkeypatch: Any, **values: Any) -> Check:
    monkeypatch.setenv("LEADBOT_ENV_FILE", str(tmp_path / "no.env"))
    settings = load_settings(handoff_webhook_url="", slack_webhook_url="", handoff_file="",
                             smtp_host="127.0.0.1", smtp_from=SENDER, **values)
    [check] = check_targets(settings)
    return check


def test_starttls_asked_of_a_server_without_it_fails(
    tmp_path: Path, monkeypatch: Any, smtp_port: int
) -> None:
    check = smtp_check(tmp_path, monkeypatch, smtp_port=smtp_port, smtp_starttls=True)
    assert check.status == "fail" and "does not offer STARTTLS" in check.line()
    assert "SMTP_SSL=true" in check.fix


@pytest.fixture
def tls_smtp(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A real SMTP server speaking TLS from the first byte, and its CA's PEM file."""
    authority = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        yield port, ca_file
    finally:
        controller.stop()


def test_implicit_tls_needs_the_ca_file(tmp_path: Path, monkeypatch: Any,
                                        tls_smtp: tuple[int, Path]) -> None:
    port, ca_file = tls_smtp
    untrusted = smtp_check(tmp_path, monkeypatch, smtp_port=port, smtp_ssl=True)
    assert untrusted.status == "fail" and "certificate not trusted" in untrusted.detail
    assert "SMTP_CA_FILE" in untrusted.fix
    trusted = smtp_check(tmp_path, monkeypatch, smtp_port=port, smtp_ssl=True,
                         smtp_ca_file=str(ca_file))
    assert trusted.status == "ok" and "(implicit TLS)" in trusted.detail


# ---------------------------------------------------------------------------- restarts
def test_restarts_recorded_by_a_run_are_shown(tmp_path: Path) -> None:
    state = RunState(tmp_path / "state.json", "run")
    state.begin()
    state.started("rasa", 4242, 0)
    assert check_restarts(tmp_path / "state.json").line().startswith("ok   restarts: none since")
    state.exited("rasa", -9, 12.5, 1.0)
    state.exited("worker", 3, 0.4, 2.0)
    check = check_restarts(tmp_path / "state.json")
    assert check.status == "warn"
    assert "2 restart(s)" in check.detail
    assert "rasa at " in check.detail and "(killed by SIGKILL)" in check.detail
    assert "worker at " in check.detail and "(exit code 3)" in check.detail
    assert (tmp_path / "state.json").stat().st_mode & 0o777 == 0o600
    state.stopped()
    assert "(no longer running)" in check_restarts(tmp_path / "state.json").detail
