"""Speed benchmark on synthetic Chinese profiles: index build, refresh after one edit, one-need
latency, bulk matching, peak memory, against a brute-force numpy baseline in the same process.

    .venv/bin/python scripts/benchmark_speed.py --experts 100000 --needs 10000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

from matcher.config import Settings
from matcher.matching.indexes import TextCache, build_state
from matcher.matching.profiles import Row
from matcher.matching.service import MatchingRuntime, _queries, rank_queries
from matcher.models import TargetKind

WORDS = [
    "数控",
    "机床",
    "主轴",
    "精度",
    "轴承",
    "齿轮",
    "催化剂",
    "加氢",
    "精馏",
    "分离",
    "水库",
    "大坝",
    "渗流",
    "灌溉",
    "节水",
    "传感器",
    "芯片",
    "算法",
    "图像",
    "识别",
    "电池",
    "储能",
    "光伏",
    "风电",
    "材料",
    "复合",
    "涂层",
    "焊接",
    "铸造",
    "热处理",
    "农业",
    "育种",
    "土壤",
    "病虫害",
    "医药",
    "制剂",
    "疫苗",
    "检测",
    "食品",
    "发酵",
    "包装",
    "纺织",
    "染整",
    "建筑",
    "混凝土",
    "桥梁",
    "隧道",
    "交通",
    "物流",
    "冷链",
    "环境",
    "污水",
    "固废",
    "大气",
    "监测",
    "煤炭",
    "矿山",
    "安全",
    "智能",
    "控制",
    "机器人",
    "视觉",
    "网络",
    "通信",
    "软件",
    "数据",
    "平台",
    "优化",
]


def synthetic(n: int, rng: np.random.Generator, prefix: str) -> list[Row]:
    rows = []
    for i in range(n):
        words = rng.choice(WORDS, size=12)
        text = "，".join("".join(words[j : j + 3]) + "技术研究" for j in range(0, 12, 3))
        rows.append(Row(i + 1, f"{prefix}{i}", f"专家{i}", text, None, " ".join(words[:2])))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experts", type=int, default=100_000)
    ap.add_argument("--needs", type=int, default=10_000)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    experts = synthetic(args.experts, rng, "E")
    societies = [
        Row(args.experts + 1 + i, f"S{i}", f"学会{i}", w, None, w) for i, w in enumerate(WORDS)
    ]
    members = {e.id: [societies[e.id % len(societies)].id] for e in experts}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        runtime = MatchingRuntime.load(settings)
        t0 = time.perf_counter()
        runtime.fit_embedded(experts[:20_000], societies, members)
        t_fit = time.perf_counter() - t0
        common = dict(
            societies=societies,
            memberships=members,
            segmenter=runtime.segmenter,
            encoder=runtime.encoder,
            cache=TextCache(),
            ann_threshold=settings.ann_threshold,
        )
        state, encoded = build_state(signature="bench", experts=experts, **common)
        t_index = time.perf_counter() - t0
        print(
            f"index {args.experts} experts: {t_index:.1f} s (fit {t_fit:.1f} s), encoded {encoded}"
        )
        experts[0].text += "，新增研究方向"  # one profile edited: what a refresh costs
        t = time.perf_counter()
        state, encoded = build_state(signature="edit", experts=experts, previous=state, **common)
        t_refresh = time.perf_counter() - t
        print(f"refresh after one edited expert: {t_refresh:.1f} s, encoded {encoded}")
        runtime.state = state

        class Need:  # the attributes the ranking reads
            def __init__(self, i):
                w = rng.choice(WORDS, size=4)
                self.title, self.description = "".join(w[:2]) + "难题", "".join(w) + "需要攻关"
                self.keywords, self.city, self.industry = [], None, None

        needs = [Need(i) for i in range(args.needs)]
        labels = {TargetKind.EXPERT: "experts", TargetKind.SOCIETY: "societies"}
        for target, label in labels.items():
            lat = []
            for need in needs[:200]:
                t = time.perf_counter()
                rank_queries(runtime, _queries(runtime, [need]), target, 10)
                lat.append(time.perf_counter() - t)
            print(
                f"one need vs {label}: p50 {np.percentile(lat, 50) * 1e3:.1f} ms, "
                f"p95 {np.percentile(lat, 95) * 1e3:.1f} ms"
            )
        for target, label in labels.items():
            t = time.perf_counter()
            queries = []
            for i in range(0, len(needs), 512):  # the batches the product ranks in
                batch = _queries(runtime, needs[i : i + 512])
                rank_queries(runtime, batch, target, 10)
                queries += batch
            print(f"bulk {args.needs} needs vs {label}: {time.perf_counter() - t:.1f} s")
        qv = np.stack([q.vector for q in queries[:200]])
        t = time.perf_counter()
        for v in qv:
            np.argpartition(-(state.experts.vectors @ v), 10)[:10]
        brute = (time.perf_counter() - t) / len(qv)
        t = time.perf_counter()
        for v in qv:
            state.experts.ann.search(v[None, :], 10)
        faiss_t = (time.perf_counter() - t) / len(qv)
        print(
            f"dense top-10 per query: faiss {faiss_t * 1e3:.2f} ms vs numpy brute force "
            f"{brute * 1e3:.2f} ms (ratio {brute / max(faiss_t, 1e-9):.1f}x)"
        )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
