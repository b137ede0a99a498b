"""`leadbot activity import` and `leadbot score --all`: outside activity and re-deciding leads."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.store import Lead, find_lead, list_leads, record_activity, session_scope

if TYPE_CHECKING:
    from bot.cli.state import CliState
    from bot.conversation.redeciding import Rescored

BATCH_LINES = 500
MAX_ID = 200
_KIND = re.compile(r"[a-z][a-z0-9_]{0,99}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LINE_KEYS = frozenset({"email", "lead_id", "kind", "at", "detail", "id"})


class InputUnavailable(click.ClickException):
    """A file cannot be used; one line on stderr, exit status 2."""

    exit_code = 2


class BadLine(ValueError):
    """One import line that cannot be used; the message says why."""


@dataclass(frozen=True)
class ImportLine:
    """One parsed line of an activity file."""

    number: int
    email: str | None
    lead_id: str | None
    kind: str
    at: datetime
    detail: dict[str, Any]
    key: str


@dataclass
class ImportCounts:
    """What an import did."""

    imported: int = 0
    duplicates: int = 0
    bad: int = 0


@click.group("activity")
def activity() -> None:
    """Outside activity of leads: e-mails opened, whitepapers, webinars."""


@activity.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def import_command(state: CliState, file: Path) -> None:
    """Import activities from FILE, one JSON object per line; re-importing is a no-op.

    Each line: {"email": … or "lead_id": …, "kind": "webinar_attended", "at": ISO 8601
    with a time zone, "detail": {…} (optional), "id": external id (optional)}. An unknown
    e-mail creates a lead. Bad lines are reported as FILE:LINE and skipped (exit 1).
    """
    try:
        handle = file.open("rb")
    except OSError as exc:
        raise InputUnavailable(f"cannot read {file}: {exc.strerror or exc}") from None
    with handle:
        factory = state.session_factory()
        counts = ImportCounts()
        touched: set[str] = set()
        session = factory()
        try:
            # One transaction per batch of lines, one savepoint per line: a bad line
            # loses nothing else, and problems are reported in line order.
            session.begin()
            in_batch = 0
            for item in _parse_lines(handle):
                if isinstance(item, BadLine):
                    counts.bad += 1
                    click.echo(f"{file}:{item}", err=True)
                    continue
                _import_one(session, item, file, counts, touched)
                in_batch += 1
                if in_batch >= BATCH_LINES:
                    session.commit()
                    session.begin()
                    in_batch = 0
            session.commit()
        finally:
            session.close()
    rescored = _rescore(factory, touched, state)
    for line in rescored:
        click.echo(line)
    click.echo(
        f"imported {counts.imported}, duplicates {counts.duplicates}, bad {counts.bad},"
        f" leads rescored {len(touched)}"
    )
    if counts.bad:
        raise click.exceptions.Exit(1)


def _parse_lines(handle: Any) -> Iterator[ImportLine | BadLine]:
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield BadLine(f"{number}: not UTF-8 text")
            continue
        if not text.strip():
            continue
        try:
            yield parse_line(number, text)
        except BadLine as exc:
            yield BadLine(f"{number}: {exc}")


def parse_line(number: int, text: str) -> ImportLine:
    """One line of an activity file; raises BadLine saying what is wrong."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadLine(f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise BadLine("not a JSON object")
    unknown = sorted(set(data) - _LINE_KEYS)
    if unknown:
        raise BadLine(f"unknown key(s) {', '.join(unknown)}")
    email, lead_id = _who(data)
    kind = data.get("kind")
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        raise BadLine(f"kind must be a lower-case word like webinar_attended, got {kind!r}")
    at = _when(data.get("at"))
    detail = data.get("detail")
    if detail is None:
        detail = {}
    if not isinstance(detail, dict):
        raise BadLine("detail must be a JSON object")
    return ImportLine(number, email, lead_id, kind, at, detail, _key(data))


def _who(data: dict[str, Any]) -> tuple[str | None, str | None]:
    lead_id = data.get("lead_id")
    email = data.get("email")
    if lead_id is not None:  # an id names exactly one lead; it wins over an e-mail
        if not isinstance(lead_id, str) or not lead_id.strip() or len(lead_id) > 64:
            raise BadLine(f"lead_id must be a lead id, got {lead_id!r}")
        return None, lead_id.strip().lower()
    if email is None:
        raise BadLine("needs an email or a lead_id")
    if not isinstance(email, str) or len(email) > 254 or not _EMAIL.fullmatch(email.strip()):
        raise BadLine(f"email is not an e-mail address: {email!r}")
    return email.strip().lower(), None


def _when(value: Any) -> datetime:
    if not isinstance(value, str):
        raise BadLine(f"at must be an ISO 8601 time, got {value!r}")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise BadLine(f"at is not an ISO 8601 time: {value!r}") from None
    if at.tzinfo is None:
        raise BadLine(f"at needs a time zone (e.g. 2025-03-01T09:00:00Z): {value!r}")
    return at


def _key(data: dict[str, Any]) -> str:
    external = data.get("id")
    if external is None:
        # No id: the line itself is the identity (key order and spacing do not matter).
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "import:sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:40]
    if isinstance(external, bool) or not isinstance(external, (str, int)):
        raise BadLine(f"id must be a string or a number, got {external!r}")
    text = str(external).strip()
    if not text or len(text) > MAX_ID or "\x00" in text:
        raise BadLine(f"id must be 1 to {MAX_ID} characters")
    return "import:" + text


def _import_one(
    session: Session, line: ImportLine, file: Path, counts: ImportCounts, touched: set[str]
) -> None:
    try:
        with session.begin_nested():
            lead_id = _import_line(session, line)
    except BadLine as exc:
        counts.bad += 1
        click.echo(f"{file}:{line.number}: {exc}", err=True)
        return
    except (DataError, IntegrityError) as exc:
        counts.bad += 1
        detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
        click.echo(f"{file}:{line.number}: the database rejected it: {detail}", err=True)
        return
    if lead_id is None:
        counts.duplicates += 1
    else:
        counts.imported += 1
        touched.add(lead_id)


def _import_line(session: Session, line: ImportLine) -> str | None:
    """Store one line; the lead's id, or None when it was already imported."""
    lead = _lead(session, line)
    stored = record_activity(
        session, lead, line.kind, line.at, line.detail, source="import", key=line.key
    )
    return None if stored is None else lead.id


def _lead(session: Session, line: ImportLine) -> Lead:
    if line.lead_id is not None:
        lead = session.get(Lead, line.lead_id)
        if lead is None:
            raise BadLine(f"no lead with id {line.lead_id}")
        return lead
    if line.email is None:  # pragma: no cover - the line's model requires an id or e-mail
        raise BadLine("neither lead_id nor email")
    lead = find_lead(session, line.email)
    if lead is None:
        now = utcnow()
        lead = Lead(email=line.email, created_at=now, updated_at=now)
        session.add(lead)
        session.flush()
    return lead


def _rescore(factory: Any, lead_ids: set[str], state: CliState) -> list[str]:
    """Re-decide the leads an import touched; one line per status change."""
    if not lead_ids:
        return []
    rules = state.policies()
    rescore_lead = _rescorer()
    now = utcnow()
    lines = []
    with session_scope(factory) as session:
        for lead_id in sorted(lead_ids):
            lead = session.get(Lead, lead_id)
            if lead is None:  # pragma: no cover - merged away by a concurrent chat
                continue
            old_total = _total(lead.score)
            result: Rescored = rescore_lead(session, lead, now, rules)
            if result.old_status != result.new_status:
                lines.append(_change_line(result, old_total))
    return lines


@click.command("score")
@click.option("--all", "all_leads", is_flag=True, help="Re-decide every lead.")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option(
    "--policies", "policy_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="With --dry-run: the policy files of this directory instead of POLICY_DIR, to try "
    "a change before applying it.",
)
@click.pass_obj
def score_command(state: CliState, all_leads: bool, dry_run: bool,
                  policy_dir: Path | None) -> None:
    """Re-score and re-decide leads after a policy change; prints each status change."""
    if not all_leads:
        raise click.UsageError("give --all to re-decide every lead")
    if policy_dir is not None and not dry_run:
        # Scores written under other rules than the running bot's would not last.
        raise click.UsageError("--policies is for trying a change: add --dry-run")
    if policy_dir is not None:
        state.policy_dir = policy_dir
    rules = state.policies()
    rescore_lead = _rescorer()
    factory = state.session_factory()
    now = utcnow()
    session = factory()
    try:
        session.begin()
        leads = list_leads(session, newest_first=False)
        changed = 0
        for lead in leads:
            old_total = _total(lead.score)
            result: Rescored = rescore_lead(session, lead, now, rules, dry_run=dry_run)
            if result.old_status != result.new_status:
                changed += 1
                click.echo(_change_line(result, old_total))
        if dry_run:
            session.rollback()
        else:
            session.commit()
    finally:
        session.close()
    if not leads:
        click.echo("no leads")
        return
    click.echo(f"{len(leads)} lead(s) re-decided, {changed} changed status"
               + _dry_run_note(dry_run, policy_dir))


def _dry_run_note(dry_run: bool, policy_dir: Path | None) -> str:
    if not dry_run:
        return ""
    tried = f" with the policies of {policy_dir}" if policy_dir is not None else ""
    return f" (dry run{tried}: nothing written)"


def _rescorer() -> Any:
    # Imported here: the scoring code is big, and `leadbot leads` never needs it.
    from bot.conversation.redeciding import rescore_lead

    return rescore_lead


def _total(score: dict[str, Any] | None) -> Any:
    total = (score or {}).get("total")
    return total if isinstance(total, (int, float)) and not isinstance(total, bool) else None


def _change_line(result: Rescored, old_total: Any) -> str:
    old = "-" if old_total is None else f"{old_total:g}"
    return (
        f"{result.lead_id[:8]}  {result.old_status} -> {result.new_status}"
        f"  (score {old} -> {result.total:g})"
    )


COMMANDS = (activity, score_command)
