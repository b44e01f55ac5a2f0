"""The columns of each register sheet, and the types of the fields they hold.

`isms export xlsx` writes the register sheets with exactly these columns and `isms import xlsx`
reads them back, so an exported workbook imports with no changes. Each column names a field
path of the entity (``treatment.due``; ``sla[].target`` for one item of a list per row) and
carries its English and Chinese header plus the aliases offices use; the value type comes
from the kind's JSON Schema, so the import converts and checks a cell the way `isms check`
would judge the field. A Text field becomes one column per configured language
("Title (en)", "Title (zh)"), or a single plain column in a one-language repository.

Derived columns (scores, statuses, days left) are computed by the export for people to read;
the import recognises their headers and ignores them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from isms.schema import load_schema

LANGUAGE_NAMES_ZH = {"en": "英文", "zh": "中文"}
_LANGUAGE = re.compile(r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class Column:
    header: str
    path: str
    zh: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Layout:
    kind: str
    sheet: str                       # the sheet `isms export xlsx` writes the register to
    prefix: str                      # id prefix for rows numbered 1, 2, 3 (RSK-001, ...)
    columns: tuple[Column, ...]
    derived: tuple[tuple[str, str], ...] = ()   # (header, zh) of export-only columns
    sheet_aliases: tuple[str, ...] = ()


def _c(header: str, path: str, zh: str, *aliases: str) -> Column:
    return Column(header, path, zh, aliases)


ID_ALIASES = ("Id", "No.", "No", "Number", "Ref", "编号", "序号")

LAYOUTS: dict[str, Layout] = {
    "risk": Layout("risk", "Risks", "RSK", (
        _c("ID", "id", "风险编号", *ID_ALIASES, "Risk ID"),
        _c("Title", "title", "风险名称", "Risk", "Risk title", "风险", "标题", "Name"),
        _c("Description", "description", "风险描述", "描述"),
        _c("Assets", "assets", "相关资产", "资产"),
        _c("Activities", "activities", "相关活动", "活动", "第三方活动"),
        _c("Likelihood", "likelihood", "可能性", "Probability", "可能性等级"),
        _c("Impact", "impact", "影响", "Consequence", "影响程度", "严重程度"),
        _c("Treatment", "treatment.option", "处置方式", "Treatment option", "处置选项", "风险处置"),
        _c("Treatment controls", "treatment.controls", "处置控制", "Controls", "控制措施"),
        _c("Treatment due", "treatment.due", "处置期限", "Due", "Due date", "完成期限",
           "计划完成日期"),
        _c("Treatment plan", "treatment.plan", "处置计划", "Plan"),
        _c("Residual likelihood", "residual.likelihood", "残余可能性"),
        _c("Residual impact", "residual.impact", "残余影响"),
        _c("Owner", "owner", "风险责任人", "Risk owner", "责任人", "负责人"),
        _c("Accepted by", "accepted.by", "接受人", "风险接受人"),
        _c("Accepted on", "accepted.on", "接受日期"),
        _c("Status", "status", "状态"),
    ), derived=(("Inherent score", "固有风险值"), ("Residual score", "残余风险值"),
                ("Effective score", "有效风险值"), ("Above appetite", "超出风险偏好"),
                ("Treatment state", "处置落实情况"), ("Overdue days", "逾期天数")),
        sheet_aliases=("Risk register", "风险登记", "风险登记表", "风险")),
    "third-party": Layout("third-party", "Third parties", "TP", (
        _c("ID", "id", "编号", *ID_ALIASES, "Third party", "Third party ID", "第三方",
           "供应商编号"),
        _c("Name", "name", "名称", "Company", "Vendor", "供应商", "供应商名称", "公司名称"),
        _c("Services", "services", "服务内容", "服务"),
        _c("Contact", "contact", "联系人", "联系方式"),
        _c("Contract", "contract.id", "合同编号", "Contract ID", "Contract no.", "合同号"),
        _c("Contract start", "contract.start", "合同开始日期", "合同开始", "开始日期"),
        _c("Contract end", "contract.end", "合同结束日期", "合同结束", "合同到期", "结束日期"),
        _c("Contract value", "contract.value.amount", "合同金额", "金额"),
        _c("Currency", "contract.value.currency", "币种"),
        _c("Certification", "certifications[].standard", "资质认证", "Standard", "认证标准"),
        _c("Certification no.", "certifications[].id", "认证证书编号", "Certification ID"),
        _c("Certification expires", "certifications[].expires", "认证有效期至", "认证到期"),
        _c("Staff ID", "staff[].id", "人员编号"),
        _c("Staff name", "staff[].name", "姓名", "人员姓名"),
        _c("Staff role", "staff[].role", "岗位", "Job title", "职务"),
        _c("Certificate", "staff[].certificate.id", "上岗证编号", "Certificate no.", "证书编号"),
        _c("Certificate expires", "staff[].certificate.expires", "证书有效期至", "证书到期"),
        _c("Certificate issuer", "staff[].certificate.issuer", "发证机构"),
    ), derived=(("Certification status", "认证状态"), ("Contract status", "合同状态"),
                ("Active activities", "在运活动"), ("Certificate status", "证书状态"),
                ("Days left", "剩余天数"), ("Works on", "参与活动"),
                ("Privileged or remote", "特权或远程活动"), ("Problem", "问题")),
        sheet_aliases=("Third-party register", "第三方", "供应商", "Staff and certificates",
                       "人员与证书")),
    "activity": Layout("activity", "Activities", "ACT", (
        _c("ID", "id", "编号", *ID_ALIASES, "Activity ID"),
        _c("Title", "title", "活动名称", "Activity", "活动", "标题"),
        _c("Description", "description", "描述", "服务描述"),
        _c("Third party", "third_party", "第三方", "Vendor", "供应商"),
        _c("Domain", "domain", "业务域", "领域"),
        _c("Mode", "mode", "运维模式", "Outsourcing mode", "外包模式"),
        _c("Access", "access", "访问类型", "访问"),
        _c("Assets", "assets", "资产"),
        _c("Staff", "staff", "人员"),
        _c("Controls", "controls", "控制"),
        _c("Risks", "risks", "风险"),
        _c("SLA metric", "sla[].metric", "SLA指标"),
        _c("SLA target", "sla[].target", "SLA目标值"),
        _c("SLA unit", "sla[].unit", "SLA单位"),
        _c("SLA better", "sla[].better", "SLA优向"),
    ), derived=(("Risk points", "风险分值"), ("Risk level", "风险等级"),
                ("Missing controls", "缺失控制")),
        sheet_aliases=("Third-party activities", "第三方活动", "活动")),
    "asset": Layout("asset", "Assets", "AST", (
        _c("ID", "id", "资产编号", *ID_ALIASES, "Asset ID"),
        _c("Name", "name", "资产名称", "Asset", "资产", "名称"),
        _c("Type", "type", "类型", "资产类型"),
        _c("Owner", "owner", "责任人"),
        _c("Maintained by", "maintained_by", "运维单位", "Vendor", "维护单位"),
        _c("Value", "value.amount", "价值", "原值", "资产原值"),
        _c("Currency", "value.currency", "币种"),
        _c("Classification", "classification", "密级", "分级"),
        _c("Criticality", "criticality", "重要性", "重要程度"),
        _c("Location", "location", "位置", "存放位置", "所在位置"),
        _c("In service", "in_service", "投运日期", "启用日期", "投入使用日期"),
        _c("Service life (years)", "service_life_years", "使用年限", "Service life"),
        _c("Configuration", "configuration", "配置", "配置信息"),
        _c("Failure date", "failures[].date", "故障日期"),
        _c("Hours down", "failures[].hours_down", "停机时长（小时）", "Downtime (hours)",
           "停机小时"),
        _c("Failure note", "failures[].note", "故障说明"),
    ), derived=(("Availability %", "可用率"), ("Failures in period", "期间故障数"),
                ("Failure rate (a year)", "年故障率"), ("End of life", "报废日期"),
                ("Renewal", "更新建议")),
        sheet_aliases=("Asset register", "资产登记", "资产登记表", "资产")),
    "evaluation": Layout("evaluation", "Evaluations", "EVAL", (
        _c("ID", "id", "编号", *ID_ALIASES, "Evaluation ID"),
        _c("Third party", "third_party", "第三方", "Vendor", "供应商"),
        _c("Period", "period", "期间", "评价期间", "月份"),
        _c("Activity", "metrics[].activity", "活动"),
        _c("Metric", "metrics[].metric", "指标"),
        _c("Actual", "metrics[].actual", "实际值", "Measured", "实测值"),
        _c("Survey responses", "satisfaction.responses", "问卷数"),
        _c("Satisfaction score", "satisfaction.score", "满意度得分"),
        _c("Satisfaction scale", "satisfaction.scale", "满意度满分"),
        _c("Expert review", "expert_review.score", "专家评审得分", "Expert score"),
        _c("Reviewer", "expert_review.reviewer", "评审人"),
        _c("Notes", "notes", "备注"),
    ), derived=(("Score", "得分"), ("Grade", "等级")),
        sheet_aliases=("Service evaluations", "服务评价", "评价")),
}

KINDS = tuple(LAYOUTS)


# --- field types from the JSON Schema ---------------------------------------------------------

@dataclass(frozen=True)
class FieldType:
    """What a field holds: ``name`` is text (a Text value), language (one language of a Text),
    date, id, role, string, integer, number, enum, list (of ``item``), map (string → scalar),
    or object."""

    name: str
    enum: tuple[str, ...] = ()
    item: FieldType | None = None


def _deref(node: Mapping[str, Any], root: Mapping[str, Any]) -> tuple[Mapping[str, Any], str]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        name = ref.rsplit("/", 1)[1]
        target = root.get("$defs", {}).get(name, {})
        return target, name
    return node, ""


def _classify(node: Mapping[str, Any], root: Mapping[str, Any]) -> FieldType:
    target, ref = _deref(node, root)
    if ref in ("text", "date", "id", "role"):
        return FieldType(ref)
    if ref in ("requirement", "version"):
        return FieldType("string")
    if "enum" in target:
        return FieldType("enum", tuple(str(v) for v in target["enum"]))
    kind = target.get("type")
    if kind == "integer":
        return FieldType("integer")
    if kind == "number":
        return FieldType("number")
    if kind == "array":
        items = target.get("items")
        return FieldType("list", item=_classify(items, root) if isinstance(items, Mapping)
                         else FieldType("string"))
    if kind == "object":
        if "properties" in target:
            return FieldType("object")
        return FieldType("map")
    return FieldType("string")


def split_path(path: str) -> list[tuple[str, bool]]:
    """``sla[].target`` → [("sla", True), ("target", False)]."""
    out = []
    for part in path.split("."):
        many = part.endswith("[]")
        out.append((part[:-2] if many else part, many))
    return out


def field_type(kind: str, path: str) -> FieldType | None:
    """The type of the field at ``path`` in ``kind``, or None when the kind has no such field.
    A path may iterate one list (``a[].b``); a language key after a Text field (``title.en``)
    is one language of it."""
    root = load_schema(kind)
    node: Mapping[str, Any] = root
    parts = split_path(path)
    if sum(1 for _, many in parts if many) > 1 or not path:
        return None
    for i, (name, many) in enumerate(parts):
        target, ref = _deref(node, root)
        if ref == "text":
            if i == len(parts) - 1 and not many and _LANGUAGE.match(name):
                return FieldType("language")
            return None
        props = target.get("properties")
        if not isinstance(props, Mapping) or name not in props or name == "kind":
            return None
        node = props[name]
        if many:
            target, _ = _deref(node, root)
            items = target.get("items") if target.get("type") == "array" else None
            if not isinstance(items, Mapping) or i == len(parts) - 1:
                return None
            node = items
    return _classify(node, root)


def property_order(kind: str, path: Sequence[str] = ()) -> list[str]:
    """The schema's property order of ``kind`` (or of the object at ``path``), used to write
    new entities with their keys in the documented order."""
    root = load_schema(kind)
    node: Mapping[str, Any] = root
    for name in path:
        target, _ = _deref(node, root)
        if target.get("type") == "array" and isinstance(target.get("items"), Mapping):
            target, _ = _deref(target["items"], root)
        node = target.get("properties", {}).get(name, {})
    target, _ = _deref(node, root)
    if target.get("type") == "array" and isinstance(target.get("items"), Mapping):
        target, _ = _deref(target["items"], root)
    props = target.get("properties")
    return list(props) if isinstance(props, Mapping) else []


# --- the columns for one repository -----------------------------------------------------------

@dataclass(frozen=True)
class SheetColumn:
    """One concrete column: a Text field expanded to its language."""

    header: str
    path: str
    type: FieldType
    names: tuple[str, ...]   # every header text that means this column


def normalise(header: Any) -> str:
    """Header text compared case-, width- and space-insensitively: 'Treatment  due' ==
    'treatment_due' == 'TREATMENT DUE'; a trailing ':' or required-marker '*' is dropped."""
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    text = re.sub(r"[\s_\-]+", "", text)
    return text.rstrip(":*")


def columns(kind: str, languages: Sequence[str]) -> tuple[SheetColumn, ...]:
    """The register columns of ``kind`` for a repository with ``languages``."""
    out: list[SheetColumn] = []
    for col in LAYOUTS[kind].columns:
        ftype = field_type(kind, col.path)
        if ftype is None:  # pragma: no cover - the layouts are tested against the schemas
            raise ValueError(f"{kind}: no field {col.path}")
        if ftype.name != "text":
            out.append(SheetColumn(col.header, col.path, ftype,
                                   (col.header, col.zh, *col.aliases, col.path)))
            continue
        if len(languages) <= 1:
            out.append(SheetColumn(col.header, col.path, ftype,
                                   (col.header, col.zh, *col.aliases, col.path)))
            continue
        for lang in languages:
            names = [f"{col.header} ({lang})", f"{col.zh}({lang})", f"{col.path}.{lang}"]
            if lang in LANGUAGE_NAMES_ZH:
                names.append(f"{col.zh}（{LANGUAGE_NAMES_ZH[lang]}）")
            out.append(SheetColumn(f"{col.header} ({lang})", f"{col.path}.{lang}",
                                   FieldType("language"), tuple(names)))
    return tuple(out)


def plain_text_columns(kind: str, languages: Sequence[str]) -> tuple[SheetColumn, ...]:
    """In a repository with several languages, the plain header of a Text field ("Title",
    "标题") still imports: as a plain string (see :func:`isms.xlsx_import.merge_value`)."""
    if len(languages) <= 1:
        return ()
    out = []
    for col in LAYOUTS[kind].columns:
        ftype = field_type(kind, col.path)
        if ftype is not None and ftype.name == "text":
            out.append(SheetColumn(col.header, col.path, ftype,
                                   (col.header, col.zh, *col.aliases, col.path)))
    return tuple(out)
