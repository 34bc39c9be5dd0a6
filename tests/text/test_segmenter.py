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


def test_an_enterprises_everyday_words_never_explain_a_match():
    """How enterprises write a need ("老是", "想找专家来看看", "急需攻关") is kept for ranking
    but never shown to a society as a matched keyword; its technical words are."""
    from matcher.config import REPO_ROOT

    seg = Segmenter(REPO_ROOT / "data" / "dict")
    text = (
        "我们厂焊接机器人焊缝老是有气孔，急需攻关，想找专家来现场看看，订单交期越来越紧。"
        "新国标刚过，面临淘汰，实施改造。"
    )
    toks = seg.keyword_tokens(text)
    kept = [t for t in toks if seg.informative(t)]
    assert "焊缝" in kept and "气孔" in kept
    everyday_words = (
        "老是",
        "攻关",
        "看看",
        "现场",
        "订单",
        "交期",
        "越来越",
        "刚过",
        "面临",
        "淘汰",
    )
    for everyday in everyday_words:
        assert everyday in toks and everyday not in kept, everyday


def test_keyword_tokens_reuse_the_texts_tokens_only_without_urls():
    """Given ``tokens(text)``, a text without URLs is not cut again (the same tokens, a
    copy); one with a URL still loses it."""
    from matcher.config import REPO_ROOT

    seg = Segmenter(REPO_ROOT / "data" / "dict")
    texts = ("数控机床主轴的精度　ＡＢＣ 问题", "详见 http://www.abc.com/p/123 数控机床", "", None)
    for text in texts:
        toks = seg.tokens(text)
        got = seg.keyword_tokens(text, toks)
        assert got == seg.keyword_tokens(text) and got is not toks
    url = "详见 www.abc.com/p/123 数控机床"
    assert "abc" in seg.tokens(url) and "abc" not in seg.keyword_tokens(url, seg.tokens(url))
    assert seg.keyword_tokens("数控机床", ["别的"]) == ["别的"]  # (taken as given)


def test_the_compiled_engine_cuts_as_jieba_does():
    """Same tokens as jieba 0.42.1 with our user dictionary, on the CSL sample (when present)
    and on our own example and dictionary texts."""
    import json

    import pytest

    from matcher.config import REPO_ROOT

    pytest.importorskip("jieba_fast_dat")
    texts = [
        "在0.05mol条件下，产率提高30%，误差0.3%-0.4%，8sr0.2ga0.8合金",
        "钨钼材料与盾构机主轴承的术前评估，c++与5g通信、b超检测",
    ]
    csl = REPO_ROOT.parent / "shared" / "benchmarks" / "csl" / "dev.jsonl"
    if csl.is_file():
        for line in csl.read_text(encoding="utf-8").splitlines()[:400]:
            paper = json.loads(line)
            texts += [paper["title"], paper["abstract"], *paper["keywords"]]
    for path in (REPO_ROOT / "data" / "examples").glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    dict_dir = REPO_ROOT / "data" / "dict"
    texts += (dict_dir / "user_dict.txt").read_text(encoding="utf-8").splitlines()[:300]
    plain = Segmenter(dict_dir, engine="jieba")
    fast = Segmenter(dict_dir, engine="compiled")
    assert fast.engine_name == "compiled"
    for text in texts:
        norm = normalize(text)
        assert fast.engine.cut(norm) == plain.engine.cut(norm), text


def test_remembered_token_checks_cut_as_checking_each_token(monkeypatch):
    """Each distinct token's content check is remembered (bounded); stop words are looked
    up apart, so a segmenter whose stop words change cuts with the new ones."""
    import re

    from matcher.text import segmenter

    def plain(seg: Segmenter, text: str) -> list[str]:  # the check of every token, in line
        out = []
        for tok in seg.engine.cut(normalize(text)):
            tok = tok.strip()
            if not tok or tok in seg.stopwords or not re.search(r"[\w\u4e00-\u9fff]", tok):
                continue
            if not (len(tok) == 1 and re.match(r"[\u4e00-\u9fff]", tok)):
                out.append(tok)
        return out

    monkeypatch.setattr(segmenter, "MEMO_MAX", 3)  # forgets often
    seg = Segmenter(None)
    texts = ["数控机床的主轴 , 精度 C++ 与 12.5% ！", "水库 大坝。。 a b", "的 了 和", "AB-c x.y"]
    for text in texts * 2:
        assert seg.tokens(text) == plain(seg, text)
    seg.stopwords.add("主轴")
    assert "主轴" not in seg.tokens(texts[0]) and seg.tokens(texts[0]) == plain(seg, texts[0])


def test_many_texts_cut_in_workers_give_the_tokens_of_one_process(monkeypatch):
    from matcher.config import REPO_ROOT

    seg = Segmenter(REPO_ROOT / "data" / "dict")
    texts = [f"研究数控机床主轴热变形与精度补偿{i}，齿轮传动噪声控制" for i in range(300)]
    monkeypatch.setattr("matcher.text.segmenter.PARALLEL_MIN", 10)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    cut = seg.tokens_many(texts)
    assert cut == [seg.tokens(t) for t in texts]
    first = {t: t for t in cut[0]}  # a token is one string object, whichever chunk held it
    assert all(t is first[t] for toks in cut for t in toks if t in first)
