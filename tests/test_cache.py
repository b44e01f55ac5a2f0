"""The result cache and parallel loading never change what `isms check` reports."""

from __future__ import annotations

import json

import pytest

from conftest import REPO, TODAY
from isms.cache import CACHE_DIR, CACHE_FILE, cache_key
from isms.loader import Limits

FIXTURES_WITH_FINDINGS = ["references", "doc_control", "loader", "schema", "text"]


def _check(cli, repo, *extra):
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", *extra)
    return run.code, run.out


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


def test_config_change_invalidates(cli, make_repo):
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
    assert cache_key(dataclasses.replace(config, languages=("en",))) != base
    assert cache_key(dataclasses.replace(config, roles={"ciso": "CISO"})) != base
    assert cache_key(dataclasses.replace(config, organisation="Other office")) == base
    import isms.cache

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


@pytest.mark.parametrize("garbage", [b"\x00\xffnot json", b'{"format": 1, "key": "x"}', b"[]",
                                     b'{"format": 1'])
def test_corrupted_or_foreign_cache_is_ignored_and_rebuilt(cli, make_repo, garbage):
    repo = make_repo("references")
    expected = _check(cli, repo, "--no-cache")
    (repo / CACHE_DIR).mkdir()
    (repo / CACHE_DIR / CACHE_FILE).write_bytes(garbage)
    assert _check(cli, repo) == expected
    doc = json.loads((repo / CACHE_DIR / CACHE_FILE).read_text())
    assert doc["format"] == 1 and len(doc["entries"]) == 12


def test_tampered_entries_are_not_trusted(cli, make_repo):
    repo = make_repo("doc_control")
    expected = _check(cli, repo, "--no-cache")
    _check(cli, repo)
    path = repo / CACHE_DIR / CACHE_FILE
    doc = json.loads(path.read_text())
    for entry in doc["entries"].values():
        entry["findings"] = [["elsewhere.yaml", 1, 1, "ZZ999", "forged", 3, "", ""]]
        entry["entity"] = ["policy", 42, "not a mapping"]
    path.write_text(json.dumps(doc))
    assert _check(cli, repo) == expected


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
