"""Scaffolding: `isms init` (a new repository from the reference ISMS) and `isms new` (a skeleton).

Both compute every file to write first, refuse to overwrite anything unless forced, and only
then write, each file atomically: a refused or failed run leaves the target as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    from importlib.resources.abc import Traversable
else:  # pragma: no cover
    from importlib.abc import Traversable

from isms.errors import InternalError, UsageError
from isms.fsutil import atomic_write
from isms.loader import Limits, parse_bytes

REFERENCE_DIRS = ("policies", "procedures", "documents", "controls", "registers", "evidence")
MINIMAL_DIRS = ("policies", "procedures", "documents", "controls")
LANGUAGE_CHOICES = {"both": ("en", "zh"), "en": ("en",), "zh": ("zh",)}

FOLDER_OF_KIND = {
    "policy": "policies",
    "procedure": "procedures",
    "document": "documents",
    "control": "controls",
    "third-party": "registers/third-parties",
    "activity": "registers/activities",
    "risk": "registers/risks",
    "asset": "registers/assets",
    "evaluation": "registers/evaluations",
    "evidence": "evidence",
    "budget-standard": "registers",
}
ID_PATTERN = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Za-z0-9._]+)+$")


def reference_root() -> Traversable:
    """The reference ISMS: package data in an installed wheel, the checkout's top level otherwise."""
    packaged = resources.files("isms") / "reference"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "isms.yaml").is_file() and (checkout / "policies").is_dir():
        return checkout
    raise InternalError("the reference ISMS is missing from this installation of isms")


def _walk(node: Traversable, rel: str) -> Iterator[tuple[str, bytes]]:
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith(".") or child.name == "__pycache__":
            continue
        child_rel = f"{rel}/{child.name}"
        if child.is_dir():
            yield from _walk(child, child_rel)
        else:
            yield child_rel, child.read_bytes()


@dataclass(frozen=True)
class Plan:
    """Files to write, as repository-relative posix paths and their bytes."""

    target: Path
    files: dict[str, bytes]

    def conflicts(self) -> list[str]:
        return sorted(rel for rel in self.files if (self.target / rel).exists())

    def write(self, force: bool) -> list[str]:
        conflicts = self.conflicts()
        if conflicts and not force:
            shown = ", ".join(conflicts[:5]) + (" …" if len(conflicts) > 5 else "")
            raise UsageError(f"{len(conflicts)} file(s) already exist in {self.target}: {shown}",
                             hint="nothing was written; use --force to overwrite them")
        for rel in sorted(self.files):
            atomic_write(self.target / rel, self.files[rel])
        return sorted(self.files)


class _Dumper(yaml.SafeDumper):
    """Writes dates plain (2026-03-01, not '2026-03-01') and keeps keys in their given order."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value)
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
_BOOL_WORDS = {"on", "off", "yes", "no", "y", "n", "On", "Off", "Yes", "No"}


def _represent_mapping(dumper: yaml.SafeDumper, data: dict[Any, Any]) -> yaml.MappingNode:
    """Keys such as `on` stay plain (isms reads keys as written); values still get quoted."""
    node = dumper.represent_dict(data.items())
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value in _BOOL_WORDS:
            key_node.tag = "tag:yaml.org,2002:bool"
            key_node.style = None
    return node


_Dumper.add_representer(dict, _represent_mapping)


def dump_yaml(data: Any) -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return text.encode("utf-8")


def _single_language(kind: str, data: dict[str, Any], lang: str) -> dict[str, Any]:
    """Replace every Text field of ``data`` ({en, zh}) by its ``lang`` string."""
    from isms.checks import _match_paths, text_paths

    for pattern in text_paths(kind):
        for path, value in list(_match_paths(data, pattern)):
            if isinstance(value, Mapping) and value:
                chosen = value.get(lang) or next(iter(value.values()))
                _set(data, path, chosen)
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _convert(rel: str, raw: bytes, lang: str) -> bytes:
    parsed = parse_bytes(raw, rel, Limits())
    data = parsed.data
    if parsed.findings or not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return raw
    return dump_yaml(_single_language(data["kind"], data, lang))


_IMPLEMENTED = re.compile(rb"^status: (?:implemented|partial)[ \t]*$", re.MULTILINE)


def _as_planned(raw: bytes) -> bytes:
    """A minimal repository has the documents but no registers or evidence yet, so nothing
    it inherits can honestly claim to be implemented: its controls start as planned, keeping
    their evidence expectations as the plan of what to collect."""
    return _IMPLEMENTED.sub(b"status: planned", raw)


def _config(reference: Traversable, organisation: str, languages: tuple[str, ...]) -> bytes:
    parsed = parse_bytes((reference / "isms.yaml").read_bytes(), "isms.yaml", Limits())
    data: dict[str, Any] = dict(parsed.data)
    data["organisation"] = ({lang: organisation for lang in languages} if len(languages) > 1
                            else organisation)
    data["languages"] = list(languages)
    if len(languages) == 1:
        for section in ("roles", "domains", "modes"):
            data[section] = {
                key: (value.get(languages[0]) or next(iter(value.values())))
                if isinstance(value, Mapping) else value
                for key, value in (data.get(section) or {}).items()
            }
    header = ("# isms configuration: organisation, languages, frameworks in scope, folders,\n"
              "# roles, domains, outsourcing modes, risk scale and check settings.\n"
              "# Reference: docs/format.md of isms (`isms schema export` for editor support).\n")
    return header.encode("utf-8") + dump_yaml(data)


PRE_COMMIT = """\
# Runs `isms check` on the whole repository before every commit (pre-commit.com).
repos:
  - repo: local
    hooks:
      - id: isms-check
        name: isms check
        entry: isms check
        language: system
        pass_filenames: false
        always_run: true
"""

GITIGNORE = """\
.isms_cache/
reports/*
!reports/README.md
"""

GITHUB_WORKFLOW = """\
name: isms
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install isms
      - run: isms check --format github
      - run: isms check --format sarif --output isms.sarif
        if: always()
      - uses: github/codeql-action/upload-sarif@v3
        if: always()
        with:
          sarif_file: isms.sarif
"""

GITLAB_CI = """\
isms-check:
  image: python:3.12
  script:
    - pip install isms
    - isms check --format junit --output isms-junit.xml
  artifacts:
    when: always
    reports:
      junit: isms-junit.xml
"""

REPORTS_README = """\
# reports/

Generated output (reports, bundles, exports) is written here and git-ignored.
"""

REPO_README = """\
# {name}

This repository is an information security management system kept as code with
[isms](https://pypi.org/project/isms/): policies, procedures and document sets, the Statement
of Applicability (`controls/`), the registers of outsourced operations (`registers/`) and the
evidence (`evidence/`), all as YAML checked by `isms check`.

    pip install isms
    isms check

Edit the YAML, run `isms check`, commit. `isms new KIND ID` writes a skeleton for a new entity.
"""


def plan_init(target: Path, organisation: str, lang: str, minimal: bool) -> Plan:
    from isms.schema_export import schema_files

    languages = LANGUAGE_CHOICES[lang]
    reference = reference_root()
    files: dict[str, bytes] = {"isms.yaml": _config(reference, organisation, languages)}
    for folder in MINIMAL_DIRS if minimal else REFERENCE_DIRS:
        node = reference / folder
        if not node.is_dir():
            continue
        for rel, raw in _walk(node, folder):
            if len(languages) == 1 and rel.endswith((".yaml", ".yml")):
                raw = _convert(rel, raw, languages[0])
            if minimal and folder == "controls":
                raw = _as_planned(raw)
            files[rel] = raw
    if minimal:
        files["registers/README.md"] = (
            b"# registers/\n\nThird parties, activities, risks, assets and evaluations go here "
            b"(`isms new third-party TP-ID`, `isms new risk RSK-001`, ...).\n")
        files["evidence/README.md"] = (
            b"# evidence/\n\nEvidence records (`kind: evidence`) next to the files they point at.\n")
    schemas, settings = schema_files(".isms/schemas")
    files.update({rel: text.encode("utf-8") for rel, text in schemas.items()})
    files[".vscode/settings.json"] = (json.dumps(settings, indent=2) + "\n").encode("utf-8")
    files[".gitignore"] = GITIGNORE.encode()
    files[".pre-commit-config.yaml"] = PRE_COMMIT.encode()
    files[".github/workflows/isms.yml"] = GITHUB_WORKFLOW.encode()
    files[".gitlab-ci.yml"] = GITLAB_CI.encode()
    files["reports/README.md"] = REPORTS_README.encode()
    files["README.md"] = REPO_README.format(name=organisation).encode("utf-8")
    return Plan(target, files)


# --- isms new ------------------------------------------------------------------------------

def _text(languages: tuple[str, ...], what: str) -> Any:
    if len(languages) == 1:
        return f"TODO: {what}"
    return {lang: f"TODO: {what}" for lang in languages}


def skeleton(kind: str, ident: str, languages: tuple[str, ...], role: str, domain: str,
             today: dt.date) -> dict[str, Any]:
    """A schema-valid entity whose required content is TODO markers that `isms check` reports."""

    def t(what: str) -> Any:
        return _text(languages, what)

    controlled = {
        "version": "0.1.0",
        "status": "draft",
        "owner": role,
        "review": {"every_months": 12, "last": today.isoformat()},
        "requirements": [],
        "text": t("the body of the document, in Markdown"),
        "history": [{"version": "0.1.0", "date": today.isoformat(), "author": role,
                     "change": t("first draft")}],
    }
    base: dict[str, Any] = {"kind": kind, "id": ident}
    if kind == "policy":
        return {**base, "title": t("policy title"), **controlled,
                "scope": t("what and whom the policy covers"),
                "statements": [t("a policy statement")]}
    if kind == "procedure":
        return {**base, "policy": "POL-TODO", "title": t("procedure title"), **controlled,
                "purpose": t("why the procedure exists"), "steps": [t("the first step")]}
    if kind == "document":
        return {**base, "procedure": "PRC-TODO", "title": t("document set title"),
                "type": "record", "frequency": "monthly", **controlled,
                "purpose": t("what the document set is for"), "fields": [t("a field")]}
    if kind == "control":
        requirement = ("iso27001-2022:" + ident[4:]) if ident.startswith("CTL-A.") else \
            "iso27001-2022:TODO"
        return {**base, "requirement": requirement, "applicable": True,
                "reason": t("why the control is applicable"), "status": "planned", "owner": role,
                "implemented_by": ["PRC-TODO"], "implementation": t("how the control is met")}
    if kind == "third-party":
        return {**base, "name": t("legal name"), "services": t("what the third party delivers"),
                "contract": {"id": "TODO", "start": today.isoformat(),
                             "end": today.replace(year=today.year + 1).isoformat()},
                "staff": []}
    if kind == "activity":
        return {**base, "title": t("what the vendor does"), "third_party": "TP-TODO",
                "domain": domain, "mode": "full", "access": [], "assets": [], "staff": [],
                "sla": [], "controls": [], "risks": []}
    if kind == "risk":
        return {**base, "title": t("the risk in one sentence"),
                "description": t("cause, event and consequence"), "likelihood": 1, "impact": 1,
                "treatment": {"option": "mitigate", "controls": [], "plan": t("treatment plan")},
                "owner": role, "status": "open"}
    if kind == "asset":
        return {**base, "name": t("asset name"), "type": "server", "owner": role,
                "maintained_by": "TP-TODO", "in_service": today.isoformat(), "failures": []}
    if kind == "evaluation":
        return {**base, "third_party": "TP-TODO", "period": today.strftime("%Y-%m"),
                "metrics": [], "notes": t("remarks on the period")}
    if kind == "evidence":
        return {**base, "document": "DOC-TODO", "collected": today.isoformat(), "files": [],
                "description": t("what the evidence shows")}
    if kind == "budget-standard":
        year = today.year + 1
        return {**base, "title": t(f"{year} O&M budget standard"), "year": year,
                "currency": "CNY", "description": t("goals, cost composition and scope"),
                "ratio": {"rates": [{"type": "server", "rate": 0.1,
                                     "label": t("rate per asset class")}]},
                "workload": {"labour_rates": [{"grade": "engineer", "rate": 1000,
                                               "label": t("unit labour rate per person-day")}],
                             "services": [{"id": "SVC-TODO", "label": t("service"),
                                           "quantity": 1, "unit": t("unit"),
                                           "workload": [{"grade": "engineer",
                                                         "person_days": 1}]}]}}
    raise UsageError(f"unknown kind {kind!r}", hint="use one of: " + ", ".join(FOLDER_OF_KIND))


def plan_new(root: Path, kind: str, ident: str, today: dt.date) -> Plan:
    from isms.engine import load_repo

    if kind not in FOLDER_OF_KIND:
        raise UsageError(f"unknown kind {kind!r}", hint="use one of: " + ", ".join(FOLDER_OF_KIND))
    if not ID_PATTERN.match(ident):
        raise UsageError(f"{ident!r} is not a valid id",
                         hint="ids look like PREFIX-NAME, e.g. POL-09, RSK-031, CTL-A.5.19")
    loaded = load_repo(root)
    existing = loaded.repo.by_id.get(ident)
    if existing is not None:
        raise UsageError(f"id {ident} already exists in {existing.path}")
    config = loaded.config
    role = next(iter(config.roles), "owner")
    domain = next(iter(config.domains), "general")
    data = skeleton(kind, ident, config.languages, role, domain, today)
    rel = f"{FOLDER_OF_KIND[kind]}/{ident}.yaml"
    header = (f"# New {kind} written by `isms new`: replace every TODO, then run `isms check`.\n")
    return Plan(config.root, {rel: header.encode() + dump_yaml(data)})
