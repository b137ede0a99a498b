"""Cost of the understanding layer: encode + classify latency, and the memory it adds.

    .venvs/app/bin/python -m bench.understanding [--compare-threads] [--json PATH]

Rows: one message and batches, of short (chat-sized) and 4,000-character messages; p50 and
p95 over a bounded number of runs; then what a turn pays: `Understanding.read` (encoder,
heads and lingua's language) of one new message, a 10,000-character one included. Then the
resident memory (RSS) added by loading the encoder, the heads, lingua and the parsers'
tables (place names, word lists, currencies), and their load times. `--compare-threads`
adds the same rows with numpy's default BLAS threads, to show why the encoder limits BLAS to
one thread.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SHORT = [
    "hi, we're a 30 person agency, what does it cost?",
    "my login stopped working after the update",
    "maybe 10k a year, not approved yet",
    "I'm the ops lead, the CEO signs",
    "can I talk to someone from sales please",
    "no thanks, bye",
    "do you integrate with hubspot?",
    "are you hiring in berlin",
]
LONG_SOURCE = (
    "We are a logistics company with warehouses in three countries and a support team that "
    "answers the same questions all day. Our CRM is full of duplicates, marketing wants better "
    "lead data, and the board wants a plan next quarter. I run operations and will recommend "
    "a tool to the COO, who signs. Budget is roughly forty thousand euros this year. "
)
LONG = (LONG_SOURCE * (4000 // len(LONG_SOURCE) + 1))[:4000]


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def _time(fn: object, runs: int) -> list[float]:
    call = fn  # type: ignore[assignment]
    call()  # type: ignore[operator]  # warm-up: first-call allocations are not the steady state
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        samples.append(time.perf_counter() - started)
    return samples


def _turn_rows(classifier: object, runs: int) -> list[dict[str, object]]:
    """What one turn pays: Understanding.read of a message it has not seen (no cache hit),
    with lingua's language; short, 4,000 and 10,000 characters.
    """
    from bot.understanding.meaning import Understanding

    understanding = Understanding(classifier, cache_size=1)  # type: ignore[arg-type]
    rows = []
    counter = iter(range(10**9))
    for name, text in (("turn: 1 short", SHORT[0]), ("turn: 4,000 chars", LONG),
                       ("turn: 10,000 chars", (LONG * 3)[:10_000])):
        samples = _time(lambda text=text: understanding.read(f"{next(counter)} {text}"),
                        max(runs // 2, 5))
        p50, p95 = _percentiles(samples)
        rows.append({"blas": "1 BLAS thread", "case": name, "messages": 1,
                     "runs": max(runs // 2, 5), "p50_ms": round(p50, 1),
                     "p95_ms": round(p95, 1), "p50_ms_per_message": round(p50, 1)})
    return rows


def main(argv: list[str] | None = None) -> int:
    """Runs the benchmark and prints the table (and writes JSON when asked)."""
    parser = argparse.ArgumentParser(prog="python -m bench.understanding")
    parser.add_argument("--runs", type=int, default=40, help="runs per single-message row")
    parser.add_argument("--compare-threads", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    # Train (or find) the heads in a child process first, so that training's imports and
    # allocations (scikit-learn, the corpus's embeddings) are not counted below.
    subprocess.run(
        [sys.executable, "-c", "from bot.understanding.classifier import train_heads; "
         "train_heads()"],
        check=True,
    )
    from bot.understanding.classifier import Classifier, default_heads_path, load_heads
    from bot.understanding.encoder import SentenceEncoder, get_encoder

    gc.collect()
    rss0 = _rss_mb()
    started = time.perf_counter()
    heads = load_heads(default_heads_path())
    load_heads_s = time.perf_counter() - started
    rss_heads = _rss_mb()
    started = time.perf_counter()
    encoder = get_encoder()
    load_encoder = time.perf_counter() - started
    rss_encoder = _rss_mb()
    classifier = Classifier(heads, encoder)

    variants: list[tuple[str, SentenceEncoder]] = [("1 BLAS thread", encoder)]
    if args.compare_threads:
        variants.append(("default BLAS", SentenceEncoder(blas_threads=None)))
    rows = []
    for variant, enc in variants:
        c = Classifier(classifier.heads, enc)
        cases = [
            ("1 short", [SHORT[0]], args.runs),
            ("1 x 4,000 chars", [LONG], max(args.runs // 2, 5)),
            ("batch 8 short", SHORT, max(args.runs // 4, 5)),
            ("batch 32 short", SHORT * 4, max(args.runs // 8, 5)),
            ("batch 8 x 4,000 chars", [LONG] * 8, 5),
        ]
        for name, texts, runs in cases:
            items = [(t, None) for t in texts]
            samples = _time(lambda items=items, c=c: c.read_many(items), runs)
            p50, p95 = _percentiles(samples)
            rows.append({"blas": variant, "case": name, "messages": len(texts), "runs": runs,
                         "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                         "p50_ms_per_message": round(p50 / len(texts), 1)})

    rows.extend(_turn_rows(classifier, args.runs))
    started = time.perf_counter()
    rss_before_language = _rss_mb()
    from bot.parsing.language import warm_up as warm_up_language

    warm_up_language()
    load_language = time.perf_counter() - started
    rss_language = _rss_mb()
    started = time.perf_counter()
    from bot.parsing.facts import warm_up as warm_up_parsing

    warm_up_parsing()
    load_parsing = time.perf_counter() - started
    rss_parsing = _rss_mb()

    print(f"{'BLAS':<15}{'case':<24}{'runs':>6}{'p50 ms':>10}{'p95 ms':>10}{'p50/msg':>10}")
    for r in rows:
        print(f"{r['blas']:<15}{r['case']:<24}{r['runs']:>6}{r['p50_ms']:>10.1f}"
              f"{r['p95_ms']:>10.1f}{r['p50_ms_per_message']:>10.1f}")
    memory = {
        "rss_before_mb": round(rss0, 1),
        "encoder_added_mb": round(rss_encoder - rss_heads, 1),
        "heads_added_mb": round(rss_heads - rss0, 1),
        "encoder_load_s": round(load_encoder, 2),
        "heads_load_s": round(load_heads_s, 3),
        "lingua_added_mb": round(rss_language - rss_before_language, 1),
        "lingua_load_s": round(load_language, 2),
        "parsing_tables_added_mb": round(rss_parsing - rss_language, 1),
        "parsing_tables_load_s": round(load_parsing, 2),
    }
    print(f"\nRSS {memory['rss_before_mb']} MB before (numpy, pydantic, yaml imported); "
          f"loading the encoder (tokenizers, safetensors, weights) added "
          f"{memory['encoder_added_mb']} MB in {memory['encoder_load_s']} s (sha256 check "
          f"included); the heads added {memory['heads_added_mb']} MB in "
          f"{memory['heads_load_s']} s; lingua added {memory['lingua_added_mb']} MB in "
          f"{memory['lingua_load_s']} s; the parsers' tables {memory['parsing_tables_added_mb']}"
          f" MB in {memory['parsing_tables_load_s']} s")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "memory": memory}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
