"""The ISMS as NIST OSCAL 1.2.1 JSON documents, as plain JSON-able data.

Per exported framework F: ``catalog-F.json`` and ``profile-F.json`` (the framework as OSCAL),
``ssp-F.json`` (system security plan: one implemented requirement per Statement of
Applicability row for ISO/IEC 27001:2022, per non-clause requirement for other frameworks),
``assessment-plan-F.json`` and ``assessment-results-F.json`` (the gap analysis: a finding per
gap, partial or unjustified-exclusion row, an observation per evidence record with its date and
the SHA-256 of its files); a catalog for each end of every mapping that touches F, and
``mapping-M.json``, a mapping collection per cross-framework mapping. The documents import one
another by relative file name, so the directory is self-contained.

Identifiers. OSCAL ids are tokens, ``^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$``: ``A.5.19`` is one
and is kept, ``6.1.3`` (clause) or ``8.1.1.1`` (GB/T control point) is not and gets its kind
as a prefix (``clause-6.1.3``, ``control-point-8.1.1.1``); every control and group also carries a
``label`` prop with the real id. An OSCAL group holds either groups or controls, so a group
with both (clause 6: group 6.1, clauses 6.2 and 6.3) gets its own controls in a first
sub-group ``<id>_controls`` marked with our prop ``part-of``. UUIDs are version 5, derived from stable ids under
:data:`UUID_NAMESPACE`; a document's own uuid is derived from its content, so it changes exactly
when the content does. Timestamps are the export day at midnight UTC (``2026-11-15T00:00:00Z``),
from ``--today``, never the clock. What OSCAL has no field for is a prop in our own namespace
:data:`NS`. Arrays are sorted and never empty; nothing outside the schema is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from isms.i18n import natural_key, pick

if TYPE_CHECKING:
    from isms.catalogs import Catalog, Catalogs, Mapping_, Requirement
    from isms.controls import ControlState
    from isms.gap import GapReport, GapRow
    from isms.model import Entity, Repo

OSCAL_VERSION = "1.2.1"
NS = "https://isms.dev/ns/oscal"
# Fixed forever: changing it changes every exported uuid.
UUID_NAMESPACE = uuid.UUID("6f0d9a53-3c1e-5b8a-9d2e-4b7f1c0a8e21")

Json = dict[str, Any]

# Our control status → OSCAL implementation-status state. OSCAL has no "not implemented":
# like FedRAMP, an applicable control that is not implemented is reported as planned, and the
# exact isms status stays in the `control-status` prop.
STATE_OF_STATUS = {"implemented": "implemented", "partial": "partial", "planned": "planned",
                   "not-implemented": "planned"}
# For rows without a control of their own (inherited through a mapping).
STATE_OF_GAP = {"compliant": "implemented", "partial": "partial", "gap": "planned",
                "not-applicable": "not-applicable"}
FINDING_STATUSES = ("gap", "partial", "excluded-without-justification")
RELATIONSHIP = {"equivalent": "equivalent-to", "subset": "subset-of", "superset": "superset-of",
                "intersects": "intersects-with"}
COMPONENT_TYPE_OF_DOCUMENT = {"plan": "plan", "guideline": "guidance", "manual": "guidance",
                              "method": "guidance", "specification": "standard"}
COMPONENT_STATE = {"approved": "operational", "draft": "under-development",
                   "in-review": "under-development", "retired": "disposition"}


# --- small builders ----------------------------------------------------------------------------

def is_token(text: str) -> bool:
    """OSCAL's token pattern, without the `regex` package: a letter or ``_`` first, then
    letters, digits, ``.``, ``-`` or ``_``."""
    if not text:
        return False
    first = text[0]
    if not (first == "_" or unicodedata.category(first).startswith("L")):
        return False
    return all(c in "._-" or unicodedata.category(c)[0] in "LN" for c in text[1:])


def _token_chars(text: str) -> str:
    """ASCII letters, digits, ``.``, ``-``, ``_`` kept, anything else ``-`` (valid for every
    OSCAL tool's token pattern, not only the schema's)."""
    return "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "-" for c in text)


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(UUID_NAMESPACE, "\x1f".join(parts)))


def timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _line(text: str) -> str:
    """One line without surrounding blanks (OSCAL strings and markup lines)."""
    return " ".join(text.split())


def _obj(*pairs: tuple[str, Any]) -> Json:
    """A JSON object without the pairs whose value is None, "" or an empty list."""
    return {k: v for k, v in pairs if v is not None and v != "" and v != []}


def _prop(name: str, value: Any, ns: str | None = NS, cls: str | None = None) -> Json | None:
    text = _line(str(value)) if value is not None else ""
    if not text:
        return None
    return _obj(("name", name), ("ns", ns), ("value", text), ("class", cls))


def _props(*items: Json | None) -> list[Json]:
    return [p for p in items if p is not None]


@dataclass(frozen=True)
class _Ctx:
    repo: Repo
    catalogs: Catalogs
    today: dt.date
    languages: tuple[str, ...]

    def text(self, value: Any) -> str:
        return pick(value, self.languages).strip()

    def title(self, value: Any, fallback: str) -> str:
        return _line(self.text(value)) or fallback


# --- identifiers -------------------------------------------------------------------------------

class OscalIds:
    """Requirement and group ids of one catalog → OSCAL tokens, unique within the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.groups: dict[str, str] = {}
        self.requirements: dict[str, str] = {}
        used: set[str] = set()
        items = ([("group", g.id, g.type) for g in catalog.groups.values()]
                 + [("requirement", r.id, r.kind) for r in catalog.requirements.values()])
        items.sort(key=lambda i: (natural_key(i[1]), i[0]))
        # Ids that are tokens already keep them; only then do the others get prefixed ones, so
        # a prefixed id never takes a real one.
        later = []
        for where, rid, kind in items:
            if is_token(rid) and rid == _token_chars(rid) and rid not in used:
                used.add(rid)
                self._set(where, rid, rid)
            else:
                later.append((where, rid, kind))
        for where, rid, kind in later:
            prefix = _token_chars(kind) if is_token(_token_chars(kind)) else where
            base = f"{prefix}-{_token_chars(rid)}"
            candidate, n = base, 2
            while candidate in used:
                candidate, n = f"{base}-{n}", n + 1
            used.add(candidate)
            self._set(where, rid, candidate)

    def _set(self, where: str, rid: str, oid: str) -> None:
        (self.groups if where == "group" else self.requirements)[rid] = oid

    def of(self, rid: str) -> str | None:
        return self.requirements.get(rid) or self.groups.get(rid)


# --- catalog and profile ----------------------------------------------------------------------

def _metadata(ctx: _Ctx, title: str, *extra: tuple[str, Any]) -> Json:
    return _obj(("title", title), ("last-modified", timestamp(ctx.today)),
                ("version", ctx.today.isoformat()), ("oscal-version", OSCAL_VERSION), *extra)


def _parent_chain_ok(start: str, parent_of: Mapping[str, str | None]) -> bool:
    """Whether following parents from ``start`` ends without a cycle."""
    seen = {start}
    node = parent_of.get(start)
    while node is not None:
        if node in seen:
            return False
        seen.add(node)
        node = parent_of.get(node)
    return True


def _control(ctx: _Ctx, req: Requirement, ids: OscalIds,
             children: Mapping[str, list[Requirement]]) -> Json:
    oid = ids.requirements[req.id]
    data = req.data if isinstance(req.data, Mapping) else {}
    props = _props(_prop("label", req.id, ns=None),
                   _prop("status", "withdrawn", ns=None) if data.get("withdrawn") is True else None,
                   _prop("items", data.get("items")) if isinstance(data.get("items"), int) else None,
                   _prop("new-in-2022", "true") if data.get("new_in_2022") is True else None)
    for key in sorted(req.attributes):
        if is_token(key):
            props.extend(p for v in req.attributes[key] if (p := _prop(key, v)) is not None)
    parts = []
    description = ctx.text(data.get("description"))
    if description:
        parts.append({"id": f"{oid}_smt", "name": "statement", "prose": description})
    documented = ctx.text(data.get("documented_information"))
    if documented:
        parts.append({"id": f"{oid}_gdn", "name": "guidance", "title": "Documented information",
                      "prose": documented})
    kind = _token_chars(req.kind)
    return _obj(("id", oid), ("class", kind if is_token(kind) else None),
                ("title", ctx.title(req.title, req.id)), ("props", props), ("parts", parts),
                ("controls", [_control(ctx, c, ids, children) for c in children.get(req.id, [])]))


def catalog_document(ctx: _Ctx, catalog: Catalog) -> Json:
    ids = OscalIds(catalog)
    group_parent = {g.id: (g.parent if g.parent in catalog.groups else None)
                    for g in catalog.groups.values()}
    req_parent: dict[str, str | None] = {}
    for r in catalog.requirements.values():
        parent = r.data.get("parent") if isinstance(r.data, Mapping) else None
        req_parent[r.id] = parent if isinstance(parent, str) and parent in catalog.requirements \
            else None
    for rid in list(req_parent):
        if not _parent_chain_ok(rid, req_parent):
            req_parent[rid] = None
    for gid in list(group_parent):
        if not _parent_chain_ok(gid, group_parent):
            group_parent[gid] = None

    order = sorted(catalog.requirements.values(), key=lambda r: natural_key(r.id))
    children: dict[str, list[Requirement]] = {}
    in_group: dict[str | None, list[Requirement]] = {}
    for r in order:
        parent = req_parent[r.id]
        if parent is not None:
            children.setdefault(parent, []).append(r)
        else:
            in_group.setdefault(r.group if r.group in catalog.groups else None, []).append(r)
    sub_groups: dict[str | None, list[str]] = {}
    for gid in sorted(catalog.groups, key=natural_key):
        sub_groups.setdefault(group_parent[gid], []).append(gid)

    def group(gid: str) -> Json:
        g = catalog.groups[gid]
        kind = _token_chars(g.type)
        title = ctx.title(g.title, gid)
        groups = [group(s) for s in sub_groups.get(gid, [])]
        controls = [_control(ctx, r, ids, children) for r in in_group.get(gid, [])]
        if groups and controls:
            # An OSCAL group holds groups or controls, not both (clause 6 has 6.1 and 6.2):
            # the group's own controls go first, into a group marked as part of it.
            groups.insert(0, {"id": f"{ids.groups[gid]}_controls", "title": title,
                              "props": _props(_prop("part-of", gid)),
                              "controls": controls})
            controls = []
        # "group" is what catalogs.py assumes when a group has no type: no class then.
        cls = kind if is_token(kind) and g.type != "group" else None
        return _obj(("id", ids.groups[gid]), ("class", cls), ("title", title),
                    ("props", _props(_prop("label", gid, ns=None))), ("groups", groups),
                    ("controls", controls))

    body = _obj(("metadata", _metadata(ctx, ctx.title(catalog.title, catalog.id),
                                       ("props", _props(_prop("catalog", catalog.id))))),
                ("controls", [_control(ctx, r, ids, children) for r in in_group.get(None, [])]),
                ("groups", [group(g) for g in sub_groups.get(None, [])]))
    return _document("catalog", body)


def profile_document(ctx: _Ctx, catalog: Catalog) -> Json:
    title = f"{ctx.title(catalog.title, catalog.id)}: all requirements"
    body = _obj(("metadata", _metadata(ctx, title, ("props", _props(_prop("catalog", catalog.id))))),
                ("imports", [{"href": catalog_file(catalog.id), "include-all": {}}]),
                ("merge", {"as-is": True}))
    return _document("profile", body)


def _document(model: str, body: Json) -> Json:
    """The model's root object, with a uuid derived from its content."""
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False)
                            .encode("utf-8")).hexdigest()
    return {model: {"uuid": _uuid("document", model, digest), **body}}


def catalog_file(framework: str) -> str:
    return f"catalog-{framework}.json"


# --- system security plan ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """One implemented requirement: a gap row and, when it has one, its control's state."""

    gap: GapRow
    control: ControlState | None


def _ssp_rows(ctx: _Ctx, framework: str, rows: Sequence[GapRow],
              states: Mapping[str, ControlState]) -> list[_Row]:
    """The SoA rows for ISO/IEC 27001:2022, every non-clause requirement otherwise."""
    from isms.gap import SOA_FRAMEWORK, statement_of_applicability

    if framework == SOA_FRAMEWORK:
        soa = statement_of_applicability(ctx.repo, ctx.catalogs, ctx.today)
        return [_Row(r.gap, states.get(r.control) if r.control else None) for r in soa.rows]
    catalog = ctx.catalogs.catalogs[framework]
    out = []
    for r in rows:
        req = catalog.requirements.get(r.requirement)
        if req is None or req.kind == "clause":
            continue
        out.append(_Row(r, states.get(r.control) if r.control else None))
    return out


class _Components:
    """The SSP's components, collected while the implemented requirements are written."""

    def __init__(self, ctx: _Ctx, roles: set[str]) -> None:
        self.ctx = ctx
        self.roles = roles
        self.items: dict[str, Json] = {}
        self.parties: dict[str, Json] = {}
        self.this_system = _uuid("component", "this-system")

    def responsible(self, role: Any) -> list[Json]:
        return [{"role-id": role}] if isinstance(role, str) and role in self.roles else []

    def entity(self, e: Entity) -> str:
        """A policy, procedure or document set as a component; its uuid."""
        key = _uuid("component", e.id)
        if key in self.items:
            return key
        status = e.get("status")
        if e.kind == "policy":
            ctype = "policy"
        elif e.kind == "procedure":
            ctype = "process-procedure"
        else:
            ctype = COMPONENT_TYPE_OF_DOCUMENT.get(str(e.get("type")), "process-procedure")
        title = self.ctx.title(e.get("title"), e.id)
        description = (self.ctx.text(e.get("purpose")) or self.ctx.text(e.get("scope"))
                       or f"{e.kind.capitalize()} {e.id}: {title}.")
        version = e.get("version")
        self.items[key] = _obj(
            ("uuid", key), ("type", ctype), ("title", f"{e.id} {title}"),
            ("description", description),
            ("props", _props(_prop("id", e.id), _prop("kind", e.kind),
                             _prop("version", version) if isinstance(version, str) else None,
                             _prop("document-status", status) if isinstance(status, str) else None,
                             _prop("path", e.path))),
            ("status", {"state": COMPONENT_STATE.get(str(status), "other")}),
            ("responsible-roles", self.responsible(e.get("owner"))))
        return key

    def party(self, tp: Entity) -> str:
        key = _uuid("party", tp.id)
        self.parties[key] = {"uuid": key, "type": "organization",
                             "name": self.ctx.title(tp.get("name"), tp.id),
                             "props": [{"name": "third-party", "ns": NS, "value": tp.id}]}
        return key

    def third_party(self, tp: Entity) -> str:
        """A third party as an external service component; its uuid."""
        key = _uuid("component", tp.id)
        if key in self.items:
            return key
        from isms.checks import as_date

        party = self.party(tp)
        contract = tp.get("contract") if isinstance(tp.get("contract"), Mapping) else {}
        end = as_date(contract.get("end"))
        state = "disposition" if end is not None and end < self.ctx.today else "operational"
        name = self.ctx.title(tp.get("name"), tp.id)
        props = _props(_prop("implementation-point", "external", ns=None), _prop("third-party", tp.id),
                       _prop("contract", contract.get("id")) if isinstance(contract.get("id"), str)
                       else None,
                       _prop("contract-end", end.isoformat()) if end is not None else None)
        self.items[key] = _obj(
            ("uuid", key), ("type", "service"), ("title", name),
            ("description", self.ctx.text(tp.get("services")) or f"Third party {tp.id}: {name}."),
            ("props", props), ("status", {"state": state}),
            ("responsible-roles", [{"role-id": "provider", "party-uuids": [party]}]))
        return key


def _by_component(component: str, key: str, description: str, state: str | None,
                  remarks: str = "", props: Sequence[Json] = ()) -> Json:
    status = _obj(("state", state), ("remarks", remarks)) if state else None
    return _obj(("component-uuid", component), ("uuid", _uuid("by-component", key, component)),
                ("description", description), ("props", list(props)),
                ("implementation-status", status))


def _implemented_requirement(ctx: _Ctx, framework: str, ids: OscalIds, row: _Row,
                             comps: _Components) -> Json:
    g, cs = row.gap, row.control
    key = f"{framework}:{g.requirement}"
    by: list[Json] = []
    props = _props(_prop("gap-status", g.status))
    if cs is not None:
        excluded = cs.applicable is False
        state = "not-applicable" if excluded else STATE_OF_STATUS.get(cs.status or "")
        remarks = cs.reason if excluded else ""
        if state == "planned" and cs.status == "not-implemented":
            remarks = "Not implemented (isms status not-implemented)" + (
                f"; due {cs.due.isoformat()}" if cs.due else "; no due date set")
        props += _props(_prop("control", cs.id),
                        _prop("applicable", str(cs.applicable).lower())
                        if cs.applicable is not None else None,
                        _prop("control-status", cs.status), _prop("evidence-state", cs.evidence_state),
                        _prop("due", cs.due.isoformat() if cs.due else None))
        description = cs.implementation or f"{cs.id}: no implementation description given."
        by.append(_by_component(comps.this_system, key, description, state, remarks))
        policies: dict[str, list[str]] = {}
        for impl in cs.implemented_by:
            entity = ctx.repo.by_id.get(impl.id)
            if entity is None:
                continue
            uid = comps.entity(entity)
            name = f"{impl.id} {impl.label}" if impl.label else impl.id
            by.append(_by_component(uid, key, f"{name} implements {cs.id}.", state))
            procedure = entity if entity.kind == "procedure" else ctx.repo.by_id.get(
                str(entity.get("procedure")))
            policy = ctx.repo.by_id.get(str(procedure.get("policy"))) if procedure is not None \
                else None
            if policy is not None and policy.kind == "policy":
                policies.setdefault(policy.id, []).append(impl.id)
        for pid in sorted(policies, key=natural_key):
            uid = comps.entity(ctx.repo.by_id[pid])
            by.append(_by_component(uid, key, f"{pid} is the policy behind "
                                    f"{', '.join(policies[pid])}, which implement {cs.id}.", state))
        parties: dict[str, list[str]] = {}
        for act_id in cs.relied_on_by:
            act = ctx.repo.by_id.get(act_id)
            if act is None or act.kind != "activity":
                continue
            tp = ctx.repo.by_id.get(str(act.get("third_party")))
            if tp is not None and tp.kind == "third-party":
                parties.setdefault(tp.id, []).append(act_id)
        for tp_id in sorted(parties, key=natural_key):
            uid = comps.third_party(ctx.repo.by_id[tp_id])
            acts = parties[tp_id]
            by.append(_by_component(
                uid, key, f"{tp_id} performs {', '.join(acts)}, operated under {cs.id}.", state,
                props=[p for a in acts if (p := _prop("activity", a)) is not None]))
        roles = comps.responsible(cs.owner)
    else:
        roles = []
        for s in g.inherited:
            props += _props(_prop("mapped-from", f"{s.requirement} {s.relation} ({s.status})"))
        if g.inherited:
            by.append(_by_component(comps.this_system, key, g.reason, STATE_OF_GAP.get(g.status)))
    by.sort(key=lambda b: (b["component-uuid"] != comps.this_system,
                           natural_key(_component_sort_key(comps, b["component-uuid"]))))
    return _obj(("uuid", _uuid("implemented-requirement", key)),
                ("control-id", ids.requirements[g.requirement]), ("props", props),
                ("responsible-roles", roles), ("by-components", by), ("remarks", g.reason))


def _component_sort_key(comps: _Components, uid: str) -> str:
    item = comps.items.get(uid, {})
    return str(item.get("title", uid))


def _roles(ctx: _Ctx) -> list[Json]:
    out = []
    for rid in sorted(ctx.repo.config.roles, key=natural_key):
        if isinstance(rid, str) and is_token(rid) and rid == _token_chars(rid):
            out.append({"id": rid, "title": ctx.title(ctx.repo.config.roles[rid], rid)})
    if not any(r["id"] == "provider" for r in out):
        out.append({"id": "provider", "title": "Provider (third party)"})
    return out


def ssp_document(ctx: _Ctx, framework: str, rows: Sequence[_Row]) -> Json:
    from isms.gap import SOA_FRAMEWORK

    catalog = ctx.catalogs.catalogs[framework]
    ids = OscalIds(catalog)
    roles = _roles(ctx)
    comps = _Components(ctx, {r["id"] for r in roles})
    org = ctx.title(ctx.repo.config.organisation, "Organisation")
    requirements = [_implemented_requirement(ctx, framework, ids, r, comps) for r in rows]
    framework_title = ctx.title(catalog.title, framework)
    this = {"uuid": comps.this_system, "type": "this-system", "title": f"{org} ISMS",
            "description": f"The information security management system of {org}, kept as "
                           "versioned YAML in an isms repository.",
            "status": {"state": "operational"}}
    components = [this] + sorted(comps.items.values(),
                                 key=lambda c: (c["type"], natural_key(c["title"])))
    org_party = {"uuid": _uuid("party", "organisation"), "type": "organization", "name": org}
    parties = [org_party] + sorted(comps.parties.values(), key=lambda p: natural_key(p["name"]))
    info_types = _information_types(ctx)
    body = _obj(
        ("metadata", _metadata(ctx, f"System security plan of {org}: {framework_title}",
                               ("roles", roles), ("parties", parties))),
        ("import-profile", {"href": f"profile-{framework}.json"}),
        ("system-characteristics", {
            "system-ids": [{"identifier-type": NS, "id": "isms"}],
            "system-name": f"{org} ISMS",
            "description": f"The ISMS of {org} and the IT operations it governs, including the "
                           "outsourced operations of its third parties.",
            "system-information": {"information-types": info_types},
            "status": {"state": "operational"},
            "authorization-boundary": {
                "description": f"The scope of the ISMS of {org} as kept in its isms repository: "
                               "policies, procedures, document sets, controls and registers."},
        }),
        ("system-implementation", {"components": components}),
        ("control-implementation", _obj(
            ("description", f"How {org} meets {framework_title}: one implemented requirement per "
                            + ("Statement of Applicability row." if framework == SOA_FRAMEWORK
                               else "requirement that is not a management-system clause.")),
            ("implemented-requirements", requirements))))
    return _document("system-security-plan", body)


def _information_types(ctx: _Ctx) -> list[Json]:
    """Data assets as information types; one generic type when the register has none."""
    out = []
    for a in sorted(ctx.repo.of_kind("asset"), key=lambda e: natural_key(e.id)):
        if a.get("type") != "data" or ctx.repo.by_id.get(a.id) is not a:
            continue
        classification = a.get("classification")
        out.append(_obj(("uuid", _uuid("information-type", a.id)),
                        ("title", ctx.title(a.get("name"), a.id)),
                        ("description", f"Data asset {a.id}"
                         + (f", classified {classification}." if isinstance(classification, str)
                            else ".")),
                        ("props", _props(_prop("asset", a.id)))))
    if not out:
        out.append({"uuid": _uuid("information-type", "all"), "title": "Information processed",
                    "description": "The information the ISMS protects (no data assets registered)."})
    return out


# --- assessment plan and results --------------------------------------------------------------

def assessment_plan_document(ctx: _Ctx, framework: str, title: str) -> Json:
    task = {"uuid": _uuid("task", framework, "gap-analysis"), "type": "action",
            "title": f"Gap analysis of {title}",
            "description": "isms gap: every requirement's status from its control, evidence "
                           "freshness and mappings, as of the assessment day.",
            "timing": {"on-date": {"date": timestamp(ctx.today)}}}
    body = _obj(("metadata", _metadata(ctx, f"Assessment plan: {title}")),
                ("import-ssp", {"href": f"ssp-{framework}.json"}),
                ("reviewed-controls", {"control-selections": [{"include-all": {}}]}),
                ("tasks", [task]))
    return _document("assessment-plan", body)


@dataclass(frozen=True)
class EvidenceFile:
    path: str
    sha256: str | None   # None: missing, unreadable or outside the repository


def hash_file(root: Path, rel: str) -> EvidenceFile:
    """The SHA-256 of a repository file; never follows a path out of the repository."""
    base = root.resolve()
    try:
        target = (base / rel).resolve()
        target.relative_to(base)
        if not target.is_file():
            return EvidenceFile(rel, None)
        digest = hashlib.sha256()
        with target.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return EvidenceFile(rel, digest.hexdigest())
    except (OSError, ValueError):
        return EvidenceFile(rel, None)


def _evidence_records(repo: Repo, today: dt.date) -> list[tuple[Entity, dt.date]]:
    """Evidence records that exist as of today (collected on or before it)."""
    from isms.checks import as_date

    out = []
    for ev in repo.of_kind("evidence"):
        day = as_date(ev.get("collected"))
        if repo.by_id.get(ev.id) is not ev or day is None or day > today \
                or not 1900 <= day.year <= 2999:
            continue
        out.append((ev, day))
    out.sort(key=lambda x: natural_key(x[0].id))
    return out


def _observations(ctx: _Ctx, hashes: Mapping[str, EvidenceFile]) -> tuple[list[Json], list[Json]]:
    """Observations from evidence records, and back-matter resources for their files."""
    observations, resources = [], {}
    for ev, day in _evidence_records(ctx.repo, ctx.today):
        evidence = []
        files = ev.get("files") if isinstance(ev.get("files"), list) else []
        for rel in sorted({f for f in files if isinstance(f, str) and f.strip()}, key=natural_key):
            found = hashes.get(rel) or EvidenceFile(rel, None)
            if found.sha256 is None:
                evidence.append({"href": quote(rel), "description": f"{rel} (file not found in the "
                                                                     "repository)"})
                continue
            rid = _uuid("resource", rel)
            resources[rid] = {"uuid": rid, "title": _line(rel),
                              "rlinks": [{"href": quote(rel), "hashes": [
                                  {"algorithm": "SHA-256", "value": found.sha256}]}]}
            evidence.append({"href": f"#{rid}", "description": f"{rel} (SHA-256 {found.sha256})"})
        document = ev.get("document")
        controls = ev.get("controls") if isinstance(ev.get("controls"), list) else []
        props = _props(_prop("evidence", ev.id),
                       _prop("document", document) if isinstance(document, str) else None)
        props += [p for c in sorted((c for c in controls if isinstance(c, str)), key=natural_key)
                  if (p := _prop("control", c)) is not None]
        description = ctx.text(ev.get("description")) or (
            f"Evidence record {ev.id}" + (f" of {document}" if isinstance(document, str) else "")
            + ".")
        observations.append(_obj(
            ("uuid", _uuid("observation", ev.id)), ("title", ev.id), ("description", description),
            ("props", props), ("methods", ["EXAMINE"]), ("relevant-evidence", evidence),
            ("collected", timestamp(day))))
    return observations, [resources[k] for k in sorted(resources)]


def evidence_hashes(repo: Repo, today: dt.date) -> dict[str, EvidenceFile]:
    """Every file named by an evidence record that exists as of today, hashed."""
    names = {f for ev, _ in _evidence_records(repo, today)
             for f in (ev.get("files") if isinstance(ev.get("files"), list) else [])
             if isinstance(f, str) and f.strip()}
    return {rel: hash_file(repo.config.root, rel) for rel in sorted(names)}


def assessment_results_document(ctx: _Ctx, framework: str, report: GapReport,
                                 ssp_requirements: set[str], states: Mapping[str, ControlState],
                                 hashes: Mapping[str, EvidenceFile]) -> Json:
    catalog = ctx.catalogs.catalogs[framework]
    ids = OscalIds(catalog)
    observations, resources = _observations(ctx, hashes)
    observed = {o["title"]: o["uuid"] for o in observations}
    findings = []
    for row in report.rows:
        if row.status not in FINDING_STATUSES:
            continue
        key = f"{framework}:{row.requirement}"
        target = _obj(("type", "objective-id"), ("target-id", ids.requirements[row.requirement]),
                      ("status", {"state": "not-satisfied"}),
                      ("implementation-status", {"state": STATE_OF_STATUS[row.control_status]}
                       if row.applicable is not False and row.control_status in STATE_OF_STATUS
                       else None))
        records = {x.record for x in row.evidence if x.record is not None}
        state = states.get(row.control) if row.control is not None else None
        if state is not None:
            records.update(state.supporting)
        related = sorted(observed[r] for r in records if r in observed)
        findings.append(_obj(
            ("uuid", _uuid("finding", key)),
            ("title", f"{row.requirement} {_line(row.title)}: {row.status}"),
            ("description", row.reason),
            ("props", _props(_prop("gap-status", row.status), _prop("control", row.control))),
            ("target", target),
            ("implementation-statement-uuid", _uuid("implemented-requirement", key)
             if key in ssp_requirements else None),
            ("related-observations", [{"observation-uuid": u} for u in related])))
    total = report.total
    summary = _props(*(_prop(status, str(n)) for status, n in total.counts),
                     _prop("coverage", total.coverage), _prop("addressed", total.addressed))
    result = _obj(
        ("uuid", _uuid("result", framework, ctx.today.isoformat())),
        ("title", f"Gap analysis of {report.title} as of {ctx.today.isoformat()}"),
        ("description", "Requirement statuses from isms gap: a finding for every requirement "
                        "that is a gap, partial or excluded without justification; an "
                        "observation for every evidence record collected by the assessment day."),
        ("start", timestamp(ctx.today)), ("end", timestamp(ctx.today)), ("props", summary),
        ("reviewed-controls", {"control-selections": [{"include-all": {}}]}),
        ("observations", observations), ("findings", findings))
    body = _obj(("metadata", _metadata(ctx, f"Assessment results: {report.title}")),
                ("import-ap", {"href": f"assessment-plan-{framework}.json"}),
                ("results", [result]),
                ("back-matter", {"resources": resources} if resources else None))
    return _document("assessment-results", body)


# --- mapping collection -----------------------------------------------------------------------

def mapping_document(ctx: _Ctx, mapping: Mapping_) -> Json:
    source = ctx.catalogs.catalogs[mapping.source]
    target = ctx.catalogs.catalogs[mapping.target]
    sids, tids = OscalIds(source), OscalIds(target)
    maps: list[Json] = []
    for link in mapping.links:
        s, t = sids.of(link.source), tids.of(link.target)
        if s is None or t is None or link.relation not in RELATIONSHIP:
            continue
        maps.append({"uuid": _uuid("map", mapping.id, link.source, link.target, link.relation),
                     "relationship": RELATIONSHIP[link.relation],
                     "sources": [{"type": "control", "id-ref": s}],
                     "targets": [{"type": "control", "id-ref": t}]})
    maps.sort(key=lambda m: (natural_key(m["sources"][0]["id-ref"]),
                             natural_key(m["targets"][0]["id-ref"]), m["relationship"]))
    title = ctx.title(mapping.title, f"{mapping.source} to {mapping.target}")
    description = (f"How the requirements of {mapping.source} (source) relate to those of "
                   f"{mapping.target} (target), from the isms mapping {mapping.id}.")
    entry = _obj(("uuid", _uuid("mapping", mapping.id)),
                 ("source-resource", {"type": "catalog", "href": catalog_file(mapping.source)}),
                 ("target-resource", {"type": "catalog", "href": catalog_file(mapping.target)}),
                 ("maps", maps))
    if not maps:
        return {}
    body = _obj(("metadata", _metadata(ctx, title, ("props", _props(_prop("mapping", mapping.id))))),
                ("provenance", {"method": "human", "matching-rationale": "semantic",
                                "status": "complete", "mapping-description": description}),
                ("mappings", [entry]))
    return _document("mapping-collection", body)


# --- the whole export -------------------------------------------------------------------------

def export_documents(repo: Repo, catalogs: Catalogs, today: dt.date,
                     frameworks: Sequence[str] = ()) -> dict[str, Json]:
    """File name → OSCAL document, for the frameworks given (default: those in isms.yaml)."""
    from isms.controls import control_states
    from isms.gap import gap_analysis, resolve_frameworks

    ctx = _Ctx(repo, catalogs, today, repo.config.languages or ("en",))
    chosen = resolve_frameworks(repo, catalogs, frameworks)
    reports = {r.framework: r for r in gap_analysis(repo, catalogs, today, chosen)}
    states = control_states(repo, catalogs, today)
    hashes = evidence_hashes(repo, today)
    out: dict[str, Json] = {}
    mappings = [m for m in sorted(catalogs.mappings, key=lambda m: m.id)
                if (m.source in chosen or m.target in chosen)
                and m.source in catalogs.catalogs and m.target in catalogs.catalogs]
    needed = set(chosen) | {m.source for m in mappings} | {m.target for m in mappings}
    for framework in sorted(needed):
        out[catalog_file(framework)] = catalog_document(ctx, catalogs.catalogs[framework])
    for framework in chosen:
        catalog = catalogs.catalogs[framework]
        report = reports[framework]
        out[f"profile-{framework}.json"] = profile_document(ctx, catalog)
        rows = _ssp_rows(ctx, framework, report.rows, states)
        out[f"ssp-{framework}.json"] = ssp_document(ctx, framework, rows)
        implemented = {f"{framework}:{r.gap.requirement}" for r in rows}
        title = ctx.title(catalog.title, framework)
        out[f"assessment-plan-{framework}.json"] = assessment_plan_document(ctx, framework, title)
        out[f"assessment-results-{framework}.json"] = assessment_results_document(
            ctx, framework, report, implemented, states, hashes)
    for m in mappings:
        doc = mapping_document(ctx, m)
        if doc:
            out[f"mapping-{m.id}.json"] = doc
    return out
