"""Turning measured figures into bench/results/<date>.json and the Markdown table the README
shows: the machine, each figure for both bots, their ratio, and the targets.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

import psutil

from bot.ops.launcher import APP_PYTHON, ENGINE_BIN

# (key in the flattened figures, label in the table, whether lower is better)
FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("turn_p50_ms", "turn p50 (ms)", True),
    ("turn_p95_ms", "turn p95 (ms)", True),
    ("turn_p99_ms", "turn p99 (ms)", True),
    ("turns_per_s", "turns / s", False),
    ("errors", "errors (failed requests)", True),
    ("incomplete", "incomplete conversations", True),
    ("rasa_rss_mb", "Rasa RSS peak (MB)", True),
    ("actions_rss_mb", "action server RSS peak (MB)", True),
    ("rasa_cpu_ms", "Rasa CPU per turn (ms)", True),
    ("actions_cpu_ms", "action server CPU per turn (ms)", True),
    ("worker_cpu_ms", "delivery worker CPU per turn (ms)", True),
    ("handoff_p50_ms", "handoff p50 (ms)", True),
    ("handoff_p95_ms", "handoff p95 (ms)", True),
)


def _version(python: Path, code: str) -> str:
    try:
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True,
                              timeout=60, check=True)
        return done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "os": platform.platform(),
        "python_app": _version(APP_PYTHON, "import platform; print(platform.python_version())"),
        "python_engine": _version(ENGINE_BIN / "python",
                                  "import platform; print(platform.python_version())"),
        "rasa": _version(ENGINE_BIN / "python", "import rasa; print(rasa.__version__)"),
    }


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages: how busy the machine was besides us."""
    return [round(v, 2) for v in os.getloadavg()]


def flat(figures: dict[str, Any]) -> dict[str, float | int | None]:
    """One bot's figures at one level, flattened to the keys of FIGURES."""
    rss = figures.get("rss_peak_mb") or {}
    cpu = figures.get("cpu_ms_per_turn") or {}
    handoff = figures.get("handoff_ms") or {}
    return {
        "turn_p50_ms": figures["turn_ms"]["p50"], "turn_p95_ms": figures["turn_ms"]["p95"],
        "turn_p99_ms": figures["turn_ms"]["p99"], "turns_per_s": figures["turns_per_s"],
        "errors": figures["errors"], "incomplete": figures["incomplete"],
        "rasa_rss_mb": rss.get("rasa"), "actions_rss_mb": rss.get("actions"),
        "rasa_cpu_ms": cpu.get("rasa"), "actions_cpu_ms": cpu.get("actions"),
        "worker_cpu_ms": cpu.get("worker"),
        "handoff_p50_ms": handoff.get("p50"), "handoff_p95_ms": handoff.get("p95"),
    }


def ratio(lead: float | int | None, base: float | int | None) -> float | None:
    """Leadbot / baseline, None when either is missing or the baseline is 0."""
    if lead is None or base is None or base == 0:
        return None
    return round(lead / base, 2)


def ratios(lead: dict[str, Any], base: dict[str, Any]) -> dict[str, float | None]:
    """Leadbot / baseline for every figure both bots have."""
    a, b = flat(lead), flat(base)
    return {key: ratio(a[key], b[key]) for key, _label, _lower in FIGURES}


def cell(value: object) -> str:
    """A figure in a table: – for nothing, one decimal below 100, thousands separators."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def ratio_cell(value: float | None) -> str:
    """A ratio in a table: two decimals, – when there is none."""
    return "–" if value is None else f"{value:.2f}"


def compact(result: dict[str, Any]) -> str:
    """One row per figure, one column per level: `baseline → leadbot (ratio×)`."""
    levels = result["levels"]
    head = " | ".join(f"{lv['concurrency']} visitor{'s' if lv['concurrency'] > 1 else ''}"
                      for lv in levels)
    lines = [f"| baseline → leadbot (leadbot / baseline) | {head} |",
             "|---|" + "---:|" * len(levels)]
    for key, label, _lower in FIGURES:
        cells = []
        for level in levels:
            base, lead = flat(level["baseline"])[key], flat(level["leadbot"])[key]
            if base is None and lead is None:
                cells.append("–")
            elif base is None:
                cells.append(cell(lead))
            else:
                shown = level["ratios"][key]
                cells.append(f"{cell(base)} → {cell(lead)}"
                             + (f" ({ratio_cell(shown)}×)" if shown is not None else ""))
        if any(c != "–" for c in cells):
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    train = result.get("train_s") or {}
    if train.get("leadbot") is not None:
        lines.append(f"| `rasa train` from scratch (s) | {cell(train.get('baseline'))} → "
                     f"{cell(train.get('leadbot'))} ({ratio_cell(train.get('ratio'))}×) |"
                     + " |" * (len(levels) - 1))
    return "\n".join(lines) + "\n"


def markdown(result: dict[str, Any]) -> str:
    """The results as Markdown: machine, table of figures and ratios, targets."""
    m = result["machine"]
    lines = [
        f"Measured {result['measured_at']} by `{result['command']}` — baseline and leadbot in "
        f"the same run, levels interleaved (baseline, then leadbot, per level). "
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB RAM, Python "
        f"{m['python_app']} (app) / {m['python_engine']} (engine), Rasa {m['rasa']}. "
        f"Stores: {result['store']}. Load average before / after: "
        f"{result['load_average']['before']} / {result['load_average']['after']}.",
        "",
        compact(result),
        "All figures, one per row:",
        "",
        "| visitors | figure | baseline | leadbot | leadbot / baseline |",
        "|---:|---|---:|---:|---:|",
    ]
    for level in result["levels"]:
        base, lead = flat(level["baseline"]), flat(level["leadbot"])
        for key, label, _lower in FIGURES:
            if base[key] is None and lead[key] is None:
                continue
            lines.append(f"| {level['concurrency']} | {label} | {cell(base[key])} | "
                         f"{cell(lead[key])} | {ratio_cell(level['ratios'][key])} |")
        lines.append(f"| {level['concurrency']} | conversations | "
                     f"{level['baseline']['conversations']} | "
                     f"{level['leadbot']['conversations']} | |")
    train = result.get("train_s") or {}
    lines.append(f"| – | `rasa train` from scratch (s) | {cell(train.get('baseline'))} | "
                 f"{cell(train.get('leadbot'))} | {ratio_cell(train.get('ratio'))} |")
    if result.get("targets"):
        lines += ["", "| target | measured | met |", "|---|---:|:---:|"]
        for target in result["targets"]:
            met = {True: "yes", False: "**no**", None: "–"}[target["met"]]
            measured = target["measured"]
            shown = ratio_cell(measured) if "/" in target["target"] else cell(measured)
            lines.append(f"| {target['target']} | {shown} | {met} |")
    return "\n".join(lines) + "\n"


def write(result: dict[str, Any], out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write `<stem>.json` and `<stem>.md` into `out_dir`; returns both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{stem}.json"
    md_path = out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    md_path.write_text(markdown(result), encoding="utf-8")
    return json_path, md_path


def main() -> None:
    """`python -m bench.report bench/results/<date>.json`: write its Markdown again."""
    import sys

    path = Path(sys.argv[1])
    result = json.loads(path.read_text(encoding="utf-8"))
    path.with_suffix(".md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))


if __name__ == "__main__":
    main()
