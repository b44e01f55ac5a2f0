"""Certified staff, vendor certifications and contracts on --today (fixture `vendor_staff`,
warning windows 30 days for certificates and 60 for contracts, --today 2026-11-15)."""

from __future__ import annotations

import pytest

from conftest import REPO, TODAY


def audit(cli, *extra, repo="tests/fixtures/vendor_staff"):
    run = cli("vendors", "staff", str(repo), "--today", TODAY, "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def test_staff_status_on_the_window_edges(cli):
    staff = {s["id"]: (s["status"], s["days_left"], s["severity"]) for s in audit(cli)["staff"]}
    assert staff == {
        "S-GOOD-01": ("valid", 227, None),
        "S-GOOD-02": ("none", None, "error"),  # privileged activity, no certificate
        "S-GOOD-03": ("expired", -1, "warning"),  # on-site only, expired yesterday
        "S-GOOD-04": ("expiring", 0, "warning"),  # valid through its expiry day
        "S-GOOD-05": ("expiring", 30, "warning"),  # the window is inclusive
        "S-GOOD-06": ("valid", 31, None),
        "S-GOOD-07": ("none", None, None),  # on no activity
        "S-GOOD-08": ("expired", -46, "error"),  # remote access, expired
        "S-IDLE-01": ("expired", -229, None),
        "S-OLD-01": ("valid", 227, None),
    }


def test_certifications_and_contracts_matter_while_activities_are_active(cli):
    data = audit(cli)
    certs = {(c["third_party"], c["certificate"]): (c["status"], c["severity"])
             for c in data["certifications"]}
    assert certs == {("TP-GOOD", "ISMS-1"): ("expiring", "warning"),
                     ("TP-GOOD", "ITSMS-1"): ("expired", "warning"),
                     ("TP-GOOD", "CMMI-1"): ("valid", None),
                     ("TP-IDLE", "ISMS-9"): ("expired", None)}
    contracts = {c["contract"]: (c["status"], c["days_left"], c["severity"], c["problem"])
                 for c in data["contracts"]}
    assert contracts == {
        "HT-GOOD": ("expiring", 46, "warning",
                    "contract HT-GOOD ends on 2026-12-31 (46 days) while 3 activities are active"),
        "HT-IDLE": ("expired", -138, None, None),
        "HT-OLD": ("expired", -15, "error",
                   "contract HT-OLD ended on 2026-10-31 but 1 activity is still active"),
    }


def test_third_party_filter(cli):
    data = audit(cli, "--third-party", "TP-OLD")
    assert [s["id"] for s in data["staff"]] == ["S-OLD-01"]
    assert [c["contract"] for c in data["contracts"]] == ["HT-OLD"]


@pytest.mark.parametrize("fmt", ["text", "csv", "json"])
def test_staff_formats(cli, golden, fmt):
    run = cli("vendors", "staff", "tests/fixtures/vendor_staff", "--today", TODAY, "--format", fmt)
    assert run.code == 0
    golden(f"outsourcing/vendor-staff.{fmt}", run.out)


def test_reference_staff_audit(cli):
    data = audit(cli, repo=REPO)
    flagged = [(s["id"], s["status"], s["days_left"]) for s in data["staff"] if s["severity"]]
    assert flagged == [("S-YUNQI-05", "expiring", 46)]
    assert [(c["third_party"], c["status"]) for c in data["contracts"] if c["severity"]] == [
        ("TP-LIANCHUANG", "expiring")]
    assert len(data["staff"]) == 33
