"""Reading the office's Excel lists for an import: the first sheet of an .xlsx, its header row
found among the first rows whatever sits above it (a title, a note), and its columns matched by
their headers in Chinese or English, in any order.  services/enterprise_sheets and
services/project_sheet describe their columns and check the rows.
"""
from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO

from flask_babel import force_locale
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel

from crm.i18n import gettext as _
from crm.services.core.clock import check_date
from crm.services.core.errors import RuleError

# An .xlsx is a zip of XML: checked before openpyxl inflates anything, so that an upload within
# the size limit cannot unpack to gigabytes (a zip bomb) or hold millions of empty rows.
MAX_UNPACKED = 64 * 1024 * 1024  # bytes of XML in all; 20,000 rows of a full list are well below
MAX_RATIO = 100  # uncompressed / compressed size of a member: sheets of real text compress far less
RATIO_FROM = 1024 * 1024  # a small member may compress better (a short, repetitive styles.xml)
EXCEL_ROWS = 1_048_576  # a sheet declaring more rows than Excel can hold is not the office's
BLANK_ROWS = 10_000  # empty rows tolerated among the data (formatted but unused rows)
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row and a note row
LIST_SPLIT = re.compile(r"[、,，;；/|\n]+")  # several values in a cell; not spaces: "Industry leader"


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy string: the header in the UI language
    aliases: tuple[str, ...] = ()  # other Chinese headers offices use for the same column
    width: int = 16


class SheetError(RuleError):
    """The file as a whole cannot be imported (unreadable, no header row, too many rows)."""


@dataclass
class RowError:
    row: int  # the row number Excel shows
    column: str  # the column's header in the UI language
    message: str
    link: tuple[int, str] | None = None  # (id, name) of an existing record the row collides with


@dataclass
class RowChange:
    """An existing record a row changes: its fields as (label, old text, new text)."""
    row: int
    record_id: int
    name: str
    fields: list[tuple[str, str, str]]


@dataclass
class Result:
    created: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    updated: list[RowChange] = field(default_factory=list)
    unchanged: int = 0
    new: int = 0  # rows that would create a record: `created` holds them once saved


    @property
    def refused_rows(self) -> int:
        return len({e.row for e in self.errors})


def key(text) -> str:
    """A header or choice compared loosely: full/half width, case, spaces, "*" and "(必填)"."""
    return re.sub(r"\(.*?\)", "", strict_key(text))


def strict_key(text) -> str:
    """key() keeping what is in brackets: "项目名称（英文）" is not "项目名称"."""
    return re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(text or "")).casefold())


class NameIndex:
    """Sheet words → ids of records known by several names (name, short name, English name,
    user name …).  A word two records share is `ambiguous`; `ids` keeps the first of them."""

    def __init__(self, rows, *attrs):
        self.ids, self.ambiguous = {}, set()
        for row in rows:
            for attr in attrs:
                value = getattr(row, attr)
                if not value:
                    continue
                word = key(value)
                if self.ids.setdefault(word, row.id) != row.id:
                    self.ambiguous.add(word)

    def get(self, word) -> int | None:
        return self.ids.get(key(word))

    def __contains__(self, word) -> bool:
        return key(word) in self.ids


# "显示名（用户名）": how sheets write a person, so that two staff sharing a name read back apart.
_PERSON = re.compile(r"^(.*?)\s*[（(]\s*([^（）()]+?)\s*[）)]$")


def person_label(user) -> str | None:
    return f"{user.display_name}（{user.username}）" if user is not None else None


class People(NameIndex):
    """Users by username, display name or "显示名（用户名）" (what person_label writes)."""

    def __init__(self, users):
        users = list(users)
        super().__init__(users, "username", "display_name")
        self.usernames = {strict_key(u.username): u.id for u in users}

    def find(self, text) -> tuple[int | None, bool]:
        """(the user's id or None, whether the words name several users)."""
        found = _PERSON.match(unicodedata.normalize("NFKC", str(text or "")).strip())
        if found and strict_key(found.group(2)) in self.usernames:
            return self.usernames[strict_key(found.group(2))], False
        word = key(text)
        if word in self.ambiguous:
            return None, True
        return self.ids.get(word), False


def labels(label) -> set[str]:
    """A lazy label as Chinese and English text, whatever the UI language."""
    texts = set()
    for locale in ("zh_Hans_CN", "en"):
        with force_locale(locale):
            texts.add(str(label))
    return texts


def both_languages(label) -> set[str]:
    """The keys of a lazy label in Chinese and in English, whatever the UI language."""
    return {key(text) for text in labels(label)}


def cell_text(value) -> str | None:
    """A cell as the text a form would have sent: a whole number typed into a number cell (a
    phone such as 13800000000) reads as its digits, not 13800000000.0; a date as yyyy-mm-dd."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and callable(value.date):
        value = value.date().isoformat()
    text = str(value).strip()
    return text or None


# A date pasted as a value into a cell without a date format arrives as Excel's day number
# (46191 is 2026-06-18); only 1990–2099 is read so, never a year or an amount typed alone.
_SERIALS = (32874, 73050)
# 2024-05-01, 2024/5/1, 2024.5.1, 2024年5月1日: how dates are typed in the office's sheets.
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def cell_date(text: str | None) -> date | None:
    """A date typed or formatted in a cell (as cell_text gives it) within the range the forms
    accept (clock.check_date), or ValueError with the message to show.  Empty is None."""
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text).strip()
    if text.isdigit() and _SERIALS[0] <= int(text) <= _SERIALS[1]:
        return check_date(from_excel(int(text)).date())
    found = _DATE.fullmatch(text)
    try:
        typed = date(*(int(part) for part in found.groups())) if found else None
    except ValueError:  # 2024-02-30
        typed = None
    if typed is None:
        raise ValueError(_("无法识别的日期：%(value)s（请写成 2024-05-01）。", value=text))
    return check_date(typed)


def read(stream, columns: tuple[Column, ...], required: str, max_rows: int):
    """(column key → index, [(row number, cells)]) of the first sheet, whose header row is the
    first of HEADER_SEARCH_ROWS that names the `required` column.  Raises SheetError."""
    book = _open(stream)
    known = {k: column.key for column in reversed(columns)
             for k in both_languages(column.label) | {key(a) for a in column.aliases}}
    # An exact header wins over a loose one: "项目名称（英文）" is the English name, not the name.
    exact = {strict_key(k): column.key for column in reversed(columns) for k in labels(column.label)}
    try:
        found, data, blank = None, [], 0
        for number, cells in enumerate(_rows(book.worksheets[0], len(columns) + 20), start=1):
            if found is None:
                found = _header(cells, exact, known, required)
                if found is None and number >= HEADER_SEARCH_ROWS:
                    break
            elif any(cell_text(c) for c in cells):
                data.append((number, cells))
                if len(data) > max_rows:
                    raise SheetError(_("一次最多导入 %(n)s 行，请分批导入。", n=max_rows))
            else:
                blank += 1
            if blank > BLANK_ROWS:
                raise SheetError(_("表格的行数（含空行）过多：请删除数据下方的空行后再导入。"))
    finally:
        book.close()
    if found is None:
        label = next(c.label for c in columns if c.key == required)
        raise SheetError(_("前 %(n)s 行中没有找到表头：表头须有“%(column)s”一列（可下载导入模板）。",
                           n=HEADER_SEARCH_ROWS, column=label))
    if not data:
        raise SheetError(_("表头下面没有数据。"))
    return found, data


def _open(stream):
    """The uploaded workbook in openpyxl's read-only (streaming) mode, once its archive passed
    _check_archive and its first sheet's declared size is one Excel can hold.  Raises SheetError."""
    buffer = BytesIO(stream.read())
    try:
        with zipfile.ZipFile(buffer) as archive:
            _check_archive(archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
        raise _unreadable() from error
    buffer.seek(0)
    try:
        book = load_workbook(buffer, read_only=True, data_only=True)
        declared = book.worksheets[0].max_row  # from the sheet's <dimension ref="A1:Z2000000">
    except Exception as error:  # openpyxl raises many kinds for a file that is not .xlsx
        raise _unreadable() from error
    if declared and declared > EXCEL_ROWS:
        book.close()
        raise SheetError(_("表格声明了 %(n)s 行，超过 Excel 的上限，无法导入。", n=declared))
    return book


def _unreadable() -> SheetError:
    return SheetError(_("无法读取该文件：请上传 Excel 的 .xlsx 文件（.xls 请先在 Excel 中另存为 .xlsx）。"))


def _check_archive(members) -> None:
    """Refuse an archive whose members would inflate past MAX_UNPACKED or compress suspiciously
    well.  zipfile stops inflating a member at its declared size (and fails its CRC), so the
    declared sizes bound what openpyxl can read."""
    too_big = SheetError(_("该文件解压后过大（超过 %(mb)s MB），无法导入：请只保留要导入的表格和数据。",
                           mb=MAX_UNPACKED // (1024 * 1024)))
    if sum(member.file_size for member in members) > MAX_UNPACKED:
        raise too_big
    if any(member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1)
           for member in members):
        raise too_big


def _rows(sheet, max_col: int):
    """The sheet's rows as values.  Once its declared size was checked it is ignored, so that
    only the rows the file holds are read; BLANK_ROWS in read() bounds the empty rows openpyxl
    adds for a gap (a lone row 1,000,000)."""
    sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True, max_col=max_col)


def _header(cells, exact: dict, known: dict, required: str) -> dict[str, int] | None:
    found = {}
    for index, cell in enumerate(cells):
        column = exact.get(strict_key(cell)) or known.get(key(cell))
        if column is not None and column not in found:
            found[column] = index
    return found if required in found else None


def row_errors(number: int, errors: dict, columns: tuple[Column, ...], links: dict) -> list[RowError]:
    """A row's problems (column key → message) in the sheet's column order, under the headers."""
    order = {c.key: (i, c) for i, c in enumerate(columns)}
    return [RowError(number, str(order[k][1].label) if k in order else k, errors[k], links.get(k))
            for k in sorted(errors, key=lambda k: order.get(k, (len(order),))[0])]


def row_values(cells, columns: dict[str, int]) -> dict[str, str | None]:
    return {k: cell_text(cells[i]) if i < len(cells) else None for k, i in columns.items()}
