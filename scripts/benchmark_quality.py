"""Quality benchmark on CSL (5-fold CV) through the product path: import → index → match.

Papers of four folds are experts of the society of their discipline (67 societies, description =
discipline name); the held-out fold's abstracts, and separately its titles, are needs. Prints
society Acc@1 / Acc@3 / MRR and expert P@10, next to a char-bigram TF-IDF centroid baseline.

    .venv/bin/python scripts/benchmark_quality.py [--data PATH] [--folds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from ranx import Qrels, Run, evaluate

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "csl" / "dev.jsonl"


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def bigrams(text: str) -> list[str]:
    text = "".join(text.split())
    return [text[i : i + 2] for i in range(len(text) - 1)]


def baseline_run(docs: dict[str, str], queries: dict[str, str]) -> dict[str, dict[str, float]]:
    """Char-bigram TF-IDF, one document per society, cosine."""
    vocab: dict[str, int] = {}
    names = list(docs)

    def matrix(texts):
        rows, cols = [], []
        for i, t in enumerate(texts):
            for g in bigrams(t):
                j = vocab.get(g)
                if j is None and texts is doc_texts:
                    j = vocab.setdefault(g, len(vocab))
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))

    doc_texts = [docs[n] for n in names]
    d = matrix(doc_texts)
    idf = np.log((1 + d.shape[0]) / (1 + np.bincount(d.tocoo().col, minlength=d.shape[1]))) + 1
    q = matrix(list(queries.values()))

    def weigh(m):
        m = sp.csr_matrix(m.multiply(idf))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1))).ravel()
        return sp.diags(1 / np.maximum(norms, 1e-12)) @ m

    sims = (weigh(q) @ weigh(d).T).toarray()
    return {
        qid: {names[j]: float(row[j]) + 1e-9 for j in np.argsort(-row)[:67]}
        for qid, row in zip(queries, sims, strict=True)
    }


def product_runs(papers, train, test, kind, tmp: Path):
    """Import the fold into a fresh SQLite store, index, match; return (society run, expert run)."""
    os.environ["MATCHER_DATA_DIR"] = str(tmp)
    os.environ["MATCHER_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.db'}"
    from matcher.config import get_settings
    from matcher.db import open_store
    from matcher.imports.service import import_file
    from matcher.matching.service import MatchingRuntime, ensure_indexes, match_open_needs
    from matcher.models import TargetKind

    get_settings.cache_clear()
    settings = get_settings()
    disciplines = sorted({p["discipline"] for p in papers})
    soc_id = {d: f"S{i:03d}" for i, d in enumerate(disciplines)}
    files = {
        "societies": [
            {"external_id": soc_id[d], "name": d, "disciplines": d, "description": d}
            for d in disciplines
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
        "needs": [
            {"external_id": p["id"], "title": p["title"], "description": ""}
            if kind == "title"
            else {
                "external_id": p["id"],
                "title": p["abstract"][:40],
                "description": p["abstract"][40:],
            }
            for p in test
        ],
    }
    store = open_store(settings.sqlalchemy_url)
    with store.transaction() as s:
        for name, rows in files.items():
            import_file(
                session=s,
                actor=None,
                kind=name,
                filename=f"{name}.jsonl",
                path=write_jsonl(tmp / f"{name}.jsonl", rows),
            )
    runtime = MatchingRuntime.load(settings)
    runs = {}
    with store.transaction() as s:
        ensure_indexes(session=s, runtime=runtime)
        for target, k in ((TargetKind.SOCIETY, 67), (TargetKind.EXPERT, 10)):
            res = match_open_needs(
                session=s,
                runtime=runtime,
                target=target,
                top_k=k,
                need_external_ids=[p["id"] for p in test],
            )
            ext = runtime.state.external_ids[str(target)]
            runs[target] = {
                str(rows[0].need.external_id): {ext[r.target_id]: r.score + 2.0 for r in rows}
                for rows in res.values()
                if rows
            }
    store.dispose()
    return runs[TargetKind.SOCIETY], runs[TargetKind.EXPERT], soc_id


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    papers = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    order = np.random.default_rng(0).permutation(len(papers))
    folds = [order[i :: args.folds] for i in range(args.folds)]
    scores: dict[str, list[dict]] = defaultdict(list)
    t0 = time.time()
    for f, held in enumerate(folds):
        held_set = set(held.tolist())
        train = [p for i, p in enumerate(papers) if i not in held_set]
        test = [papers[i] for i in held]
        for kind in ("abstract", "title"):
            with tempfile.TemporaryDirectory() as tmp:
                soc_run, exp_run, soc_id = product_runs(papers, train, test, kind, Path(tmp))
            soc_qrels = Qrels({p["id"]: {soc_id[p["discipline"]]: 1} for p in test})
            by_disc = defaultdict(dict)
            for p in train:
                by_disc[p["discipline"]][p["id"]] = 1
            exp_truth = {
                p["id"]: by_disc[p["discipline"]] for p in test if by_disc[p["discipline"]]
            }
            m = evaluate(soc_qrels, Run(soc_run), ["hits@1", "hits@3", "mrr"])
            exp_sub = Run({q: exp_run[q] for q in exp_truth})
            m["P@10"] = evaluate(Qrels(exp_truth), exp_sub, "precision@10")
            docs = defaultdict(str)
            for p in train:
                docs[soc_id[p["discipline"]]] += " ".join(
                    [p["title"], *p["keywords"], p["abstract"]]
                )
            queries = {p["id"]: p["title"] if kind == "title" else p["abstract"] for p in test}
            b = evaluate(soc_qrels, Run(baseline_run(docs, queries)), ["hits@1", "hits@3", "mrr"])
            scores[f"product/{kind}"].append(m)
            scores[f"baseline/{kind}"].append(b)
            print(
                f"fold {f} {kind}: product Acc@1 {m['hits@1']:.3f} baseline {b['hits@1']:.3f}",
                flush=True,
            )
    print(f"\n{'system/query':22} {'Acc@1':>13} {'Acc@3':>13} {'MRR':>13} {'exp P@10':>13}")
    for name, rows in scores.items():
        cells = []
        for key in ("hits@1", "hits@3", "mrr", "P@10"):
            vals = [r[key] for r in rows if key in r]
            cells.append(f"{np.mean(vals):.3f}±{np.std(vals):.3f}" if vals else "-")
        print(f"{name:22} " + " ".join(f"{c:>13}" for c in cells))
    print(f"\n{time.time() - t0:.0f} s; {Counter(p['discipline'] for p in papers).most_common(1)}")


if __name__ == "__main__":
    main()
