"""Audit evidence bundles: the report and its evidence in a reproducible, verifiable zip.

A bundle holds the HTML report (``index.html`` at the top), every evidence file the included
controls reference (under ``files/``, at their path in the repository), ``manifest.json``
(tool version, repository commit and whether the ISMS files had uncommitted changes,
``--today``, the configuration digest, and every file's path, size and SHA-256) and
``SHA256SUMS`` (the same hashes plus the manifest's own, in ``sha256sum -c`` format).

Reproducible: entries are sorted by name, every entry has the same timestamp (midnight of
``--today``), permissions 0644, no extra fields and DEFLATE at a fixed level, so the same
repository at the same commit with the same ``--today`` gives the same bytes (with the same
zlib; a different zlib build may compress differently, which :func:`verify` does not mind).

:func:`verify` never extracts anything: it reads the entries from the zip and hashes them in
memory. Entry names that could escape a folder when extracted (``../x``, ``/x``, ``C:x``,
backslashes) and symlink entries are reported, never followed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isms import __version__

if TYPE_CHECKING:
    from isms.engine import Loaded
    from isms.report import EvidenceFile, Progress, Site

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
FORMAT = 1
COMPRESSLEVEL = 6
FILE_MODE = 0o100644
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1 << 20


class BundleChangedError(RuntimeError):
    """An evidence file changed between hashing it and writing it into the bundle."""


@dataclass(frozen=True)
class BundleOptions:
    today: dt.date
    lang: str | None = None
    frameworks: tuple[str, ...] = ()
    since: str | None = None
    allow_missing: bool = False


@dataclass(frozen=True)
class Built:
    data: bytes | None             # None when evidence is missing and that is not allowed
    files: int                     # entries in the zip
    sha256: str                    # of the zip
    manifest: dict[str, Any]
    missing: tuple[EvidenceFile, ...]


def zip_time(today: dt.date) -> tuple[int, int, int, int, int, int]:
    """Midnight of ``today``; zip timestamps cannot be earlier than 1980."""
    if today.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    return (today.year, today.month, today.day, 0, 0, 0)


def manifest_of(site: Site, loaded: Loaded, files: list[dict[str, Any]],
                options: BundleOptions) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "tool": {"name": "isms", "version": __version__},
        "repository": {"commit": site.state.commit, "dirty": site.state.dirty},
        "organisation": site.organisation,
        "today": site.today.isoformat(),
        "config_digest": loaded.config.digest,
        "language": site.lang,
        "frameworks": list(site.frameworks),
        "since": options.since,
        "missing_evidence": [{"record": f.record, "path": f.path, "problem": f.state}
                             for f in site.missing],
        "files": files,
    }


def sums_of(entries: list[tuple[str, str]]) -> str:
    return "".join(f"{sha}  {path}\n" for path, sha in sorted(entries))


def build_bundle(loaded: Loaded, options: BundleOptions,
                 progress: Progress | None = None) -> Built:
    """The bundle's bytes, or only the list of missing evidence when that stops it."""
    from isms.render import render_site
    from isms.report import ReportOptions, build_site, file_digest

    site = build_site(loaded, ReportOptions(options.today, options.lang, options.frameworks,
                                            options.since), progress)
    if site.missing and not options.allow_missing:
        return Built(None, 0, "", {}, site.missing)
    pages = {path: html.encode("utf-8") for path, html in render_site(site).items()}
    files: list[dict[str, Any]] = []
    for path, data in pages.items():
        files.append({"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()})
    for copy in site.copies:
        assert copy.dest is not None and copy.source is not None
        if copy.sha256 is None or copy.size is None:
            size, sha = file_digest(copy.source)
        else:
            size, sha = copy.size, copy.sha256
        files.append({"path": copy.dest, "size": size, "sha256": sha})
    files.sort(key=lambda f: f["path"])
    manifest = manifest_of(site, loaded, files, options)
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
                      + "\n").encode("utf-8")
    sums = sums_of([(f["path"], f["sha256"]) for f in files]
                   + [(MANIFEST, hashlib.sha256(manifest_bytes).hexdigest())]).encode("utf-8")
    sources = {c.dest: c for c in site.copies}
    expected = {f["path"]: f["sha256"] for f in files}
    names = sorted([*expected, MANIFEST, SUMS])
    total = sum(f["size"] for f in files)
    done = 0
    stamp = zip_time(options.today)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSLEVEL) as zf:
        for name in names:
            if name == MANIFEST:
                data = manifest_bytes
            elif name == SUMS:
                data = sums
            elif name in pages:
                data = pages[name]
            else:
                copy = sources[name]
                assert copy.source is not None
                data = copy.source.read_bytes()
                if hashlib.sha256(data).hexdigest() != expected[name]:
                    raise BundleChangedError(f"{copy.path} changed while the bundle was written")
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, so the permissions below are read
            info.external_attr = FILE_MODE << 16
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED,
                        compresslevel=COMPRESSLEVEL)
            if name not in (MANIFEST, SUMS):
                done += len(data)
                if progress is not None:
                    progress(done, total)
    data = buffer.getvalue()
    return Built(data, len(names), hashlib.sha256(data).hexdigest(), manifest, site.missing)


# --- verification -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    kind: str      # modified | missing | extra | unsafe | duplicate | manifest | sums | zip
    path: str
    detail: str = ""


@dataclass(frozen=True)
class Verification:
    problems: tuple[Problem, ...]
    checked: int
    commit: str | None
    today: str | None

    @property
    def ok(self) -> bool:
        return not self.problems


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> str:
    """Why an entry name could escape the folder it is extracted into; '' when it cannot."""
    if not name:
        return "empty name"
    if "\x00" in name:
        return "NUL in name"
    if "\\" in name:
        return "backslash in name"
    if name.startswith("/"):
        return "absolute path"
    if _DRIVE.match(name):
        return "drive letter"
    if ".." in name.split("/"):
        return "'..' in path"
    return ""


def _hash_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> tuple[int, str]:
    """Size and SHA-256 of an entry, reading at most ``limit`` + 1 bytes (a zip bomb or a
    grown file stops as soon as it is longer than expected)."""
    h = hashlib.sha256()
    size = 0
    with zf.open(info) as handle:
        while size <= limit:
            chunk = handle.read(min(CHUNK, limit + 1 - size))
            if not chunk:
                break
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


def _read_small(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes | None:
    if info.file_size > MAX_MANIFEST_BYTES:
        return None
    with zf.open(info) as handle:
        data = handle.read(MAX_MANIFEST_BYTES + 1)
    return data if len(data) <= MAX_MANIFEST_BYTES else None


def _parse_sums(text: str) -> Iterator[tuple[str, str] | None]:
    for line in text.splitlines():
        if not line.strip():
            continue
        m = re.fullmatch(r"([0-9a-f]{64}) [ *](.+)", line)
        yield (m.group(2), m.group(1)) if m else None


def verify(path: Path) -> Verification:
    """Check a bundle against its manifest and SHA256SUMS without extracting it."""
    problems: list[Problem] = []
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return Verification((Problem("zip", str(path), f"not a readable zip: {exc}"),), 0, None,
                            None)
    with zf:
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            name = info.filename
            why = unsafe_name(name)
            mode = info.external_attr >> 16
            if not why and info.create_system == 3 and stat.S_ISLNK(mode):
                why = "symbolic link"
            if why:
                problems.append(Problem("unsafe", name, why + "; not followed"))
                continue
            if name.endswith("/"):
                continue  # a folder entry carries no content
            if name in entries:
                problems.append(Problem("duplicate", name, "the zip holds this name twice"))
                continue
            entries[name] = info
        manifest: dict[str, Any] = {}
        sums: dict[str, str] = {}
        raw_manifest = _read_entry(zf, entries, MANIFEST, problems)
        raw_sums = _read_entry(zf, entries, SUMS, problems)
        if raw_sums is not None:
            for parsed in _parse_sums(raw_sums.decode("utf-8", "replace")):
                if parsed is None:
                    problems.append(Problem("sums", SUMS, "a line is not '<sha256>  <path>'"))
                    continue
                name, sha = parsed
                if name in sums:
                    problems.append(Problem("sums", name, "listed twice in SHA256SUMS"))
                sums[name] = sha
        if raw_manifest is not None:
            if MANIFEST in sums and hashlib.sha256(raw_manifest).hexdigest() != sums[MANIFEST]:
                problems.append(Problem("modified", MANIFEST, "SHA-256 differs from SHA256SUMS"))
            elif raw_sums is not None and MANIFEST not in sums:
                problems.append(Problem("sums", MANIFEST, "not listed in SHA256SUMS"))
            try:
                loaded = json.loads(raw_manifest.decode("utf-8"))
                manifest = loaded if isinstance(loaded, dict) else {}
            except (UnicodeDecodeError, ValueError):
                manifest = {}
            if not manifest:
                problems.append(Problem("manifest", MANIFEST, "not a JSON object"))
        listed: dict[str, tuple[int, str]] = {}
        files = manifest.get("files")
        for item in files if isinstance(files, list) else []:
            if (not isinstance(item, dict) or not isinstance(item.get("path"), str)
                    or not isinstance(item.get("size"), int)
                    or not isinstance(item.get("sha256"), str)):
                problems.append(Problem("manifest", MANIFEST, f"malformed file entry {item!r}"))
                continue
            listed[item["path"]] = (item["size"], item["sha256"])
        if manifest and not isinstance(files, list):
            problems.append(Problem("manifest", MANIFEST, "no `files` list"))
        for name, (_size, sha) in sorted(listed.items()):
            if raw_sums is not None and sums.get(name) != sha:
                problems.append(Problem("sums", name, "manifest.json and SHA256SUMS disagree"))
        for name in sorted(set(sums) - set(listed) - {MANIFEST}):
            if manifest:
                problems.append(Problem("sums", name, "in SHA256SUMS but not in manifest.json"))
        checked = 0
        for name, (size, sha) in sorted(listed.items()):
            entry = entries.get(name)
            if entry is None:
                problems.append(Problem("missing", name, "listed in the manifest, not in the zip"))
                continue
            try:
                got_size, got_sha = _hash_entry(zf, entry, size)
            except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, OSError...: damaged
                problems.append(Problem("modified", name, f"unreadable: {exc}"))
                continue
            checked += 1
            if got_size != size:
                problems.append(Problem("modified", name, f"size {got_size}, manifest says {size}"
                                        if got_size <= size else "longer than the manifest says"))
            elif got_sha != sha:
                problems.append(Problem("modified", name, "SHA-256 differs from the manifest"))
        for name in sorted(set(entries) - set(listed) - {MANIFEST, SUMS}):
            problems.append(Problem("extra", name, "in the zip, not in the manifest"))
    repo = manifest.get("repository")
    commit = repo.get("commit") if isinstance(repo, dict) else None
    today = manifest.get("today")
    return Verification(tuple(sorted(problems, key=lambda p: (p.path, p.kind, p.detail))),
                        checked, commit if isinstance(commit, str) else None,
                        today if isinstance(today, str) else None)


def _read_entry(zf: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str,
                problems: list[Problem]) -> bytes | None:
    info = entries.get(name)
    if info is None:
        problems.append(Problem("missing", name, "the bundle has no " + name))
        return None
    try:
        data = _read_small(zf, info)
    except Exception as exc:  # noqa: BLE001 - any damage to the entry means it cannot be trusted
        problems.append(Problem("modified", name, f"unreadable: {exc}"))
        return None
    if data is None:
        problems.append(Problem("manifest", name, "too large"))
    return data
