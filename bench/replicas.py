"""`make bench-replicas`: two leadbot replicas sharing one PostgreSQL tracker store, one
Redis lock store and one lead store, with each conversation's messages sent to them in turn.

    .venvs/app/bin/python -m bench.replicas    # bench/results/<date>-replicas.{json,md}

Two `bot.ops.launcher.Stack`s (Rasa + action server + delivery worker each) on the same fresh
PostgreSQL schema and Redis. The same level (closed loop, 20 visitors) runs once against
replica A alone and once alternating A, B, A, B... within every conversation. Afterwards
every conversation's tracker is read back over Rasa's HTTP API and compared with what the
visitor sent, and every lead is checked for each answer given:

- lost turns: messages sent (and answered) that the tracker does not hold;
- duplicated turns: messages the tracker holds more often than they were sent;
- reordered turns: messages the tracker holds out of the order they were sent;
- answers missing: answered questions without an answer row (field + the visitor's words)
  on the conversation's lead.
The open-source Redis lock store is not atomic (rasa#9213): this measures whether that
shows at this load, it does not prove it cannot happen.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bench import report
from bench.loadgen import ConversationRecord, LevelRun, level_figures, run_level
from bench.servers import (
    Backend,
    RssSampler,
    bench_settings,
    migrate_leads,
    stack_pids,
    start_leadbot,
    stop_leadbot,
)
from bot import store
from bot.ops.launcher import PROJECT_ROOT, VAR_DIR, Stack, train
from bot.store import make_engine, make_session_factory
from tests.receivers import free_port, running_receiver

RESULTS = Path(__file__).resolve().parent / "results"
VISITORS, CONVERSATIONS, TIME_LIMIT = 20, 100, 90
CHECKS = ("conversations_checked", "turns_checked", "lost", "duplicated", "reordered",
          "unanswered", "answers_missing")


def _log(message: str) -> None:
    print(f"[bench-replicas {datetime.now():%H:%M:%S}] {message}", flush=True)


def _lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence (conversations are ~8 messages)."""
    row = [0] * (len(b) + 1)
    for x in a:
        previous = 0
        for j, y in enumerate(b, 1):
            current = row[j]
            row[j] = previous + 1 if x == y else max(row[j], row[j - 1])
            previous = current
    return row[-1]


def _as_often_as(messages: list[str], allowed: list[str]) -> list[str]:
    """`messages` in their order, each kept at most as often as it occurs in `allowed`."""
    budget = Counter(allowed)
    kept = []
    for message in messages:
        if budget[message] > 0:
            budget[message] -= 1
            kept.append(message)
    return kept


def tracker_check(sent: list[str], events: list[dict[str, Any]]) -> dict[str, int]:
    """Lost, duplicated, reordered and unanswered user messages of one conversation's tracker.

    `unanswered`: a user message the tracker holds with no bot message after it before the
    next one (the visitor did get a reply, so the tracker lost the bot's part of the turn).
    """
    held = [e.get("text") or "" for e in events if e.get("event") == "user"]
    lost = sum((Counter(sent) - Counter(held)).values())
    duplicated = sum((Counter(held) - Counter(sent)).values())
    kept = _as_often_as(sent, held)
    reordered = len(kept) - _lcs(kept, _as_often_as(held, sent))
    unanswered, waiting = 0, False
    for event in events:
        if event.get("event") == "user":
            unanswered += waiting
            waiting = True
        elif event.get("event") == "bot":
            waiting = False
    unanswered += waiting
    return {"lost": lost, "duplicated": duplicated, "reordered": reordered,
            "unanswered": unanswered}


def _events(http: httpx.Client, base: str, token: str, sender: str) -> list[dict[str, Any]]:
    response = http.get(f"{base}/conversations/{sender}/tracker", params={"token": token})
    response.raise_for_status()
    return list(response.json().get("events", []))


def _answers_missing(leads: sessionmaker[Session], record: ConversationRecord) -> int:
    given = {(t.slot, t.text) for t in record.turns if t.slot and t.error is None}
    with store.session_scope(leads) as session:
        lead = store.lead_for_conversation(session, record.sender)
        if lead is None:
            return len(given)
        held = {(a.field, a.raw_text) for a in lead.answers if a.conversation_id == record.sender}
    return len(given - held)


def verify(run: LevelRun, base: str, token: str, leads: sessionmaker[Session]) -> dict[str, int]:
    """Every conversation's tracker against what was sent, every lead against its answers."""
    totals: Counter[str] = Counter()
    with httpx.Client(timeout=30) as http:
        for record in run.conversations:
            events = _events(http, base, token, record.sender)
            totals.update(tracker_check(record.messages, events))
            totals["answers_missing"] += _answers_missing(leads, record)
            totals["conversations_checked"] += 1
            totals["turns_checked"] += len(record.messages)
    return {k: totals[k] for k in CHECKS}


def _run(urls: list[str], pids: dict[str, int], prefix: str) -> tuple[LevelRun, dict[str, Any]]:
    with RssSampler(pids) as rss:
        run = asyncio.run(run_level(urls, VISITORS, CONVERSATIONS, TIME_LIMIT, prefix))
    figures = level_figures(run)
    figures["rss_peak_mb"] = rss.peak_mb()
    figures["cpu_ms_per_turn"] = rss.cpu_ms_per(figures["turns"])
    return run, figures


def markdown(result: dict[str, Any]) -> str:
    """The replica results as Markdown."""
    m = result["machine"]
    lines = [
        f"Measured {result['measured_at']} by `make bench-replicas` on {m['cores']} cores, "
        f"{m['memory_gb']} GB RAM, Python {m['python_app']}, Rasa {m['rasa']}: leadbot on "
        f"PostgreSQL (trackers + leads, one schema) and Redis locks, {VISITORS} visitors, "
        f"up to {CONVERSATIONS} conversations per run. Load average before / after: "
        f"{result['load_average']['before']} / {result['load_average']['after']}.",
        "",
        "| figure | one replica | two replicas, alternating | two / one |",
        "|---|---:|---:|---:|",
    ]
    one, two = result["one_replica"], result["two_replicas"]
    rows: list[tuple[str, Any, Any, bool]] = [  # label, one, two, show the ratio
        ("turns / s", one["turns_per_s"], two["turns_per_s"], True),
        ("turn p50 (ms)", one["turn_ms"]["p50"], two["turn_ms"]["p50"], True),
        ("turn p95 (ms)", one["turn_ms"]["p95"], two["turn_ms"]["p95"], True),
        ("errors", one["errors"], two["errors"], False),
        ("incomplete conversations", one["incomplete"], two["incomplete"], False),
    ]
    rows += [(key.replace("_", " "), one["check"][key], two["check"][key], False)
             for key in CHECKS]
    for label, a, b, with_ratio in rows:
        shown = report.ratio_cell(report.ratio(b, a)) if with_ratio else ""
        lines.append(f"| {label} | {report.cell(a)} | {report.cell(b)} | {shown} |")
    verdict = "met" if result["lost_or_reordered"] == 0 else "**missed**"
    lines += ["", f"Lost or reordered turns (target 0): {result['lost_or_reordered']} — {verdict}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run both configurations, verify, write the results; 1 if a turn was lost/reordered."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    log_dir = VAR_DIR / "logs" / "bench-replicas"
    shutil.rmtree(log_dir, ignore_errors=True)
    result: dict[str, Any] = {
        "measured_at": now.isoformat(timespec="seconds"), "machine": report.machine(),
        "load_average": {"before": report.load_average()},
        "plan": {"visitors": VISITORS, "max_conversations": CONVERSATIONS,
                 "time_limit_s": TIME_LIMIT},
    }
    started = time.monotonic()
    model = train()
    stacks: list[Stack] = []
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-rep-") as tmp:
        backend = Backend("postgres", Path(tmp), "replicas")
        try:
            with running_receiver() as receiver:
                first = bench_settings(backend, handoff_url=receiver.url)
                second = first.model_copy(update={"rasa_port": free_port(),
                                                  "action_port": free_port()})
                migrate_leads(first)
                _log("starting replica A, then replica B (they share the schema)...")
                stacks.append(start_leadbot(first, "bench-rep-a", log_dir, model,
                                            backend.engine_env))
                stacks.append(start_leadbot(second, "bench-rep-b", log_dir, model,
                                            backend.engine_env))
                urls = [s.rasa_url for s in stacks]
                with ThreadPoolExecutor(2) as pool:  # warm both up (TensorFlow graphs)
                    list(pool.map(lambda u: asyncio.run(run_level([u], 1, 2, 60, "bench-warm")),
                                  urls))
                engine = make_engine(first.lead_store_url)
                leads = make_session_factory(engine)
                token = first.rasa_token
                for key, targets in (("one_replica", urls[:1]), ("two_replicas", urls)):
                    pids = {f"{role}_{'ab'[i]}": pid for i, s in enumerate(stacks)
                            for role, pid in stack_pids(s).items() if role in ("rasa", "actions")}
                    _log(f"{key}: {VISITORS} visitors, up to {CONVERSATIONS} conversations")
                    run, figures = _run(targets, pids, f"bench-{key.replace('_', '-')}")
                    figures["check"] = verify(run, urls[0], token, leads)
                    result[key] = figures
                    _log(f"  {figures['turns_per_s']} turns/s, p50 {figures['turn_ms']['p50']} "
                         f"ms, {figures['errors']} errors, check {figures['check']}")
                engine.dispose()
        finally:
            for stack in stacks:
                stop_leadbot(stack)
            backend.drop()
    result["turns_per_s_two_over_one"] = report.ratio(result["two_replicas"]["turns_per_s"],
                                                      result["one_replica"]["turns_per_s"])
    result["lost_or_reordered"] = sum(result[k]["check"][c] for k in ("one_replica",
                                                                     "two_replicas")
                                      for c in ("lost", "duplicated", "reordered"))
    result["load_average"]["after"] = report.load_average()
    result["wall_s"] = round(time.monotonic() - started, 1)
    stem = f"{now:%Y-%m-%d}-replicas"
    RESULTS.mkdir(parents=True, exist_ok=True)
    json_path = RESULTS / f"{stem}.json"
    md_path = RESULTS / f"{stem}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    _log(f"written {json_path.relative_to(PROJECT_ROOT)} and {md_path.relative_to(PROJECT_ROOT)}"
         f" in {result['wall_s']} s")
    return 1 if result["lost_or_reordered"] else 0


if __name__ == "__main__":
    sys.exit(main())
