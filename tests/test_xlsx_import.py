"""`isms import xlsx`: header matching, messy sheets, exact error reports, writing, updating,
mapping files, and the export → import round trip on the reference ISMS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from conftest import REPO, TODAY
from isms.register_columns import LAYOUTS, columns, field_type, normalise, plain_text_columns


def _messy(path: Path) -> Path:
    """An office's Chinese risk register: a merged title row, a blank row, a row with bad
    values, an ID merged over two rows whose values disagree, an unknown role and asset, a
    total row, a row without an ID and a column nobody maps."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "风险登记表"
    ws["A1"] = "测试区信息办风险登记表（2026）"
    ws.merge_cells("A1:I1")
    ws.append([])
    ws.append(["序号", "风险名称", "可能性", "影响", "处置期限", "风险责任人", "备注", "资产",
               "处置方式"])
    ws.append([11, "供应商远程访问被攻破", 2, 3, "2027/3/1", "ciso", "x", "AST-SW-01", "Mitigate"])
    ws.append([12, "备份失败", "high", 4, "2026年13月1日", "ciso", None, "AST-SW-01", "mitigate"])
    ws.append([])
    ws.append([13, "机房断电", 2, 5, dt.datetime(2026, 12, 31), "ciso", None, None, "mitigate"])
    ws.append([None, "机房断电", 2, 4, None, None, None, None, None])
    ws.merge_cells("A7:A8")
    ws.append([14, "人员流失", 2, 2, "2026-02-30", "nobody", None, "AST-NOPE", "accept"])
    ws.append(["合计", None, 8, 14])
    ws.append([None, "无编号风险", 1, 1, None, "ciso", None, None, "accept"])
    wb.save(path)
    return path


NOT_A_DATE = "is not a date (write 2026-03-01, 2026/3/1, 2026年3月1日 or Mar 1 2026)"
SHEET = "sheet '风险登记表'"
MESSY_REPORT = "\n".join([
    "create RSK-011  registers/risks/RSK-011.yaml  (sheet '风险登记表' row 4)",
    '  + title: "供应商远程访问被攻破"',
    '  + assets[0]: "AST-SW-01"',
    "  + likelihood: 2",
    "  + impact: 3",
    '  + treatment.option: "mitigate"',
    '  + treatment.due: "2027-03-01"',
    '  + owner: "ciso"',
    f"note: {SHEET}, column G (备注): unknown column, ignored (map it in a --mapping file to "
    "import it)",
    f"error: {SHEET}, row 5, column C (可能性): 'high' is not a whole number",
    f"error: {SHEET}, row 5, column E (处置期限): '2026年13月1日' {NOT_A_DATE}",
    f"error: {SHEET}, row 8, column D (影响): 4 differs from 5 in row 7 for RSK-013",
    f"error: {SHEET}, row 9, column E (处置期限): '2026-02-30' {NOT_A_DATE}",
    f"error: {SHEET}, row 9, column F (风险责任人): 'nobody' is not a role in isms.yaml "
    "(roles: ciso, director, om-manager, vendor-manager)",
    f"error: {SHEET}, row 9, column H (资产): AST-NOPE is not a known asset",
    f"note: {SHEET}, row 10: total row, skipped",
    f"error: {SHEET}, row 11, column A (序号): no ID: the row cannot be matched to an entity",
    f"messy.xlsx, {SHEET}: 8 rows: 1 to create, 0 to update, 0 unchanged, 7 errors, "
    "0 warnings; {tail}",
    "",
])


def test_messy_workbook_reports_every_row_it_cannot_map(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    book = _messy(tmp_path / "messy.xlsx")
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo),
              "--today", TODAY)
    assert run.code == 1
    assert run.out == MESSY_REPORT.format(tail="dry run, nothing written (add --write)")
    assert not (repo / "registers" / "risks" / "RSK-011.yaml").exists()

    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo),
              "--today", TODAY, "--write")
    assert run.out == MESSY_REPORT.format(tail="wrote 1 file")
    written = (repo / "registers" / "risks" / "RSK-011.yaml").read_text(encoding="utf-8")
    assert written == (
        "# Imported by `isms import xlsx` from sheet '风险登记表' row 4.\n"
        "kind: risk\nid: RSK-011\ntitle: 供应商远程访问被攻破\nassets:\n- AST-SW-01\n"
        "likelihood: 2\nimpact: 3\ntreatment:\n  option: mitigate\n  due: 2027-03-01\n"
        "owner: ciso\n")
    check = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert check.code == 0, check.out
    assert {f["code"] for f in check.json()["findings"]
            if f["path"].endswith("RSK-011.yaml")} == {"T001"}   # a plain string, zh only

    again = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo),
                "--today", TODAY)
    assert again.out.splitlines()[0] == \
        "unchanged RSK-011  registers/risks/RSK-011.yaml  (sheet '风险登记表' row 4)"


def _register(path: Path, headers: list[str], rows: list[list[object]],
              title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_updates_need_update_and_keep_other_fields(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    book = _register(tmp_path / "r.xlsx", ["risk id", "LIKELIHOOD", "Title (zh)", "Treatment Due"],
                     [["RSK-001", 3, "供应商特权访问被滥用", "2027-01-15"]])
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo), "--write",
              "--today", TODAY)
    assert run.code == 0
    assert run.out == (
        "update RSK-001  registers/risks/RSK-001.yaml  (sheet 'Sheet1' row 2)  "
        "[not written: exists; use --update]\n"
        "  ~ likelihood: 4 → 3\n"
        '  ~ treatment.due: "2026-12-31" → "2027-01-15"\n'
        "r.xlsx, sheet 'Sheet1': 1 row: 0 to create, 1 to update, 0 unchanged, 0 errors, "
        "0 warnings; wrote 0 files\n")
    path = repo / "registers" / "risks" / "RSK-001.yaml"
    before = path.read_text(encoding="utf-8")
    assert "likelihood: 4" in before
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo), "--write",
              "--update", "--today", TODAY)
    assert run.out.endswith("wrote 1 file\n")
    from isms.engine import load_repo

    data = dict(load_repo(repo).repo.by_id["RSK-001"].data)
    assert data["likelihood"] == 3 and data["treatment"]["due"] == "2027-01-15"
    # fields the sheet does not have are kept, and so is the English title
    assert data["title"] == {"en": "Vendor privileged access misused", "zh": "供应商特权访问被滥用"}
    assert data["residual"] == {"likelihood": 2, "impact": 3}
    assert cli("check", str(repo), "--today", TODAY).code == 0


def test_check_preview_warns_about_what_check_will_report(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    book = _register(tmp_path / "r.xlsx", ["ID", "Title (en)", "Title (zh)", "Likelihood",
                                           "Impact", "Owner"],
                     [[20, "Data centre flood", "机房水浸", 3, 5, "ciso"]])
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo),
              "--today", TODAY)
    assert run.code == 0
    assert run.out.splitlines()[-2:] == [
        "warning: registers/risks/RSK-020.yaml: isms check will report K001: inherent score 15 "
        "is above the appetite of 8 and the risk has not been accepted",
        "r.xlsx, sheet 'Sheet1': 1 row: 1 to create, 0 to update, 0 unchanged, 0 errors, "
        "1 warning; dry run, nothing written (add --write)"]


def test_list_rows_continuation_and_evaluation_ids(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    book = _register(tmp_path / "e.xlsx", ["第三方", "期间", "活动", "指标", "实际值",
                                           "满意度得分", "满意度满分"], [
        ["TP-NETCO", "2026年11月", "ACT-NET-OPS", "availability", 99.97, 4.5, 5],
        [None, None, "ACT-NET-OPS", "response_time", "12"],
    ], title="服务评价")
    # no ID column: an evaluation's id is made from its third party and period, and a row
    # with only list columns continues the evaluation above
    run = cli("import", "xlsx", str(book), "--kind", "evaluation", "--repo", str(repo),
              "--today", TODAY)
    assert run.code == 0
    assert run.out.splitlines() == [
        "create EVAL-TP-NETCO-2026-11  registers/evaluations/EVAL-TP-NETCO-2026-11.yaml  "
        "(sheet '服务评价' rows 2-3)",
        '  + third_party: "TP-NETCO"',
        '  + period: "2026-11"',
        '  + metrics[0].activity: "ACT-NET-OPS"',
        '  + metrics[0].metric: "availability"',
        "  + metrics[0].actual: 99.97",
        '  + metrics[1].activity: "ACT-NET-OPS"',
        '  + metrics[1].metric: "response_time"',
        "  + metrics[1].actual: 12",
        "  + satisfaction.score: 4.5",
        "  + satisfaction.scale: 5",
        "e.xlsx, sheet '服务评价': 2 rows: 1 to create, 0 to update, 0 unchanged, 0 errors, "
        "0 warnings; dry run, nothing written (add --write)"]
    book = _register(tmp_path / "e2.xlsx", ["Third party", "Metric", "Actual"],
                     [[None, "availability", 99.9]])
    run = cli("import", "xlsx", str(book), "--kind", "evaluation", "--repo", str(repo))
    assert run.out.splitlines()[0] == ("error: sheet 'Sheet1', row 1: no ID column (ID, 编号): "
                                       "the rows cannot be matched to entities")
    book = _register(tmp_path / "e3.xlsx", ["ID", "Third party", "Metric", "Actual"],
                     [["EVAL-X-1", "TP-NETCO", "availability", 99.9],
                      [None, "TP-NETCO", "availability", 99.8]])
    run = cli("import", "xlsx", str(book), "--kind", "evaluation", "--repo", str(repo))
    assert run.out.splitlines()[:3] == [
        "error: sheet 'Sheet1', row 2: 'period' is required; add a column for it",
        "error: sheet 'Sheet1', row 2, column D (Actual): metrics[0]: 'activity' is required",
        "error: sheet 'Sheet1', row 3, column A (ID): no ID: the row cannot be matched to an "
        "entity"]


def test_continuation_rows_add_list_items(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    book = _register(tmp_path / "a.xlsx", ["Asset ID", "Type", "Failure date", "Hours down"], [
        ["AST-SW-02", "network-device", "2026-09-01", 1],
        [None, None, dt.date(2026, 10, 2), "0.5"],
    ])
    run = cli("import", "xlsx", str(book), "--kind", "asset", "--repo", str(repo),
              "--today", TODAY, "--write")
    assert run.code == 0, run.out
    assert run.out.splitlines()[0] == \
        "create AST-SW-02  registers/assets/AST-SW-02.yaml  (sheet 'Sheet1' rows 2-3)"
    from isms.engine import load_repo

    data = dict(load_repo(repo).repo.by_id["AST-SW-02"].data)
    assert data["failures"] == [{"date": "2026-09-01", "hours_down": 1},
                                {"date": "2026-10-02", "hours_down": 0.5}]
    assert cli("check", str(repo), "--today", TODAY).code == 0


def test_mapping_file(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet("Vendors 2026")
    ws.append(["Vendor register"])
    ws.append(["Code", "Company (EN)", "Company (ZH)", "Deal", "Deal starts", "Deal ends",
               "Remarks"])
    ws.append(["TP-NEW", "New Co.", "新公司", "HT-9", "2026-01-01", "2026-12-31", "n/a"])
    wb.save(tmp_path / "v.xlsx")
    mapping = tmp_path / "map.yaml"
    mapping.write_text("sheet: Vendors 2026\nheader_row: 2\ncolumns:\n  Code: id\n"
                       "  Company (EN): name.en\n  Company (ZH): name.zh\n  Deal: contract.id\n"
                       "  Deal starts: contract.start\n  Deal ends: contract.end\n"
                       "  Remarks: null\n", encoding="utf-8")
    run = cli("import", "xlsx", str(tmp_path / "v.xlsx"), "--kind", "third-party", "--repo",
              str(repo), "--mapping", str(mapping), "--today", TODAY)
    assert run.code == 0, run.out
    assert run.out == (
        "create TP-NEW  registers/third-parties/TP-NEW.yaml  (sheet 'Vendors 2026' row 3)\n"
        '  + name.en: "New Co."\n  + name.zh: "新公司"\n  + contract.id: "HT-9"\n'
        '  + contract.start: "2026-01-01"\n  + contract.end: "2026-12-31"\n'
        "v.xlsx, sheet 'Vendors 2026': 1 row: 1 to create, 0 to update, 0 unchanged, "
        "0 errors, 0 warnings; dry run, nothing written (add --write)\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("Code: identifier\n", encoding="utf-8")
    run = cli("import", "xlsx", str(tmp_path / "v.xlsx"), "--kind", "third-party", "--repo",
              str(repo), "--mapping", str(bad))
    assert run.code == 2
    assert "'Code' → 'identifier': a third-party has no field 'identifier'" in run.err


def test_unreadable_workbook_is_a_usage_error(cli, make_repo, tmp_path: Path) -> None:
    repo = make_repo("clean")
    fake = tmp_path / "old.xlsx"
    fake.write_bytes(b"not a zip")
    run = cli("import", "xlsx", str(fake), "--kind", "risk", "--repo", str(repo))
    assert run.code == 2
    assert run.err.startswith(f"isms: error: cannot read {fake} as an .xlsx workbook")
    book = _register(tmp_path / "x.xlsx", ["Foo", "Bar"], [["a", "b"]])
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo))
    assert run.code == 1
    assert run.out.splitlines()[0] == (
        "error: sheet 'Sheet1': no header row: none of the first 20 rows has two or more known "
        "risk column headers (ID, Title, Description, Assets, Activities, Likelihood, Impact, "
        "Treatment, Treatment controls, Treatment due, Treatment plan, Residual likelihood, "
        "Residual impact, Owner, Accepted by, Accepted on, Status, or their Chinese names); give "
        "a --mapping file for other headers")


SHEET_OF = [("risk", "Risks", 30), ("third-party", "Third parties", 5),
            ("third-party", "Staff and certificates", 5), ("activity", "Activities", 15),
            ("asset", "Assets", 47), ("evaluation", "Evaluations", 60)]


@pytest.mark.parametrize(("kind", "sheet", "count"), SHEET_OF)
def test_round_trip_on_the_reference(cli, tmp_path_factory: pytest.TempPathFactory, kind: str,
                                     sheet: str, count: int) -> None:
    """Export the reference ISMS, import each register sheet: nothing to change."""
    book = tmp_path_factory.getbasetemp() / "round-trip.xlsx"
    if not book.exists():
        assert cli("export", "xlsx", str(REPO), "--out", str(book), "--today", TODAY).code == 0
    run = cli("import", "xlsx", str(book), "--kind", kind, "--sheet", sheet, "--repo", str(REPO),
              "--today", TODAY)
    assert run.code == 0, run.out
    lines = run.out.splitlines()
    assert all(line.startswith("unchanged ") for line in lines[:-1]), lines
    assert len(lines) == count + 1
    assert lines[-1].endswith(f": 0 to create, 0 to update, {count} unchanged, 0 errors, "
                              "0 warnings; dry run, nothing written (add --write)")


def test_layouts_match_the_schemas_and_headers_are_unambiguous() -> None:
    for kind, layout in LAYOUTS.items():
        for col in layout.columns:
            assert field_type(kind, col.path) is not None, (kind, col.path)
        for languages in (("en",), ("en", "zh")):
            seen: dict[str, str] = {}
            cols = [*columns(kind, languages), *plain_text_columns(kind, languages)]
            for col in cols:
                for name in col.names:
                    key = normalise(name)
                    assert seen.setdefault(key, col.path) == col.path, (kind, name)
            for header, zh in layout.derived:
                assert normalise(header) not in seen and normalise(zh) not in seen, (kind, header)


def test_command_kinds_are_the_layouts() -> None:
    from isms.commands.interop import XLSX_KINDS

    assert tuple(LAYOUTS) == XLSX_KINDS


def test_malformed_entities_export_and_report_without_crashing(cli, make_repo,
                                                               tmp_path: Path) -> None:
    repo = make_repo("clean")
    (repo / "registers" / "risks" / "RSK-001.yaml").write_text(
        "kind: risk\nid: RSK-001\ntitle: [1, 2]\nassets: notalist\nlikelihood: high\n"
        "impact: 5\ntreatment: 5\nresidual: {likelihood: [], impact: {a: 1}}\nowner: 7\n",
        encoding="utf-8")
    book = tmp_path / "bad.xlsx"
    run = cli("export", "xlsx", str(repo), "--out", str(book), "--today", TODAY)
    assert run.code == 0, run.err
    run = cli("import", "xlsx", str(book), "--kind", "risk", "--repo", str(repo))
    assert run.code == 1
    assert run.out.splitlines() == [
        "error: sheet 'Risks', row 2, column F (Assets): 'notalist' is not an id (ids look like "
        "PREFIX-NAME)",
        "error: sheet 'Risks', row 2, column H (Likelihood): 'high' is not a whole number",
        "error: sheet 'Risks', row 2, column O (Residual likelihood): '[]' is not a whole number",
        "error: sheet 'Risks', row 2, column P (Residual impact): \"{'a': 1}\" is not a whole "
        "number",
        "error: sheet 'Risks', row 2, column Q (Owner): '7' is not a role in isms.yaml (roles: "
        "ciso, director, om-manager, vendor-manager)",
        "bad.xlsx, sheet 'Risks': 1 row: 0 to create, 0 to update, 0 unchanged, 5 errors, "
        "0 warnings; dry run, nothing written (add --write)"]


@pytest.mark.parametrize(("first", "total"), [
    ("Total", True), ("TOTAL:", True), ("Grand Total", True), ("Total risks 12", True),
    ("合计", True), ("合计：12", True), ("小计（2项）", True), ("Sum: 5", True),
    ("Totally new", False), ("RSK-001", False), (3, False),
])
def test_total_rows(first: object, total: bool) -> None:
    from isms.xlsx_import import _is_total

    assert _is_total([None, " ", first, "x"]) is total
