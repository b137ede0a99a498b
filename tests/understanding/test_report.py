"""`make nlu-report`: the figures and their JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.understanding import report
from bot.understanding.corpus import LABELS


def test_class_scores_by_hand() -> None:
    expected = ["a", "a", "a", "b", "b", "c"]
    predicted = ["a", "a", "b", "b", "c", "c"]
    scores = report.class_scores(expected, predicted)
    assert scores["a"] == report.ClassScore(precision=1.0, recall=2 / 3, f1=0.8, support=3)
    assert scores["b"].precision == 0.5 and scores["b"].recall == 0.5
    assert scores["c"].precision == 0.5 and scores["c"].recall == 1.0
    # a class only ever predicted counts, with recall 0 and support 0
    assert report.class_scores(["a"], ["z"])["z"] == report.ClassScore(0.0, 0.0, 0.0, 0)


def test_report_on_a_tiny_corpus(tiny_corpus: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "figures.json"
    code = report.main(["--corpus", str(tiny_corpus), "--models", str(tmp_path / "m"),
                        "--json", str(out), "--max-confusions", "1"])
    assert code == 0
    printed = capsys.readouterr().out
    for label in LABELS:
        assert f"== {label} " in printed
    assert "macro-F1" in printed and "precision" in printed
    figures = json.loads(out.read_text())
    assert figures["heldout_examples"] == 4
    kind = figures["labels"]["kind"]
    assert kind["support"] == 4 and kind["target"] == 0.92
    assert set(kind["classes"]) >= {"prospect", "support"}
    assert 0.0 <= kind["macro_f1"] <= 1.0
    assert figures["labels"]["budget"]["support"] == 1
    assert figures["labels"]["kind"]["accuracy_by_lang"]["en"][1] == 4
    for label in LABELS:
        assert len(figures["labels"][label]["confusions"]) <= 1


def test_check_fails_when_a_target_is_missed(tiny_corpus: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(report.TARGETS, "kind", 1.01)  # unreachable
    code = report.main(["--corpus", str(tiny_corpus), "--models", str(tmp_path), "--check"])
    assert code == 1
