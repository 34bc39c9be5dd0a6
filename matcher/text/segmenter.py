"""jieba segmentation with the domain user dictionary and stop words, loaded once per process.

The words are jieba's (0.42.1, its own dictionary plus ours), cut by a compiled engine when
``jieba_fast_dat`` is installed (about 5× faster) and by jieba itself otherwise. The compiled
engine loads jieba's dictionary file and our user dictionary with jieba's frequencies and
total, and its cuts of runs of ASCII digits, letters and ``.%+#&_-`` are re-split the way
jieba's ``finalseg`` does (``0.05``, ``30%`` stay whole): on the CSL benchmark's 7,000 texts
and the demo data both engines give the same tokens (``tests/text/test_segmenter.py``).
Many texts are cut in parallel, one process per core (``tokens_many``).
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import jieba

from matcher.imports.cities import HENAN_CITIES
from matcher.text.normalize import normalize

jieba.setLogLevel(logging.WARNING)
log = logging.getLogger(__name__)

DEFAULT_STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "等",
        "在",
        "对",
        "于",
        "是",
        "为",
        "以",
        "中",
        "并",
        "将",
        "其",
        "该",
        "一种",
        "基于",
        "进行",
        "研究",
        "提出",
        "通过",
        "利用",
        "采用",
        "方法",
        "结果",
        "表明",
        "分析",
        "可以",
        "一个",
        "我们",
        "本文",
        "需要",
        "需求",
        "问题",
        "技术",
        "企业",
        "实现",
        "提高",
        "能够",
    ]
)
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_URL = re.compile(r"(https?://|www\.)\S*|\S+@\S+|[\w.-]+\.(com|cn|net|org|gov|edu)\S*", re.I)
_NOT_A_KEYWORD = re.compile(r"^[\d.%]+$|^[a-z]{1,2}$|^(http|https|www|com|cn|html?|net|org)$", re.I)


_ASCII_RUN = re.compile(r"^[a-zA-Z0-9.%+#&_-]+$")
_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # jieba.finalseg.re_skip
_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba.re_userdict
PARALLEL_MIN = 4_000
"""``tokens_many`` cuts at least this many texts in worker processes (one per core)."""


class _Compiled:
    """jieba_fast_dat with jieba's dictionary and frequencies (see the module docstring)."""

    def __init__(self, user_dict: Path | None) -> None:
        import jieba_fast_dat

        jieba_fast_dat.setLogLevel(logging.WARNING)
        main = Path(jieba.__file__).with_name("dict.txt")
        self.tok = jieba_fast_dat.Tokenizer(str(main))
        self.tok.initialize()
        total = _dict_total(main)
        if user_dict is not None:
            for word, freq in _user_words(user_dict):
                freq = freq if freq is not None else self._suggest(word)
                self.tok.add_word(word, freq)
                total += freq  # as jieba counts it, a word already known included
        self.tok.total = float(total)
        self._ascii_run = _memo(lambda tok: _ASCII_RUN.match(tok) is not None)

    def _suggest(self, word: str) -> int:
        """jieba's ``suggest_freq(word)``: just enough for the word to be cut whole."""
        freq = 1.0
        total = float(self.tok.total)
        for seg in self.tok.lcut(word, HMM=False):
            freq *= (self.tok.get_freq(seg) or 1) / total
        return max(int(freq * total) + 1, self.tok.get_freq(word) or 1)

    def cut(self, text: str) -> list[str]:
        out: list[str] = []
        run: list[str] = []
        ascii_run = self._ascii_run
        for tok in self.tok.lcut(text):
            if ascii_run(tok):
                run.append(tok)
                continue
            if run:
                out += _resplit(run)
                run = []
            out.append(tok)
        if run:
            out += _resplit(run)
        return out


MEMO_MAX = 1_000_000
"""Distinct tokens a per-token check remembers (then it starts again): a process cutting
100,000 profiles meets a few hundred thousand, and each check is a dict look-up. Each memo
holds about 35 MiB per 300,000 tokens (two per segmenter, kept for its life: at most about
0.25 GiB together)."""

T = TypeVar("T")


def _memo(check: Callable[[str], T]) -> Callable[[str], T]:
    """``check`` remembered per token (a pure function of the token). Threads may share it:
    a dict's look-up, store and clear are each atomic, and a race only checks a token again."""
    seen: dict[str, T] = {}

    def get(tok: str) -> T:
        got = seen.get(tok, _MISSING)
        if got is _MISSING:
            if len(seen) >= MEMO_MAX:
                seen.clear()
            got = seen[tok] = check(tok)
        return got

    return get


_MISSING = object()


def _content(tok: str) -> str:
    """``tok`` stripped, or "" for no content token (no word character, or a lone CJK
    character); stop words are checked apart (a segmenter's set may change)."""
    tok = tok.strip()
    if not tok or not _TOKEN.search(tok) or (len(tok) == 1 and _CJK.match(tok)):
        return ""
    return tok


def _resplit(run: list[str]) -> list[str]:
    return run if len(run) == 1 else [p for p in _SKIP.split("".join(run)) if p]


_FREQ = re.compile(rb"^[^ \n]+ (\d+)", re.M)


def _dict_total(path: Path) -> int:
    """The sum of a jieba dictionary's frequencies (``word freq [tag]`` lines), as jieba
    counts it (one regex pass over the bytes: this runs in every fresh process)."""
    return sum(map(int, _FREQ.findall(path.read_bytes())))


def _user_words(path: Path) -> list[tuple[str, int | None]]:
    out = []
    for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
        line = line.strip()
        if not line:
            continue
        word, freq, _ = _USER_LINE.match(line).groups()
        out.append((word.strip(), int(freq) if freq is not None else None))
    return out


class _Plain:
    def __init__(self, user_dict: Path | None) -> None:
        self.tok = jieba.Tokenizer()
        self.tok.initialize()
        if user_dict is not None:
            self.tok.load_userdict(str(user_dict))

    def cut(self, text: str) -> list[str]:
        return list(self.tok.cut(text))


def _engine(user_dict: Path | None, engine: str):
    if engine in ("auto", "compiled"):
        try:
            return _Compiled(user_dict)
        except ImportError:
            if engine == "compiled":
                raise
    return _Plain(user_dict)


class Segmenter:
    """Cuts normalised text into content tokens (no stop words, no punctuation, no lone CJK
    characters). ``engine``: ``auto`` (compiled if installed), ``compiled`` or ``jieba``."""

    def __init__(self, resources_dir: Path | None = None, *, engine: str = "auto") -> None:
        self.resources_dir = resources_dir
        self.stopwords = set(DEFAULT_STOPWORDS)
        self.generic: set[str] = set()
        user_dict = None
        if resources_dir is not None and (resources_dir / "user_dict.txt").is_file():
            user_dict = resources_dir / "user_dict.txt"
        self.engine = _engine(user_dict, engine)
        self.engine_name = "compiled" if isinstance(self.engine, _Compiled) else "jieba"
        self._content = _memo(_content)
        if resources_dir is not None:
            stop = resources_dir / "stopwords.txt"
            if stop.is_file():
                words = stop.read_text(encoding="utf-8").split()
                self.stopwords.update(normalize(w) for w in words)
            generic = resources_dir / "generic_words.txt"
            if generic.is_file():
                self.generic.update(normalize(w) for w in _words(generic))

    def informative(self, token: str) -> bool:
        """Whether a token can explain a match: no generic word (优化, 现有…), number, URL
        fragment or place name (a shared city is its own reason)."""
        return not (
            token in self.generic or token in PLACES or _NOT_A_KEYWORD.match(token) is not None
        )

    def keyword_tokens(self, text: str | None, tokens: list[str] | None = None) -> list[str]:
        """Content tokens of ``text`` without its URLs and e-mail addresses (for keywords).
        ``tokens``: ``tokens(text)`` when the caller has them, taken (copied) when removing
        URLs leaves the very text they were cut from (a need's text is not cut twice)."""
        norm = normalize(text)
        clean = _URL.sub(" ", norm)
        if tokens is not None and normalize(clean) == norm:
            return list(tokens)
        return self.tokens(clean)

    def tokens(self, text: str | None) -> list[str]:
        """Content tokens of ``text``."""
        content, stop = self._content, self.stopwords
        out = []
        for tok in self.engine.cut(normalize(text)):
            tok = content(tok)
            if tok and tok not in stop:
                out.append(tok)
        return out

    def tokens_many(self, texts: Sequence[str], *, parallel: bool = True) -> list[list[str]]:
        """``tokens`` of each text; many texts are cut in worker processes, one per core."""
        # (the cores are asked, a file read, only for many texts)
        if not parallel or len(texts) < PARALLEL_MIN or (os.cpu_count() or 1) < 2:
            return [self.tokens(t) for t in texts]
        workers = min(os.cpu_count() or 1, 8)
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        step = -(-len(texts) // (workers * 4))
        chunks = [list(texts[i : i + step]) for i in range(0, len(texts), step)]
        key = (self.resources_dir, self.engine_name)
        known: dict[str, str] = {}  # one string per distinct token, not one per chunk's
        out: list[list[str]] = []
        try:
            with ProcessPoolExecutor(workers, mp_context=mp.get_context("forkserver")) as pool:
                for part in pool.map(_cut_chunk, [key] * len(chunks), chunks):
                    out += [list(map(known.setdefault, toks, toks)) for toks in part]
        except Exception:  # workers that cannot start (e.g. an unguarded __main__): serially
            log.warning("parallel segmentation failed; cutting in this process", exc_info=True)
            return [self.tokens(t) for t in texts]
        return out


def _cut_chunk(key: tuple[Path | None, str], texts: list[str]) -> list[list[str]]:
    """A worker's share of ``tokens_many`` (its segmenter loads once per worker)."""
    resources_dir, engine = key
    seg = _worker_segmenter(resources_dir, "compiled" if engine == "compiled" else "jieba")
    return [seg.tokens(t) for t in texts]


@lru_cache(maxsize=2)
def _worker_segmenter(resources_dir: Path | None, engine: str) -> Segmenter:
    return Segmenter(resources_dir, engine=engine)


PLACES = frozenset(name for short, (full, _) in HENAN_CITIES.items() for name in (short, full)) | {
    "河南",
    "河南省",
    "中原",
}


def _words(path: Path) -> list[str]:
    """Whitespace-separated words of a word-list file (``#`` starts a comment line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [w for line in lines if not line.lstrip().startswith("#") for w in line.split()]


@lru_cache(maxsize=4)
def get_segmenter(resources_dir: Path | None) -> Segmenter:
    """The process-wide segmenter for ``resources_dir``."""
    return Segmenter(resources_dir)


def keywords(
    tokens: Iterable[str],
    idf: dict[str, float] | None = None,
    top_n: int = 10,
    default: float | None = None,
) -> list[str]:
    """The ``top_n`` tokens by tf·idf (unknown tokens get ``default``, else the largest idf:
    pass it when calling often, as finding it scans the table)."""
    counts = Counter(tokens)
    if not counts:
        return []
    if default is None:
        default = max(idf.values()) if idf else 1.0
    weight = {t: c * (idf.get(t, default) if idf else 1.0) for t, c in counts.items()}
    return [t for t, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:top_n]]
