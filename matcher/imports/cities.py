"""Henan's prefecture-level cities (17 省辖市 and 济源示范区) and how users write them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# short name → (stored name, pinyin)
HENAN_CITIES: dict[str, tuple[str, str]] = {
    "郑州": ("郑州市", "zhengzhou"),
    "开封": ("开封市", "kaifeng"),
    "洛阳": ("洛阳市", "luoyang"),
    "平顶山": ("平顶山市", "pingdingshan"),
    "安阳": ("安阳市", "anyang"),
    "鹤壁": ("鹤壁市", "hebi"),
    "新乡": ("新乡市", "xinxiang"),
    "焦作": ("焦作市", "jiaozuo"),
    "濮阳": ("濮阳市", "puyang"),
    "许昌": ("许昌市", "xuchang"),
    "漯河": ("漯河市", "luohe"),
    "三门峡": ("三门峡市", "sanmenxia"),
    "南阳": ("南阳市", "nanyang"),
    "商丘": ("商丘市", "shangqiu"),
    "信阳": ("信阳市", "xinyang"),
    "周口": ("周口市", "zhoukou"),
    "驻马店": ("驻马店市", "zhumadian"),
    "济源": ("济源示范区", "jiyuan"),
}
HENAN_CITY_NAMES: tuple[str, ...] = tuple(full for full, _ in HENAN_CITIES.values())

_BY_PINYIN = {pinyin: full for full, pinyin in HENAN_CITIES.values()}
_PROVINCE_PREFIX = re.compile(r"^(河南省|河南)")
_PINYIN_SUFFIX = re.compile(r"(city|shi)$")


@lru_cache(maxsize=4096)
def normalize_city(value: str) -> str:
    """The stored name of a Henan city ("郑州" → "郑州市"); other places come back stripped.

    Accepts the short name, the name with 市 (and a district after it), a "河南省" prefix,
    and the pinyin in any case ("Zhengzhou", "zhengzhou city").
    """
    text = unicodedata.normalize("NFKC", value).strip()
    compact = re.sub(r"\s+", "", text)
    local = _PROVINCE_PREFIX.sub("", compact)
    for short, (full, _pinyin) in HENAN_CITIES.items():
        if local in (short, full) or local.startswith(short + "市"):
            return full
        if short == "济源" and local.startswith(("济源示范区", "济源产城融合示范区")):
            return full
    latin = _PINYIN_SUFFIX.sub("", compact.lower().replace("-", ""))
    if latin in _BY_PINYIN:
        return _BY_PINYIN[latin]
    return text
