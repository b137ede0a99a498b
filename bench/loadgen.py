"""Closed-loop load: virtual visitors having whole qualifying conversations over REST.

`concurrency` visitors each have one conversation after another (a visitor sends its next
message only when the reply to the last one has arrived) until the level's conversation
budget is spent or its time limit has passed. A conversation that is still running at the
hard deadline (time limit + grace) is cancelled and counted as incomplete, so a level always
ends. Loopback only: the URLs are the servers this benchmark started.

With several base URLs (two replicas), a conversation's messages go to them in turn.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bench.visitor import OPENING, answers_for, finished, question_asked

REQUEST_TIMEOUT = 30.0
MAX_TURNS = 15  # the longest leadbot conversation is well below this (7 questions + hi)


@dataclass
class TurnRecord:
    """One message the visitor sent and what came back."""

    index: int
    slot: str | None  # the question this message answers; None for the opening
    text: str
    target: int  # which base URL it went to
    sent_wall: float  # time.time(): compared with timestamps in the stores
    sent: float  # time.monotonic(): for latencies
    latency: float | None = None  # seconds until the whole reply was read
    error: str | None = None


@dataclass
class ConversationRecord:
    """One visitor's conversation, as far as it went."""

    sender: str
    answers: dict[str, str]
    turns: list[TurnRecord] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    completed: bool = False
    error: str | None = None

    @property
    def messages(self) -> list[str]:
        """The texts the visitor sent (and the server answered), in order."""
        return [t.text for t in self.turns if t.error is None]


@dataclass
class LevelRun:
    """Everything one level produced."""

    concurrency: int
    conversations: list[ConversationRecord]
    started: float
    ended: float
    cut_off: int = 0  # conversations cancelled at the hard deadline


async def _send(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> list[str]:
    async with session.post(f"{url}/webhooks/rest/webhook",
                            json={"sender": sender, "message": text}) as response:
        body = await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
    return [m.get("text") or "" for m in json.loads(body)]


async def have_conversation(session: aiohttp.ClientSession, urls: list[str],
                            record: ConversationRecord) -> None:
    """Open with a greeting and answer every question until the bot has everything.

    Fills `record` as it goes, so a conversation cancelled midway keeps what it did.
    """
    text, slot = OPENING, None
    for index in range(MAX_TURNS):
        target = index % len(urls)
        turn = TurnRecord(index, slot, text, target, time.time(), time.monotonic())
        record.turns.append(turn)
        try:
            replies = await _send(session, urls[target], record.sender, text)
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as exc:
            turn.error = f"{type(exc).__name__}: {exc}"[:200]
            record.error = f"turn {index}: {turn.error}"
            return
        turn.latency = time.monotonic() - turn.sent
        if finished(replies):
            record.completed = True
            return
        slot = question_asked(replies)
        if slot is None or slot not in record.answers:
            record.error = f"turn {index}: no known question in {replies!r}"[:300]
            return
        record.asked.append(slot)
        text = record.answers[slot]
    record.error = f"not finished after {MAX_TURNS} turns: asked {record.asked}"


async def run_level(urls: list[str], concurrency: int, max_conversations: int,
                    time_limit: float, prefix: str, grace: float = 60.0) -> LevelRun:
    """`concurrency` closed-loop visitors, at most `max_conversations`, about `time_limit` s.

    No new conversation starts after `time_limit`; at `time_limit + grace` whatever still
    runs is cancelled and counted as cut off.
    """
    run_tag = uuid.uuid4().hex[:8]
    records: list[ConversationRecord] = []
    started = time.monotonic()
    stop_starting = started + time_limit

    async def visitor(session: aiohttp.ClientSession) -> None:
        while len(records) < max_conversations and time.monotonic() < stop_starting:
            number = len(records)
            tag = f"{run_tag}{number:05d}"
            record = ConversationRecord(f"{prefix}-{tag}", answers_for(tag))
            records.append(record)
            await have_conversation(session, urls, record)

    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=concurrency * max(1, len(urls)))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        tasks = [asyncio.create_task(visitor(session)) for _ in range(concurrency)]
        _done, pending = await asyncio.wait(tasks, timeout=time_limit + grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    cut_off = 0
    for record in records:
        if not record.completed and record.error is None:
            record.error = "cut off at the level's hard deadline"
            cut_off += 1
    ended = max((t.sent + t.latency for r in records for t in r.turns if t.latency is not None),
                default=time.monotonic())
    return LevelRun(concurrency, records, started, ended, cut_off)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) by nearest rank; None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def level_figures(run: LevelRun) -> dict[str, Any]:
    """Turn latency p50/p95/p99 (ms), turns per second, errors, incomplete conversations."""
    latencies = [t.latency for r in run.conversations for t in r.turns if t.latency is not None]
    errors = sum(1 for r in run.conversations for t in r.turns if t.error is not None)
    wall = max(run.ended - run.started, 1e-9)
    failures = [r.error for r in run.conversations if r.error]
    return {
        "concurrency": run.concurrency,
        "conversations": len(run.conversations),
        "completed": sum(1 for r in run.conversations if r.completed),
        "turns": len(latencies),
        "seconds": round(wall, 2),
        "turn_ms": {"p50": _ms(percentile(latencies, 50)), "p95": _ms(percentile(latencies, 95)),
                    "p99": _ms(percentile(latencies, 99))},
        "turns_per_s": round(len(latencies) / wall, 2),
        "errors": errors,
        "incomplete": len(failures),
        "first_failures": failures[:3],
    }
