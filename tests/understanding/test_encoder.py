"""The numpy encoder against the official sentence-transformers embeddings, and its guards."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bot.understanding import encoder as encoder_module
from bot.understanding.encoder import (
    DIMENSION,
    MAX_TOKENS,
    MODEL_SHA256,
    EncoderIntegrityError,
    SentenceEncoder,
    default_model_dir,
)

FIXTURE = Path(__file__).with_name("reference_embeddings.json")
MIN_COSINE = 0.9999


def _reference() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_reference_fixture_is_of_this_model_and_truncation() -> None:
    ref = _reference()
    assert ref["model_safetensors_sha256"] == MODEL_SHA256
    assert ref["max_seq_length"] == MAX_TOKENS
    assert len(ref["examples"]) >= 30


def test_matches_sentence_transformers_reference(encoder: SentenceEncoder) -> None:
    examples = _reference()["examples"]
    ours = encoder.encode([e["text"] for e in examples])
    reference = np.array([e["embedding"] for e in examples], dtype=np.float64)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)  # undo the 6-decimal rounding
    cosines = (ours * reference).sum(axis=1)
    low = [(e["text"][:40], round(float(c), 6)) for e, c in zip(examples, cosines, strict=True)
           if c < MIN_COSINE]
    print(f"\ncosine to sentence-transformers: min {cosines.min():.7f}, "
          f"mean {cosines.mean():.7f} over {len(examples)} sentences")
    assert not low, f"below {MIN_COSINE}: {low}"


def test_reference_includes_a_truncated_message(encoder: SentenceEncoder) -> None:
    # the comparison above covers truncation only if a reference text is past 128 pieces
    texts = [e["text"] for e in _reference()["examples"]]
    assert max(encoder.token_count(t) for t in texts) == MAX_TOKENS


def test_rows_are_unit_length_float32(encoder: SentenceEncoder) -> None:
    out = encoder.encode(["hello", "what does it cost for 20 seats?"])
    assert out.shape == (2, DIMENSION)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_a_message(encoder: SentenceEncoder) -> None:
    # a short text padded next to a long one must embed as it does alone (the attention mask)
    texts = ["ok", "we are a 40 person agency drowning in client emails, what does it cost?",
             "bye", "x " * 300]
    batched = encoder.encode(texts, batch_size=4)
    alone = np.stack([encoder.encode_one(t) for t in texts])
    assert np.min((batched * alone).sum(axis=1)) > 0.99999
    # and order is kept although batches are formed by length
    assert (batched[0] @ batched[2]) < 0.99


def test_different_messages_differ(encoder: SentenceEncoder) -> None:
    a, b, c = encoder.encode(["my login is broken", "I can't sign in to my account",
                              "what does it cost?"])
    assert a @ b > a @ c


def test_empty_input_and_a_string_instead_of_a_list(encoder: SentenceEncoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSION)
    with pytest.raises(TypeError):
        encoder.encode("one string")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "word " * 2000,  # 10,000 characters of words
        "x" * 10_000,  # one 10,000-character "word"
        "🔥" * 10_000,  # emoji
        "a" + " " * 9_998 + "b",  # whitespace
    ],
    ids=["words", "one-word", "emoji", "spaces"],
)
def test_a_10000_character_message_is_truncated_and_finishes(
    encoder: SentenceEncoder, text: str
) -> None:
    assert len(text) >= 10_000
    started = time.perf_counter()
    vector = encoder.encode([text])
    elapsed = time.perf_counter() - started
    print(f"\n10,000 characters ({text[:6]!r}...): {elapsed * 1000:.0f} ms")
    assert vector.shape == (1, DIMENSION)
    assert np.isfinite(vector).all()
    assert encoder.token_count(text) <= MAX_TOKENS


def test_a_long_message_reads_its_first_128_word_pieces(encoder: SentenceEncoder) -> None:
    head = "my login is broken and support is not answering. " * 20
    tail_a, tail_b = "we want to buy 500 seats " * 50, "the weather is lovely today " * 50
    a, b = encoder.encode([head + tail_a, head + tail_b])
    assert a @ b > 0.99999  # whatever follows the first 128 pieces is not read


def test_a_model_file_of_another_sha256_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").write_bytes(b"not the weights")
    (model / "tokenizer.json").write_text("{}")
    with pytest.raises(EncoderIntegrityError, match="refusing to load") as info:
        SentenceEncoder(model)
    assert MODEL_SHA256 in str(info.value)


def test_the_real_file_is_refused_when_another_sha256_is_expected() -> None:
    with pytest.raises(EncoderIntegrityError, match=r"reinstall requirements/model\.txt"):
        SentenceEncoder(default_model_dir(), expected_sha256="0" * 64)


def test_a_folder_without_weights_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EncoderIntegrityError, match=r"no model\.safetensors"):
        SentenceEncoder(tmp_path)


def test_nothing_is_loaded_at_import() -> None:
    code = (
        "import sys\n"
        "import bot.understanding.encoder as e, bot.understanding.classifier, "
        "bot.understanding.report\n"
        "assert e._encoder is None\n"
        "heavy = {'tokenizers', 'safetensors', 'sklearn'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_get_encoder_loads_once_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    class SlowEncoder:
        def __init__(self) -> None:
            time.sleep(0.05)  # long enough for every thread to arrive while loading
            made.append(self)

    monkeypatch.setattr(encoder_module, "SentenceEncoder", SlowEncoder)
    monkeypatch.setattr(encoder_module, "_encoder", None)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(encoder_module.get_encoder()))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1
    assert all(g is made[0] for g in got)
