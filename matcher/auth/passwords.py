"""The password policy, the same for the CLI, the API and the UI."""

from __future__ import annotations

import unicodedata

from matcher.errors import InvalidInputError

MIN_LENGTH = 10
MAX_LENGTH = 1024

COMMON = frozenset(
    """
    password password1 password12 password123 password1234 passw0rd p@ssw0rd p@ssword
    1234567890 12345678910 0123456789 0987654321 1111111111 0000000000 1234512345
    123456789a a123456789 abc1234567 abcd123456 qwertyuiop qwerty1234 qwerty12345
    1qaz2wsx3edc 1q2w3e4r5t qazwsxedc123 asdfghjkl1 zxcvbnm123 iloveyou12 iloveyou123
    letmein123 welcome123 welcome1234 admin12345 admin123456 administrator adminadmin
    changeme123 sunshine123 football123 baseball123 superman123 trustno1trustno1
    woaini1314 woaini520 5201314520 aa123456789 a1234567890 abcdefghij 1234abcd1234
    zhang123456 wang1234567 li123456789 88888888888 6666666666 9999999999 5555555555
    matcher123 matcher2026 demo123456 test123456 testtest12 secret1234
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _fail(zh: str, en: str) -> InvalidInputError:
    return InvalidInputError(
        f"密码不符合要求：{zh}", f"password rejected: {en}", code="weak_password"
    )


def check_password(password: str, *, username: str = "") -> None:
    """Raise ``InvalidInputError`` (code ``weak_password``) unless ``password`` has at least
    ten characters, is not all blank, is not a common password and is not the username."""
    if not password.strip():
        raise _fail("不能为空或全为空白", "it must not be empty or blank")
    if len(password) < MIN_LENGTH:
        raise _fail(f"至少 {MIN_LENGTH} 个字符", f"it needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise _fail(f"最多 {MAX_LENGTH} 个字符", f"it may have at most {MAX_LENGTH} characters")
    folded = unicodedata.normalize("NFKC", password).strip().casefold()
    if folded in COMMON or len(set(folded)) <= 2:
        raise _fail("过于常见或简单", "it is too common or too simple")
    if username and folded == unicodedata.normalize("NFKC", username).strip().casefold():
        raise _fail("不能与用户名相同", "it must differ from the username")
