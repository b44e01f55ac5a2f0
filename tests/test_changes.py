"""`isms diff`: what changed in the ISMS between two revisions, in every format, exactly."""

from __future__ import annotations

import json

import pytest
from gitrepo import GitRepo

from isms import __version__

YEAR_END = "2026-12-15T08:00:00+00:00"


@pytest.fixture
def repo(tmp_path):
    """The doc_history baseline tagged audit-2026 (2026-10-01), then one commit (2026-12-15)
    that adds, removes, renames and changes entities of every kind the diff reports on."""
    repo = GitRepo.from_fixture(tmp_path, date="2026-10-01T08:00:00+00:00")
    repo.git("tag", "audit-2026")
    repo.write("policies/POL-03.yaml", "kind: policy\nid: POL-03\ntitle: Cloud Services Policy\n"
               "version: 0.1.0\nstatus: draft\nowner: ciso\nhistory:\n"
               "  - {version: 0.1.0, date: 2026-12-01, author: ciso, change: First draft}\n")
    repo.path("documents/DOC-02.yaml").unlink()
    repo.edit("procedures/PRC-01.yaml", ("records: [DOC-01, DOC-02]", "records: [DOC-01]"))
    repo.mv("controls/CTL-A.5.19.yaml", "controls/CTL-A.5.19-suppliers.yaml")
    repo.edit("controls/CTL-A.5.19-suppliers.yaml", ("status: planned", "status: partial"))
    repo.write("controls/CTL-A.5.20.yaml", "kind: control\nid: CTL-A.5.20\n"
               "requirement: iso27001-2022:A.5.20\napplicable: false\n"
               "reason: No supplier agreements of our own.\nstatus: not-implemented\n")
    repo.edit("policies/POL-01.yaml", ("\nversion: 1.1.0\n", "\nversion: 1.2.0\n"),
              ("text: Vendors are governed by SLAs.", "text: Vendors are governed by SLAs and OLAs."),
              ("owner: ciso\n", "owner: ciso\n# comments are not content\n"))
    repo.edit("registers/RSK-01.yaml", ("likelihood: 4\n", "likelihood: 3\n"),
              ("option: mitigate", "option: transfer"))
    repo.write("evidence/EV-02.yaml", "kind: evidence\nid: EV-02\ndocument: DOC-01\n"
               "collected: 2026-08-20\nfiles: [evidence/access-2026-08.csv]\n"
               "description: Backfilled July review\n")
    repo.commit("Year-end changes", YEAR_END)
    return repo


def shas(repo):
    return repo.git("rev-parse", "audit-2026"), repo.git("rev-parse", "HEAD")


A8_2_STALE = ("CTL-A.8.2 implemented; implemented by DOC-01, PRC-01; evidence of DOC-01 stale "
              "(EV-01, collected 2026-09-01; expected every 3 months); missing: fresh evidence "
              "of DOC-01")
A5_20_EXCLUDED = "CTL-A.5.20 excluded: No supplier agreements of our own."


def test_text(cli, repo):
    old, new = shas(repo)
    run = cli("diff", "audit-2026", "HEAD", "-C", str(repo.root))
    assert run.code == 0, run.err
    assert run.out == f"""\
ISMS changes from audit-2026 ({old[:12]}, 2026-10-01) to HEAD ({new[:12]}, 2026-12-15)

Entities: 3 added, 1 removed, 1 renamed, 4 changed
  + control CTL-A.5.20 controls/CTL-A.5.20.yaml: iso27001-2022:A.5.20
  + evidence EV-02 evidence/EV-02.yaml
  + policy POL-03 0.1.0 policies/POL-03.yaml: Cloud Services Policy
  - document DOC-02 1.0.0 documents/DOC-02.yaml: Access review record
  > control CTL-A.5.19 controls/CTL-A.5.19.yaml → controls/CTL-A.5.19-suppliers.yaml
  ~ control CTL-A.5.19: status
  ~ policy POL-01 1.1.0 → 1.2.0: text, version
  ~ procedure PRC-01 1.0.0: records
  ~ risk RSK-01: likelihood, treatment

Statement of Applicability: 2 rows changed
  CTL-A.5.19 iso27001-2022:A.5.19: status planned → partial
  CTL-A.5.20 iso27001-2022:A.5.20: added (not applicable, not-implemented)

Risks: 1 changed
  RSK-01: score 20 → 15; residual 6; treatment mitigate → transfer (changed: option)

Evidence: 1 added, 1 expired
  + EV-02 DOC-01 collected 2026-08-20 (evidence/EV-02.yaml)
  ! CTL-A.8.2 DOC-01 every 3 months: last collected 2026-09-01, due 2026-12-01

Gaps: 1 opened, 1 closed
  + iso27001-2022:A.8.2: compliant → partial ({A8_2_STALE})
  - iso27001-2022:A.5.20: gap → not-applicable ({A5_20_EXCLUDED})
"""


def test_markdown_for_a_pull_request_comment(cli, repo):
    old, new = shas(repo)
    run = cli("diff", "audit-2026", "HEAD", "-C", str(repo.root), "--format", "markdown")
    assert run.code == 0, run.err
    assert run.out == f"""\
<!-- isms-diff -->
### ISMS changes: audit-2026 ({old[:12]}, 2026-10-01) → HEAD ({new[:12]}, 2026-12-15)

**Entities:** 3 added, 1 removed, 1 renamed, 4 changed

| Change | Kind | Id | Version | Title | File | Changed fields |
|---|---|---|---|---|---|---|
| added | control | `CTL-A.5.20` |  | iso27001-2022:A.5.20 | `controls/CTL-A.5.20.yaml` |  |
| added | evidence | `EV-02` |  |  | `evidence/EV-02.yaml` |  |
| added | policy | `POL-03` | 0.1.0 | Cloud Services Policy | `policies/POL-03.yaml` |  |
| removed | document | `DOC-02` | 1.0.0 | Access review record | `documents/DOC-02.yaml` |  |
| renamed | control | `CTL-A.5.19` |  |  | `controls/CTL-A.5.19.yaml` → `controls/CTL-A.5.19-suppliers.yaml` |  |
| changed | control | `CTL-A.5.19` |  | iso27001-2022:A.5.19 | `controls/CTL-A.5.19-suppliers.yaml` | status |
| changed | policy | `POL-01` | 1.1.0 → 1.2.0 | Outsourcing Governance Policy | `policies/POL-01.yaml` | text, version |
| changed | procedure | `PRC-01` | 1.0.0 | Vendor Access Management | `procedures/PRC-01.yaml` | records |
| changed | risk | `RSK-01` |  | Vendor privileged access misused | `registers/RSK-01.yaml` | likelihood, treatment |

**Statement of Applicability:** 2 rows changed

| Control | Requirement | Applicable | Status |
|---|---|---|---|
| `CTL-A.5.19` | iso27001-2022:A.5.19 | yes | planned → partial |
| `CTL-A.5.20` | iso27001-2022:A.5.20 | - → no | - → not-implemented |

**Risks:** 1 changed

| Risk | Title | Score | Residual | Treatment | Treatment changes |
|---|---|---|---|---|---|
| `RSK-01` | Vendor privileged access misused | 20 → 15 | 6 | mitigate → transfer | option |

**Evidence:** 1 added, 1 expired

| Added record | Document | Collected | File |
|---|---|---|---|
| `EV-02` | DOC-01 | 2026-08-20 | `evidence/EV-02.yaml` |

| Expired: control | Document | Every | Last collected | Due |
|---|---|---|---|---|
| `CTL-A.8.2` | DOC-01 | 3 months | 2026-09-01 | 2026-12-01 |

**Gaps:** 1 opened, 1 closed

| Gap | Requirement | Status | Why |
|---|---|---|---|
| opened | iso27001-2022:A.8.2 | compliant → partial | {A8_2_STALE} |
| closed | iso27001-2022:A.5.20 | gap → not-applicable | {A5_20_EXCLUDED} |
"""


def test_json(cli, repo):
    old, new = shas(repo)
    run = cli("diff", "audit-2026", "HEAD", "-C", str(repo.root), "--format", "json")
    assert run.code == 0, run.err
    expected = {
        "tool": {"name": "isms", "version": __version__},
        "old": {"label": "audit-2026", "sha": old, "date": "2026-10-01", "dirty": False},
        "new": {"label": "HEAD", "sha": new, "date": "2026-12-15", "dirty": False},
        "summary": {"added": 3, "removed": 1, "renamed": 1, "changed": 4, "soa_rows": 2,
                    "risks": 1, "evidence_added": 1, "evidence_expired": 1, "gaps_opened": 1,
                    "gaps_closed": 1},
        "entities": {
            "added": [
                {"id": "CTL-A.5.20", "kind": "control", "path": "controls/CTL-A.5.20.yaml",
                 "version": None, "title": "iso27001-2022:A.5.20"},
                {"id": "EV-02", "kind": "evidence", "path": "evidence/EV-02.yaml",
                 "version": None, "title": None},
                {"id": "POL-03", "kind": "policy", "path": "policies/POL-03.yaml",
                 "version": "0.1.0", "title": "Cloud Services Policy"},
            ],
            "removed": [
                {"id": "DOC-02", "kind": "document", "path": "documents/DOC-02.yaml",
                 "version": "1.0.0", "title": "Access review record"},
            ],
            "renamed": [
                {"id": "CTL-A.5.19", "kind": "control", "old_path": "controls/CTL-A.5.19.yaml",
                 "new_path": "controls/CTL-A.5.19-suppliers.yaml"},
            ],
            "changed": [
                {"id": "CTL-A.5.19", "kind": "control",
                 "path": "controls/CTL-A.5.19-suppliers.yaml", "old_version": None,
                 "new_version": None, "fields": ["status"], "title": "iso27001-2022:A.5.19"},
                {"id": "POL-01", "kind": "policy", "path": "policies/POL-01.yaml",
                 "old_version": "1.1.0", "new_version": "1.2.0", "fields": ["text", "version"],
                 "title": "Outsourcing Governance Policy"},
                {"id": "PRC-01", "kind": "procedure", "path": "procedures/PRC-01.yaml",
                 "old_version": "1.0.0", "new_version": "1.0.0", "fields": ["records"],
                 "title": "Vendor Access Management"},
                {"id": "RSK-01", "kind": "risk", "path": "registers/RSK-01.yaml",
                 "old_version": None, "new_version": None, "fields": ["likelihood", "treatment"],
                 "title": "Vendor privileged access misused"},
            ],
        },
        "soa": [
            {"id": "CTL-A.5.19", "requirement": "iso27001-2022:A.5.19", "old_applicable": True,
             "new_applicable": True, "old_status": "planned", "new_status": "partial"},
            {"id": "CTL-A.5.20", "requirement": "iso27001-2022:A.5.20", "old_applicable": None,
             "new_applicable": False, "old_status": None, "new_status": "not-implemented"},
        ],
        "risks": [
            {"id": "RSK-01", "old_score": 20, "new_score": 15, "old_residual": 6,
             "new_residual": 6, "old_treatment": "mitigate", "new_treatment": "transfer",
             "treatment_fields": ["option"], "title": "Vendor privileged access misused"},
        ],
        "evidence": {
            "added": [{"id": "EV-02", "document": "DOC-01", "collected": "2026-08-20",
                       "path": "evidence/EV-02.yaml"}],
            "expired": [{"control": "CTL-A.8.2", "document": "DOC-01", "every_months": 3,
                         "last_collected": "2026-09-01", "due": "2026-12-01"}],
        },
        "gaps": [
            {"requirement": "iso27001-2022:A.8.2", "change": "opened", "old_status": "compliant",
             "new_status": "partial", "reason": A8_2_STALE},
            {"requirement": "iso27001-2022:A.5.20", "change": "closed", "old_status": "gap",
             "new_status": "not-applicable", "reason": A5_20_EXCLUDED},
        ],
    }
    assert run.out == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"


def test_range_forms_give_the_same_result(cli, repo):
    two = cli("diff", "audit-2026", "HEAD", "-C", str(repo.root), "--format", "json")
    assert cli("diff", "audit-2026..HEAD", "-C", str(repo.root), "--format", "json").out == two.out
    assert cli("diff", "audit-2026..", "-C", str(repo.root), "--format", "json").out == two.out


def test_working_tree_side_with_uncommitted_changes(cli, repo, tmp_path):
    head = repo.git("rev-parse", "HEAD")
    repo.edit("controls/CTL-A.8.2.yaml", ("applicable: true", "applicable: false"),
              ("reason: Vendors hold privileged remote access.",
               "reason: Vendor access ended in December."))
    out = tmp_path / "diff.txt"
    run = cli("diff", "HEAD", "-C", str(repo.root), "--today", "2026-12-20", "--output", str(out))
    assert run.code == 0, run.err
    assert run.out == ""
    assert out.read_text("utf-8") == f"""\
ISMS changes from HEAD ({head[:12]}, 2026-12-15) to the working tree (2026-12-20, uncommitted changes)

Entities: 0 added, 0 removed, 0 renamed, 1 changed
  ~ control CTL-A.8.2: applicable, reason

Statement of Applicability: 1 row changed
  CTL-A.8.2 iso27001-2022:A.8.2: applicable yes → no

Risks: 0 changed

Evidence: 0 added, 0 expired

Gaps: 0 opened, 1 closed
  - iso27001-2022:A.8.2: partial → not-applicable (CTL-A.8.2 excluded: Vendor access ended in December.)
"""


def test_no_changes(cli, repo):
    run = cli("diff", "HEAD", "HEAD", "-C", str(repo.root))
    head = repo.git("rev-parse", "HEAD")[:12]
    assert run.out == (
        f"ISMS changes from HEAD ({head}, 2026-12-15) to HEAD ({head}, 2026-12-15)\n\n"
        "Entities: 0 added, 0 removed, 0 renamed, 0 changed\n\n"
        "Statement of Applicability: 0 rows changed\n\nRisks: 0 changed\n\n"
        "Evidence: 0 added, 0 expired\n\nGaps: 0 opened, 0 closed\n")


@pytest.mark.parametrize(("args", "message"), [
    (("audit-2026..HEAD", "HEAD"), "give either REV1..REV2 or REV1 REV2, not both"),
    (("audit-2026...HEAD",), "use REV1..REV2 (two dots) or REV1 REV2"),
    (("no-such-tag",), "revision 'no-such-tag' not found in this repository"),
    (("--bogus-option-like-rev",), "No such option"),
])
def test_bad_revisions_exit_2(cli, repo, args, message):
    run = cli("diff", *args, "-C", str(repo.root))
    assert run.code == 2
    assert message in run.err
