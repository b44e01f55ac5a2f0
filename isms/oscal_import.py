"""An OSCAL catalog (NIST SP 800-53, CSF 2.0, ...) as an isms framework catalog.

OSCAL groups become catalog groups (nested through ``parent``, their ``class`` as ``type``);
controls become requirements of their group, and controls inside controls (enhancements) become
requirements with ``parent`` set to the control they enhance (and the same group). A control
with the prop ``status: withdrawn`` (as NIST marks withdrawn controls) is kept and marked
``withdrawn: true``, so references to it still resolve and reports can say it is withdrawn.
Titles are kept as they are; the ``statement`` part becomes the description. Requirement ids are
the OSCAL ids (``ac-2.1``), made to fit the isms id pattern when they do not. A group written by
``isms export oscal`` only to hold a group's own controls (prop ``part-of``) is folded back into
that group.

Everything is read with plain loops over the parsed JSON (no model objects), so a 10 MB catalog
of 1,000+ controls converts in well under a second.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from isms.errors import UsageError

CATALOG_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
REQUIREMENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
OUR_NS = "https://isms.dev/ns/oscal"
OSCAL_NS = "http://csrc.nist.gov/ns/oscal"


@dataclass(frozen=True)
class ImportedCatalog:
    data: dict[str, Any]      # the isms catalog document, ready to dump as YAML
    groups: int
    controls: int
    enhancements: int
    withdrawn: int
    renamed: tuple[tuple[str, str], ...]   # (OSCAL id, isms id) where the id had to change

    def summary(self) -> str:
        text = (f"{self.groups} groups, {self.controls} controls, {self.enhancements} "
                f"enhancements, {self.withdrawn} withdrawn")
        if self.renamed:
            text += f", {len(self.renamed)} ids adjusted"
        return text


def read_oscal_catalog(path: Path) -> Mapping[str, Any]:
    """The parsed file (OSCAL JSON, or OSCAL YAML by extension); bad input is a usage error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        else:
            data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"{path} is not valid JSON or YAML: {exc}",
                         hint="give an OSCAL catalog in JSON (XML is not supported)") from exc
    except Exception as exc:  # yaml.YAMLError, without importing yaml for JSON files
        raise UsageError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("catalog"), Mapping):
        raise UsageError(f"{path} is not an OSCAL catalog (no top-level `catalog` object)",
                         hint="profiles must be resolved into a catalog first")
    return data


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _props(item: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(name, value, ns) of every well-formed prop."""
    for p in _list(item.get("props")):
        if isinstance(p, Mapping) and isinstance(p.get("name"), str) \
                and isinstance(p.get("value"), str):
            ns = p.get("ns")
            yield str(p["name"]), str(p["value"]), ns if isinstance(ns, str) else ""


def _withdrawn(control: Mapping[str, Any]) -> bool:
    return any(n == "status" and v.strip().lower() == "withdrawn" and ns in ("", OSCAL_NS)
               for n, v, ns in _props(control))


def _part_of(group: Mapping[str, Any]) -> bool:
    return any(n == "part-of" and ns == OUR_NS for n, _, ns in _props(group))


def _statement(control: Mapping[str, Any]) -> str:
    """The statement part as text: its prose, then each item as 'label prose' on a line."""
    lines: list[str] = []
    first = next((p for p in _list(control.get("parts"))
                  if isinstance(p, Mapping) and p.get("name") == "statement"), None)
    stack: list[tuple[Mapping[str, Any], int]] = [(first, 0)] if first is not None else []
    while stack:
        part, depth = stack.pop()
        label = next((v for n, v, _ in _props(part) if n == "label"), "")
        prose = part.get("prose")
        text = " ".join(x for x in (label.strip(), prose.strip() if isinstance(prose, str) else "")
                        if x)
        if text:
            lines.append("  " * max(depth - 1, 0) + text)
        children = [c for c in _list(part.get("parts")) if isinstance(c, Mapping)]
        stack.extend((c, depth + 1) for c in reversed(children))
    return "\n".join(lines)


class _Ids:
    """OSCAL ids → unique isms ids."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.renamed: list[tuple[str, str]] = []

    def take(self, oscal_id: Any, fallback: str, pattern: re.Pattern[str] | None) -> str:
        raw = oscal_id if isinstance(oscal_id, str) and oscal_id.strip() else ""
        candidate = raw
        if pattern is not None and raw and not pattern.match(raw):
            candidate = re.sub(r"[^A-Za-z0-9._-]", "-", raw).lstrip("._-")
        candidate = candidate or fallback
        base, n = candidate, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        if raw and candidate != raw:
            self.renamed.append((raw, candidate))
        return candidate


def catalog_from_oscal(document: Mapping[str, Any], catalog_id: str) -> ImportedCatalog:
    if not CATALOG_ID.match(catalog_id):
        raise UsageError(f"catalog id {catalog_id!r} is not valid",
                         hint="lower-case letters, digits, '.', '_' and '-', starting with a "
                              "letter or digit (e.g. nist-800-53r5)")
    catalog = document["catalog"]
    metadata = catalog.get("metadata") if isinstance(catalog.get("metadata"), Mapping) else {}
    groups: list[dict[str, Any]] = []
    requirements: list[dict[str, Any]] = []
    group_ids, req_ids = _Ids(), _Ids()
    counts = {"controls": 0, "enhancements": 0, "withdrawn": 0}

    def add_controls(items: Any, group: str | None, parent: str | None) -> None:
        # Explicit stack instead of recursion: no input nests deep enough to crash us.
        stack = [(c, group, parent) for c in reversed(_list(items)) if isinstance(c, Mapping)]
        while stack:
            control, grp, par = stack.pop()
            rid = req_ids.take(control.get("id"), f"control-{len(requirements) + 1}",
                               REQUIREMENT_ID)
            req: dict[str, Any] = {"id": rid}
            if grp is not None:
                req["group"] = grp
            if par is not None:
                req["parent"] = par
            cls = control.get("class")
            req["kind"] = "enhancement" if par is not None else (
                cls if isinstance(cls, str) and cls.strip() else "control")
            req["title"] = _text(control.get("title")) or rid
            statement = _statement(control)
            if statement:
                req["description"] = statement
            if _withdrawn(control):
                req["withdrawn"] = True
                counts["withdrawn"] += 1
            counts["enhancements" if par is not None else "controls"] += 1
            requirements.append(req)
            children = [c for c in _list(control.get("controls")) if isinstance(c, Mapping)]
            stack.extend((c, grp, rid) for c in reversed(children))

    gstack: list[tuple[Mapping[str, Any], str | None]] = [
        (g, None) for g in reversed(_list(catalog.get("groups"))) if isinstance(g, Mapping)]
    add_controls(catalog.get("controls"), None, None)
    while gstack:
        group, parent = gstack.pop()
        if parent is not None and _part_of(group):
            gid = parent  # a holder written by isms export: its controls belong to the parent
        else:
            gid = group_ids.take(group.get("id"), f"group-{len(groups) + 1}", None)
            entry: dict[str, Any] = {"id": gid}
            if parent is not None:
                entry["parent"] = parent
            entry["title"] = _text(group.get("title")) or gid
            cls = group.get("class")
            if isinstance(cls, str) and cls.strip():
                entry["type"] = cls
            groups.append(entry)
        add_controls(group.get("controls"), gid, None)
        gstack.extend((g, gid) for g in reversed(_list(group.get("groups")))
                      if isinstance(g, Mapping))

    title = _text(metadata.get("title")) or catalog_id
    data: dict[str, Any] = {"kind": "catalog", "id": catalog_id, "title": title}
    version = metadata.get("version")
    if isinstance(version, (str, int, float)) and str(version).strip():
        data["version"] = str(version).strip()
    data["description"] = (f"Imported from the OSCAL catalog \"{title}\""
                           + (f", version {data['version']}" if "version" in data else "")
                           + " by isms import oscal-catalog.")
    if groups:
        data["groups"] = groups
    data["requirements"] = requirements
    return ImportedCatalog(data, len(groups), counts["controls"], counts["enhancements"],
                           counts["withdrawn"], tuple(req_ids.renamed + group_ids.renamed))


def render_catalog_yaml(imported: ImportedCatalog) -> str:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[valid-type,misc]
        """Multi-line text (statements with items) as literal blocks, which read like the source."""

    def text(dumper: Any, value: str) -> Any:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    header = ("# Framework catalog imported from OSCAL by `isms import oscal-catalog` "
              f"({imported.summary()}).\n")
    body = yaml.dump(imported.data, Dumper=Dumper, allow_unicode=True, sort_keys=False,
                     width=100, default_flow_style=False)
    return header + str(body)
