"""`isms check --base REF`: document control against a real git revision.

Each test commits the doc_history fixture as the baseline in a fresh repository, changes the
working tree one way, and asserts the exact findings (code, file, line) and messages.
"""

from __future__ import annotations

import subprocess

from gitrepo import GitRepo, git_env

from conftest import TODAY, findings_of

POL = "policies/POL-01.yaml"
PRC = "procedures/PRC-01.yaml"
NEW_TEXT = ("text: Vendors are governed by SLAs.", "text: Vendors are governed by SLAs and OLAs.")
APPROVE = ("status: draft", "status: approved\napproval: {by: director, on: 2026-11-01}\n"
                           "review: {every_months: 12, last: 2026-11-01}")
RENEW = ("approval: {by: director, on: 2026-03-01}", "approval: {by: director, on: 2026-11-01}")


def base_check(cli, repo, *extra, base="HEAD"):
    # Document control and schema findings only: other families have their own tests.
    select = () if "--select" in extra else ("--select", "D,S")
    return cli("check", str(repo.root), "--base", base, "--today", TODAY, "--format", "json",
               *select, *extra)


def messages(run):
    return {(f["code"], f["line"]): f["message"] for f in run.json()["findings"]}


def append_history(version, change="Reworded", date="2026-11-01"):
    last = "  - {version: 1.1.0, date: 2026-03-01, author: ciso, change: Added SLA escalation}\n"
    return (last, last + f"  - {{version: {version}, date: {date}, author: ciso, "
                         f"change: {change}}}\n")


def test_unchanged_and_reformatted_documents_pass(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    assert base_check(cli, repo).code == 0
    # Layout, comments, quoting and re-wrapped text are not content.
    repo.edit(POL,
              ("title: Outsourcing Governance Policy", "title: 'Outsourcing Governance Policy'"),
              ("approval: {by: director, on: 2026-03-01}",
               "# approved at the March board\napproval:\n  by: director\n  on: 2026-03-01"),
              ("text: Vendors are governed by SLAs.", "text: >-\n  Vendors are governed\n  by SLAs."))
    run = base_check(cli, repo)
    assert run.code == 0
    assert findings_of(run) == set()


def test_edit_without_version_bump_fails_with_a_precise_message(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT)
    run = cli("check", str(repo.root), "--base", "HEAD", "--today", TODAY)
    assert run.code == 1
    assert run.out == (
        "policies/POL-01.yaml:4:1: D009 error POL-01 changed since HEAD (text) but its version "
        "is still 1.1.0\n"
        "    hint: raise the version to 1.1.1 (patch) or higher and add a history entry for it\n"
        "policies/POL-01.yaml:7:26: D012 error approved POL-01 changed since HEAD but "
        "approval.on is still 2026-03-01\n"
        "    hint: record the approval of the new version (approval.by and approval.on), or set "
        "status to in-review until it is approved\n"
        "10 files checked: 2 errors, 0 warnings, 0 info; failed (--fail-on error)\n"
    )
    # Without --base the same tree passes: the finding comes from the comparison.
    assert cli("check", str(repo.root), "--today", TODAY).code == 0


def test_select_ignore_and_severity_apply_to_the_new_codes(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT)
    assert findings_of(base_check(cli, repo, "--ignore", "D012")) == {("D009", POL, 4)}
    assert findings_of(base_check(cli, repo, "--select", "D012")) == {("D012", POL, 7)}
    repo.write("isms.yaml", repo.read("isms.yaml") + "checks:\n  severity: {D009: warning}\n")
    run = base_check(cli, repo, "--select", "D009")
    assert run.code == 0
    assert [f["severity"] for f in run.json()["findings"]] == ["warning"]


def test_proper_change_passes(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT, RENEW, ("\nversion: 1.1.0\n", "\nversion: 1.1.1\n"), append_history("1.1.1"))
    run = base_check(cli, repo)
    assert run.code == 0, run.out
    assert findings_of(run) == set()


def test_version_went_down(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, ("\nversion: 1.1.0\n", "\nversion: 1.0.0\n"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("D010", POL, 4), ("D003", POL, 15), ("D012", POL, 7)}
    assert messages(run)[("D010", 4)] == (
        "version 1.0.0 is lower than 1.1.0 at HEAD, and repeats 1.0.0 from its history")


def test_history_entry_rewritten_in_place(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT, RENEW, ("\nversion: 1.1.0\n", "\nversion: 1.2.0\n"),
              ("{version: 1.1.0, date: 2026-03-01", "{version: 1.2.0, date: 2026-03-01"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("D011", POL, 13)}
    assert messages(run)[("D011", 13)] == "history entry 1.1.0 from HEAD is missing"


def test_history_date_rewritten(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, ("{version: 1.0.0, date: 2025-03-01", "{version: 1.0.0, date: 2025-03-09"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("D011", POL, 14)}
    assert messages(run)[("D011", 14)] == (
        "history entry 1.0.0 was dated 2025-03-01 at HEAD, now 2025-03-09")


def test_missing_history_fields_are_schema_findings_not_new_codes(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT, RENEW, ("\nversion: 1.1.0\n", "\nversion: 1.1.1\n"),
              append_history("1.1.1"))
    repo.edit(POL, ("{version: 1.1.1, date: 2026-11-01, author: ciso, change: Reworded}",
                    "{version: 1.1.1}"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("S001", POL, 16)}
    assert {f["message"] for f in run.json()["findings"]} == {
        "'date' is required", "'author' is required", "'change' is required"}


def test_approved_document_changed_without_new_approval(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT, ("\nversion: 1.1.0\n", "\nversion: 1.1.1\n"), append_history("1.1.1"),
              ("on: 2026-03-01}", "on: 2026-02-01}"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("D012", POL, 7)}
    assert messages(run)[("D012", 7)] == (
        "approved POL-01 changed since HEAD but approval.on is 2026-02-01, before 2026-03-01 "
        "at HEAD")


def test_draft_approved_without_review(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit("policies/POL-02.yaml", APPROVE)
    run = base_check(cli, repo)
    assert findings_of(run) == {("D013", "policies/POL-02.yaml", 5)}
    assert messages(run)[("D013", 5)] == (
        "status went from draft to approved since HEAD without in-review")

    # Through in-review (committed: the base now says in-review) it passes; approving the
    # reviewed version needs no new version.
    repo.git("checkout", "-q", "--", "policies/POL-02.yaml")
    repo.edit("policies/POL-02.yaml", ("status: draft", "status: in-review"),
              ("\nversion: 0.1.0\n", "\nversion: 0.2.0\n"),
              ("change: First draft}", "change: First draft}\n"
               "  - {version: 0.2.0, date: 2026-11-01, author: ciso, change: For review}"))
    assert findings_of(base_check(cli, repo)) == set()
    repo.commit("POL-02 in review", "2026-11-02T10:00:00+00:00")
    repo.edit("policies/POL-02.yaml", ("status: in-review", "status: approved\n"
                                       "approval: {by: director, on: 2026-11-10}\n"
                                       "review: {every_months: 12, last: 2026-11-10}"))
    assert findings_of(base_check(cli, repo)) == set()


def test_review_step_is_only_required_when_configured(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit("isms.yaml", ("document_control:\n  require_review: true\n", ""))
    repo.edit("policies/POL-02.yaml", APPROVE)
    assert findings_of(base_check(cli, repo)) == set()


def test_requirements_change_needs_a_minor_bump(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    change = [("requirements: [iso27001-2022:A.8.2]",
               "requirements: [iso27001-2022:A.8.2, iso27001-2022:A.5.19]"),
              ("on: 2026-04-01}\nreview", "on: 2026-11-01}\nreview"),
              ("change: First issue}", "change: First issue}\n"
               "  - {version: VERSION, date: 2026-11-01, author: om-manager, change: Scope}")]
    patch = [(old, new.replace("VERSION", "1.0.1")) for old, new in change]
    repo.edit(PRC, ("\nversion: 1.0.0\n", "\nversion: 1.0.1\n"), *patch)
    run = base_check(cli, repo)
    assert findings_of(run) == {("D014", PRC, 5)}
    assert messages(run)[("D014", 5)] == (
        "1.0.0 → 1.0.1 is a patch bump, but requirements changed, which needs a minor bump")
    assert run.json()["findings"][0]["hint"] == (
        "use 1.1.0 (document_control.bump in isms.yaml sets which fields need which bump)")
    repo.edit(PRC, ("\nversion: 1.0.1\n", "\nversion: 1.1.0\n"), ("version: 1.0.1,", "version: 1.1.0,"))
    assert findings_of(base_check(cli, repo)) == set()


def test_bump_table_is_configurable(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, NEW_TEXT, RENEW, ("\nversion: 1.1.0\n", "\nversion: 1.1.1\n"), append_history("1.1.1"))
    repo.edit("isms.yaml", ("require_review: true\n",
                            "require_review: true\n  bump: {major: [text], none: [owner]}\n"))
    run = base_check(cli, repo)
    assert findings_of(run) == {("D014", POL, 4)}
    assert messages(run)[("D014", 4)] == (
        "1.1.0 → 1.1.1 is a patch bump, but text changed, which needs a major bump")
    # `none` fields change freely; status to retired is a change (minor by default).
    repo.git("checkout", "-q", "--", POL)
    repo.edit(POL, ("owner: ciso", "owner: om-manager"))
    assert findings_of(base_check(cli, repo)) == set()


def test_status_change_other_than_approval_needs_a_bump(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit(POL, ("status: approved", "status: retired"))
    run = base_check(cli, repo)
    # D006: the approved procedure under it now refers to a retired policy.
    assert findings_of(run) == {("D009", POL, 4), ("D006", PRC, 3)}
    assert run.json()["findings"][0]["hint"] == (
        "raise the version to 1.2.0 (minor) or higher and add a history entry for it")


def test_rename_is_matched_by_id(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.mv(POL, "policies/POL-01-outsourcing.yaml")
    repo.edit("policies/POL-01-outsourcing.yaml", NEW_TEXT)
    run = base_check(cli, repo)
    assert findings_of(run) == {("D009", "policies/POL-01-outsourcing.yaml", 4),
                                ("D012", "policies/POL-01-outsourcing.yaml", 7)}


def test_new_documents_and_other_kinds_need_no_version(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.write("policies/POL-03.yaml", repo.read("policies/POL-02.yaml").replace("POL-02", "POL-03"))
    repo.edit("controls/CTL-A.5.19.yaml", ("status: planned", "status: partial"))
    assert findings_of(base_check(cli, repo)) == set()


def test_base_can_be_any_revision_and_isms_can_live_in_a_subfolder(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path, sub="isms")
    repo.git("tag", "v2025-audit")
    repo.edit(POL, NEW_TEXT)
    repo.commit("Reword POL-01", "2026-02-01T09:00:00+00:00")
    run = base_check(cli, repo, base="v2025-audit")
    assert findings_of(run) == {("D009", POL, 4), ("D012", POL, 7)}
    assert findings_of(base_check(cli, repo, base="HEAD")) == set()


def test_controlled_kinds_must_carry_a_version(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    repo.edit("isms.yaml", ("require_review: true\n",
                            "require_review: true\n  controlled_kinds: [control]\n"))
    run = base_check(cli, repo)
    assert run.code == 2
    assert "document_control.controlled_kinds: 'control' cannot be controlled" in run.err
    assert "only kinds with `version` and `history` fields can be: policy, procedure, document" \
        in run.err
    # Without --base the setting is not consulted.
    assert cli("check", str(repo.root), "--today", TODAY).code == 0


def test_unknown_revision_exits_2_with_fetch_hint(cli, tmp_path):
    repo = GitRepo.from_fixture(tmp_path)
    run = base_check(cli, repo, base="origin/main")
    assert run.code == 2
    assert run.out == ""
    assert run.err == (
        "isms: error: revision 'origin/main' not found in this repository\n"
        "  hint: fetch it first: `git fetch --depth=1 origin main:refs/remotes/origin/main`; "
        "in GitHub Actions, use actions/checkout with `fetch-depth: 0`\n")


def test_not_a_git_work_tree_exits_2(cli, make_repo):
    root = make_repo("doc_history")
    run = cli("check", str(root), "--base", "HEAD", "--today", TODAY)
    assert run.code == 2
    assert "is not inside a git work tree" in run.err


def test_shallow_clone_without_the_base_then_with_it(cli, tmp_path):
    origin = GitRepo.from_fixture(tmp_path)
    origin.git("tag", "v2025-audit")
    origin.edit(POL, NEW_TEXT)
    origin.commit("Reword POL-01", "2026-02-01T09:00:00+00:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{origin.top}", str(clone)],
                   check=True, env=git_env(), capture_output=True)
    shallow = GitRepo(clone)

    run = base_check(cli, shallow, base="v2025-audit")
    assert run.code == 2
    assert run.err == (
        "isms: error: revision 'v2025-audit' not found: this is a shallow clone, which holds "
        "only the latest commits\n"
        "  hint: fetch it first: `git fetch --depth=1 origin tag v2025-audit` for a tag, or "
        "`git fetch --depth=1 origin v2025-audit:refs/remotes/origin/v2025-audit` for a branch "
        "(then use origin/v2025-audit); in GitHub Actions, use actions/checkout with "
        "`fetch-depth: 0`\n")

    shallow.git("fetch", "-q", "--depth=1", "origin", "tag", "v2025-audit")
    assert shallow.git("rev-parse", "--is-shallow-repository") == "true"
    run = base_check(cli, shallow, base="v2025-audit")
    assert run.code == 1
    assert findings_of(run) == {("D009", POL, 4), ("D012", POL, 7)}
