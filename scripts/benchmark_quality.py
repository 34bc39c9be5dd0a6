"""Quality benchmark on CSL, nested 5-fold CV through the product path: import → index → match.

Papers of four folds are experts of the society of their discipline (67 societies, description =
discipline name); the held-out fold's papers are needs, once as the full paper (title +
abstract) and once as the title alone. Everything the product fits (fusion weights, calibration,
embedded model) is fitted at index time on that fold's store only, never on its needs.

With ``--hints``, two more title-only runs measure the stated 学科分类 prior: half of the needs
state their discipline (one in ten of those a wrong one), or half state their category (门类,
which each society lists among its disciplines).

With ``--feedback``, the first half of each fold's held-out papers is served (the right society
completes the full-text need rated 5; a wrong first-ranked society answers "not suitable") and
the second half is ranked again, once the index has taken the outcomes in (the served needs
become members of their society): Acc@1 / MRR on it with and without those outcomes. For scale,
it also prints what the served needs are worth as data: the second half ranked against a store
where they are members of their right society (one more expert each, everything refitted), and
what two other learners fitted on the served half alone give there (a bias per society; the
fusion weights refitted on real needs), their ridge chosen by cross-validation on that half.

Compared with the strongest simple baseline: one document per society (description plus every
member profile), character 1–2-grams with whitespace removed, sublinear tf, IDF over the society
documents, L2-normalised, cosine. Prints society Acc@1 / Acc@3 / MRR and expert P@10, mean ± std
over folds, the paired per-fold difference, and how well the 0–100 scores are calibrated.

    .venv/bin/python scripts/benchmark_quality.py [--data PATH] [--folds 5] [--limit N] [--hints]
        [--feedback]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from ranx import Qrels, Run, evaluate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "csl" / "dev.jsonl"
KINDS = ("full", "title")
HINT_KINDS = ("disc", "cat")
METRICS = ["hits@1", "hits@3", "mrr"]
"""What every ranking is scored on (Acc@1, Acc@3, MRR)."""
OTHER_LEARNERS = {
    "served as members": "the served needs as members of their society instead (all refitted):",
    "society bias": "a bias per society fitted on the served half instead:",
    "refitted weights": "the fusion weights refitted on the served half instead:",
}
"""What else the outcomes could teach, printed against the same later half."""


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def grams12(text: str) -> list[str]:
    text = "".join(text.split())
    return list(text) + [text[i : i + 2] for i in range(len(text) - 1)]


def baseline_run(docs: dict[str, str], queries: dict[str, str]) -> dict[str, dict[str, float]]:
    """Character 1–2-grams, sublinear tf, IDF over society documents, L2, cosine."""
    names = list(docs)
    vocab: dict[str, int] = {}
    for name in names:
        for g in grams12(docs[name]):
            vocab.setdefault(g, len(vocab))

    def counts(texts: list[str]) -> sp.csr_matrix:
        rows, cols = [], []
        for i, t in enumerate(texts):
            for g in grams12(t):
                if (j := vocab.get(g)) is not None:
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
        m.sum_duplicates()
        m.data = 1 + np.log(m.data)
        return m

    d = counts([docs[n] for n in names])
    idf = np.log((1 + d.shape[0]) / (1 + np.bincount(d.indices, minlength=d.shape[1]))) + 1

    def weigh(m: sp.csr_matrix) -> sp.csr_matrix:
        m = sp.csr_matrix(m.multiply(idf))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
        return sp.diags(1 / np.maximum(norms, 1e-12)) @ m

    sims = (weigh(counts(list(queries.values()))) @ weigh(d).T).toarray()
    return {
        qid: {names[j]: float(row[j]) + 1e-9 for j in np.argsort(-row)[: len(names)]}
        for qid, row in zip(queries, sims, strict=True)
    }


def need_rows(test: list[dict], disciplines: list[str], hints: bool) -> list[dict]:
    """Each test paper as needs: full text, title, and (``hints``) title + a stated hint."""
    rng = np.random.default_rng(1)
    rows = []
    for p in test:
        rows.append(
            {"external_id": f"{p['id']}:full", "title": p["title"], "description": p["abstract"]}
        )
        rows.append({"external_id": f"{p['id']}:title", "title": p["title"], "description": ""})
        if hints:
            stated = p["discipline"] if rng.random() >= 0.1 else str(rng.choice(disciplines))
            for kind, hint in (("disc", stated), ("cat", p["category"])):
                row = {"external_id": f"{p['id']}:{kind}", "title": p["title"], "description": ""}
                rows.append(row | ({"discipline": hint} if rng.random() < 0.5 else {}))
    return rows


def product_runs(
    train: list[dict],
    test: list[dict],
    soc_id: dict[str, str],
    cats: dict[str, str],
    tmp: Path,
    hints: bool,
    feedback: bool = False,
):
    """One fresh SQLite store of the training papers; rank both need kinds against it."""
    os.environ["MATCHER_DATA_DIR"] = str(tmp)
    os.environ["MATCHER_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from matcher.auth.actors import SYSTEM_CLI
    from matcher.config import get_settings
    from matcher.db import open_store
    from matcher.imports.service import import_file
    from matcher.matching.service import MatchingRuntime, ensure_indexes, match_open_needs
    from matcher.models import TargetKind

    get_settings.cache_clear()
    settings = get_settings()
    files = {
        "societies": [
            {"external_id": s, "name": d, "disciplines": f"{d};{cats[d]}", "description": d}
            for d, s in soc_id.items()
        ],
        "experts": [
            {
                "external_id": p["id"],
                "name": p["id"],
                "society_external_id": soc_id[p["discipline"]],
                "research_areas": ";".join(p["keywords"]),
                "profile": " ".join([p["title"], *p["keywords"], p["abstract"]]),
            }
            for p in train
        ],
        "needs": need_rows(test, sorted(soc_id), hints),
    }
    store = open_store(settings.sqlalchemy_url)
    with store.transaction() as s:
        for name, rows in files.items():
            path = write_jsonl(tmp / f"{name}.jsonl", rows)
            import_file(session=s, actor=SYSTEM_CLI, kind=name, filename=path.name, path=path)
    runtime = MatchingRuntime.load(settings)
    runs: dict = {}
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
        fusion = runtime.state.fusion
        for target, k in ((TargetKind.SOCIETY, len(soc_id)), (TargetKind.EXPERT, 10)):
            res = match_open_needs(
                session=s, runtime=runtime, target=target, top_k=k, actor=SYSTEM_CLI
            )
            collect(runs, res, runtime.state.external_ids[str(target)], target)
        if feedback:
            served = simulate_outcomes(s, runtime, runs, test, soc_id)
            ensure_indexes(session=s, runtime=runtime)  # as the background refresher does
            later = [f"{p['id']}:{k}" for p in test if p["id"] not in served for k in KINDS]
            res = match_open_needs(
                session=s,
                runtime=runtime,
                target=TargetKind.SOCIETY,
                top_k=len(soc_id),
                need_external_ids=later,
                actor=SYSTEM_CLI,
            )
            collect(runs, res, runtime.state.external_ids["society"], TargetKind.SOCIETY, "+fb")
    store.dispose()
    return runs, fusion


def collect(runs: dict, res: dict, ext: dict, target, suffix: str = "") -> None:
    """Add stored results to ``runs[(target, kind + suffix)][paper id]``."""
    for rows in res.values():
        if rows:
            qid, kind = rows[0].need.external_id.rsplit(":", 1)
            runs.setdefault((target, kind + suffix), {})[qid] = {
                ext[r.target_id]: (r.score, -r.rank, r.components) for r in rows
            }


def simulate_outcomes(session, runtime, runs: dict, test: list[dict], soc_id) -> set[str]:
    """The first half of the held-out papers were served: the right society completed the
    full-text need with rating 5, and a wrong first-ranked society answered "not suitable".
    Returns the served paper ids (the second half is then ranked again and evaluated)."""
    from sqlalchemy import select

    from matcher.models import (
        Assignment,
        AssignmentStatus,
        Enterprise,
        LeadResponse,
        LeadResponseStatus,
        TargetKind,
        TechNeed,
    )

    served = {p["id"] for p in test[: len(test) // 2]}
    ent = Enterprise(external_id="E-BENCH", name="基准企业")
    session.add(ent)
    session.flush()
    needs = {n.external_id: n.id for n in session.scalars(select(TechNeed))}
    row = {e: i for i, e in runtime.state.external_ids["society"].items()}
    for p in test:
        if p["id"] not in served:
            continue
        need, right = needs[f"{p['id']}:full"], soc_id[p["discipline"]]
        session.add(
            Assignment(
                society_id=row[right],
                enterprise_id=ent.id,
                need_id=need,
                status=AssignmentStatus.COMPLETED,
                rating=5,
            )
        )
        ranked = runs[(TargetKind.SOCIETY, "full")][p["id"]]
        top = max(ranked, key=lambda t: ranked[t][1])
        if top != right:
            session.add(
                LeadResponse(
                    need_id=need, society_id=row[top], status=LeadResponseStatus.NOT_SUITABLE
                )
            )
    session.flush()
    return served


def served_as_members(train, test, soc_id, cats) -> dict[str, dict]:
    """Acc@1 / MRR of the later half against a store where each served paper (its need's
    title + abstract) is one more member of its right society: what the outcomes are worth
    as plain data, with every fit redone on it."""
    from matcher.models import TargetKind

    served, later = test[: len(test) // 2], test[len(test) // 2 :]
    extra = [p | {"id": f"{p['id']}-served", "keywords": []} for p in served]
    with tempfile.TemporaryDirectory() as tmp:
        runs, _ = product_runs(train + extra, later, soc_id, cats, Path(tmp), False)
    qrels = Qrels({p["id"]: {soc_id[p["discipline"]]: 1} for p in later})
    return {k: evaluate(qrels, ranx_run(runs[(TargetKind.SOCIETY, k)]), METRICS) for k in KINDS}


L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
"""Ridge penalties the outcome learners choose from, by cross-validation on the served half."""


def outcome_learners(runs: dict, fusion, test, soc_id) -> dict[str, dict[str, dict]]:
    """Two other things the served half could teach, each fitted on it alone (its full-text
    needs, features as ranked before any outcome) and scored on the later half: a bias per
    society (are some societies ranked first too often?) and the fusion weights refitted,
    shrunk towards the store's (do real needs weigh the channels differently?). The ridge
    is chosen by 5-fold cross-validation on the served half."""
    from matcher.models import TargetKind
    from matcher.ranking.fusion import FEATURES

    socs = sorted(soc_id.values())
    half = len(test) // 2
    right = {p["id"]: socs.index(soc_id[p["discipline"]]) for p in test}
    served, later = [p["id"] for p in test[:half]], [p["id"] for p in test[half:]]
    w = np.array([fusion.weights.get(f, 0.0) for f in FEATURES])
    fit_x = with_societies(features_of(runs[(TargetKind.SOCIETY, "full")], served, socs))
    fit_y = np.array([right[q] for q in served])
    w0 = np.r_[w, np.zeros(len(socs))]
    free = {
        "society bias": np.arange(len(w0)) >= len(w),
        "refitted weights": np.arange(len(w0)) < len(w),
    }
    out: dict[str, dict[str, dict]] = {}
    for name, mask in free.items():
        l2 = max(L2_GRID, key=lambda c: cv_loglik(fit_x, fit_y, w0, mask, c))
        fitted = fit_towards(fit_x, fit_y, w0, mask, l2)
        for kind in KINDS:
            x = with_societies(features_of(runs[(TargetKind.SOCIETY, kind)], later, socs))
            ranked = {
                q: {t: (0.0, float(v)) for t, v in zip(socs, x[:, j] @ fitted, strict=True)}
                for j, q in enumerate(later)
            }
            truth = Qrels({q: {socs[right[q]]: 1} for q in later})
            out.setdefault(kind, {})[name] = evaluate(truth, ranx_run(ranked), METRICS)
    return out


def features_of(run: dict, qids: list[str], socs: list[str]) -> np.ndarray:
    """The fusion's design tensor (societies × needs × features) from the stored components."""
    from matcher.ranking.fusion import CHANNEL_FEATURES, PRIOR_FEATURES, design

    raw = {c: np.zeros((len(socs), len(qids))) for c in CHANNEL_FEATURES + PRIOR_FEATURES}
    for j, q in enumerate(qids):
        for s, (*_, comp) in run[q].items():
            for c, m in raw.items():
                m[socs.index(s), j] = comp.get(c, 0.0)
    return design({c: raw[c] for c in CHANNEL_FEATURES}, {p: raw[p] for p in PRIOR_FEATURES})


def with_societies(x: np.ndarray) -> np.ndarray:
    """``x`` plus one indicator feature per society (what a per-society bias weighs)."""
    n_s, n_q, _ = x.shape
    eye = np.broadcast_to(np.eye(n_s)[:, None, :], (n_s, n_q, n_s))
    return np.concatenate([x, eye], axis=2)


def fit_towards(x: np.ndarray, truth: np.ndarray, w0: np.ndarray, free: np.ndarray, l2: float):
    """Softmax weights maximising the likelihood of ``truth``, only ``free`` ones moving
    from ``w0``, with a ridge ``l2`` on the move (``fit_weights`` over ``w0``'s scores)."""
    from matcher.ranking.fusion import fit_weights

    w = w0.copy()
    w[free] += fit_weights(x[..., free], truth, l2, base=x @ w0)
    return w


def cv_loglik(x: np.ndarray, truth: np.ndarray, w0, free, l2: float, k: int = 5) -> float:
    """Mean held-out log-likelihood of ``fit_towards`` over ``k`` folds of the needs."""
    total = 0.0
    for part in range(k):
        held = np.arange(len(truth)) % k == part
        s = x[:, held] @ fit_towards(x[:, ~held], truth[~held], w0, free, l2)
        s = s - s.max(axis=0)
        total += (s[truth[held], np.arange(held.sum())] - np.log(np.exp(s).sum(axis=0))).sum()
    return total / len(truth)


def ranx_run(run: dict) -> Run:
    """Order by rank (scores may tie after calibration; ranx needs distinct values)."""
    return Run({q: {t: 1000.0 + v[1] for t, v in r.items()} for q, r in run.items()})


def calibration(run: dict, truth: dict[str, str]) -> dict[str, float]:
    """Expected calibration error and Brier score of the top-1 score / 100, and the
    accuracy and share of needs whose top score is below 20."""
    top = []
    for q, r in run.items():
        target, (score, *_) = max(r.items(), key=lambda kv: kv[1][1])
        top.append((score / 100, float(target == truth[q])))
    p, y = np.array(top).T
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(
        abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).mean()
        for b in range(10)
        if (bins == b).any()
    )
    low = p < 0.2
    return {
        "ECE": float(ece),
        "Brier": float(((p - y) ** 2).mean()),
        "low<20": float(low.mean()),
        "acc low": float(y[low].mean()) if low.any() else float("nan"),
        "acc rest": float(y[~low].mean()) if (~low).any() else float("nan"),
    }


def paired(kind: str, ours: list[dict], theirs: list[dict]) -> None:
    """Print the per-fold Acc@1 and MRR differences, mean ± std and the worst fold."""
    d1 = np.array([a["hits@1"] - b["hits@1"] for a, b in zip(ours, theirs, strict=True)])
    dm = np.array([a["mrr"] - b["mrr"] for a, b in zip(ours, theirs, strict=True)])
    print(
        f"  {kind:6} Acc@1 {d1.mean():+.3f}±{d1.std():.3f} "
        f"(folds {' '.join(f'{x:+.3f}' for x in d1)}; min {d1.min():+.3f})  "
        f"MRR {dm.mean():+.3f}±{dm.std():.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--hints", action="store_true", help="also measure stated discipline hints")
    ap.add_argument(
        "--feedback", action="store_true", help="also measure learning from simulated outcomes"
    )
    ap.add_argument(
        "--limit", type=int, default=0, help="quick runs: only the first N papers (0 = all)"
    )
    args = ap.parse_args()
    kinds = KINDS + (HINT_KINDS if args.hints else ())
    papers = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    papers = papers[: args.limit or None]
    soc_id = {d: f"S{i:03d}" for i, d in enumerate(sorted({p["discipline"] for p in papers}))}
    cats = {p["discipline"]: p["category"] for p in papers}
    order = np.random.default_rng(0).permutation(len(papers))
    folds = [order[i :: args.folds] for i in range(args.folds)]
    scores: dict[str, list[dict]] = defaultdict(list)
    t0 = time.time()
    for f, held in enumerate(folds):
        held_set = set(held.tolist())
        train = [p for i, p in enumerate(papers) if i not in held_set]
        test = [papers[i] for i in held]
        with tempfile.TemporaryDirectory() as tmp:
            runs, fusion = product_runs(
                train, test, soc_id, cats, Path(tmp), args.hints, args.feedback
            )
        if args.feedback:
            bound = served_as_members(train, test, soc_id, cats)
            learned = outcome_learners(runs, fusion, test, soc_id)
        print(
            f"fold {f} fitted weights ({fusion.source}, {fusion.trained_on} pseudo-needs): "
            + ", ".join(f"{k} {v:+.2f}" for k, v in fusion.weights.items())
            + f"; outcome thresholds {fusion.outcome_thresholds}",
            flush=True,
        )
        truth = {p["id"]: soc_id[p["discipline"]] for p in test}
        qrels = Qrels({q: {s: 1} for q, s in truth.items()})
        by_soc = defaultdict(dict)
        for p in train:
            by_soc[soc_id[p["discipline"]]][p["id"]] = 1
        exp_truth = {q: by_soc[s] for q, s in truth.items() if by_soc[s]}
        docs = defaultdict(str)
        for d, s in soc_id.items():
            docs[s] = f"{d} {d} {cats[d]} {d}"  # name, disciplines, description
        for p in train:
            docs[soc_id[p["discipline"]]] += " " + " ".join(
                [p["title"], *p["keywords"], p["abstract"]]
            )
        for kind in kinds:
            from matcher.models import TargetKind

            soc = runs[(TargetKind.SOCIETY, kind)]
            m = evaluate(qrels, ranx_run(soc), METRICS)
            exp = runs[(TargetKind.EXPERT, kind)]
            m["P@10"] = evaluate(
                Qrels(exp_truth), ranx_run({q: exp[q] for q in exp_truth}), "precision@10"
            )
            m |= calibration(soc, truth)
            queries = {
                p["id"]: p["title"] + " " + p["abstract"] if kind == "full" else p["title"]
                for p in test
            }  # hints: the baseline reads the title alone
            b = evaluate(qrels, Run(baseline_run(dict(docs), queries)), METRICS)
            scores[f"product/{kind}"].append(m)
            scores[f"baseline/{kind}"].append(b)
            if args.feedback and kind in KINDS:  # the later half, without and with outcomes
                later = Qrels({q: {truth[q]: 1} for q in runs[(TargetKind.SOCIETY, kind + "+fb")]})
                for name, run in (("", soc), ("+fb", runs[(TargetKind.SOCIETY, kind + "+fb")])):
                    sub = ranx_run({q: run[q] for q in later.qrels})
                    got = evaluate(later, sub, METRICS)
                    scores[f"later half/{kind}{name}"].append(got)
                scores[f"later half/{kind}+served as members"].append(bound[kind])
                for name, got in learned[kind].items():
                    scores[f"later half/{kind}+{name}"].append(got)
            print(
                f"fold {f} {kind}: product Acc@1 {m['hits@1']:.3f} baseline {b['hits@1']:.3f}"
                f" (ECE {m['ECE']:.3f})",
                flush=True,
            )
    keys = ("hits@1", "hits@3", "mrr", "P@10")
    width = max(map(len, scores))
    print(
        f"\n{'system/needs':{width}} "
        + " ".join(f"{k:>13}" for k in ("Acc@1", "Acc@3", "MRR", "exp P@10"))
    )
    for name, rows in scores.items():
        cells = []
        for key in keys:
            vals = [r[key] for r in rows if key in r]
            cells.append(f"{np.mean(vals):.3f}±{np.std(vals):.3f}" if vals else "-")
        print(f"{name:{width}} " + " ".join(f"{c:>13}" for c in cells))
    print("\npaired per-fold difference, product − baseline (Acc@1 / MRR):")
    for kind in kinds:
        paired(kind, scores[f"product/{kind}"], scores[f"baseline/{kind}"])
    if args.hints:
        print("\ngain of a stated hint on title needs, product with − without (same folds):")
        for kind in HINT_KINDS:
            paired(kind, scores[f"product/{kind}"], scores["product/title"])
    if args.feedback:
        print("\nlearning from outcomes, later half of the held-out needs, with − without:")
        for kind in KINDS:
            paired(kind, scores[f"later half/{kind}+fb"], scores[f"later half/{kind}"])
        for name, title in OTHER_LEARNERS.items():
            print(title)
            for kind in KINDS:
                paired(kind, scores[f"later half/{kind}+{name}"], scores[f"later half/{kind}"])
    print("\ncalibration of the top society's 0–100 score (mean over folds):")
    for kind in kinds:
        rows = scores[f"product/{kind}"]
        print(
            f"  {kind:6} "
            + "  ".join(
                f"{k} {np.nanmean([r[k] for r in rows]):.3f}"
                for k in ("ECE", "Brier", "low<20", "acc low", "acc rest")
            )
        )
    print(f"\n{time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
