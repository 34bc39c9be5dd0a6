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


def test_keywords_that_explain_are_informative_words_only():
    from matcher.config import REPO_ROOT

    seg = Segmenter(REPO_ROOT / "data" / "dict")
    text = "包括现有工艺优化，详见 http://www.abc.com/p/123 郑州 数控机床主轴 2024"
    toks = seg.keyword_tokens(text)
    assert "abc" not in toks and "123" not in toks  # the URL is gone before segmenting
    kept = [t for t in toks if seg.informative(t)]
    assert "数控机床" in "".join(kept) and "主轴" in "".join(kept)
    for noise in ("包括", "现有", "优化", "郑州", "2024"):
        assert noise not in kept
