"""The heads: trained deterministically, saved as .npz, read back with numpy identically."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from bot.understanding import classifier as K
from bot.understanding.corpus import LABELS, load_split
from bot.understanding.encoder import SentenceEncoder
from bot.understanding.ngrams import Ngrams
from tests.understanding.conftest import TINY_TRAIN, FakeEncoder, write_corpus


def _sklearn_model(x: np.ndarray, y: list[str], c: float = K.C,
                   label: str = "act") -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=K.class_weights(label, y),
                              max_iter=K.MAX_ITER).fit(x, y)


@pytest.mark.parametrize("surface", [True, False], ids=["with-ngrams", "embedding-only"])
def test_npz_heads_give_the_same_probabilities_as_scikit_learn(
    tiny_corpus: Path, tmp_path: Path, fake_encoder: FakeEncoder, surface: bool
) -> None:
    path = K.train_heads(tiny_corpus, encoder=fake_encoder, models_dir=tmp_path / "m",
                         surface=surface)
    loaded = K.load_heads(path)
    assert bool(loaded.ngrams) == surface
    examples = load_split(tiny_corpus / "train")
    texts = [e.text for e in examples]
    # scikit-learn fitted here on its own, on the scipy matrix of the same features
    ngrams = (Ngrams.fit(texts, analyzer="char"), Ngrams.fit(texts, analyzer="word")) \
        if surface else ()
    x = K.features(fake_encoder.encode(texts), [e.asked for e in examples], texts, ngrams)
    x_scipy = x.to_scipy()
    # the numpy side reads features rebuilt from the loaded file's vocabulary
    x_loaded = loaded.features(fake_encoder.encode(texts), texts, [e.asked for e in examples])
    for label in LABELS:
        rows = [i for i, e in enumerate(examples) if e.training_label(label)]
        model = _sklearn_model(x_scipy[rows], [str(examples[i].training_label(label))
                                               for i in rows], K.C_BY_LABEL.get(label, K.C),
                               label)
        head = loaded.heads[label]
        assert head.classes == tuple(model.classes_)
        np.testing.assert_allclose(
            head.probabilities(x_loaded), model.predict_proba(x_scipy), rtol=0, atol=1e-12
        )


def test_a_binary_head_round_trips_too(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, K.DENSE))
    y = ["a" if v > 0 else "b" for v in x[:, 0]]
    model = _sklearn_model(x, y)
    heads = K.Heads({"kind": K.head_from_sklearn("kind", model)}, key="k", encoder_sha256="s")
    K.save_heads(heads, tmp_path / "h.npz")
    head = K.load_heads(tmp_path / "h.npz").heads["kind"]
    features = K.Features(x.astype(np.float32))
    np.testing.assert_allclose(head.probabilities(features),
                               model.predict_proba(x.astype(np.float32)), atol=1e-12)


def test_the_file_is_plain_arrays_without_pickle(
    tiny_corpus: Path, tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    path = K.train_heads(tiny_corpus, encoder=fake_encoder, models_dir=tmp_path)
    assert path.parent == tmp_path and path.name.startswith("heads-")
    with np.load(path, allow_pickle=False) as data:  # raises on any object array
        assert {f"{label}.coef" for label in LABELS} <= set(data.files)
        assert all(data[name].dtype != object for name in data.files)


def test_training_is_deterministic(
    tiny_corpus: Path, tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    a = K.load_heads(K.train_heads(tiny_corpus, tmp_path / "a.npz", encoder=fake_encoder,
                                   models_dir=tmp_path / "ma"))
    b = K.load_heads(K.train_heads(tiny_corpus, tmp_path / "b.npz", encoder=fake_encoder,
                                   models_dir=tmp_path / "mb"))
    assert a.key == b.key
    for label in LABELS:
        np.testing.assert_array_equal(a.heads[label].coef, b.heads[label].coef)


def test_an_unchanged_corpus_is_not_retrained_and_an_edit_encodes_only_new_texts(
    tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    corpus = write_corpus(tmp_path / "c", TINY_TRAIN)
    first = K.train_heads(corpus, encoder=fake_encoder, models_dir=tmp_path / "m")
    assert len(fake_encoder.encoded) == len({e["text"] for e in TINY_TRAIN})
    fake_encoder.encoded.clear()
    stamp = first.stat().st_mtime_ns
    assert K.train_heads(corpus, encoder=fake_encoder, models_dir=tmp_path / "m") == first
    assert fake_encoder.encoded == [] and first.stat().st_mtime_ns == stamp

    edited = [*TINY_TRAIN, {"text": "brand new example", "kind": "support", "act": "other"}]
    write_corpus(corpus, edited)
    second = K.train_heads(corpus, encoder=fake_encoder, models_dir=tmp_path / "m")
    assert second != first  # the corpus hash names the file
    assert fake_encoder.encoded == ["brand new example"]


def test_the_key_follows_the_train_files_and_the_encoder(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "c", TINY_TRAIN)
    train = corpus / "train"
    before = K.heads_key(train)
    assert K.heads_key(train) == before  # stable
    assert K.heads_key(train, encoder_sha256="0" * 64) != before
    edited = [dict(TINY_TRAIN[0], kind="support"), *TINY_TRAIN[1:]]  # one label changed
    write_corpus(corpus, edited)
    assert K.heads_key(train) != before
    assert K.default_heads_path(corpus, tmp_path).name == f"heads-{K.heads_key(train)[:16]}.npz"


def test_the_key_differs_with_and_without_ngrams(tmp_path: Path) -> None:
    train = write_corpus(tmp_path / "c", TINY_TRAIN) / "train"
    assert K.heads_key(train, surface=True) != K.heads_key(train, surface=False)


def test_asked_is_one_hot_with_none_first_and_other_last() -> None:
    x = K.asked_one_hot([None, "budget", "phone", "follow_up_consent"])
    assert x.shape == (4, 14) and x.sum() == 4
    assert x[0, 0] == 1 and x[1, K.ASKED_VALUES.index("budget")] == 1 and x[2, 12] == 1
    # a question the corpus has no slot for (consent, current tool...) is "other"
    assert x[3, K.ASKED_VALUES.index("other")] == 1 == x[3, 13]


def test_an_optional_head_the_corpus_cannot_train_reads_as_none(
    tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    no_topics = [{k: v for k, v in e.items() if k != "topic"} for e in TINY_TRAIN]
    corpus = write_corpus(tmp_path / "c", no_topics)
    heads = K.load_heads(K.train_heads(corpus, encoder=fake_encoder, models_dir=tmp_path / "m"))
    assert "topic" not in heads.heads and {"kind", "act", "authority"} <= set(heads.heads)
    reading = K.Classifier(heads, fake_encoder).read("how much is it", asked=None)
    assert reading.topic is None and reading.kind.value in dict(reading.kind.distribution)


def test_a_reading_has_every_label_with_its_distribution(
    tiny_corpus: Path, tmp_path: Path, encoder: SentenceEncoder
) -> None:
    classifier = K.Classifier(
        K.load_heads(K.train_heads(tiny_corpus, encoder=encoder, models_dir=tmp_path)), encoder
    )
    reading = classifier.read("my account login is broken", asked=None)
    for label in LABELS:
        part = getattr(reading, label)
        assert part is not None, label
        assert abs(sum(part.distribution.values()) - 1.0) < 1e-9
        assert part.probability == max(part.distribution.values())
        assert part.distribution[part.value] == part.probability
    assert reading.kind.value == "support"
    assert classifier.read("budget frozen, nothing left", asked="budget").budget.value == "none"
    assert classifier.read_many([]) == []


def test_heads_of_another_format_or_encoder_are_refused(
    tiny_corpus: Path, tmp_path: Path, fake_encoder: FakeEncoder
) -> None:
    heads = K.load_heads(K.train_heads(tiny_corpus, encoder=fake_encoder, models_dir=tmp_path))
    other = K.Heads(heads.heads, heads.key, encoder_sha256="0" * 64)
    with pytest.raises(ValueError, match="another encoder"):
        K.Classifier(other)
    partial = K.Heads({"kind": heads.heads["kind"]}, heads.key, heads.encoder_sha256)
    with pytest.raises(ValueError, match="lacks"):
        K.Classifier(partial)


def test_old_heads_files_are_pruned(tmp_path: Path, fake_encoder: FakeEncoder) -> None:
    models = tmp_path / "m"
    models.mkdir()
    for i in range(6):
        (models / f"heads-old{i}.npz").write_bytes(b"")
    corpus = write_corpus(tmp_path / "c", TINY_TRAIN)
    made = K.train_heads(corpus, encoder=fake_encoder, models_dir=models)
    left = sorted(models.glob("heads-*.npz"))
    assert made in left and len(left) == K.KEEP_HEADS
