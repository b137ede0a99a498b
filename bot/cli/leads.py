"""`leadbot leads …`: list, show and export the lead records."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from bot.clock import as_utc
from bot.store import (
    CONTRACT_FIELDS,
    Activity,
    AmbiguousLeadKey,
    Answer,
    Lead,
    LeadRecord,
    current_answers,
    each_lead,
    find_lead,
    lead_record,
    page_of_leads,
    session_scope,
)
from bot.vocabulary import LEAD_STATUSES
from bot.wording import Audience, authority_text, budget_text, timeline_text

if TYPE_CHECKING:
    from bot.cli.state import CliState

_MAX_CELL = 32
_MAX_ACTIVITY_LINES = 10


@click.group()
def leads() -> None:
    """Look at and export the leads."""


@leads.command("list")
@click.option("--status", type=click.Choice(sorted(LEAD_STATUSES)), help="Only this status.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most this many leads (default: all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True,
              help="Skip this many of the newest leads first.")
@click.pass_obj
def list_command(state: CliState, status: str | None, limit: int | None, offset: int) -> None:
    """List the leads, newest first, a page at a time with --limit/--offset."""
    with session_scope(state.session_factory()) as session:
        page = page_of_leads(session, status, limit=limit, offset=offset)
        rows = [_summary_row(lead) for lead in page]
    if not rows:
        click.echo("no leads" + (f" with status {status}" if status else ""))
        return
    header = ("ID", "STATUS", "EMAIL", "COMPANY", "BUDGET", "AUTHORITY", "TIMELINE", "UPDATED")
    click.echo(_table(header, rows))


@leads.command("show")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the lead record as JSON.")
@click.pass_obj
def show_command(state: CliState, key: str, as_json: bool) -> None:
    """Show one lead, by id, id prefix (6+ characters) or e-mail."""
    with session_scope(state.session_factory()) as session:
        try:
            lead = find_lead(session, key)
        except AmbiguousLeadKey:
            _fail(f"{key!r} matches several leads; give more of the id")
        if lead is None:
            _fail(f"no lead matches {key!r} (give an id, an id prefix or an e-mail)")
        text = (
            json.dumps(lead_record(lead), ensure_ascii=False, indent=2)
            if as_json
            else _describe(lead)
        )
    click.echo(text)


@leads.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one contract record per line; csv: one row per lead.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write here instead of stdout.",
)
@click.option("--status", type=click.Choice(sorted(LEAD_STATUSES)), help="Only this status.")
@click.pass_obj
def export_command(state: CliState, fmt: str, output: Path | None, status: str | None) -> None:
    """Export the lead records (oldest first)."""
    with session_scope(state.session_factory()) as session:
        records = [lead_record(lead) for lead in each_lead(session, status, newest_first=False)]
    text = _jsonl(records) if fmt == "jsonl" else _csv(records)
    if output is None:
        click.echo(text, nl=False)
    else:
        # newline="" keeps the CSV's own CRLF line ends intact on every platform.
        output.write_text(text, encoding="utf-8", newline="")
        click.echo(f"wrote {len(records)} lead(s) to {output}", err=True)


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise click.exceptions.Exit(1)


def _jsonl(records: Iterable[LeadRecord]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def _csv(records: Iterable[LeadRecord]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(CONTRACT_FIELDS))
    writer.writeheader()
    for record in records:
        writer.writerow({name: _csv_cell(value) for name, value in record.items()})
    return buffer.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _summary_row(lead: Lead) -> tuple[str, ...]:
    return (
        lead.id[:8],
        lead.status,
        lead.email or "-",
        lead.company or "-",
        _budget(lead, "compact"),
        authority_text(lead.authority, audience="compact"),
        timeline_text(lead.timeline_months, audience="compact"),
        _when(lead.updated_at),
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = [[_clip(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def _budget(lead: Lead, audience: Audience) -> str:
    # Worded by bot/wording.py, as in the handoff summary and on the rep page.
    return budget_text(lead.budget_amount, lead.budget_currency, lead.budget_period,
                       lead.budget_status, audience=audience)


def _when(value: datetime | None) -> str:
    return "-" if value is None else as_utc(value).strftime("%Y-%m-%d %H:%M")


def _describe(lead: Lead) -> str:
    current = current_answers(lead.answers)
    own_words = {field: answer.raw_text for field, answer in current.items()}
    visit_numbers = {c.sender_id: c.visit_number for c in lead.conversations}
    visit_of = {
        field: visit_numbers.get(answer.conversation_id) for field, answer in current.items()
    }

    def field_pairs(pairs: Sequence[tuple[str, str, Any]]) -> list[str]:
        return _pairs([(label, _from_visit(value, visit_of.get(f))) for label, f, value in pairs])

    lines = [
        f"Lead {lead.id}  [{lead.status}]",
        f"  created {_when(lead.created_at)} UTC, updated {_when(lead.updated_at)} UTC",
        "",
        "Profile",
        *field_pairs(
            [
                ("name", "name", lead.name),
                ("e-mail", "email", lead.email),
                ("company", "company", lead.company),
                ("job title", "job_title", lead.job_title),
                ("company size", "company_size", lead.company_size),
                ("industry", "industry", lead.industry),
                ("country", "country", lead.country),
                ("phone", "phone", lead.phone),
            ]
        ),
        "",
        "BANT",
        *field_pairs(
            [
                ("need", "need", _quoted_words(lead.need, own_words.get("need"))),
                ("budget", "budget", _quoted_words(_budget(lead, "rep"), own_words.get("budget"))),
                (
                    "authority",
                    "authority",
                    _quoted_words(authority_text(lead.authority), own_words.get("authority")),
                ),
                (
                    "timeline",
                    "timeline",
                    _quoted_words(timeline_text(lead.timeline_months), own_words.get("timeline")),
                ),
            ]
        ),
        "",
        "Status",
        f"  {lead.status}"
        + (f" (redirect: {lead.redirect_reason})" if lead.redirect_reason else ""),
        *(f"  - {reason}" for reason in lead.status_reasons or []),
        *_score_lines(lead.score),
        "",
        "Consent to follow-up",
        f"  {_consent_text(lead)}",
        "",
        f"Answers ({len(lead.answers)})",
        *(_answer_line(answer, visit_numbers) for answer in lead.answers),
        "",
        f"Visits ({len(lead.conversations)})",
        *(
            f"  visit {conversation.visit_number}  {conversation.sender_id}"
            f"  started {_when(conversation.started_at)},"
            f" last seen {_when(conversation.last_seen_at)}"
            + (f", ended: {conversation.ended_reason}" if conversation.ended_reason else "")
            + (f", visitor {conversation.visitor_id}" if conversation.visitor_id else "")
            + _page(conversation.page_context)
            for conversation in lead.conversations
        ),
        "",
        f"Activity ({len(lead.activities)})",
        *_activity_lines(lead.activities),
        "",
        "Handoff",
        *_handoff_lines(lead),
    ]
    return "\n".join(lines)


def _from_visit(value: Any, visit: int | None) -> Any:
    if value is None or visit is None:
        return value
    return f"{value}   (visit {visit})"


def _consent_text(lead: Lead) -> str:
    if lead.consent_follow_up is None:
        return "not asked"
    answer = "given" if lead.consent_follow_up else "declined"
    wording = f": «{lead.consent_wording}»" if lead.consent_wording else ""
    return f"{answer} {_when(lead.consent_at)} UTC{wording}"


def _activity_lines(activities: Sequence[Activity]) -> list[str]:
    if not activities:
        return ["  none"]
    kinds = Counter(activity.kind for activity in activities)
    lines = ["  " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))]
    shown = activities[-_MAX_ACTIVITY_LINES:]
    if len(activities) > len(shown):
        lines.append(f"  … {len(activities) - len(shown)} earlier")
    for activity in shown:
        detail = json.dumps(activity.detail or {}, ensure_ascii=False)
        where = activity.conversation_id or activity.source
        lines.append(f"  {_when(activity.at)}  {activity.kind:<21} {detail}  [{where}]")
    return lines


def _answer_line(answer: Answer, visit_numbers: dict[str, int]) -> str:
    raw = json.dumps(answer.raw_text, ensure_ascii=False)
    value = json.dumps(answer.value, ensure_ascii=False)
    visit = visit_numbers.get(answer.conversation_id)
    return (
        f"  {_when(answer.at)}  {answer.field:<13} {raw} -> {value}"
        f"  [{answer.source}, {answer.conversation_id}"
        + (f", visit {visit}]" if visit is not None else "]")
    )


def _pairs(pairs: Sequence[tuple[str, Any]]) -> list[str]:
    return [f"  {label:<13} {'-' if value is None else value}" for label, value in pairs]


def _quoted_words(value: str | None, words: str | None) -> str:
    shown = "-" if value is None else value
    return f"{shown}   «{words}»" if words and words != value else shown


def _score_lines(score: dict[str, Any] | None) -> list[str]:
    if not score:
        return ["  score: -"]
    lines = [
        f"  score: total {score.get('total', '-')} (band {score.get('band', '-')}),"
        f" fit {score.get('fit', '-')}, engagement {score.get('engagement', '-')}"
    ]
    for reason in score.get("reasons") or []:
        if isinstance(reason, dict):
            points = reason.get("points", "")
            lines.append(
                f"    {points:+} {reason.get('rule', '')}: {reason.get('detail', '')}"
                if isinstance(points, (int, float))
                else f"    {reason}"
            )
        else:
            lines.append(f"    {reason}")
    return lines


def _page(context: dict[str, Any] | None) -> str:
    if not context:
        return ""
    page = context.get("page_url")
    utm = context.get("utm_source")
    return (f", page {page}" if page else "") + (f", utm_source {utm}" if utm else "")


def _handoff_lines(lead: Lead) -> list[str]:
    if not lead.handoffs:
        return ["  none"]
    return [
        f"  {handoff.status} ({handoff.reason}), target {handoff.target or '-'},"
        f" owner {handoff.owner or '-'}, created {_when(handoff.created_at)},"
        f" delivered {_when(handoff.delivered_at)}"
        for handoff in lead.handoffs
    ]
