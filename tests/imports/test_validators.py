"""Cell parsers: credit codes, phones, e-mails, booleans, dates, counts, lists, cities."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matcher.imports.cities import HENAN_CITY_NAMES, normalize_city
from matcher.imports.validators import (
    CREDIT_CODE_ALPHABET,
    CellInvalid,
    credit_code_check_char,
    parse_bool,
    parse_code,
    parse_count,
    parse_credit_code,
    parse_date,
    parse_email,
    parse_list,
    parse_phone,
)

# Published codes (a Fuzhou example from the standard's guidance, and China Unicom's).
VALID_CODES = ["91350100M000100Y43", "91110000802100433B"]


@pytest.mark.parametrize("code", VALID_CODES)
def test_published_credit_codes_are_valid_and_their_check_char_is_computed(code: str) -> None:
    assert parse_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


def test_credit_code_is_normalised_to_upper_case_without_spaces() -> None:
    assert parse_credit_code(" 9111 0000 8021 0043 3b ") == "91110000802100433B"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y44", "校验位错误"),
        ("91350100M000100Y4", "应为 18 位"),
        ("91350100M000I00Y43", "非法字符 I"),
        ("91350100M000100Z43", "非法字符 Z"),
    ],
)
def test_bad_credit_codes_are_rejected_with_a_reason(code: str, message: str) -> None:
    with pytest.raises(CellInvalid) as info:
        parse_credit_code(code)
    assert message in info.value.reason
    assert " / " in info.value.reason  # Chinese / English


codes17 = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17)


@given(codes17)
def test_a_computed_check_char_always_validates(body: str) -> None:
    code = body + credit_code_check_char(body)
    assert parse_credit_code(code) == code


@given(codes17, st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_changing_any_one_character_is_detected(body: str, pos: int, ch: str) -> None:
    code = body + credit_code_check_char(body)
    changed = code[:pos] + ch + code[pos + 1 :]
    if changed != code:
        with pytest.raises(CellInvalid):
            parse_credit_code(changed)


def test_check_char_rejects_wrong_input() -> None:
    with pytest.raises(ValueError):
        credit_code_check_char("9135010")
    with pytest.raises(ValueError):
        credit_code_check_char("91350100M000100O4")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        (13800138000.0, "13800138000"),
        ("0371-66668888", "0371-66668888"),
        ("037166668888", "0371-66668888"),
        ("010-1234567", "010-1234567"),
        ("(0371)66668888", "0371-66668888"),
        ("0371-66668888-123", "0371-66668888-123"),
        ("0371-66668888转123", "0371-66668888-123"),
    ],
)
def test_phones(raw: object, stored: str) -> None:
    assert parse_phone(raw) == stored


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "66668888", "0371-666", "电话"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(CellInvalid, match="phone"):
        parse_phone(raw)


def test_emails() -> None:
    assert parse_email("zhang.san@zzu.edu.cn") == "zhang.san@zzu.edu.cn"
    for bad in ["zhang", "a@b", "a@@b.cn", "a b@c.cn", "a..b@c.cn", "@c.cn"]:
        with pytest.raises(CellInvalid, match="e-mail"):
            parse_email(bad)


@pytest.mark.parametrize("raw", ["是", "true", "TRUE", "1", "Y", "y", 1, True])
def test_true_values(raw: object) -> None:
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "false", "0", "N", 0, False])
def test_false_values(raw: object) -> None:
    assert parse_bool(raw) is False


def test_bad_boolean() -> None:
    with pytest.raises(CellInvalid):
        parse_bool("也许")


@pytest.mark.parametrize(
    "raw",
    [
        "2026-12-31",
        "2026/12/31",
        "2026.12.31",
        "2026年12月31日",
        "２０２６年１２月３１日",
        "2026-12-31 00:00:00",
        "20261231",
        46387,  # Excel serial number
        datetime(2026, 12, 31, 0, 0),
        date(2026, 12, 31),
    ],
)
def test_dates(raw: object) -> None:
    assert parse_date(raw) == date(2026, 12, 31)


@pytest.mark.parametrize("raw", ["2026-02-30", "明年", "31/12/2026", "2026-13-01"])
def test_bad_dates(raw: str) -> None:
    with pytest.raises(CellInvalid):
        parse_date(raw)


def test_counts() -> None:
    assert parse_count("5") == 5
    assert parse_count(7.0) == 7
    assert parse_count("0") == 0
    for bad in ["-1", "2.5", "五", True]:
        with pytest.raises(CellInvalid):
            parse_count(bad)


def test_lists_split_on_every_separator_and_drop_blanks_and_repeats() -> None:
    assert parse_list("焊接；材料;焊接,化工，农学、 林学 ;") == [
        "焊接",
        "材料",
        "化工",
        "农学",
        "林学",
    ]
    assert parse_list(["a", "b;c", None]) == ["a", "b", "c"]
    assert parse_list('["x", "y"]') == ["x", "y"]


def test_excel_float_ids_lose_their_point_zero() -> None:
    assert parse_code(1001.0) == "1001"
    assert parse_code("1001.0") == "1001"
    assert parse_code("A1.0") == "A1.0"


@pytest.mark.parametrize(
    ("raw", "city"),
    [
        ("郑州", "郑州市"),
        ("郑州市", "郑州市"),
        ("Zhengzhou", "郑州市"),
        ("ZHENGZHOU", "郑州市"),
        ("zhengzhou city", "郑州市"),
        ("河南省郑州市", "郑州市"),
        ("河南郑州", "郑州市"),
        ("郑州市金水区", "郑州市"),
        (" 平顶山 ", "平顶山市"),
        ("Xinyang", "信阳市"),
        ("Xinxiang", "新乡市"),
        ("济源", "济源示范区"),
        ("济源市", "济源示范区"),
        ("Jiyuan", "济源示范区"),
        ("济源示范区", "济源示范区"),
        ("北京市 ", "北京市"),
        ("武汉", "武汉"),
    ],
)
def test_city_normalisation(raw: str, city: str) -> None:
    assert normalize_city(raw) == city


def test_all_eighteen_henan_cities_are_known() -> None:
    assert len(HENAN_CITY_NAMES) == 18
    assert all(normalize_city(name) == name for name in HENAN_CITY_NAMES)
    shorts = [name.removesuffix("市").removesuffix("示范区") for name in HENAN_CITY_NAMES]
    assert [normalize_city(short) for short in shorts] == list(HENAN_CITY_NAMES)
