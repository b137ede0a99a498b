"""`make bench`: how fast leadbot is, at what cost, and how it scales — next to a plain Rasa
form bot (bench/baseline/) measured in the same run.

    .venvs/app/bin/python -m bench.run            # full run: bench/results/<date>.{json,md}
    .venvs/app/bin/python -m bench.run --smoke    # a few conversations: results/bench-smoke/

Full run, in this order:
1. `rasa train` of both bots from scratch (empty Rasa cache, models into a temp dir), timed.
2. Both bots started side by side on free loopback ports, with the same kind of tracker
   store; leadbot with its delivery worker and a local receiver as CRM webhook.
3. For 1, 5, 20 and 50 concurrent visitors: the baseline's level, then leadbot's (closed
   loop, same visitor script, a conversation budget and a time limit per level), while
   the Rasa and action-server process trees' RSS is sampled every 100 ms.
4. One more, unmeasured level at 20 visitors per bot under py-spy: the profiles are saved
   next to the results, with a text summary.
Nothing is asserted about the figures; the smoke run fails only if a conversation,
a request or a handoff failed, so the benchmark itself cannot rot.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import report
from bench.handoffs import ArrivalIndex, handoff_figures
from bench.loadgen import LevelRun, level_figures, run_level
from bench.servers import (
    BASELINE_DIR,
    Backend,
    BaselineServer,
    RssSampler,
    baseline_model_path,
    bench_settings,
    compare_profiles,
    migrate_leads,
    py_spy,
    rasa_train,
    stack_pids,
    start_leadbot,
    stop_leadbot,
    summarise_profile,
    train_baseline,
)
from bot.ops.launcher import PROJECT_ROOT, VAR_DIR, Stack, model_path, train
from bot.store import make_engine, make_session_factory
from tests.receivers import running_receiver

RESULTS = Path(__file__).resolve().parent / "results"
SMOKE_RESULTS = PROJECT_ROOT / "results" / "bench-smoke"
# (visitors, most conversations, seconds after which no new conversation starts)
FULL_LEVELS = ((1, 15, 45), (5, 40, 60), (20, 100, 90), (50, 200, 120))
SMOKE_LEVELS = ((2, 4, 60),)
PROFILE_LEVEL = (20, 50, 45)
WARM_UP_CONVERSATIONS = 2  # the first turns after start-up load TensorFlow graphs: not measured


def _log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def _shown(path: Path) -> str:
    """A path relative to the project when inside it (as the results refer to files)."""
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def _level(url: str, visitors: int, conversations: int, limit: float, prefix: str) -> LevelRun:
    return asyncio.run(run_level([url], visitors, conversations, limit, prefix))


def measure_training(tmp: Path, log_dir: Path) -> dict[str, float | None]:
    """Train both bots from scratch into `tmp`, one after the other; seconds each.

    The trained models are kept as the cached ones when those are missing (same inputs).
    """
    seconds: dict[str, float | None] = {}
    for bot, root, cached in (("baseline", BASELINE_DIR, baseline_model_path()),
                              ("leadbot", PROJECT_ROOT, model_path())):
        _log(f"rasa train {bot} from scratch...")
        seconds[bot] = round(rasa_train(root, tmp / "trained", bot, log_dir / f"train-{bot}.log",
                                        cache_dir=tmp / f"cache-{bot}"), 1)
        _log(f"  {bot}: {seconds[bot]} s")
        if not cached.exists():
            cached.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "trained" / f"{bot}.tar.gz", cached)
    seconds["ratio"] = report.ratio(seconds["leadbot"], seconds["baseline"])
    return seconds


def _targets(levels: list[dict[str, Any]], train_s: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, measured (none is asserted)."""
    targets: list[dict[str, Any]] = []
    at20 = next((lv for lv in levels if lv["concurrency"] == 20), None)
    if at20:
        p50 = at20["ratios"]["turn_p50_ms"]
        tps = at20["ratios"]["turns_per_s"]
        targets.append({"target": "turn p50 at 20 visitors: leadbot / baseline ≤ 1.0 "
                        "(as fast)", "measured": p50, "met": None if p50 is None else p50 <= 1.0})
        targets.append({"target": "turns / s at 20 visitors: leadbot / baseline ≥ 1.0",
                        "measured": tps, "met": None if tps is None else tps >= 1.0})
    lead_rss = max((lv["leadbot"]["rss_peak_mb"]["rasa"] for lv in levels), default=None)
    base_rss = max((lv["baseline"]["rss_peak_mb"]["rasa"] for lv in levels), default=None)
    rss = report.ratio(lead_rss, base_rss)
    targets.append({"target": "Rasa RSS peak: leadbot / baseline ≤ 1.2", "measured": rss,
                    "met": None if rss is None else rss <= 1.2})
    if train_s.get("leadbot") is not None:
        targets.append({"target": "leadbot `rasa train` from scratch ≤ 90 s",
                        "measured": train_s["leadbot"], "met": train_s["leadbot"] <= 90})
    p95s = [lv["leadbot"]["handoff_ms"]["p95"] for lv in levels
            if lv["leadbot"]["handoff_ms"]["p95"] is not None]
    if p95s:
        targets.append({"target": "handoff p95 ≤ 1,000 ms (worst level)", "measured": max(p95s),
                        "met": max(p95s) <= 1000})
    return targets


def _profile(stack: Stack, base: BaselineServer, out_dir: Path, stem: str) -> dict[str, str]:
    """One unmeasured level per bot under py-spy; collapsed stacks and a summary saved."""
    visitors, conversations, limit = PROFILE_LEVEL
    files: dict[str, str] = {}
    summaries: list[str] = []
    rasa_profiles: dict[str, tuple[Path, int]] = {}
    for bot, url, pids in (("leadbot", stack.rasa_url, stack_pids(stack)),
                           ("baseline", base.rasa_url, base.pids())):
        watched = {k: v for k, v in pids.items() if k in ("rasa", "actions", "worker")}
        _log(f"profiling {bot} at {visitors} visitors with py-spy...")
        with py_spy(watched, out_dir, f"{stem}-profile-{bot}") as outputs:
            run = _level(url, visitors, conversations, limit, f"bench-prof-{bot}")
        figures = level_figures(run)
        summaries.append(f"## {bot}: {figures['turns']} turns at {visitors} visitors under "
                         f"py-spy, {figures['turns_per_s']} turns/s, turn p50 "
                         f"{figures['turn_ms']['p50']} ms (profiled, not a measurement)\n")
        rasa_profiles[bot] = (outputs["rasa"], figures["turns"])
        for role, path in outputs.items():
            files[f"{bot}_{role}"] = _shown(path)
            summaries.append(f"### {bot} {role}\n\n"
                             f"{summarise_profile(path, turns=figures['turns'])}")
    summaries.append("## Rasa: what leadbot's turns cost more than the baseline's\n\n"
                     + compare_profiles(*rasa_profiles["leadbot"], *rasa_profiles["baseline"]))
    summary = out_dir / f"{stem}-profile.txt"
    summary.write_text("\n".join(summaries), encoding="utf-8")
    files["summary"] = _shown(summary)
    return files


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; returns the exit code (smoke: 1 when anything failed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="a few conversations at one level, cached models, no profile")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite",
                        help="tracker (and lead) store of both bots (default: sqlite, as "
                        "`make run`); postgres adds the Redis lock store")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy pass")
    parser.add_argument("--no-train", action="store_true",
                        help="skip timing `rasa train` (cached models are used either way)")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where the results go (default: bench/results, smoke: "
                        "results/bench-smoke)")
    parser.add_argument("--levels", default="",
                        help="only these numbers of visitors, e.g. 1,20 (default: 1,5,20,50)")
    args = parser.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    levels_plan = SMOKE_LEVELS if args.smoke else FULL_LEVELS
    if args.levels:
        wanted = {int(v) for v in args.levels.split(",")}
        levels_plan = tuple(lv for lv in FULL_LEVELS if lv[0] in wanted)
    out_dir = args.out_dir or (SMOKE_RESULTS if args.smoke else RESULTS)
    out_dir = out_dir.resolve()
    now = datetime.now(timezone.utc)
    stem = f"{now:%Y-%m-%d}"
    log_dir = VAR_DIR / "logs" / ("bench-smoke" if args.smoke else "bench")
    shutil.rmtree(log_dir, ignore_errors=True)
    result: dict[str, Any] = {
        "measured_at": now.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench.run", *argv]),
        "mode": "smoke" if args.smoke else "full",
        "store": args.store + (" (+ Redis lock store)" if args.store == "postgres" else ""),
        "machine": report.machine(),
        "load_average": {"before": report.load_average()},
        "plan": [{"visitors": v, "max_conversations": c, "time_limit_s": t}
                 for v, c, t in levels_plan],
    }
    levels: list[dict[str, Any]] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="leadbot-bench-") as tmp_name:
        tmp = Path(tmp_name)
        train_s: dict[str, Any] = {"baseline": None, "leadbot": None, "ratio": None}
        if not args.smoke and not args.no_train:
            train_s = measure_training(tmp, log_dir)
        result["train_s"] = train_s
        lead_model = train()
        base_model = train_baseline(log_dir)
        backends = [Backend(args.store, tmp, "baseline"), Backend(args.store, tmp, "leadbot")]
        stack: Stack | None = None
        base: BaselineServer | None = None
        try:
            with running_receiver() as receiver:
                base_settings = bench_settings(backends[0])
                lead_settings = bench_settings(backends[1], handoff_url=receiver.url)
                migrate_leads(lead_settings)
                base = BaselineServer(base_settings, base_model, log_dir, backends[0].engine_env)
                _log("starting the baseline and leadbot (about 30-60 s)...")
                with ThreadPoolExecutor(2) as pool:
                    starting_base = pool.submit(base.start)
                    starting_lead = pool.submit(start_leadbot, lead_settings, "bench", log_dir,
                                                lead_model, backends[1].engine_env)
                    starting_base.result()
                    stack = starting_lead.result()
                leads_engine = make_engine(lead_settings.lead_store_url)
                leads = make_session_factory(leads_engine)
                arrivals = ArrivalIndex(receiver)
                for bot, url in (("baseline", base.rasa_url), ("leadbot", stack.rasa_url)):
                    _level(url, 1, WARM_UP_CONVERSATIONS, 60, f"bench-warm-{bot}")
                for visitors, conversations, limit in levels_plan:
                    level: dict[str, Any] = {"concurrency": visitors}
                    for bot, url, pids in (("baseline", base.rasa_url, base.pids()),
                                           ("leadbot", stack.rasa_url, stack_pids(stack))):
                        _log(f"{bot}: {visitors} visitors, up to {conversations} conversations")
                        # For leadbot the sampling goes on until the level's handoffs have
                        # arrived: delivering them (and Rasa reading the transcripts) is part
                        # of what its turns cost.
                        with RssSampler(pids) as rss:
                            run = _level(url, visitors, conversations, limit,
                                         f"bench-{bot}-{visitors}")
                            handoffs = (handoff_figures(run, arrivals, leads)
                                        if bot == "leadbot" else None)
                        figures = level_figures(run)
                        figures["rss_peak_mb"] = rss.peak_mb()
                        figures["cpu_ms_per_turn"] = rss.cpu_ms_per(figures["turns"])
                        if handoffs is not None:
                            figures["handoff_ms"] = handoffs
                        level[bot] = figures
                        _log(f"  p50 {figures['turn_ms']['p50']} ms, p95 "
                             f"{figures['turn_ms']['p95']} ms, {figures['turns_per_s']} turns/s,"
                             f" {figures['errors']} errors, {figures['incomplete']} incomplete,"
                             f" RSS {figures['rss_peak_mb']}, CPU ms/turn "
                             f"{figures['cpu_ms_per_turn']}"
                             + (f", handoff {figures['handoff_ms']}" if bot == "leadbot" else ""))
                    level["ratios"] = report.ratios(level["leadbot"], level["baseline"])
                    levels.append(level)
                if not args.smoke and not args.no_profile:
                    result["profile"] = _profile(stack, base, out_dir, stem)
                leads_engine.dispose()
        finally:
            if stack is not None:
                stop_leadbot(stack)
            if base is not None:
                base.stop()
            for backend in backends:
                backend.drop()
    result["levels"] = levels
    result["targets"] = [] if args.smoke else _targets(levels, result["train_s"])
    result["load_average"]["after"] = report.load_average()
    result["wall_s"] = round(time.monotonic() - started, 1)
    json_path, md_path = report.write(result, out_dir, stem)
    print(report.markdown(result))
    _log(f"written {_shown(json_path)} and {_shown(md_path)}"
         f" in {result['wall_s']} s")
    return _smoke_verdict(levels) if args.smoke else 0


def _smoke_verdict(levels: list[dict[str, Any]]) -> int:
    """1 if any conversation, request or handoff failed: the smoke run guards the bench."""
    problems: list[str] = []
    for level in levels:
        for bot in ("baseline", "leadbot"):
            figures = level[bot]
            if figures["errors"] or figures["incomplete"] or not figures["completed"]:
                problems.append(f"{bot}: {figures['errors']} errors, {figures['incomplete']} "
                                f"incomplete: {figures['first_failures']}")
        handoff = level["leadbot"]["handoff_ms"]
        if handoff["missing"] or handoff["count"] != level["leadbot"]["completed"]:
            problems.append(f"leadbot handoffs: {handoff}")
    for problem in problems:
        print(f"bench-smoke FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
