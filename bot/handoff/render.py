r"""The handoff summary a rep reads, rendered from templates the business can edit.

One context (`summary_context`) feeds every format; the templates live in
`bot/handoff/templates/`:

- `summary.txt`: plain text (also the e-mail's text part), visitor text as given: the
  webhook JSON's `summary` is this raw text, with escaped copies beside it
  (`summary_variants`: `summary_html`, `summary_slack`);
- `email_subject.txt`, `email.html`: the e-mail (HTML autoescaped);
- `slack.json`: a Block Kit message; every string of the context is escaped for Slack mrkdwn
  before rendering (`& < >`, @channel-style mentions, `* _ ~ \\``), so the template inserts
  values with `| tojson` and never has to think about escaping.

A missing or broken template raises `TemplateProblem` naming the file (and line).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bot.decisions.ownership import Assignment, FollowUp
from bot.wording import authority_text, budget_text, timeline_text

TEMPLATE_DIR = Path(__file__).parent / "templates"
TEXT_TEMPLATE = "summary.txt"
SUBJECT_TEMPLATE = "email_subject.txt"
HTML_TEMPLATE = "email.html"
SLACK_TEMPLATE = "slack.json"

TOP_REASONS = 3
MAX_PAGES = 10
SLACK_PREVIEW_LINES = 5
SLACK_TEXT_LIMIT = 3000  # section text, context elements
SLACK_FIELD_LIMIT = 2000  # each section field
SLACK_MAX_FIELDS = 10
SLACK_HEADER_LIMIT = 150
SLACK_MAX_BLOCKS = 50
SUBJECT_LIMIT = 200
ELLIPSIS = "…"

BANT = (("need", "Need"), ("budget", "Budget"), ("authority", "Authority"),
        ("timeline", "Timeline"))


class TemplateProblem(Exception):
    """A handoff template is missing or broken: "file:line: problem"."""


# ----------------------------------------------------------------- context


def summary_context(record: Mapping[str, Any], assignment: Assignment, follow_up: FollowUp,
                    lead_url: str | None, transcript: Sequence[Mapping[str, Any]] | None = None,
                    assistant: str = "Assistant", reference: str | None = None,
                    ) -> dict[str, Any]:
    """Everything the templates show, as plain JSON-like data (visitor text unescaped).

    `record` is `bot.store.lead_record(lead)`; `lead_url` the read-only lead page, if any;
    `transcript` the whole conversation (`bot.rasa_api.Line.as_json()` items) or None when
    it could not be read, in which case the visitor's stored answers stand in for it;
    `reference` the handoff's idempotency key, shown so a rep can match a repeat.
    """
    answers = list(record.get("answers") or [])
    activities = list(record.get("activities") or [])
    score = record.get("score") or None
    reasons = list((score or {}).get("reasons") or [])
    owner = assignment.owner
    lead = {key: record.get(key) for key in (
        "lead_id", "name", "job_title", "company", "company_size", "industry", "country",
        "email", "phone", "status")}
    return {
        "headline": _headline(record),
        "lead": lead,
        "who": _who(record),
        "bant": bant_items(record),
        "score": None if score is None else {
            key: score.get(key) for key in ("fit", "engagement", "total", "band")},
        "fit_reasons": _top(reasons, "fit."),
        "engagement_reasons": _top(reasons, "engagement."),
        "status_reasons": [str(r) for r in record.get("status_reasons") or []],
        "pages": pages_seen(activities),
        "campaigns": campaigns(activities),
        "referrers": _unique(_detail(activities, "referrer", "url")),
        "owner": {
            "id": owner.id, "name": owner.name, "first_name": owner.first_name,
            "email": owner.email, "slack_id": owner.slack_id, "booking_url": owner.booking_url,
            "timezone": owner.timezone,
            "team": assignment.team.name if assignment.team is not None else None,
            "rule": assignment.rule,
        },
        "follow_up": {
            "when_text": when_text(follow_up), "at": follow_up.at.isoformat(),
            "local": follow_up.at.strftime("%a %d %b %H:%M %Z"),
        },
        "next_step": _next_step(record, assignment, follow_up),
        "reach": reach_text(record),
        "transcript": (
            transcript_lines(transcript, assistant)
            if transcript is not None
            else [_answer_line(a) for a in answers]
        ),
        "transcript_complete": transcript is not None,
        "lead_url": lead_url,
        "reference": reference,
        "assistant": assistant,
        "possible_repeat": False,
    }


def transcript_lines(lines: Sequence[Mapping[str, Any]], assistant: str) -> list[dict[str, Any]]:
    """Transcript lines (`bot.rasa_api.Line.as_json()` items) as the templates show them."""
    return [
        {"speaker": line.get("speaker"),
         "who": assistant if line.get("speaker") == "assistant" else "Visitor",
         "text": str(line.get("text") or ""), "at": line.get("at")}
        for line in lines
    ]


def _answer_line(answer: Mapping[str, Any]) -> dict[str, Any]:
    # Only the visitor's stored answers: name the question each one answered.
    return {"speaker": "visitor", "who": f"Visitor ({answer.get('field')})",
            "text": str(answer.get("raw_text") or ""), "at": answer.get("at")}


def _headline(record: Mapping[str, Any]) -> str:
    if record.get("status") == "qualified":
        return "Qualified lead"
    return "Lead asked to talk to sales"


def _who(record: Mapping[str, Any]) -> str:
    name = record.get("name") or "Unknown visitor"
    title, company = record.get("job_title"), record.get("company")
    role = " at ".join(p for p in (title, company) if p)
    facts = [f"{record['company_size']:,} employees" if record.get("company_size") else None,
             record.get("industry"), record.get("country")]
    extra = ", ".join(str(f) for f in facts if f)
    return name + (f", {role}" if role else "") + (f" ({extra})" if extra else "")


def bant_items(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Need, budget, authority, timeline: each as a rep reads it, with the visitor's latest
    words for it (`record` is `bot.store.lead_record(lead)`).
    """
    answers = list(record.get("answers") or [])
    return [
        {"field": field, "label": label, "value": _bant_value(field, record),
         "quote": _latest_words(answers, field)}
        for field, label in BANT
    ]


def _bant_value(field: str, record: Mapping[str, Any]) -> str:
    # Budget, authority and timeline are worded by bot/wording.py, as on the rep page, in
    # the CLI and in the visitor's read-back: "2,000 USD a month (24,000 a year), estimate".
    if field == "need":
        return str(record.get("need") or "unknown")
    if field == "authority":
        return authority_text(record.get("authority"))
    if field == "timeline":
        return timeline_text(record.get("timeline_months"))
    return budget_text(record.get("budget_amount"), record.get("budget_currency"),
                       record.get("budget_period"), record.get("budget_status"))


def _latest_words(answers: list[Mapping[str, Any]], field: str) -> str | None:
    """The visitor's own words of the latest answer to `field` (answers are in time order)."""
    mine = [(str(a.get("at") or ""), i, a) for i, a in enumerate(answers)
            if a.get("field") == field and a.get("raw_text")]
    return str(max(mine, key=lambda t: (t[0], t[1]))[2]["raw_text"]) if mine else None


def _top(reasons: list[Mapping[str, Any]], prefix: str) -> list[dict[str, Any]]:
    mine = [dict(r) for r in reasons if str(r.get("rule", "")).startswith(prefix)
            and r.get("points")]
    return sorted(mine, key=lambda r: -abs(r["points"]))[:TOP_REASONS]


def _detail(activities: list[Mapping[str, Any]], kind: str, key: str) -> list[str]:
    return [str(a["detail"][key]) for a in activities
            if a.get("kind") == kind and (a.get("detail") or {}).get(key)]


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def pages_seen(activities: list[Mapping[str, Any]]) -> list[str]:
    """The pages the lead viewed (each once, the latest `MAX_PAGES`)."""
    return _unique(_detail(activities, "page_view", "url"))[-MAX_PAGES:]


def campaigns(activities: list[Mapping[str, Any]]) -> list[str]:
    """The campaigns (UTM source / medium / campaign) that brought the lead."""
    found = []
    for activity in activities:
        if activity.get("kind") != "utm":
            continue
        detail = activity.get("detail") or {}
        parts = [f"{key} {detail[key]}" for key in ("campaign", "source", "medium")
                 if detail.get(key)]
        if parts:
            found.append(", ".join(parts))
    return _unique(found)


def reach_text(record: Mapping[str, Any]) -> str:
    """How sales can reach the lead, which is why it was handed over: an e-mail or a phone
    number it gave, or a person it asked for while chatting without leaving either.
    """
    ways = [f"e-mail {record['email']}" if record.get("email") else "",
            f"phone {record['phone']}" if record.get("phone") else ""]
    given = " or ".join(w for w in ways if w)
    if given:
        return f"by {given}"
    return ("in the chat only: they asked for a person and left no e-mail or phone yet "
            "(`leadbot takeover` answers them there)")


def when_text(follow_up: FollowUp) -> str:
    """The rep's words for when the visitor expects them ("tomorrow morning"): the same
    moment the visitor was told in domain.yml's words (`utter_follow_up_<when>`).
    """
    part = follow_up.part_of_day
    words = {"today": "today", "this_part_of_day": f"this {part}",
             "tomorrow": f"tomorrow {part}", "weekday": f"on {follow_up.weekday} {part}"}
    return words[follow_up.when]


def _next_step(record: Mapping[str, Any], assignment: Assignment, follow_up: FollowUp) -> str:
    who = (record.get("name") or "the visitor").split()[0]
    step = (f"Reach out to {who} {when_text(follow_up)} "
            f"({follow_up.at.strftime('%a %H:%M %Z')}): they were told to expect it")
    gaps = []
    if record.get("authority") not in ("decision_maker",):
        gaps.append("ask who else is involved in the decision")
    if record.get("budget_status") in (None, "none", "unknown"):
        gaps.append("confirm the budget")
    if record.get("timeline_months") is None:
        gaps.append("ask when they need a solution")
    if not gaps:
        gaps.append("offer a tailored demo")
    return step + "; " + "; ".join(gaps) + "."


# ----------------------------------------------------------------- Slack escaping

_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_FORMATTING = str.maketrans({"*": "\u2217", "_": "\uff3f", "~": "\u223c", "`": "\u02cb"})
_PARTIAL_ENTITY = re.compile(r"&[a-z#0-9]*$")
# Values that are ours or already validated; only & < > are escaped in them.
_SLACK_VERBATIM_KEYS = frozenset({"lead_url", "booking_url", "slack_id", "email", "at",
                                  "lead_id"})


def slack_escape(text: str) -> str:
    """`text` safe inside Slack mrkdwn: entities, no mentions, no formatting characters."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MENTION.sub(lambda m: "@\u200b" + m.group(1), text)
    return text.translate(_FORMATTING)


def slack_text(text: str) -> str:
    """Plain text made inert for Slack mrkdwn, its words kept: `& < >` become entities (so
    `<!channel>`, `<@U1>` and `<http://x|y>` are shown, not acted on) and @channel, @here,
    @everyone get a zero-width space (no mention even with `link_names`). Unlike
    `slack_escape`, formatting characters are left as typed.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: "@\u200b" + m.group(1), text)


def summary_variants(text: str) -> dict[str, str]:
    """The webhook JSON's escaped copies of the raw-text `summary`, for receivers that
    post it on: `summary_html` (HTML-escaped, quotes too) and `summary_slack` (Slack
    mrkdwn-escaped, see `slack_text`).
    """
    return {"summary_html": html.escape(text, quote=True), "summary_slack": slack_text(text)}


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters with "…", never inside an &entity;."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - len(ELLIPSIS)]) + ELLIPSIS


def _slack_values(value: Any, key: str = "") -> Any:
    if isinstance(value, str):
        escaped = (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                   if key in _SLACK_VERBATIM_KEYS else slack_escape(value))
        return clip(escaped, SLACK_TEXT_LIMIT)
    if isinstance(value, Mapping):
        return {k: _slack_values(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_slack_values(v, key) for v in value]
    return value


def _within_slack_limits(message: dict[str, Any]) -> dict[str, Any]:
    """Cut what Slack would reject: long texts, too many fields, elements or blocks."""
    blocks = message.get("blocks") or []
    del blocks[SLACK_MAX_BLOCKS:]
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict) and isinstance(text.get("text"), str):
            limit = SLACK_HEADER_LIMIT if block.get("type") == "header" else SLACK_TEXT_LIMIT
            text["text"] = clip(text["text"], limit)
        fields = block.get("fields")
        if isinstance(fields, list):
            del fields[SLACK_MAX_FIELDS:]
            for item in fields:
                item["text"] = clip(str(item.get("text", "")), SLACK_FIELD_LIMIT)
        elements = block.get("elements")
        if block.get("type") == "context" and isinstance(elements, list):
            del elements[10:]
            for item in elements:
                if isinstance(item.get("text"), str):
                    item["text"] = clip(item["text"], SLACK_TEXT_LIMIT)
    if isinstance(message.get("text"), str):
        message["text"] = clip(message["text"], SLACK_TEXT_LIMIT)
    return message


# ----------------------------------------------------------------- rendering


@cache
def _environment(directory: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(name: str, ctx: Mapping[str, Any], directory: Path | None) -> str:
    directory = directory or TEMPLATE_DIR
    where = directory / name
    try:
        template = _environment(directory).get_template(name)
    except jinja2.TemplateNotFound:
        raise TemplateProblem(f"{where}: template missing") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(f"{where}:{exc.lineno}: {exc.message}") from None
    try:
        return template.render(ctx)
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"{where}{_line_in(exc, name)}: {exc.message or exc}") from None


def _line_in(exc: BaseException, name: str) -> str:
    """":line" of the template frame in `exc`'s traceback (Jinja rewrites it so), or ""."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(name):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f":{line}" if line else ""


def render_text(ctx: Mapping[str, Any], templates: Path | None = None) -> str:
    """The plain-text summary (visitor text exactly as given)."""
    return _render(TEXT_TEMPLATE, ctx, templates)


def render_email(ctx: Mapping[str, Any], templates: Path | None = None,
                 ) -> tuple[str, str, str]:
    """(subject, text, html): the subject on one line, the HTML autoescaped."""
    subject = " ".join(_render(SUBJECT_TEMPLATE, ctx, templates).split())
    return clip(subject, SUBJECT_LIMIT), render_text(ctx, templates), _render(
        HTML_TEMPLATE, ctx, templates)


def render_slack(ctx: Mapping[str, Any], templates: Path | None = None) -> dict[str, Any]:
    """A Slack Block Kit message (`{"text", "blocks"}`), escaped and within Slack's limits."""
    escaped: dict[str, Any] = _slack_values(dict(ctx))
    escaped["transcript_preview"] = escaped["transcript"][:SLACK_PREVIEW_LINES]
    rendered = _render(SLACK_TEMPLATE, escaped, templates)
    try:
        message = json.loads(rendered)
    except json.JSONDecodeError as exc:
        raise TemplateProblem(
            f"{(templates or TEMPLATE_DIR) / SLACK_TEMPLATE}: did not render valid JSON "
            f"(rendered line {exc.lineno}: {exc.msg}; insert values with | tojson)") from None
    if not isinstance(message, dict) or not isinstance(message.get("blocks"), list):
        raise TemplateProblem(f"{(templates or TEMPLATE_DIR) / SLACK_TEMPLATE}: "
                              'must render a JSON object with "blocks"')
    return _within_slack_limits(message)


RENDERERS: dict[str, Callable[..., Any]] = {
    "text": render_text, "email": render_email, "slack": render_slack}
