"""Find the ISMS repository and read its isms.yaml.

A broken isms.yaml is not a finding but a reason the run cannot be done as asked (exit 2):
without it we do not know which folders to scan, which roles exist or which checks apply.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms.errors import ConfigError, RepoNotFoundError
from isms.loader import Limits, line_of, parse_bytes

CONFIG_NAME = "isms.yaml"
DEFAULT_FOLDERS = ("policies", "procedures", "documents", "controls", "registers", "evidence")
DEFAULT_FRAMEWORKS = ("iso27001-2022",)


@dataclass(frozen=True)
class Config:
    root: Path
    organisation: Any
    languages: tuple[str, ...] = ("en",)
    frameworks: tuple[str, ...] = DEFAULT_FRAMEWORKS
    folders: tuple[str, ...] = DEFAULT_FOLDERS
    ignore: tuple[str, ...] = ()
    catalogs: str | None = None
    roles: Mapping[str, Any] = field(default_factory=dict)
    domains: Mapping[str, Any] = field(default_factory=dict)
    modes: Mapping[str, Any] = field(default_factory=dict)
    risk_scale: int = 5
    risk_appetite: int = 8
    fail_on: str = "error"
    select: tuple[str, ...] = ()
    ignore_codes: tuple[str, ...] = ()
    severity: Mapping[str, str] = field(default_factory=dict)
    limits: Limits = Limits()
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Stable digest of the configuration, for caches and bundle manifests."""
        blob = json.dumps(self.raw, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def find_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` that holds isms.yaml."""
    if not start.exists():
        raise RepoNotFoundError(f"path not found: {start}")
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for candidate in (here, *here.parents):
        if (candidate / CONFIG_NAME).is_file():
            return candidate
    raise RepoNotFoundError(
        f"not an isms repository: no {CONFIG_NAME} in {here} or any parent directory",
        hint="run `isms init DIR` to create one, or pass the repository path",
    )


def load_config(root: Path) -> Config:
    path = root / CONFIG_NAME
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    return config_from_bytes(root, raw_bytes)


def config_from_bytes(root: Path, raw_bytes: bytes) -> Config:
    """The configuration in ``raw_bytes`` (isms.yaml as read from disk or from a git revision)."""
    parsed = parse_bytes(raw_bytes, CONFIG_NAME, Limits())
    if parsed.findings or not isinstance(parsed.data, dict):
        first = parsed.findings[0] if parsed.findings else None
        where = f"{CONFIG_NAME}:{first.line}:{first.col}: " if first else f"{CONFIG_NAME}: "
        message = first.message if first else "isms.yaml must be a mapping"
        raise ConfigError(f"invalid configuration: {where}{message}",
                          hint=first.hint if first else None)
    data: dict[str, Any] = parsed.data
    from isms.schema import schema_errors

    errors = sorted(schema_errors("config", data), key=lambda e: list(e.absolute_path))
    if errors:
        lines = []
        for err in errors[:10]:
            line, col = line_of(parsed.marks, tuple(err.absolute_path))
            lines.append(f"{CONFIG_NAME}:{line}:{col}: {err.message}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines),
                          hint="see docs/format.md, section isms.yaml")
    checks = data.get("checks", {})
    risk = data.get("risk", {})
    defaults = Limits()
    return Config(
        root=root,
        organisation=data["organisation"],
        languages=tuple(data.get("languages", ("en",))),
        frameworks=tuple(data.get("frameworks", DEFAULT_FRAMEWORKS)),
        folders=tuple(data.get("folders", DEFAULT_FOLDERS)),
        ignore=tuple(data.get("ignore", ())),
        catalogs=data.get("catalogs"),
        roles=data.get("roles", {}),
        domains=data.get("domains", {}),
        modes=data.get("modes", {}),
        risk_scale=risk.get("scale", 5),
        risk_appetite=risk.get("appetite", 8),
        fail_on=checks.get("fail_on", "error"),
        select=tuple(checks.get("select", ())),
        ignore_codes=tuple(checks.get("ignore", ())),
        severity=checks.get("severity", {}),
        limits=Limits(
            max_file_bytes=checks.get("max_file_bytes", defaults.max_file_bytes),
            max_alias_nodes=checks.get("max_alias_nodes", defaults.max_alias_nodes),
            max_depth=checks.get("max_depth", defaults.max_depth),
        ),
        raw=data,
    )
