"""Fitting the society fusion and the expert calibration on the store's own labelled data.

Every expert with exactly one society is a labelled example. The labelled experts are split
into folds; each fold's experts become pseudo-needs (their whole profile, and a short window
of it, as enterprises write both) ranked against a store built from the other experts only —
its own channels and, for the embedded model, its own word vectors — so nothing a pseudo-need
is scored by has seen it. Their channel z-scores and their right society fit the softmax
weights; a held-out share of them fits the calibration (``matcher.ranking.fusion``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from matcher.embeddings.encoders import Encoder, StaticVectors
from matcher.embeddings.static_fit import fit_static_counts
from matcher.matching.indexes import evidence_from_counts
from matcher.matching.profiles import Row
from matcher.matching.text_counts import TextCounts, embedding_counts_of
from matcher.ranking.config import RankingConfig
from matcher.ranking.evidence import SocietyEvidence
from matcher.ranking.fusion import ExpertCalibration, Fusion, design, fit_fusion
from matcher.text.ngrams import char_bigrams, char_unigrams_bigrams, embedding_tokens
from matcher.text.normalize import normalize
from matcher.text.segmenter import Segmenter

log = logging.getLogger(__name__)

MIN_LABELLED = 60
"""Below this many experts with exactly one society the store keeps the default recipe."""
MIN_SOCIETIES = 3
"""…and below this many societies with at least two such experts."""
FOLDS = 4
"""Folds of labelled experts for stores up to ``SMALL_STORE`` of them."""
SMALL_STORE = 4_000
MAX_PSEUDO_NEEDS = 2_000
"""Larger stores hold out one random sample of this many labelled experts."""
MAX_FIT_STORE = 30_000
"""…and build the fitting store from at most this many of the others."""
CALIBRATION_SHARE = 0.3
"""Share of pseudo-needs kept out of the weight fit to fit the calibration on."""
WINDOW = (12, 40)
"""Length range (characters) of the short pseudo-needs cut out of a profile."""
EXPERT_CANDIDATES = 20
QUERY_BLOCK = 512
"""Pseudo-needs scored together (bounds the experts × queries score matrices: 30,000 ×
4,000 float32 were two of 480 MB each)."""
NO_SERVED_WEIGHT = {"served": 0.0}
"""A fitted store gives the ``served`` prior no weight: a need served well is a member of its
society from the next index version (``profiles.served_rows``), and no form of the prior tried
on top (best match, kNN vote, z-scored, dense, served texts added to the society documents)
raised the later needs' Acc@1 on CSL beyond ±0.006, even with weights chosen in hindsight
(``scripts/benchmark_quality.py --feedback``). The ``declined`` prior keeps the hand-set
weight, rescaled like every feature pseudo-needs cannot show (``fusion.fit_fusion``): it
demotes a society only for near-duplicates of a need it declined, which CSL's distinct papers
never are, so a fit could not weigh it and the benchmark cannot move."""


@dataclass
class FitResult:
    fusion: Fusion
    experts: ExpertCalibration
    labelled: int


def labelled_count(experts: list[Row], memberships: dict[int, list[int]]) -> int:
    return sum(len(memberships.get(r.id, ())) == 1 for r in experts)


def fit_store_fusion(
    *,
    experts: list[Row],
    societies: list[Row],
    memberships: dict[int, list[int]],
    e_tokens: list[list[str]],
    s_tokens: list[list[str]],
    segmenter: Segmenter,
    encoder: Encoder | None,
    embedded: bool,
    cfg: RankingConfig,
    seed: int = 0,
) -> FitResult:
    """Fitted weights and calibrations, or the defaults when the store is too small."""
    defaults = Fusion.default(cfg)
    sid_row = {r.id: i for i, r in enumerate(societies)}
    label = np.array(
        [sid_row.get(m[0], -1) if len(m := memberships.get(r.id, ())) == 1 else -1 for r in experts]
    )
    labelled = np.flatnonzero(label >= 0)
    per_society = np.bincount(label[labelled], minlength=len(societies))
    if len(labelled) < MIN_LABELLED or (per_society >= 2).sum() < MIN_SOCIETIES:
        return FitResult(defaults, ExpertCalibration(), len(labelled))
    rng = np.random.default_rng(seed)
    order = rng.permutation(labelled)
    if len(labelled) <= SMALL_STORE:
        held_sets = [order[k::FOLDS] for k in range(FOLDS)]
    else:
        held_sets = [order[:MAX_PSEUDO_NEEDS]]
    feats, truth, e_fused, e_right = [], [], [], []
    for held in held_sets:
        rest = np.setdiff1d(np.arange(len(experts)), held)
        if len(rest) > MAX_FIT_STORE:
            rest = np.sort(rng.choice(rest, MAX_FIT_STORE, replace=False))
        texts = [experts[i].text for i in held]
        texts += [_window(t, rng) for t in texts]
        q_tokens = [e_tokens[i] for i in held] + segmenter.tokens_many(texts[len(held) :])
        f, ef, er = _pseudo_need_features(
            store=[experts[i] for i in rest],
            store_tokens=[e_tokens[i] for i in rest],
            store_labels=label[rest],
            societies=societies,
            s_tokens=s_tokens,
            memberships=memberships,
            queries=texts,
            q_tokens=q_tokens,
            q_cities=[experts[i].city for i in held] * 2,
            encoder=encoder,
            embedded=embedded,
            cfg=cfg,
        )
        feats.append(f)
        truth.append(np.concatenate([label[held], label[held]]))
        e_fused.append(ef)
        e_right.append(er == np.concatenate([label[held], label[held]])[:, None])
    features = np.concatenate(feats, axis=1)
    truth_all = np.concatenate(truth)
    calibrate_on = rng.random(len(truth_all)) < CALIBRATION_SHARE
    fusion = fit_fusion(
        features,
        truth_all,
        defaults=defaults,
        calibrate_on=calibrate_on,
        encoder=encoder.model_id if encoder is not None else "",
    )
    fusion.weights |= NO_SERVED_WEIGHT
    experts_cal = ExpertCalibration.fit(
        np.concatenate([x.ravel() for x in e_fused]), np.concatenate([x.ravel() for x in e_right])
    )
    log.info("fusion fitted on %d pseudo-needs: %s", len(truth_all), fusion.weights)
    return FitResult(fusion, experts_cal, len(labelled))


def _window(text: str, rng: np.random.Generator) -> str:
    """A random run of 12–40 characters of ``text``: a need of a few words."""
    text = "".join(normalize(text).split())
    n = int(rng.integers(WINDOW[0], WINDOW[1] + 1))
    if len(text) <= n:
        return text
    start = int(rng.integers(0, len(text) - n))
    return text[start : start + n]


def _pseudo_need_features(
    *,
    store: list[Row],
    store_tokens: list[list[str]],
    store_labels: np.ndarray,
    societies: list[Row],
    s_tokens: list[list[str]],
    memberships: dict[int, list[int]],
    queries: list[str],
    q_tokens: list[list[str]],
    q_cities: list[str | None],
    encoder: Encoder,
    embedded: bool,
    cfg: RankingConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Society features (societies × queries × features) of the pseudo-needs against a
    store of ``store`` experts only; per query, the expert fusion of its top expert
    candidates with their society rows (for the expert calibration)."""
    text_counts = TextCounts.count(
        e_texts=[r.text for r in store],
        s_texts=[r.text for r in societies],
        e_tokens=store_tokens,
        s_tokens=s_tokens,
    )
    if embedded:  # the embedded model of this store, as the index would fit it
        counts, words = embedding_counts_of(text_counts)
        labels = [str(x) if x >= 0 else None for x in store_labels]
        labels += [str(i) for i in range(len(societies))]
        vocab, weights = fit_static_counts(counts, words, labels=labels, seed=0)
        model = StaticVectors(vocab, weights)
        vecs = model.encode_counts(counts, words)
        del counts, words
        e_vecs, s_vecs = vecs[: len(store)], vecs[len(store) :]
        q_vecs = model.encode_tokens(
            [embedding_tokens(t, q) for t, q in zip(q_tokens, queries, strict=True)]
        )
    else:  # a pretrained encoder never saw the store
        e_vecs = encoder.encode([r.text for r in store], tokens=store_tokens)
        s_vecs = encoder.encode([r.text for r in societies], tokens=s_tokens)
        q_vecs = encoder.encode(queries, kind="query", tokens=q_tokens)
    kept = {r.id for r in store}
    evidence, _, s_vecs = evidence_from_counts(
        counts=text_counts,
        experts=store,
        societies=societies,
        memberships={k: v for k, v in memberships.items() if k in kept},
        e_vecs=e_vecs,
        s_vecs=s_vecs,
    )
    soc_city = np.array([normalize(r.city) if r.city else "" for r in societies])
    parts = [
        _score_block(
            evidence=evidence,
            e_vecs=e_vecs,
            s_vecs=s_vecs,
            store_labels=store_labels,
            soc_city=soc_city,
            queries=queries[i : i + QUERY_BLOCK],
            q_tokens=q_tokens[i : i + QUERY_BLOCK],
            q_vecs=q_vecs[i : i + QUERY_BLOCK],
            q_cities=q_cities[i : i + QUERY_BLOCK],
            cfg=cfg,
        )
        for i in range(0, len(queries), QUERY_BLOCK)
    ]
    features, fused, top_labels = zip(*parts, strict=True)
    return np.concatenate(features, axis=1), np.concatenate(fused), np.concatenate(top_labels)


def _score_block(
    *,
    evidence: SocietyEvidence,
    e_vecs: np.ndarray,
    s_vecs: np.ndarray,
    store_labels: np.ndarray,
    soc_city: np.ndarray,
    queries: list[str],
    q_tokens: list[list[str]],
    q_vecs: np.ndarray,
    q_cities: list[str | None],
    cfg: RankingConfig,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``_pseudo_need_features`` of a block of queries (each query's features depend on it
    alone: blocks bound the experts × queries score matrices)."""
    expert_dense = e_vecs @ q_vecs.T
    query_char = evidence.query_char([char_bigrams(q) for q in queries])
    raw = evidence.channels(
        query_chars12=[char_unigrams_bigrams(q) for q in queries],
        query_char=query_char,
        query_words=q_tokens,
        query_vectors=q_vecs,
        society_vectors=s_vecs,
        expert_dense=expert_dense,
        expert_char=evidence.expert_char(query_char),
        top_m=cfg.society_top_m,
    )
    city = np.stack(
        [
            (soc_city == normalize(c)) & (soc_city != "") if c else np.zeros(len(soc_city), bool)
            for c in q_cities
        ],
        axis=1,
    )
    features = design(raw, {"city": city.astype(np.float64)})
    k = min(EXPERT_CANDIDATES, len(e_vecs))
    by_query = np.ascontiguousarray(expert_dense.T)  # each query's scores in one run
    top = np.argpartition(-by_query, k - 1, axis=1)[:, :k]  # queries × k
    fused = cfg.dense_weight * np.take_along_axis(by_query, top, axis=1)
    return features, fused, store_labels[top]
