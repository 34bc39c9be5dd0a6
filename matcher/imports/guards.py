"""Guards against hostile or broken files, applied by ``readers.read_table`` to every file
(CLI, API and UI imports alike) before and after parsing:

* ``.xlsx``: a real zip whose members expand to at most ``max_xlsx_expanded_bytes`` in all,
  none compressed more than ``MAX_RATIO``× (a zip bomb), shared strings at most
  ``MAX_SHARED_STRINGS_BYTES`` (openpyxl keeps them in memory; sheets themselves stream);
* text files: a file mixing UTF-8 and GBK lines is refused (instead of imported as
  mojibake), and so is one with more than ``max_import_rows`` lines;
* any parser error of a damaged file (``csv.Error``, a truncated zip, broken XML …) becomes
  one clear file-level refusal; a cell longer than ``MAX_CELL_CHARS`` is refused;
* an .xlsx whose first sheet has formula cells without a saved result (a workbook written
  by a program, never opened in Excel) is refused, naming the cells: their value is unknown.
  Formula cells with a saved result import that result, as Excel shows it;
* CSV and xlsx cells lose the quote our exports put before formula-like text
  (``matcher.formulas``), so an export re-imports to the same values.

Every refusal is an ``InvalidInputError`` with a Chinese/English message; nothing is written.
``lock_imports`` makes two imports at once run one after the other.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from xml.etree import ElementTree

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from matcher.errors import InvalidInputError, MatcherError, RowError, ServiceBusyError
from matcher.formulas import restore

if TYPE_CHECKING:
    from matcher.imports.readers import RawTable

log = logging.getLogger(__name__)

MAX_RATIO = 100
"""Largest compression ratio of an .xlsx member over 1 MiB (XML usually compresses 5–20×)."""
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_CELL_CHARS = 131_072
"""Longest cell (the csv module's own field limit; Excel's is 32,767)."""
_CJK = re.compile(r"[\u3400-\u9fff]")


def _limits() -> tuple[int, int]:
    from matcher.config import get_settings

    settings = get_settings()
    return settings.max_import_rows, settings.max_xlsx_expanded_bytes


def _refuse(filename: str, zh: str, en: str) -> InvalidInputError:
    return InvalidInputError(f"{filename}：{zh}", f"{filename}: {en}", code="unreadable_file")


def check_bytes(filename: str, fmt: str, data: bytes) -> None:
    """File-level checks before parsing."""
    max_rows, max_expanded = _limits()
    if fmt == ".xlsx":
        _check_xlsx(filename, data, max_expanded)
        with read_errors(filename):
            check_formulas(filename, data)
        return
    lines = data.count(b"\n")
    if lines > max_rows + 100:  # header, title and notes rows
        raise _refuse(
            filename,
            f"行数过多（约 {lines} 行，上限 {max_rows} 行），请拆分文件",
            f"too many rows (about {lines}, at most {max_rows}); split the file",
        )
    mixed = mixed_encoding_lines(data)
    if mixed:
        utf8_line, gbk_line = mixed
        raise _refuse(
            filename,
            f"文件混用了两种编码（第 {utf8_line} 行为 UTF-8，第 {gbk_line} 行为 GBK），"
            "请整体另存为 UTF-8 后再导入",
            f"the file mixes two encodings (line {utf8_line} is UTF-8, line {gbk_line} is "
            "GBK); save it all as UTF-8 and import again",
        )


def mixed_encoding_lines(data: bytes) -> tuple[int, int] | None:
    """``(a UTF-8 line, a GBK line)`` when some lines hold Chinese in UTF-8 and others are
    not UTF-8 at all; ``None`` for a file in one encoding (or with a BOM)."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    utf8_line = gbk_line = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            gbk_line = gbk_line or number
        else:
            if _CJK.search(text):  # GBK bytes that happen to be UTF-8 are not CJK
                utf8_line = utf8_line or number
        if utf8_line and gbk_line:
            return utf8_line, gbk_line
    return None


def _check_xlsx(filename: str, data: bytes, max_expanded: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(
            filename, "不是有效的 Excel (.xlsx) 文件", "not a readable .xlsx workbook"
        ) from None
    mib = 1024 * 1024
    total = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or total > max_expanded:
        raise _refuse(
            filename,
            f"解压后过大（{total // mib} MiB，上限 {max_expanded // mib} MiB）",
            f"expands to {total // mib} MiB, more than the {max_expanded // mib} MiB allowed",
        )
    for m in members:
        ratio = m.file_size / max(1, m.compress_size)
        if m.flag_bits & 0x1:
            raise _refuse(filename, "文件已加密，请先取消密码", "the workbook is encrypted")
        shared = m.filename.lower().endswith("sharedstrings.xml")
        if (m.file_size > mib and ratio > MAX_RATIO) or (
            shared and m.file_size > MAX_SHARED_STRINGS_BYTES
        ):
            raise _refuse(
                filename,
                f"压缩比异常（{m.filename} 解压后 {m.file_size // mib} MiB），疑为压缩炸弹",
                f"{m.filename} expands {ratio:.0f}× to {m.file_size // mib} MiB; "
                "refused as a possible zip bomb",
            )


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The zip path of the workbook's first worksheet (the one imports read)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    sheet = book.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if sheet is None:
        return None
    rel_id = sheet.get(f"{_REL}id")
    for rel in rels.iter(f"{_PKG}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return None


def unevaluated_formulas(data: bytes, limit: int = 5) -> list[str]:
    """References of formula cells in the first sheet that carry no saved result."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        path = _first_sheet(archive)
        if path is None or path not in archive.namelist():
            return found
        with archive.open(path) as sheet:
            for _event, elem in ElementTree.iterparse(sheet, events=("end",)):
                if elem.tag == f"{_MAIN}c":
                    formula = elem.find(f"{_MAIN}f")
                    value = elem.find(f"{_MAIN}v")
                    if formula is not None and (value is None or not (value.text or "")):
                        found.append(elem.get("r", "?"))
                        if len(found) >= limit:
                            break
                    elem.clear()
                elif elem.tag == f"{_MAIN}row":
                    elem.clear()
    return found


def check_formulas(filename: str, data: bytes) -> None:
    cells = unevaluated_formulas(data)
    if cells:
        refs = ", ".join(cells)
        raise _refuse(
            filename,
            f"含有未计算的公式单元格（{refs}），请在 Excel 中打开并另存，或粘贴为数值",
            f"formula cells without a saved value ({refs}); open and save the workbook in "
            "Excel, or paste the values",
        )


@contextmanager
def read_errors(filename: str) -> Iterator[None]:
    """Any parser failure of a damaged file becomes one clear refusal."""
    try:
        yield
    except MatcherError:
        raise
    except Exception as exc:  # csv.Error, zlib.error, BadZipFile, XML errors, KeyError …
        log.info("unreadable import file %s: %r", filename, exc)
        if "field larger than field limit" in str(exc):
            raise _refuse(
                filename,
                f"某个单元格超过 {MAX_CELL_CHARS} 个字符",
                f"a cell is longer than {MAX_CELL_CHARS} characters",
            ) from None
        raise _refuse(
            filename,
            f"文件已损坏或格式不对，无法读取（{type(exc).__name__}）",
            f"the file is damaged or not in its format ({type(exc).__name__})",
        ) from None


def check_table(filename: str, fmt: str, table: RawTable) -> RawTable:
    """Row count and cell size limits; the formula quote taken off CSV and xlsx cells."""
    max_rows, _ = _limits()
    if len(table.rows) > max_rows:
        raise _refuse(
            filename,
            f"数据行过多（{len(table.rows)} 行，上限 {max_rows} 行），请拆分文件",
            f"too many rows ({len(table.rows)}, at most {max_rows}); split the file",
        )
    quoted = fmt in (".csv", ".xlsx")
    for number, row in table.rows:
        for header, value in row.items():
            if not isinstance(value, str):
                continue
            if len(value) > MAX_CELL_CHARS:
                row[header] = None
                table.errors.append(
                    RowError(
                        filename,
                        number,
                        header,
                        f"单元格超过 {MAX_CELL_CHARS} 个字符 / cell longer than "
                        f"{MAX_CELL_CHARS} characters",
                    )
                )
            elif quoted and value.startswith("'"):
                row[header] = restore(value)
    return table


# ---- one import at a time -------------------------------------------------------------------

IMPORT_LOCK = "matcher-import"
"""PostgreSQL: the advisory lock every import of one store takes, keyed by this name and the
store's schema (another store in another schema of the same database imports beside it)."""
IMPORT_LOCK_WAIT = 10.0
"""PostgreSQL: seconds an import waits for another one to finish (SQLite: the busy timeout)."""


def _import_busy() -> ServiceBusyError:
    return ServiceBusyError(
        "另一个导入正在进行，请稍后重试（未写入任何数据）",
        "another import is running; nothing was written, retry shortly",
        code="import_busy",
        retry_after=5,
    )


def lock_imports(session: Session, *, wait: float = IMPORT_LOCK_WAIT) -> None:
    """Serialise imports: wait until no other import's transaction is open, or raise
    ``ServiceBusyError`` (code ``import_busy``) telling the user to retry. Held until the
    caller's transaction ends, so two files with the same ids never race (which used to end
    one of them in an IntegrityError)."""
    if session.get_bind().dialect.name == "postgresql":
        deadline = time.monotonic() + wait
        while not session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key || current_schema(), 0))"),
            {"key": IMPORT_LOCK},
        ):
            if time.monotonic() > deadline:
                raise _import_busy()
            time.sleep(0.1)
        return
    try:  # SQLite: a (no-op) write takes the database's write lock now, for the whole import
        session.execute(text("UPDATE profile_revision SET revision = revision WHERE id = 0"))
    except OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise _import_busy() from None
        raise
