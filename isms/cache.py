"""The on-disk cache (``.isms_cache/``): per-file results and the last whole-repository result.

Two things are cached:

* **Per file**, exactly the per-file stage of the pipeline (parsing, the kind check, schema
  validation and the file-scope checks): the file's findings and its entity, keyed by the
  SHA-256 of the file's bytes. Each entry also keeps the file's ``stat`` signature (size,
  mtime, ctime, inode), so an unchanged file is recognised without being read, as git's index
  does; a signature taken too close to the run that wrote it is not trusted (a file changed
  twice within one clock tick would keep its mtime), and the file is hashed again.
* **The whole-repository stage** (entity and repository checks), check by check, with the
  entity fields each check read (see :mod:`isms.reads`), keyed by everything else the stage
  reads (see :mod:`isms.stage`): the file list with every entity's kind and id, the
  configuration, the catalogs, the date and the evidence files on disk; beside it, the digest
  of every entity's stage view (its data with texts reduced to whether they are blank). A
  commit that changes no data (a comment, a re-indent) or only wording reuses every check; one
  that changes data re-runs only the checks that read a changed field. Findings in files whose
  bytes changed are placed again in them.

Everything is keyed by the tool version, the schemas and the configuration that affects the
per-file stage: a change to those starts a fresh cache.

The store is SQLite (in the standard library): a run that changes a few files updates a few
rows in one transaction, instead of rewriting a file the size of the repository, and a run that
only checks reads the small index columns and never the entity data. A cache file is input like
any other: one that is corrupted, truncated, foreign or of an unexpected shape is deleted and
rebuilt, a malformed row is ignored, values are JSON (never pickle) and validated on the way in,
and the database's own schema must be exactly ours (no triggers, no views), so nothing in it can
run code or forge a result.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from isms import __version__
from isms.checks import CheckRun
from isms.config import Config
from isms.findings import RULES, Finding, Severity

_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # an install without it reads the cache with the standard library
    _orjson = None

CACHE_DIR = ".isms_cache"
CACHE_FILE = "cache-v5.sqlite"
FORMAT = 5

# An entity as stored: (kind, id, data).
EntityRecord = tuple[str, str, dict[str, Any]]

# A stat signature younger than this (relative to the run that took it) is not trusted.
RACY_NS = 3_000_000_000

_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # The index read on every run, kept apart from the entities so that reading it touches a
    # few pages rather than one per file.
    "CREATE TABLE files (rel TEXT PRIMARY KEY, sig TEXT NOT NULL, sha TEXT NOT NULL, "
    "digest TEXT NOT NULL, findings TEXT NOT NULL, disk TEXT NOT NULL, "
    "view_digest TEXT NOT NULL)",
    "CREATE TABLE data (rel TEXT PRIMARY KEY, entity TEXT, view TEXT)",
    "CREATE TABLE stage (name TEXT PRIMARY KEY, findings TEXT NOT NULL, reads TEXT NOT NULL)",
    # Every reference value of every entity, by value: who names an id (see isms.links).
    "CREATE TABLE refs (rel TEXT NOT NULL, via TEXT NOT NULL, value TEXT NOT NULL, "
    "PRIMARY KEY (rel, via, value)) WITHOUT ROWID",
    "CREATE INDEX refs_value ON refs (value)",
)


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


def signature(info: os.stat_result) -> str:
    return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}"


def entity_json(entity: EntityRecord) -> str:
    """The stored form of an entity; its SHA-256 is the entity's digest."""
    return json.dumps(entity, ensure_ascii=False, separators=(",", ":"))


# Every byte but the ASCII digits made a space: a run of 19 nines in the result is an integer
# literal that may not fit 64 bits, which orjson would read as a float.
_DIGITS = bytes(0x39 if 0x30 <= i <= 0x39 else 0x20 for i in range(256))
_LONG_NUMBER = b"9" * 19


def loads(text: str, raw: bytes | None = None) -> Any:
    """``json.loads`` (``raw``: the text's UTF-8 bytes, when the caller has them), by orjson
    when it reads ``text`` the same way: twice as fast on the thousands of stage views a
    re-run check reads back. orjson turns integers beyond 64 bits into floats and refuses
    NaN, infinities and lone surrogates, which the standard library writes and reads; those
    texts are left to it. Raises ValueError, as ``json.loads`` does."""
    if _orjson is not None:
        raw = text.encode("utf-8", "surrogatepass") if raw is None else raw
        if _LONG_NUMBER not in raw.translate(_DIGITS):
            try:
                return _orjson.loads(raw)
            except _orjson.JSONDecodeError:
                pass
    return json.loads(text)


def finding_to_json(f: Finding) -> list[Any]:
    return [f.path, f.line, f.col, f.code, f.message, int(f.severity), f.hint, f.json_path]


def finding_from_json(item: Any, rel: str | None = None) -> Finding | None:
    """A finding read back from the cache, or None when the value is not one we wrote
    (``rel``, when given, is the only path the finding may be about)."""
    if not (isinstance(item, list) and len(item) == 8):
        return None
    path, line, col, code, message, severity, hint, json_path = item
    if (not isinstance(path, str) or (rel is not None and path != rel)
            or not isinstance(line, int) or not isinstance(col, int)
            or code not in RULES or not isinstance(message, str) or not isinstance(hint, str)
            or not isinstance(json_path, str) or severity not in (1, 2, 3)):
        return None
    return Finding(path, line, col, code, message, Severity(severity), hint, json_path)


def findings_from_json(text: str, rel: str | None = None) -> tuple[Finding, ...] | None:
    if text == "[]":
        return ()
    try:
        items = loads(text)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        finding = finding_from_json(item, rel)
        if finding is None:
            return None
        out.append(finding)
    return tuple(out)


def findings_to_json(findings: Iterable[Finding]) -> str:
    return json.dumps([finding_to_json(f) for f in findings], ensure_ascii=False,
                      separators=(",", ":"))


def disk_of(entry: Entry) -> tuple[str, ...]:
    """The repository files the entry's entity names (nothing, if the row is malformed)."""
    if entry.disk == "[]":
        return ()
    try:
        paths = json.loads(entry.disk)
    except ValueError:
        return ()
    if isinstance(paths, list) and all(isinstance(x, str) for x in paths):
        return tuple(paths)
    return ()


def _entity_from_json(text: str | None, raw: bytes | None = None) -> EntityRecord | None:
    if text is None:
        return None
    try:
        value = loads(text, raw)
    except ValueError:
        return None
    if (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and isinstance(value[1], str) and isinstance(value[2], dict)):
        return value[0], value[1], value[2]
    return None


class Entry(NamedTuple):
    """One file's row, as read at the start of the run (the entity data stays on disk).

    A named tuple rather than a dataclass: ten thousand of them are made on every run, straight
    from the database's rows."""

    sig: str
    sha: str
    digest: str  # of the entity's stored form; "" when the file has no entity
    findings: str  # JSON, decoded only when used
    disk: str  # JSON list of the repository files the entity names (see engine.disk_paths)
    view_digest: str  # of the stored form of the entity's stage view


@dataclass(frozen=True)
class Stage:
    """The cached whole-repository result, check by check, and what it was computed from."""

    key: str  # see stage.stage_key
    views: str  # every file's stage view digest in order (see stage.file_views)
    shas: str  # every file's SHA-256 in order (see stage.file_shas): what its lines rest on
    skeleton: str  # JSON: every file's [kind, id], or null (see stage.skeleton)
    runs: Mapping[str, CheckRun]  # by Check.key
    nodes: str = "{}"  # JSON: the catalogs' graph nodes and their kinds (see links.catalog_nodes)


def _reads_to_json(run: CheckRun) -> str:
    fields = None if run.reads is None else sorted(run.reads)
    return json.dumps([run.local, fields, run.subjects], ensure_ascii=False,
                      separators=(",", ":"))


def _reads_from_json(text: str
                     ) -> tuple[bool, frozenset[tuple[str, str]] | None, str | None] | None:
    """What :func:`_reads_to_json` wrote (the subjects' dependencies are left as text: they
    are read only when the check's result must be brought up to date)."""
    try:
        value = loads(text)
    except ValueError:
        return None
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[0], bool)
            and (value[2] is None or isinstance(value[2], str))):
        return None
    local, fields, subjects = value
    if fields is None:
        return local, None, subjects
    if not (isinstance(fields, list) and all(
            isinstance(f, list) and len(f) == 2 and all(isinstance(x, str) for x in f)
            for f in fields)):
        return None
    return local, frozenset((k, f) for k, f in fields), subjects


@dataclass
class FileCache:
    root: Path
    key: str
    started: int = field(default_factory=time.time_ns)
    index: dict[str, Entry] = field(default_factory=dict)
    stage: Stage | None = None
    written_at: int = 0
    _db: sqlite3.Connection | None = None
    _rows: dict[str, tuple[str, str, str, str, str, str, str | None, str | None]] = field(
        default_factory=dict)
    _refs: dict[str, Iterable[tuple[str, str]]] = field(default_factory=dict)
    _signatures: dict[str, str] = field(default_factory=dict)
    _used: set[str] = field(default_factory=set)
    _stage_out: Stage | None = None
    _closed: bool = False

    @property
    def path(self) -> Path:
        return self.root / CACHE_DIR / CACHE_FILE

    @classmethod
    def open(cls, root: Path, key: str) -> FileCache:
        """The cache of ``root``; empty (and rebuilt on save) when missing or not usable."""
        cache = cls(root, key)
        if not cache.path.is_file():
            return cache
        try:
            db = _connect(cache.path)
            if _schema_of(db) != tuple(sorted(_SCHEMA)):
                raise sqlite3.DatabaseError("not an isms cache")
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
            if meta.get("format") != str(FORMAT) or meta.get("key") != key:
                db.close()
                cache._discard()
                return cache
            cache._db = db
            cache.written_at = int(meta["written_at"]) if meta.get("written_at", "").isdigit() \
                else 0
            # SQLite columns hold any type; rows of ours hold text only.
            rows = db.execute(
                "SELECT rel, sig, sha, digest, findings, disk, view_digest FROM files WHERE "
                + " AND ".join(f"typeof({c}) = 'text'" for c in (
                    "rel", "sig", "sha", "digest", "findings", "disk", "view_digest")))
            cache.index = {row[0]: Entry._make(row[1:]) for row in rows}
            cache.stage = _stage_from(meta, db.execute(
                "SELECT name, findings, reads FROM stage WHERE typeof(name) = 'text' AND "
                "typeof(findings) = 'text' AND typeof(reads) = 'text'").fetchall())
        except (sqlite3.Error, ValueError, KeyError):
            if cache._db is not None:
                cache._db.close()
            cache._db = None
            cache.index = {}
            cache.stage = None
            cache._discard()
        return cache

    def _discard(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(str(self.path) + suffix)

    # --- per file ---------------------------------------------------------------------------

    def lookup(self, rel: str, sha: str, sig: str) -> Entry | None:
        """The entry of a file whose content (hashed) is what was cached."""
        entry = self.index.get(rel)
        if entry is None or entry.sha != sha:
            return None
        if entry.sig != sig:
            self._signatures[rel] = sig
        return entry

    def use(self, rels: Iterable[str]) -> None:
        """Keep these files' rows (the rows of files not used in a run are deleted)."""
        self._used.update(rels)

    def entities(self, wanted: Mapping[str, str], *, view: bool = False
                 ) -> dict[str, EntityRecord]:
        """The stored entities (or, with ``view``, their stage views) of the files in
        ``wanted`` (path → digest); a row whose entity does not match its digest, or cannot be
        read, is left out."""
        out: dict[str, EntityRecord] = {}
        if self._db is None or not wanted:
            return out
        column = "view" if view else "entity"
        if len(wanted) * 2 < len(self.index):  # a few: look them up
            names = sorted(wanted)
            steps = [names[i:i + 500] for i in range(0, len(names), 500)]
            queries = [(f"SELECT rel, {column} FROM data WHERE rel IN "
                        f"({', '.join('?' * len(step))})", tuple(step)) for step in steps]
        else:  # most: one pass over the table
            queries = [(f"SELECT rel, {column} FROM data", ())]
        try:
            for query, args in queries:
                for rel, text in self._db.execute(query, args):
                    expected = wanted.get(rel)
                    if not (expected and isinstance(text, str)):
                        continue
                    raw = text.encode("utf-8", "surrogatepass")
                    if digest(raw) == expected:
                        entity = _entity_from_json(text, raw)
                        if entity is not None:
                            out[rel] = entity
        except sqlite3.Error:
            return {}
        return out

    def put(self, rel: str, sig: str, sha: str, findings: Iterable[Finding],
            disk: Iterable[str], stored: str | None, entity_digest: str,
            view: str | None, view_digest: str, refs: Iterable[tuple[str, str]] = ()
            ) -> None:
        self._rows[rel] = (sig, sha, entity_digest, findings_to_json(findings),
                           json.dumps(list(disk), ensure_ascii=False), view_digest, stored, view)
        self._refs[rel] = refs
        self._used.add(rel)

    def referrers(self, value: str) -> list[tuple[str, str]]:
        """(file, field) of every cached entity whose reference field holds ``value``, as the
        cache held it when this run began (raises sqlite3.Error when it cannot be read)."""
        if self._db is None:
            raise sqlite3.DatabaseError("no cache")
        return [(rel, via) for rel, via in self._db.execute(
            "SELECT rel, via FROM refs WHERE value = ?", (value,))
            if isinstance(rel, str) and isinstance(via, str)]

    # --- whole repository -------------------------------------------------------------------

    def stage_put(self, stage: Stage) -> None:
        self._stage_out = stage

    # --- writing ----------------------------------------------------------------------------

    def _trusted(self, sig: str) -> str:
        """``sig`` when the file was last changed well before this run started, else ""."""
        try:
            mtime, ctime = (int(x) for x in sig.split(":")[1:3])
        except ValueError:
            return ""
        return sig if max(mtime, ctime) < self.started - RACY_NS else ""

    def save(self) -> None:
        """Write what changed in one transaction; any failure leaves the cache as it was
        (or absent) and the run unaffected. Rows of files that are gone are deleted."""
        if self._closed:
            return
        stale = set(self.index) - self._used
        renewed = {rel: self._trusted(sig) for rel, sig in self._signatures.items()}
        renewed = {rel: sig for rel, sig in renewed.items()
                   if sig and rel not in self._rows and sig != self.index[rel].sig}
        if not (self._rows or stale or renewed or self._stage_out):
            return
        try:
            db = self._db
            new = db is None
            if db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._discard()
                for pattern in ("cache-v*", "files-v*.json"):
                    for old in self.path.parent.glob(pattern):
                        if not old.name.startswith(CACHE_FILE):
                            with contextlib.suppress(OSError):
                                old.unlink()  # an earlier format's cache: never read again
                db = _connect(self.path)
                with db:
                    for statement in _SCHEMA:
                        db.execute(statement)
                self._db = db
                gitignore = self.root / CACHE_DIR / ".gitignore"
                if not gitignore.exists():
                    from isms.fsutil import atomic_write

                    atomic_write(gitignore, "*\n")
            with db:
                gone = [(r,) for r in sorted(stale)]
                db.executemany("DELETE FROM files WHERE rel = ?", gone)
                db.executemany("DELETE FROM data WHERE rel = ?", gone)
                if not new:  # (a new cache has no rows to replace)
                    db.executemany("DELETE FROM refs WHERE rel = ?",
                                   gone + [(r,) for r in sorted(self._rows)])
                db.executemany("INSERT OR IGNORE INTO refs VALUES (?, ?, ?)",
                               [(rel, via, value) for rel in sorted(self._refs)
                                for via, value in self._refs[rel]])
                rows = sorted(self._rows.items())
                db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
                               [(rel, self._trusted(sig), *row[:5]) for rel, (sig, *row) in rows])
                db.executemany("INSERT OR REPLACE INTO data VALUES (?, ?, ?)",
                               [(rel, *row[5:]) for rel, (sig, *row) in rows])
                db.executemany("UPDATE files SET sig = ? WHERE rel = ?",
                               [(sig, rel) for rel, sig in sorted(renewed.items())])
                meta = {"format": str(FORMAT), "key": self.key, "written_at": str(self.started)}
                out = self._stage_out
                if out is not None:
                    was = self.stage
                    written = {"stage_key": out.key, "stage_views": out.views,
                               "stage_shas": out.shas, "stage_skeleton": out.skeleton,
                               "stage_nodes": out.nodes}
                    # (each of these is a megabyte at ten thousand files: write what changed)
                    meta.update((name, value) for name, value in written.items()
                                if was is None or getattr(was, name[6:]) != value)
                    before = was.runs if was is not None else {}
                    db.executemany("DELETE FROM stage WHERE name = ?",
                                   [(n,) for n in sorted(set(before) - set(out.runs))])
                    db.executemany("INSERT OR REPLACE INTO stage VALUES (?, ?, ?)", [
                        (name, findings_to_json(run.findings), _reads_to_json(run))
                        for name, run in sorted(out.runs.items()) if before.get(name) != run])
                db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))
        except (OSError, sqlite3.Error):
            pass  # a read-only checkout or a full disk simply runs without a cache

    def close(self) -> None:
        """Close the database; the cache is then spent (a later save writes nothing)."""
        if self._db is not None:
            self._db.close()
            self._db = None
        self._closed = True


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path), timeout=10, isolation_level="DEFERRED")
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _schema_of(db: sqlite3.Connection) -> tuple[str, ...]:
    rows = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
    tables = []
    for kind, name, sql in rows:
        if kind == "index" and isinstance(name, str) and name.startswith("sqlite_autoindex_"):
            continue  # the primary keys' own indexes
        if kind not in ("table", "index"):
            raise sqlite3.DatabaseError(f"unexpected {kind} in cache")
        tables.append(sql)
    return tuple(sorted(tables))


_HEX_OR_DASH = re.compile(r"[0-9a-f-]*")


def _stage_from(meta: Mapping[str, str], rows: Iterable[tuple[str, str, str]]
                ) -> Stage | None:
    key, views, shas, skeleton, nodes = (meta.get(k) for k in (
        "stage_key", "stage_views", "stage_shas", "stage_skeleton", "stage_nodes"))
    if not (key and views is not None and shas is not None and skeleton and nodes):
        return None
    if (len(shas) % 64 or len(views) != len(shas) or not _HEX_OR_DASH.fullmatch(shas)
            or not _HEX_OR_DASH.fullmatch(views)):
        return None
    runs: dict[str, CheckRun] = {}
    for name, findings, reads in rows:
        decoded = findings_from_json(findings)
        recorded = _reads_from_json(reads)
        if decoded is None or recorded is None:
            return None
        local, fields, subjects = recorded
        runs[name] = CheckRun(decoded, fields, local, subjects)
    return Stage(key, views, shas, skeleton, runs, nodes)


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
