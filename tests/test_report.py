"""`isms report` on the reference ISMS and on fixtures: the pages, their links and their numbers,
checked by parsing the HTML with the standard library."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from htmltree import Node, parse_file

from conftest import REPO, TODAY, run_cli

SOA_IDS_A5 = [f"A.5.{n}" for n in range(1, 38)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "site"
    run = run_cli("report", str(REPO), "--out", str(out), "--today", TODAY, "--lang", "en")
    assert run.code == 0, run.err
    assert run.out.startswith("wrote ")
    return out


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Node]:
    return {p.relative_to(site).as_posix(): parse_file(p) for p in sorted(site.rglob("*.html"))}


def rows_of(page: Node, table_id: str) -> list[Node]:
    table = page.find("table", id=table_id)
    assert table is not None, table_id
    body = table.find("tbody")
    assert body is not None
    return list(body.find_all("tr"))


def hrefs(node: Node) -> list[str]:
    return [a.attrs["href"] for a in node.iter("a") if "href" in a.attrs]


def test_site_has_every_section(site: Path, pages: dict[str, Node]) -> None:
    top = sorted(p for p in pages if "/" not in p)
    assert top == ["documents.html", "entities.html", "evidence.html", "findings.html",
                   "gap-gbt22239-2019-l3.html", "gap-iso27001-2022.html", "index.html",
                   "risks.html", "soa.html", "vendors.html"]
    # one page per entity: 8 + 21 + 66 + 93 controls + registers + evidence records
    assert len([p for p in pages if p.startswith("entities/")]) == 393
    nav = pages["index.html"].find("nav")
    assert nav is not None
    assert [a.text for a in nav.iter("a")] == [
        "Dashboard", "Statement of Applicability", "Gap analysis iso27001-2022",
        "Gap analysis gbt22239-2019-l3", "Document register", "Risks", "Check findings",
        "Evidence", "Vendors", "All entities"]


def test_soa_has_93_rows_in_annex_a_order(pages: dict[str, Node]) -> None:
    rows = rows_of(pages["soa.html"], "soa-table")
    assert len(rows) == 93
    ids = [r.attrs["id"] for r in rows]
    assert ids[:37] == SOA_IDS_A5
    assert ids[-1] == "A.8.34"
    # each row: requirement, control, applicable, justification, status, implementers,
    # evidence, gap status
    assert all(len([c for c in r.children if isinstance(c, Node)]) == 8 for r in rows)


def test_soa_row_links_to_control_procedures_documents_and_evidence(site: Path,
                                                                     pages: dict[str, Node]) -> None:
    row = next(r for r in rows_of(pages["soa.html"], "soa-table") if r.attrs["id"] == "A.5.19")
    links = hrefs(row)
    assert links == [
        "gap-iso27001-2022.html#A.5.19",
        "entities/CTL-A.5.19.html",
        "entities/DOC-16.html", "entities/DOC-17.html", "entities/DOC-18.html",
        "entities/PRC-05.html",
        "entities/DOC-17.html", "entities/EV-2026-0002.html",
        "files/evidence/2026/approved-service-providers-2026.csv",
        "entities/DOC-18.html", "entities/EV-2026-0006.html",
        "files/evidence/2026/third-party-activity-risk-grading-2026.csv",
    ]
    cells = [c for c in row.children if isinstance(c, Node)]
    assert cells[2].text == "yes"
    assert cells[4].text == "implemented"
    assert cells[7].text == "compliant"
    for rel in ("approved-service-providers-2026.csv", "third-party-activity-risk-grading-2026.csv"):
        copied = site / "files/evidence/2026" / rel
        assert copied.read_bytes() == (REPO / "evidence/2026" / rel).read_bytes()


def test_control_page_links_to_its_procedures_and_evidence(pages: dict[str, Node]) -> None:
    page = pages["entities/CTL-A.5.19.html"]
    h1 = page.find("h1")
    assert h1 is not None and h1.text == "CTL-A.5.19 Information security in supplier relationships"
    links = set(hrefs(page))
    assert {"PRC-05.html", "DOC-16.html", "DOC-17.html", "DOC-18.html",
            "EV-2026-0002.html", "EV-2026-0006.html",
            "../files/evidence/2026/approved-service-providers-2026.csv",
            "../files/evidence/2026/third-party-activity-risk-grading-2026.csv",
            "RSK-005.html", "RSK-016.html", "ACT-DR-SITE.html"} <= links
    expected = page.find("section", id="expected")
    assert expected is not None and expected.find("h2").text == "Evidence expected"  # type: ignore[union-attr]
    rows = [[c.text for c in r.children if isinstance(c, Node)] for r in expected.iter("tr")][1:]
    assert rows == [
        ["DOC-17", "12", "EV-2026-0002", "2026-01-20", "fresh", "2027-01-20",
         "approved-service-providers-2026.csv"],
        ["DOC-18", "12", "EV-2026-0006", "2026-04-15", "fresh", "2027-04-15",
         "third-party-activity-risk-grading-2026.csv"],
    ]


def test_links_both_ways(pages: dict[str, Node]) -> None:
    """PRC-05 rests on its policy; CTL-A.5.19 depends on it."""
    page = pages["entities/PRC-05.html"]
    rests, depended = page.find("section", id="rests-on"), page.find("section", id="depended-by")
    assert rests is not None and depended is not None
    assert "POL-02.html" in hrefs(rests)
    assert "CTL-A.5.19.html" in hrefs(depended)
    back = pages["entities/CTL-A.5.19.html"].find("section", id="rests-on")
    assert back is not None and "PRC-05.html" in hrefs(back)


def _risk_counts(key: str | None) -> Counter[tuple[int, int]]:
    counts: Counter[tuple[int, int]] = Counter()
    for path in sorted((REPO / "registers/risks").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        src = data if key is None else data.get(key)
        if isinstance(src, dict) and "likelihood" in src and "impact" in src:
            counts[(src["likelihood"], src["impact"])] += 1
    return counts


@pytest.mark.parametrize(("section_id", "key"), [("heat-inherent", None), ("heat-residual", "residual")])
def test_heat_map_cells_hold_the_right_counts(pages: dict[str, Node], section_id: str,
                                              key: str | None) -> None:
    expected = _risk_counts(key)
    assert sum(expected.values()) == 30
    block = pages["risks.html"].find("section", id=section_id)
    assert block is not None
    shown: dict[tuple[int, int], int] = {}
    for cell in block.find_all("g", class_="cell"):
        likelihood, impact = int(cell.attrs["data-likelihood"]), int(cell.attrs["data-impact"])
        texts = [t.text for t in cell.iter("text")]
        assert texts == ([str(expected[(likelihood, impact)])] if expected[(likelihood, impact)]
                         else [])
        shown[(likelihood, impact)] = int(cell.attrs["data-count"])
    assert len(shown) == 25
    assert {k: v for k, v in shown.items() if v} == dict(expected)


def test_heat_map_known_cells(pages: dict[str, Node]) -> None:
    block = pages["risks.html"].find("section", id="heat-inherent")
    assert block is not None
    cell = block.find("g", data_likelihood="3", data_impact="4")
    assert cell is not None and cell.attrs["data-count"] == "11"
    title = cell.find("title")
    assert title is not None and title.text.startswith("Likelihood 3 × Impact 4 = 12: RSK-")


def test_every_internal_link_resolves(site: Path, pages: dict[str, Node]) -> None:
    ids = {path: {n.attrs["id"] for n in page.iter() if "id" in n.attrs}
           for path, page in pages.items()}
    checked = 0
    for path, page in pages.items():
        base = (site / path).parent
        for node in page.iter():
            for attr in ("href", "src"):
                value = node.attrs.get(attr)
                if value is None or value.startswith("data:"):
                    continue
                assert not re.match(r"^[a-z][a-z0-9+.-]*:", value), f"{path}: {value}"
                target, _, fragment = value.partition("#")
                resolved = (base / unquote(target)).resolve() if target else site / path
                assert resolved.is_file(), f"{path}: {value}"
                assert site.resolve() in resolved.parents, f"{path}: {value} leaves the site"
                if fragment and resolved.suffix == ".html":
                    rel = resolved.relative_to(site.resolve()).as_posix()
                    assert unquote(fragment) in ids[rel], f"{path}: {value}"
                checked += 1
    assert checked > 10000


def test_no_external_resource_anywhere(site: Path) -> None:
    external = re.compile(r"""(?:href|src)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""",
                          re.IGNORECASE)
    for path in sorted(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not external.search(text), path
        assert "http://" not in text and "https://" not in text, path
        assert "<script src" not in text and 'rel="stylesheet"' not in text, path


def test_document_register_is_a_tree(pages: dict[str, Node]) -> None:
    rows = rows_of(pages["documents.html"], "document-tree")
    levels = Counter(r.attrs["class"] for r in rows)
    assert levels == {"level-0": 8, "level-1": 21, "level-2": 66}
    first = [c.text for c in rows[0].children if isinstance(c, Node)]
    assert first[0] == "POL-01" and first[2] == "Policy"
    assert re.fullmatch(r"\d+\.\d+\.\d+", first[3])
    assert first[4] == "approved" and re.fullmatch(r"\d{4}-\d\d-\d\d", first[7])
    second = rows[1]
    assert second.attrs["class"] == "level-1"


def test_dashboard_numbers(pages: dict[str, Node]) -> None:
    page = pages["index.html"]
    tiers = page.find("svg", class_="tiers")
    assert tiers is not None
    assert [t.text for t in tiers.iter("text")] == ["8 policies", "21 procedure classes",
                                                    "66 document sets"]
    sections = {s.find("h2").text: s for s in page.iter("section")}  # type: ignore[union-attr]
    coverage = sections["Statement of Applicability coverage by theme"]
    rows = [[c.text for c in r.children if isinstance(c, Node)] for r in coverage.iter("tr")][1:]
    assert rows[0] == ["A.5 Organizational controls", "34", "2", "0", "1", "37", "94.4%"]
    assert "Risks above appetite" in sections and "Evidence expiring within 30 days" in sections
    assert "Vendors by grade" in sections
    appetite = [r.attrs.get("id") for r in sections["Risks above appetite"].iter("tr")]
    assert len(appetite) == 6  # header + 5 risks with a residual (or inherent) score above 8


def test_findings_page_has_file_and_line(site: Path, pages: dict[str, Node]) -> None:
    check = run_cli("check", str(REPO), "--today", TODAY, "--format", "json").json()
    rows = rows_of(pages["findings.html"], "findings-table") if check["findings"] else []
    assert len(rows) == len(check["findings"])
    for row, finding in zip(rows, check["findings"], strict=True):
        cells = [c.text for c in row.children if isinstance(c, Node)]
        assert cells[1] == finding["code"]
        assert cells[2] == f"{finding['path']}:{finding['line']}:{finding['col']}"


def test_third_party_page_draws_its_dependency_graph(pages: dict[str, Node]) -> None:
    page = pages["entities/TP-ANXIN.html"]
    graph = page.find("svg", class_="graph")
    assert graph is not None
    assert graph.find("title") is not None and graph.find("desc") is not None
    nodes = [g.attrs["data-id"] for g in graph.find_all("g", class_="node")]
    assert nodes[0] == "TP-ANXIN"
    assert "ACT-SEC-MONITOR" in nodes and "CTL-A.5.15" in nodes
    assert len(nodes) == len(set(nodes))
    staff = page.find("tr", id="staff-S-ANXIN-01")
    assert staff is not None


def test_report_in_chinese(tmp_path: Path) -> None:
    out = tmp_path / "zh"
    assert run_cli("report", str(REPO), "--out", str(out), "--today", TODAY, "--lang", "zh",
                   "--framework", "iso27001-2022").code == 0
    page = parse_file(out / "entities/CTL-A.5.19.html")
    html = page.find("html")
    assert html is not None and html.attrs["lang"] == "zh-CN"
    text = page.text
    assert "大部分运维工作外包给五家具有特权访问" in text
    assert "所依赖的" in text
    assert not (out / "gap-gbt22239-2019-l3.html").exists()
    assert (out / "soa.html").exists()


def test_fixture_title_with_script_renders_as_text(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "site"
    run = run_cli("report", str(root), "--out", str(out), "--today", TODAY)
    assert run.code == 0, run.err
    for path in sorted(out.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img" not in text, path
        scripts = list(parse_file(path).iter("script"))
        assert len(scripts) == 1 and "alert" not in scripts[0].text, path
    raw = (out / "entities/POL-01.html").read_text(encoding="utf-8")
    assert "<h1>POL-01 &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in raw
    page = parse_file(out / "entities/POL-01.html")
    assert page.find("h1").text == "POL-01 <script>alert(1)</script>"  # type: ignore[union-attr]
    assert "\"><img src=x onerror=alert(2)>" in page.text


def test_missing_and_outside_evidence_shown_as_missing(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    (root.parent / "outside.txt").write_text("SECRET OUTSIDE THE REPO\n", encoding="utf-8")
    out = tmp_path / "site"
    run = run_cli("report", str(root), "--out", str(out), "--today", TODAY)
    assert run.code == 0
    assert run.err.splitlines() == [
        "  missing evidence: EV-2026-0001: evidence/2026/not-there.csv (missing)",
        "  missing evidence: EV-2026-0001: ../outside.txt (outside)",
    ]
    files = sorted(p.relative_to(out).as_posix() for p in (out / "files").rglob("*") if p.is_file())
    assert files == ["files/evidence/2026/vendor-access-2026-10.csv"]
    for path in out.rglob("*"):
        if path.is_file():
            assert b"SECRET OUTSIDE" not in path.read_bytes()
    page = parse_file(out / "evidence.html")
    missing = page.find("section", id="missing")
    assert missing is not None
    rows = [[c.text for c in r.children if isinstance(c, Node)] for r in missing.iter("tr")][1:]
    assert [r[:3] for r in rows] == [
        ["evidence/2026/not-there.csv", "EV-2026-0001", "missing"],
        ["../outside.txt", "EV-2026-0001", "outside the repository"],
    ]


def test_out_must_be_empty_or_an_earlier_report(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "busy"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    run = run_cli("report", str(root), "--out", str(out), "--today", TODAY)
    assert run.code == 2
    assert "not empty and holds no earlier isms report" in run.err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_rerender_removes_pages_of_deleted_entities_only(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "site"
    assert run_cli("report", str(root), "--out", str(out), "--today", TODAY).code == 0
    assert (out / "entities/RSK-001.html").is_file()
    (out / "my-notes.txt").write_text("keep", encoding="utf-8")
    (root / "registers/risks/RSK-001.yaml").unlink()
    assert run_cli("report", str(root), "--out", str(out), "--today", TODAY).code == 0
    assert not (out / "entities/RSK-001.html").exists()
    assert (out / "entities/POL-01.html").is_file()
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "keep"


def test_unknown_framework_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("report", str(REPO), "--out", str(tmp_path / "x"), "--today", TODAY,
                  "--framework", "nist-800-53")
    assert run.code == 2
    assert "unknown framework 'nist-800-53'" in run.err


def test_fixture_without_git_says_so(tmp_path: Path, make_repo) -> None:
    root = make_repo("report")
    out = tmp_path / "site"
    assert run_cli("report", str(root), "--out", str(out), "--today", TODAY).code == 0
    about = parse_file(out / "index.html").find("section", id="about")
    assert about is not None and about.find("h2").text == "About this report"  # type: ignore[union-attr]
    fields = dict(zip([d.text for d in about.iter("dt")], [d.text for d in about.iter("dd")],
                      strict=True))
    assert fields["Repository commit"] == "not a git work tree"
    assert fields["As of"] == TODAY
    assert len(fields["Configuration digest (SHA-256)"]) == 64



def test_wrong_types_in_yaml_do_not_crash_the_report(tmp_path: Path, make_repo) -> None:
    """The schema reports these; the report still renders every page."""
    root = make_repo("report")
    (root / "policies/POL-01-outsourcing.yaml").write_text(
        "kind: policy\nid: POL-01\ntitle: [not, text]\nversion: 1\nstatus: 7\nowner: {a: b}\n"
        "review: soon\nstatements: text\n", encoding="utf-8")
    (root / "evidence/2026/EV-2026-0001.yaml").write_text(
        "kind: evidence\nid: EV-2026-0001\ndocument: [DOC-01]\ncontrols: CTL-A.8.2\n"
        "collected: yesterday\nfiles: evidence/2026/vendor-access-2026-10.csv\n", encoding="utf-8")
    (root / "registers/risks/RSK-001.yaml").write_text(
        "kind: risk\nid: RSK-001\ntitle: {en: T}\nlikelihood: high\nimpact: true\n"
        "residual: 3\ntreatment: [x]\naccepted: no\n", encoding="utf-8")
    (root / "registers/third-parties/TP-NETCO.yaml").write_text(
        "kind: third-party\nid: TP-NETCO\nname: 5\nstaff: {id: S-1}\ncontract: none\n"
        "certifications: [{expires: never}]\n", encoding="utf-8")
    (root / "controls/CTL-A.8.2.yaml").write_text(
        "kind: control\nid: CTL-A.8.2\nrequirement: iso27001-2022:A.8.2\napplicable: maybe\n"
        "evidence: [{document: 3, every_months: x}, DOC-01]\nimplemented_by: PRC-01\n",
        encoding="utf-8")
    (root / "registers/activities/ACT-NET-OPS.yaml").write_text(
        "kind: activity\nid: ../../escape\ntitle: {en: Odd id}\nthird_party: TP-NETCO\n",
        encoding="utf-8")
    out = tmp_path / "site"
    run = run_cli("report", str(root), "--out", str(out), "--today", TODAY)
    assert run.code == 0, run.err
    entities = sorted(p.name for p in (out / "entities").iterdir())
    assert "POL-01.html" in entities and "RSK-001.html" in entities
    odd = [n for n in entities if n.startswith("x-")]
    assert len(odd) == 1  # the id ../../escape gets a digest as its file name
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert run_cli("bundle", "-C", str(root), "--out", str(tmp_path / "b.zip"), "--today", TODAY,
                   "--allow-missing").code == 0
