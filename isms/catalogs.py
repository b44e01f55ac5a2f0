"""Framework catalogs and cross-framework mappings.

The shipped catalogs (ISO/IEC 27001:2022, GB/T 22239-2019 level 3) and their mapping are
package data; a repository adds its own in the folder named by ``catalogs`` in isms.yaml.
Shipped files are trusted; repository files are validated like any other input, and a bad one
becomes findings instead of stopping the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from isms.findings import Finding, Severity, make, rule
from isms.loader import Limits, parse_bytes

RELATIONS = ("equivalent", "subset", "superset", "intersects")

R_CATALOG = rule(
    "R011", "invalid-catalog", Severity.ERROR, "Repository catalog or mapping is invalid",
    """
    A file in the repository's `catalogs` folder is not a valid framework catalog or mapping
    (see docs/format.md, "Framework catalogs and mappings"), or a mapping names a catalog or
    requirement that does not exist. The file is skipped; references into it are reported as
    unknown until it is fixed.
    """,
)


@dataclass(frozen=True)
class Requirement:
    framework: str
    id: str
    title: Any
    group: str | None = None
    kind: str = "requirement"
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        return f"{self.framework}:{self.id}"


@dataclass(frozen=True)
class Group:
    framework: str
    id: str
    title: Any
    parent: str | None = None
    type: str = "group"


@dataclass(frozen=True)
class Catalog:
    id: str
    title: Any
    requirements: Mapping[str, Requirement]
    groups: Mapping[str, Group]
    source: str

    def resolves(self, req_id: str) -> bool:
        return req_id in self.requirements or req_id in self.groups


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    relation: str


@dataclass(frozen=True)
class Mapping_:
    id: str
    source: str
    target: str
    links: tuple[Link, ...]
    title: Any = None


@dataclass(frozen=True)
class Catalogs:
    catalogs: Mapping[str, Catalog]
    mappings: tuple[Mapping_, ...]
    findings: tuple[Finding, ...] = ()

    def resolve(self, ref: str) -> tuple[bool, str]:
        """Whether ``FRAMEWORK:REQ`` exists; on failure, a reason for the finding."""
        framework, _, req = ref.partition(":")
        catalog = self.catalogs.get(framework)
        if catalog is None:
            known = ", ".join(sorted(self.catalogs)) or "none"
            return False, f"unknown framework {framework!r} (known: {known})"
        if not catalog.resolves(req):
            return False, f"{framework} has no requirement {req!r}"
        return True, ""


def _build_catalog(data: Mapping[str, Any], source: str) -> Catalog:
    cid = data["id"]
    groups = {
        str(g["id"]): Group(cid, str(g["id"]), g.get("title"), g.get("parent"), g.get("type", "group"))
        for g in data.get("groups", [])
    }
    reqs = {}
    for r in data.get("requirements", []):
        rid = str(r["id"])
        attrs = {k: tuple(v) for k, v in (r.get("attributes") or {}).items()}
        reqs[rid] = Requirement(cid, rid, r.get("title"), r.get("group"), r.get("kind", "requirement"),
                                attrs, r)
    return Catalog(cid, data.get("title"), reqs, groups, source)


def _build_mapping(data: Mapping[str, Any]) -> Mapping_:
    links = tuple(Link(str(x["source"]), str(x["target"]), x["relation"]) for x in data["links"])
    return Mapping_(data["id"], data["source"], data["target"], links, data.get("title"))


def _package_files() -> list[tuple[str, bytes]]:
    base = resources.files("isms") / "catalogs"
    out: list[tuple[str, bytes]] = []
    if not base.is_dir():
        return out
    for entry in sorted(base.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            out.append((f"isms/catalogs/{entry.name}", entry.read_bytes()))
        elif entry.is_dir():
            for sub in sorted(entry.iterdir(), key=lambda e: e.name):
                if sub.name.endswith(".yaml"):
                    out.append((f"isms/catalogs/{entry.name}/{sub.name}", sub.read_bytes()))
    return out


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Catalog], tuple[Mapping_, ...]]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    catalogs: dict[str, Catalog] = {}
    mappings: list[Mapping_] = []
    for name, raw in _package_files():
        data = yaml.load(raw, Loader=loader)  # noqa: S506 - trusted package data, safe loader
        if data.get("kind") == "catalog":
            catalogs[data["id"]] = _build_catalog(data, name)
        elif data.get("kind") == "mapping":
            mappings.append(_build_mapping(data))
    return catalogs, tuple(mappings)


def load_catalogs(root: Path | None = None, folder: str | None = None) -> Catalogs:
    """Shipped catalogs plus, when configured, the repository's own folder of them."""
    shipped, shipped_maps = _shipped()
    catalogs = dict(shipped)
    mappings = list(shipped_maps)
    findings: list[Finding] = []
    if root is not None and folder:
        extra_maps: list[tuple[str, dict[str, Any]]] = []
        for rel, data in _repo_files(root, folder, findings):
            if data.get("kind") == "catalog":
                catalogs[data["id"]] = _build_catalog(data, rel)
            else:
                extra_maps.append((rel, data))
        for rel, data in extra_maps:
            problem = _mapping_problem(data, catalogs)
            if problem:
                findings.append(make(R_CATALOG, rel, 1, 1, problem, "fix the mapping's catalog ids"))
                continue
            mappings.append(_build_mapping(data))
    return Catalogs(catalogs, tuple(mappings), tuple(findings))


def sources_digest(root: Path, folder: str | None) -> str:
    """A digest of every catalog and mapping file :func:`load_catalogs` would read, taken
    without parsing them (it keys the cached whole-repository stage)."""
    import hashlib

    h = hashlib.sha256()
    for name, raw in _package_files():
        h.update(f"{name}\0{len(raw)}\0".encode())
        h.update(raw)
    if folder:
        base = root / folder
        h.update(f"folder {folder} {base.is_dir()}\0".encode())
        for path in sorted(base.rglob("*.y*ml")) if base.is_dir() else []:
            try:
                raw = path.read_bytes()
            except OSError as exc:
                raw = f"unreadable {exc}".encode()
            h.update(f"{path.relative_to(root).as_posix()}\0{len(raw)}\0".encode())
            h.update(raw)
    return h.hexdigest()


def _mapping_problem(data: Mapping[str, Any], catalogs: Mapping[str, Catalog]) -> str:
    for side in ("source", "target"):
        if data[side] not in catalogs:
            return f"mapping {side} {data[side]!r} is not a known catalog"
    for link in data["links"]:
        for side in ("source", "target"):
            if not catalogs[data[side]].resolves(str(link[side])):
                return f"link {side} {link[side]!r} is not in catalog {data[side]!r}"
    return ""


def _repo_files(
    root: Path, folder: str, findings: list[Finding]
) -> Iterable[tuple[str, dict[str, Any]]]:
    from isms.schema import validate

    base = root / folder
    if not base.is_dir():
        findings.append(make(R_CATALOG, "isms.yaml", 1, 1,
                             f"catalogs folder {folder!r} does not exist",
                             "create it or remove `catalogs:` from isms.yaml"))
        return
    for path in sorted(base.rglob("*.y*ml")):
        rel = path.relative_to(root).as_posix()
        try:
            parsed = parse_bytes(path.read_bytes(), rel, Limits(max_file_bytes=64 * 1024 * 1024))
        except OSError as exc:
            findings.append(make(R_CATALOG, rel, 1, 1, f"cannot read: {exc}"))
            continue
        if parsed.findings or not isinstance(parsed.data, dict):
            findings.extend(parsed.findings)
            continue
        kind = parsed.data.get("kind")
        if kind not in ("catalog", "mapping"):
            findings.append(make(R_CATALOG, rel, 1, 1,
                                 f"kind must be catalog or mapping, not {kind!r}"))
            continue
        problems = validate(kind, parsed.data, rel, parsed.marks)
        if problems:
            findings.extend(problems)
            continue
        yield rel, parsed.data
