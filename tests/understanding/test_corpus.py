"""The corpus loader: valid files load, invalid ones fail naming file, example and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.understanding.corpus import (
    CORPUS_DIR,
    LABELS,
    CorpusError,
    Example,
    conflicting_labels,
    load_file,
    load_split,
    shared_texts,
)

GOOD = {"text": "hi, what does it cost?", "kind": "prospect", "act": "question"}


def _write(tmp_path: Path, body: str, name: str = "f.yml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_a_valid_file_loads_with_defaults_and_sources(tmp_path: Path) -> None:
    path = _write(tmp_path, """
examples:
  - text: "hi, what does it cost?"
    kind: prospect
    act: question
  - text: "not sure, maybe 10k"
    asked: budget
    kind: prospect
    act: answer
    budget: estimate
    lang: en
""")
    first, second = load_file(path)
    assert first == Example(text="hi, what does it cost?", kind="prospect", act="question",
                            source="f.yml:1")
    assert (second.asked, second.budget, second.authority, second.lang) == (
        "budget", "estimate", None, "en")
    assert second.label("budget") == "estimate" and second.label("authority") is None


@pytest.mark.parametrize(
    ("example", "message"),
    [
        ("    act: question", r"example 2: kind: Field required"),
        ("    kind: customer\n    act: question", r"example 2: kind: Input should be"),
        ("    kind: prospect\n    act: ask", r"example 2: act: Input should be"),
        ("    kind: prospect\n    act: answer\n    asked: salary",
         r"example 2: asked: Input should be"),
        ("    kind: prospect\n    act: answer\n    budget: frozen",
         r"example 2: budget: Input should be"),
        ("    kind: prospect\n    act: answer\n    authority: boss",
         r"example 2: authority: Input should be"),
        ("    kind: prospect\n    act: answer\n    lang: english",
         r"example 2: lang: String should match"),
        ("    kind: prospect\n    act: answer\n    intent: buy",
         r"example 2: intent: unknown field"),
    ],
    ids=["missing-kind", "bad-kind", "bad-act", "bad-asked", "bad-budget", "bad-authority",
         "bad-lang", "unknown-field"],
)
def test_an_invalid_example_names_file_example_and_field(
    tmp_path: Path, example: str, message: str
) -> None:
    path = _write(tmp_path, f"""
examples:
  - text: "fine"
    kind: prospect
    act: other
  - text: "the broken one"
{example}
""")
    with pytest.raises(CorpusError, match=message) as info:
        load_file(path)
    assert str(info.value).startswith(f"{path}: example 2: ")


def test_an_unquoted_number_is_not_silently_a_text(tmp_path: Path) -> None:
    # `text: 42` is an int in YAML; the writer must quote it, so the loader says so
    path = _write(tmp_path, "examples:\n  - text: 42\n    kind: prospect\n    act: answer\n")
    with pytest.raises(CorpusError, match=r"example 1: text: Input should be a valid string"):
        load_file(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("examples: [\n", "not valid YAML"),
        ("- text: hi\n", "expected a mapping with one key, `examples`"),
        ("examples: []\n", "`examples` must be a non-empty list"),
        ("examples:\n  - just a string\n", "example 1: expected a mapping of fields, got str"),
        ('examples:\n  - text: "   "\n    kind: prospect\n    act: other\n',
         "example 1: text: is only whitespace"),
        ('examples:\n  - text: ""\n    kind: prospect\n    act: other\n',
         "example 1: text: String should have at least 1 character"),
    ],
    ids=["yaml", "not-a-mapping", "empty", "not-a-dict", "whitespace", "empty-text"],
)
def test_a_malformed_file_is_refused_clearly(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message):
        load_file(_write(tmp_path, body))


def test_a_split_without_files_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"no \*\.yml corpus files"):
        load_split(tmp_path)


def test_a_split_reads_its_files_in_name_order(tmp_path: Path) -> None:
    for name, text in (("b.yml", "second"), ("a.yml", "first")):
        _write(tmp_path, f"examples:\n  - text: {text}\n    kind: prospect\n    act: other\n",
               name)
    assert [e.text for e in load_split(tmp_path)] == ["first", "second"]


def test_shared_texts_and_conflicting_labels() -> None:
    train = [Example(text="My login  is broken", kind="support", act="other")]
    heldout = [Example(text="my login is broken", kind="support", act="other"),
               Example(text="something else", kind="prospect", act="other")]
    assert [e.text for e in shared_texts(train, heldout)] == ["my login is broken"]
    clash = Example(text="my login is BROKEN", kind="prospect", act="other")
    assert conflicting_labels([*train, clash]) == [(train[0], clash)]
    assert conflicting_labels(train + heldout[:1]) == []


def test_the_repository_corpus_is_valid() -> None:
    # every file of bot/understanding/corpus loads, and each label has examples to train on
    train = load_split(CORPUS_DIR / "train")
    for label in LABELS:
        assert len({e.label(label) for e in train} - {None}) >= 2, label
    if any((CORPUS_DIR / "heldout").glob("*.yml")):
        load_split(CORPUS_DIR / "heldout")
