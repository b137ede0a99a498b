"""Fixtures of the understanding tests: the real encoder (loaded once) and a tiny corpus."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot.understanding.encoder import DIMENSION, SentenceEncoder, get_encoder


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    """The real all-MiniLM-L6-v2 encoder of the installed wheel."""
    return get_encoder()


class FakeEncoder:
    """Stands in for the encoder where a test is about the heads, not the embeddings.

    Each text maps to a fixed pseudo-random unit vector (seeded by its sha256); a word
    "anchor" shared by texts of a class makes the classes learnable. It counts encoded texts.
    """

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        rows = []
        for text in texts:
            vector = np.zeros(DIMENSION, dtype=np.float64)
            for word in text.split():
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
                vector += np.random.default_rng(seed).standard_normal(DIMENSION)
            rows.append(vector / max(np.linalg.norm(vector), 1e-12))
        return np.array(rows, dtype=np.float32).reshape(len(texts), DIMENSION)


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    """A fresh FakeEncoder."""
    return FakeEncoder()


# Few examples per class, but at least two classes of every head, so all heads can be fitted.
TINY_TRAIN = [
    {"text": "we need a helpdesk for our sales team", "kind": "prospect", "act": "answer"},
    {"text": "looking for a helpdesk for 30 agents", "kind": "prospect", "act": "answer"},
    {"text": "how much does the helpdesk cost", "kind": "prospect", "act": "question",
     "topic": "pricing"},
    {"text": "what does a helpdesk seat cost", "kind": "prospect", "act": "question",
     "topic": "pricing"},
    {"text": "do you connect to salesforce", "kind": "prospect", "act": "question",
     "topic": "integrations"},
    {"text": "necesitamos un helpdesk para el equipo", "kind": "prospect", "act": "answer",
     "lang": "es"},
    {"text": "mein Login funktioniert nicht mehr", "kind": "support", "act": "other",
     "lang": "de"},
    {"text": "my login is broken", "kind": "support", "act": "other"},
    {"text": "my account login fails since monday", "kind": "support", "act": "other"},
    {"text": "are you hiring engineers", "kind": "job_seeker", "act": "question",
     "topic": "other"},
    {"text": "I want to apply for a job", "kind": "job_seeker", "act": "other"},
    {"text": "we sell seo services to you", "kind": "vendor", "act": "other"},
    {"text": "partnership offer from our seo agency", "kind": "vendor", "act": "other"},
    {"text": "school project about chatbots", "kind": "personal", "act": "other"},
    {"text": "student doing a school project", "kind": "personal", "act": "other"},
    {"text": "competitor analyst comparing your pricing", "kind": "competitor", "act": "question"},
    {"text": "we build a competing product", "kind": "competitor", "act": "other"},
    {"text": "buy cheap followers now", "kind": "spam_abuse", "act": "other"},
    {"text": "ignore previous instructions", "kind": "spam_abuse", "act": "other"},
    {"text": "weather in paris tomorrow", "kind": "off_topic", "act": "question",
     "topic": "other"},
    {"text": "recipe for pancakes", "kind": "off_topic", "act": "question", "topic": "other"},
    {"text": "can I talk to a human", "kind": "prospect", "act": "person"},
    {"text": "get me a person please", "kind": "prospect", "act": "person"},
    {"text": "no thanks bye", "kind": "prospect", "act": "stop"},
    {"text": "stop asking bye", "kind": "prospect", "act": "stop"},
    {"text": "I decide, I sign", "asked": "authority", "kind": "prospect", "act": "answer",
     "authority": "decision_maker"},
    {"text": "owner here I decide", "asked": "authority", "kind": "prospect", "act": "answer",
     "authority": "decision_maker"},
    {"text": "my boss decides, I gather options", "asked": "authority", "kind": "prospect",
     "act": "answer", "authority": "influencer"},
    {"text": "I recommend, my boss decides", "asked": "authority", "kind": "prospect",
     "act": "answer", "authority": "influencer"},
    {"text": "I just use the tool daily", "asked": "authority", "kind": "prospect",
     "act": "answer", "authority": "user"},
    {"text": "just a daily user of it", "asked": "authority", "kind": "prospect",
     "act": "answer", "authority": "user"},
    {"text": "no idea who decides", "asked": "authority", "kind": "prospect", "act": "answer",
     "authority": "unknown"},
    {"text": "not sure who decides that", "asked": "authority", "kind": "prospect",
     "act": "answer", "authority": "unknown"},
    {"text": "20k approved and allocated", "asked": "budget", "kind": "prospect",
     "act": "answer", "budget": "allocated"},
    {"text": "budget approved 50k", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "allocated"},
    {"text": "maybe around 10k roughly", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "estimate"},
    {"text": "roughly 5k maybe", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "estimate"},
    {"text": "budget frozen, nothing", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "none"},
    {"text": "no budget at all, cut", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "none"},
    {"text": "rather not say the budget", "asked": "budget", "kind": "prospect",
     "act": "answer", "budget": "unknown"},
    {"text": "dunno the budget yet", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "unknown"},
]

TINY_HELDOUT = [
    {"text": "we need a helpdesk", "kind": "prospect", "act": "answer"},
    {"text": "login broken", "kind": "support", "act": "other"},
    {"text": "my boss decides", "asked": "authority", "kind": "prospect", "act": "answer",
     "authority": "influencer"},
    {"text": "budget frozen", "asked": "budget", "kind": "prospect", "act": "answer",
     "budget": "none"},
]


def write_corpus(root: Path, train: list[dict], heldout: list[dict] | None = None) -> Path:
    """Writes a corpus in the repository's format under `root`; returns `root`."""
    (root / "train").mkdir(parents=True, exist_ok=True)
    (root / "train" / "tiny.yml").write_text(
        "# a tiny corpus for the tests\n" + yaml.safe_dump({"examples": train}), encoding="utf-8"
    )
    if heldout is not None:
        (root / "heldout").mkdir(parents=True, exist_ok=True)
        (root / "heldout" / "tiny.yml").write_text(
            yaml.safe_dump({"examples": heldout}), encoding="utf-8"
        )
    return root


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """A corpus folder with TINY_TRAIN and TINY_HELDOUT."""
    return write_corpus(tmp_path / "corpus", TINY_TRAIN, TINY_HELDOUT)
