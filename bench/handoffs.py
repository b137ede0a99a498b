"""Handoff latency under load: from sending the answer that qualified a lead to the local
receiver getting the handoff POST.

Which answer qualified the lead is read from the lead store, not assumed: the handoff row
is written in the same transaction as the status change, during the turn that qualified
the lead, so that turn is the last one sent before the row's `created_at`.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bench.loadgen import LevelRun, percentile
from bot import store
from tests.receivers import Receiver


class ArrivalIndex:
    """The first handoff POST about each conversation id, parsed once per request."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.first: dict[str, float] = {}
        self._seen = 0

    def refresh(self) -> dict[str, float]:
        """Index the requests that arrived since the last call; conversation id → arrival."""
        received = self.receiver.received
        while self._seen < len(received):
            request = received[self._seen]
            self._seen += 1
            try:
                lead = json.loads(request.body).get("lead") or {}
            except ValueError:
                continue
            for conversation_id in lead.get("conversation_ids") or []:
                self.first.setdefault(conversation_id, request.at)
        return self.first


def _handoff_created(leads: sessionmaker[Session], sender: str) -> datetime | None:
    with store.session_scope(leads) as session:
        lead = store.lead_for_conversation(session, sender)
        if lead is None or not lead.handoffs:
            return None
        return min(h.created_at for h in lead.handoffs)


def handoff_figures(run: LevelRun, index: ArrivalIndex, leads: sessionmaker[Session],
                    wait: float = 90.0) -> dict[str, Any]:
    """p50 / p95 / max in ms over the level's completed conversations that handed off.

    Waits up to `wait` s after the level for handoffs still on their way; a completed
    conversation whose lead has a handoff row but no POST arrived by then is `missing`.
    """
    created: dict[str, datetime] = {}
    for record in run.conversations:
        if record.completed:
            at = _handoff_created(leads, record.sender)
            if at is not None:
                created[record.sender] = at
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not set(created) <= set(index.refresh()):
        time.sleep(0.05)
    arrivals = index.refresh()
    latencies: list[tuple[float, float]] = []  # (when the qualifying answer was sent, latency)
    qualifying: Counter[str] = Counter()
    for record in run.conversations:
        if record.sender not in created or record.sender not in arrivals:
            continue
        stamp = created[record.sender].timestamp()
        sent_before = [t for t in record.turns if t.sent_wall <= stamp]
        if not sent_before:
            continue
        turn = sent_before[-1]
        qualifying[turn.slot or "opening"] += 1
        latencies.append((turn.sent, arrivals[record.sender] - turn.sent))
    latencies.sort()
    sent_at = [sent for sent, _latency in latencies]
    arrived_at = sorted(sent + latency for sent, latency in latencies)
    ms = [round(v * 1000, 1) for _sent, v in latencies]
    quarter = max(1, len(ms) // 4)
    return {
        "p50": percentile(ms, 50), "p95": percentile(ms, 95),
        "max": max(ms) if ms else None, "count": len(ms),
        "missing": sum(1 for s in created if s not in arrivals),
        "not_qualified": sum(1 for r in run.conversations if r.completed) - len(created),
        "qualifying_answer": dict(qualifying),
        # A queue shows as latency growing through the level: p50 of the first and the last
        # quarter of the handoffs, in the order their qualifying answers were sent.
        "first_quarter_p50": percentile(ms[:quarter], 50),
        "last_quarter_p50": percentile(ms[-quarter:], 50),
        # Leads qualified per second against handoffs delivered per second: when the second
        # stays below the first, handoffs wait in the outbox.
        "qualified_per_s": _rate(sent_at),
        "delivered_per_s": _rate(arrived_at),
    }


def _rate(times: list[float]) -> float | None:
    """Events per second between the first and the last of `times`."""
    if len(times) < 2 or times[-1] <= times[0]:
        return None
    return round((len(times) - 1) / (times[-1] - times[0]), 2)
