#!/usr/bin/env python3
"""Write a synthetic but valid isms repository of N entities, for benchmarks.

    python benchmarks/generate.py 10000 /tmp/isms-bench-10000 [--seed 1]

The repository has the shape of the bundled reference ISMS scaled up: the same isms.yaml
structure (roles, 12 domains, modes, languages en+zh, both frameworks), policies → procedures →
document sets, Statement of Applicability controls for the 93 ISO/IEC 27001:2022 Annex A controls
and the 71 GB/T 22239-2019 level 3 control points, and registers of third parties with staff,
their activities, risks, assets with failures, monthly evaluations and evidence records with
small evidence files. Documents are bilingual and mostly 2-6 KB. Every reference resolves,
staff on an activity belong to its third party, approvals are by another role than the owner,
history ends at the current version, reviews are not overdue and evidence is fresh on
2026-11-15 (the `--today` the benchmark uses), so `isms check --today 2026-11-15` passes.

The output depends only on N and the seed. YAML is written by a small emitter in this file
(PyYAML's pure-Python dumper would make generating 50,000 files slow).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import (
    ASSET_KINDS,
    DOCUMENT_TITLES,
    DOCUMENT_TYPES,
    DOMAINS,
    FIELDS,
    FREQUENCIES,
    GIVEN_NAMES,
    HEADINGS,
    ISO_CLAUSES,
    KPIS,
    MODES,
    POLICY_TITLES,
    PROCEDURE_TITLES,
    RACI_ACTIVITIES,
    RISK_TITLES,
    ROLES,
    SENTENCES,
    SLA_METRICS,
    STAFF_ROLES,
    SURNAMES,
    VENDOR_PREFIXES,
    VENDOR_SUFFIXES,
    Pair,
)

TODAY = dt.date(2026, 11, 15)  # the --today every date below is chosen against

ANNEX_A = tuple(f"A.{theme}.{i}" for theme, count in ((5, 37), (6, 8), (7, 14), (8, 34))
                for i in range(1, count + 1))
GBT_POINTS = tuple(f"8.1.{cat}.{i}" for cat, count in enumerate((10, 3, 6, 11, 4, 4, 5, 4, 10, 14), start=1)
                   for i in range(1, count + 1))
ISO = "iso27001-2022"
GBT = "gbt22239-2019-l3"
# Controls an activity with privileged or remote vendor access is expected to be governed by.
SUPPLIER_FAMILY = ("A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23")
ACCESS_FAMILY = ("A.8.2", "A.5.15", "A.5.16", "A.5.17", "A.5.18")
APPROVERS = ("director", "deputy-director", "ciso", "isms-manager")
ROLE_IDS = tuple(r[0] for r in ROLES)
MONTHS = tuple(f"{y}-{m:02d}" for y, m in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)])

# Entities of the reference ISMS per kind; a generated repo keeps these proportions, except
# that controls stop at one per requirement (164) and never outnumber evidence records, so
# that every control's evidence can be fresh.
REFERENCE = {"policy": 8, "procedure": 21, "document": 66, "control": 93, "third-party": 5, "activity": 15,
             "risk": 30, "asset": 47, "evaluation": 60, "evidence": 47}


# ---------------------------------------------------------------------------------------------
# YAML emitter


class Block(str):
    """A string written as a literal block scalar (Markdown bodies)."""


_BOOLISH = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}
_PLAIN = re.compile(r"[A-Za-z\u4e00-\u9fff][^\n\t#'\"{}\[\],&*!|>%@`]*")
_FLOW_UNSAFE = re.compile(r"[,{}\[\]]|: ")


def _plain_ok(s: str, flow: bool) -> bool:
    if not _PLAIN.fullmatch(s) or s != s.strip() or s.lower() in _BOOLISH:
        return False
    if ": " in s or s.endswith(":") or " #" in s:
        return False
    return not (flow and _FLOW_UNSAFE.search(s))


_SCALARS: dict[tuple[str, bool], str] = {}


def _scalar(value: Any, flow: bool = False) -> str:
    if isinstance(value, str):
        key = (value, flow)
        out = _SCALARS.get(key)
        if out is None:
            out = value if _plain_ok(value, flow) else json.dumps(value, ensure_ascii=False)
            if len(value) < 60:
                _SCALARS[key] = out
        return out
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    s = str(value)
    return s if _plain_ok(s, flow) else json.dumps(s, ensure_ascii=False)


_WRAP = re.compile(r"(.{1,95})(?: |$)")


def _wrap(text: str) -> list[str]:
    """Lines of at most 95 characters, broken at single spaces (words are never that long)."""
    return _WRAP.findall(text)


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool, dt.date)) and not isinstance(v, Block)


def _flow(value: Any) -> str | None:
    """The one-line flow form of a small mapping or list of scalars, or None if it needs blocks."""
    if isinstance(value, dict):
        if not all(_is_scalar(v) for v in value.values()):
            return None
        text = "{" + ", ".join(f"{k}: {_scalar(v, True)}" for k, v in value.items()) + "}"
    elif isinstance(value, list):
        if not all(_is_scalar(v) for v in value):
            return None
        text = "[" + ", ".join(_scalar(v, True) for v in value) + "]"
    else:
        return None
    return text if len(text) <= 100 else None


def _emit_value(out: list[str], prefix: str, value: Any, indent: int) -> None:
    """Write ``prefix`` (``key:`` or ``-``) followed by ``value`` at ``indent``."""
    pad = " " * indent
    if isinstance(value, Block):
        out.append(f"{pad}{prefix} |")
        for line in value.rstrip("\n").split("\n"):
            out.append(f"{pad}  {line}" if line else "")
        return
    if (isinstance(value, str) and len(value) > 90 and " " in value and "\n" not in value and "  " not in value
            and value == value.strip()):
        out.append(f"{pad}{prefix} >-")
        out.extend(f"{pad}  {line}" for line in _wrap(value))
        return
    if _is_scalar(value):
        out.append(f"{pad}{prefix} {_scalar(value)}")
        return
    flow = _flow(value)
    if flow is not None and (value or isinstance(value, list)):
        out.append(f"{pad}{prefix} {flow}")
        return
    out.append(f"{pad}{prefix}")
    if isinstance(value, dict):
        _emit_mapping(out, value, indent + 2)
    else:
        _emit_list(out, value, indent + 2)


def _emit_mapping(out: list[str], data: dict[str, Any], indent: int) -> None:
    for key, value in data.items():
        _emit_value(out, f"{key}:", value, indent)


def _emit_list(out: list[str], items: Sequence[Any], indent: int) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, dict) and _flow(item) is None:
            sub: list[str] = []
            _emit_mapping(sub, item, indent + 2)
            first = sub[0]
            sub[0] = f"{pad}- {first[indent + 2:]}"
            out.extend(sub)
        else:
            _emit_value(out, "-", item, indent)


def to_yaml(data: dict[str, Any]) -> str:
    out: list[str] = []
    _emit_mapping(out, data, 0)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# text


def text(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


@dataclass
class Writer:
    """Random choices and bilingual text for one generated repository."""

    rnd: random.Random

    def sentences(self, n: int, domain: int, vendor: Pair = ("the vendor", "服务商")) -> tuple[str, str]:
        d_en, d_zh = DOMAINS[domain % len(DOMAINS)][1:]
        picks = self.rnd.sample(SENTENCES, min(n, len(SENTENCES)))
        en = " ".join(s[0].replace("{d}", d_en).replace("{v}", vendor[0]) for s in picks)
        zh = "".join(s[1].replace("{d}", d_zh).replace("{v}", vendor[1]) for s in picks)
        return en[0].upper() + en[1:], zh

    def para(self, lo: int, hi: int, domain: int, vendor: Pair = ("the vendor", "服务商")) -> dict[str, str]:
        return text(*self.sentences(self.rnd.randint(lo, hi), domain, vendor))

    def markdown(self, sections: int, domain: int) -> dict[str, Block]:
        en: list[str] = []
        zh: list[str] = []
        for head in self.rnd.sample(HEADINGS, sections):
            s_en, s_zh = self.sentences(self.rnd.randint(2, 4), domain)
            en += [f"## {head[0]}", *_wrap(s_en), ""]
            zh += [f"## {head[1]}", s_zh, ""]
        return {"en": Block("\n".join(en)), "zh": Block("\n".join(zh))}

    def date(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rnd.randint(0, (end - start).days))

    def pick(self, seq: Sequence[Any], lo: int, hi: int) -> list[Any]:
        return self.rnd.sample(list(seq), min(len(seq), self.rnd.randint(lo, hi)))


# ---------------------------------------------------------------------------------------------
# plan


def plan_counts(n: int) -> dict[str, int]:
    """How many entities of each kind a repository of ``n`` entities has."""
    if n < 20:
        raise ValueError("N must be at least 20")
    ctl = min(len(ANNEX_A) + len(GBT_POINTS), round(n * REFERENCE["evidence"] / 392))
    rest = n - ctl
    counts = {"control": ctl}
    for kind in ("policy", "procedure", "document", "third-party", "activity", "risk"):
        counts[kind] = max(1, round(rest * REFERENCE[kind] / 299))
    counts["evaluation"] = counts["third-party"] * len(MONTHS)
    counts["evidence"] = max(ctl, round(rest * REFERENCE["evidence"] / 299))
    counts["asset"] = max(1, n - sum(counts.values()))
    return counts


def ids(prefix: str, count: int, width: int = 3) -> list[str]:
    w = max(width, len(str(count)))
    return [f"{prefix}-{i:0{w}d}" for i in range(1, count + 1)]


def slug(s: str) -> str:
    short = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    return short if len(short) <= 40 else short[:40].rsplit("-", 1)[0]


def version_history(w: Writer, final_date: dt.date, author: str) -> tuple[str, list[dict[str, Any]]]:
    """A version and its history: increasing versions and dates, newest last, at ``final_date``."""
    steps = w.rnd.randint(1, 4)
    major, minor = 1, 0
    versions = ["1.0.0"]
    for _ in range(steps - 1):
        if w.rnd.random() < 0.3:
            major, minor = major + 1, 0
        else:
            minor += 1
        versions.append(f"{major}.{minor}.0")
    years = sorted(w.rnd.sample(range(2019, 2026), steps - 1))
    dates = [dt.date(y, w.rnd.randint(1, 12), w.rnd.randint(1, 28)) for y in years] + [final_date]
    history = []
    for i, (v, d) in enumerate(zip(versions, dates, strict=True)):
        change = text("First issue.", "首次发布。") if i == 0 else w.para(1, 1, i)
        history.append({"version": v, "date": d, "author": author, "change": change})
    return versions[-1], history


def approval_fields(w: Writer, owner: str) -> dict[str, Any]:
    approved = w.date(dt.date(2026, 1, 5), dt.date(2026, 10, 30))
    approver = w.rnd.choice([r for r in APPROVERS if r != owner])
    version, history = version_history(w, approved, owner)
    return {"version": version, "status": "approved", "owner": owner,
            "approval": {"by": approver, "on": approved},
            "review": {"every_months": 12, "last": approved}, "_history": history}


def requirements(w: Writer, lo: int, hi: int, clauses: bool) -> list[str]:
    pool = [f"{ISO}:{a}" for a in ANNEX_A] + [f"{GBT}:{g}" for g in GBT_POINTS]
    reqs = w.pick(pool, lo, hi)
    if clauses:
        reqs += [f"{ISO}:{c}" for c in w.pick(ISO_CLAUSES, 1, 2)]
    return sorted(set(reqs))


# ---------------------------------------------------------------------------------------------
# repository


@dataclass
class Plan:
    counts: dict[str, int]
    policies: list[str]
    procedures: list[str]
    documents: list[str]
    controls: list[str]  # ids
    control_reqs: list[str]
    tps: list[str]
    activities: list[str]
    risks: list[str]
    assets: list[str]
    evidence: list[str]


def make_plan(n: int) -> Plan:
    c = plan_counts(n)
    reqs = [f"{ISO}:{a}" for a in ANNEX_A] + [f"{GBT}:{g}" for g in GBT_POINTS]
    reqs = reqs[: c["control"]]
    ctl_ids = [f"CTL-{r.split(':')[1]}" if r.startswith(ISO) else f"CTL-GB-{r.split(':')[1]}" for r in reqs]
    return Plan(c, ids("POL", c["policy"], 2), ids("PRC", c["procedure"], 2), ids("DOC", c["document"], 2),
                ctl_ids, reqs, ids("TP", c["third-party"], 3), ids("ACT", c["activity"], 3), ids("RSK", c["risk"], 3),
                ids("AST", c["asset"], 4), ids("EV-2026", c["evidence"], 4))


def generate(n: int, out: Path, seed: int = 1) -> dict[str, int]:
    """Write the repository to ``out`` (which must not exist or be empty); return counts per kind."""
    w = Writer(random.Random(seed))
    p = make_plan(n)
    files: dict[str, str] = {}  # relative path -> content

    def put(folder: str, eid: str, title: str, data: dict[str, Any]) -> None:
        history = data.pop("_history", None)
        if history is not None:
            data["history"] = history
        name = f"{eid}-{slug(title)}.yaml" if title else f"{eid}.yaml"
        files[f"{folder}/{name}"] = to_yaml(data)

    # -- governance tiers: policy → procedure → document
    proc_policy = {prc: p.policies[i % len(p.policies)] for i, prc in enumerate(p.procedures)}
    doc_proc = {doc: p.procedures[i % len(p.procedures)] for i, doc in enumerate(p.documents)}
    proc_docs: dict[str, list[str]] = {prc: [] for prc in p.procedures}
    for doc, prc in doc_proc.items():
        proc_docs[prc].append(doc)

    for i, pol in enumerate(p.policies):
        base = POLICY_TITLES[i % len(POLICY_TITLES)]
        series = i // len(POLICY_TITLES)
        title = text(base[0] + (f" (agency {series})" if series else ""),
                     base[1] + (f"（{series}号单位）" if series else ""))
        owner = w.rnd.choice(("ciso", "isms-manager", "vendor-manager", "om-manager"))
        data: dict[str, Any] = {"kind": "policy", "id": pol, "title": title, **approval_fields(w, owner),
                                "requirements": requirements(w, 4, 8, True),
                                "scope": w.para(2, 3, i), "objectives": [w.para(1, 1, i + k) for k in range(3)],
                                "statements": [w.para(2, 3, i + k) for k in range(w.rnd.randint(3, 4))],
                                "roles": [{"role": r, "responsibilities": w.para(1, 1, i)}
                                          for r in w.pick(ROLE_IDS, 2, 3)],
                                "text": w.markdown(2, i)}
        put("policies", pol, title["en"], data)

    for i, prc in enumerate(p.procedures):
        base = PROCEDURE_TITLES[i % len(PROCEDURE_TITLES)]
        title = text(base[0], base[1])
        owner = w.rnd.choice(ROLE_IDS[3:])
        raci = []
        for act in w.pick(RACI_ACTIVITIES, 2, 3):
            r_roles = w.pick(ROLE_IDS[3:], 1, 2)
            raci.append({"activity": text(*act), "R": r_roles, "A": w.rnd.choice(APPROVERS),
                         "C": w.pick(ROLE_IDS[4:], 0, 2), "I": w.pick(ROLE_IDS[4:], 0, 1)})
        data = {"kind": "procedure", "id": prc, "title": title, **approval_fields(w, owner),
                "policy": proc_policy[prc], "requirements": requirements(w, 3, 7, False),
                "purpose": w.para(2, 2, i), "scope": w.para(1, 2, i), "raci": raci,
                "steps": [w.para(1, 2, i + k) for k in range(w.rnd.randint(4, 6))],
                "inputs": [w.para(1, 1, i), w.para(1, 1, i + 1)], "outputs": [w.para(1, 1, i + 2)],
                "records": proc_docs[prc],
                "kpis": [{"name": text(*k), "target": "100%"} for k in w.pick(KPIS, 1, 2)],
                "text": w.markdown(1, i)}
        put("procedures", prc, title["en"], data)

    for i, doc in enumerate(p.documents):
        base = DOCUMENT_TITLES[i % len(DOCUMENT_TITLES)]
        title = text(base[0], base[1])
        owner = w.rnd.choice(ROLE_IDS[3:])
        data = {"kind": "document", "id": doc, "title": title, "procedure": doc_proc[doc],
                "type": w.rnd.choice(DOCUMENT_TYPES), "frequency": w.rnd.choice(FREQUENCIES),
                "mandatory": w.rnd.random() < 0.2, **approval_fields(w, owner),
                "requirements": requirements(w, 1, 3, False), "purpose": w.para(2, 3, i),
                "fields": [text(*f) for f in w.pick(FIELDS, 5, 9)],
                "retention": {"years": w.rnd.choice((3, 5, 10)), "note": w.para(1, 1, i)},
                "text": w.markdown(1, i)}
        put("documents", doc, title["en"], data)

    # -- registers: third parties, their activities, assets and risks
    n_tp = len(p.tps)
    vendor_of = {}
    staff_of: dict[str, list[str]] = {}
    act_tp = {act: p.tps[i % n_tp] for i, act in enumerate(p.activities)}
    asset_act = {ast: p.activities[i % len(p.activities)] for i, ast in enumerate(p.assets)}
    act_assets: dict[str, list[str]] = {a: [] for a in p.activities}
    for ast, act in asset_act.items():
        act_assets[act].append(ast)
    risk_act = {r: p.activities[i % len(p.activities)] for i, r in enumerate(p.risks)}
    act_risks: dict[str, list[str]] = {a: [] for a in p.activities}
    for r, act in risk_act.items():
        act_risks[act].append(r)
    ctl_by_req = {r.split(":")[1]: c for r, c in zip(p.control_reqs, p.controls, strict=True)}
    supplier = [ctl_by_req[a] for a in SUPPLIER_FAMILY if a in ctl_by_req]
    access = [ctl_by_req[a] for a in ACCESS_FAMILY if a in ctl_by_req]
    others = [c for c in p.controls if c not in supplier and c not in access]
    # Privileged or remote vendor access only where both control families exist to govern it.
    access_kinds = ("privileged", "remote", "onsite", "data") if supplier and access else ("onsite", "data")

    for i, tp in enumerate(p.tps):
        pre = VENDOR_PREFIXES[i % len(VENDOR_PREFIXES)]
        suf = VENDOR_SUFFIXES[(i // len(VENDOR_PREFIXES)) % len(VENDOR_SUFFIXES)]
        vendor_of[tp] = pre
        staff: list[dict[str, Any]] = []
        for k in range(1, w.rnd.randint(6, 9) + 1):
            sid = f"S-{tp[3:]}-{k:02d}"
            name = w.rnd.choice(SURNAMES) + w.rnd.choice(GIVEN_NAMES)
            staff.append({"id": sid, "name": name, "role": w.rnd.choice(STAFF_ROLES),
                          "certificate": {"id": f"QH-OM-2026-{i * 10 + k:05d}", "expires": dt.date(2027, 12, 31),
                                          "issuer": "District Information Office annual O&M qualification exam"}})
        staff_of[tp] = [s["id"] for s in staff]
        domain = i % len(DOMAINS)
        data = {"kind": "third-party", "id": tp, "name": text(f"{pre[0]} {suf[0]}", pre[1] + suf[1]),
                "services": w.para(3, 4, domain, pre), "contact": f"Service manager, +86 10 5555 {i % 10000:04d}",
                "contract": {"id": f"HT-2026-{i + 1:04d}", "start": dt.date(2026, 1, 1), "end": dt.date(2028, 12, 31),
                             "value": {"amount": w.rnd.randint(50, 900) * 10000, "currency": "CNY"}},
                "certifications": [
                    {"standard": "ISO/IEC 27001:2022", "id": f"ISMS-{i + 1:05d}", "expires": dt.date(2028, 6, 30)},
                    {"standard": "ISO/IEC 20000-1:2018", "id": f"ITSMS-{i + 1:05d}", "expires": dt.date(2028, 3, 31)}],
                "staff": staff}
        put("registers/third-parties", tp, pre[0], data)

    act_sla: dict[str, list[tuple[str, float, str, str]]] = {}
    for i, act in enumerate(p.activities):
        tp = act_tp[act]
        domain = i % len(DOMAINS)
        dom = DOMAINS[domain]
        sla = w.pick(SLA_METRICS, 3, 4)
        act_sla[act] = sla
        controls = w.pick(supplier, 2, 3) + w.pick(access, 2, 3) + w.pick(others, 1, 3)
        data = {"kind": "activity", "id": act,
                "title": text(f"{dom[1][0].upper()}{dom[1][1:]} operations ({vendor_of[tp][0]})",
                              f"{dom[2]}运维（{vendor_of[tp][1]}）"),
                "description": w.para(6, 9, domain, vendor_of[tp]), "third_party": tp, "domain": dom[0],
                "mode": w.rnd.choice(("mixed", "full")), "access": w.pick(access_kinds, 1, 3),
                "assets": act_assets[act], "staff": w.pick(staff_of[tp], 2, 4),
                "sla": [{"metric": m, "target": t, "unit": u, "better": b} for m, t, u, b in sla],
                "controls": sorted(controls), "risks": act_risks[act]}
        put("registers/activities", act, dom[0], data)

    for i, ast in enumerate(p.assets):
        act = asset_act[ast]
        tp = act_tp[act]
        typ, en, zh = ASSET_KINDS[i % len(ASSET_KINDS)]
        in_service = w.date(dt.date(2020, 1, 1), dt.date(2025, 6, 30))
        failures = []
        for day in sorted(w.date(dt.date(2026, 1, 1), dt.date(2026, 11, 10)) for _ in range(w.rnd.randint(1, 3))):
            failures.append({"date": day, "hours_down": round(w.rnd.uniform(0.1, 4.0), 1),
                             "note": w.para(3, 5, i, vendor_of[tp])})
        data = {"kind": "asset", "id": ast, "name": text(f"{en} {i + 1}", f"{zh}{i + 1}"), "type": typ,
                "owner": w.rnd.choice(("om-manager", "asset-manager", "facilities-manager")), "maintained_by": tp,
                "value": {"amount": w.rnd.randint(5, 300) * 10000, "currency": "CNY"},
                "classification": w.rnd.choice(("internal", "sensitive", "confidential")),
                "criticality": w.rnd.choice(("medium", "high", "critical")),
                "location": f"Machine room {'AB'[i % 2]}, rack {i % 40 + 1}", "in_service": in_service,
                "service_life_years": w.rnd.choice((8, 10)),
                "configuration": asset_configuration(w, i, tp),
                "failures": failures}
        put("registers/assets", ast, en, data)

    ctl_risks: dict[str, list[str]] = {c: [] for c in p.controls}
    ctl_acts: dict[str, list[str]] = {c: [] for c in p.controls}
    for i, rsk in enumerate(p.risks):
        act = risk_act[rsk]
        risk_title = RISK_TITLES[i % len(RISK_TITLES)]
        likelihood, impact = w.rnd.randint(2, 5), w.rnd.randint(2, 5)
        owner = w.rnd.choice(("ciso", "om-manager", "security-engineer"))
        treat = w.pick(p.controls, 2, 3)
        for c in treat:
            if len(ctl_risks[c]) < 8:
                ctl_risks[c].append(rsk)
        data = {"kind": "risk", "id": rsk, "title": text(*risk_title),
                "description": w.para(4, 6, i, vendor_of[act_tp[act]]),
                "assets": w.pick(act_assets[act], 1, 3), "activities": [act],
                "likelihood": likelihood, "impact": impact,
                "treatment": {"option": "mitigate", "controls": sorted(treat),
                              "due": w.date(dt.date(2027, 1, 15), dt.date(2027, 12, 15)), "plan": w.para(3, 4, i)},
                "residual": {"likelihood": max(1, likelihood - 1), "impact": max(1, impact - 1)},
                "owner": owner, "status": "treating"}
        if likelihood * impact > 8:
            data["accepted"] = {"by": "director", "on": w.date(dt.date(2026, 2, 1), dt.date(2026, 10, 30))}
        put("registers/risks", rsk, risk_title[0], data)
    for act in p.activities:
        for c in w.pick(p.controls, 1, 1):
            if len(ctl_acts[c]) < 8:
                ctl_acts[c].append(act)

    # -- evaluations: one per third party and month, every SLA metric met
    acts_of_tp: dict[str, list[str]] = {tp: [] for tp in p.tps}
    for act, tp in act_tp.items():
        acts_of_tp[tp].append(act)
    for tp in p.tps:
        for month in MONTHS:
            metrics = []
            for act in acts_of_tp[tp]:
                for m, target, _unit, better in act_sla[act]:
                    if better == "higher":
                        actual = round(target + (100 - target) * w.rnd.uniform(0.1, 0.9), 3)
                    else:
                        actual = round(target * w.rnd.uniform(0.3, 0.95), 1)
                    metrics.append({"activity": act, "metric": m, "actual": actual})
            eid = f"EVAL-{tp}-{month}"
            data = {"kind": "evaluation", "id": eid, "third_party": tp, "period": month, "metrics": metrics,
                    "satisfaction": {"responses": w.rnd.randint(15, 60),
                                     "score": round(w.rnd.uniform(4.5, 4.9), 1), "scale": 5},
                    "expert_review": {"score": w.rnd.randint(91, 98), "reviewer": "vendor-manager"},
                    "notes": w.para(6, 9, p.tps.index(tp), vendor_of[tp])}
            put("registers/evaluations", eid, "", data)

    # -- controls and their evidence: every control has one fresh evidence record or more
    ev_doc = {c: p.documents[(i * 7) % len(p.documents)] for i, c in enumerate(p.controls)}
    for i, (ctl, req) in enumerate(zip(p.controls, p.control_reqs, strict=True)):
        doc = ev_doc[ctl]
        extra = w.pick(p.documents, 0, 1)
        data = {"kind": "control", "id": ctl, "requirement": req, "applicable": True,
                "reason": w.para(3, 4, i), "status": "implemented", "owner": w.rnd.choice(ROLE_IDS[2:]),
                "implemented_by": [doc_proc[doc], doc] + [d for d in extra if d != doc],
                "implementation": w.para(5, 8, i)}
        if ctl_risks[ctl]:
            data["risks"] = ctl_risks[ctl]
        if ctl_acts[ctl]:
            data["activities"] = ctl_acts[ctl]
        data["evidence"] = [{"document": doc, "every_months": w.rnd.choice((3, 6, 12))}]
        put("controls", ctl, "", data)

    for i, ev in enumerate(p.evidence):
        ctl = p.controls[i % len(p.controls)]
        collected = w.date(TODAY - dt.timedelta(days=87), TODAY - dt.timedelta(days=1))
        folder = f"evidence/2026/{collected.month:02d}"
        fname = f"{folder}/{ev.lower()}-{slug(DOCUMENT_TITLES[i % len(DOCUMENT_TITLES)][0])}.csv"
        rows = ["record,date,item,result,checked_by"]
        rows += [f"{ev}-{k:02d},{w.date(collected - dt.timedelta(days=28), collected).isoformat()},"
                 f"{w.rnd.choice(p.assets)},{w.rnd.choice(('ok', 'ok', 'ok', 'fixed'))},{w.rnd.choice(ROLE_IDS)}"
                 for k in range(1, w.rnd.randint(5, 12))]
        files[fname] = "\n".join(rows) + "\n"
        data = {"kind": "evidence", "id": ev, "document": ev_doc[ctl], "controls": [ctl], "collected": collected,
                "files": [fname], "description": w.para(8, 11, i)}
        put(folder, ev, DOCUMENT_TITLES[i % len(DOCUMENT_TITLES)][0], data)

    files["isms.yaml"] = config_yaml()
    files[".gitignore"] = ".isms_cache/\n"
    write_files(out, files)
    return p.counts


def asset_configuration(w: Writer, i: int, tp: str) -> dict[str, str]:
    rnd = w.rnd
    return {"model": f"Model {rnd.randint(1000, 9999)}-{rnd.choice('ABCDEFGH')}",
            "software": f"V{rnd.randint(1, 9)}.{rnd.randint(0, 20)}.{rnd.randint(0, 99)}",
            "serial": f"SN{rnd.randint(10**9, 10**10 - 1)}",
            "ip_zone": rnd.choice(("core", "dmz", "extranet", "management", "storage", "office")),
            "management_ip": f"10.{i % 250}.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}",
            "vlan": str(rnd.randint(100, 4000)), "rack_units": str(rnd.randint(1, 8)),
            "power_supplies": rnd.choice(("1", "2 redundant")),
            "backup_policy": rnd.choice(("daily incremental, weekly full", "weekly full",
                                         "configuration backup after every change")),
            "monitoring": rnd.choice(("Zabbix template OS-Linux", "SNMP v3 polling every 60 s",
                                      "Agent-based, alarms to the NOC")),
            "support_contract": f"HT-2026-{int(tp[3:]):04d}",
            "end_of_support": f"{rnd.randint(2029, 2033)}-12-31"}


def config_yaml() -> str:
    config = {
        "organisation": text("Synthetic City Information Office (benchmark)", "合成市信息化办公室（基准测试）"),
        "languages": ["en", "zh"], "frameworks": [ISO, GBT],
        "folders": ["policies", "procedures", "documents", "controls", "registers", "evidence"],
        "ignore": ["**/README.md"],
        "roles": {r: text(en, zh) for r, en, zh in ROLES},
        "domains": {d: text(en[0].upper() + en[1:], zh) for d, en, zh in DOMAINS},
        "modes": {m: text(en, zh) for m, en, zh in MODES},
        "risk": {"scale": 5, "appetite": 8},
        "checks": {"fail_on": "error"},
    }
    return "# isms configuration of a synthetic benchmark repository (benchmarks/generate.py).\n" + to_yaml(config)


def write_files(out: Path, files: dict[str, str]) -> None:
    """Write every file; threads, because creating tens of thousands of small files waits on the OS."""
    dirs = {str(Path(rel).parent) for rel in files}
    for d in sorted(dirs):
        (out / d).mkdir(parents=True, exist_ok=True)

    def write(item: tuple[str, str]) -> None:
        with open(out / item[0], "wb") as fh:
            fh.write(item[1].encode("utf-8"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in pool.map(write, files.items(), chunksize=256):
            pass


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("n", type=int, help="number of entities (at least 20)")
    parser.add_argument("out_dir", type=Path, help="directory to create (must be absent or empty)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="delete OUT_DIR first if it exists")
    args = parser.parse_args(list(argv) if argv is not None else None)
    out: Path = args.out_dir
    if out.exists() and any(out.iterdir()):
        if not args.force:
            print(f"error: {out} exists and is not empty (use --force)", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    try:
        counts = generate(args.n, out, args.seed)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    total = sum(counts.values())
    print(f"{total} entities written to {out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
