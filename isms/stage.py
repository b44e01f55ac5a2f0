"""The whole-repository stage: the data it sees, what its result is keyed by, and when a
cached result is still the result after files changed.

The entity and repository checks judge structure (ids, references, statuses, dates, scores,
whether a reason is given); none of them needs what a text *says*. So they run on the **stage
view** of each entity, in which every value the schemas type as text (titles, descriptions,
statements, a control's reason...) is replaced by a stand-in that keeps only whether the text
is blank. Since the checks cannot see wording, their result is a function of the stage views
by construction, not by a promise: an edit of wording, the commonest edit of an ISMS, leaves
every view as it was and reuses the whole cached result.

An edit of data changes one view or a few. Each check's cached result comes with the fields it
read (see :mod:`isms.reads`); comparing a changed view with the one the stage saw gives the
fields that changed (:func:`changed_fields`), and only the checks that read one of them run
again, on views read from the cache as they ask for them (:class:`ViewSource`). A check that
judges subjects one by one (the reference and graph checks) judges again only the subjects
whose recorded dependencies the edit touched (see :mod:`isms.reads` and :mod:`isms.links`). What the checks
read besides fields (the files, every entity's kind and id, the configuration, the catalogs,
the date, the evidence files on disk) keys the whole result (:func:`stage_key`,
:func:`skeleton`): a change there runs every check.

What wording can still move is lines. A cached finding in a file whose bytes changed is placed
again from its JSON path in the new file, as the check would place it; when that cannot be
done (a path we did not write), or a finding cites a changed file (and so perhaps its lines),
the stage runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from isms.cache import loads
from isms.findings import Finding
from isms.loader import JsonPath, LazyMarks, line_of
from isms.reads import ALL, Field

if TYPE_CHECKING:
    from isms.cache import FileCache
    from isms.checks import CheckRun
    from isms.config import Config
    from isms.engine import FileResult
    from isms.model import Entity

# What the stage view holds in place of a text that is not blank.
TEXT_STANDIN = "[text]"

# A tree of the text fields of one kind: field → subtree, "*" for list items, None at a text.
_Tree = Mapping[Any, Any]


@cache
def _text_tree(kind: str) -> _Tree:
    from isms.checks import text_paths

    tree: dict[Any, Any] = {}
    for pattern in text_paths(kind):
        node = tree
        for part in pattern[:-1]:
            node = node.setdefault(part, {})
        node[pattern[-1]] = None
    return tree


def stage_view(kind: str, data: Mapping[str, Any]) -> Mapping[str, Any]:
    """``data`` with its texts replaced by :data:`TEXT_STANDIN` (blank ones kept as they are).

    Containers on the way to a text are copied; everything else is shared with ``data``.
    """
    tree = _text_tree(kind)
    return _view(data, tree) if tree else data


def _view(node: Any, tree: _Tree) -> Any:
    if "*" in tree:
        if not isinstance(node, list):
            return node
        sub = tree["*"]
        return [_standin(item) if sub is None else _view(item, sub) for item in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[Any, Any] | None = None
    for key, sub in tree.items():
        if key in node:
            value = node[key]
            new = _standin(value) if sub is None else _view(value, sub)
            if new is not value:
                if out is None:
                    out = dict(node)
                out[key] = new
    return node if out is None else out


def _standin(value: Any) -> Any:
    """A text as the stage sees it: a plain string, or one string per language."""
    if isinstance(value, str):
        return TEXT_STANDIN if value.strip() else value
    if isinstance(value, Mapping):
        return {k: TEXT_STANDIN if isinstance(v, str) and v.strip() else v
                for k, v in value.items()}
    return value


def stage_key(cache_key: str, config: Config, results: Sequence[FileResult],
              today: dt.date) -> str:
    """Everything the whole-repository stage reads but the entities' fields, as one digest:
    the per-file key, the date, the configuration, the catalogs, every file and whether it
    holds an entity, and whether each file an evidence record names is there (inside the
    repository). The fields are compared one by one (see :func:`changed_fields`)."""
    from isms.catalogs import sources_digest
    from isms.checks import EvidencePaths

    h = hashlib.sha256()
    h.update(f"{cache_key}\n{today.isoformat()}\n{config.digest}\n".encode())
    h.update(f"{sources_digest(config.root, config.catalogs)}\n".encode())
    evidence = EvidencePaths(str(config.root))
    parts = []
    for r in results:
        # (r.stored written out: this runs once per file on every run)
        parts.append(f"{r.path}\0{int(r.entity is not None or bool(r.digest))}\n")
        for target in r.disk:
            parts.append(f"\t{target}\0{evidence.problem(target)}\n")
    h.update("".join(parts).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# The SHA-256 recorded for a file that could not be read.
_NO_SHA = "-" * 64


def file_shas(results: Sequence[FileResult]) -> str:
    """The SHA-256 of every file, in order, as one string: what the stage's lines rest on."""
    return _joined(r.sha for r in results)


def file_views(results: Sequence[FileResult]) -> str:
    """The digest of every file's stage view, in order, as one string ("-" * 64 for a file
    without an entity): which checks must run again follows from the ones that differ."""
    return _joined(r.view_digest for r in results)


def _joined(digests: Iterable[str]) -> str:
    return "".join(d if len(d) == 64 else _NO_SHA for d in digests)


def changed_files(results: Sequence[FileResult], then: str, now: str) -> list[str] | None:
    """The files whose digests differ between two :func:`file_shas` (or :func:`file_views`)
    of the same file list (None when ``then`` is not one)."""
    if len(then) != len(now) or len(now) != 64 * len(results):
        return None
    out: list[str] = []
    step = 64 * 256  # compared a block of files at a time: a run changes few files, if any
    for start in range(0, len(now), step):
        if then[start:start + step] == now[start:start + step]:
            continue
        for i in range(start // 64, min(len(results), (start + step) // 64)):
            if then[i * 64:i * 64 + 64] != now[i * 64:i * 64 + 64]:
                out.append(results[i].path)
    return out


def skeleton(files: Sequence[str], entities: Iterable[Entity]) -> str:
    """Every file's entity as the stage knows it without its data: ``[kind, id]``, or null
    for a file without one; as JSON, in file order."""
    known = {e.path: [e.kind, e.id] for e in entities}
    return json.dumps([known.get(rel) for rel in files], ensure_ascii=False,
                      separators=(",", ":"))


def read_skeleton(text: str, files: Sequence[str]) -> list[tuple[str, str] | None] | None:
    """A :func:`skeleton` read back (None when it is not one of ``files``)."""
    try:
        value = loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or len(value) != len(files):
        return None
    out: list[tuple[str, str] | None] = []
    for item in value:
        if item is None:
            out.append(None)
        elif (isinstance(item, list) and len(item) == 2
              and isinstance(item[0], str) and isinstance(item[1], str)):
            out.append((item[0], item[1]))
        else:
            return None
    return out


def changed_fields(kind: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> set[Field]:
    """The fields of two stage views of one entity that differ, as the checks record reads
    (see :mod:`isms.reads`); ``*`` too when the views list different fields, or the same in
    another order.

    Values are compared as the JSON the cache stores, not with ``==``: 4 and 4.0, or 1 and
    true, are equal in Python but not to a check that asks for an int, and ``==`` ignores the
    order of a mapping's keys.
    """
    out = {(kind, key) for key in {*old, *new}
           if key not in old or key not in new or _differ(old[key], new[key])}
    if list(old) != list(new):
        out.add((kind, ALL))
    return out


def _differ(a: Any, b: Any) -> bool:
    try:
        return (json.dumps(a, ensure_ascii=False, separators=(",", ":"))
                != json.dumps(b, ensure_ascii=False, separators=(",", ":")))
    except (TypeError, ValueError):
        return True  # (never for views, which are read back from JSON) taken as changed


def stale(run: CheckRun, fields: set[Field]) -> bool:
    """Whether a check's cached run may differ now that ``fields`` changed (any field, for a
    check whose reads were not recorded)."""
    if not fields:
        return False
    return run.reads is None or not run.reads.isdisjoint(fields)


class Missing(Exception):  # noqa: N818  (a signal, not a failure: the stage then runs in full)
    """A stage view the cache no longer holds (another command rewrote its row)."""


# The views of one kind read one at a time before the rest of the kind is read at once.
SINGLY = 16


class ViewSource:
    """The stage views of unchanged files, read from the cache when a re-run check first
    asks for one: a kind at a time (a check that reads a kind usually reads all of it), or,
    while :attr:`singly` (subjects judged again read a few), one at a time until
    :data:`SINGLY` of a kind were read so (then it is the whole kind that is asked for: the
    staff of every third party, say)."""

    def __init__(self, cache: FileCache, digests: Mapping[str, str],
                 skeleton: Mapping[str, tuple[str, str]]) -> None:
        self._cache = cache
        self._digests = digests
        self._skeleton = skeleton
        self._kinds: dict[str, list[str]] = {}
        for rel, (kind, _ident) in skeleton.items():
            self._kinds.setdefault(kind, []).append(rel)
        self._got: dict[str, Mapping[str, Any]] = {}
        self._single: dict[str, int] = {}
        self.singly = False

    def load(self, rel: str) -> Mapping[str, Any]:
        data = self._got.get(rel)
        if data is None:
            kind = self._skeleton[rel][0]
            single = self.singly and self._single.get(kind, 0) < SINGLY
            if single:
                self._single[kind] = self._single.get(kind, 0) + 1
            wanted = ({rel: self._digests[rel]} if single else
                      {r: self._digests[r] for r in self._kinds[kind] if r not in self._got})
            for r, (k, ident, view) in self._cache.entities(wanted, view=True).items():
                if (k, ident) == self._skeleton[r]:
                    self._got[r] = view
            data = self._got.get(rel)
            if data is None:
                raise Missing(rel)
        return data


def relocate(config: Config, findings: Sequence[Finding], changed: Sequence[str]
             ) -> list[Finding] | None:
    """``findings`` of a stage whose views are unchanged, with the ones in ``changed`` files
    placed in those files as they are now; None when that cannot be done exactly.

    A finding is placed by its JSON path, as the check placed it: every finding the stage makes
    in an entity file comes from :func:`isms.checks.at`, and a path reads back exactly, since
    the loader makes every mapping key a string (``$.a[1]`` is an index, ``$.a["1"]`` a key).
    A finding that names a changed file in its text may quote its lines.
    """
    if not changed:
        return list(findings)
    moved = set(changed)
    marks: dict[str, LazyMarks] = {}
    out = []
    for f in findings:
        if any(c in f.message or c in f.hint for c in changed):
            return None
        if f.path not in moved:
            out.append(f)
            continue
        path = parse_json_path(f.json_path)
        if path is None:
            return None
        if f.path not in marks:
            marks[f.path] = LazyMarks(config.root, f.path, config.limits)
        line, col = line_of(marks[f.path], path)
        out.append(Finding(f.path, max(line, 1), max(col, 1), f.code, f.message, f.severity,
                           f.hint, f.json_path))
    return out


_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[([0-9]+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_json_path(text: str) -> JsonPath | None:
    """The path that :func:`isms.schema.json_path` wrote as ``text`` (None if it did not)."""
    from isms.schema import json_path

    if not text.startswith("$"):
        return None
    out: list[Any] = []
    pos = 1
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None:
            return None
        if m[1] is not None:
            out.append(m[1])
        elif m[2] is not None:
            out.append(int(m[2]))
        else:
            try:
                out.append(json.loads(m[3]))
            except ValueError:
                return None
        pos = m.end()
    path = tuple(out)
    return path if json_path(path) == text else None
