"""Labels Streamlit renders as Markdown carry user text escaped (no links, emphasis, colours)."""

from __future__ import annotations

from common import label


def test_a_link_in_a_name_stays_text() -> None:
    got = label("[点我](http://evil.example) *粗* :red[红] 河南省机械工程学会 #1 — 20 分")
    assert "](" not in got.replace("\\]\\(", "")  # every bracket and parenthesis escaped
    assert got == (
        "\\[点我\\]\\(http\\://evil.example\\) \\*粗\\* \\:red\\[红\\] "
        "河南省机械工程学会 #1 — 20 分"
    )


def test_plain_names_are_unchanged() -> None:
    assert label("#2 河南省给水排水学会 — 79 分") == "#2 河南省给水排水学会 — 79 分"
