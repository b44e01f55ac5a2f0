"""The loader: every hazard becomes a finding at the right place, and the run goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import TODAY, findings_of
from isms.loader import (
    Limits,
    discover,
    glob_to_regex,
    parse_bytes,
    parse_text,
    parse_text_carefully,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

LOADER_FINDINGS = {
    ("Y001", "policies/syntax-error.yaml", 5),
    ("Y002", "policies/duplicate-key.yaml", 7),
    ("Y003", "policies/not-utf8.yaml", 3),
    ("Y004", "policies/empty.yaml", 1),
    ("Y005", "policies/list-top.yaml", 1),
    ("Y006", "policies/no-kind.yaml", 1),
    ("Y006", "policies/unknown-kind.yaml", 1),
    ("Y007", "policies/too-large.yaml", 1),
    ("Y008", "policies/alias-bomb.yaml", 5),
    ("Y008", "policies/recursive-alias.yaml", 3),
    ("Y010", "policies/two-documents.yaml", 7),
    ("Y011", "policies/too-deep.yaml", 7),
}


def test_loader_fixture_reports_every_hazard_exactly(cli):
    run = cli("check", "tests/fixtures/loader", "--today", TODAY, "--format", "json")
    assert run.code == 1
    assert findings_of(run) == LOADER_FINDINGS
    assert run.json()["summary"]["files"] == 13


def test_symlinks_out_of_the_repo_are_reported_not_followed(cli, make_repo, tmp_path):
    repo = make_repo("loader")
    outside = tmp_path / "secret.yaml"
    outside.write_text("kind: policy\nid: POL-SECRET\ntitle: outside\n")
    (tmp_path / "outside-dir").mkdir()
    (tmp_path / "outside-dir" / "x.yaml").write_text("kind: policy\n")
    os.symlink(outside, repo / "policies" / "link.yaml")
    os.symlink(tmp_path / "outside-dir", repo / "policies" / "linked-dir")
    os.symlink(repo / "policies" / "fine.yaml", repo / "policies" / "inside-link.yaml")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "Y009,R001")
    assert findings_of(run) == {
        ("Y009", "policies/link.yaml", 1),
        ("Y009", "policies/linked-dir", 1),
        # A link that stays inside is read as a file, so its id collides with its target's.
        ("R001", "policies/fine.yaml", 2),
        ("R001", "policies/inside-link.yaml", 2),
    }
    assert "POL-SECRET" not in run.out


def test_special_files_are_unreadable_findings(cli, make_repo):
    repo = make_repo("loader")
    os.mkfifo(repo / "policies" / "pipe.yaml")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", "--select", "Y012")
    assert findings_of(run) == {("Y012", "policies/pipe.yaml", 1)}


def test_five_megabyte_file_is_capped_by_default_and_parses_when_allowed(cli, make_repo):
    repo = make_repo("clean")
    big = repo / "policies" / "POL-BIG.yaml"
    lines = ["kind: policy", "id: POL-BIG", "title: {en: Big, zh: 大}", "version: 0.1.0",
             "status: draft", "owner: ciso", "statements:"]
    item = "  - {en: " + "x" * 60 + ", zh: " + "字" * 30 + "}"
    lines += [item] * (5 * 1024 * 1024 // len(item.encode()))
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert big.stat().st_size > 5_000_000
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert findings_of(run) == {("Y007", "policies/POL-BIG.yaml", 1)}
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "checks: {max_file_bytes: 8000000}\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert run.code == 0, run.out
    assert findings_of(run) == set()


def test_hundred_level_nesting_is_parsed_or_capped(cli, make_repo):
    repo = make_repo("clean")
    body = ("kind: policy\nid: POL-DEEP\ntitle: {en: Deep, zh: 深}\nversion: 0.1.0\n"
            "status: draft\nowner: ciso\nx-deep: " + "[" * 100 + "1" + "]" * 100 + "\n")
    (repo / "policies" / "POL-DEEP.yaml").write_text(body)
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert findings_of(run) == {("Y011", "policies/POL-DEEP.yaml", 7)}
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "checks: {max_depth: 200}\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    assert run.code == 0
    assert findings_of(run) == set()


def test_hundred_thousand_levels_do_not_crash_the_interpreter():
    parsed = parse_text("[" * 100_000 + "]" * 100_000, "deep.yaml")
    assert parsed.data is None
    assert [f.code for f in parsed.findings] == ["Y011"]


def test_keys_keep_their_written_form_and_values_their_types():
    parsed = parse_text(
        "approval: {by: director, on: 2026-03-01}\nversion: 1.0\nn: 3\nflag: yes\n"
        "quoted: '1.0'\n1.0: x\nnothing: ~\n", "x.yaml")
    assert parsed.findings == []
    assert parsed.data == {
        "approval": {"by": "director", "on": "2026-03-01"},
        "version": 1.0, "n": 3, "flag": True, "quoted": "1.0", "1.0": "x", "nothing": None,
    }


def test_marks_point_at_keys_and_list_items():
    parsed = parse_text("kind: policy\nlist:\n  - a\n  - {b: 1}\nmap:\n  k: v\n", "x.yaml")
    assert parsed.marks[("kind",)] == (1, 1)
    assert parsed.marks[("list",)] == (2, 1)
    assert parsed.marks[("list", 0)] == (3, 5)
    assert parsed.marks[("list", 1, "b")] == (4, 6)
    assert parsed.marks[("map", "k")] == (6, 3)


def test_duplicate_key_keeps_first_value():
    parsed = parse_text("status: approved\nowner: ciso\nstatus: draft\n", "x.yaml")
    assert parsed.data == {"status": "approved", "owner": "ciso"}
    assert [(f.code, f.line) for f in parsed.findings] == [("Y002", 3)]
    assert "first defined on line 1" in parsed.findings[0].message


def test_merge_keys_are_supported():
    parsed = parse_text("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "x.yaml")
    assert parsed.data["d"] == {"x": 1, "y": 3}


def test_undefined_alias_and_control_characters_are_syntax_findings():
    assert [f.code for f in parse_text("a: *nowhere\n", "x").findings] == ["Y001"]
    found = parse_text('"a\x07": 1\n', "x").findings
    assert [(f.code, f.line, f.col) for f in found] == [("Y001", 1, 3)]
    assert "U+0007" in found[0].message


def test_tab_indentation_gets_a_tab_hint():
    found = parse_text("a:\n\t- b\n", "x").findings
    assert [(f.code, f.line) for f in found] == [("Y001", 2)]
    assert "tabs" in found[0].hint


def test_utf8_bom_is_accepted_and_bad_bytes_located():
    assert parse_bytes("\ufeffkind: policy\n".encode(), "x", Limits()).data == {"kind": "policy"}
    bad = parse_bytes(b"a: 1\nb: \xff\n", "x", Limits()).findings
    assert [(f.code, f.line, f.col) for f in bad] == [("Y003", 2, 4)]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/README.md", "evidence/README.md", True),
        ("**/README.md", "README.md", True),
        ("evidence/**/*.csv", "evidence/2026/a.csv", True),
        ("evidence/*.yaml", "evidence/2026/a.yaml", False),
        ("drafts/**", "drafts/a/b.yaml", True),
    ],
)
def test_ignore_globs(pattern, path, matches):
    assert bool(glob_to_regex(pattern).match(path)) is matches


def test_discover_applies_ignore_globs_and_skips_hidden(tmp_path: Path):
    (tmp_path / "policies" / ".hidden").mkdir(parents=True)
    (tmp_path / "policies" / "drafts").mkdir()
    for rel in ("policies/a.yaml", "policies/b.yml", "policies/c.txt", "policies/.hidden/d.yaml",
                "policies/drafts/e.yaml"):
        (tmp_path / rel).write_text("kind: policy\n")
    files, findings = discover(tmp_path, ["policies", "missing"], ["policies/drafts/**"])
    assert files == ["policies/a.yaml", "policies/b.yml"]
    assert findings == []


# --- the fast path ---------------------------------------------------------------------------

TRICKY = [
    "a: 1\nb: [1, 2.5, true, no, on, ~, null, '', 0x1f, 0o17, 1_000, .inf, -.nan]\n",
    "on: yes\nOff: n\n'quoted': \"x\"\n? complex\n: value\n",
    "date: 2026-03-01\nstamp: 2026-03-01T10:00:00Z\nempty:\nlist:\n- \n- ''\n",
    "text: |\n  block\n  TODO\nfold: >\n  a\n  b\n",
    "a: &x {b: 1}\nc: *x\n",
    "a: !!str 1\n",
    "a: ! 1\n",
    "<<: {a: 1}\nb: 2\n",
    "a: 1\na: 2\n",
    "? [a, b]\n: 1\n",
    "---\na: 1\n---\nb: 2\n",
    "a: [\n",
    "- 1\n- 2\n",
    "scalar\n",
    "",
    "# only a comment\n",
    "a:\n" + "".join("  " * i + "- \n" for i in range(1, 80)),
    "\"\\x54ODO\": \"\\u00e9\\t\"\nk: 'it''s'\n",
]


def _all_yaml_texts() -> list[tuple[str, str]]:
    out = []
    for base in (REPO_ROOT, REPO_ROOT / "tests" / "fixtures"):
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and
                           (base != REPO_ROOT or d not in ("tests", "build", "isms"))]
            for name in filenames:
                if name.endswith((".yaml", ".yml")):
                    path = Path(dirpath) / name
                    out.append((str(path), path.read_bytes().decode("utf-8", "replace")))
    return out


@pytest.mark.parametrize("text", TRICKY)
def test_fast_path_agrees_with_the_careful_builder_on_tricky_yaml(text):
    fast, careful = parse_text(text, "t.yaml"), parse_text_carefully(text, "t.yaml")
    assert fast.data == careful.data
    assert fast.findings == careful.findings
    assert dict(fast.marks) == careful.marks


def test_fast_path_agrees_on_every_file_of_the_repository_and_fixtures():
    texts = _all_yaml_texts()
    assert len(texts) > 400
    fast_taken = 0
    for name, text in texts:
        fast, careful = parse_text(text, name), parse_text_carefully(text, name)
        assert (fast.data, fast.findings) == (careful.data, careful.findings), name
        if not isinstance(fast.marks, dict):
            fast_taken += 1
            assert dict(fast.marks) == careful.marks, name
    assert fast_taken > 0.9 * len(texts)


def test_fast_path_declines_what_needs_care():
    for text in ("a: &x 1\nb: *x\n", "a: !!int '1'\n", "<<: {a: 1}\n", "a: 1\na: 2\n",
                 "? [a]\n: 1\n", "---\na: 1\n---\nb: 1\n", "a: [\n"):
        assert isinstance(parse_text(text, "t.yaml").marks, dict), text
    assert not isinstance(parse_text("a: 1\n", "t.yaml").marks, dict)


def test_ignore_globs_match_as_one_pattern():
    from isms.loader import ignore_matcher

    ignored = ignore_matcher(["**/README.md", "drafts/*.yaml", "tmp?/**"])
    assert ignored("README.md") and ignored("policies/sub/README.md")
    assert ignored("drafts/a.yaml") and not ignored("drafts/deeper/a.yaml")
    assert ignored("tmp1/x/y.yaml") and not ignored("tmp12/x.yaml")
    assert not ignored("policies/POL-01.yaml")
    assert not ignore_matcher([])("anything")
