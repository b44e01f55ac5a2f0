"""The check pipeline: discover → load → validate → model → checks → filtered, sorted findings.

Everything a command needs from a repository comes through :func:`load_repo`, so `check`,
and later `gap`, `soa`, `report` and `bundle`, all see the same entities. Per-file work
(reading, parsing, schema validation) is kept in :func:`load_file` so it can be cached and
spread over processes without touching the whole-repository checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from isms import checks as _checks  # noqa: F401  (registers the structural checks)
from isms.catalogs import Catalogs, load_catalogs
from isms.config import Config, find_root, load_config
from isms.errors import UsageError
from isms.findings import RULES, Finding, Rule, Severity, make
from isms.loader import Y_UNKNOWN_KIND, Limits, Parsed, discover, read_file
from isms.model import Entity, Repo
from isms.schema import KINDS, validate


@dataclass(frozen=True)
class CheckOptions:
    today: dt.date
    fail_on: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileResult:
    """What one file contributes: its findings and, when usable, its entity."""

    path: str
    findings: tuple[Finding, ...]
    entity: Entity | None


@dataclass
class Loaded:
    config: Config
    repo: Repo
    catalogs: Catalogs
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class CheckResult:
    root: Path
    today: dt.date
    fail_on: Severity
    files: int
    findings: tuple[Finding, ...]
    rules: tuple[Rule, ...]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            out[f.severity.label] += 1
        return out

    @property
    def failing(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity >= self.fail_on)

    @property
    def failed(self) -> bool:
        return bool(self.failing)


def load_file(root: Path, rel: str, limits: Limits) -> FileResult:
    parsed: Parsed = read_file(root, rel, limits)
    findings = list(parsed.findings)
    data = parsed.data
    entity = None
    if isinstance(data, dict):
        kind = data.get("kind")
        if kind not in KINDS:
            line, col = parsed.marks.get(("kind",), (1, 1))
            if kind is None:
                message, hint = "no `kind`", "add `kind:` as the first line: " + ", ".join(KINDS)
            else:
                message = f"unknown kind {kind!r}"
                hint = "use one of: " + ", ".join(KINDS)
            findings.append(make(Y_UNKNOWN_KIND, rel, line, col, message, hint))
        else:
            findings.extend(validate(str(kind), data, rel, parsed.marks))
            ident = data.get("id")
            if isinstance(ident, str) and ident:
                entity = Entity(str(kind), ident, rel, data, parsed.marks)
    return FileResult(rel, tuple(findings), entity)


def load_repo(path: Path) -> Loaded:
    """Load and validate every file of the repository at or above ``path``."""
    root = find_root(path)
    config = load_config(root)
    files, findings = discover(root, config.folders, config.ignore)
    entities: list[Entity] = []
    for rel in files:
        result = load_file(root, rel, config.limits)
        findings.extend(result.findings)
        if result.entity is not None:
            entities.append(result.entity)
    catalogs = load_catalogs(root, config.catalogs)
    findings.extend(catalogs.findings)
    repo = Repo.build(config, entities, files)
    return Loaded(config, repo, catalogs, findings)


def _matches(code: str, selectors: Iterable[str]) -> bool:
    return any(code == s or code.startswith(s) for s in selectors)


def validate_selectors(selectors: Sequence[str], option: str) -> None:
    for s in selectors:
        if not any(code == s or code.startswith(s) for code in RULES):
            raise UsageError(f"{option}: {s!r} matches no finding code",
                             hint="see `isms explain --list`")


def run_check(path: Path, options: CheckOptions) -> CheckResult:
    loaded = load_repo(path)
    config = loaded.config
    select = options.select or config.select
    ignore = (*config.ignore_codes, *options.ignore)
    _checks.load_check_modules()
    validate_selectors(select, "--select")
    validate_selectors(ignore, "--ignore")
    for code in config.severity:
        if code not in RULES:
            raise UsageError(f"isms.yaml checks.severity: unknown code {code!r}")
    fail_on = Severity.parse(options.fail_on or config.fail_on)

    ctx = _checks.Context(loaded.repo, loaded.catalogs, options.today)
    findings = [*loaded.findings, *_checks.run_checks(ctx)]

    kept: set[Finding] = set()
    for f in findings:
        if select and not _matches(f.code, select):
            continue
        if _matches(f.code, ignore):
            continue
        override = config.severity.get(f.code)
        if override:
            f = Finding(f.path, f.line, f.col, f.code, f.message, Severity.parse(override),
                        f.hint, f.json_path)
        kept.add(f)
    ordered = tuple(sorted(kept))
    codes = sorted({f.code for f in ordered}
                   | {c for c in RULES if not select or _matches(c, select)})
    rules = tuple(RULES[c] for c in codes)
    return CheckResult(config.root, options.today, fail_on, len(loaded.repo.files), ordered, rules)
