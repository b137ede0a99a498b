"""Time from the qualifying answer to the CRM webhook receiving the handoff.

Starts its own stack (Rasa, action server, delivery worker) on free ports with SQLite stores
in a temporary directory and a local receiver, has N qualifying conversations over REST
(closed loop, `--concurrency` at a time), and reports p50 / p95 / max. A measurement, not a
test: nothing is asserted.

    .venvs/app/bin/python -m bench.handoff_latency --conversations 60
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx

from bot.ops.launcher import Stack, model_path, train
from bot.settings import load_settings
from bot.store import migrate
from tests.receivers import Receiver, free_port, running_receiver

ANSWERS = {
    "budget": "around 20k a year",
    "authority": "I sign off on it",
    "timeline": "within 3 months",
}
RESULTS = Path(__file__).parent / "results"


def one_conversation(base: str, receiver: Receiver) -> float:
    """Seconds from sending the qualifying answer to its handoff arriving."""
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    with httpx.Client(base_url=base, timeout=30) as http:
        def say(text: str) -> None:
            http.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})

        say("we need one shared inbox for support emails and live chat")
        say(ANSWERS["budget"])
        say(ANSWERS["authority"])
        sent = time.monotonic()
        say(ANSWERS["timeline"])
    return receiver.wait_for(sender, timeout=30).at - sent


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def main() -> None:
    """Run the measurement and write bench/results/handoff-latency-<date>.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()
    train()
    with tempfile.TemporaryDirectory() as tmp, running_receiver() as receiver:
        settings = load_settings(
            database_url=f"sqlite:///{tmp}/leads.db", tracker_store_url=f"sqlite:///{tmp}/t.db",
            rasa_token=uuid.uuid4().hex, rasa_port=free_port(), action_port=free_port(),
            handoff_webhook_url=receiver.url,
        )
        migrate(settings.lead_store_url)
        stack = Stack(settings, name="bench", log_dir=Path(tmp) / "logs")
        stack.start(model_path())
        try:
            with ThreadPoolExecutor(args.concurrency) as pool:
                latencies = list(pool.map(lambda _: one_conversation(stack.rasa_url, receiver),
                                          range(args.conversations)))
        finally:
            stack.stop()
    ms = [s * 1000 for s in latencies]
    result = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "conversations": len(ms), "concurrency": args.concurrency,
        "handoff_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
                       "max": round(max(ms), 1), "mean": round(statistics.mean(ms), 1)},
        "worker_poll_seconds": settings.worker_poll_seconds,
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"handoff-latency-{datetime.now(timezone.utc):%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
