"""The SpreadsheetML writer and `isms export xlsx`: same bytes, formula-safe text, and the
workbook content as openpyxl (a real reader) sees it."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, TODAY
from isms.xlsx import Sheet, column_letter, column_widths, sheet_name, workbook_bytes

SHEETS = ["SoA", "Coverage", "Gap iso27001-2022", "Gap gbt22239-2019-l3", "Risks",
          "Third parties", "Staff and certificates", "Activities", "Assets", "Evaluations",
          "Scorecards", "Documents"]


def _values(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == \
        ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_sheet_names_are_made_valid_and_unique() -> None:
    assert sheet_name("Gap a/b:c") == "Gap a-b-c"
    assert sheet_name("x" * 40) == "x" * 31
    assert sheet_name("SoA", ["soa"]) == "SoA (2)"
    with pytest.raises(ValueError, match="duplicate sheet name"):
        workbook_bytes([Sheet("A", ("x",), ()), Sheet("a", ("x",), ())], dt.date(2026, 1, 1))
    with pytest.raises(ValueError, match="invalid sheet name"):
        workbook_bytes([Sheet("a[1]", ("x",), ())], dt.date(2026, 1, 1))


def test_cells_types_styles_and_layout(tmp_path: Path) -> None:
    sheet = Sheet("Data", ("ID", "Title", "Day", "Amount", "Flag", "Note"), (
        ("X-1", "中文标题", dt.date(2026, 3, 1), Decimal("1234.50"), True, " spaced\nlines"),
        ("X-2", "plain", None, 7, False, "a_x000D_b"),
    ))
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes([sheet], dt.date(2026, 11, 15), "Title & more"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Data"]
    assert _values(ws) == [
        ["ID", "Title", "Day", "Amount", "Flag", "Note"],
        ["X-1", "中文标题", dt.datetime(2026, 3, 1), 1234.5, True, " spaced\nlines"],
        # Excel would read _x000D_ as a carriage return; it is escaped so it stays literal
        # (openpyxl shows the escape; `isms import xlsx` undoes it).
        ["X-2", "plain", None, 7, False, "a_x005F_x000D_b"],
    ]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"
    assert ws["A1"].font.b is True
    assert ws["C2"].number_format == "yyyy\\-mm\\-dd"
    assert [ws.column_dimensions[c].width for c in "ABCDEF"] == [6, 9, 11, 9, 7, 10]
    assert wb.properties.created == dt.datetime(2026, 11, 15)
    assert wb.properties.title == "Title & more"
    assert column_widths(Sheet("W", ("h",), (("x" * 100,),))) == [60]


def test_formula_like_text_is_an_inline_string_never_a_formula(tmp_path: Path) -> None:
    texts = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-3", "@SUM(A1)", "\tx"]
    data = workbook_bytes([Sheet("S", ("T",), tuple((t,) for t in texts))], dt.date(2026, 1, 1))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert '<c r="A2" s="3" t="inlineStr"><is><t>=HYPERLINK("http://evil.example","click")' \
           '</t></is></c>' in xml
    path = tmp_path / "f.xlsx"
    path.write_bytes(data)
    ws = openpyxl.load_workbook(path)["S"]
    for i, text in enumerate(texts, start=2):
        cell = ws.cell(i, 1)
        assert cell.value == text
        assert cell.data_type == "s"          # a string, not "f" (formula)
        assert cell.quotePrefix is True       # Excel keeps it text when edited


def test_formula_in_a_register_title_stays_text(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    risk = repo / "registers" / "risks" / "RSK-001.yaml"
    text = risk.read_text(encoding="utf-8")
    risk.write_text(text.replace("{en: Vendor privileged access misused,",
                                 "{en: '=HYPERLINK(\"http://evil.example\",\"x\")',"),
                    encoding="utf-8")
    out = tmp_path / "r.xlsx"
    assert cli("export", "xlsx", str(repo), "--out", str(out), "--today", TODAY).code == 0
    archive = zipfile.ZipFile(out)
    index = openpyxl.load_workbook(out).sheetnames.index("Risks") + 1
    xml = archive.read(f"xl/worksheets/sheet{index}.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert '<c r="B2" s="3" t="inlineStr"><is><t>=HYPERLINK("http://evil.example","x")</t>' \
           "</is></c>" in xml
    cell = openpyxl.load_workbook(out)["Risks"]["B2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://evil.example","x")', "s")
    # and it imports back as the same text: no change
    run = cli("import", "xlsx", str(out), "--kind", "risk", "--repo", str(repo))
    assert run.out.splitlines()[0] == "unchanged RSK-001  registers/risks/RSK-001.yaml  " \
                                      "(sheet 'Risks' row 2)"


def test_zip_is_fixed(tmp_path: Path) -> None:
    data = workbook_bytes([Sheet("S", ("T",), ())], dt.date(2026, 11, 15))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert [i.filename for i in archive.infolist()] == [
        "[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
        "xl/worksheets/sheet1.xml"]
    assert {i.date_time for i in archive.infolist()} == {(2026, 11, 15, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core) == [
        ("created", "2026-11-15T00:00:00Z"), ("modified", "2026-11-15T00:00:00Z")]


def test_export_is_byte_identical_across_runs(cli, tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    run = cli("export", "xlsx", str(REPO), "--out", str(first), "--today", TODAY)
    assert run.code == 0, run.err
    assert run.out == f"{first}: 12 sheets: " + ", ".join(SHEETS) + "\n"
    assert cli("export", "xlsx", str(REPO), "--out", str(second), "--today", TODAY).code == 0
    assert first.read_bytes() == second.read_bytes()
    other = tmp_path / "c.xlsx"
    assert cli("export", "xlsx", str(REPO), "--out", str(other), "--today", "2026-11-16").code == 0
    assert other.read_bytes() != first.read_bytes()


@pytest.fixture(scope="module")
def reference_book(tmp_path_factory: pytest.TempPathFactory) -> openpyxl.Workbook:
    from conftest import run_cli

    path = tmp_path_factory.mktemp("xlsx") / "isms.xlsx"
    run = run_cli("export", "xlsx", str(REPO), "--out", str(path), "--today", TODAY)
    assert run.code == 0, run.err
    return openpyxl.load_workbook(path)


def test_reference_workbook_sheets_and_layout(reference_book: openpyxl.Workbook) -> None:
    assert reference_book.sheetnames == SHEETS
    for ws in reference_book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
        assert all(c.font.b for c in ws[1]), ws.title


def test_reference_soa(reference_book: openpyxl.Workbook) -> None:
    rows = _values(reference_book["SoA"])
    assert rows[0] == ["Requirement", "Title", "Theme", "Control", "Applicable", "Justification",
                       "Status", "Implementation", "Implemented by", "Evidence",
                       "Evidence state", "Gap status", "Gap reason"]
    assert len(rows) == 94   # the 93 Annex A controls
    row = next(r for r in rows if r[0] == "A.5.19")
    assert row[1:5] == ["Information security in supplier relationships", "A.5", "CTL-A.5.19",
                        "yes"]
    assert row[6] == "implemented"


def test_reference_registers(reference_book: openpyxl.Workbook) -> None:
    risks = _values(reference_book["Risks"])
    assert risks[0][:9] == ["ID", "Title (en)", "Title (zh)", "Description (en)",
                            "Description (zh)", "Assets", "Activities", "Likelihood", "Impact"]
    first = dict(zip(risks[0], risks[1], strict=True))
    assert first["ID"] == "RSK-001"
    assert first["Assets"] == "AST-BASTION-01, AST-VIRT-CLUSTER-01, AST-DB-ORA-01, AST-DB-DM-01"
    assert (first["Likelihood"], first["Impact"], first["Inherent score"]) == (3, 5, 15)
    assert first["Treatment due"] == dt.datetime(2026, 12, 31)
    assert len(risks) == 31
    staff = _values(reference_book["Staff and certificates"])
    assert staff[0][:7] == ["Third party", "Staff ID", "Staff name", "Staff role", "Certificate",
                            "Certificate expires", "Certificate issuer"]
    anxin = next(r for r in staff if r[1] == "S-ANXIN-01")
    assert anxin[:6] == ["TP-ANXIN", "S-ANXIN-01", "张伟", "Security service manager",
                         "QH-OM-2026-0161", dt.datetime(2027, 3, 31)]
    evaluations = _values(reference_book["Evaluations"])
    # one row per measured value: the evaluation's own columns repeat on each row
    rows = [r for r in evaluations if r[0] == "EVAL-TP-ANXIN-2026-01"]
    assert [r[3:6] for r in rows][:2] == [["ACT-SEC-MONITOR", "response_time", 7.1],
                                          ["ACT-SEC-MONITOR", "resolution_time", 4.7]]
    assert len(rows) == 7
    assert {r[1] for r in rows} == {"TP-ANXIN"}
