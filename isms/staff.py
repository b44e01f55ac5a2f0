"""Certified staff, third-party certifications and contracts, as of one day.

Only certified vendor staff may work on the district's systems (持证上岗). A certificate is
valid up to and including its expiry date; it is "expiring" when it expires within the
warning window (``vendors.certificate_warning_days``). Staff assigned to an activity without
a certificate valid on the day is an error when the activity has privileged or remote access
(the access that can do real harm unseen) and a warning otherwise. A staff member is judged
only on activities of their own third party: staff listed on another party's activity are a
reference error (R008), not a certification problem.

Activities carry no end date, so an activity in the register is active. A third party's
certifications and contract matter while it has active activities: a certification that has
expired or expires within the certificate window, and a contract that has ended or ends
within ``vendors.contract_warning_days``, are reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from isms.checks import as_date
from isms.model import Entity, Repo
from isms.outsourcing_config import VendorSettings

SENSITIVE_ACCESS = ("privileged", "remote")


@dataclass(frozen=True)
class StaffStatus:
    third_party: str
    index: int  # position in the third party's `staff`, for file:line
    staff: str
    name: str
    role: str
    certificate: str  # '' when none
    expires: dt.date | None
    status: str  # valid, expiring, expired, none
    days_left: int | None
    activities: tuple[str, ...]
    sensitive_activities: tuple[str, ...]  # those with privileged or remote access
    severity: str  # error, warning or '' (nothing to report)
    problem: str


@dataclass(frozen=True)
class CertificationStatus:
    third_party: str
    index: int
    standard: str
    certificate: str
    expires: dt.date
    status: str  # valid, expiring, expired
    days_left: int
    activities: tuple[str, ...]
    severity: str  # warning, or '' when valid or the party has no activities
    problem: str


@dataclass(frozen=True)
class ContractStatus:
    third_party: str
    contract: str
    start: dt.date | None
    end: dt.date
    status: str  # active, expiring, expired
    days_left: int
    activities: tuple[str, ...]
    severity: str  # error when expired, warning when expiring, '' otherwise or without activities
    problem: str


@dataclass(frozen=True)
class StaffAudit:
    today: dt.date
    certificate_warning_days: int
    contract_warning_days: int
    staff: tuple[StaffStatus, ...]
    certifications: tuple[CertificationStatus, ...]
    contracts: tuple[ContractStatus, ...]


def activities_text(count: int) -> str:
    return f"{count} {'activity is' if count == 1 else 'activities are'}"


def validity(expires: dt.date, today: dt.date, window: int) -> str:
    if expires < today:
        return "expired"
    if (expires - today).days <= window:
        return "expiring"
    return "valid"


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _activities_by_party(repo: Repo) -> dict[str, list[Entity]]:
    out: dict[str, list[Entity]] = {}
    for activity in repo.of_kind("activity"):
        party = activity.get("third_party")
        if isinstance(party, str):
            out.setdefault(party, []).append(activity)
    return out


def _access(activity: Entity) -> set[str]:
    access = activity.get("access")
    return {a for a in access if isinstance(a, str)} if isinstance(access, list) else set()


def _staff_ids(activity: Entity) -> set[str]:
    staff = activity.get("staff")
    return {s for s in staff if isinstance(s, str)} if isinstance(staff, list) else set()


def _crews(activities: list[Entity]) -> list[tuple[str, set[str], bool]]:
    """Each activity's id, its staff and whether its access is privileged or remote."""
    return [(a.id, _staff_ids(a), bool(_access(a) & set(SENSITIVE_ACCESS))) for a in activities]


def staff_status(party: Entity, index: int, member: Mapping[str, Any], activities: list[Entity],
                 today: dt.date, window: int) -> StaffStatus | None:
    return _staff_status(party, index, member, _crews(activities), today, window)


def _staff_status(party: Entity, index: int, member: Mapping[str, Any],
                  crews: list[tuple[str, set[str], bool]], today: dt.date,
                  window: int) -> StaffStatus | None:
    ident = member.get("id")
    if not isinstance(ident, str):
        return None
    assigned = sorted(a for a, staff, _sensitive in crews if ident in staff)
    sensitive = sorted(a for a, staff, privileged in crews if ident in staff and privileged)
    certificate = member.get("certificate")
    cert_id, expires = "", None
    if isinstance(certificate, Mapping):
        cert_id = _str(certificate.get("id"))
        expires = as_date(certificate.get("expires"))
    if expires is None:
        status, days_left = "none", None
    else:
        status, days_left = validity(expires, today, window), (expires - today).days
    severity, problem = "", ""
    if assigned and status in ("none", "expired"):
        what = "has no certificate" if status == "none" else f"certificate {cert_id} expired on {expires}"
        if sensitive:
            severity = "error"
            problem = f"{what} but works on {', '.join(sensitive)} (privileged or remote access)"
        else:
            severity = "warning"
            problem = f"{what} but works on {', '.join(assigned)}"
    elif assigned and status == "expiring":
        severity = "warning"
        problem = f"certificate {cert_id} expires on {expires} ({days_left} days)"
    return StaffStatus(party.id, index, ident, _str(member.get("name")), _str(member.get("role")),
                       cert_id, expires, status, days_left, tuple(assigned), tuple(sensitive),
                       severity, problem)


def staff_audit(repo: Repo, settings: VendorSettings, today: dt.date,
                third_party: str | None = None) -> StaffAudit:
    by_party = _activities_by_party(repo)
    staff: list[StaffStatus] = []
    certifications: list[CertificationStatus] = []
    contracts: list[ContractStatus] = []
    cert_window = settings.certificate_warning_days
    for party in sorted(repo.of_kind("third-party"), key=lambda e: e.id):
        if third_party is not None and party.id != third_party:
            continue
        activities = by_party.get(party.id, [])
        active = tuple(sorted(a.id for a in activities))
        crews = _crews(activities)  # once per party, not once per staff member
        members = party.get("staff")
        for index, member in enumerate(members if isinstance(members, list) else []):
            if isinstance(member, Mapping):
                status = _staff_status(party, index, member, crews, today, cert_window)
                if status is not None:
                    staff.append(status)
        certs = party.get("certifications")
        for index, cert in enumerate(certs if isinstance(certs, list) else []):
            if not isinstance(cert, Mapping):
                continue
            expires = as_date(cert.get("expires"))
            if expires is None:
                continue
            state = validity(expires, today, cert_window)
            severity, problem = "", ""
            if active and state != "valid":
                severity = "warning"
                verb = "expired on" if state == "expired" else "expires on"
                problem = (f"{_str(cert.get('standard'))} certification {verb} {expires} while "
                           f"{activities_text(len(active))} active")
            certifications.append(CertificationStatus(
                party.id, index, _str(cert.get("standard")), _str(cert.get("id")), expires,
                state, (expires - today).days, active, severity, problem))
        contract = party.get("contract")
        if isinstance(contract, Mapping):
            end = as_date(contract.get("end"))
            if end is not None:
                state = validity(end, today, settings.contract_warning_days)
                severity, problem = "", ""
                if active and state == "expired":
                    severity = "error"
                    problem = (f"contract {_str(contract.get('id'))} ended on {end} but "
                               f"{activities_text(len(active))} still active")
                elif active and state == "expiring":
                    severity = "warning"
                    problem = (f"contract {_str(contract.get('id'))} ends on {end} "
                               f"({(end - today).days} days) while {activities_text(len(active))} "
                               "active")
                contracts.append(ContractStatus(
                    party.id, _str(contract.get("id")), as_date(contract.get("start")), end,
                    "active" if state == "valid" else state, (end - today).days, active,
                    severity, problem))
    staff.sort(key=lambda s: (s.third_party, s.staff))
    return StaffAudit(today, cert_window, settings.contract_warning_days, tuple(staff),
                      tuple(certifications), tuple(contracts))
