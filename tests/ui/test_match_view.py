"""The plain reasons a match shows say why it is, or is not, listed first."""

from __future__ import annotations

from match_view import plain_reasons


def test_a_society_kept_in_place_after_a_decline_says_so() -> None:
    kept = plain_reasons({"not_listed_first": "已建工作站 / existing workstation"}, [])
    assert kept == [
        "曾谢绝相似需求，未优先列出 declined a similar need, not listed first:"
        " 已建工作站 / existing workstation"
    ]
    moved = plain_reasons({"listed_first": "结对学会"}, ["焊接"])
    assert moved[0] == "优先列出 listed first: 结对学会" and not any("谢绝" in r for r in moved)
