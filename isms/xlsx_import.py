"""Reading an office's register workbook into isms entities: `isms import xlsx`.

How a sheet is read:

* **Header row.** The row, among the first 20, whose cells match the most known column headers
  (at least two, or one with a mapping file); rows above it (titles, notes) are ignored.
  Headers are compared case-, width- and space-insensitively, in English or Chinese, with the
  aliases of :mod:`isms.register_columns`; a mapping file maps any other header to a field path.
  A header that matches nothing is reported and its column ignored.
* **Merged cells** hold their value in every cell they cover (an ID merged over three rows
  gives the three rows that ID).
* **Skipped rows.** A blank row (no value in any cell), a row with values only in ignored
  columns, and a *total row* are skipped: a total row is one whose first non-blank cell is
  text starting with the word total, totals, sum, subtotal, grand total, 合计, 总计, 小计 or
  共计 ("Total:", "Grand total 12", "合计（5项）"; not "Totally").
* **Entities.** Rows with the same ID are one entity; columns of a list (``sla[].metric``)
  give one list item per row. A row with no ID whose only values are list columns continues
  the entity above; any other row without an ID is an error. Numbers in the ID column become
  ids with the kind's prefix (3 → RSK-003); an evaluation without an ID gets
  EVAL-<third party>-<period>.
* **Values** are converted by the field's type in the JSON Schema: dates from date cells or
  text (:mod:`isms.datetext`), whole numbers, numbers, allowed values, lists split at commas,
  semicolons, 、 or line breaks; ``configuration`` as ``key: value`` lines.
* **Existing entities** are updated field by field: a blank cell never clears a field, columns
  the sheet does not have keep their values, a list column replaces the list (or, with as
  many rows as the list has items, updates the items in order), and a Text column in one
  language replaces only that language. When the result equals the file, the entity is
  unchanged.
* **Checks before writing.** Every entity is validated against its schema and its references,
  roles, domain and risk levels are checked against the repository, so what is written passes
  `isms check`; a row that fails is reported with its sheet, row and column and not written.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from isms.datetext import DATE_FORMS, parse_date
from isms.errors import UsageError
from isms.import_plan import EntityChange, ImportPlan, Problem, action_of
from isms.model import REFS_BY_KIND, ROLE_FIELDS, Repo, iter_spec
from isms.periods import parse_period
from isms.register_columns import (
    LAYOUTS,
    FieldType,
    SheetColumn,
    columns,
    field_type,
    normalise,
    plain_text_columns,
    property_order,
)
from isms.scaffold import FOLDER_OF_KIND, ID_PATTERN
from isms.schema import json_path, validate
from isms.xlsx import column_letter

HEADER_SCAN_ROWS = 20
TOTAL_WORDS = ("grand total", "sub total", "subtotal", "totals", "total", "sum", "合计", "总计",
               "小计", "共计")
_SPLIT = re.compile(r"\s*[,;，；、\n]\s*")
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_PERIOD_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_PERIOD_QUARTER = re.compile(r"^(\d{4})\s*(?:[-\s]?[Qq]|年第)\s*([1-4])\s*(?:季度)?$")
_IGNORE = "ignore"
_DERIVED = "derived"


@dataclass(frozen=True)
class ColumnMapping:
    """A mapping file: header → field path (None: ignore the column), optionally the sheet
    and the header row."""

    columns: Mapping[str, str | None]
    sheet: str | None = None
    header_row: int | None = None


def read_mapping(path: Path, kind: str) -> ColumnMapping:
    """Read and check a mapping file (YAML); a bad one is a usage error, not a crash."""
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"cannot read mapping file {path}: {exc}") from None
    if not isinstance(data, Mapping):
        raise UsageError(f"mapping file {path}: expected a mapping of column header to field path")
    sheet, header_row = None, None
    cols: Any = data
    if "columns" in data:
        cols = data.get("columns")
        sheet = data.get("sheet")
        header_row = data.get("header_row")
        if sheet is not None and not isinstance(sheet, str):
            raise UsageError(f"mapping file {path}: `sheet` must be a sheet name")
        if header_row is not None and (not isinstance(header_row, int) or isinstance(header_row, bool)
                                       or header_row < 1):
            raise UsageError(f"mapping file {path}: `header_row` must be a row number (1, 2, ...)")
    if not isinstance(cols, Mapping):
        raise UsageError(f"mapping file {path}: `columns` must map column headers to field paths")
    out: dict[str, str | None] = {}
    for header, target in cols.items():
        if target is None or target == "":
            out[str(header)] = None
            continue
        if not isinstance(target, str) or field_type(kind, target) is None:
            raise UsageError(f"mapping file {path}: {header!r} → {target!r}: a {kind} has no "
                             f"field {target!r}",
                             hint="field paths look like title.en, treatment.due, sla[].target")
        out[str(header)] = target
    return ColumnMapping(out, sheet, header_row)


# --- reading the workbook ---------------------------------------------------------------------

def _unescape(value: Any) -> Any:
    """Excel writes some characters as _xHHHH_ in its XML; openpyxl leaves them escaped."""
    if isinstance(value, str) and "_x" in value:
        return _OOXML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), value)
    return value


@dataclass(frozen=True)
class Grid:
    name: str
    rows: tuple[tuple[Any, ...], ...]   # values, merged ranges filled with their first value


def read_sheets(path: Path) -> list[Grid]:
    """Every sheet of the workbook as a grid of values (cached results of formulas)."""
    import zipfile

    try:
        from openpyxl import load_workbook
    except ImportError:  # pragma: no cover - a main dependency
        raise UsageError("reading .xlsx files needs openpyxl: pip install openpyxl") from None
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError,
            TypeError) as exc:
        raise UsageError(f"cannot read {path} as an .xlsx workbook: {exc}",
                         hint="save it as Excel Workbook (.xlsx); .xls and .csv are not read") \
            from None
    grids = []
    for ws in book.worksheets:
        width = ws.max_column or 0
        rows = [[_unescape(v) for v in row] + [None] * (width - len(row))
                for row in ws.iter_rows(values_only=True)]
        for rng in ws.merged_cells.ranges:
            top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
            for r in range(rng.min_row - 1, min(rng.max_row, len(rows))):
                for c in range(rng.min_col - 1, min(rng.max_col, width)):
                    rows[r][c] = top
        grids.append(Grid(ws.title, tuple(tuple(r) for r in rows)))
    return grids


# --- cells to values --------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _shown(value) if not isinstance(value, str) else value.strip()


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMBER.match(unicodedata.normalize("NFKC", value).strip()):
        number = Decimal(unicodedata.normalize("NFKC", value).strip().replace(",", ""))
    else:
        return None
    return number if number.is_finite() else None


def _number_value(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


class CellError(Exception):
    """A cell that cannot be converted; the message says why."""


def _period(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return f"{value.year:04d}-{value.month:02d}"
    text = unicodedata.normalize("NFKC", _as_text(value))
    if parse_period(text) is not None:  # (text is stripped)
        return text
    m = _PERIOD_MONTH.match(text)
    if m and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}"
    m = _PERIOD_QUARTER.match(text)
    if m:
        return f"{m[1]}-Q{m[2]}"
    raise CellError(f"{_shown(value)!r} is not a period (2026-10, 2026-Q4 or 2026)")


def _scalar(ftype: FieldType, value: Any, prefix: str) -> Any:
    name = ftype.name
    if name in ("integer", "number"):
        number = _as_number(value)
        if number is None:
            raise CellError(f"{_shown(value)!r} is not a {'whole number' if name == 'integer' else 'number'}")
        if name == "integer" and number != number.to_integral_value():
            raise CellError(f"{_shown(value)!r} is not a whole number")
        return int(number) if name == "integer" else _number_value(number)
    if name == "date":
        day = parse_date(value)
        if day is None:
            raise CellError(f"{_shown(value)!r} is not a date (write {DATE_FORMS})")
        return day.isoformat()
    if name == "enum":
        text = _as_text(value)
        key = re.sub(r"[\s_]+", "-", text.casefold())
        for allowed in ftype.enum:
            if key == allowed.casefold():
                return allowed
        raise CellError(f"{text!r} is not one of: {', '.join(ftype.enum)}")
    if name == "id":
        text = unicodedata.normalize("NFKC", _as_text(value))
        if prefix and re.fullmatch(r"\d+", text):
            return f"{prefix}-{int(text):03d}"
        if not ID_PATTERN.match(text):
            example = f"{prefix}-001" if prefix else "PREFIX-NAME"
            raise CellError(f"{text!r} is not an id (ids look like {example})")
        return text
    if name == "role":
        return _as_text(value)
    return _as_text(value)


def convert(ftype: FieldType, value: Any, path: str, prefix: str) -> Any:
    """The field value for a non-blank cell; raises :class:`CellError`."""
    if path == "period":
        return _period(value)
    if ftype.name == "list":
        item = ftype.item or FieldType("string")
        parts = [p for p in _SPLIT.split(_as_text(value)) if p] if isinstance(value, str) \
            else [value]
        return [_scalar(item, p, "") for p in parts]
    if ftype.name == "map":
        out: dict[str, str] = {}
        for line in _as_text(value).splitlines():
            if not line.strip():
                continue
            m = re.match(r"^\s*([^:：=]+?)\s*[:：=]\s*(.*?)\s*$", line)
            if not m:
                raise CellError(f"{line.strip()!r} is not a `key: value` line")
            out[m[1]] = m[2]
        return out
    return _scalar(ftype, value, prefix if path == "id" else "")


# --- sheets to rows ---------------------------------------------------------------------------

@dataclass
class _Assembly:
    id: str
    rows: list[int] = field(default_factory=list)
    scalars: dict[str, tuple[Any, int, int]] = field(default_factory=dict)   # path → value, row, col
    groups: dict[str, list[tuple[dict[str, Any], int, dict[str, int]]]] = field(default_factory=dict)
    bad: bool = False


def _where(sheet: str, row: int | None = None, col: int | None = None, header: str = "") -> str:
    out = f"sheet {sheet!r}"
    if row is not None:
        out += f", row {row}"
    if col is not None:
        out += f", column {column_letter(col)}"
        if header:
            out += f" ({header})"
    return out


def _is_total(row: Sequence[Any]) -> bool:
    first = next((v for v in row if not _blank(v)), None)
    if not isinstance(first, str):
        return False
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", first).casefold().strip())
    for word in TOTAL_WORDS:
        if text.startswith(word):
            rest = text[len(word):]
            if not rest or not rest[0].isalpha() or not word.isascii():
                return True
    return False


def _set(data: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child
    node[parts[-1]] = value


def _same(a: Any, b: Any) -> bool:
    """Equal for the import: numbers by value, text ignoring surrounding space."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a == b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except InvalidOperation:  # pragma: no cover - nan/inf never come from a sheet
            return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return bool(a == b)


def _merge_text(old: Any, new: Any) -> Any:
    if isinstance(new, str):
        if isinstance(old, str) and _same(old, new):
            return old
        if isinstance(old, Mapping) and any(isinstance(v, str) and _same(v, new)
                                            for v in old.values()):
            return old
        return new
    if isinstance(new, Mapping):
        if isinstance(old, str):
            return old if all(_same(old, v) for v in new.values()) else dict(new)
        if isinstance(old, Mapping):
            out = dict(old)
            for lang, text in new.items():
                if not (lang in old and _same(old[lang], text)):
                    out[lang] = text
            return out
    return new


def merge_value(kind: str, path: str, old: Any, new: Any) -> Any:
    """``new`` (from the sheet) laid over ``old`` (from the file); ``old`` itself wherever the
    two agree, so an unchanged entity compares equal to its file."""
    ftype = field_type(kind, path) if path and not path.endswith("[]") else None
    if ftype is not None and ftype.name == "text":
        return _merge_text(old, new)
    if isinstance(new, Mapping) and isinstance(old, Mapping):
        out = dict(old)
        for key, value in new.items():
            sub = f"{path}.{key}" if path else str(key)
            out[key] = merge_value(kind, sub, old[key], value) if key in old else value
        return out
    if isinstance(new, list) and isinstance(old, list):
        if (new and len(new) == len(old) and all(isinstance(i, Mapping) for i in new)
                and all(isinstance(i, Mapping) for i in old)):
            merged = [merge_value(kind, f"{path}[]", o, n) for o, n in zip(old, new, strict=True)]
            return old if _same(merged, old) else merged
        return old if _same(old, new) else new
    return old if _same(old, new) else new


def _ordered(kind: str, data: Mapping[str, Any], path: tuple[str, ...] = ()) -> dict[str, Any]:
    order = property_order(kind, path)
    keys = sorted(data, key=lambda k: (order.index(k) if k in order else len(order), 0))
    out: dict[str, Any] = {}
    for key in keys:
        value = data[key]
        if isinstance(value, Mapping) and order:
            value = _ordered(kind, value, (*path, key))
        elif isinstance(value, list):
            value = [_ordered(kind, v, (*path, key)) if isinstance(v, Mapping) else v for v in value]
        out[key] = value
    return out


@dataclass
class _Reader:
    repo: Repo
    kind: str
    sheet: str
    grid: Grid
    mapping: ColumnMapping | None
    problems: list[Problem] = field(default_factory=list)

    def error(self, row: int | None, col: int | None, header: str, message: str) -> None:
        self.problems.append(Problem(_where(self.sheet, row, col, header), message))

    def note(self, row: int | None, col: int | None, header: str, message: str) -> None:
        self.problems.append(Problem(_where(self.sheet, row, col, header), message, "note"))

    def names(self) -> dict[str, SheetColumn | str]:
        languages = self.repo.config.languages or ("en",)
        table: dict[str, SheetColumn | str] = {}
        layout = LAYOUTS[self.kind]
        for header, zh in layout.derived:
            table[normalise(header)] = _DERIVED
            table[normalise(zh)] = _DERIVED
        for col in (*plain_text_columns(self.kind, languages), *columns(self.kind, languages)):
            for name in col.names:
                if name:
                    table[normalise(name)] = col
        if self.mapping is not None:
            for header, target in self.mapping.columns.items():
                if target is None:
                    table[normalise(header)] = _IGNORE
                    continue
                ftype = field_type(self.kind, target)
                assert ftype is not None  # checked by read_mapping
                table[normalise(header)] = SheetColumn(header, target, ftype, (header,))
        return table

    def header_row(self, table: Mapping[str, SheetColumn | str]) -> int | None:
        rows = self.grid.rows
        if self.mapping is not None and self.mapping.header_row is not None:
            return self.mapping.header_row if self.mapping.header_row <= len(rows) else None
        best, best_count = None, 0
        for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            count = sum(1 for v in row if isinstance(v, str) and normalise(v) in table)
            if count > best_count:
                best, best_count = i + 1, count
        needed = 1 if self.mapping is not None else 2
        return best if best_count >= needed else None

    def read(self) -> dict[str, _Assembly]:
        table = self.names()
        header_at = self.header_row(table)
        if header_at is None:
            known = ", ".join(c.header for c in LAYOUTS[self.kind].columns)
            self.error(None, None, "", f"no header row: none of the first {HEADER_SCAN_ROWS} rows "
                       f"has two or more known {self.kind} column headers ({known}, or their "
                       f"Chinese names); give a --mapping file for other headers")
            return {}
        header = self.grid.rows[header_at - 1]
        mapped: dict[int, SheetColumn] = {}
        by_path: dict[str, int] = {}
        for j, raw in enumerate(header):
            if _blank(raw):
                continue
            text = str(raw).strip()
            target = table.get(normalise(text))
            if target is None:
                self.note(None, j, text, "unknown column, ignored (map it in a --mapping file to "
                                         "import it)")
                continue
            if isinstance(target, str):
                continue
            if target.path in by_path:
                self.note(None, j, text, f"{target.path} already comes from column "
                                         f"{column_letter(by_path[target.path])}; ignored")
                continue
            mapped[j] = SheetColumn(text, target.path, target.type, target.names)
            by_path[target.path] = j
        id_col = by_path.get("id")
        derive = self.kind == "evaluation" and "third_party" in by_path and "period" in by_path
        if id_col is None and not derive:
            self.error(header_at, None, "", "no ID column (ID, 编号): the rows cannot be matched "
                                            "to entities")
            return {}
        return self.rows(header_at, mapped, id_col)

    def rows(self, header_at: int, mapped: Mapping[int, SheetColumn],
             id_col: int | None) -> dict[str, _Assembly]:
        prefix = LAYOUTS[self.kind].prefix
        entities: dict[str, _Assembly] = {}
        last: _Assembly | None = None
        for index in range(header_at, len(self.grid.rows)):
            r = index + 1
            row = self.grid.rows[index]
            if all(_blank(v) for v in row):
                continue
            if _is_total(row):
                self.note(r, None, "", "total row, skipped")
                continue
            cells = {j: row[j] for j in mapped if j < len(row) and not _blank(row[j])}
            if not cells:
                self.note(r, None, "", "no value in any imported column, skipped")
                continue
            values: dict[int, Any] = {}
            failed = False
            for j, raw in cells.items():
                col = mapped[j]
                try:
                    values[j] = convert(col.type, raw, col.path, prefix)
                except CellError as exc:
                    failed = True
                    self.error(r, j, col.header, str(exc))
            ident: str | None = None
            if id_col is not None and id_col in values:
                ident = values[id_col]
            elif id_col is not None and id_col in cells:
                ident = None  # unconvertible id: already reported
            else:
                only_lists = all("[]" in mapped[j].path for j in cells)
                if only_lists and last is not None:
                    ident = last.id
                elif self.kind == "evaluation":
                    parts = {mapped[j].path: v for j, v in values.items()}
                    party, period = parts.get("third_party"), parts.get("period")
                    if isinstance(party, str) and isinstance(period, str):
                        ident = f"EVAL-{party}-{period}"
                if ident is None:
                    self.error(r, id_col, mapped[id_col].header if id_col is not None else "",
                               "no ID: the row cannot be matched to an entity")
                    continue
            if ident is None:
                continue
            entity = entities.setdefault(ident, _Assembly(ident))
            last = entity
            entity.rows.append(r)
            if failed:
                entity.bad = True
            self.collect(entity, r, mapped, values)
        return entities

    def collect(self, entity: _Assembly, r: int, mapped: Mapping[int, SheetColumn],
                values: Mapping[int, Any]) -> None:
        items: dict[str, tuple[dict[str, Any], dict[str, int]]] = {}
        for j, value in values.items():
            col = mapped[j]
            if col.path == "id":
                continue
            if "[]" in col.path:
                group, _, rest = col.path.partition("[].")
                item, origin = items.setdefault(group, ({}, {}))
                _set(item, rest.split("."), value)
                origin[rest] = j
                continue
            seen = entity.scalars.get(col.path)
            if seen is not None and not _same(seen[0], value):
                self.error(r, j, col.header, f"{_display(value)} differs from {_display(seen[0])} "
                                             f"in row {seen[1]} for {entity.id}")
                entity.bad = True
                continue
            if seen is None:
                entity.scalars[col.path] = (value, r, j)
        for group, (item, origin) in items.items():
            entity.groups.setdefault(group, []).append((item, r, origin))


def _display(value: Any) -> str:
    if isinstance(value, list):
        return repr(", ".join(str(v) for v in value))
    return repr(value)


# --- entities to changes ----------------------------------------------------------------------

def _json_key(path: str) -> str:
    out = "$"
    for part in path.split("."):
        out += f".{part}"
    return out


class _Planner:
    def __init__(self, repo: Repo, kind: str, sheet: str, reader: _Reader,
                 mapped_headers: Mapping[int, str]) -> None:
        self.repo = repo
        self.kind = kind
        self.sheet = sheet
        self.reader = reader
        self.headers = mapped_headers

    def partial(self, a: _Assembly) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
        """The entity data the sheet gives, and where each value came from (JSON path →
        row, column)."""
        data: dict[str, Any] = {}
        origin: dict[str, tuple[int, int]] = {}
        for path, (value, r, j) in a.scalars.items():
            _set(data, path.split("."), value)
            origin[_json_key(path)] = (r, j)
        for group, items in a.groups.items():
            data[group] = [item for item, _, _ in items]
            for i, (_, r, cols) in enumerate(items):
                for rest, j in cols.items():
                    origin[_json_key(f"{group}[{i}].{rest}")] = (r, j)
        return data, origin

    def locate(self, origin: Mapping[str, tuple[int, int]], json_path: str,
               first_row: int) -> tuple[int, int | None]:
        if json_path in origin:
            return origin[json_path]
        for key in sorted(origin):   # a value inside a list or object from one cell
            if json_path.startswith(key + "[") or json_path.startswith(key + "."):
                return origin[key]
        parent = json_path.rsplit(".", 1)[0]
        for key in sorted(origin):   # a sibling of a missing required field inside an object
            if parent != "$" and (key.startswith(parent + ".") or key.startswith(parent + "[")):
                return origin[key]
        return first_row, None

    def fail(self, origin: Mapping[str, tuple[int, int]], json_path: str, first_row: int,
             message: str) -> None:
        r, j = self.locate(origin, json_path, first_row)
        header = self.headers.get(j, "") if j is not None else ""
        self.reader.error(r, j, header, message)

    def check_refs(self, data: Mapping[str, Any], origin: Mapping[str, tuple[int, int]],
                   first_row: int, batch: Mapping[str, str]) -> bool:
        ok = True
        config = self.repo.config
        for ref in REFS_BY_KIND.get(self.kind, ()):
            for path, value in iter_spec(data, ref.spec):
                if not isinstance(value, str):
                    continue
                target = self.repo.by_id.get(value)
                kind = target.kind if target is not None else batch.get(value)
                jp = json_path(path)
                if kind is None:
                    self.fail(origin, jp, first_row,
                              f"{value} is not a known {' or '.join(ref.targets)}")
                    ok = False
                elif kind not in ref.targets:
                    self.fail(origin, jp, first_row,
                              f"{value} is a {kind}, not a {' or '.join(ref.targets)}")
                    ok = False
        for spec in ROLE_FIELDS.get(self.kind, ()):
            for path, value in iter_spec(data, spec):
                if isinstance(value, str) and value not in config.roles:
                    known = ", ".join(sorted(config.roles)) or "none"
                    self.fail(origin, json_path(path), first_row,
                              f"{value!r} is not a role in isms.yaml (roles: {known})")
                    ok = False
        if self.kind == "activity":
            domain = data.get("domain")
            if isinstance(domain, str) and domain not in config.domains:
                known = ", ".join(sorted(config.domains)) or "none"
                self.fail(origin, "$.domain", first_row,
                          f"{domain!r} is not a domain in isms.yaml (domains: {known})")
                ok = False
            for path, value in iter_spec(data, "staff"):
                if isinstance(value, str) and value not in self.repo.staff:
                    self.fail(origin, json_path(path), first_row,
                              f"{value} is not staff of any third party")
                    ok = False
        if self.kind == "risk":
            scale = config.risk_scale
            for spec in ("likelihood", "impact", "residual.likelihood", "residual.impact"):
                for path, value in iter_spec(data, spec):
                    if isinstance(value, int) and not 1 <= value <= scale:
                        self.fail(origin, json_path(path), first_row,
                                  f"{value} is outside the risk scale 1..{scale} of isms.yaml")
                        ok = False
        return ok

    def plan(self, entities: Mapping[str, _Assembly]) -> list[EntityChange]:
        root = self.repo.config.root
        batch = {i: self.kind for i in entities}
        changes = []
        for a in entities.values():
            first = a.rows[0]
            partial, origin = self.partial(a)
            if a.bad:  # still report its unknown references and roles, then leave it out
                self.check_refs(partial, origin, first, batch)
                continue
            existing = self.repo.by_id.get(a.id)
            if existing is not None and existing.kind != self.kind:
                self.fail(origin, "$.id", first, f"{a.id} is already a {existing.kind} "
                                                 f"({existing.path})")
                continue
            if existing is not None:
                data = merge_value(self.kind, "", dict(existing.data), partial)
                rel = existing.path
            else:
                data = _ordered(self.kind, {"kind": self.kind, "id": a.id, **partial})
                rel = f"{FOLDER_OF_KIND[self.kind]}/{a.id}.yaml"
                if (root / rel).exists():
                    self.fail(origin, "$.id", first, f"{rel} exists but does not define {a.id}")
                    continue
            ok = self.check_refs(partial, origin, first, batch)
            for finding in validate(self.kind, dict(data), rel, {}):
                where = finding.json_path or "$"
                message = finding.message
                inner = where[2:].rpartition(".")[0]
                if where not in origin and inner:
                    message = f"{inner}: {message}"
                if self.locate(origin, where, -1)[0] == -1:
                    message += (f" (already so in {existing.path})" if existing is not None
                                else "; add a column for it" if message.endswith(" is required")
                                else "")
                self.fail(origin, where, first, message)
                ok = False
            if not ok:
                continue
            action, diffs = action_of(existing.data if existing is not None else None, data)
            rows = _rows_text(a.rows)
            changes.append(EntityChange(self.kind, a.id, action, rel, data, diffs,
                                        f"sheet {self.sheet!r} {rows}",
                                        f"Imported by `isms import xlsx` from sheet "
                                        f"{self.sheet!r} {rows}."))
        return changes




def _rows_text(rows: Sequence[int]) -> str:
    unique = sorted(set(rows))
    if len(unique) == 1:
        return f"row {unique[0]}"
    if unique == list(range(unique[0], unique[-1] + 1)):
        return f"rows {unique[0]}-{unique[-1]}"
    return "rows " + ", ".join(str(r) for r in unique)


def choose_sheet(grids: Sequence[Grid], kind: str, wanted: str | None) -> Grid:
    """The named sheet; else the one named as `isms export xlsx` names the kind's register
    (or an alias of it); else the first."""
    if wanted is not None:
        for g in grids:
            if g.name == wanted:
                return g
        raise UsageError(f"no sheet named {wanted!r}",
                         hint="sheets: " + ", ".join(repr(g.name) for g in grids))
    layout = LAYOUTS[kind]
    names = [normalise(n) for n in (layout.sheet, *layout.sheet_aliases)]
    for name in names:
        for g in grids:
            if normalise(g.name) == name:
                return g
    if not grids:
        raise UsageError("the workbook has no sheets")
    return grids[0]


def plan_import(repo: Repo, file: Path, kind: str, mapping: ColumnMapping | None = None,
                sheet: str | None = None) -> ImportPlan:
    """What importing ``kind`` entities from ``file`` would create, update or leave unchanged."""
    if kind not in LAYOUTS:
        raise UsageError(f"unknown kind {kind!r}", hint="use one of: " + ", ".join(LAYOUTS))
    grids = read_sheets(file)
    grid = choose_sheet(grids, kind, sheet or (mapping.sheet if mapping else None))
    reader = _Reader(repo, kind, grid.name, grid, mapping)
    entities = reader.read()
    headers: dict[int, str] = {}
    header_at = reader.header_row(reader.names())
    if header_at is not None:
        for j, raw in enumerate(grid.rows[header_at - 1]):
            if not _blank(raw):
                headers[j] = str(raw).strip()
    changes = _Planner(repo, kind, grid.name, reader, headers).plan(entities)
    rows = len(grid.rows) - (header_at or 0)
    problems = sorted(reader.problems, key=lambda p: _problem_order(p, grid.name))
    return ImportPlan(tuple(changes), tuple(problems),
                      f"{file.name}, sheet {grid.name!r}: {rows} row{'s' if rows != 1 else ''}")


def _problem_order(p: Problem, sheet: str) -> tuple[int, str, str]:
    m = re.search(r", row (\d+)", p.where)
    return (int(m[1]) if m else 0, p.where, p.message)
