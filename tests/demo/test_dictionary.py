"""The committed jieba dictionary and stop words: format, content, regenerability, effect."""

from __future__ import annotations

from pathlib import Path

import jieba
import pytest

from matcher.demo.dictionary import write_dictionary_files

DICT_DIR = Path(__file__).resolve().parents[2] / "data" / "dict"


def test_committed_files_are_what_the_generator_writes(tmp_path) -> None:
    written = write_dictionary_files(tmp_path)
    for name, path in written.items():
        committed = DICT_DIR / path.name
        assert committed.read_bytes() == path.read_bytes(), f"regenerate {name}"


def test_user_dict_format_and_required_terms() -> None:
    lines = (DICT_DIR / "user_dict.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) >= 400
    words = []
    for line in lines:
        word, freq, pos = line.split(" ")
        assert int(freq) > 0 and pos.isalpha()
        words.append(word)
    assert len(set(words)) == len(words)
    for term in ("盾构", "主轴承", "盾构机", "超硬材料", "聚晶金刚石", "立方氮化硼",
                 "难降解有机废水", "尼龙66", "冷链物流", "智能传感器", "新能源汽车", "生物质能",
                 "发制品", "四大怀药", "钨钼", "鲲鹏"):  # fmt: skip
        assert term in words


def test_stopwords_cover_filler_but_not_domain_terms() -> None:
    stop = set((DICT_DIR / "stopwords.txt").read_text(encoding="utf-8").split())
    assert {"的", "了", "和", "与", "及", "等", "我们", "公司", "企业", "需要", "希望", "问题",
            "进行", "相关", "the", "and"} <= stop  # fmt: skip
    assert not {"盾构", "轴承", "密封", "废水", "传感器"} & stop


@pytest.fixture(scope="module")
def tokenizer() -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.load_userdict(str(DICT_DIR / "user_dict.txt"))
    return tk


def test_dictionary_keeps_domain_terms_whole(tokenizer) -> None:
    words = tokenizer.lcut(
        "盾构主轴承密封失效，聚晶金刚石复合片热损伤，尼龙66切片发黄，难降解有机废水"
    )
    for term in ("盾构", "主轴承", "聚晶金刚石", "复合片", "尼龙66", "难降解有机废水"):
        assert term in words
