"""The token cache: each profile text's jieba tokens by text hash, so a text is segmented
once (not again for the embedded fit, the indexes or the next refresh). Saved with each
index version (a vocabulary, token ids and offsets: no pickle) and bounded to the texts of
the store: a build keeps only the entries of its rows. A patched refresh links the previous
version's cache (its base) and saves only the texts new since (``EXTRA``), up to a bound
past which the whole cache is written again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import chain, islice

import numpy as np

from matcher import scratch
from matcher.matching import persist
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


BASE, EXTRA = "tokens", "tokens.extra"
PUT_TEXTS = 50_000
"""Texts whose token ids ``TokenCache.put`` makes at once."""


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

    def put(self, arrays: dict, docs: dict, prefix: str = BASE) -> None:
        """The cache as arrays (hashes, lengths, token ids) and a vocabulary document."""
        words = chain.from_iterable(self.entries.values())
        vocab = {t: i for i, t in enumerate(dict.fromkeys(words))}
        lengths = np.fromiter(map(len, self.entries.values()), np.int64, len(self.entries))
        ids = scratch.empty(int(lengths.sum()), np.int32)  # (a million texts' tokens: 0.6 GB)
        texts, at = iter(self.entries.values()), 0
        for _ in range(0, len(lengths), PUT_TEXTS):
            part = list(chain.from_iterable(islice(texts, PUT_TEXTS)))
            ids[at : at + len(part)] = np.fromiter(map(vocab.__getitem__, part), np.int32)
            at += len(part)
        arrays[f"{prefix}.hashes"] = np.array(list(self.entries), dtype="S40")
        arrays[f"{prefix}.lengths"] = lengths
        arrays[f"{prefix}.ids"] = ids
        docs[f"vocab.{prefix}"] = list(vocab)

    @classmethod
    def get(cls, version: persist.Version) -> TokenCache:
        """The cache saved with ``version``: its base and the texts added since."""
        out = cls._part(version, BASE)
        out.entries.update(cls.extra_of(version).entries)
        return out

    @classmethod
    def extra_of(cls, version: persist.Version) -> TokenCache:
        """Only the texts added since the base (empty for a version that wrote it whole)."""
        return cls._part(version, EXTRA) if f"{EXTRA}.hashes.npy" in version.files else cls()

    @classmethod
    def _part(cls, version: persist.Version, prefix: str) -> TokenCache:
        vocab = np.array(version.json(f"vocab.{prefix}") or [""], dtype=object)
        hashes = version.array(f"{prefix}.hashes").tolist()
        lengths = version.array(f"{prefix}.lengths")
        words = vocab[version.array(f"{prefix}.ids")].tolist() if len(lengths) else []
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        return cls({h.decode(): words[a:b] for h, a, b in zip(hashes, starts, ends, strict=True)})


def base_files(version: persist.Version) -> list[str]:
    """The files of ``version``'s cache base (what a version patched from it links)."""
    return [
        f
        for f in version.files
        if f == f"vocab.{BASE}.json" or (f.startswith(f"{BASE}.") and not f.startswith(EXTRA))
    ]


def extra_since(
    source: persist.Version, new: dict[str, list[str]], keep: set[str], limit: int
) -> TokenCache | None:
    """The texts a version patched from ``source`` saves beside ``source``'s base: those
    ``source`` added since its base and the ``new`` ones, of the store (``keep``) only; None
    when they, or the base's texts no longer in the store, pass ``limit`` (the whole cache
    is then written again: what a linked base holds of old texts stays bounded)."""
    extra = TokenCache.extra_of(source)
    extra.entries.update(new)
    extra = extra.keep_only(keep)
    base = len(source.array(f"{BASE}.lengths"))
    stale = base + len(extra.entries) - len(keep)  # at least: every text is base or extra
    return extra if max(len(extra.entries), stale) <= limit else None
