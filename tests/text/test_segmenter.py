"""Normalisation, segmentation with a user dictionary and stop words, keywords."""

from __future__ import annotations

from matcher.text.normalize import normalize
from matcher.text.segmenter import Segmenter, keywords


def test_normalize_full_width_case_space():
    assert normalize("ＡＢＣ　１２３\n  数控") == "abc 123 数控"


def test_user_dict_and_stopwords(tmp_path):
    (tmp_path / "user_dict.txt").write_text("智能网联汽车 10 n\n", encoding="utf-8")
    (tmp_path / "stopwords.txt").write_text("解决\n", encoding="utf-8")
    toks = Segmenter(tmp_path).tokens("解决智能网联汽车的感知问题，")
    assert "智能网联汽车" in toks and "解决" not in toks and "的" not in toks
    assert Segmenter(tmp_path / "missing").tokens("数控机床")  # missing files are fine


def test_keywords_weight_by_idf():
    assert keywords(["机床", "机床", "技术"], {"机床": 2.0, "技术": 0.1}, top_n=1) == ["机床"]
