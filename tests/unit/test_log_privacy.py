"""The log redactor: e-mails, phone numbers, secrets and token= values never survive; the
shapes log lines are made of (timestamps, addresses, ids) do. Plus the private rotating sink
and the pipe pump the launcher writes children's output with.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.ops.log_privacy import (
    EMAIL_MARK,
    PHONE_MARK,
    SECRET_MARK,
    Redactor,
    cap,
    redact_emails,
    redact_phones,
    redact_query_secrets,
)
from bot.ops.supervision import LogSink, describe_exit, make_private, pump

RASA_TOKEN = "Zq3-rasa_TOKEN-8u1Xk0"


@pytest.mark.parametrize("text", [
    "sam.carter@acme.com", "Dana.Lee+web@Acme-Logistics.com", "x_y@mail.example.co.uk",
    "dana.lee%2Bweb%40acme-logistics.com", "sam\\u0040acme.com",
])
def test_every_email_form_is_redacted(text: str) -> None:
    line = f'2024-05-01 12:00:00 DEBUG text="my mail is {text}, thanks"'
    assert redact_emails(line) == line.replace(text, EMAIL_MARK)


@pytest.mark.parametrize("phone", [
    "+49 30 901820", "+4930901820", "030 901820", "(555) 123-4567", "+1-555-123-4567",
    "555 123 4567", "07700 900123", "+44 (0)20 7946 0958", "5551234567",
])
def test_phone_numbers_are_redacted(phone: str) -> None:
    redacted = redact_phones(f"UserUttered(text: 'call me on {phone} please')")
    assert phone not in redacted and PHONE_MARK in redacted
    assert not any(ch.isdigit() for ch in redacted), redacted


@pytest.mark.parametrize("line", [
    "2024-05-01 12:00:00,123 INFO  rasa.core.processor - Starting",
    "[2024-05-01 12:00:00 +0000] [12345] [INFO] Goin' Fast @ http://127.0.0.1:5005",
    "connected to 127.0.0.1:5432 in 0.0123456 s",
    "sender it-3f2a1b9c0d4e model leadbot-0123456789abcdef.tar.gz",
    'event {"timestamp": 1715000000.1234567, "event": "user"}',
    "version 3.6.21, took 250 ms, status 200",
])
def test_ordinary_log_shapes_are_kept(line: str) -> None:
    assert redact_phones(line) == line
    assert redact_emails(line) == line


@pytest.mark.parametrize(("line", "expected"), [
    ("GET /reps/?token=abc123&x=1 HTTP/1.1", f"GET /reps/?token={SECRET_MARK}&x=1 HTTP/1.1"),
    ("/conversations/s/tracker?token=abc&include_events=ALL",
     f"/conversations/s/tracker?token={SECRET_MARK}&include_events=ALL"),
    ("REPS_TOKEN=hunter22 started", f"REPS_TOKEN={SECRET_MARK} started"),
    ('{"password": "pw-123"}', f'{{"password": "{SECRET_MARK}"}}'),
    ("Authorization: Bearer eyJhbGciOi.x.y", f"Authorization: Bearer {SECRET_MARK}"),
])
def test_token_query_values_and_credentials_are_blanked(line: str, expected: str) -> None:
    assert redact_query_secrets(line) == expected


def test_known_secrets_are_blanked_wherever_they_appear() -> None:
    redactor = Redactor([RASA_TOKEN, "s3cret/with+chars", "", "ab"])
    line = (f"argv ['rasa', '--auth-token', '{RASA_TOKEN}'] hook s3cret%2Fwith%2Bchars "
            f"plain s3cret/with+chars; ab stays")
    out = redactor.redact(line)
    assert RASA_TOKEN not in out and "s3cret" not in out
    assert out.count(SECRET_MARK) == 3
    assert out.endswith("ab stays")  # too short to be searched for


def test_a_whole_conversation_dump_is_redacted_and_capped() -> None:
    tracker = {"events": [{"event": "user", "text": f"I'm dana{i}@acme.com, +49 30 9018{i:02d}"}
                          for i in range(30_000)]}
    line = "Failed to run custom action. Tracker: " + json.dumps(tracker)
    assert len(line) > 1_000_000
    out = Redactor([RASA_TOKEN], max_chars=2000).redact(line)
    assert len(out) < 2100
    assert "@" not in out and "9018" not in out
    assert " …[cut " in out[2000:]


def test_cap_marks_the_cut() -> None:
    assert cap("x" * 10, 10) == "x" * 10
    assert cap("x" * 25, 10) == "x" * 10 + " …[cut 15 chars]"


def test_the_sink_writes_redacted_lines_to_private_rotating_files(tmp_path: Path) -> None:
    sink = LogSink(tmp_path / "logs" / "rasa.log", Redactor([RASA_TOKEN], 200),
                   max_bytes=10_000, backups=2)
    for i in range(400):
        sink.write(f"line {i} from sam@acme.com token {RASA_TOKEN} " + "." * 50)
    sink.close()
    files = sorted((tmp_path / "logs").iterdir())
    assert [f.name for f in files] == ["rasa.log", "rasa.log.1", "rasa.log.2"]
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700
    for file in files:
        assert file.stat().st_mode & 0o777 == 0o600
        text = file.read_text()
        assert "sam@acme.com" not in text and RASA_TOKEN not in text
        assert all(len(line) <= 230 for line in text.splitlines())
    assert "line 399 from [email] token [secret]" in files[0].read_text()


def test_the_pump_cuts_a_megabyte_line_and_keeps_the_next(tmp_path: Path) -> None:
    sink = LogSink(tmp_path / "out.log", Redactor([], 100), 10_000_000, 1)
    stream = io.BytesIO(b"a" * 1_000_000 + b"\nnext line \xff sam@acme.com\n")
    pump(stream, sink)  # type: ignore[arg-type]
    sink.close()
    lines = (tmp_path / "out.log").read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("a" * 100 + " …[cut ")
    assert lines[1] == "next line \ufffd [email]"


def test_make_private_fixes_modes_that_are_too_open(tmp_path: Path) -> None:
    (tmp_path / "var" / "logs").mkdir(parents=True)
    for path in (tmp_path / "var" / "leadbot.db", tmp_path / "var" / "logs" / "old.log"):
        path.write_text("x")
        path.chmod(0o644)
    (tmp_path / "var").chmod(0o755)
    make_private([tmp_path / "var", tmp_path / "missing"])
    assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "var" / "logs").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "var" / "leadbot.db").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "var" / "logs" / "old.log").stat().st_mode & 0o777 == 0o600


def test_exits_are_described_by_code_or_signal() -> None:
    assert describe_exit(3) == "exit code 3"
    assert describe_exit(-9) == "killed by SIGKILL"
    assert describe_exit(-15) == "killed by SIGTERM"
