"""The token cache: each profile text's jieba tokens by text hash, so a text is segmented
once (not again for the embedded fit, the indexes or the next refresh). Saved with each
index version (a vocabulary, token ids and offsets: no pickle) and bounded to the texts of
the store: a build keeps only the entries of its rows."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import chain

import numpy as np

from matcher.matching.profiles import text_hash
from matcher.text.segmenter import Segmenter


def segmenter_id(segmenter: Segmenter) -> str:
    """Changes when what the segmenter cuts could change (dictionaries, stop words)."""
    import jieba

    parts = [jieba.__version__, *sorted(segmenter.stopwords)]
    rd = segmenter.resources_dir
    if rd is not None:
        for name in ("user_dict.txt", "stopwords.txt"):
            path = rd / name
            parts.append(path.read_text(encoding="utf-8") if path.is_file() else "")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


class TokenCache:
    def __init__(self, entries: dict[str, list[str]] | None = None) -> None:
        self.entries: dict[str, list[str]] = entries or {}

    def tokens(self, texts: Sequence[str], segmenter: Segmenter) -> list[list[str]]:
        """Tokens of each text: cached, else cut (in parallel when many) and cached."""
        hashes = [text_hash(t) for t in texts]
        missing = {h: t for h, t in zip(hashes, texts, strict=True) if h not in self.entries}
        if missing:
            cut = segmenter.tokens_many(list(missing.values()))
            self.entries.update(zip(missing, cut, strict=True))
        return [self.entries[h] for h in hashes]

    def keep_only(self, hashes: set[str]) -> TokenCache:
        """A cache of these texts only (what is no longer in the store is dropped)."""
        return TokenCache({h: v for h, v in self.entries.items() if h in hashes})

    def put(self, arrays: dict, docs: dict) -> None:
        words = chain.from_iterable(self.entries.values())
        vocab = {t: i for i, t in enumerate(dict.fromkeys(words))}
        ids = np.fromiter(
            map(vocab.__getitem__, chain.from_iterable(self.entries.values())), np.int32
        )
        arrays["tokens.hashes"] = np.array(list(self.entries), dtype="S40")
        arrays["tokens.lengths"] = np.array([len(v) for v in self.entries.values()], np.int64)
        arrays["tokens.ids"] = ids
        docs["vocab.tokens"] = list(vocab)

    @classmethod
    def get(cls, version) -> TokenCache:
        vocab = np.array(version.json("vocab.tokens") or [""], dtype=object)
        hashes = version.array("tokens.hashes").tolist()
        lengths = version.array("tokens.lengths")
        words = vocab[version.array("tokens.ids")].tolist() if len(lengths) else []
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return cls({h.decode(): words[a:b] for h, a, b in zip(hashes, starts, ends, strict=True)})
