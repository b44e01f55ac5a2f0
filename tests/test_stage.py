"""The whole-repository stage: what it sees of the data, and when its cached result is reused
after files changed (and the findings placed again) rather than computed afresh."""

from __future__ import annotations

import json

import pytest

import isms.engine
from conftest import TODAY
from isms.schema import json_path
from isms.stage import TEXT_STANDIN, changed_files, parse_json_path, stage_view


def _check(cli, repo, *extra):
    run = cli("check", str(repo), "--today", TODAY, "--format", "json", *extra)
    return run.code, run.out


def _edited(cli, repo, stage_runs, rel, change):
    """The check after ``change`` (old text → new text) to one file, which must be what a run
    without the cache reports; whether the whole stage ran for it, and which checks did."""
    path = repo / rel
    path.write_text(change(path.read_text()))
    mark = stage_runs.mark
    warm = _check(cli, repo)
    ran = stage_runs.since(mark)
    assert warm == _check(cli, repo, "--no-cache")
    return warm, ran


def _judged(monkeypatch):
    """Check name → the subjects (files) it was last asked to judge again, filled as runs go."""
    import isms.checks

    judged: dict[str, set[str]] = {}
    recorded = isms.checks.run_recorded

    def noting(ctx, checks, only=None, subjects=None, record=True):
        checks = list(checks)
        for c in checks:
            if subjects is not None:
                judged[c.name] = set(subjects)
        return recorded(ctx, checks, only, subjects, record)

    monkeypatch.setattr(isms.checks, "run_recorded", noting)
    return judged


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
    assert stage_runs.full == 1
    # PRC-02 has a stage finding (R002 at `policy`, line 7); a title of three lines moves it.
    warm, ran = _edited(cli, repo, stage_runs, "procedures/PRC-02.yaml", lambda text: text.replace(
        "title: Procedure pointing at a missing policy",
        "title: >-\n  The procedure pointing\n  at a policy that is missing"))
    assert ran == (False, set())
    assert ("procedures/PRC-02.yaml", 9, "R002") in {
        (f["path"], f["line"], f["code"]) for f in json.loads(warm[1])["findings"]}


def test_comment_in_a_file_with_findings_reuses_the_stage(cli, make_repo, stage_runs):
    repo = make_repo("references")
    expected = _check(cli, repo)
    warm, ran = _edited(cli, repo, stage_runs, "evidence/EV-01.yaml",
                        lambda text: "# reviewed by the ISMS manager\n\n" + text)
    assert ran == (False, set())
    assert warm != expected  # the three findings in EV-01 are two lines further down


def test_a_finding_that_cites_a_changed_file_reruns_its_check(cli, make_repo, stage_runs):
    repo = make_repo("references")
    _check(cli, repo)
    # TP-A's R001 message quotes TP-B's line: a comment on top of TP-B changes that message.
    warm, ran = _edited(cli, repo, stage_runs, "registers/TP-B.yaml",
                        lambda text: "# a comment\n" + text)
    assert ran == (False, {"duplicate_ids"})
    assert "also defined in registers/TP-B.yaml:7" in warm[1]


def test_a_text_made_blank_reruns_the_checks_that_read_it(cli, make_repo, stage_runs):
    repo = make_repo("gap_status")
    control = "controls/CTL-A.5.9.yaml"
    given, _ = _edited(cli, repo, stage_runs, control,
                       lambda text: text + "reason: {en: Not in scope}\n")
    assert "C004" not in given[1]
    warm, (full, checks) = _edited(cli, repo, stage_runs, control,
                                   lambda text: text.replace("Not in scope", " "))
    assert not full
    assert "controls" in checks and "sla_breaches" not in checks
    assert "CTL-A.5.9 is excluded but gives no reason" in warm[1]


# The entity checks that see one entity only: they run again on each file whose data changed.
LOCAL = {"requirement_refs", "evidence_files", "document_control"}


def test_a_data_edit_reruns_only_the_checks_that_read_the_field(cli, make_repo, stage_runs,
                                                                 monkeypatch):
    repo = make_repo("vendors")
    before = _check(cli, repo)
    loads = []
    original = isms.engine.load_catalogs
    monkeypatch.setattr(isms.engine, "load_catalogs", lambda *a: loads.append(1) or original(*a))
    warm, ran = _edited(cli, repo, stage_runs, "registers/ACT-A.yaml",
                        lambda text: text.replace("target: 30,", "target: 3,"))
    assert ran == (False, {"sla_breaches", "grades", *LOCAL})
    assert warm != before  # response times of 5 to 20 minutes now miss a 3-minute target
    assert loads == [1]  # by the run without the cache: the re-run checks need no catalog


def test_an_edit_of_a_reference_judges_again_only_the_subjects_it_touches(
        cli, make_repo, stage_runs, monkeypatch):
    """ACT-PRIV drops CTL-A.8.2 from its controls: the reference and graph checks judge again
    ACT-PRIV (its own data), CTL-A.8.2 (an edge of its node went) and what rests on them,
    not every entity; the result is what a run without the cache reports."""
    repo = make_repo("outsourcing")
    _check(cli, repo)
    judged = _judged(monkeypatch)
    warm, (full, ran) = _edited(cli, repo, stage_runs, "registers/activities/ACT-PRIV.yaml",
                                lambda text: text.replace("controls: [CTL-A.5.20, CTL-A.8.2]",
                                                          "controls: [CTL-A.5.20]"))
    assert not full
    assert "ACT-PRIV has privileged/remote access but no applicable control from the access " \
        "family" in warm[1]
    assert {"references", "controls", "third_party_access", "orphan_entities"} <= set(judged)
    entities = len(list(repo.rglob("*.yaml"))) - 1
    assert judged["third_party_access"] >= {"registers/activities/ACT-PRIV.yaml"}
    assert "controls/CTL-A.8.2.yaml" in judged["controls"]
    assert "controls/CTL-A.5.20.yaml" not in judged["controls"]
    for name, subjects in judged.items():
        assert len(subjects) < entities / 2, name
    # And back: the finding goes, as in a run without the cache.
    back, (full, _) = _edited(cli, repo, stage_runs, "registers/activities/ACT-PRIV.yaml",
                              lambda text: text.replace("controls: [CTL-A.5.20]",
                                                        "controls: [CTL-A.5.20, CTL-A.8.2]"))
    assert not full
    assert "ACT-PRIV has privileged" not in back[1]


def test_sla_and_grade_checks_judge_again_only_the_evaluations_an_edit_reaches(
        cli, make_repo, stage_runs, monkeypatch):
    """The SLA and grade checks judge each evaluation as a subject: an activity's target
    reaches the latest evaluations that measure it (and, for the grade, its party's
    evaluations); an evaluation's period or party reaches the evaluations of the parties it
    leaves and joins. Each result is what a run without the cache reports."""
    repo = make_repo("vendors")
    _check(cli, repo)
    judged = _judged(monkeypatch)
    a = {f"registers/EVAL-TP-A-2026-{m}.yaml" for m in ("07", "08", "09", "10")}
    b = {f"registers/EVAL-TP-B-2026-{m}.yaml" for m in ("07", "09", "10")}

    # ACT-A's availability target met: the breach goes; TP-B's evaluations are not judged.
    warm, (full, ran) = _edited(cli, repo, stage_runs, "registers/ACT-A.yaml",
                                lambda text: text.replace("target: 99.9", "target: 98.5"))
    assert not full and {"sla_breaches", "grades"} <= set(ran)
    assert "V001" not in warm[1]
    assert judged["sla_breaches"] == {"registers/ACT-A.yaml", "registers/EVAL-TP-A-2026-10.yaml"}
    assert judged["grades"] == {"registers/ACT-A.yaml", *a}

    # TP-B's latest expert review passes: its grade finding goes, TP-A is not judged.
    judged.clear()
    warm, (full, _) = _edited(cli, repo, stage_runs, "registers/EVAL-TP-B-2026-10.yaml",
                              lambda text: text.replace("expert_review: {score: 70}",
                                                        "expert_review: {score: 100}"))
    assert not full and "V002" not in warm[1]
    assert judged["grades"] == b

    # TP-B's latest month moved back to August: September, fair, is now TP-B's latest.
    judged.clear()
    warm, (full, _) = _edited(cli, repo, stage_runs, "registers/EVAL-TP-B-2026-10.yaml",
                              lambda text: text.replace('period: "2026-10"', 'period: "2026-08"'))
    assert not full and "TP-B 2026-09: score" in warm[1]
    assert judged["grades"] == b and judged["sla_breaches"] == b

    # That evaluation handed to TP-A: both parties' evaluations are judged again.
    judged.clear()
    warm, (full, _) = _edited(cli, repo, stage_runs, "registers/EVAL-TP-B-2026-10.yaml",
                              lambda text: text.replace("third_party: TP-B", "third_party: TP-A"))
    assert not full
    # (and the two parties, whose ids the edit named: they are no evaluations to judge)
    assert judged["grades"] == a | b | {"registers/TP-A.yaml", "registers/TP-B.yaml"}


def test_an_edit_of_an_id_runs_every_check(cli, make_repo, stage_runs):
    repo = make_repo("vendors")
    _check(cli, repo)
    warm, (full, _) = _edited(cli, repo, stage_runs, "registers/ACT-B.yaml",
                              lambda text: text.replace("id: ACT-B", "id: ACT-C"))
    assert full
    assert "refers to 'ACT-B', which does not exist" in warm[1]


def test_a_view_that_another_command_replaced_runs_every_check(cli, make_repo, stage_runs):
    repo = make_repo("vendors")
    _check(cli, repo)
    path = repo / "registers" / "ACT-A.yaml"
    path.write_text(path.read_text().replace("target: 30,", "target: 3,"))
    # `isms gap` caches the edited file's row: the view the stage was computed from is gone.
    assert cli("gap", str(repo), "--today", TODAY).code == 0
    warm, (full, _) = _edited(cli, repo, stage_runs, "registers/ACT-A.yaml",
                              lambda text: text.replace("target: 3,", "target: 4,"))
    assert full


def test_mapping_keys_are_strings_so_paths_read_back_exactly():
    from isms.loader import Limits, parse_text

    data = parse_text("1: a\ntrue: b\n2026-01-01: c\nnull: d\nx: [e]\n", "k.yaml", Limits()).data
    assert list(data) == ["1", "true", "2026-01-01", "null", "x"]
    assert parse_json_path(json_path(("1",))) == ("1",)
    assert parse_json_path(json_path(("x", 0))) == ("x", 0)


def test_a_cached_finding_that_cannot_be_placed_reruns_its_check(cli, make_repo, stage_runs):
    import sqlite3

    from isms.cache import CACHE_DIR, CACHE_FILE

    repo = make_repo("references")
    _check(cli, repo)
    db = sqlite3.connect(repo / CACHE_DIR / CACHE_FILE)
    with db:
        name = "isms.checks.references"
        (text,) = db.execute("SELECT findings FROM stage WHERE name = ?", (name,)).fetchone()
        findings = json.loads(text)
        for f in findings:
            if f[0] == "registers/ACT-01.yaml":
                f[7] = "staff.0"  # not a path that json_path writes
        db.execute("UPDATE stage SET findings = ? WHERE name = ?", (json.dumps(findings), name))
    db.close()
    _, ran = _edited(cli, repo, stage_runs, "registers/ACT-01.yaml",
                     lambda text: "# a comment\n" + text)
    assert ran == (False, {"references"})


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


def test_changed_files_are_found_block_by_block():
    from types import SimpleNamespace

    files = [SimpleNamespace(path=f"f{i}.yaml") for i in range(600)]
    then = "".join(f"{i:064x}" for i in range(600))
    now = list(then)
    for i in (0, 255, 256, 599):
        now[i * 64 + 63] = "x"
    assert changed_files(files, then, "".join(now)) == ["f0.yaml", "f255.yaml", "f256.yaml",
                                                       "f599.yaml"]
    assert changed_files(files, then, then) == []
    assert changed_files(files, then, then[:-64]) is None
