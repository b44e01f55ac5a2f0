"""The on-disk cache of per-file results (``.isms_cache/``).

What is cached is exactly the per-file stage of the pipeline: parsing, the kind check and
schema validation, i.e. a file's findings and its entity data. Entries are keyed by the SHA-256
of the file's bytes; the whole cache file is keyed by the tool version, the schemas and the
configuration that affects parsing, so any change to those starts a fresh cache.

The cache is JSON, never pickle, because a cache file is input like any other: a corrupted,
truncated or foreign file (or a single malformed entry) is ignored and rebuilt, and nothing in
it can run code. Line marks are not cached; they are recomputed lazily for the few files that
have findings (see :class:`isms.loader.LazyMarks`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms import __version__
from isms.config import Config
from isms.findings import RULES, Finding, Severity
from isms.fsutil import atomic_write

CACHE_DIR = ".isms_cache"
CACHE_FILE = "files-v1.json"
FORMAT = 1

# A record is what one file contributes: its findings and, when usable, (kind, id, data).
Record = tuple[tuple[Finding, ...], tuple[str, str, dict[str, Any]] | None]


def cache_key(config: Config) -> str:
    """Everything the per-file stage depends on besides the file itself: the tool version,
    the schemas, the parse limits, and the configuration the file-scope checks read."""
    from isms.schema import SCHEMA_NAMES, schema_text

    limits = config.limits
    h = hashlib.sha256()
    h.update(f"isms {__version__} format {FORMAT}\n".encode())
    h.update(f"{limits.max_file_bytes} {limits.max_alias_nodes} {limits.max_depth}\n".encode())
    h.update(json.dumps([list(config.languages), sorted(config.roles), sorted(config.domains)],
                        ensure_ascii=False).encode("utf-8"))
    for name in SCHEMA_NAMES:
        h.update(schema_text(name).encode("utf-8"))
    return h.hexdigest()


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _finding_to_json(f: Finding) -> list[Any]:
    return [f.path, f.line, f.col, f.code, f.message, int(f.severity), f.hint, f.json_path]


def _finding_from_json(item: Any, rel: str) -> Finding | None:
    if not (isinstance(item, list) and len(item) == 8):
        return None
    path, line, col, code, message, severity, hint, json_path = item
    if (path != rel or not isinstance(line, int) or not isinstance(col, int)
            or code not in RULES or not isinstance(message, str) or not isinstance(hint, str)
            or not isinstance(json_path, str) or severity not in (1, 2, 3)):
        return None
    return Finding(path, line, col, code, message, Severity(severity), hint, json_path)


@dataclass
class FileCache:
    root: Path
    key: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    dirty: bool = False
    used: set[str] = field(default_factory=set)

    @property
    def path(self) -> Path:
        return self.root / CACHE_DIR / CACHE_FILE

    @classmethod
    def open(cls, root: Path, key: str) -> FileCache:
        cache = cls(root, key)
        try:
            doc = json.loads(cache.path.read_bytes())
        except (OSError, ValueError):
            return cache
        if (isinstance(doc, dict) and doc.get("format") == FORMAT and doc.get("key") == key
                and isinstance(doc.get("entries"), dict)):
            cache.entries = doc["entries"]
        return cache

    def get(self, rel: str, sha: str) -> Record | None:
        entry = self.entries.get(rel)
        if not isinstance(entry, dict) or entry.get("sha") != sha:
            return None
        raw_findings = entry.get("findings")
        raw_entity = entry.get("entity")
        if not isinstance(raw_findings, list):
            return None
        findings = []
        for item in raw_findings:
            finding = _finding_from_json(item, rel)
            if finding is None:
                return None
            findings.append(finding)
        entity: tuple[str, str, dict[str, Any]] | None = None
        if raw_entity is not None:
            if not (isinstance(raw_entity, list) and len(raw_entity) == 3
                    and isinstance(raw_entity[0], str) and isinstance(raw_entity[1], str)
                    and isinstance(raw_entity[2], dict)):
                return None
            entity = (raw_entity[0], raw_entity[1], raw_entity[2])
        self.used.add(rel)
        return tuple(findings), entity

    def put(self, rel: str, sha: str, record: Record) -> None:
        findings, entity = record
        self.entries[rel] = {
            "sha": sha,
            "findings": [_finding_to_json(f) for f in findings],
            "entity": list(entity) if entity is not None else None,
        }
        self.used.add(rel)
        self.dirty = True

    def save(self) -> None:
        """Write the cache, dropping entries of files that no longer exist; failures are ignored."""
        stale = set(self.entries) - self.used
        if not self.dirty and not stale:
            return
        entries: Mapping[str, Any] = {k: self.entries[k] for k in sorted(self.used)}
        doc = {"format": FORMAT, "key": self.key, "entries": entries}
        try:
            atomic_write(self.path, json.dumps(doc, ensure_ascii=False, separators=(",", ":")))
            gitignore = self.root / CACHE_DIR / ".gitignore"
            if not gitignore.exists():
                atomic_write(gitignore, "*\n")
        except OSError:
            pass  # a read-only checkout simply runs without a cache


def clear(root: Path) -> bool:
    """Delete the cache directory's files; True when there was something to delete."""
    directory = root / CACHE_DIR
    if not directory.is_dir():
        return False
    for child in directory.iterdir():
        if child.is_file() or child.is_symlink():
            child.unlink()
    directory.rmdir()
    return True
