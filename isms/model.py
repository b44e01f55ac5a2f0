"""The loaded repository: entities, where each came from, and what each refers to.

The reference table below is the single statement of which field points at which kinds; the
structural checks, and later the dependency graph, are driven by it rather than by
hand-written walks per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

from isms.config import Config
from isms.loader import JsonPath, line_of
from isms.reads import depend, note

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

    @classmethod
    def made(cls, kind: str, ident: str, path: str, data: Mapping[str, Any],
             marks: Mapping[JsonPath, tuple[int, int]]) -> Entity:
        """``Entity(kind, ident, path, data, marks)`` at a third of the cost: a frozen
        dataclass's ``__init__`` sets each field through ``object.__setattr__``, and a warm run
        makes one entity per file."""
        made = object.__new__(cls)
        made.__dict__.update(kind=kind, id=ident, path=path, data=data, marks=marks)
        return made

    def at(self, path: JsonPath) -> tuple[int, int]:
        return line_of(self.marks, path)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


Accessor = Callable[[Any], list[tuple[JsonPath, Any]]]
Reference = tuple[RefField, JsonPath, Any]


@cache
def compile_spec(spec: str) -> Accessor:
    """:func:`iter_spec` for one ``spec``, parsed once: checks and the graph walk the same few
    specs over every entity of a repository."""
    steps = tuple((part[:-2], True) if part.endswith("[]") else (part, False)
                  for part in spec.split("."))
    if len(steps) == 1 and not steps[0][1]:
        return partial(_field_values, steps[0][0])  # most specs name one field
    if len(steps) == 2 and steps[0][1] and not steps[1][1]:
        return partial(_item_field_values, steps[0][0], steps[1][0])  # `metrics[].activity`
    return partial(_spec_values, steps)


def _field_values(key: str, data: Any) -> list[tuple[JsonPath, Any]]:
    # Parsed YAML is plain dicts: the exact-type test spares most values the ABC check.
    if not (type(data) is dict or isinstance(data, Mapping)) or key not in data:
        return []
    node = data[key]
    if isinstance(node, list):
        return [((key, j), item) for j, item in enumerate(node)]
    return [] if node is None else [((key,), node)]


def _item_field_values(key: str, sub: str, data: Any) -> list[tuple[JsonPath, Any]]:
    if not (type(data) is dict or isinstance(data, Mapping)) or key not in data:
        return []
    items = data[key]
    if not isinstance(items, list):
        return []
    out: list[tuple[JsonPath, Any]] = []
    for j, item in enumerate(items):
        if not (type(item) is dict or isinstance(item, Mapping)) or sub not in item:
            continue
        node = item[sub]
        if isinstance(node, list):
            out.extend(((key, j, sub, k), value) for k, value in enumerate(node))
        elif node is not None:
            out.append(((key, j, sub), node))
    return out


def _spec_values(steps: tuple[tuple[str, bool], ...], data: Any) -> list[tuple[JsonPath, Any]]:
    # Level by level; each level keeps the order of the one before, so the values come out in
    # document order, as a depth-first walk would give them.
    level: list[tuple[JsonPath, Any]] = [((), data)]
    for key, many in steps:
        following: list[tuple[JsonPath, Any]] = []
        for path, node in level:
            if not (type(node) is dict or isinstance(node, Mapping)) or key not in node:
                continue
            child = node[key]
            if not many:
                following.append(((*path, key), child))
            elif isinstance(child, list):
                following.extend(((*path, key, j), item) for j, item in enumerate(child))
        level = following
    out: list[tuple[JsonPath, Any]] = []
    for path, node in level:
        if isinstance(node, list):
            out.extend(((*path, j), item) for j, item in enumerate(node))
        elif node is not None:
            out.append((path, node))
    return out


def iter_spec(data: Any, spec: str) -> Iterator[tuple[JsonPath, Any]]:
    """Values at a ``spec`` path (see :class:`RefField`), flattening a final list."""
    return iter(compile_spec(spec)(data))


_REF_ACCESSORS: dict[str, tuple[tuple[RefField, Accessor], ...]] = {
    kind: tuple((ref, compile_spec(ref.spec)) for ref in refs) for kind, refs in REFS_BY_KIND.items()
}


@dataclass
class Repo:
    """Everything loaded from one repository, shared by every command and check."""

    config: Config
    entities: list[Entity]
    by_id: dict[str, Entity]
    files: list[str]
    _of_kind: dict[str, list[Entity]] | None = field(default=None, init=False, repr=False,
                                                     compare=False)
    _staff: dict[str, tuple[Entity, Mapping[str, Any]]] | None = field(
        default=None, init=False, repr=False, compare=False)
    _by_path: dict[str, Entity] | None = field(default=None, init=False, repr=False,
                                               compare=False)
    _with_id: dict[str, list[Entity]] | None = field(default=None, init=False, repr=False,
                                                     compare=False)

    @classmethod
    def build(cls, config: Config, entities: list[Entity], files: list[str]) -> Repo:
        by_id: dict[str, Entity] = {}
        for e in entities:
            by_id.setdefault(e.id, e)
        return cls(config, entities, by_id, files)

    @property
    def staff(self) -> dict[str, tuple[Entity, Mapping[str, Any]]]:
        """Third parties' staff members by id (the first definition of a duplicated id), with
        the third party. Read from the third parties' ``staff`` fields on first use."""
        note("third-party", "staff")
        depend("*third-party")
        if self._staff is None:
            staff: dict[str, tuple[Entity, Mapping[str, Any]]] = {}
            for e in self.of_kind("third-party"):
                for member in e.get("staff", []) or []:
                    if isinstance(member, Mapping) and isinstance(member.get("id"), str):
                        staff.setdefault(member["id"], (e, member))
            self._staff = staff
        return self._staff

    @property
    def by_path(self) -> dict[str, Entity]:
        """Every entity by its file (one entity a file), made on first use."""
        if self._by_path is None:
            self._by_path = {e.path: e for e in self.entities}
        return self._by_path

    def with_id(self, ident: str) -> list[Entity]:
        """Every entity with the id, in repository order (more than one only when the id is
        duplicated; :attr:`by_id` holds the first)."""
        if self._with_id is None:
            self._with_id = {}
            for e in self.entities:
                self._with_id.setdefault(e.id, []).append(e)
        return list(self._with_id.get(ident, ()))

    def of_kind(self, kind: str) -> list[Entity]:
        # Sorted out once (entities do not change once loaded): checks and reports ask for
        # one kind or another many times a run.
        if self._of_kind is None:
            self._of_kind = {}
            for e in self.entities:
                self._of_kind.setdefault(e.kind, []).append(e)
        return list(self._of_kind.get(kind, ()))

    def references(self, entity: Entity) -> Iterator[Reference]:
        return iter([(ref, path, value) for ref, values in _REF_ACCESSORS.get(entity.kind, ())
                     for path, value in values(entity.data)])
