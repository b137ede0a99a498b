"""Trained heads over the sentence encoder: what a visitor's message means.

Features: the message's 384-d embedding (encoder.py), a one-hot of the question the assistant
had just asked (`none` + the 12 slots), and (by default) a block of character n-gram TF-IDF
columns (ngrams.py) learned from the train split. One multinomial logistic regression per label
(`kind`, `act`, `authority`, `budget`), each trained only on the corpus examples that carry that
label, with balanced class weights (the corpus has far more prospects than competitors).

Training needs scikit-learn (a dev dependency); the fitted heads are saved as a plain `.npz`
(coefficients, intercepts, classes, n-gram vocabulary; no pickle) and applied with a numpy
softmax, so the runtime needs numpy, tokenizers, safetensors and threadpoolctl only. The file
name carries a hash of the train split's files, the encoder's sha256 and the training
settings: a corpus edit means a new file, and an unchanged corpus is never retrained.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.understanding.corpus import (
    CORPUS_DIR,
    LABELS,
    REQUIRED_LABELS,
    SLOTS,
    Example,
    load_split,
)
from bot.understanding.encoder import DIMENSION, MODEL_SHA256, SentenceEncoder, get_encoder
from bot.understanding.ngrams import (
    NGRAM_RANGE,
    WORD_NGRAM_RANGE,
    Ngrams,
    SparseRow,
    joined,
)

log = logging.getLogger(__name__)

MODELS_DIR = Path(__file__).resolve().parents[2] / "models" / "understanding"
# `other` stands for any question the corpus has no slot for (consent, current tool, seats...).
ASKED_VALUES = ("none", *SLOTS, "other")
DENSE = DIMENSION + len(ASKED_VALUES)  # embedding + asked; the n-gram columns follow
FORMAT_VERSION = 4
# Inverse regularisation strength. The embeddings are unit vectors (coordinates ~0.05), so
# scikit-learn's default C=1 underfits. 5-fold cross-validation on the train split (2,023
# examples, embedding + asked only), macro-F1 for C = 1 / 3 / 10 / 30 / 100: kind .738 .763
# .777 .778 .782, act .707 .730 .729 .729 .713, authority .792 .788 .809 .820 .822, budget
# .834 .842 .828 .821 .818. With the n-gram block, C = 10 / 30 / 100 moved each label's
# held-out macro-F1 by under 0.01 (2,609 train examples), so 10 stays.
C = 10.0
# On 8,000 train examples with word n-grams too, the kind head gained with less
# regularisation: held-out macro-F1 0.913 / 0.923 / 0.930 for C = 3 / 10 / 30; the other heads
# moved by under 0.01 between 10 and 30.
C_BY_LABEL = {"kind": 30.0}
# Class weights. "balanced" weighs each class by n / (k * its count); the kind head weighs by
# the square root of that: prospects are over half the corpus, and a prospect read as a
# non-lead loses a lead. Held-out, kind macro-F1 0.930 -> 0.924 and prospect recall
# 0.952 -> 0.963.
SQRT_BALANCED = frozenset({"kind"})
MAX_ITER = 5000
KEEP_HEADS = 4  # heads files kept in models/understanding/ (older corpus versions go)


@dataclass(frozen=True)
class LabelReading:
    """One head's answer: the most likely class, its probability, and every class's."""

    value: str
    probability: float
    distribution: dict[str, float]


@dataclass(frozen=True)
class Reading:
    """What a message means, one LabelReading per label.

    `authority`, `budget` and `topic` are trained only on messages that say something about
    them, so they answer "which one, if the message is about it" and have no "not mentioned"
    class: a caller reads them where the question asked (or the act) makes them relevant.
    `language` tells English from any other language (lingua then names the other one).
    A head the corpus could not train (too few classes) reads as None.
    """

    kind: LabelReading
    act: LabelReading
    authority: LabelReading | None = None
    budget: LabelReading | None = None
    topic: LabelReading | None = None
    language: LabelReading | None = None


@dataclass(frozen=True)
class Features:
    """Feature rows: `dense` (n, 397) embedding + asked, `sparse` n-gram rows (or none)."""

    dense: np.ndarray
    sparse: list[SparseRow] | None = None
    ngram_columns: int = 0

    def __len__(self) -> int:
        return len(self.dense)

    def to_scipy(self) -> object:
        """One scipy CSR matrix (training only: scikit-learn fits on it)."""
        import scipy.sparse as sp

        if self.sparse is None:
            return sp.csr_matrix(self.dense)
        indptr = np.cumsum([0] + [len(i) for i, _ in self.sparse])
        indices = np.concatenate([i for i, _ in self.sparse] or [np.zeros(0, np.int64)])
        values = np.concatenate([v for _, v in self.sparse] or [np.zeros(0)])
        grams = sp.csr_matrix((values, indices, indptr), shape=(len(self), self.ngram_columns))
        return sp.hstack([sp.csr_matrix(self.dense.astype(np.float64)), grams]).tocsr()


@dataclass(frozen=True)
class Head:
    """One fitted multinomial logistic regression: p = softmax(x @ coef.T + intercept)."""

    label: str
    classes: tuple[str, ...]
    coef: np.ndarray  # (n_classes, DENSE + n-gram columns)
    intercept: np.ndarray  # (n_classes,)

    def probabilities(self, x: Features) -> np.ndarray:
        """(n, n_classes) class probabilities of the feature rows."""
        logits = x.dense.astype(np.float64) @ self.coef[:, :DENSE].T + self.intercept
        if x.sparse is not None:
            grams = self.coef[:, DENSE:]
            for row, (index, values) in enumerate(x.sparse):
                logits[row] += grams[:, index] @ values
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits


@dataclass(frozen=True)
class Heads:
    """The four heads, their n-gram vocabulary (if any), and the key they were trained under."""

    heads: dict[str, Head]
    key: str
    encoder_sha256: str
    ngrams: tuple[Ngrams, ...] = ()
    meta: dict[str, object] = field(default_factory=dict)

    def features(self, embeddings: np.ndarray, texts: Sequence[str],
                 asked: Sequence[str | None]) -> Features:
        """The feature rows these heads read, for texts already embedded."""
        return features(embeddings, asked, texts, self.ngrams)


def asked_one_hot(asked: Sequence[str | None]) -> np.ndarray:
    """(n, 14) one-hot of the question just asked: column 0 is `none` (an opening message),
    the last `other` (a question the corpus has no slot for).
    """
    out = np.zeros((len(asked), len(ASKED_VALUES)), dtype=np.float32)
    for row, slot in enumerate(asked):
        name = slot or "none"
        if name not in ASKED_VALUES:
            name = "other"
        out[row, ASKED_VALUES.index(name)] = 1.0
    return out


def features(
    embeddings: np.ndarray,
    asked: Sequence[str | None],
    texts: Sequence[str] | None = None,
    ngrams: Sequence[Ngrams] = (),
) -> Features:
    """Feature rows: embedding, one-hot of `asked`, and the n-gram blocks (char, word)."""
    dense = np.hstack([embeddings.astype(np.float32), asked_one_hot(asked)])
    if not ngrams:
        return Features(dense)
    if texts is None:
        raise ValueError("n-gram features need the texts")
    return Features(dense, joined(ngrams, texts), sum(block.size for block in ngrams))


def corpus_digest(split_dir: Path) -> str:
    """sha256 over the split's *.yml files (names and bytes): cheap, no YAML parsing.

    Any edit, a comment included, gives a new key; retraining is then a few seconds since
    the embeddings of unchanged texts come from the cache.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(split_dir).glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def heads_key(
    split_dir: Path, encoder_sha256: str = MODEL_SHA256, surface: bool = True
) -> str:
    """The hash that names a heads file: the train split, the encoder, features and settings."""
    settings = {
        "format": FORMAT_VERSION, "C": C, "C_by_label": C_BY_LABEL, "max_iter": MAX_ITER,
        "sqrt_balanced": sorted(SQRT_BALANCED),
        "asked": ASKED_VALUES,
        "ngrams": [list(NGRAM_RANGE), list(WORD_NGRAM_RANGE)] if surface else None,
    }
    payload = json.dumps([corpus_digest(split_dir), encoder_sha256, settings], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def default_heads_path(
    corpus_dir: Path = CORPUS_DIR, models_dir: Path = MODELS_DIR, surface: bool = True
) -> Path:
    """Where train_heads() puts the heads for the current train split of `corpus_dir`."""
    key = heads_key(Path(corpus_dir) / "train", surface=surface)
    return Path(models_dir) / f"heads-{key[:16]}.npz"


# --- embedding cache --------------------------------------------------------------------------


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def embed_cached(
    texts: Sequence[str], cache_path: Path, encoder: SentenceEncoder | None = None
) -> np.ndarray:
    """Embeddings of `texts`, reusing those in `cache_path` (an .npz keyed by text hash).

    Only texts not seen before are encoded, then the cache is rewritten: retraining after a
    corpus edit encodes the edited examples only. The cache file's name carries the encoder
    sha, so another model never reads stale vectors.
    """
    cached: dict[str, np.ndarray] = {}
    if cache_path.is_file():
        with np.load(cache_path, allow_pickle=False) as data:
            cached = dict(zip(data["hashes"].tolist(), data["vectors"], strict=True))
    hashes = [_text_hash(t) for t in texts]
    missing = sorted({h: t for h, t in zip(hashes, texts, strict=True) if h not in cached}.items())
    if missing:
        vectors = (encoder or get_encoder()).encode([t for _, t in missing])
        cached.update({h: v for (h, _), v in zip(missing, vectors, strict=True)})
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp.npz")  # two trainers never collide
        keys = sorted(cached)
        np.savez(tmp, hashes=np.array(keys), vectors=np.stack([cached[k] for k in keys]))
        tmp.replace(cache_path)
    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.stack([cached[h] for h in hashes]).astype(np.float32)


# --- training (scikit-learn, dev only) -------------------------------------------------------


def fit_heads(
    examples: list[Example], embeddings: np.ndarray, surface: bool = True
) -> tuple[dict[str, Head], tuple[Ngrams, ...]]:
    """Fits one logistic regression per label on the examples that carry it (deterministic).

    With `surface`, the character and word n-gram vocabularies are fitted on all the train
    texts first.
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    texts = [e.text for e in examples]
    ngrams = (Ngrams.fit(texts, analyzer="char"), Ngrams.fit(texts, analyzer="word")) \
        if surface else ()
    x_all = features(embeddings, [e.asked for e in examples], texts, ngrams).to_scipy()
    heads = {}
    for label in LABELS:
        rows = [i for i, e in enumerate(examples) if e.training_label(label) is not None]
        y = [examples[i].training_label(label) for i in rows]
        if len(set(y)) < 2:
            if label in REQUIRED_LABELS:
                raise ValueError(f"label {label!r}: the train split needs at least two classes")
            continue  # an optional head a small corpus cannot train: it reads as None
        # lbfgs on the full batch: no random state involved, the same fit every run
        model = LogisticRegression(
            C=C_BY_LABEL.get(label, C), class_weight=class_weights(label, y),
            max_iter=MAX_ITER, solver="lbfgs",
        )
        # one BLAS thread: on 2 shared cores the kind head fit in 0.3 s this way, ~8 s with two
        with threadpool_limits(limits=1, user_api="blas"):
            model.fit(x_all[rows], y)  # type: ignore[index]
        heads[label] = head_from_sklearn(label, model)
    return heads, ngrams


def class_weights(label: str, y: Sequence[str | None]) -> dict[str, float] | str:
    """scikit-learn's class_weight for a head: "balanced", or its square root (see
    SQRT_BALANCED).
    """
    if label not in SQRT_BALANCED:
        return "balanced"
    counts: dict[str, int] = {}
    for value in y:
        counts[str(value)] = counts.get(str(value), 0) + 1
    n, k = len(y), len(counts)
    return {c: (n / (k * count)) ** 0.5 for c, count in counts.items()}


def head_from_sklearn(label: str, model: object) -> Head:
    """A Head with the same probabilities as a fitted sklearn LogisticRegression."""
    classes = tuple(str(c) for c in model.classes_)  # type: ignore[attr-defined]
    coef = np.asarray(model.coef_, dtype=np.float64)  # type: ignore[attr-defined]
    intercept = np.asarray(model.intercept_, dtype=np.float64)  # type: ignore[attr-defined]
    if len(classes) == 2:
        # A binary sklearn model has one row w: p(class 1) = sigmoid(w.x + b). As a softmax
        # over the rows [0, w] that is exactly the same probability.
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        intercept = np.array([0.0, intercept[0]])
    return Head(label=label, classes=classes, coef=coef, intercept=intercept)


def train_heads(
    corpus_dir: Path = CORPUS_DIR,
    out_path: Path | None = None,
    *,
    encoder: SentenceEncoder | None = None,
    models_dir: Path = MODELS_DIR,
    surface: bool = True,
) -> Path:
    """Trains the heads on `<corpus_dir>/train` and saves them as an .npz; returns its path.

    `out_path` defaults to `<models_dir>/heads-<key>.npz` (models/understanding/, gitignored).
    A file already there with the same key is kept as it is (same corpus, encoder and settings
    give the same heads). Embeddings are cached in `models_dir` by text hash, so a corpus edit
    re-encodes only the new texts. `surface=False` leaves out the n-gram blocks
    (embedding + asked only), to compare.
    """
    key = heads_key(Path(corpus_dir) / "train", surface=surface)
    if out_path is None:
        out_path = Path(models_dir) / f"heads-{key[:16]}.npz"
    out_path = Path(out_path)
    if out_path.is_file():
        try:
            if load_heads(out_path).key == key:
                return out_path
        except (OSError, ValueError, KeyError):
            pass  # unreadable or from an older format: train again
    examples = load_split(Path(corpus_dir) / "train")
    cache = Path(models_dir) / f"embeddings-{MODEL_SHA256[:16]}.npz"
    embeddings = embed_cached([e.text for e in examples], cache, encoder)
    heads, ngrams = fit_heads(examples, embeddings, surface)
    meta = {
        "examples": len(examples),
        "per_label": {
            label: sum(e.label(label) is not None for e in examples) for label in LABELS
        },
    }
    save_heads(
        Heads(heads=heads, key=key, encoder_sha256=MODEL_SHA256, ngrams=ngrams, meta=meta),
        out_path,
    )
    _prune(Path(models_dir), keep=out_path)
    return out_path


def _prune(models_dir: Path, keep: Path, newest: int = KEEP_HEADS) -> None:
    # Every corpus edit names a new heads file; keep the few newest, never the one just made.
    files = sorted(models_dir.glob("heads-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [f for f in files if f != keep][newest - 1 :]:
        old.unlink(missing_ok=True)


# --- the .npz file (numpy only) --------------------------------------------------------------


def save_heads(heads: Heads, path: Path) -> None:
    """Writes the heads as an .npz of plain arrays (loadable with allow_pickle=False)."""
    arrays: dict[str, np.ndarray] = {}
    for label, head in heads.heads.items():
        arrays[f"{label}.coef"] = head.coef
        arrays[f"{label}.intercept"] = head.intercept
        arrays[f"{label}.classes"] = np.array(head.classes)
    for block in heads.ngrams:
        vocabulary = sorted(block.vocabulary, key=block.vocabulary.__getitem__)
        arrays[f"{block.analyzer}.vocabulary"] = np.array(vocabulary, dtype=str)
        arrays[f"{block.analyzer}.idf"] = block.idf
    header = {
        "format": FORMAT_VERSION,
        "key": heads.key,
        "encoder_sha256": heads.encoder_sha256,
        "asked": list(ASKED_VALUES),
        "labels": list(heads.heads),
        "ngrams": [block.analyzer for block in heads.ngrams],
        "ngram_range": list(NGRAM_RANGE),
        "word_ngram_range": list(WORD_NGRAM_RANGE),
        "meta": heads.meta,
    }
    arrays["header"] = np.array(json.dumps(header, sort_keys=True))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(path)  # a reader never sees half a file


def load_heads(path: Path) -> Heads:
    """Reads an .npz written by save_heads(); ValueError when it is of another format."""
    with np.load(Path(path), allow_pickle=False) as data:
        header = json.loads(str(data["header"]))
        if header.get("format") != FORMAT_VERSION or tuple(header["asked"]) != ASKED_VALUES:
            raise ValueError(f"{path}: heads of another format; retrain (train_heads)")
        if (tuple(header.get("ngram_range") or ()) != NGRAM_RANGE
                or tuple(header.get("word_ngram_range") or ()) != WORD_NGRAM_RANGE):
            raise ValueError(f"{path}: n-grams of another range; retrain (train_heads)")
        ngrams = tuple(
            Ngrams(
                vocabulary={g: i for i, g in enumerate(data[f"{name}.vocabulary"].tolist())},
                idf=np.array(data[f"{name}.idf"], dtype=np.float64),
                analyzer=name,
            )
            for name in header.get("ngrams") or ()
        )
        columns = DENSE + sum(block.size for block in ngrams)
        heads = {}
        for label in header["labels"]:
            head = Head(
                label=label,
                classes=tuple(str(c) for c in data[f"{label}.classes"].tolist()),
                coef=np.array(data[f"{label}.coef"], dtype=np.float64),
                intercept=np.array(data[f"{label}.intercept"], dtype=np.float64),
            )
            if head.coef.shape != (len(head.classes), columns):
                raise ValueError(f"{path}: {label}: coefficients of shape {head.coef.shape}")
            heads[label] = head
    return Heads(
        heads=heads, key=header["key"], encoder_sha256=header["encoder_sha256"],
        ngrams=ngrams, meta=header.get("meta", {}),
    )


# --- reading messages ------------------------------------------------------------------------


class Classifier:
    """Applies the heads to messages: `read(text, asked)` gives a Reading."""

    def __init__(self, heads: Heads, encoder: SentenceEncoder | None = None) -> None:
        """`encoder` defaults to the process's shared one (loaded on first read)."""
        missing = set(REQUIRED_LABELS) - set(heads.heads)
        if missing:
            raise ValueError(f"heads file lacks {sorted(missing)}")
        if heads.encoder_sha256 != MODEL_SHA256:
            raise ValueError("heads were trained over another encoder; retrain (train_heads)")
        self.heads = heads
        self._encoder = encoder

    def read(self, text: str, asked: str | None = None) -> Reading:
        """What one message means, given the slot the assistant had just asked (or None)."""
        return self.read_many([(text, asked)])[0]

    def read_many(self, items: Sequence[tuple[str, str | None]]) -> list[Reading]:
        """Readings of many (text, asked) pairs, encoded in batches."""
        if not items:
            return []
        encoder = self._encoder or get_encoder()
        texts = [text for text, _ in items]
        return self.read_embedded(encoder.encode(texts), texts, [asked for _, asked in items])

    def read_embedded(
        self, embeddings: np.ndarray, texts: Sequence[str], asked: Sequence[str | None]
    ) -> list[Reading]:
        """Readings from embeddings already computed (the report reuses cached ones)."""
        x = self.heads.features(embeddings, texts, asked)
        per_label = {label: head.probabilities(x) for label, head in self.heads.heads.items()
                     if label in LABELS}
        readings = []
        for row in range(len(x)):
            parts = {}
            for label, probs in per_label.items():
                classes = self.heads.heads[label].classes
                best = int(np.argmax(probs[row]))
                parts[label] = LabelReading(
                    value=classes[best],
                    probability=float(probs[row, best]),
                    distribution={c: float(p) for c, p in zip(classes, probs[row], strict=True)},
                )
            readings.append(Reading(**parts))
        return readings


_lock = threading.Lock()
_classifier: Classifier | None = None


def get_classifier(path: Path | None = None) -> Classifier:
    """The process's classifier from the trained heads (default: the current corpus's file).

    When the corpus was edited but not retrained, the newest heads file is used and a
    warning logged: a conversation designer's unfinished edit must not take the assistant
    down. Raises FileNotFoundError when no heads were ever trained (`leadbot train`).
    """
    global _classifier
    if _classifier is None:
        with _lock:
            if _classifier is None:
                _classifier = Classifier(load_heads(path or _trained_heads_path()))
    return _classifier


def _trained_heads_path(models_dir: Path = MODELS_DIR) -> Path:
    current = default_heads_path(models_dir=models_dir)
    if current.is_file():
        return current
    older = sorted(Path(models_dir).glob("heads-*.npz"), key=lambda p: p.stat().st_mtime)
    if not older:
        raise FileNotFoundError(
            f"{current}: no trained heads; run `leadbot train` (or `make heads`)"
        )
    log.warning("the corpus changed since the heads were trained: using %s until "
                "`leadbot train` runs", older[-1].name)
    return older[-1]
