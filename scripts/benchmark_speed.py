"""Speed benchmark through the product path, on realistic text.

Profiles are recombined from the CSL benchmark papers (never copied into the project): an
expert is three sentences of abstracts plus three author keywords, in the society of the
first sentence's discipline (67 societies); a need is a paper title plus one sentence. The
store is built as users build it — ``matcher import`` (CLI), ``matcher index`` from scratch
(embedded fit on every row, fusion fit, all of it) — then timed: load and save of the saved
version, refresh after one edited profile (the first after that load, then the next, then one
as a serving process makes it: probed before it serves, ``runtime.probe``; and the first
society request after it, unprobed and probed), bulk matching of the needs against experts
and societies, one need p50/p95, ``matcher match --need ID`` as a fresh process, peak RSS,
ANN recall@10 against exact on held-out need vectors. Ratios are against baselines run here:
numpy brute force for the dense search, plain jieba for segmentation. Last, an API replica as
a multi-process deployment runs one (``matcher serve --no-ui``, following the versions the
index job saves): its start-up, matching needs through ``POST /needs/match``, its peak RSS.
The index job's peak anonymous memory is printed beside its peak RSS (which counts the pages
of its mapped scratch files, ``matcher.scratch``, that the kernel writes out and drops under
a limit); ``--memory-limit GIB`` builds it inside a memory cgroup with that hard limit, as a
container would run it.

    .venv/bin/python scripts/benchmark_speed.py                       # 100k experts, 10k needs
    .venv/bin/python scripts/benchmark_speed.py --experts 20000 --needs 2000
    .venv/bin/python scripts/benchmark_speed.py --experts 1000000 --memory-limit 4  # IVF-PQ, 4 GiB
    .venv/bin/python scripts/benchmark_speed.py --synthetic           # the old toy vocabulary
    .venv/bin/python scripts/benchmark_speed.py --database-url postgresql://…/empty_db
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CSL = REPO.parent / "shared" / "benchmarks" / "csl" / "dev.jsonl"
CITIES = ["郑州", "洛阳", "开封", "新乡", "南阳", "许昌", "焦作", "安阳"]
SYNTHETIC_WORDS = (
    "数控 机床 主轴 精度 轴承 齿轮 催化剂 加氢 精馏 分离 水库 大坝 渗流 灌溉 节水 传感器 "
    "芯片 算法 图像 识别 电池 储能 光伏 风电 材料 复合 涂层 焊接 铸造 热处理"
)
FILE_ROWS = 100_000
"""Rows per imported experts file (an import takes at most 200,000 rows)."""
TARGETS = {
    "index from scratch (s)": 60,
    "refresh after one edit (s)": 2,  # the first after the version was loaded
    "refresh after one edit, the next one (s)": 2,
    "bulk needs vs experts (s)": 20,
    "bulk needs vs societies (s)": 30,
    "one need vs experts p95 (ms)": 5,
    "one need vs societies p95 (ms)": 10,
    "matcher match --need, fresh process (s)": 3,
    "peak RSS (GiB)": 3,
    "API replica: peak RSS (GiB)": 4,  # (the 1,000,000-expert budget, item 8 of issue 11)
}


def corpus(path: Path) -> tuple[list[tuple[str, str]], list[str], list[str], list[str]]:
    """(sentence, discipline) pairs, keywords, titles, disciplines of the CSL papers."""
    sentences, keywords, titles = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        paper = json.loads(line)
        for s in re.split(r"[。；;!?！？]|\.(?!\d)", paper["abstract"]):
            if len(s.strip()) >= 8:
                sentences.append((s.strip(), paper["discipline"]))
        keywords += paper["keywords"]
        titles.append(paper["title"])
    return sentences, keywords, titles, sorted({d for _, d in sentences})


def realistic(n_experts: int, n_needs: int, rng: np.random.Generator, synthetic: bool):
    if synthetic:
        return synthetic_rows(n_experts, n_needs, rng)
    sentences, keywords, titles, disciplines = corpus(CSL)
    soc = {d: f"S{i:03d}" for i, d in enumerate(disciplines)}
    societies = [
        {"external_id": s, "name": f"河南省{d}学会", "disciplines": [d], "description": d}
        for d, s in soc.items()
    ]
    experts = []
    for i in range(n_experts):
        picks = rng.integers(0, len(sentences), 3)
        first = sentences[picks[0]][1]
        experts.append(
            {
                "external_id": f"X{i:07d}",
                "name": f"专家{i}",
                "society_external_id": soc[first],
                "city": CITIES[i % len(CITIES)],
                "research_areas": [keywords[k] for k in rng.integers(0, len(keywords), 3)],
                "profile": "。".join(sentences[p][0] for p in picks) + "。",
            }
        )
    needs = [
        {
            "external_id": f"N{i:06d}",
            "enterprise_external_id": "E001",
            "title": titles[rng.integers(0, len(titles))][:200],
            "description": sentences[rng.integers(0, len(sentences))][0],
        }
        for i in range(n_needs)
    ]
    return societies, experts, needs


def synthetic_rows(n_experts: int, n_needs: int, rng: np.random.Generator):
    words = SYNTHETIC_WORDS.split()
    societies = [
        {"external_id": f"S{i:03d}", "name": f"学会{i}", "disciplines": [w], "description": w}
        for i, w in enumerate(words)
    ]
    experts = [
        {
            "external_id": f"X{i:07d}",
            "name": f"专家{i}",
            "society_external_id": f"S{i % len(words):03d}",
            "research_areas": list(rng.choice(words, 2)),
            "profile": "，".join("".join(rng.choice(words, 3)) + "技术研究" for _ in range(4)),
        }
        for i in range(n_experts)
    ]
    needs = [
        {
            "external_id": f"N{i:06d}",
            "enterprise_external_id": "E001",
            "title": "".join(rng.choice(words, 2)) + "难题",
            "description": "".join(rng.choice(words, 4)) + "需要攻关",
        }
        for i in range(n_needs)
    ]
    return societies, experts, needs


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def split_jsonl(stem: Path, rows: list[dict]) -> list[Path]:
    """``rows`` in files of at most ``FILE_ROWS`` rows, as staff split a big sheet to import it."""
    return [
        write_jsonl(stem.with_name(f"{stem.name}-{i // FILE_ROWS}.jsonl"), rows[i : i + FILE_ROWS])
        for i in range(0, len(rows), FILE_ROWS)
    ]


def cli(env: dict, *args: str, limit: MemoryLimit | None = None) -> tuple[float, str, float]:
    """Wall seconds, output and peak RSS (GiB) of ``matcher ARGS`` as a fresh process (in
    ``limit``'s control group when given; ``peaks`` keeps its memory's other peaks)."""
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", *args], env=env, cwd=REPO, stdout=out,
            stderr=out, preexec_fn=limit.enter if limit else None,
        )  # fmt: skip
        peak = anon = 0
        while proc.poll() is None:
            peak = max(peak, status_kib(proc.pid, "VmHWM"))
            anon = max(anon, sum(status_kib(p, "RssAnon") for p in family(proc.pid)))
            time.sleep(0.02)
        wall = time.perf_counter() - t
        out.seek(0)
        text = out.read()
    peaks["anonymous"] = anon / 2**20
    if proc.returncode != 0:
        killed = " (killed: over its memory limit)" if limit and limit.oom_kills() else ""
        raise SystemExit(f"matcher {' '.join(args)} failed{killed}:\n{text}")
    return wall, text, peak / 2**20


peaks: dict[str, float] = {}
"""The last ``cli`` process's peak anonymous memory (GiB: its own and its workers' ``RssAnon``,
what the kernel cannot drop or write back to a file; sampled)."""


def status_kib(pid: int, field: str) -> int:
    """A field of the process's ``/proc/PID/status`` (KiB; 0 once it ended). Its ``VmHWM``
    (peak RSS so far), not ``wait4``'s or ``RUSAGE_CHILDREN``'s maximum: a child forked from
    this process counts this process's pages until it runs ``matcher`` (at 1,000,000 experts
    11.4 GiB for a ``matcher match`` whose own peak is 2.9). It counts the pages of mapped
    files too (an index build's scratch files, ``matcher.scratch``), which ``RssAnon`` does not."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"^{field}:\s+(\d+) kB", status, re.M)
    return int(found.group(1)) if found else 0


def family(pid: int) -> list[int]:
    """``pid`` and its descendants (a build's segmenting workers)."""
    import psutil

    try:
        return [pid, *(c.pid for c in psutil.Process(pid).children(recursive=True))]
    except psutil.Error:
        return [pid]


class MemoryLimit:
    """A memory control group with a hard limit that ``matcher index`` runs in (cgroup v2
    ``memory.max`` or v1 ``memory.limit_in_bytes``): page cache, the build's scratch files'
    pages among it, counts against the limit and is reclaimed under it, as in a container
    with that much memory. Needs a writable cgroup file system (root on the machine);
    ``None`` from ``make`` where there is none."""

    def __init__(self, path: Path, v2: bool) -> None:
        self.path, self.v2 = path, v2

    @classmethod
    def make(cls, gib: float) -> MemoryLimit | None:
        name = f"matcher-benchmark-{os.getpid()}"
        for root, v2 in ((Path("/sys/fs/cgroup"), True), (Path("/sys/fs/cgroup/memory"), False)):
            if (root / "cgroup.controllers").exists() != v2 or not (root / "cgroup.procs").exists():
                continue
            try:
                (root / name).mkdir(exist_ok=True)
                limit_file = "memory.max" if v2 else "memory.limit_in_bytes"
                (root / name / limit_file).write_text(str(int(gib * 2**30)))
            except OSError:
                continue
            return cls(root / name, v2)
        return None

    def enter(self) -> None:  # (in the child, before it runs matcher)
        (self.path / "cgroup.procs").write_text("0")

    def peak_gib(self) -> float:
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        try:
            return int((self.path / name).read_text()) / 2**30
        except (OSError, ValueError):
            return float("nan")

    def oom_kills(self) -> int:
        name = "memory.events" if self.v2 else "memory.oom_control"
        found = re.search(r"^oom_kill (\d+)", (self.path / name).read_text(), re.M)
        return int(found.group(1)) if found else 0

    def remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experts", type=int, default=100_000)
    ap.add_argument("--needs", type=int, default=10_000)
    ap.add_argument("--synthetic", action="store_true", help="toy vocabulary (the old mode)")
    ap.add_argument("--skip-cli", action="store_true", help="index in-process (huge stores)")
    ap.add_argument("--keep", type=Path, help="build the store in this directory and keep it")
    ap.add_argument(
        "--memory-limit", type=float, metavar="GIB",
        help="build the index under this hard memory limit (a cgroup; root only)",
    )  # fmt: skip
    ap.add_argument(
        "--database-url", help="an empty database to build the store in (default: SQLite file)"
    )
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    societies, experts, needs = realistic(args.experts, args.needs, rng, args.synthetic)
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="matcher-speed-"))
    tmp.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{tmp}/m.db"
    env = dict(os.environ, MATCHER_DATA_DIR=str(tmp), MATCHER_DATABASE_URL=url)
    os.environ.update(env)
    got: dict[str, float] = {}
    enterprises = [{"external_id": "E001", "name": "河南示范企业有限公司"}]
    files = [
        ("societies", write_jsonl(tmp / "societies.jsonl", societies)),
        *(("experts", path) for path in split_jsonl(tmp / "experts", experts)),
        ("enterprises", write_jsonl(tmp / "enterprises.jsonl", enterprises)),
        ("needs", write_jsonl(tmp / "needs.jsonl", needs)),
    ]
    del experts  # the store holds them now: this process's RSS is the product's, not the input's
    t = time.perf_counter()
    for kind, path in files:
        cli(env, "import", kind, str(path))
    got["import (s)"] = time.perf_counter() - t
    if not args.skip_cli:
        limit = MemoryLimit.make(args.memory_limit) if args.memory_limit else None
        if args.memory_limit and limit is None:
            print("(no writable memory cgroup here: the index is built without the limit)")
        try:
            got["index from scratch (s)"], out, got["peak RSS index (GiB)"] = cli(
                env, "index", limit=limit
            )
            got["peak anonymous memory index (GiB)"] = peaks["anonymous"]
            if limit is not None:
                got["index: hard memory limit (GiB)"] = args.memory_limit
                got["index: peak memory in its cgroup (GiB)"] = limit.peak_gib()
        finally:
            if limit is not None:
                limit.remove()
        print(out.strip().splitlines()[-1])
    in_process(args, tmp, env, needs, got)
    report(got, args)


def in_process(args, tmp: Path, env: dict, needs: list[dict], got: dict) -> None:
    from sqlalchemy import select, update

    from matcher.config import get_settings
    from matcher.db import open_store
    from matcher.matching.lifecycle import ensure_indexes
    from matcher.matching.results import BATCH, _queries, rank_queries
    from matcher.matching.runtime import MatchingRuntime
    from matcher.matching.saved_state import save_state
    from matcher.models import Expert, TargetKind, TechNeed

    get_settings.cache_clear()
    settings = get_settings()
    store = open_store(settings.sqlalchemy_url)
    t = time.perf_counter()
    runtime = MatchingRuntime.load(settings)
    if args.skip_cli:
        with store.transaction() as s:
            ensure_indexes(session=s, runtime=runtime)
        got["index from scratch (s)"] = time.perf_counter() - t
    runtime.follow(force=True)
    got["load saved version (s)"] = time.perf_counter() - t
    state = runtime.state
    t = time.perf_counter()
    save_state(state, tmp / "save-copy")
    got["save a version (s)"] = time.perf_counter() - t
    del state  # a save renames the state it writes: the runtime takes the current version
    runtime.state = None  # again (what the refresh below patches and links to)
    runtime.follow(force=True)
    with store.transaction() as s:
        rows = list(s.scalars(select(TechNeed).order_by(TechNeed.id)))
        for n in rows:  # the attributes ranking reads, loaded before the session closes
            _ = (n.title, n.description, n.keywords, n.city, n.industry, n.partner)
        s.expunge_all()

    def first_need_ms() -> float:  # the first request the version answers
        t = time.perf_counter()
        rank_queries(runtime, _queries(runtime, rows[:1]), TargetKind.SOCIETY, 10)
        return (time.perf_counter() - t) * 1e3

    edits = ("", "X0000000"), (", the next one", "X0000001"), (", probed", "X0000002")
    for label, expert in edits:
        with store.transaction() as s:  # one profile edited, as an API edit would
            s.execute(
                update(Expert)
                .where(Expert.external_id == expert)
                .values(profile=Expert.profile + "，新增研究方向：智能焊接机器人")
            )
        runtime.serving = label == ", probed"  # as the API's runtime: probed, then current
        t = time.perf_counter()
        with store.transaction() as s:
            status = ensure_indexes(session=s, runtime=runtime)
        got[f"refresh after one edit{label} (s)"] = time.perf_counter() - t
        assert status.action == "refreshed", status
        if label != ", the next one":
            got[f"first need after it{label or ', unprobed'} (ms)"] = first_need_ms()
    runtime.serving = False
    labels = {TargetKind.EXPERT: "experts", TargetKind.SOCIETY: "societies"}
    for target, label in labels.items():
        lat = []
        for need in rows[:300]:
            t = time.perf_counter()
            rank_queries(runtime, _queries(runtime, [need]), target, 10)
            lat.append(time.perf_counter() - t)
        got[f"one need vs {label} p50 (ms)"] = float(np.percentile(lat, 50) * 1e3)
        got[f"one need vs {label} p95 (ms)"] = float(np.percentile(lat, 95) * 1e3)
    queries = []
    for target, label in labels.items():
        t = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            batch = _queries(runtime, rows[i : i + BATCH])
            rank_queries(runtime, batch, target, 10)
            if target == TargetKind.EXPERT:
                queries += batch
        got[f"bulk needs vs {label} (s)"] = time.perf_counter() - t
    baselines(runtime, queries, got)
    if not args.skip_cli:
        got["matcher match --need, fresh process (s)"], _, got["peak RSS of it (GiB)"] = cli(
            env, "match", "--target", "experts", "--need", needs[0]["external_id"],
            "--out", str(tmp / "one.csv"),
        )  # fmt: skip
        replica(env, [n.id for n in rows[:REPLICA_NEEDS]], got)
    got["peak RSS (GiB)"] = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
        got.get("peak RSS index (GiB)", 0.0),
        got.get("peak RSS of it (GiB)", 0.0),
    )


REPLICA_NEEDS = 500
"""Needs an API replica matches (and stores) through ``POST /needs/match``."""


def replica(env: dict, need_ids: list[int], got: dict) -> None:
    """An API replica as a multi-process deployment runs one (``matcher serve --no-ui``,
    ``MATCHER_INDEX_REFRESHER=follow``: it loads the version the index job saved and never
    builds): seconds until it answers (its start-up loads the index), seconds to match and
    store ``need_ids`` through the API as staff, and its worker's peak RSS meanwhile."""
    import httpx
    import psutil

    from matcher.launch.health import free_ports, stop_server, wait_until_answering

    port = free_ports(1)[0]
    env = dict(env, MATCHER_INDEX_REFRESHER="follow")
    login = {"username": "bench_staff", "password": "benchmark-replica-2026"}
    made = subprocess.run(
        [sys.executable, "-m", "matcher.cli", "users", "create", "--username", login["username"],
         "--role", "staff", "--password-stdin"],
        input=login["password"] + "\n", env=env, cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    if made.returncode != 0:
        raise SystemExit(f"matcher users create failed:\n{made.stdout}{made.stderr}")
    base = f"http://127.0.0.1:{port}/api/v1"
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        serve = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", "serve", "--no-ui", "--api-port", str(port)],
            env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True,
        )  # fmt: skip
        try:
            if not wait_until_answering([f"{base}/health"], [serve], timeout=1800):
                log.seek(0)
                raise SystemExit(f"matcher serve did not come up:\n{log.read()[-4000:]}")
            got["API replica: up with the index (s)"] = time.perf_counter() - t
            token = httpx.post(f"{base}/auth/token", data=login).json()["access_token"]
            t = time.perf_counter()
            httpx.post(
                f"{base}/needs/match",
                json={"need_ids": need_ids},
                headers={"Authorization": f"Bearer {token}"},
                timeout=None,
            ).raise_for_status()
            got[f"API replica: {len(need_ids)} needs matched (s)"] = time.perf_counter() - t
            workers = psutil.Process(serve.pid).children(recursive=True)
            if not workers:
                raise SystemExit("the API's worker process was not found")
            peak = max(status_kib(p, "VmHWM") for p in [serve.pid, *(w.pid for w in workers)])
            got["API replica: peak RSS (GiB)"] = peak / 2**20
        finally:
            stop_server(serve)


def baselines(runtime, queries, got: dict) -> None:
    """Dense top-10: FAISS vs numpy brute force; segmentation: ours vs plain jieba; ANN
    recall@10 against exact on held-out queries (need vectors, never indexed)."""
    from matcher.embeddings.vector_index import recall_at
    from matcher.text.normalize import normalize
    from matcher.text.segmenter import Segmenter

    experts = runtime.state.experts
    qv = np.stack([q.vector for q in queries[:300]])
    t = time.perf_counter()
    for v in qv:
        np.argpartition(-(experts.vectors @ v), 10)[:10]
    brute = (time.perf_counter() - t) / len(qv)
    t = time.perf_counter()
    for v in qv:
        experts.ann.search(v[None, :], 10)
    ann = (time.perf_counter() - t) / len(qv)
    got["dense top-10 faiss (ms)"] = ann * 1e3
    got["dense top-10 numpy brute force (ms)"] = brute * 1e3
    got["ANN recall@10 vs exact (held-out needs)"] = recall_at(
        experts.ann, experts.vectors, experts.ids, np.stack([q.vector for q in queries[:1000]])
    )
    got["ANN kind"] = {"flat": 0, "ivf": 1, "ivfpq": 2}[experts.ann.info.kind]
    got["ANN nprobe (tuned on need-like queries)"] = experts.ann.info.nprobe
    texts = [normalize(q.text) for q in queries[:2000]]
    plain = Segmenter(runtime.settings.resources_dir, engine="jieba")
    t = time.perf_counter()
    for x in texts:
        plain.engine.cut(x)
    t_plain = time.perf_counter() - t
    t = time.perf_counter()
    for x in texts:
        runtime.segmenter.engine.cut(x)
    t_ours = time.perf_counter() - t
    got["segmentation: plain jieba / ours (×)"] = t_plain / max(t_ours, 1e-9)


def report(got: dict, args) -> None:
    mode = "synthetic" if args.synthetic else "realistic (CSL recombined)"
    store = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"\n{args.experts} experts, {args.needs} needs, {mode}, {store}, {os.cpu_count()} cores")
    for name, value in got.items():
        target = TARGETS.get(name)
        mark = "" if target is None else (" ✓" if value <= target else f" ✗ (target ≤ {target})")
        print(f"  {name:45} {value:10.3f}{mark}")
    brute = got.get("dense top-10 numpy brute force (ms)")
    if brute:
        ratio = brute / max(got["dense top-10 faiss (ms)"], 1e-9)
        print(f"  dense search: FAISS {ratio:.1f}× faster than numpy brute force")
    limit = got.get("index: hard memory limit (GiB)")
    if limit:
        print(f"  matcher index completed under a hard {limit:g} GiB memory limit ✓")
    cold = got.get("first need after it, unprobed (ms)")
    if cold:
        ratio = cold / max(got["first need after it, probed (ms)"], 1e-9)
        print(f"  first society request after a new version: {ratio:.1f}× faster when probed")


if __name__ == "__main__":
    main()
