"""Handoff templates with hostile visitor text: each format escapes it its own way."""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from bot.decisions.ownership import FollowUp, route
from bot.decisions.profile import LeadProfile
from bot.handoff.render import (
    SLACK_FIELD_LIMIT,
    SLACK_HEADER_LIMIT,
    SLACK_TEXT_LIMIT,
    TEMPLATE_DIR,
    TemplateProblem,
    clip,
    reach_text,
    render_email,
    render_slack,
    render_text,
    slack_escape,
    slack_text,
    summary_context,
    summary_variants,
)
from tests.unit.repo_policies import POLICIES

HOSTILE_NEED = 'Help <script>alert("x")</script> & <!channel> *bold* _it_ ~del~ @here 🚀 "quoted"'
LONG = "We need a helpdesk. " * 500  # 10,000 characters
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def answer(field: str, raw: str, value: Any, at: str) -> dict[str, Any]:
    return {"field": field, "raw_text": raw, "value": value, "at": at,
            "conversation_id": "c1", "visit": 1}


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "lead_id": "lead-1", "name": "Zoë <b>O'Brien</b> @channel", "job_title": "Head of *CX*",
        "company": "Acme & Sons <!here>", "company_size": 250, "industry": "software",
        "country": "DE", "email": "zoe@acme.example", "phone": "+4930123456",
        "need": HOSTILE_NEED, "budget_amount": 24000.0, "budget_currency": "EUR",
        "budget_period": "year", "budget_status": "allocated", "authority": "decision_maker",
        "timeline_months": 3.0, "status": "qualified",
        "status_reasons": ["budget 24,000 EUR per year is allocated"],
        "score": {"fit": 72, "engagement": 41, "total": 60, "band": "hot", "reasons": [
            {"rule": "fit.industry", "points": 15, "detail": "industry software is ICP"},
            {"rule": "fit.company_size", "points": 10, "detail": "250 employees is mid-market"},
            {"rule": "fit.email", "points": -5, "detail": "free mail"},
            {"rule": "fit.country", "points": 3, "detail": "country DE is core"},
            {"rule": "engagement.key_page", "points": 12, "detail": "viewed pricing"},
        ]},
        "answers": [
            answer("need", HOSTILE_NEED, HOSTILE_NEED, "2026-03-04T08:00:00Z"),
            answer("budget", "maybe 1k", {}, "2026-03-04T08:01:00Z"),
            answer("budget", "2k a month <b>set aside</b> *really*", {}, "2026-03-04T08:02:00Z"),
            answer("authority", "I sign off on it", "decision_maker", "2026-03-04T08:03:00Z"),
            answer("timeline", LONG, 3, "2026-03-04T08:04:00Z"),
        ],
        "activities": [
            {"kind": "page_view", "detail": {"url": "https://ex.com/pricing?a=1&b=<x>"}},
            {"kind": "page_view", "detail": {"url": "https://ex.com/pricing?a=1&b=<x>"}},
            {"kind": "utm", "detail": {"source": "google", "medium": "cpc",
                                       "campaign": "*spring*"}},
        ],
    }
    return {**base, **overrides}


def context(lead_url: str | None = None, **overrides: Any) -> dict[str, Any]:
    policy = POLICIES.routing
    assignment = route(LeadProfile(country="DE"), policy, {})
    return summary_context(record(**overrides), assignment,
                           FollowUp("today", NOW), lead_url)


def slack_texts(message: dict[str, Any]) -> list[str]:
    texts = []
    for block in message["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields", [])]
        texts += [e["text"] for e in block.get("elements", []) if "text" in e]
    return texts


def test_bant_quotes_the_latest_own_words() -> None:
    bant = {item["field"]: item for item in context()["bant"]}
    assert bant["budget"]["quote"] == "2k a month <b>set aside</b> *really*"
    assert bant["budget"]["value"] == "24,000 EUR a year, allocated"
    assert bant["authority"] == {"field": "authority", "label": "Authority",
                                 "value": "decision maker", "quote": "I sign off on it"}
    assert bant["timeline"]["value"] == "within 3 months"
    assert bant["need"]["quote"] == HOSTILE_NEED


def test_context_top_reasons_pages_campaign_owner() -> None:
    ctx = context()
    assert [r["points"] for r in ctx["fit_reasons"]] == [15, 10, -5]
    assert [r["rule"] for r in ctx["engagement_reasons"]] == ["engagement.key_page"]
    assert ctx["pages"] == ["https://ex.com/pricing?a=1&b=<x>"]
    assert ctx["campaigns"] == ["campaign *spring*, source google, medium cpc"]
    assert ctx["owner"]["name"] == "Dana Fischer" and ctx["owner"]["team"] == "EMEA"
    assert "today" in ctx["next_step"]
    json.dumps(ctx)  # plain data


def test_text_keeps_visitor_text_intact() -> None:
    text = render_text(context())
    assert HOSTILE_NEED in text
    assert '("2k a month <b>set aside</b> *really*")' in text
    assert '("I sign off on it")' in text
    assert LONG in text  # the full transcript, not cut
    assert "Zoë <b>O'Brien</b> @channel" in text
    assert "fit +15: industry software is ICP" in text and "fit +3" not in text
    assert "page: https://ex.com/pricing?a=1&b=<x>" in text
    assert "Dana Fischer (EMEA)" in text
    assert "budget 24,000 EUR per year is allocated" in text


def test_email_html_is_escaped_and_complete() -> None:
    subject, text, body = render_email(context())
    assert "\n" not in subject and subject.startswith("Qualified lead: ")
    assert text == render_text(context())
    assert "<script>" not in body and "<b>O" not in body and "<!channel>" not in body
    assert str(escape(HOSTILE_NEED)) in body
    assert str(escape("2k a month <b>set aside</b> *really*")) in body
    assert str(escape(LONG.strip())) in body  # transcript in full
    assert "🚀" in body


def test_subject_cannot_inject_headers() -> None:
    subject, _, _ = render_email(context(name="Eve\r\nBcc: all@example.com"))
    assert "\r" not in subject and "\n" not in subject


def test_slack_is_escaped_and_within_limits() -> None:
    message = render_slack(context())
    body = json.dumps(message, ensure_ascii=False)
    assert json.loads(body) == message  # JSON-serialisable
    texts = slack_texts(message)
    joined = "\n".join(texts)
    for hostile in ("<script>", "<!channel>", "<!here>", "<b>", "*bold*", "_it_", "~del~",
                    "*really*", "*spring*", "*CX*"):
        assert hostile not in joined, hostile
    assert "@here" not in joined and "@channel" not in joined
    assert "&lt;script&gt;" in joined and "Acme &amp; Sons" in joined
    assert "🚀" in joined and '"quoted"' in joined
    assert "<@U04DANA01>" in joined  # our own mention of the owner stays a mention
    header = message["blocks"][0]
    assert header["type"] == "header" and len(header["text"]["text"]) <= SLACK_HEADER_LIMIT
    for block in message["blocks"]:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= SLACK_TEXT_LIMIT
        for item in block.get("fields", []):
            assert len(item["text"]) <= SLACK_FIELD_LIMIT
    assert len(message["blocks"]) <= 50


def test_slack_truncates_long_answers_with_ellipsis() -> None:
    message = render_slack(context(need=LONG, answers=[
        answer("need", LONG, LONG, "2026-03-04T08:00:00Z")]))
    need = next(f["text"] for b in message["blocks"] for f in b.get("fields", [])
                if f["text"].startswith("*Need:*"))
    assert need.endswith("…") and len(need) <= SLACK_FIELD_LIMIT
    transcript = message["blocks"][6]["text"]["text"]
    assert transcript.endswith("…") and len(transcript) <= SLACK_TEXT_LIMIT


def test_slack_transcript_is_a_link_or_the_first_five_lines() -> None:
    lines = [answer("need", f"line {i}", None, f"2026-03-04T08:0{i}:00Z") for i in range(8)]
    preview = render_slack(context(answers=lines))["blocks"][6]["text"]["text"]
    assert "line 4" in preview and "line 5" not in preview
    linked = render_slack(context("https://leads.example.com/l/lead-1?a=1&b=2", answers=lines))
    text = linked["blocks"][6]["text"]["text"]
    assert text.startswith("<https://leads.example.com/l/lead-1?a=1&amp;b=2|")
    assert "line 0" not in text


def test_slack_escape_and_clip() -> None:
    assert slack_escape("a & b <!here> @Everyone *x*") == (
        "a &amp; b &lt;!here&gt; @\u200bEveryone \u2217x\u2217")
    assert clip("a" * 10, 10) == "a" * 10
    assert clip("abc &amp; def", 8) == "abc …"  # never half an entity
    assert len(clip("x" * 5000, 3000)) == 3000


def test_missing_or_broken_template_is_named(tmp_path: Path) -> None:
    with pytest.raises(TemplateProblem, match=r"summary\.txt: template missing"):
        render_text(context(), tmp_path)
    (tmp_path / "summary.txt").write_text("ok\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"summary\.txt:2: "):
        render_text(context(), tmp_path)
    (tmp_path / "email_subject.txt").write_text("x\n{{ lead.nmae.upper() }}", encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"email_subject\.txt:2: .*nmae"):
        render_email(context(), tmp_path)
    (tmp_path / "slack.json").write_text('{"blocks": [{{ who }}]}', encoding="utf-8")
    with pytest.raises(TemplateProblem, match=r"slack\.json: did not render valid JSON"):
        render_slack(context(), tmp_path)


def test_shipped_templates_exist() -> None:
    names = {p.name for p in TEMPLATE_DIR.iterdir()}
    assert {"summary.txt", "email_subject.txt", "email.html", "slack.json"} <= names


# ---------------------------------------------------------------------------- webhook JSON
def test_summary_variants_escape_for_html_and_slack() -> None:
    raw = render_text(context())
    variants = summary_variants(raw)
    assert set(variants) == {"summary_html", "summary_slack"}
    html_text, slack = variants["summary_html"], variants["summary_slack"]
    # HTML: nothing a visitor typed is markup any more; unescaping gives the raw text back.
    for hostile in ("<script>", "<b>", "<!channel>", "<!here>"):
        assert hostile not in html_text
    assert html.escape(HOSTILE_NEED) in html_text
    assert html.unescape(html_text) == raw
    # Slack: & < > as entities, so <!channel> / <!here> are shown, not acted on; the
    # mentions typed as words get a zero-width space; the words are otherwise as typed.
    for hostile in ("<!channel>", "<!here>", "<script>", "@here", "@channel"):
        assert hostile not in slack, hostile
    assert "&lt;!channel&gt;" in slack and "Acme &amp; Sons &lt;!here&gt;" in slack
    assert "*bold* _it_ ~del~" in slack and "🚀" in slack
    assert slack.replace("\u200b", "").replace("&lt;", "<").replace(
        "&gt;", ">").replace("&amp;", "&") == raw
    assert slack_text("<@U1> <http://evil.example|click> a&b") == (
        "&lt;@U1&gt; &lt;http://evil.example|click&gt; a&amp;b")


def test_the_webhook_payload_carries_the_raw_summary_and_escaped_copies(
    session_factory: Any,
) -> None:
    from bot.handoff.payload import handoff_payload, with_transcript
    from bot.store import (
        AnswerInput,
        ensure_conversation,
        record_answers,
        request_handoff,
        session_scope,
    )

    at = datetime(2026, 3, 4, 8, 0, tzinfo=ZoneInfo("UTC"))
    with session_scope(session_factory) as session:
        ensure_conversation(session, "c-hostile", at=at)
        lead = record_answers(session, [
            AnswerInput("c-hostile", "name", "Eve <!channel>", "Eve <!channel>", "m1", at),
            AnswerInput("c-hostile", "need", HOSTILE_NEED, HOSTILE_NEED, "m2", at)])
        handoff = request_handoff(session, lead, "visitor_request", owner="dana")
        session.flush()
        payload = handoff_payload(lead, handoff, POLICIES.routing)
    fuller = with_transcript(payload, [{"speaker": "visitor", "text": "<!here> hi",
                                        "at": "2026-03-04T08:00:05+00:00"}])
    for sent in (payload, fuller):
        assert HOSTILE_NEED in sent["summary"] and "Eve <!channel>" in sent["summary"]
        assert sent["summary_html"] == html.escape(sent["summary"])
        assert sent["summary_slack"] == slack_text(sent["summary"])
        assert "<!channel>" not in sent["summary_slack"] + sent["summary_html"]
    assert "<!here> hi" in fuller["summary"] and "&lt;!here&gt; hi" in fuller["summary_slack"]


# ---------------------------------------------------------------- budget, timeline wording
# The stored lead as the conversation leaves it for what the visitor typed; every format of
# the summary words it like the rep page, the CLI and the visitor's read-back
# (bot/wording.py): a monthly budget is never its yearly figure "per month".
WORDED_BUDGETS = [
    ("we can do 2k a month", {"budget_amount": 24000.0, "budget_currency": None,
                              "budget_period": "month", "budget_status": "estimate"},
     "2,000 a month (24,000 a year), estimate"),
    ("like 1.5k quid a month, signed off", {
        "budget_amount": 18000.0, "budget_currency": "GBP", "budget_period": "month",
        "budget_status": "allocated"}, "1,500 GBP a month (18,000 a year), allocated"),
    ("5k per quarter", {"budget_amount": 20000.0, "budget_currency": None,
                        "budget_period": "year", "budget_status": "estimate"},
     "20,000 a year, estimate"),
    ("one-off 40k eur", {"budget_amount": 40000.0, "budget_currency": "EUR",
                         "budget_period": "one_time", "budget_status": "estimate"},
     "40,000 EUR one-off, estimate"),
    ("R300k a year", {"budget_amount": 300000.0, "budget_currency": "ZAR",
                      "budget_period": "year", "budget_status": "estimate"},
     "300,000 ZAR a year, estimate"),
]


@pytest.mark.parametrize(("said", "stored", "worded"), WORDED_BUDGETS)
def test_every_summary_format_words_the_budget_once(
    said: str, stored: dict[str, Any], worded: str
) -> None:
    ctx = context(**stored, answers=[answer("budget", said, {}, "2026-03-04T08:02:00Z")])
    bant = {item["field"]: item for item in ctx["bant"]}
    assert bant["budget"]["value"] == worded
    assert f"- Budget: {worded} (\"{said}\")" in render_text(ctx)
    _, _, body = render_email(ctx)
    assert str(escape(worded)) in body
    fields = [f["text"] for b in render_slack(ctx)["blocks"] for f in b.get("fields", [])]
    assert any(f.startswith(f"*Budget:* {worded}") for f in fields)
    yearly = f"{stored['budget_amount']:,.0f}"
    assert f"{yearly} a month" not in render_text(ctx)
    assert f"{yearly} per month" not in render_text(ctx)


@pytest.mark.parametrize(("months", "worded"), [
    (0.0, "now / as soon as possible"), (0.5, "within 2 weeks"), (1.0, "within 1 month"),
    (None, "unknown")])
def test_summary_timeline_wording(months: float | None, worded: str) -> None:
    assert f"- Timeline: {worded}" in render_text(context(timeline_months=months))


@pytest.mark.parametrize(("email", "phone", "expected"), [
    ("dana@acme.com", None, "by e-mail dana@acme.com"),
    (None, "+4930901820", "by phone +4930901820"),
    ("dana@acme.com", "+4930901820", "by e-mail dana@acme.com or phone +4930901820"),
    (None, None, "in the chat only: they asked for a person"),
])
def test_the_summary_says_how_sales_can_reach_the_lead(email, phone, expected) -> None:
    # a lead reaches sales with a way to reach it, or asking for a person while chatting
    assert reach_text({"email": email, "phone": phone}).startswith(expected)
