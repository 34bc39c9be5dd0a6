"""统一社会信用代码 (GB 32100-2015) for demo enterprises."""

from __future__ import annotations

import random

from matcher.imports.validators import credit_code_check_char

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_CHARS = "0123456789"
_ORG_BODY_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    values = [int(ch, 36) for ch in body8]
    check = 11 - sum(v * w for v, w in zip(values, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_credit_code(rng: random.Random, division_code: str) -> str:
    """A valid code for an enterprise registered by industry and commerce (9, type 1)."""
    lead = rng.choice(_ORG_BODY_LETTERS) if rng.random() < 0.3 else rng.choice("3456789")
    body = lead + "".join(rng.choice(_ORG_BODY_CHARS) for _ in range(7))
    first17 = "91" + division_code + body + org_code_check_char(body)
    return first17 + credit_code_check_char(first17)
