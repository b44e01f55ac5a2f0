"""The whole-repository stage: what it sees of the data, and when its cached result is reused
after files changed (and the findings placed again) rather than computed afresh."""

from __future__ import annotations

import json

import pytest

import isms.engine
from conftest import TODAY
from isms.schema import json_path
from isms.stage import TEXT_STANDIN, parse_json_path, stage_view


def _check(cli, repo, *extra):
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", *extra)
    return run.code, run.out


@pytest.fixture
def stage_runs(monkeypatch):
    """How many times the whole-repository stage ran (rather than came from the cache)."""
    calls: list[int] = []
    original = isms.engine._whole_repo
    monkeypatch.setattr(isms.engine, "_whole_repo",
                        lambda *a: calls.append(1) or original(*a))
    return calls


# --- the stage view ---------------------------------------------------------------------------

def test_texts_become_a_standin_and_blank_ones_stay():
    data = {
        "kind": "policy", "id": "POL-01", "version": "1.0.0",
        "title": {"en": "Outsourcing", "zh": "  "},
        "text": "",
        "statements": ["Vendors sign an NDA", " ", 7],
        "history": [{"version": "1.0.0", "date": "2026-01-05", "change": {"en": "First"}},
                    "not a mapping"],
        "scope": ["a list where a text belongs"],
        "owner": "ciso",
    }
    view = stage_view("policy", data)
    assert view == {
        "kind": "policy", "id": "POL-01", "version": "1.0.0",
        "title": {"en": TEXT_STANDIN, "zh": "  "},
        "text": "",
        "statements": [TEXT_STANDIN, " ", 7],
        "history": [{"version": "1.0.0", "date": "2026-01-05", "change": {"en": TEXT_STANDIN}},
                    "not a mapping"],
        "scope": ["a list where a text belongs"],  # malformed: kept, so it is keyed as it is
        "owner": "ciso",
    }
    assert data["title"] == {"en": "Outsourcing", "zh": "  "}  # the entity's data is untouched
    assert data["history"][0]["change"] == {"en": "First"}


def test_a_view_without_texts_is_the_data_itself():
    data = {"kind": "evidence", "id": "EV-01", "files": ["evidence/a.csv"]}
    assert stage_view("evidence", data) is data


@pytest.mark.parametrize("path", [
    (), ("id",), ("history", 3, "version"), ("staff", 0, "id"),
    ("fields", "with space"), ("fields", 'quote " and \\ backslash'), ("fields", "12"),
    ("fields", "中文"), ("a-b", 0, "_c9"),
])
def test_json_paths_read_back(path):
    assert parse_json_path(json_path(path)) == path


@pytest.mark.parametrize("text", ["", "id", "$.", "$[x]", "$[-1]", '$["unterminated]', "$.a..b",
                                  '$["a"]'])  # the last is written `$.a`, so it is not ours
def test_json_paths_not_written_by_us_are_refused(text):
    assert parse_json_path(text) is None


# --- reuse of the cached stage ----------------------------------------------------------------

def test_wording_edit_reuses_the_stage_and_moves_its_lines(cli, make_repo, stage_runs):
    repo = make_repo("references")
    _check(cli, repo)
    assert stage_runs == [1]
    # PRC-02 has a stage finding (R002 at `policy`, line 7); a title of three lines moves it.
    procedure = repo / "procedures" / "PRC-02.yaml"
    procedure.write_text(procedure.read_text().replace(
        "title: Procedure pointing at a missing policy",
        "title: >-\n  The procedure pointing\n  at a policy that is missing"))
    warm = _check(cli, repo)
    assert stage_runs == [1]
    assert warm == _check(cli, repo, "--no-cache")
    assert ("procedures/PRC-02.yaml", 9, "R002") in {
        (f["path"], f["line"], f["code"]) for f in json.loads(warm[1])["findings"]}


def test_comment_in_a_file_with_findings_reuses_the_stage(cli, make_repo, stage_runs):
    repo = make_repo("references")
    expected = _check(cli, repo)
    evidence = repo / "evidence" / "EV-01.yaml"
    evidence.write_text("# reviewed by the ISMS manager\n\n" + evidence.read_text())
    warm = _check(cli, repo)
    assert stage_runs == [1]
    assert warm == _check(cli, repo, "--no-cache")
    assert warm != expected  # the three findings in EV-01 are two lines further down


def test_a_finding_that_cites_a_changed_file_runs_the_stage(cli, make_repo, stage_runs):
    repo = make_repo("references")
    _check(cli, repo)
    # TP-A's R001 message quotes TP-B's line: a comment on top of TP-B changes that message.
    party = repo / "registers" / "TP-B.yaml"
    party.write_text("# a comment\n" + party.read_text())
    warm = _check(cli, repo)
    assert stage_runs == [1, 1]
    assert warm == _check(cli, repo, "--no-cache")
    assert "also defined in registers/TP-B.yaml:7" in warm[1]


def test_a_text_made_blank_runs_the_stage(cli, make_repo, stage_runs):
    repo = make_repo("gap_status")
    control = repo / "controls" / "CTL-A.5.9.yaml"
    control.write_text(control.read_text() + "reason: {en: Not in scope, zh: 不适用}\n")
    code, out = _check(cli, repo)
    assert "C004" not in out
    control.write_text(control.read_text().replace("{en: Not in scope, zh: 不适用}",
                                                   "{en: ' ', zh: ''}"))
    warm = _check(cli, repo)
    assert stage_runs == [1, 1]
    assert warm == _check(cli, repo, "--no-cache")
    assert "CTL-A.5.9 is excluded but gives no reason" in warm[1]


def test_a_path_that_may_read_back_wrong_is_not_relocated(cli, make_repo, stage_runs):
    repo = make_repo("references")
    _check(cli, repo)
    # A mapping key `7` (an integer) on the way to a finding: its JSON path reads back
    # ambiguously, so the finding is not placed from it and the stage runs again.
    activity = repo / "registers" / "ACT-01.yaml"
    text = activity.read_text()
    activity.write_text(text.replace("domain: netwrk", "domain: netwrk\n7: seven"))
    _check(cli, repo)
    assert stage_runs == [1, 1]
    activity.write_text(activity.read_text().replace("7: seven", "# a comment\n7: seven"))
    assert _check(cli, repo) == _check(cli, repo, "--no-cache")
    assert stage_runs == [1, 1, 1]


def _fixture_repos():
    from conftest import FIXTURES, REPO

    found = sorted(p.name for p in FIXTURES.iterdir() if (p / "isms.yaml").is_file())
    return [REPO, *(FIXTURES / name for name in found)]


@pytest.mark.parametrize("repo", _fixture_repos(), ids=lambda p: p.name)
def test_the_checks_find_the_same_in_the_stage_view_as_in_the_whole_data(repo):
    """What the stage view hides (wording) is never what a check reads: on the reference ISMS
    and every fixture, the entity and repository checks report exactly the same on both."""
    import datetime as dt
    from dataclasses import replace

    from isms.checks import Context, run_checks
    from isms.engine import load_repo
    from isms.model import Repo

    loaded = load_repo(repo, use_cache=False)
    today = dt.date.fromisoformat(TODAY)
    whole = run_checks(Context(loaded.repo, loaded.catalogs, today))
    views = [replace(e, data=stage_view(e.kind, e.data)) for e in loaded.repo.entities]
    if loaded.repo.entities:  # (some fixtures are empty repositories)
        assert any(v.data != e.data for v, e in zip(views, loaded.repo.entities, strict=True))
    seen = run_checks(Context(Repo.build(loaded.config, views, list(loaded.repo.files)),
                              loaded.catalogs, today))
    assert sorted(seen) == sorted(whole)
