"""Building, refreshing, saving and loading the society and expert indexes."""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock

from matcher import faults
from matcher.embeddings.encoders import Encoder, l2_normalize
from matcher.matching.profiles import Row, text_hash
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.fusion import ExpertCalibration, Fusion
from matcher.ranking.rank import Corpus
from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams
from matcher.text.segmenter import Segmenter

STATE_FILE = "engine_state.v7.pkl"  # bump when the pickled layout changes


@dataclass
class TextCache:
    """Tokens by text hash, and vectors by (model id, text hash): unchanged texts are free."""

    tokens: dict[str, list[str]] = field(default_factory=dict)
    vectors: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)


@dataclass
class IndexState:
    signature: str
    model_id: str
    version: str
    societies: Corpus
    experts: Corpus
    memberships: dict[int, list[int]]
    evidence: SocietyEvidence
    society_capacity: dict[int, int]
    external_ids: dict[str, dict[int, str]]  # by target kind, then id
    names: dict[str, dict[int, str]]  # by target kind, then id
    cache: TextCache
    fusion: Fusion = field(default_factory=Fusion.default)
    expert_calibration: ExpertCalibration = field(default_factory=ExpertCalibration)
    labelled: int = 0  # experts with one society when the fusion was fitted


def _tokens(rows: list[Row], segmenter: Segmenter, cache: TextCache) -> tuple[list, list[str]]:
    hashes = [text_hash(r.text) for r in rows]
    for r, h in zip(rows, hashes, strict=True):
        if h not in cache.tokens:
            cache.tokens[h] = segmenter.tokens(r.text)
    return [cache.tokens[h] for h in hashes], hashes


def _vectors(
    rows: list[Row],
    tokens: list,
    hashes: list[str],
    encoder: Encoder,
    cache: TextCache,
    progress: bool,
) -> tuple[np.ndarray, int]:
    missing = [i for i, h in enumerate(hashes) if (encoder.model_id, h) not in cache.vectors]
    if missing:
        vecs = encoder.encode(
            [rows[i].text for i in missing], tokens=[tokens[i] for i in missing], progress=progress
        )
        for i, v in zip(missing, vecs, strict=True):
            cache.vectors[(encoder.model_id, hashes[i])] = v
    if not rows:
        return np.zeros((0, encoder.dim), np.float32), 0
    return np.stack([cache.vectors[(encoder.model_id, h)] for h in hashes]), len(missing)


def build_state(
    *,
    signature: str,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    segmenter: Segmenter,
    encoder: Encoder,
    cache: TextCache,
    ann_threshold: int,
    progress: bool = False,
    previous: IndexState | None = None,
) -> tuple[IndexState, int]:
    """The indexes for these rows, reusing cached tokens and vectors (and the ANN indexes of
    ``previous``, updated where rows changed); also how many texts were encoded. A society's
    document is its own text plus its member experts' texts; its vector is the normalised
    sum of its own and its members' vectors."""
    if previous is not None and previous.model_id != encoder.model_id:
        previous = None
    e_tokens, e_hashes = _tokens(experts, segmenter, cache)
    e_vecs, n_e = _vectors(experts, e_tokens, e_hashes, encoder, cache, progress)
    s_tokens, s_hashes = _tokens(societies, segmenter, cache)
    s_vecs, n_s = _vectors(societies, s_tokens, s_hashes, encoder, cache, progress)
    evidence, s_docs, s_vecs = society_evidence(
        experts=experts,
        societies=societies,
        memberships=memberships,
        e_tokens=e_tokens,
        s_tokens=s_tokens,
        e_vecs=e_vecs,
        s_vecs=s_vecs,
    )
    checksum = hashlib.sha1(
        repr((e_hashes, s_hashes, sorted(memberships.items()))).encode()
    ).hexdigest()
    state = IndexState(
        signature=signature,
        model_id=encoder.model_id,
        version=f"{encoder.model_id}|{checksum[:16]}",
        experts=_corpus(experts, e_tokens, e_vecs, ann_threshold, previous and previous.experts),
        societies=_corpus(
            societies, s_docs, s_vecs, ann_threshold, previous and previous.societies
        ),
        memberships=memberships,
        evidence=evidence,
        society_capacity={r.id: r.capacity for r in societies},
        external_ids={
            "expert": {r.id: r.external_id for r in experts},
            "society": {r.id: r.external_id for r in societies},
        },
        names={
            "expert": {r.id: r.name for r in experts},
            "society": {r.id: r.name for r in societies},
        },
        cache=cache,
    )
    return state, n_e + n_s


def society_evidence(
    *,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    e_tokens: list[list[str]],
    s_tokens: list[list[str]],
    e_vecs: np.ndarray,
    s_vecs: np.ndarray,
) -> tuple[SocietyEvidence, list[list[str]], np.ndarray]:
    """The society channels' matrices, each society's word document (its own tokens plus its
    members') and its vector (the normalised sum of its own and its members' vectors: the
    description counts as one more member)."""
    members: dict[int, list[int]] = {}
    for pos, row in enumerate(experts):
        for sid in memberships.get(row.id, ()):
            members.setdefault(sid, []).append(pos)
    e_chars = [char_bigrams(r.text) for r in experts]
    e_chars12 = [char_unigrams_bigrams(r.text) for r in experts]
    s_own_chars = [char_bigrams(r.text) for r in societies]
    s_docs, s_chars, s_chars12, s_rows = [], [], [], []
    s_vecs = np.array(s_vecs, np.float32, copy=True)
    for pos, row in enumerate(societies):
        rows = members.get(row.id, [])
        s_rows.append(rows)
        s_docs.append(s_tokens[pos] + [t for p in rows for t in e_tokens[p]])
        s_chars.append(s_own_chars[pos] + [t for p in rows for t in e_chars[p]])
        own12 = char_unigrams_bigrams(row.text)
        s_chars12.append(own12 + [t for p in rows for t in e_chars12[p]])
        if rows:
            s_vecs[pos] = s_vecs[pos] + e_vecs[rows].sum(axis=0)
    s_vecs = l2_normalize(s_vecs) if len(societies) else s_vecs
    evidence = SocietyEvidence.build(
        society_chars12=s_chars12,
        society_chars=s_chars,
        society_words=s_docs,
        expert_chars=e_chars,
        own_chars=s_own_chars,
        members=s_rows,
    )
    return evidence, s_docs, s_vecs


def _corpus(
    rows: list[Row],
    tokens: list,
    vectors: np.ndarray,
    ann_threshold: int,
    previous: Corpus | None,
) -> Corpus:
    return Corpus(
        ids=np.array([r.id for r in rows], dtype=np.int64),
        tokens=tokens,
        vectors=np.asarray(vectors, np.float32).reshape(len(rows), -1),
        cities=[r.city for r in rows],
        fit_texts=[r.fit_text for r in rows],
        ann_threshold=ann_threshold,
        previous=previous,
    )


def save_state(state: IndexState, index_dir: Path) -> None:
    """Atomically (temp file + rename, under a file lock)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / STATE_FILE
    with FileLock(str(path) + ".lock"):
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with tmp.open("wb") as fh:
            pickle.dump(state, fh, protocol=pickle.HIGHEST_PROTOCOL)
        faults.point("index:before_rename")
        os.replace(tmp, path)
    for old in index_dir.glob("engine_state.v*.pkl*"):  # layouts this version cannot read
        if not old.name.startswith(STATE_FILE):
            old.unlink(missing_ok=True)


def load_state(index_dir: Path) -> IndexState | None:
    """The saved state, or None when missing or unreadable (corrupt → rebuilt by the caller)."""
    path = index_dir / STATE_FILE
    if not path.is_file():
        return None
    try:
        with FileLock(str(path) + ".lock"), path.open("rb") as fh:
            state = pickle.load(fh)
    except Exception:  # truncated or corrupt file: rebuild
        return None
    return state if isinstance(state, IndexState) else None
