"""Character n-grams: robust lexical evidence for Chinese, where word boundaries are unsure."""

from __future__ import annotations

import re

from matcher.text.normalize import normalize

_RUN = re.compile(r"[\w\u4e00-\u9fff]+")


def char_bigrams(text: str | None) -> list[str]:
    """Bigrams of every run of word characters in the normalised text (punctuation breaks
    runs, so no bigram spans two clauses); a run of one character is kept as is."""
    out: list[str] = []
    for run in _RUN.findall(normalize(text)):
        if len(run) == 1:
            out.append(run)
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def char_unigrams_bigrams(text: str | None) -> list[str]:
    """Every character of the word-character runs, then their bigrams (the strongest simple
    lexical representation for routing Chinese text: character 1–2-grams)."""
    runs = _RUN.findall(normalize(text))
    return [c for run in runs for c in run] + [
        run[i : i + 2] for run in runs for i in range(len(run) - 1)
    ]


def embedding_tokens(words: list[str], text: str | None) -> list[str]:
    """What the embedded model reads: jieba words plus character bigrams (both help)."""
    return [*words, *char_bigrams(text)]
