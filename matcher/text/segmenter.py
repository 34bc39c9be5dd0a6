"""jieba segmentation with the domain user dictionary and stop words, loaded once per process."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import jieba

from matcher.imports.cities import HENAN_CITIES
from matcher.text.normalize import normalize

jieba.setLogLevel(logging.WARNING)

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


class Segmenter:
    """Cuts normalised text into content tokens (no stop words, no punctuation, no lone CJK
    characters)."""

    def __init__(self, resources_dir: Path | None = None) -> None:
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        self.stopwords = set(DEFAULT_STOPWORDS)
        self.generic: set[str] = set()
        if resources_dir is not None:
            user_dict = resources_dir / "user_dict.txt"
            if user_dict.is_file():
                self.tokenizer.load_userdict(str(user_dict))
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

    def keyword_tokens(self, text: str | None) -> list[str]:
        """Content tokens of ``text`` without its URLs and e-mail addresses (for keywords)."""
        return self.tokens(_URL.sub(" ", normalize(text)))

    def tokens(self, text: str | None) -> list[str]:
        """Content tokens of ``text``."""
        out = []
        for tok in self.tokenizer.cut(normalize(text)):
            tok = tok.strip()
            if not tok or tok in self.stopwords or not _TOKEN.search(tok):
                continue
            if len(tok) == 1 and _CJK.match(tok):
                continue
            out.append(tok)
        return out

    def tokens_many(self, texts: Sequence[str]) -> list[list[str]]:
        return [self.tokens(t) for t in texts]


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
