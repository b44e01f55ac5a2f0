"""The whole-repository stage: the data it sees, what its result is keyed by, and when a
cached result is still the result after files changed.

The entity and repository checks judge structure (ids, references, statuses, dates, scores,
whether a reason is given); none of them needs what a text *says*. So they run on the **stage
view** of each entity, in which every value the schemas type as text (titles, descriptions,
statements, a control's reason...) is replaced by a stand-in that keeps only whether the text
is blank. Since the checks cannot see wording, their result is a function of the stage views
by construction, not by a promise: the cached result is keyed by the views' digests, and an
edit of wording, the commonest edit of an ISMS, reuses it.

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
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from isms.findings import Finding
from isms.loader import JsonPath, LazyMarks, line_of

if TYPE_CHECKING:
    from isms.config import Config
    from isms.engine import FileResult

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
    """Everything the whole-repository stage reads, as one digest: the per-file key, the
    date, the configuration, the catalogs, every file with its stage view's digest, and
    whether each file an evidence record names is there (inside the repository)."""
    from isms.catalogs import sources_digest
    from isms.checks import EvidencePaths

    h = hashlib.sha256()
    h.update(f"{cache_key}\n{today.isoformat()}\n{config.digest}\n".encode())
    h.update(f"{sources_digest(config.root, config.catalogs)}\n".encode())
    evidence = EvidencePaths(str(config.root))
    parts = []
    for r in results:
        parts.append(f"{r.path}\0{r.view_digest}\0{int(r.entity is not None or r.stored)}\n")
        for target in r.disk:
            parts.append(f"\t{target}\0{evidence.problem(target)}\n")
    h.update("".join(parts).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


# The SHA-256 recorded for a file that could not be read.
_NO_SHA = "-" * 64


def file_shas(results: Sequence[FileResult]) -> str:
    """The SHA-256 of every file, in order, as one string: what the stage's lines rest on."""
    return "".join(r.sha if len(r.sha) == 64 else _NO_SHA for r in results)


def changed_files(results: Sequence[FileResult], then: str, now: str) -> list[str] | None:
    """The files whose bytes differ between two :func:`file_shas` of the same file list
    (None when ``then`` is not one)."""
    if len(then) != len(now):
        return None
    if then == now:
        return []
    return [r.path for i, r in enumerate(results) if then[i * 64:i * 64 + 64] != now[i * 64:i * 64 + 64]]


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
