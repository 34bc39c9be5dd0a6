"""Encoders: texts → float32 L2-normalised matrices. The embedded default is a
sentence-transformers ``StaticEmbedding`` over a jieba vocabulary, fitted on the store's texts."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Sequence
from itertools import repeat
from pathlib import Path
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from matcher import faults, scratch
from matcher.private import temp_tag
from matcher.text.char_counts import char_gram_counts
from matcher.text.counts import count_matrix, count_vocab
from matcher.text.ngrams import embedding_tokens
from matcher.text.segmenter import Segmenter

POINTER = "EMBEDDED_V2"  # names the current embedded model; bump when its tokens change
MANIFEST = "MANIFEST.json"
"""Every file of a saved model with its SHA-256, written last into the temp directory: a
model without it, or whose files do not match it, is not used (it is fitted again)."""
NUMPY_COUNTS = 64
"""From this many texts the embedded encoder counts character bigrams in numpy (no bigram
strings: an index build encodes 100,000 profiles); a need alone is faster as token lists
(0.07 against 0.3 ms). The same vectors either way."""
COUNT_BLOCK = 4096
"""Texts counted and encoded together (bounds the temporary matrices)."""
BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


class Encoder(Protocol):
    model_id: str
    dim: int

    def encode(
        self,
        texts: Sequence[str],
        *,
        kind: str = "passage",
        tokens: Sequence[Sequence[str]] | None = None,
        progress: bool = False,
    ) -> np.ndarray: ...


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)


def _prefix(name: str, kind: str) -> str:
    low = name.lower()
    if "bge" in low and "zh" in low:
        return BGE_ZH_QUERY if kind == "query" else ""
    if "e5" in low:
        return "query: " if kind == "query" else "passage: "
    return ""


class SentenceTransformerEncoder:
    """Any sentence-transformers model by name or local path (query/passage prefixes)."""

    def __init__(self, name_or_path: str, *, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        self.name = name_or_path
        self.model = SentenceTransformer(name_or_path, device="cpu")
        self.batch_size = batch_size
        dim_of = getattr(self.model, "get_embedding_dimension", None) or (
            self.model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of())
        self.model_id = f"st:{name_or_path}"

    def encode(self, texts, *, kind="passage", tokens=None, progress=False) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), np.float32)
        prefix = _prefix(self.name, kind)
        vecs = self.model.encode(
            [prefix + t for t in texts],
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return l2_normalize(vecs)


class EmbeddedEncoder:
    """The saved embedded model, read without sentence-transformers (no torch import: a
    fresh ``matcher match`` starts fast): its vocabulary from ``tokenizer.json`` and its
    weights from ``model.safetensors`` (a data-only format). A text is cut into jieba words
    plus character bigrams; its vector is the normalised mean of their rows, as the saved
    ``StaticEmbedding`` computes it."""

    def __init__(self, path: Path, segmenter: Segmenter, *, batch_size: int = 1024) -> None:
        modules = json.loads((Path(path) / "modules.json").read_text(encoding="utf-8"))
        sub = str(modules[0].get("path") or "")
        if ".." in Path(sub).parts or Path(sub).is_absolute():
            raise ValueError(f"bad module path {sub!r}")
        module = Path(path) / sub
        tokenizer = json.loads((module / "tokenizer.json").read_text(encoding="utf-8"))
        vocab = tokenizer["model"]["vocab"]
        self.index = {str(w): int(i) for w, i in vocab.items()}
        self.weights = mapped_weights(module / "model.safetensors")
        self.dim = int(self.weights.shape[1])
        self.segmenter = segmenter
        self.batch_size = batch_size
        self.model_id = f"embedded:{Path(path).name}"

    def encode(self, texts, *, kind="passage", tokens=None, progress=False) -> np.ndarray:
        if tokens is None:
            tokens = self.segmenter.tokens_many(texts)
        if not len(texts):
            return np.zeros((0, self.dim), np.float32)
        out = scratch.empty((len(texts), self.dim), np.float32)  # (a million texts: 1 GB)
        step = max(self.batch_size, COUNT_BLOCK)
        for i in range(0, len(texts), step):
            words, batch = tokens[i : i + step], texts[i : i + step]
            if len(batch) >= NUMPY_COUNTS:  # the counts of ``embedding_tokens``, in numpy
                counts = count_matrix(words, self.index) + char_gram_counts(
                    batch, self.index, unigrams=False, grow=False
                )
            else:
                counts = count_matrix(
                    [embedding_tokens(list(w), x) for w, x in zip(words, batch, strict=True)],
                    self.index,
                )
            out[i : i + step] = l2_normalize(np.asarray(counts @ self.weights))  # (row by row)
        return out

    def encode_counts(self, counts: sp.csr_matrix, words: Sequence[str]) -> np.ndarray:
        """``encode`` of texts given as their ``embedding_counts`` over ``words`` (the
        same vectors, without cutting and counting the texts again), in blocks of rows."""
        counts = sp.csr_matrix(counts)
        step = max(self.batch_size, COUNT_BLOCK)
        return self.encode_count_blocks(
            (counts[i : i + step] for i in range(0, counts.shape[0], step)),
            words,
            counts.shape[0],
        )

    def encode_count_blocks(
        self, blocks: Iterable[sp.csr_matrix], words: Sequence[str], n: int
    ) -> np.ndarray:
        """``encode_counts`` of ``n`` texts' counts given as consecutive row blocks (a
        large store's are made a block at a time), written into one (``scratch``) array."""
        move = column_move(words, self.index, len(self.weights))
        out = scratch.zeros((n, self.dim), np.float32)
        at = 0
        for block in blocks:
            if at + block.shape[0] > n:
                raise ValueError(f"more rows of counts than the {n} texts")
            vectors = np.asarray(moved(block, move) @ self.weights)
            out[at : at + block.shape[0]] = l2_normalize(vectors)
            at += block.shape[0]
        if at != n:
            raise ValueError(f"{at} rows of counts for {n} texts")
        return out


def mapped_weights(path: Path) -> np.ndarray:
    """The one float32 matrix of a safetensors file, mapped read-only from disk (a text
    reads only its tokens' rows: a fresh process does not read the whole table). The file
    is data only: an 8-byte header length, a JSON header, the raw array; anything else
    than one 2-D F32 tensor inside the file is read the ordinary way."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        n = int.from_bytes(fh.read(8), "little")
        header = json.loads(fh.read(n)) if 0 < n < size else {}
    tensors = [v for k, v in header.items() if k != "__metadata__"]
    if len(tensors) == 1 and tensors[0].get("dtype") == "F32":
        (begin, end), shape = tensors[0]["data_offsets"], tensors[0]["shape"]
        if len(shape) == 2 and end - begin == 4 * shape[0] * shape[1] and 8 + n + end <= size:
            return np.memmap(path, np.float32, "r", offset=8 + n + begin, shape=tuple(shape))
    from safetensors.numpy import load_file

    return np.asarray(next(iter(load_file(str(path)).values())), np.float32)


class StaticVectors:
    """A fitted static embedding before it is saved: a text's vector is the normalised mean
    of its tokens' rows, as the saved ``StaticEmbedding`` computes it (used to score
    pseudo-needs while fitting the fusion, without writing a model per fold)."""

    def __init__(self, vocab: list[str], weights: np.ndarray) -> None:
        self.index = {w: i for i, w in enumerate(vocab)}
        self.weights = np.asarray(weights, np.float32)

    def encode_tokens(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        if not self.index:
            return np.zeros((len(token_lists), 1), np.float32)
        return l2_normalize(np.asarray(count_matrix(token_lists, self.index) @ self.weights))

    def encode_counts(self, counts: sp.csr_matrix, words: Sequence[str]) -> np.ndarray:
        """``encode_tokens`` of texts given as term counts over ``words`` (the same vectors:
        the counts are moved to this model's columns, in its order)."""
        if not self.index:
            return np.zeros((counts.shape[0], 1), np.float32)
        move = column_move(words, self.index, len(self.weights))
        return l2_normalize(np.asarray(moved(counts, move) @ self.weights))


def column_move(words: Sequence[str], index: dict[str, int], width: int) -> sp.csr_matrix:
    """The 0/1 matrix moving counts over ``words`` to a model's ``width`` columns (its
    ``index``; words it lacks dropped)."""
    cols = np.fromiter(map(index.get, words, repeat(-1)), np.int64, len(words))
    known = np.flatnonzero(cols >= 0)
    return sp.csr_matrix(
        (np.ones(len(known), np.float32), (known, cols[known])), shape=(max(len(words), 1), width)
    )


def moved(counts: sp.csr_matrix, move: sp.csr_matrix) -> sp.csr_matrix:
    """``counts`` in a model's columns (``column_move``), each row's columns ascending: the
    summation order of the counts the model's own path makes, to the last bit."""
    mine = sp.csr_matrix(sp.csr_matrix(counts, dtype=np.float32) @ move)
    mine.sort_indices()
    return mine


def fit_embedded_model(
    token_lists: list[list[str]],
    models_dir: Path,
    *,
    labels: list[str | None] | None = None,
    dim: int = 256,
) -> Path:
    """Fit the static embedding on ``token_lists``, save it as a sentence-transformers model
    under ``models_dir/embedded-<checksum>`` and point ``models_dir/POINTER`` at it."""
    counts, words = count_vocab(token_lists)
    return fit_embedded_counts(counts, list(words), models_dir, labels=labels, dim=dim)


def fit_embedded_counts(
    counts: sp.csr_matrix,
    words: list[str],
    models_dir: Path,
    *,
    labels: list[str | None] | None = None,
    dim: int = 256,
    overwrite: bool = False,
) -> Path:
    """``fit_embedded_model`` of texts given as term counts over ``words`` (``overwrite``:
    ``fit_static_counts``'s: the counts are spent)."""
    from tokenizers import Tokenizer, models, pre_tokenizers

    from matcher.embeddings.static_fit import fit_static_counts

    vocab, weights = fit_static_counts(
        counts, words, labels=labels, dim=dim, seed=0, overwrite=overwrite
    )
    weights = np.asarray(weights, np.float32)
    table = {"[UNK]": 0} | {w: i + 1 for i, w in enumerate(vocab)}
    weights = np.ascontiguousarray(
        np.vstack([np.zeros((1, weights.shape[1]), np.float32), weights])
    )
    tokenizer = Tokenizer(models.WordLevel(vocab=table, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    digest = hashlib.sha1(weights.tobytes() + "\n".join(vocab).encode()).hexdigest()[:16]
    path = models_dir / f"embedded-{digest}"
    if not _complete(path):
        if path.exists():  # damaged or half-written: never trusted, replaced
            shutil.rmtree(path, ignore_errors=True)
        tmp = models_dir / f".tmp-{digest}-{temp_tag()}"
        shutil.rmtree(tmp, ignore_errors=True)
        _write_static_model(tmp, tokenizer, weights)
        _write_manifest(tmp)
        faults.point("index:model_saved")
        tmp.replace(path)
    pointer = models_dir / POINTER
    (models_dir / f"{POINTER}.tmp").write_text(path.name, encoding="utf-8")
    (models_dir / f"{POINTER}.tmp").replace(pointer)
    return path


STATIC_EMBEDDING = (
    "sentence_transformers.sentence_transformer.modules.static_embedding.StaticEmbedding"
)


def _write_static_model(path: Path, tokenizer, weights: np.ndarray) -> None:
    """The files ``SentenceTransformer([StaticEmbedding]).save`` writes (its model card
    aside), written without importing torch: half a GiB and seconds of every index build."""
    from contextlib import suppress
    from importlib.metadata import PackageNotFoundError, version

    from safetensors.numpy import save_file

    path.mkdir(parents=True)
    save_file({"embedding.weight": weights}, str(path / "model.safetensors"), {"format": "pt"})
    tokenizer.save(str(path / "tokenizer.json"))
    modules = [{"idx": 0, "name": "0", "path": "", "type": STATIC_EMBEDDING}]
    (path / "modules.json").write_text(json.dumps(modules, indent=2), encoding="utf-8")
    versions = {}
    for key, dist in (
        ("sentence_transformers", "sentence-transformers"),
        ("transformers", "transformers"),
        ("pytorch", "torch"),
    ):
        with suppress(PackageNotFoundError):
            versions[key] = version(dist)
    config = {
        "__version__": versions,
        "default_prompt_name": None,
        "model_type": "SentenceTransformer",
        "prompts": {"document": "", "query": ""},
        "similarity_fn_name": "cosine",
    }
    (path / "config_sentence_transformers.json").write_text(
        json.dumps(config, indent=2), encoding="utf-8"
    )


def _files(path: Path) -> dict[str, str]:
    out = {}
    for f in sorted(path.rglob("*")):
        if f.is_file() and f.name != MANIFEST:
            with f.open("rb") as fh:
                out[f.relative_to(path).as_posix()] = hashlib.file_digest(fh, "sha256").hexdigest()
    return out


def _write_manifest(path: Path) -> None:
    (path / MANIFEST).write_text(json.dumps(_files(path)), encoding="utf-8")


def _complete(path: Path) -> bool:
    """Whether a saved model directory is whole: its manifest lists exactly its files and
    every checksum matches."""
    try:
        listed = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(listed, dict) and bool(listed) and listed == _files(path)


def current_embedded_path(models_dir: Path) -> Path | None:
    pointer = models_dir / POINTER
    if not pointer.is_file():
        return None
    name = pointer.read_text(encoding="utf-8").strip()
    if not name.startswith("embedded-") or "/" in name or name.startswith("."):
        return None
    path = models_dir / name
    return path if (path / "modules.json").is_file() and _complete(path) else None
