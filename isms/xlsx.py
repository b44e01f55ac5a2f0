"""A minimal SpreadsheetML (.xlsx) writer whose output is the same bytes for the same input.

Why our own writer and not openpyxl: an xlsx file is a zip of a handful of small XML parts,
and the few features the export needs (typed cells, a bold frozen header row, an auto-filter,
column widths, dates) take a couple of hundred lines. Writing them directly makes the bytes a
pure function of the data and ``today``: no wall-clock ``created``/``modified`` times in
docProps, no zip entry times, no dictionary order to fix up afterwards, which openpyxl would
all need patched and the zip rewritten. It also lets every text cell be an inline string
(``t="inlineStr"``), so no value is ever written as a formula: there is no ``<f>`` element in
the output at all. Text that a spreadsheet would take for a formula when edited or saved as CSV
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) additionally gets the
``quotePrefix`` style, Excel's "leading apostrophe", so it stays text after editing too.
openpyxl is used to read workbooks (``isms import xlsx``) and, in the tests, to check this
writer's output.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from isms.tabular import width as display_width

CellValue = str | int | float | Decimal | dt.date | bool | None

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767          # Excel's limit for one cell
MIN_WIDTH, MAX_WIDTH = 6, 60    # column widths, in characters
EXCEL_EPOCH = dt.date(1899, 12, 30)

# Cell style indexes into cellXfs below.
STYLE_HEADER, STYLE_DATE, STYLE_TEXT_QUOTED = 1, 2, 3

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
# Characters XML 1.0 cannot carry; dropped from text.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel reads _xHHHH_ in text as an escaped character; escape the underscore to keep it literal.
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row (frozen, with an auto-filter) and data rows."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[CellValue, ...], ...]


def column_letter(index: int) -> str:
    """A for 0, Z for 25, AA for 26."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(value: str) -> str:
    value = _ILLEGAL_XML.sub("", value)
    if len(value) > MAX_CELL_CHARS:
        value = value[:MAX_CELL_CHARS - 1] + "…"
    return escape(_OOXML_ESCAPE.sub(r"_x005F_\1", value))


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else "0"
    return str(value)


def _cell(ref: str, value: CellValue, header: bool = False) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float, Decimal)):
        return f'<c r="{ref}"><v>{_number(value)}</v></c>'
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(day - EXCEL_EPOCH).days}</v></c>'
    text = str(value)
    style = STYLE_HEADER if header else STYLE_TEXT_QUOTED if text.startswith(FORMULA_START) else 0
    s = f' s="{style}"' if style else ""
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_text(text)}</t></is></c>'


def _shown(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"  # shown as a 10-character date
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def column_widths(sheet: Sheet) -> list[float]:
    """Widths in characters: the widest line of the header or any cell, within bounds."""
    widths = [float(display_width(h)) + 3 for h in sheet.headers]  # room for the filter button
    for row in sheet.rows:
        for i, value in enumerate(row[:len(widths)]):
            longest = max((display_width(line) for line in _shown(value).split("\n")), default=0)
            widths[i] = max(widths[i], float(longest) + 1)
    return [min(max(w, MIN_WIDTH), MAX_WIDTH) for w in widths]


def _worksheet(sheet: Sheet, selected: bool) -> str:
    ncols = max(len(sheet.headers), 1)
    last = f"{column_letter(ncols - 1)}{len(sheet.rows) + 1}"
    parts = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{_NS}" xmlns:r="{_REL_NS}">',
        f'<dimension ref="A1:{last}"/>',
        "<sheetViews><sheetView" + (' tabSelected="1"' if selected else "") + ' workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        '</sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="15"/>',
        "<cols>",
    ]
    for i, w in enumerate(column_widths(sheet)):
        parts.append(f'<col min="{i + 1}" max="{i + 1}" width="{w:g}" customWidth="1"/>')
    parts.append("</cols><sheetData>")
    header = "".join(_cell(f"{column_letter(i)}1", h, header=True)
                     for i, h in enumerate(sheet.headers))
    parts.append(f'<row r="1">{header}</row>')
    for r, row in enumerate(sheet.rows, start=2):
        cells = "".join(_cell(f"{column_letter(i)}{r}", v) for i, v in enumerate(row))
        parts.append(f'<row r="{r}">{cells}</row>' if cells else f'<row r="{r}"/>')
    parts.append("</sheetData>")
    parts.append(f'<autoFilter ref="A1:{last}"/>')
    parts.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
                 'footer="0.3"/></worksheet>')
    return "".join(parts)


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/>'
    '</patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{sheets}"
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.extended-properties+xml"/>'
        "</Types>"
    )


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)


def _core(title: str, today: dt.date) -> str:
    stamp = f"{today.isoformat()}T00:00:00Z"
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_text(title)}</dc:title><dc:creator>isms</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>isms</Application></Properties>"
)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _workbook(sheets: Sequence[Sheet]) -> str:
    entries = "".join(f'<sheet name="{_text(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, s in enumerate(sheets, start=1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_text(_quote_sheet(s.name))}!$A$1:${column_letter(max(len(s.headers), 1) - 1)}$"
        f"{len(s.rows) + 1}</definedName>"
        for i, s in enumerate(sheets))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL_NS}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{rels}'
        f'<Relationship Id="rId{count + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )


def check_sheet_names(sheets: Sequence[Sheet]) -> None:
    seen: set[str] = set()
    for s in sheets:
        if not s.name or len(s.name) > 31 or _BAD_SHEET_CHARS.search(s.name) \
                or s.name.startswith("'") or s.name.endswith("'"):
            raise ValueError(f"invalid sheet name {s.name!r}")
        if s.name.casefold() in seen:
            raise ValueError(f"duplicate sheet name {s.name!r}")
        seen.add(s.name.casefold())


def sheet_name(text: str, taken: Sequence[str] = ()) -> str:
    """``text`` made a valid, unused sheet name (31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("-", text).strip("'") or "Sheet"
    name, n = base[:31], 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    return name


def workbook_bytes(sheets: Sequence[Sheet], today: dt.date, title: str = "") -> bytes:
    """The .xlsx file of ``sheets``. Same sheets and ``today`` → same bytes: the document
    dates and every zip entry's time are ``today`` (midnight), entries are written in a fixed
    order with fixed attributes and compression level."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    check_sheet_names(sheets)
    parts: list[tuple[str, str]] = [
        ("[Content_Types].xml", _content_types(len(sheets))),
        ("_rels/.rels", _ROOT_RELS),
        ("docProps/core.xml", _core(title, today)),
        ("docProps/app.xml", _APP),
        ("xl/workbook.xml", _workbook(sheets)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
        ("xl/styles.xml", _STYLES),
    ]
    for i, s in enumerate(sheets, start=1):
        parts.append((f"xl/worksheets/sheet{i}.xml", _worksheet(s, selected=i == 1)))
    stamp = (max(today.year, 1980), today.month, today.day, 0, 0, 0) if today.year >= 1980 \
        else (1980, 1, 1, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            archive.writestr(info, text.encode("utf-8"), compresslevel=6)
    return buffer.getvalue()
