"""Generate isms/schemas/*.schema.json from one definition.

The schemas share many pieces (bilingual Text, dates, roles, ids, history); writing them once
here keeps the eleven files consistent. The generated JSON is committed as package data and
``tests/test_schema.py`` fails when it differs from what this script writes, so edit this file
and run ``python tools/gen_schemas.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "isms" / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "urn:isms:schema:v1:"

ID_PATTERN = r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9._]+)+$"
REQ_PATTERN = r"^[a-z0-9][a-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]*$"
SEMVER = r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$"
ROLE_PATTERN = r"^[a-z][a-z0-9-]*$"
LANG_PATTERN = r"^[a-z]{2}(-[A-Za-z]{2,4})?$"

STATUSES = ["draft", "in-review", "approved", "retired"]
DOC_TYPES = [
    "form", "record", "register", "plan", "report", "template", "contract", "agreement",
    "manual", "method", "checklist", "log", "specification", "guideline", "assessment",
    "calculation", "questionnaire", "matrix", "dossier",
]
FREQUENCIES = ["continuous", "daily", "weekly", "monthly", "quarterly", "semi-annual", "annual",
               "per-event"]
CONTROL_STATUSES = ["implemented", "partial", "planned", "not-implemented"]
ACCESS = ["privileged", "remote", "onsite", "data"]
MODES = ["self", "mixed", "full"]
ASSET_TYPES = ["server", "storage", "network-device", "security-device", "software",
               "application", "data", "facility"]


def p(schema: dict[str, Any], description: str, *examples: Any) -> dict[str, Any]:
    """A property: every one carries a description and examples (editors show them on hover)."""
    return {**schema, "description": description, "examples": list(examples)}


def ref(name: str, description: str, *examples: Any) -> dict[str, Any]:
    return p({"$ref": f"#/$defs/{name}"}, description, *examples)


def arr(items: dict[str, Any], description: str, *examples: Any, unique: bool = True,
        min_items: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": items}
    if unique:
        schema["uniqueItems"] = True
    if min_items:
        schema["minItems"] = min_items
    return p(schema, description, *examples)


def obj(properties: dict[str, Any], required: list[str], description: str, *examples: Any,
        extensible: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if extensible:
        schema["patternProperties"] = {"^x-": X_EXTENSION}
    return p(schema, description, *examples)


X_EXTENSION = {
    "description": "Your own extension field; isms ignores keys that start with x-.",
    "examples": ["any value"],
}

TEXT_EN_ZH = {"en": "Information security policy", "zh": "信息安全策略"}

COMMON_DEFS: dict[str, Any] = {
    "text": {
        "type": ["string", "object"],
        "minLength": 1,
        "minProperties": 1,
        "patternProperties": {
            LANG_PATTERN: {
                "type": "string",
                "minLength": 1,
                "description": "The text in the language named by the key (en, zh, ...).",
                "examples": ["Information security policy", "信息安全策略"],
            }
        },
        "additionalProperties": False,
        "description": "Text for people: a plain string, or one string per language code.",
        "examples": [TEXT_EN_ZH, "Information security policy"],
    },
    "id": {
        "type": "string",
        "pattern": ID_PATTERN,
        "description": "An entity id: a prefix, a dash and a name, unique across the repository.",
        "examples": ["POL-02", "CTL-A.5.19", "EV-2026-0412"],
    },
    "date": {
        "type": "string",
        "format": "date",
        "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "description": "A calendar date, YYYY-MM-DD.",
        "examples": ["2026-03-01"],
    },
    "role": {
        "type": "string",
        "pattern": ROLE_PATTERN,
        "description": "A role: a key of `roles` in isms.yaml.",
        "examples": ["ciso", "director"],
    },
    "requirement": {
        "type": "string",
        "pattern": REQ_PATTERN,
        "description": "A framework requirement: FRAMEWORK:REQUIREMENT.",
        "examples": ["iso27001-2022:A.5.19", "gbt22239-2019-l3:8.1.10.14"],
    },
    "version": {
        "type": "string",
        "pattern": SEMVER,
        "description": "A MAJOR.MINOR.PATCH version, written as a string.",
        "examples": ["1.1.0"],
    },
    "money": {
        "type": "object",
        "properties": {
            "amount": p({"type": "number", "minimum": 0}, "The amount, in the currency below.",
                        380000),
            "currency": p({"type": "string", "pattern": "^[A-Z]{3}$"},
                          "ISO 4217 currency code.", "CNY"),
        },
        "required": ["amount", "currency"],
        "additionalProperties": False,
        "description": "An amount of money with its currency.",
        "examples": [{"amount": 380000, "currency": "CNY"}],
    },
}


def id_list(description: str, *examples: Any) -> dict[str, Any]:
    return arr({"$ref": "#/$defs/id"}, description, *examples)


HISTORY_ENTRY = obj(
    {
        "version": ref("version", "The version this entry records.", "1.1.0"),
        "date": ref("date", "When this version was issued.", "2026-03-01"),
        "author": ref("role", "The role that made the change.", "ciso"),
        "change": ref("text", "What changed, in a sentence.",
                      {"en": "Added SLA escalation rules", "zh": "增加SLA升级规则"}),
    },
    ["version", "date", "author", "change"],
    "One entry of the change history.",
    {"version": "1.1.0", "date": "2026-03-01", "author": "ciso",
     "change": {"en": "Added SLA escalation rules", "zh": "增加SLA升级规则"}},
)


def controlled(kind: str, extra: dict[str, Any], required_extra: list[str],
               title_example: dict[str, str], id_example: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "kind": p({"const": kind}, f"Always `{kind}`.", kind),
        "id": ref("id", f"The {kind}'s id.", id_example),
        "title": ref("text", "The title.", title_example),
        "version": ref("version", "Current version; any change to content needs a higher one.",
                       "1.1.0"),
        "status": p({"enum": STATUSES}, "Document status.", "approved"),
        "owner": ref("role", "The role accountable for this document.", "ciso"),
        "approval": obj(
            {
                "by": ref("role", "The approving role; must differ from the owner.", "director"),
                "on": ref("date", "Date of approval.", "2026-03-01"),
            },
            ["by", "on"],
            "Who approved the current version and when (required when approved).",
            {"by": "director", "on": "2026-03-01"},
        ),
        "review": obj(
            {
                "every_months": p({"type": "integer", "minimum": 1, "maximum": 120},
                                  "Review interval in months.", 12),
                "last": ref("date", "Date of the last review.", "2026-03-01"),
            },
            ["every_months", "last"],
            "Review cycle; the next review is due at last + every_months.",
            {"every_months": 12, "last": "2026-03-01"},
        ),
        "requirements": arr({"$ref": "#/$defs/requirement"},
                            "Framework requirements this document addresses.",
                            ["iso27001-2022:A.5.19", "iso27001-2022:A.5.20"]),
        "parent": ref("id", f"A parent {kind} this one refines (same kind).", id_example),
        "text": ref("text", "The body, in Markdown.",
                    {"en": "## Purpose\n...", "zh": "## 目的\n..."}),
        "history": arr(HISTORY_ENTRY, "Change history, oldest first; the last entry is the "
                       "current version.",
                       [{"version": "1.0.0", "date": "2025-03-01", "author": "ciso",
                         "change": {"en": "First issue", "zh": "首次发布"}}], unique=False),
    }
    props.update(extra)
    return {
        "type": "object",
        "properties": props,
        "patternProperties": {"^x-": X_EXTENSION},
        "additionalProperties": False,
        "required": ["kind", "id", "title", "version", "status", "owner", *required_extra],
    }


TEXT_LIST = {"$ref": "#/$defs/text"}

POLICY = controlled(
    "policy",
    {
        "scope": ref("text", "What and whom the policy covers.",
                     {"en": "All e-government systems", "zh": "全部电子政务系统"}),
        "objectives": arr(TEXT_LIST, "Measurable objectives.",
                          [{"en": "No P1 incident caused by a vendor", "zh": "不发生供应商导致的一级事件"}],
                          unique=False),
        "statements": arr(TEXT_LIST, "The policy statements.",
                          [{"en": "Only certified vendor staff may work on district systems.",
                            "zh": "仅持证供应商人员可在区级系统上作业。"}], unique=False),
        "roles": arr(
            obj({"role": ref("role", "The role.", "ciso"),
                 "responsibilities": ref("text", "What this role does under the policy.",
                                         {"en": "Owns the policy", "zh": "负责本策略"})},
                ["role", "responsibilities"], "A role and its responsibilities.",
                {"role": "ciso", "responsibilities": {"en": "Owns the policy", "zh": "负责本策略"}}),
            "Roles and their responsibilities under this policy.",
            [{"role": "ciso", "responsibilities": {"en": "Owns the policy", "zh": "负责本策略"}}],
            unique=False),
    },
    [],
    {"en": "Third-Party Outsourcing Governance Policy", "zh": "第三方运维外包治理策略"},
    "POL-02",
)

RACI_ROW = obj(
    {
        "activity": ref("text", "The step or activity.", {"en": "Approve access", "zh": "审批访问"}),
        "R": arr({"$ref": "#/$defs/role"}, "Responsible roles (do the work).", ["om-manager"]),
        "A": ref("role", "The one accountable role.", "ciso"),
        "C": arr({"$ref": "#/$defs/role"}, "Consulted roles.", ["security-engineer"]),
        "I": arr({"$ref": "#/$defs/role"}, "Informed roles.", ["director"]),
    },
    ["activity", "R", "A"],
    "One RACI row.",
    {"activity": {"en": "Approve access", "zh": "审批访问"}, "R": ["om-manager"], "A": "ciso",
     "C": [], "I": ["director"]},
)

PROCEDURE = controlled(
    "procedure",
    {
        "policy": ref("id", "The policy this procedure implements.", "POL-02"),
        "purpose": ref("text", "Why the procedure exists.",
                       {"en": "Select vendors on security criteria", "zh": "依据安全准则选择供应商"}),
        "scope": ref("text", "What the procedure covers.",
                     {"en": "All O&M tenders", "zh": "全部运维招标"}),
        "raci": arr(RACI_ROW, "Who is responsible, accountable, consulted and informed.",
                    [RACI_ROW["examples"][0]], unique=False),
        "steps": arr(TEXT_LIST, "The steps, in order.",
                     [{"en": "Log the request", "zh": "登记申请"}], unique=False),
        "inputs": arr(TEXT_LIST, "What the procedure starts from.",
                      [{"en": "Access request", "zh": "访问申请"}], unique=False),
        "outputs": arr(TEXT_LIST, "What it produces.",
                       [{"en": "Approved account", "zh": "已批准账号"}], unique=False),
        "records": id_list("Document sets this procedure produces.", ["DOC-16", "DOC-17"]),
        "kpis": arr(
            obj({"name": ref("text", "The indicator.", {"en": "On-time reviews", "zh": "按时评审率"}),
                 "target": p({"type": "string", "minLength": 1}, "The target.", "≥ 95%")},
                ["name", "target"], "A key performance indicator.",
                {"name": {"en": "On-time reviews", "zh": "按时评审率"}, "target": "≥ 95%"}),
            "Key performance indicators.",
            [{"name": {"en": "On-time reviews", "zh": "按时评审率"}, "target": "≥ 95%"}],
            unique=False),
    },
    ["policy"],
    {"en": "Vendor Selection and Due Diligence", "zh": "供应商选择与尽职调查程序"},
    "PRC-05",
)

DOCUMENT = controlled(
    "document",
    {
        "procedure": ref("id", "The procedure this document set belongs to.", "PRC-05"),
        "type": p({"enum": DOC_TYPES}, "What sort of document set this is.", "register"),
        "frequency": p({"enum": FREQUENCIES}, "How often a new record of it is produced.",
                       "monthly"),
        "clause": p({"type": ["string", "array"], "items": {"type": "string"}},
                    "ISO/IEC 27001 clause(s) whose documented information this is.",
                    "6.1.3", ["6.1.3", "8.3"]),
        "mandatory": p({"type": "boolean"},
                       "Whether ISO/IEC 27001 requires this documented information.", True),
        "purpose": ref("text", "What the document set is for.",
                       {"en": "Record vendor sessions", "zh": "记录供应商会话"}),
        "fields": arr(TEXT_LIST, "The fields or sections it contains.",
                      [{"en": "Session start and end", "zh": "会话起止时间"}], unique=False),
        "retention": obj(
            {"years": p({"type": "integer", "minimum": 0, "maximum": 100},
                        "Years to keep each record.", 3),
             "permanent": p({"type": "boolean"}, "Kept permanently.", True),
             "note": ref("text", "Retention remarks.", {"en": "After contract end", "zh": "合同结束后起算"})},
            [], "How long records are kept.", {"years": 3}),
    },
    ["procedure", "type", "frequency"],
    {"en": "Vendor access log", "zh": "供应商访问日志"},
    "DOC-17",
)

CONTROL = {
    "type": "object",
    "properties": {
        "kind": p({"const": "control"}, "Always `control`.", "control"),
        "id": ref("id", "The control's id, usually CTL- and the requirement.", "CTL-A.5.19"),
        "requirement": ref("requirement", "The one framework requirement this row implements.",
                           "iso27001-2022:A.5.19"),
        "applicable": p({"type": "boolean"}, "Whether the control is applicable (SoA).", True),
        "reason": ref("text", "Why it is included, or why excluded (required when excluded).",
                      {"en": "Risk RSK-007; contract obligations", "zh": "风险RSK-007；合同义务"}),
        "status": p({"enum": CONTROL_STATUSES}, "Implementation status.", "implemented"),
        "implemented_by": id_list("Procedures and document sets that implement it.",
                                  ["PRC-05", "DOC-16"]),
        "risks": id_list("Risks this control treats.", ["RSK-007"]),
        "activities": id_list("Third-party activities it governs.", ["ACT-NET-OPS"]),
        "evidence": arr(
            obj({"document": ref("id", "The document set whose records are the evidence.", "DOC-17"),
                 "every_months": p({"type": "integer", "minimum": 1, "maximum": 120},
                                   "A fresh record is due at least this often.", 12)},
                ["document", "every_months"], "An evidence expectation.",
                {"document": "DOC-17", "every_months": 12}),
            "Evidence expected to show the control operates.",
            [{"document": "DOC-17", "every_months": 12}]),
        "owner": ref("role", "The role accountable for the control.", "ciso"),
        "implementation": ref("text", "How the control is met.",
                              {"en": "Bastion host records all vendor sessions",
                               "zh": "堡垒机记录全部供应商会话"}),
        "due": ref("date", "Target date for partial or planned controls.", "2027-06-30"),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "requirement", "applicable", "status"],
}

STAFF = obj(
    {
        "id": ref("id", "Staff id, unique within the repository.", "S-001"),
        "name": p({"type": "string", "minLength": 1}, "Full name.", "王伟"),
        "role": p({"type": "string", "minLength": 1}, "Job title on the contract.",
                  "network engineer"),
        "certificate": obj(
            {"id": p({"type": "string", "minLength": 1}, "Certificate number.", "HD-OM-2026-0231"),
             "expires": ref("date", "Expiry date.", "2027-03-31"),
             "issuer": p({"type": "string"}, "Who issued it.", "District O&M qualification exam")},
            ["id", "expires"], "The O&M qualification certificate (certified staff only).",
            {"id": "HD-OM-2026-0231", "expires": "2027-03-31"}),
    },
    ["id", "name"],
    "A vendor staff member.",
    {"id": "S-001", "name": "王伟", "role": "network engineer",
     "certificate": {"id": "HD-OM-2026-0231", "expires": "2027-03-31"}},
)

THIRD_PARTY = {
    "type": "object",
    "properties": {
        "kind": p({"const": "third-party"}, "Always `third-party`.", "third-party"),
        "id": ref("id", "The third party's id.", "TP-DCITS"),
        "name": ref("text", "Legal name.", {"en": "Example IT Services Co., Ltd.", "zh": "示例信息技术有限公司"}),
        "services": ref("text", "What it delivers.", {"en": "Network O&M", "zh": "网络运维"}),
        "contact": p({"type": "string"}, "Contact person or desk.", "Account manager, +86 10 5555 0101"),
        "contract": obj(
            {"id": p({"type": "string", "minLength": 1}, "Contract number.", "HT-2026-014"),
             "start": ref("date", "Start date.", "2026-01-01"),
             "end": ref("date", "End date.", "2027-12-31"),
             "value": ref("money", "Contract value.", {"amount": 2400000, "currency": "CNY"})},
            ["id", "start", "end"], "The service contract.",
            {"id": "HT-2026-014", "start": "2026-01-01", "end": "2027-12-31"}),
        "certifications": arr(
            obj({"standard": p({"type": "string", "minLength": 1}, "Standard certified against.",
                               "ISO/IEC 27001"),
                 "id": p({"type": "string"}, "Certificate number.", "CN-ISMS-2024-0113"),
                 "expires": ref("date", "Expiry date.", "2027-05-01")},
                ["standard", "expires"], "A certification.",
                {"standard": "ISO/IEC 27001", "id": "CN-ISMS-2024-0113", "expires": "2027-05-01"}),
            "Certifications the third party holds.",
            [{"standard": "ISO/IEC 27001", "expires": "2027-05-01"}], unique=False),
        "staff": arr(STAFF, "Staff assigned to the district's work.", [STAFF["examples"][0]],
                     unique=False),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "name"],
}

SLA = obj(
    {"metric": p({"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}, "Metric name.",
                 "availability"),
     "target": p({"type": "number"}, "Target value.", 99.9),
     "unit": p({"type": "string"}, "Unit of the metric.", "percent"),
     "better": p({"enum": ["higher", "lower"]}, "Whether higher or lower values are better.",
                 "higher")},
    ["metric", "target", "better"], "An SLA target.",
    {"metric": "availability", "target": 99.9, "unit": "percent", "better": "higher"},
)

ACTIVITY = {
    "type": "object",
    "properties": {
        "kind": p({"const": "activity"}, "Always `activity`.", "activity"),
        "id": ref("id", "The activity's id.", "ACT-NET-OPS"),
        "title": ref("text", "What the vendor does.", {"en": "Network operations", "zh": "网络运维"}),
        "description": ref("text", "Details of the service.", {"en": "24x7 monitoring", "zh": "7×24监控"}),
        "third_party": ref("id", "The third party performing it.", "TP-DCITS"),
        "domain": p({"type": "string", "pattern": ROLE_PATTERN},
                    "Business domain: a key of `domains` in isms.yaml.", "network"),
        "mode": p({"enum": MODES}, "Outsourcing mode of the domain.", "full"),
        "access": arr({"enum": ACCESS}, "Kinds of access the vendor has.", ["privileged", "remote"]),
        "assets": id_list("Assets the activity touches.", ["AST-CORE-SW-01"]),
        "staff": id_list("Staff of that third party working on it.", ["S-001"]),
        "sla": arr(SLA, "SLA targets.", [SLA["examples"][0]], unique=False),
        "controls": id_list("Controls governing the activity.", ["CTL-A.5.19", "CTL-A.8.2"]),
        "risks": id_list("Risks linked to the activity.", ["RSK-007"]),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "title", "third_party", "domain", "mode"],
}

LI = {"type": "integer", "minimum": 1, "maximum": 10}
RISK = {
    "type": "object",
    "properties": {
        "kind": p({"const": "risk"}, "Always `risk`.", "risk"),
        "id": ref("id", "The risk's id.", "RSK-007"),
        "title": ref("text", "Short statement of the risk.",
                     {"en": "Privileged remote access by vendor staff misused", "zh": "供应商人员滥用特权远程访问"}),
        "description": ref("text", "Cause, event and consequence.",
                           {"en": "A vendor engineer ...", "zh": "供应商工程师……"}),
        "assets": id_list("Assets at risk.", ["AST-CORE-SW-01"]),
        "activities": id_list("Third-party activities that raise it.", ["ACT-NET-OPS"]),
        "likelihood": p(LI, "Inherent likelihood, 1..scale.", 4),
        "impact": p(LI, "Inherent impact, 1..scale.", 5),
        "treatment": obj(
            {"option": p({"enum": ["mitigate", "accept", "transfer", "avoid"]}, "Treatment option.",
                         "mitigate"),
             "controls": id_list("Controls that treat it.", ["CTL-A.8.2"]),
             "due": ref("date", "When the treatment must be done.", "2026-12-31"),
             "plan": ref("text", "The treatment plan.", {"en": "Enforce bastion", "zh": "强制使用堡垒机"})},
            ["option"], "How the risk is treated.",
            {"option": "mitigate", "controls": ["CTL-A.8.2"], "due": "2026-12-31"}),
        "residual": obj(
            {"likelihood": p(LI, "Residual likelihood.", 2),
             "impact": p(LI, "Residual impact.", 4)},
            ["likelihood", "impact"], "Risk after treatment.", {"likelihood": 2, "impact": 4}),
        "owner": ref("role", "Risk owner.", "ciso"),
        "accepted": obj(
            {"by": ref("role", "Who accepted the residual risk.", "director"),
             "on": ref("date", "When.", "2026-03-01")},
            ["by", "on"], "Acceptance of the residual risk.", {"by": "director", "on": "2026-03-01"}),
        "status": p({"enum": ["open", "treating", "closed"]}, "Where the risk stands.", "treating"),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "title", "likelihood", "impact"],
}

ASSET = {
    "type": "object",
    "properties": {
        "kind": p({"const": "asset"}, "Always `asset`.", "asset"),
        "id": ref("id", "The asset's id.", "AST-CORE-SW-01"),
        "name": ref("text", "Name.", {"en": "Core switch 01", "zh": "核心交换机01"}),
        "type": p({"enum": ASSET_TYPES}, "Asset type.", "network-device"),
        "owner": ref("role", "Owning role.", "info-office"),
        "maintained_by": ref("id", "Third party that maintains it.", "TP-DCITS"),
        "value": ref("money", "Original value.", {"amount": 380000, "currency": "CNY"}),
        "classification": p({"enum": ["public", "internal", "sensitive", "confidential"]},
                            "Information classification.", "internal"),
        "criticality": p({"enum": ["low", "medium", "high", "critical"]}, "Business criticality.",
                         "high"),
        "location": p({"type": "string"}, "Where it is.", "Main machine room A, rack 12"),
        "in_service": ref("date", "Date put into service.", "2021-06-01"),
        "service_life_years": p({"type": "integer", "minimum": 1, "maximum": 50},
                                "Expected service life.", 8),
        "configuration": p({"type": "object", "additionalProperties": {"type": ["string", "number"]}},
                           "Configuration items (model, firmware, ...).",
                           {"model": "S12700E", "firmware": "V200R022"}),
        "failures": arr(
            obj({"date": ref("date", "When it failed.", "2026-08-14"),
                 "hours_down": p({"type": "number", "minimum": 0}, "Downtime in hours.", 2.5),
                 "note": ref("text", "What happened.", {"en": "Line card fault", "zh": "板卡故障"})},
                ["date", "hours_down"], "A failure record.", {"date": "2026-08-14", "hours_down": 2.5}),
            "Failure records.", [{"date": "2026-08-14", "hours_down": 2.5}], unique=False),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "type"],
}

EVALUATION = {
    "type": "object",
    "properties": {
        "kind": p({"const": "evaluation"}, "Always `evaluation`.", "evaluation"),
        "id": ref("id", "The evaluation's id.", "EVAL-TP-DCITS-2026-10"),
        "third_party": ref("id", "The third party evaluated.", "TP-DCITS"),
        "period": p({"type": "string", "pattern": r"^[0-9]{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$"},
                    "Period: a month (2026-10), a quarter (2026-Q4) or a year (2026).", "2026-10"),
        "metrics": arr(
            obj({"activity": ref("id", "The activity measured.", "ACT-NET-OPS"),
                 "metric": p({"type": "string"}, "SLA metric name.", "availability"),
                 "actual": p({"type": "number"}, "Measured value.", 99.95)},
                ["activity", "metric", "actual"], "A measured SLA value.",
                {"activity": "ACT-NET-OPS", "metric": "availability", "actual": 99.95}),
            "Measured SLA values.", [{"activity": "ACT-NET-OPS", "metric": "availability",
                                       "actual": 99.95}], unique=False),
        "satisfaction": obj(
            {"responses": p({"type": "integer", "minimum": 0}, "Survey responses.", 42),
             "score": p({"type": "number", "minimum": 0}, "Mean score.", 4.3),
             "scale": p({"type": "number", "minimum": 1}, "Top of the scale.", 5)},
            ["score", "scale"], "Satisfaction survey of the served agencies.",
            {"responses": 42, "score": 4.3, "scale": 5}),
        "expert_review": obj(
            {"score": p({"type": "number", "minimum": 0, "maximum": 100}, "Score out of 100.", 88),
             "reviewer": ref("role", "Who reviewed.", "om-manager")},
            ["score"], "Expert review.", {"score": 88}),
        "notes": ref("text", "Remarks.", {"en": "One P2 breach", "zh": "一次二级超时"}),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "third_party", "period"],
}

EVIDENCE = {
    "type": "object",
    "properties": {
        "kind": p({"const": "evidence"}, "Always `evidence`.", "evidence"),
        "id": ref("id", "The evidence record's id.", "EV-2026-0412"),
        "document": ref("id", "The document set this is a record of.", "DOC-58"),
        "controls": id_list("Controls it supports (the document set's controls count already).",
                            ["CTL-A.8.2"]),
        "collected": ref("date", "When it was collected.", "2026-10-31"),
        "files": arr(p({"type": "string", "minLength": 1}, "A path.", "evidence/2026/a.csv"),
                     "Evidence files, as paths inside the repository.",
                     ["evidence/2026/bastion-review-2026-10.csv"]),
        "description": ref("text", "What the evidence shows.",
                           {"en": "October bastion review", "zh": "10月堡垒机审查"}),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "document", "collected"],
}

FACTOR = {"type": "number", "minimum": 0}
MONEY_NUMBER = {"type": "number", "minimum": 0}

BUDGET_STANDARD = {
    "type": "object",
    "properties": {
        "kind": p({"const": "budget-standard"}, "Always `budget-standard`.", "budget-standard"),
        "id": ref("id", "The budget standard's id.", "BUDGET-2027"),
        "title": ref("text", "Title.", {"en": "2027 O&M budget standard", "zh": "2027年度运维预算标准"}),
        "year": p({"type": "integer", "minimum": 2000, "maximum": 2100},
                  "The budget year (`isms budget --year`).", 2027),
        "currency": p({"type": "string", "pattern": "^[A-Z]{3}$"},
                      "ISO 4217 currency of every amount and rate; assets valued in another "
                      "currency are left out of the ratio method.", "CNY"),
        "description": ref("text", "O&M goals and cost composition the standard rests on.",
                           {"en": "Keep 126 systems running", "zh": "保障126个系统稳定运行"}),
        "ratio": obj(
            {"rates": arr(
                obj({"type": p({"enum": ASSET_TYPES}, "Asset type.", "server"),
                     "rate": p(FACTOR, "Annual O&M cost as a fraction of the asset's value.", 0.08),
                     "label": ref("text", "What the rate covers.",
                                  {"en": "Hardware maintenance", "zh": "硬件维保"})},
                    ["type", "rate"], "The rate of one asset type.",
                    {"type": "server", "rate": 0.08}),
                "Annual rate per asset type.", [{"type": "server", "rate": 0.08}], unique=False),
             "age_factors": arr(
                 obj({"up_to_years": p({"type": "integer", "minimum": 0},
                                       "Highest age (full years on 1 January of the budget "
                                       "year) of the band; omit in the last band.", 3),
                      "factor": p(FACTOR, "Factor applied to assets of this age.", 0.9),
                      "label": ref("text", "Why.", {"en": "Under warranty", "zh": "质保期内"})},
                     ["factor"], "An age band; the first band an asset's age fits applies.",
                     {"up_to_years": 3, "factor": 0.9}),
                 "Age bands, youngest first.", [{"up_to_years": 3, "factor": 0.9}, {"factor": 1.2}],
                 unique=False),
             "criticality_factors": obj(
                 {level: p(FACTOR, f"Factor for {level} assets.", example)
                  for level, example in (("low", 0.9), ("medium", 1.0), ("high", 1.1),
                                         ("critical", 1.2))},
                 [], "Factor per asset criticality (missing: 1).",
                 {"low": 0.9, "medium": 1.0, "high": 1.1, "critical": 1.2}),
             "other_factors": arr(
                 obj({"id": ref("id", "The factor's id.", "F-REMOTE-SITES"),
                      "label": ref("text", "Why it applies.",
                                   {"en": "Sites spread over 29 towns", "zh": "站点分布于29个街乡镇"}),
                      "factor": p(FACTOR, "The factor.", 1.1),
                      "assets": id_list("Assets it applies to.", ["AST-TOWN-NET-01"])},
                     ["id", "label", "factor", "assets"], "A further adjustment for named assets.",
                     {"id": "F-REMOTE-SITES", "label": {"en": "Remote sites", "zh": "远端站点"},
                      "factor": 1.1, "assets": ["AST-TOWN-NET-01"]}),
                 "Other adjustments (24×7 duty, remote sites, ...).",
                 [{"id": "F-REMOTE-SITES", "label": {"en": "Remote sites", "zh": "远端站点"},
                   "factor": 1.1, "assets": ["AST-TOWN-NET-01"]}], unique=False)},
            ["rates"], "Asset ratio coefficient method (资产比例系数法).",
            {"rates": [{"type": "server", "rate": 0.08}]}),
        "workload": obj(
            {"labour_rates": arr(
                obj({"grade": p({"type": "string", "pattern": ROLE_PATTERN}, "Staff grade.",
                                "senior-engineer"),
                     "label": ref("text", "Grade name.", {"en": "Senior engineer", "zh": "高级工程师"}),
                     "rate": p(MONEY_NUMBER, "Unit labour cost per person-day.", 2200)},
                    ["grade", "rate"], "The labour rate of one staff grade.",
                    {"grade": "senior-engineer", "rate": 2200}),
                "Unit labour cost standard.", [{"grade": "engineer", "rate": 1500}], unique=False),
             "services": arr(
                 obj({"id": ref("id", "The service's id.", "SVC-NET-MONITOR"),
                      "label": ref("text", "The service.", {"en": "Network monitoring", "zh": "网络监控"}),
                      "activity": ref("id", "The activity that delivers it.", "ACT-NET-OPS"),
                      "quantity": p(MONEY_NUMBER, "How many units a year.", 365),
                      "unit": ref("text", "The unit counted.", {"en": "day", "zh": "天"}),
                      "workload": arr(
                          obj({"grade": p({"type": "string", "pattern": ROLE_PATTERN},
                                          "Staff grade (a labour_rates grade).", "engineer"),
                               "person_days": p(MONEY_NUMBER, "Person-days per unit.", 0.5)},
                              ["grade", "person_days"], "Workload of one grade per unit.",
                              {"grade": "engineer", "person_days": 0.5}),
                          "Workload standard: person-days per unit, by grade.",
                          [{"grade": "engineer", "person_days": 0.5}], unique=False, min_items=1)},
                     ["id", "label", "quantity", "unit", "workload"], "One service of the catalogue.",
                     {"id": "SVC-NET-MONITOR", "label": {"en": "Network monitoring", "zh": "网络监控"},
                      "quantity": 365, "unit": {"en": "day", "zh": "天"},
                      "workload": [{"grade": "engineer", "person_days": 1}]}),
                 "Services and their workload standards.",
                 [{"id": "SVC-NET-MONITOR", "label": {"en": "Network monitoring", "zh": "网络监控"},
                   "quantity": 365, "unit": {"en": "day", "zh": "天"},
                   "workload": [{"grade": "engineer", "person_days": 1}]}], unique=False),
             "spare_parts": arr(
                 obj({"id": ref("id", "The item's id.", "SP-NET-MODULES"),
                      "label": ref("text", "The spare parts.", {"en": "Optical modules", "zh": "光模块"}),
                      "quantity": p(MONEY_NUMBER, "How many.", 40),
                      "unit_price": p(MONEY_NUMBER, "Price of one.", 1800)},
                     ["id", "label", "quantity", "unit_price"], "A spare-parts line.",
                     {"id": "SP-NET-MODULES", "label": {"en": "Optical modules", "zh": "光模块"},
                      "quantity": 40, "unit_price": 1800}),
                 "Spare-parts cost standard.",
                 [{"id": "SP-NET-MODULES", "label": {"en": "Optical modules", "zh": "光模块"},
                   "quantity": 40, "unit_price": 1800}], unique=False)},
            ["labour_rates", "services"], "Workload method (运维工作量法).",
            {"labour_rates": [{"grade": "engineer", "rate": 1500}],
             "services": [{"id": "SVC-NET-MONITOR", "label": {"en": "Network monitoring", "zh": "网络监控"},
                           "quantity": 365, "unit": {"en": "day", "zh": "天"},
                           "workload": [{"grade": "engineer", "person_days": 1}]}]}),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["kind", "id", "title", "year", "currency", "ratio", "workload"],
}

KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "policy": ("Policy (tier 1)", POLICY),
    "procedure": ("Procedure class (tier 2)", PROCEDURE),
    "document": ("Document set (tier 3)", DOCUMENT),
    "control": ("Control: a Statement of Applicability row", CONTROL),
    "third-party": ("Third party (vendor)", THIRD_PARTY),
    "activity": ("Third-party activity", ACTIVITY),
    "risk": ("Risk", RISK),
    "asset": ("Asset", ASSET),
    "evaluation": ("Vendor evaluation for a period", EVALUATION),
    "evidence": ("Evidence record", EVIDENCE),
    "budget-standard": ("O&M budget standard for a year", BUDGET_STANDARD),
}

NAMED_TEXT_MAP = p({"type": "object", "additionalProperties": {"$ref": "#/$defs/text"},
                    "propertyNames": {"pattern": ROLE_PATTERN}},
                   "Keys and their display names.", {"ciso": {"en": "CISO", "zh": "信息安全负责人"}})

CODE_LIST = arr({"type": "string", "pattern": "^[A-Z]+[0-9]*$"},
                "Finding codes or code prefixes.", ["D005", "T"])

CONFIG = {
    "type": "object",
    "properties": {
        "organisation": ref("text", "The organisation that runs the ISMS.",
                            {"en": "Qinghe District Information Office", "zh": "清河区信息化办公室"}),
        "languages": arr({"type": "string", "pattern": LANG_PATTERN},
                         "Languages text is written in.", ["en", "zh"], min_items=1),
        "frameworks": arr({"type": "string"}, "Frameworks in scope (catalog ids).",
                          ["iso27001-2022", "gbt22239-2019-l3"]),
        "folders": arr({"type": "string", "minLength": 1}, "Folders scanned for entities.",
                       ["policies", "procedures", "documents", "controls", "registers", "evidence"]),
        "ignore": arr({"type": "string"}, "Glob patterns of files not to scan.", ["**/README.md"]),
        "catalogs": p({"type": "string"}, "Folder with the repository's own catalogs and mappings.",
                      "catalogs"),
        "roles": {**NAMED_TEXT_MAP, "description": "Roles: key → display name."},
        "domains": {**NAMED_TEXT_MAP, "description": "Business domains: key → display name.",
                    "examples": [{"network": {"en": "E-government network", "zh": "电子政务网络"}}]},
        "modes": {**NAMED_TEXT_MAP, "description": "Outsourcing modes: key → display name.",
                  "examples": [{"full": {"en": "Fully outsourced", "zh": "全面外包"}}]},
        "risk": obj(
            {"scale": p({"type": "integer", "minimum": 2, "maximum": 10},
                        "Likelihood and impact run from 1 to this.", 5),
             "appetite": p({"type": "integer", "minimum": 1},
                           "Highest residual score accepted without sign-off.", 8)},
            [], "Risk scale and appetite.", {"scale": 5, "appetite": 8}),
        "checks": obj(
            {"fail_on": p({"enum": ["error", "warning", "info"]},
                          "Lowest severity that fails `isms check`.", "error"),
             "select": CODE_LIST,
             "ignore": CODE_LIST,
             "severity": p({"type": "object",
                            "additionalProperties": {"enum": ["error", "warning", "info"]}},
                           "Per-code severity overrides.", {"D005": "error"}),
             "max_file_bytes": p({"type": "integer", "minimum": 1},
                                 "Files larger than this are not read.", 1048576),
             "max_alias_nodes": p({"type": "integer", "minimum": 1},
                                  "Cap on values produced by YAML aliases in one file.", 10000),
             "max_depth": p({"type": "integer", "minimum": 2, "maximum": 1000},
                            "Cap on nesting depth.", 64)},
            [], "Settings of `isms check`.", {"fail_on": "error", "ignore": ["D005"]}),
        "vendors": obj(
            {"weights": obj(
                {name: p({"type": "number", "minimum": 0}, description, example)
                 for name, description, example in (
                     ("sla", "Weight of the mean SLA attainment.", 40),
                     ("satisfaction", "Weight of the satisfaction survey (score / scale × 100).", 30),
                     ("expert_review", "Weight of the expert review score.", 30))},
                [], "Weights of the scorecard components (relative; they need not add up to 100).",
                {"sla": 40, "satisfaction": 30, "expert_review": 30}),
             "scale": p({"type": "number", "exclusiveMinimum": 0},
                        "Top of the score scale.", 100),
             "grades": obj(
                 {"pass": p({"type": "number", "minimum": 0}, "Lowest passing score.", 90),
                  "fair": p({"type": "number", "minimum": 0},
                            "Lowest fair score; below it is fail.", 80)},
                 [], "Grade bands on the score scale.", {"pass": 90, "fair": 80}),
             "certificate_warning_days": p({"type": "integer", "minimum": 0},
                                           "Warn this many days before a staff certificate or "
                                           "a third-party certification expires.", 90),
             "contract_warning_days": p({"type": "integer", "minimum": 0},
                                        "Warn this many days before a contract with active "
                                        "activities ends.", 180),
             "evaluations_from": p({"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"},
                                   "First month a monthly evaluation is expected (default: the "
                                   "earliest month evaluated).", "2025-11")},
            [], "Vendor scorecards, certified staff and contracts (`isms vendors`).",
            {"weights": {"sla": 40, "satisfaction": 30, "expert_review": 30},
             "grades": {"pass": 90, "fair": 80}}),
        "activity_risk": obj(
            {"points": obj(
                {"access": obj({a: p({"type": "integer", "minimum": 0},
                                     f"Points for {a} access.", e)
                                for a, e in (("privileged", 3), ("remote", 2), ("data", 2),
                                             ("onsite", 1))},
                               [], "Points per kind of access (added up).",
                               {"privileged": 3, "remote": 2}),
                 "classification": obj(
                     {c: p({"type": "integer", "minimum": 0}, f"Points for {c} assets.", e)
                      for c, e in (("public", 0), ("internal", 1), ("sensitive", 2),
                                   ("confidential", 3))},
                     [], "Points of the highest classification touched.", {"confidential": 3}),
                 "criticality": obj(
                     {c: p({"type": "integer", "minimum": 0}, f"Points for {c} assets.", e)
                      for c, e in (("low", 0), ("medium", 1), ("high", 2), ("critical", 3))},
                     [], "Points of the highest criticality touched.", {"critical": 3}),
                 "mode": obj(
                     {m: p({"type": "integer", "minimum": 0}, f"Points for mode {m}.", e)
                      for m, e in (("self", 0), ("mixed", 1), ("full", 2))},
                     [], "Points of the outsourcing mode.", {"full": 2}),
                 "value": arr(
                     obj({"min": p({"type": "number", "minimum": 0}, "Lowest asset value.", 1000000),
                          "points": p({"type": "integer", "minimum": 0}, "Points.", 2)},
                         ["min", "points"], "A value band.", {"min": 1000000, "points": 2}),
                     "Bands of the highest asset value touched.",
                     [{"min": 1000000, "points": 2}, {"min": 200000, "points": 1}], unique=False),
                 "risk": arr(
                     obj({"min": p({"type": "number", "minimum": 0}, "Lowest inherent score.", 15),
                          "points": p({"type": "integer", "minimum": 0}, "Points.", 3)},
                         ["min", "points"], "A risk score band.", {"min": 15, "points": 3}),
                     "Bands of the highest inherent score of the linked risks.",
                     [{"min": 15, "points": 3}, {"min": 9, "points": 2}, {"min": 1, "points": 1}],
                     unique=False)},
                [], "Points per factor (defaults in docs/format.md).",
                {"access": {"privileged": 3, "remote": 2, "data": 2, "onsite": 1}}),
             "value_currency": p({"type": "string", "pattern": "^[A-Z]{3}$"},
                                 "Currency of the value bands.", "CNY"),
             "levels": obj(
                 {lv: p({"type": "integer", "minimum": 0}, f"Lowest total of level {lv}.", e)
                  for lv, e in (("medium", 9), ("high", 14), ("critical", 18))},
                 [], "Level thresholds; below medium is low.",
                 {"medium": 9, "high": 14, "critical": 18}),
             "required_controls": obj(
                 {lv: arr({"$ref": "#/$defs/requirement"},
                          f"Framework requirements a {lv} activity must have a control for.", e)
                  for lv, e in (("low", []), ("medium", ["iso27001-2022:A.5.22"]),
                                ("high", ["iso27001-2022:A.5.20"]),
                                ("critical", ["iso27001-2022:A.5.20", "iso27001-2022:A.8.2"]))},
                 [], "Required controls per level (each level lists all it requires).",
                 {"critical": ["iso27001-2022:A.5.20", "iso27001-2022:A.8.2"]})},
            [], "Third-party activity risk levels (`isms vendors risk`).",
            {"levels": {"medium": 9, "high": 14, "critical": 18}}),
        "assets": obj(
            {"failure_rate_threshold": p({"type": "number", "minimum": 0},
                                         "Failures a year above which an asset is a renewal "
                                         "candidate.", 3),
             "period_months": p({"type": "integer", "minimum": 1, "maximum": 120},
                                "Default length of the `isms assets` period, ending on --today.",
                                12)},
            [], "Asset reliability and renewal (`isms assets`).",
            {"failure_rate_threshold": 3}),
        "document_control": obj(
            {"controlled_kinds": arr({"enum": list(KINDS)},
                                     "Kinds controlled in addition to policy, procedure and "
                                     "document (they need `version` and `history` fields).",
                                     ["policy"]),
             "require_review": p({"type": "boolean"},
                                 "A document becomes approved only from in-review "
                                 "(`isms check --base`).", True),
             "bump": obj(
                 {level: arr({"type": "string", "minLength": 1}, description, *examples)
                  for level, description, examples in (
                      ("major", "Fields whose change needs at least a major version bump.",
                       [["scope"]]),
                      ("minor", "Fields whose change needs at least a minor bump (default: "
                       "requirements, status, policy, procedure, parent).",
                       [["requirements", "status", "policy", "procedure", "parent"]]),
                      ("none", "Fields that may change without a version bump.",
                       [["owner"]]))},
                 [], "Which changed fields need which version bump; any other content "
                 "change needs a patch bump.",
                 {"minor": ["requirements", "status", "policy", "procedure", "parent"]})},
            [], "Document control against a git revision (`isms check --base REF`).",
            {"require_review": True, "bump": {"major": ["scope"]}}),
    },
    "patternProperties": {"^x-": X_EXTENSION},
    "additionalProperties": False,
    "required": ["organisation"],
}

CATALOG_GROUP = obj(
    {"id": p({"type": "string", "minLength": 1}, "Group id.", "A.5"),
     "parent": p({"type": "string"}, "Parent group id.", "6"),
     "title": ref("text", "Title.", {"en": "Organizational controls", "zh": "组织控制"}),
     "type": p({"type": "string"}, "What sort of group.", "theme"),
     "description": ref("text", "Own-words description.", {"en": "...", "zh": "..."})},
    ["id", "title"], "A group of requirements (theme, clause, category).",
    {"id": "A.5", "title": {"en": "Organizational controls", "zh": "组织控制"}, "type": "theme"},
)

CATALOG_REQ = {
    "type": "object",
    "properties": {
        "id": p({"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"}, "Requirement id.",
                "A.5.19"),
        "group": p({"type": "string"}, "The group it belongs to.", "A.5"),
        "parent": p({"type": "string"}, "Parent requirement (for enhancements).", "AC-2"),
        "kind": p({"type": "string"}, "What sort of requirement.", "control"),
        "title": ref("text", "Title.", {"en": "Information security in supplier relationships",
                                        "zh": "供应商关系中的信息安全"}),
        "description": ref("text", "Own-words description.", {"en": "...", "zh": "..."}),
        "documented_information": ref("text", "Documented information the clause requires.",
                                      {"en": "Scope of the ISMS", "zh": "信息安全管理体系范围"}),
        "attributes": p({"type": "object",
                         "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                        "Classification attributes.", {"control_type": ["preventive"]}),
        "items": p({"type": "integer", "minimum": 0}, "Number of requirement items.", 4),
        "new_in_2022": p({"type": "boolean"}, "New in the 2022 edition.", False),
        "withdrawn": p({"type": "boolean"}, "Withdrawn from the catalog.", False),
    },
    "additionalProperties": False,
    "required": ["id", "title"],
    "description": "An assessable requirement.",
    "examples": [{"id": "A.5.19", "group": "A.5", "title": {"en": "Information security in supplier relationships"}}],
}

CATALOG = {
    "type": "object",
    "properties": {
        "kind": p({"const": "catalog"}, "Always `catalog`.", "catalog"),
        "id": p({"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]*$"}, "Catalog id.",
                "iso27001-2022"),
        "title": ref("text", "Title.", {"en": "ISO/IEC 27001:2022", "zh": "ISO/IEC 27001:2022"}),
        "version": p({"type": "string"}, "Edition.", "2022"),
        "description": ref("text", "Own-words description.", {"en": "...", "zh": "..."}),
        "groups": arr(CATALOG_GROUP, "Groups.", [CATALOG_GROUP["examples"][0]], unique=False),
        "requirements": arr(CATALOG_REQ, "Requirements.", CATALOG_REQ["examples"], unique=False),
    },
    "additionalProperties": False,
    "required": ["kind", "id", "title", "requirements"],
}

MAPPING = {
    "type": "object",
    "properties": {
        "kind": p({"const": "mapping"}, "Always `mapping`.", "mapping"),
        "id": p({"type": "string"}, "Mapping id.", "iso27001-2022--gbt22239-2019-l3"),
        "source": p({"type": "string"}, "Source catalog id.", "iso27001-2022"),
        "target": p({"type": "string"}, "Target catalog id.", "gbt22239-2019-l3"),
        "title": ref("text", "Title.", {"en": "ISO 27001 to GB/T 22239", "zh": "ISO 27001与等保映射"}),
        "description": ref("text", "Description.", {"en": "...", "zh": "..."}),
        "links": arr(
            obj({"source": p({"type": "string"}, "Source requirement id.", "A.5.19"),
                 "target": p({"type": "string"}, "Target requirement id.", "8.1.10.14"),
                 "relation": p({"enum": ["equivalent", "subset", "superset", "intersects"]},
                               "How the source relates to the target.", "intersects"),
                 "note": ref("text", "Remarks.", {"en": "...", "zh": "..."})},
                ["source", "target", "relation"], "A link.",
                {"source": "A.5.19", "target": "8.1.10.14", "relation": "intersects"}),
            "Links.", [{"source": "A.5.19", "target": "8.1.10.14", "relation": "intersects"}],
            unique=False),
    },
    "additionalProperties": False,
    "required": ["kind", "id", "source", "target", "links"],
}


def document_schema(name: str, title: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"{ID_BASE}{name}",
        "title": title,
        "description": f"isms {title.lower()}: see docs/format.md.",
        **body,
        "$defs": COMMON_DEFS,
    }


def entity_schema() -> dict[str, Any]:
    """One schema for any entity, dispatching on `kind`, for folders that mix kinds."""
    defs = dict(COMMON_DEFS)
    branches = []
    for kind, (_, body) in KINDS.items():
        defs[f"kind-{kind}"] = body
        branches.append({
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"$ref": f"#/$defs/kind-{kind}"},
        })
    return {
        "$schema": DIALECT,
        "$id": f"{ID_BASE}entity",
        "title": "Any isms entity",
        "description": "Any isms entity; the schema of its `kind` applies.",
        "type": "object",
        "required": ["kind", "id"],
        "properties": {
            "kind": p({"enum": list(KINDS)}, "The kind of entity.", "policy"),
            "id": {"$ref": "#/$defs/id", "description": "The entity id.", "examples": ["POL-01"]},
        },
        "allOf": branches,
        "$defs": defs,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    out = {name: document_schema(name, title, body) for name, (title, body) in KINDS.items()}
    out["config"] = document_schema("config", "Configuration (isms.yaml)", CONFIG)
    out["catalog"] = document_schema("catalog", "Framework catalog", CATALOG)
    out["mapping"] = document_schema("mapping", "Cross-framework mapping", MAPPING)
    out["entity"] = entity_schema()
    return out


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, schema in all_schemas().items():
        (OUT / f"{name}.schema.json").write_text(render(schema), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
