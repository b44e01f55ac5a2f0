"""The result cache and parallel loading never change what `isms check` reports."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

import isms.cache
import isms.checks
import isms.engine
from conftest import REPO, TODAY
from isms.cache import CACHE_DIR, CACHE_FILE, cache_key
from isms.loader import Limits

FIXTURES_WITH_FINDINGS = ["references", "doc_control", "loader", "schema", "text"]


def _check(cli, repo, *extra):
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", *extra)
    return run.code, run.out


def _rows(repo):
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    try:
        return {rel: (sig, findings, entity) for rel, sig, findings, entity in
                db.execute("SELECT rel, sig, findings, entity FROM files JOIN data USING (rel)")}
    finally:
        db.close()


@pytest.fixture
def trust_fresh_stats(monkeypatch):
    """Trust stat signatures at once (normally only files older than the run are trusted)."""
    monkeypatch.setattr(isms.cache, "RACY_NS", -10**12)


def forbid_stage(monkeypatch):
    """From now on, fail the test if any whole-repository check runs instead of coming from
    the cache."""
    def forbidden(*_args):
        raise AssertionError("the whole-repository stage ran")

    monkeypatch.setattr(isms.engine, "_whole_repo", forbidden)
    monkeypatch.setattr(isms.checks, "run_recorded", forbidden)


@pytest.mark.parametrize("name", FIXTURES_WITH_FINDINGS)
def test_cached_results_are_identical(cli, make_repo, name):
    repo = make_repo(name)
    reference = _check(cli, repo, "--no-cache")
    assert not (repo / CACHE_DIR).exists()
    cold = _check(cli, repo)
    assert (repo / CACHE_DIR / CACHE_FILE).is_file()
    warm = _check(cli, repo)
    assert cold == reference
    assert warm == reference


def test_changed_content_is_parsed_again(cli, make_repo):
    repo = make_repo("clean")
    assert _check(cli, repo)[0] == 0
    policy = repo / "policies" / "POL-01-outsourcing.yaml"
    policy.write_text(policy.read_text().replace("status: approved", "status: aproved"))
    code, out = _check(cli, repo)
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["S001"]
    policy.write_text(policy.read_text().replace("status: aproved", "status: approved"))
    assert _check(cli, repo)[0] == 0


def test_config_change_invalidates(cli, make_repo, trust_fresh_stats):
    # (Signatures are trusted at once, so the files are not read again unless the key changed.)
    repo = make_repo("clean")
    assert _check(cli, repo)[0] == 0
    config = repo / "isms.yaml"
    config.write_text(config.read_text() + "checks: {max_file_bytes: 300}\n")
    code, out = _check(cli, repo)
    assert code == 1
    assert {f["code"] for f in json.loads(out)["findings"]} == {"Y007", "R002"}


def test_key_depends_on_version_schemas_limits_and_file_check_config(monkeypatch):
    import dataclasses

    from isms.config import load_config

    config = load_config(REPO / "tests" / "fixtures" / "clean")
    base = cache_key(config)
    assert cache_key(dataclasses.replace(config, limits=Limits(max_depth=10))) != base
    assert cache_key(dataclasses.replace(config, limits=Limits(max_file_bytes=1000))) != base
    assert cache_key(dataclasses.replace(config, limits=Limits(max_alias_nodes=7))) != base
    assert cache_key(dataclasses.replace(config, languages=("en",))) != base
    assert cache_key(dataclasses.replace(config, roles={"ciso": "CISO"})) != base
    assert cache_key(dataclasses.replace(config, domains={"storage": "Storage"})) != base
    assert cache_key(dataclasses.replace(config, organisation="Other office")) == base
    import isms.cache
    import isms.schema

    original = isms.schema.schema_text
    monkeypatch.setattr(isms.schema, "schema_text",
                        lambda name: original(name) + (" " if name == "risk" else ""))
    assert cache_key(config) != base
    monkeypatch.setattr(isms.schema, "schema_text", original)
    assert cache_key(config) == base
    monkeypatch.setattr(isms.cache, "__version__", "99.0.0")
    assert cache_key(config) != base


def test_role_added_to_config_clears_cached_role_findings(cli, make_repo):
    repo = make_repo("references")
    code, out = _check(cli, repo)
    assert ("R006", "policies/POL-03.yaml") in {(f["code"], f["path"])
                                                for f in json.loads(out)["findings"]}
    config = repo / "isms.yaml"
    config.write_text(config.read_text().replace("roles: {ciso: CISO,", "roles: {cisoo: Typo, ciso: CISO,"))
    code, out = _check(cli, repo)
    assert "R006" not in {f["code"] for f in json.loads(out)["findings"]}


def _tamper(repo, *statements):
    _foreign_sqlite(repo / CACHE_DIR / CACHE_FILE, statements)


def _foreign_sqlite(path, statements):
    db = sqlite3.connect(path)
    with db:
        for statement in statements:
            db.execute(statement)
    db.close()


@pytest.mark.parametrize("garbage", [b"\x00\xffnot sqlite", b"", b"SQLite format 3\x00" + b"\x00" * 90,
                                     "other-schema", "trigger", "view", "old-key"])
def test_corrupted_or_foreign_cache_is_ignored_and_rebuilt(cli, make_repo, garbage):
    repo = make_repo("references")
    expected = _check(cli, repo, "--no-cache")
    (repo / CACHE_DIR).mkdir()
    path = repo / CACHE_DIR / CACHE_FILE
    ours = list(isms.cache._SCHEMA)
    from isms.config import load_config

    # A database that is ours in every other way: format and key match.
    ours += [f"INSERT INTO meta VALUES ('format', '{isms.cache.FORMAT}')",
             f"INSERT INTO meta VALUES ('key', '{cache_key(load_config(repo))}')"]
    if garbage == "other-schema":
        _foreign_sqlite(path, ["CREATE TABLE files (rel TEXT)", "INSERT INTO files VALUES ('x')"])
    elif garbage == "trigger":
        _foreign_sqlite(path, [*ours, "CREATE TRIGGER t AFTER INSERT ON files "
                                      "BEGIN DELETE FROM meta; END"])
    elif garbage == "view":
        _foreign_sqlite(path, [*ours, "CREATE VIEW v AS SELECT * FROM files"])
    elif garbage == "old-key":
        _foreign_sqlite(path, [*isms.cache._SCHEMA, "INSERT INTO meta VALUES ('format', '2')",
                               "INSERT INTO meta VALUES ('key', 'not this one')",
                               "INSERT INTO files VALUES ('policies/POL-01.yaml', '', 'x', '', "
                               "'[]', '[]', '')"])
    else:
        path.write_bytes(garbage)
    assert _check(cli, repo) == expected
    assert len(_rows(repo)) == 12
    db = sqlite3.connect(path)
    kinds = {kind for (kind,) in db.execute("SELECT type FROM sqlite_master")}
    db.close()
    assert kinds <= {"table", "index"}  # the trigger or view went with the old file
    assert _check(cli, repo) == expected


def test_tampered_rows_are_not_trusted(cli, make_repo):
    repo = make_repo("doc_control")
    expected = _check(cli, repo, "--no-cache")
    _check(cli, repo)
    _tamper(repo, """UPDATE files SET findings = '[["elsewhere.yaml", 1, 1, "R001", "forged",
                     3, "", ""]]'""",
            """UPDATE data SET entity = '["policy", 42, "not a mapping"]'""",
            """UPDATE data SET view = '["policy", 42, "not a mapping"]'""",
            """UPDATE stage SET findings = '[["x.yaml", 1, 1, "R001", "forged", 3, "", ""]]'""",
            """UPDATE stage SET reads = '[true, [["policy"]]]'""")
    assert _check(cli, repo) == expected


def test_entity_that_does_not_match_its_digest_is_parsed_again(cli, make_repo):
    repo = make_repo("references")
    expected = _check(cli, repo, "--no-cache")
    _check(cli, repo)
    # A stored entity and its stage view changed behind the cache's back: the dangling
    # reference would vanish, from `isms check` (which reads views) and from every command
    # that loads the repository (which reads entities).
    _tamper(repo, "UPDATE data SET entity = replace(entity, 'POL-99', 'POL-01')",
            "UPDATE data SET view = replace(view, 'POL-99', 'POL-01')",
            "DELETE FROM meta WHERE name LIKE 'stage_%'")
    assert _check(cli, repo) == expected
    _tamper(repo, "UPDATE data SET entity = replace(entity, 'POL-99', 'POL-01')",
            "UPDATE data SET view = replace(view, 'POL-99', 'POL-01')")
    loaded = isms.engine.load_repo(repo)
    assert loaded.repo.by_id["PRC-02"].get("policy") == "POL-99"


def test_unchanged_files_are_not_read(cli, make_repo, trust_fresh_stats, monkeypatch):
    repo = make_repo("references")
    expected = _check(cli, repo)
    assert all(sig for sig, _, _ in _rows(repo).values())
    read = []
    original = isms.engine.read_stat
    monkeypatch.setattr(isms.engine, "read_stat",
                        lambda root, rel, limits: read.append(rel) or original(root, rel, limits))
    assert _check(cli, repo) == expected
    assert read == []


def test_same_size_change_with_old_mtime_is_seen(cli, make_repo, trust_fresh_stats):
    # ctime is part of the signature: restoring the mtime does not hide a change.
    repo = make_repo("clean")
    assert _check(cli, repo)[0] == 0
    policy = repo / "policies" / "POL-01-outsourcing.yaml"
    before = policy.stat()
    policy.write_text(policy.read_text().replace("status: approved", "status: aprovved"))
    os.utime(policy, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert policy.stat().st_size == before.st_size
    code, out = _check(cli, repo)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["S001"]


def test_fresh_signatures_are_not_trusted(cli, make_repo):
    repo = make_repo("clean")
    _check(cli, repo)
    assert {sig for sig, _, _ in _rows(repo).values()} == {""}  # all written just now


def test_comment_only_change_reuses_the_whole_repository_stage(cli, make_repo, stage_runs):
    repo = make_repo("references")
    expected = _check(cli, repo, "--no-cache")
    _check(cli, repo)
    untouched = repo / "procedures" / "PRC-01.yaml"
    for path in (repo / "registers" / "TP-B.yaml", untouched):
        path.write_text(path.read_text() + "# reviewed\n")
    # TP-A's R001 finding quotes a line of TP-B, whose bytes changed: its check runs again.
    mark = stage_runs.mark
    assert _check(cli, repo) == expected
    assert stage_runs.since(mark) == (False, {"duplicate_ids"})
    # POL-01 has no finding: a comment there changes no data and no reported line.
    policy = repo / "policies" / "POL-01.yaml"
    policy.write_text("# a comment on top\n" + policy.read_text())
    assert _check(cli, repo) == expected
    assert stage_runs.since(mark) == (False, {"duplicate_ids"})


def test_lines_move_with_the_file(cli, make_repo):
    repo = make_repo("references")
    _check(cli, repo)
    procedure = repo / "procedures" / "PRC-02.yaml"
    procedure.write_text("# a comment pushes everything down\n" + procedure.read_text())
    warm = _check(cli, repo)
    assert warm == _check(cli, repo, "--no-cache")
    assert ("procedures/PRC-02.yaml", 8, "R002") in {
        (f["path"], f["line"], f["code"]) for f in json.loads(warm[1])["findings"]}


def test_data_change_reruns_the_whole_repository_stage(cli, make_repo):
    repo = make_repo("clean")
    assert _check(cli, repo)[0] == 0
    procedure = next((repo / "procedures").glob("*.yaml"))
    text = procedure.read_text()
    policy = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.startswith("policy:"))
    procedure.write_text(text.replace(f"policy: {policy}", "policy: POL-404"))
    code, out = _check(cli, repo)
    # The procedure's reference dangles, and the policy it left is now an orphan.
    assert [f["code"] for f in json.loads(out)["findings"]] == ["G002", "R002"]
    assert (code, out) == _check(cli, repo, "--no-cache")


def test_evidence_file_removed_is_seen_though_no_yaml_changed(cli, make_repo,
                                                              trust_fresh_stats):
    repo = make_repo("references")
    _check(cli, repo)
    (repo / "evidence" / "present.csv").unlink()
    code, out = _check(cli, repo)
    assert (code, out) == _check(cli, repo, "--no-cache")
    assert "'evidence/present.csv' does not exist" in out


def test_repeated_run_does_not_run_the_stage(cli, make_repo, monkeypatch):
    repo = make_repo("references")
    expected = _check(cli, repo)
    forbid_stage(monkeypatch)
    assert _check(cli, repo) == expected


def test_date_change_reruns_the_stage(cli, make_repo):
    repo = make_repo("doc_control")
    _check(cli, repo)
    later = cli("check", str(repo), "--today", "2031-01-01", "--format", "json")
    fresh = cli("check", str(repo), "--today", "2031-01-01", "--format", "json", "--no-cache")
    assert later.out == fresh.out
    assert later.out != _check(cli, repo)[1]


def test_cache_clear(cli, make_repo):
    repo = make_repo("clean")
    _check(cli, repo)
    assert cli("cache", "clear", str(repo)).out.startswith("removed ")
    assert not (repo / CACHE_DIR).exists()
    assert cli("cache", "clear", str(repo)).out == "no cache to remove\n"


@pytest.mark.parametrize("target", ["reference", "loader", "references"])
def test_jobs_give_identical_output(cli, make_repo, target):
    repo = REPO if target == "reference" else make_repo(target)
    single = _check(cli, repo, "--no-cache", "--jobs", "1")
    double = _check(cli, repo, "--no-cache", "--jobs", "2")
    assert double == single
    if target != "reference":
        filled = _check(cli, repo, "--jobs", "2")
        assert filled == single
        assert _check(cli, repo, "--jobs", "2") == single


def test_findings_order_is_deterministic(cli, make_repo):
    repo = make_repo("references")
    code, out = _check(cli, repo, "--no-cache")
    keys = [(f["path"], f["line"], f["col"], f["code"], f["message"])
            for f in json.loads(out)["findings"]]
    assert keys == sorted(keys)


def test_caches_of_earlier_formats_are_removed(cli, make_repo):
    repo = make_repo("clean")
    folder = repo / CACHE_DIR
    folder.mkdir()
    (folder / "cache-v2.sqlite").write_bytes(b"SQLite format 3\x00")
    (folder / "files-v1.json").write_text("{}")
    (folder / "notes.txt").write_text("not ours to remove")
    _check(cli, repo)
    assert sorted(p.name for p in folder.iterdir()) == [".gitignore", CACHE_FILE, "notes.txt"]


def test_a_first_run_leaves_reading_to_the_workers(cli, make_repo, monkeypatch):
    """With no cache entry to compare against, this process neither reads nor hashes a file:
    the worker that parses it does (before, each file was read here and again there)."""
    repo = make_repo("references")
    expected = _check(cli, repo, "--no-cache", "--jobs", "1")
    read = []
    original = isms.engine.read_stat
    monkeypatch.setattr(isms.engine, "read_stat",
                        lambda root, rel, limits: read.append(rel) or original(root, rel, limits))
    assert _check(cli, repo, "--jobs", "2") == expected
    assert read == []  # (reads in the forked workers are not seen here)
    assert (repo / CACHE_DIR / CACHE_FILE).is_file()
    assert len(_rows(repo)) == 12


@pytest.mark.parametrize("text", [
    '["activity","A",{"target":18446744073709551616,"low":-9223372036854775809}]',
    '[1, 4.0, 0.1, -0.0, 1e16, true, null, "x", {"a": [1, 2]}]',
    "NaN", "[Infinity, -Infinity]", "1e400", '"\\ud800"', '"中文 \\u00e9"',
    '{"a": 1, "a": 2}', "[9223372036854775807, 18446744073709551615]",
])
@pytest.mark.parametrize("with_orjson", [True, False])
def test_cached_json_reads_back_as_the_standard_library_reads_it(text, with_orjson, monkeypatch):
    # orjson reads most texts twice as fast, but makes floats of integers beyond 64 bits and
    # refuses NaN, infinities and lone surrogates: those go to the standard library.
    import json
    import math

    import isms.cache
    from isms.cache import loads

    if not with_orjson:  # an install without orjson
        monkeypatch.setattr(isms.cache, "_orjson", None)

    def same(a, b):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
            return math.isnan(b)
        if isinstance(a, list) and isinstance(b, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        return type(a) is type(b) and a == b

    assert same(loads(text), json.loads(text))
