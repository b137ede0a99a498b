"""`make nlu-report`: train the heads on `train/`, measure them on `heldout/`.

Prints, per label, precision / recall / F1 / support per class, macro-F1 and accuracy, and the
held-out examples it gets wrong (at most 30 per label). `--json PATH` writes the same figures;
`--check` exits 1 when a target of issue 12 is missed (kind >= 0.92, authority and budget
>= 0.90 held-out macro-F1).

    python -m bot.understanding.report [--corpus DIR] [--json PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.understanding.classifier import (
    MODELS_DIR,
    Classifier,
    LabelReading,
    embed_cached,
    load_heads,
    train_heads,
)
from bot.understanding.corpus import (
    CORPUS_DIR,
    LABELS,
    SAID_IN_PASSING,
    UNSAID,
    Example,
    load_split,
    shared_texts,
)
from bot.understanding.encoder import MODEL_SHA256

TARGETS = {"kind": 0.92, "authority": 0.90, "budget": 0.90}
MAX_CONFUSIONS = 30


@dataclass(frozen=True)
class ClassScore:
    """Precision, recall and F1 of one class, and how many held-out examples carry it."""

    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    """One held-out example the head got wrong."""

    source: str
    text: str
    asked: str | None
    expected: str
    predicted: str
    probability: float


@dataclass(frozen=True)
class LabelReport:
    """The held-out figures of one head."""

    label: str
    classes: dict[str, ClassScore]
    macro_f1: float
    accuracy: float
    support: int
    target: float | None
    confusions: list[Confusion]
    confusions_total: int
    accuracy_by_lang: dict[str, tuple[float, int]]  # lang -> (accuracy, examples)
    # authority and budget: telling a message that states one from one that does not
    mention: ClassScore | None = None


def class_scores(expected: Sequence[str], predicted: Sequence[str]) -> dict[str, ClassScore]:
    """Per-class precision/recall/F1 over every class seen in `expected` or `predicted`.

    A class never predicted has precision 0 (not undefined), one never expected has recall 0:
    both then pull macro-F1 down, as they should.
    """
    scores = {}
    for cls in sorted(set(expected) | set(predicted)):
        tp = sum(e == cls and p == cls for e, p in zip(expected, predicted, strict=True))
        n_pred = sum(p == cls for p in predicted)
        n_true = sum(e == cls for e in expected)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[cls] = ClassScore(precision, recall, f1, n_true)
    return scores


@dataclass(frozen=True)
class Evaluation:
    """The whole report: corpus sizes, where the heads are, and one LabelReport per label."""

    corpus: str
    train_examples: int
    heldout_examples: int
    heldout_also_in_train: list[str]
    heads: str
    features: str
    encoder_sha256: str
    seconds: dict[str, float]
    labels: dict[str, LabelReport]


def evaluate(
    corpus_dir: Path = CORPUS_DIR,
    models_dir: Path = MODELS_DIR,
    max_confusions: int = MAX_CONFUSIONS,
    surface: bool = True,
) -> Evaluation:
    """Trains (or reuses) the heads for `corpus_dir`/train and scores them on heldout/."""
    corpus_dir = Path(corpus_dir)
    started = time.perf_counter()
    train = load_split(corpus_dir / "train")
    heldout = load_split(corpus_dir / "heldout")
    heads_path = train_heads(corpus_dir, models_dir=Path(models_dir), surface=surface)
    trained = time.perf_counter()
    # The report reads the .npz back with numpy, exactly as the runtime will.
    heads = load_heads(heads_path)
    classifier = Classifier(heads)
    cache = Path(models_dir) / f"embeddings-{MODEL_SHA256[:16]}.npz"
    embeddings = embed_cached([e.text for e in heldout], cache)
    readings = classifier.read_embedded(
        embeddings, [e.text for e in heldout], [e.asked for e in heldout]
    )
    labels = {}
    for label in LABELS:
        if label not in heads.heads:
            continue  # an optional head the train split has too few classes for
        pairs = [(e, _stated(getattr(r, label))) for e, r in zip(heldout, readings, strict=True)
                 if e.label(label)]
        expected = [str(e.label(label)) for e, _ in pairs]
        predicted = [got.value for _, got in pairs]
        scores = class_scores(expected, predicted)
        wrong = [
            Confusion(e.source, e.text, e.asked, str(e.label(label)), got.value,
                      round(got.probability, 3))
            for e, got in pairs
            if e.label(label) != got.value
        ]
        by_lang: dict[str, list[bool]] = {}
        for (e, _), want, got in zip(pairs, expected, predicted, strict=True):
            by_lang.setdefault(e.lang, []).append(want == got)
        labels[label] = LabelReport(
            label=label,
            classes=scores,
            macro_f1=sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0,
            accuracy=(len(pairs) - len(wrong)) / len(pairs) if pairs else 0.0,
            support=len(pairs),
            target=TARGETS.get(label),
            confusions=wrong[:max_confusions],
            confusions_total=len(wrong),
            accuracy_by_lang={
                lang: (sum(hits) / len(hits), len(hits))
                for lang, hits in sorted(by_lang.items(), key=lambda item: -len(item[1]))
            },
            mention=(mention_scores(heldout, readings, label) if label in SAID_IN_PASSING
                     else None),
        )
    return Evaluation(
        corpus=str(corpus_dir),
        train_examples=len(train),
        heldout_examples=len(heldout),
        heldout_also_in_train=[e.source for e in shared_texts(train, heldout)],
        heads=str(heads_path),
        features="embedding + asked"
        + "".join(f" + {block.size} {block.analyzer} n-grams" for block in heads.ngrams),
        encoder_sha256=MODEL_SHA256,
        seconds={
            "train": round(trained - started, 2),
            "total": round(time.perf_counter() - started, 2),
        },
        labels=labels,
    )


def _stated(reading: LabelReading) -> LabelReading:
    """The most likely stated class, leaving UNSAID aside: the macro-F1 of authority and
    budget measures which value a message states, given that it states one.
    """
    stated = {c: p for c, p in reading.distribution.items() if c != UNSAID}
    best = max(stated, key=stated.__getitem__)
    return LabelReading(best, stated[best], reading.distribution)


def mention_scores(heldout: Sequence[Example], readings: Sequence[object],
                   label: str) -> ClassScore:
    """How well a head tells a prospect's message that states a role (or budget) from one
    that does not, on held-out messages that were not asked about it.
    """
    pairs = [(e.label(label) is not None, getattr(r, label).value != UNSAID)
             for e, r in zip(heldout, readings, strict=True)
             if e.kind == "prospect" and e.asked != label]
    tp = sum(1 for want, got in pairs if want and got)
    said = sum(1 for want, _ in pairs if want)
    found = sum(1 for _, got in pairs if got)
    precision = tp / found if found else 0.0
    recall = tp / said if said else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClassScore(round(precision, 3), round(recall, 3), round(f1, 3), said)


def format_report(result: Evaluation) -> str:
    """The human-readable report: one table per label, then its confusions."""
    lines = [
        f"corpus {result.corpus}: {result.train_examples} train, "
        f"{result.heldout_examples} held-out examples; heads {result.heads} "
        f"(trained or reused in {result.seconds['train']} s)",
        f"features: {result.features}",
    ]
    shared = result.heldout_also_in_train
    if shared:
        more = " ..." if len(shared) > 10 else ""
        lines.append(
            f"WARNING: {len(shared)} held-out texts also appear in train (they flatter the "
            f"scores): {', '.join(shared[:10])}{more}"
        )
    summary = []
    for report in result.labels.values():
        lines += ["", f"== {report.label} ({report.support} held-out examples carry it)"]
        lines.append(f"{'class':<16}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}")
        for cls, s in report.classes.items():
            lines.append(
                f"{cls:<16}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>10}"
            )
        verdict = ""
        if report.target is not None:
            met = "met" if report.macro_f1 >= report.target else "NOT met"
            verdict = f"   (target >= {report.target:.2f}: {met})"
        lines.append(f"macro-F1 {report.macro_f1:.3f}   accuracy {report.accuracy:.3f}{verdict}")
        summary.append(f"{report.label} {report.macro_f1:.3f}{verdict}")
        if report.mention is not None:
            m = report.mention
            lines.append(
                f"said in passing (prospects not asked about it, {m.support} of them say it): "
                f"precision {m.precision:.3f}, recall {m.recall:.3f}, F1 {m.f1:.3f}"
            )
        if len(report.accuracy_by_lang) > 1:
            lines.append("accuracy by language: " + ", ".join(
                f"{lang} {acc:.2f} ({n})" for lang, (acc, n) in report.accuracy_by_lang.items()
            ))
        if report.confusions:
            shown = len(report.confusions)
            lines.append(f"-- wrong: {report.confusions_total} (showing {shown})")
            for c in report.confusions:
                asked = f" [asked {c.asked}]" if c.asked else ""
                text = c.text if len(c.text) <= 100 else c.text[:97] + "..."
                lines.append(
                    f"  {c.source}: {c.expected} -> {c.predicted} ({c.probability:.2f}){asked}"
                    f"  {text!r}"
                )
    lines += ["", "held-out macro-F1: " + "; ".join(summary)]
    return "\n".join(lines)


def to_json(result: Evaluation) -> dict[str, object]:
    """The result as plain JSON-able data."""
    return asdict(result)


def targets_met(result: Evaluation) -> bool:
    """Whether every label with a target reaches it."""
    return all(r.macro_f1 >= r.target for r in result.labels.values() if r.target is not None)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the report, optionally write JSON, optionally gate on targets."""
    parser = argparse.ArgumentParser(prog="python -m bot.understanding.report")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="heads + caches")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--max-confusions", type=int, default=MAX_CONFUSIONS)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--no-ngrams", action="store_true",
                        help="embedding + asked only, without the char and word n-grams "
                        "(to compare)")
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, args.models, args.max_confusions,
                      surface=not args.no_ngrams)
    print(format_report(result))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(to_json(result), indent=2, ensure_ascii=False) + "\n")
        print(f"figures written to {args.json}")
    if args.check and not targets_met(result):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
