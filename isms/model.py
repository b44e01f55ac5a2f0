"""The loaded repository: entities, where each came from, and what each refers to.

The reference table below is the single statement of which field points at which kinds; the
structural checks, and later the dependency graph, are driven by it rather than by
hand-written walks per kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from isms.config import Config
from isms.loader import JsonPath, line_of

CONTROLLED_KINDS = ("policy", "procedure", "document")
TIER_OF = {"policy": 1, "procedure": 2, "document": 3}


@dataclass(frozen=True)
class RefField:
    """A field (``spec``) of ``kind`` whose values are ids of entities of ``targets``.

    ``spec`` is a dotted path where ``[]`` iterates a list: ``treatment.controls``,
    ``evidence[].document``, ``metrics[].activity``.
    """

    kind: str
    spec: str
    targets: tuple[str, ...]
    edge: str


REFERENCES: tuple[RefField, ...] = (
    RefField("policy", "parent", ("policy",), "parent"),
    RefField("procedure", "policy", ("policy",), "governs"),
    RefField("procedure", "parent", ("procedure",), "parent"),
    RefField("procedure", "records", ("document",), "produces"),
    RefField("document", "procedure", ("procedure",), "governs"),
    RefField("document", "parent", ("document",), "parent"),
    RefField("control", "implemented_by", ("procedure", "document"), "implemented-by"),
    RefField("control", "risks", ("risk",), "treats"),
    RefField("control", "activities", ("activity",), "governs"),
    RefField("control", "evidence[].document", ("document",), "evidenced-by"),
    RefField("activity", "third_party", ("third-party",), "performed-by"),
    RefField("activity", "assets", ("asset",), "affects"),
    RefField("activity", "controls", ("control",), "governed-by"),
    RefField("activity", "risks", ("risk",), "raises"),
    RefField("risk", "assets", ("asset",), "affects"),
    RefField("risk", "activities", ("activity",), "raised-by"),
    RefField("risk", "treatment.controls", ("control",), "treated-by"),
    RefField("asset", "maintained_by", ("third-party",), "maintained-by"),
    RefField("evaluation", "third_party", ("third-party",), "evaluates"),
    RefField("evaluation", "metrics[].activity", ("activity",), "measures"),
    RefField("evidence", "document", ("document",), "evidences"),
    RefField("evidence", "controls", ("control",), "evidences"),
    RefField("budget-standard", "ratio.other_factors[].assets", ("asset",), "adjusts"),
    RefField("budget-standard", "workload.services[].activity", ("activity",), "budgets"),
)

REFS_BY_KIND: dict[str, tuple[RefField, ...]] = {}
for _r in REFERENCES:
    REFS_BY_KIND[_r.kind] = (*REFS_BY_KIND.get(_r.kind, ()), _r)

REQUIREMENT_FIELDS: dict[str, tuple[str, ...]] = {
    "policy": ("requirements",),
    "procedure": ("requirements",),
    "document": ("requirements",),
    "control": ("requirement",),
}

ROLE_FIELDS: dict[str, tuple[str, ...]] = {
    "policy": ("owner", "approval.by", "history[].author", "roles[].role"),
    "procedure": ("owner", "approval.by", "history[].author", "raci[].R", "raci[].A",
                  "raci[].C", "raci[].I"),
    "document": ("owner", "approval.by", "history[].author"),
    "control": ("owner",),
    "risk": ("owner", "accepted.by"),
    "asset": ("owner",),
    "evaluation": ("expert_review.reviewer",),
}


@dataclass(frozen=True)
class Entity:
    kind: str
    id: str
    path: str
    data: Mapping[str, Any]
    marks: Mapping[JsonPath, tuple[int, int]] = field(repr=False, compare=False,
                                                      default_factory=dict)

    def at(self, path: JsonPath) -> tuple[int, int]:
        return line_of(self.marks, path)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


def iter_spec(data: Any, spec: str) -> Iterator[tuple[JsonPath, Any]]:
    """Values at a ``spec`` path (see :class:`RefField`), flattening a final list."""
    parts = spec.split(".")

    def walk(node: Any, i: int, path: JsonPath) -> Iterator[tuple[JsonPath, Any]]:
        if i == len(parts):
            if isinstance(node, list):
                for j, item in enumerate(node):
                    yield (*path, j), item
            elif node is not None:
                yield path, node
            return
        part = parts[i]
        many = part.endswith("[]")
        key = part[:-2] if many else part
        if not isinstance(node, Mapping) or key not in node:
            return
        child = node[key]
        if many:
            if isinstance(child, list):
                for j, item in enumerate(child):
                    yield from walk(item, i + 1, (*path, key, j))
        else:
            yield from walk(child, i + 1, (*path, key))

    yield from walk(data, 0, ())


@dataclass
class Repo:
    """Everything loaded from one repository, shared by every command and check."""

    config: Config
    entities: list[Entity]
    by_id: dict[str, Entity]
    staff: dict[str, tuple[Entity, Mapping[str, Any]]]
    files: list[str]

    @classmethod
    def build(cls, config: Config, entities: list[Entity], files: list[str]) -> Repo:
        by_id: dict[str, Entity] = {}
        for e in entities:
            by_id.setdefault(e.id, e)
        staff: dict[str, tuple[Entity, Mapping[str, Any]]] = {}
        for e in entities:
            if e.kind == "third-party":
                for member in e.get("staff", []) or []:
                    if isinstance(member, Mapping) and isinstance(member.get("id"), str):
                        staff.setdefault(member["id"], (e, member))
        return cls(config, entities, by_id, staff, files)

    def of_kind(self, kind: str) -> list[Entity]:
        return [e for e in self.entities if e.kind == kind]

    def references(self, entity: Entity) -> Iterator[tuple[RefField, JsonPath, Any]]:
        for ref in REFS_BY_KIND.get(entity.kind, ()):
            for path, value in iter_spec(entity.data, ref.spec):
                yield ref, path, value
