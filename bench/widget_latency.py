"""Time from pressing Enter in the chat widget to the bot's reply appearing in the page.

Starts its own stack and site (Rasa, action server, delivery worker, web app) on free ports
with SQLite stores in a temporary directory, drives the system's Chromium (headless) like a
visitor — type an answer, press Enter — and reads both instants inside the page
(`performance.now()` at the Enter keydown and when the first bot bubble of the reply is
added to the DOM), so the figure is what a visitor sees: socket.io both ways, Rasa, the
action server and the widget's rendering. One warm-up message (the model's first
prediction) is sent first and reported apart. Nothing is asserted.

    .venvs/app/bin/python -m bench.widget_latency --messages 20
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.handoff_latency import percentile
from bot.ops.launcher import Stack, train
from bot.settings import load_settings
from bot.store import migrate
from tests.receivers import free_port

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
from playwright.sync_api import Page, sync_playwright

from tests.browser.helpers import ANSWERS, asked_slot, open_widget, wait_for_replies

RESULTS = Path(__file__).parent / "results"
CHROMIUM = "/usr/bin/chromium"
# Recorded in the page: the Enter keydown in the message box, and every bot bubble added.
PROBE = """
window.__lb = {sent: null, bot: []};
document.addEventListener('keydown', e => {
  if (e.key === 'Enter' && e.target && e.target.id === 'lb-input')
    window.__lb.sent = performance.now();
}, true);
new MutationObserver(records => {
  for (const r of records) for (const n of r.addedNodes)
    if (n.classList && n.classList.contains('lb-bot')) window.__lb.bot.push(performance.now());
}).observe(document, {childList: true, subtree: true});
"""


def timed_message(page: Page, text: str) -> tuple[float, list[str]]:
    """Type `text`, press Enter: milliseconds until the first reply bubble, and the replies."""
    before = page.locator(".lb-msg.lb-bot").count()
    page.locator("#lb-input").fill(text)
    page.locator("#lb-input").press("Enter")
    replies = wait_for_replies(page, before, quiet_ms=400)
    ms = page.evaluate("() => { const s = window.__lb.sent;"
                       " return window.__lb.bot.find(t => t >= s) - s; }")
    return float(ms), replies


def measure(base_url: str, messages: int) -> dict[str, Any]:
    """Send `messages` timed messages (plus one warm-up) through the widget."""
    latencies: list[float] = []
    warm_up: float | None = None
    conversations = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking"])
        try:
            while len(latencies) < messages:
                # Each conversation is a new visitor: a fresh context, new storage.
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.set_default_timeout(60_000)
                context.add_init_script(PROBE)
                page = context.new_page()
                page.goto(base_url + "/pricing")
                open_widget(page)
                conversations += 1
                text = "we need one shared inbox for support emails and live chat"
                answers = {**ANSWERS, "email": f"bench.{uuid.uuid4().hex[:8]}@acme-logistics.com"}
                while len(latencies) < messages:
                    ms, replies = timed_message(page, text)
                    if warm_up is None:
                        warm_up = ms
                    else:
                        latencies.append(ms)
                    slot = asked_slot(replies[-1]) if replies else None
                    if slot is None or slot not in answers:
                        break  # the conversation is over: next visitor
                    text = answers[slot]
                context.close()
        finally:
            browser.close()
    return {
        "messages": len(latencies),
        "conversations": conversations,
        "warm_up_ms": round(warm_up or 0.0, 1),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
        "mean_ms": round(statistics.mean(latencies), 1),
        "latencies_ms": [round(value, 1) for value in latencies],
    }


def main() -> None:
    """Start the stack and the site, measure, print and write the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20)
    args = parser.parse_args()
    model = train()
    with tempfile.TemporaryDirectory(prefix="widget-latency-") as tmp:
        settings = load_settings(
            database_url=f"sqlite:///{tmp}/leads.db",
            tracker_store_url=f"sqlite:///{tmp}/tracker.db",
            lock_store_url="",
            rasa_token=uuid.uuid4().hex,
            reps_token=uuid.uuid4().hex,
            rasa_port=free_port(),
            action_port=free_port(),
            web_host="127.0.0.1",
            web_port=free_port(),
            handoff_webhook_url="",
            slack_webhook_url="",
            smtp_host="",
            handoff_file="",
        )
        migrate(settings.lead_store_url)
        stack = Stack(settings, name="bench-widget", with_web=True, log_dir=Path(tmp) / "logs")
        stack.start(model, timeout=240)
        try:
            result = measure(stack.web_url, args.messages)
        finally:
            stack.stop()
    now = datetime.now(timezone.utc)
    result = {"measured_at": now.isoformat(timespec="seconds"), "browser": "system chromium",
              **result}
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"widget-latency-{now:%Y-%m-%d}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"widget reply latency over {result['messages']} messages "
          f"({result['conversations']} conversations): p50 {result['p50_ms']} ms, "
          f"p95 {result['p95_ms']} ms, max {result['max_ms']} ms "
          f"(warm-up message {result['warm_up_ms']} ms)\nwritten to {out}")


if __name__ == "__main__":
    main()
