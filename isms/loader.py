"""Discover repository files and parse them into plain data with line marks.

Parsing is built directly on libyaml's *event* stream instead of PyYAML's composer: the
composer recurses once per nesting level (a 100,000-level document crashes the interpreter),
keeps the last of two duplicate keys without a word, expands aliases without limit and drops
the positions we need for findings. Building values from events in one loop gives us all of
that at the same cost: nesting is bounded, duplicates and alias bombs become findings, and
every key and list item gets its ``(line, col)``.

Nothing here raises on bad input: every hazard becomes a :class:`~isms.findings.Finding` and
the run goes on with the next file.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev

from isms.findings import Finding, Severity, make, rule
from isms.fsutil import is_inside

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

JsonPath = tuple[Any, ...]
Marks = dict[JsonPath, tuple[int, int]]

Y_SYNTAX = rule(
    "Y001", "yaml-syntax", Severity.ERROR, "YAML syntax error",
    """
    The file is not valid YAML, so none of its content can be checked. The finding points at
    the line and column where the parser gave up; the mistake is often just before it: a
    missing colon, a tab used for indentation, an unclosed quote or bracket, or a list item
    indented differently from its siblings. Fix the syntax and run the check again.
    """,
)
Y_DUPLICATE = rule(
    "Y002", "duplicate-key", Severity.ERROR, "Duplicate key in a mapping",
    """
    The same key appears twice in one mapping. Most YAML tools silently keep the last value,
    so one of the two is lost without anyone noticing (a second `status:` line can quietly turn
    an approved document into a draft). isms keeps the first value and reports the second.
    Delete or merge one of the two entries.
    """,
)
Y_ENCODING = rule(
    "Y003", "not-utf8", Severity.ERROR, "File is not UTF-8",
    """
    ISMS files must be UTF-8 so that Chinese and English text survives every editor, diff and
    report. The file contains bytes that are not valid UTF-8 (often a file saved as GBK/GB2312
    or Latin-1). Re-save it as UTF-8 (in most editors: "Save with encoding" → UTF-8).
    """,
)
Y_EMPTY = rule(
    "Y004", "empty-file", Severity.ERROR, "Empty file",
    """
    The file has no content (or only comments). Every file under the ISMS folders must hold one
    entity with at least `kind` and `id`. Fill it in (see `isms new KIND ID`) or delete it.
    """,
)
Y_NOT_MAPPING = rule(
    "Y005", "not-a-mapping", Severity.ERROR, "Top level is not a mapping",
    """
    An ISMS file holds one entity: a mapping of keys to values, starting with `kind:` and `id:`.
    This file's top level is a list or a single value instead. Also reported for a mapping key
    that is itself a list or a mapping, which isms does not support.
    """,
)
Y_UNKNOWN_KIND = rule(
    "Y006", "unknown-kind", Severity.ERROR, "Missing or unknown kind",
    """
    Every entity names its `kind`, which decides the schema it is checked against: policy,
    procedure, document, control, third-party, activity, risk, asset, evaluation or evidence.
    Add the `kind:` line or correct its spelling.
    """,
)
Y_TOO_LARGE = rule(
    "Y007", "file-too-large", Severity.ERROR, "File larger than the configured cap",
    """
    The file is larger than `checks.max_file_bytes` in isms.yaml (1 MiB by default), so it was
    not read. ISMS entities are small; a file this size is usually generated output or an
    evidence file saved as YAML by mistake. Move large evidence files out of the scanned
    folders or into a non-YAML format, or raise the cap if the file really belongs there.
    """,
)
Y_ALIAS_BOMB = rule(
    "Y008", "alias-expansion", Severity.ERROR, "YAML aliases expand beyond the cap",
    """
    The file uses anchors and aliases (`&a` / `*a`) that expand to more values than
    `checks.max_alias_nodes` allows (10,000 by default), or an alias that contains itself.
    This is the "billion laughs" shape: a few lines that expand to gigabytes. The file is not
    processed further. Write the values out, or use fewer nested aliases.
    """,
)
Y_SYMLINK = rule(
    "Y009", "symlink-outside-repo", Severity.ERROR, "Symlink leads outside the repository",
    """
    A file or folder in the ISMS folders is a symbolic link whose target lies outside the
    repository. isms never reads outside the repository, so that an ISMS checked or bundled on
    one machine cannot pull in another machine's files. Copy the content into the repository
    or remove the link.
    """,
)
Y_MULTI_DOC = rule(
    "Y010", "multiple-documents", Severity.ERROR, "More than one YAML document in a file",
    """
    The file contains several YAML documents separated by `---`. isms keeps one entity per file
    so that ids, history and git diffs stay one-to-one with files. Only the first document was
    checked; move the others into files of their own.
    """,
)
Y_TOO_DEEP = rule(
    "Y011", "nesting-too-deep", Severity.ERROR, "Nesting deeper than the cap",
    """
    The file nests mappings and lists more than `checks.max_depth` levels deep (64 by default).
    No ISMS entity needs that; such input is malformed or hostile, and very deep nesting can
    crash YAML parsers. The file is not processed further.
    """,
)
Y_UNREADABLE = rule(
    "Y012", "unreadable-file", Severity.ERROR, "File cannot be read",
    """
    The operating system refused to read the file (permissions, a broken symlink, or a special
    file such as a FIFO). Fix the permissions or remove the file.
    """,
)

_LANGUAGE_KEY = re.compile(r"^[a-z]{2}(-[A-Za-z]{2,4})?$")


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 1024 * 1024
    max_alias_nodes: int = 10_000
    max_depth: int = 64


@dataclass
class Parsed:
    """The outcome of reading one file: its data (None when unusable) and what went wrong."""

    path: str
    data: Any = None
    marks: Mapping[JsonPath, tuple[int, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    source: str | None = None  # the text parsed, for checks that screen it first


class _Abort(Exception):
    """Stops building one document after a fatal finding; never leaves this module."""


class _Frame:
    __slots__ = ("container", "path", "is_map", "key", "key_mark", "size", "anchor", "merges")

    def __init__(self, container: Any, path: JsonPath, is_map: bool, anchor: str | None) -> None:
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key: Any = _NO_KEY
        self.key_mark: tuple[int, int] = (1, 1)
        self.size = 1
        self.anchor = anchor
        self.merges: list[Any] = []


_NO_KEY = object()
# First characters of YAML 1.1 implicit types (bool, int, float, null, timestamp, merge, value);
# resolving is skipped for any other plain scalar, which is most of an ISMS's text.
_RESOLVABLE_FIRST = frozenset(
    ch for ch in _Loader.yaml_implicit_resolvers if ch is not None
)
_BOOL_TRUE = {"yes", "true", "on", "y"}


def _mark(event: ev.Event) -> tuple[int, int]:
    m = event.start_mark
    return (m.line + 1, m.column + 1) if m is not None else (1, 1)


class _Builder:
    """Turns one file's events into plain Python data plus marks and findings."""

    def __init__(self, text: str, path: str, limits: Limits) -> None:
        self.text = text
        self.loader = _Loader(text)
        self.path = path
        self.limits = limits
        self.marks: Marks = {}
        self.findings: list[Finding] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.alias_nodes = 0

    def finding(self, r: Any, mark: tuple[int, int], message: str, hint: str = "") -> None:
        self.findings.append(make(r, self.path, mark[0], mark[1], message, hint))

    def build(self) -> Any:
        loader = self.loader
        stack: list[_Frame] = []
        root: Any = None
        documents = 0
        try:
            while loader.check_event():
                event = loader.get_event()
                if isinstance(event, ev.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        self.finding(
                            Y_MULTI_DOC, _mark(event),
                            "a second YAML document starts here; only the first one is checked",
                            "keep one entity per file",
                        )
                        break
                    continue
                if isinstance(event, (ev.StreamStartEvent, ev.StreamEndEvent,
                                      ev.DocumentEndEvent)):
                    continue
                if isinstance(event, (ev.MappingStartEvent, ev.SequenceStartEvent)):
                    if len(stack) >= self.limits.max_depth:
                        self.finding(
                            Y_TOO_DEEP, _mark(event),
                            f"nesting deeper than {self.limits.max_depth} levels",
                            "flatten the structure; raise checks.max_depth only if it is real",
                        )
                        raise _Abort
                    is_map = isinstance(event, ev.MappingStartEvent)
                    path = self._child_path(stack, event)
                    frame = _Frame({} if is_map else [], path, is_map, event.anchor)
                    if event.anchor:
                        self.open_anchors.add(event.anchor)
                    stack.append(frame)
                    continue
                if isinstance(event, (ev.MappingEndEvent, ev.SequenceEndEvent)):
                    frame = stack.pop()
                    if frame.merges:
                        for merged in frame.merges:
                            for k, v in merged.items():
                                frame.container.setdefault(k, v)
                    if frame.anchor:
                        self.open_anchors.discard(frame.anchor)
                        self.anchors[frame.anchor] = (frame.container, frame.size)
                    if stack:
                        self._add(stack, frame.container, frame.size, None, event, is_alias=False)
                    else:
                        root = frame.container
                    continue
                if isinstance(event, ev.ScalarEvent):
                    value = self._scalar(event)
                    if event.anchor:
                        self.anchors[event.anchor] = (value, 1)
                    if stack:
                        self._add(stack, value, 1, event, event, is_alias=False)
                    else:
                        root = value
                    continue
                if isinstance(event, ev.AliasEvent):
                    value, size = self._alias(event)
                    if stack:
                        self._add(stack, value, size, None, event, is_alias=True)
                    else:
                        root = value
        except _Abort:
            return None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            problem = getattr(exc, "problem", None) or str(exc)
            context = getattr(exc, "context", None)
            context_mark = getattr(exc, "context_mark", None)
            if context and context_mark is not None and context_mark.line + 1 != line:
                context = f"{context} (started on line {context_mark.line + 1})"
            message = f"{context}, {problem}" if context else str(problem)
            if isinstance(exc, yaml.reader.ReaderError):
                line, col = _offset_to_line_col(self.text, exc.position)
                char = exc.character
                code = ord(char) if isinstance(char, str) else int(char)
                message = f"character U+{code:04X} is not allowed in YAML ({exc.reason})"
            lines = self.text.splitlines()
            source_line = lines[line - 1] if 0 < line <= len(lines) else ""
            self.finding(Y_SYNTAX, (line, col), message.strip(), _syntax_hint(message, source_line))
            return None
        finally:
            dispose = getattr(loader, "dispose", None)
            if dispose is not None:
                dispose()
        return root

    def _child_path(self, stack: list[_Frame], event: ev.Event) -> JsonPath:
        if not stack:
            self.marks[()] = _mark(event)
            return ()
        parent = stack[-1]
        if parent.is_map:
            if parent.key is _NO_KEY:
                # A collection used as a mapping key: reported when it closes.
                return (*parent.path, "?")
            path = (*parent.path, parent.key)
            return path
        path = (*parent.path, len(parent.container))
        self.marks[path] = _mark(event)
        return path

    def _scalar(self, event: ev.ScalarEvent) -> Any:
        value = event.value
        if event.style and event.tag in (None, "!"):
            return value  # quoted or block scalars are strings unless explicitly tagged
        tag = event.tag
        if tag is None or tag == "!":
            if value and value[0] not in _RESOLVABLE_FIRST:
                return value  # no implicit type starts with this character: a plain string
            tag = self.loader.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        return _typed(tag, value)

    def _alias(self, event: ev.AliasEvent) -> tuple[Any, int]:
        name = event.anchor
        if name in self.open_anchors:
            self.finding(
                Y_ALIAS_BOMB, _mark(event),
                f"alias *{name} refers to a collection that contains it (recursive alias)",
                "write the values out instead of using a self-referencing alias",
            )
            raise _Abort
        if name not in self.anchors:
            self.finding(Y_SYNTAX, _mark(event), f"alias *{name} names no anchor defined before it",
                         f"define &{name} before using *{name}")
            raise _Abort
        value, size = self.anchors[name]
        self.alias_nodes += size
        if self.alias_nodes > self.limits.max_alias_nodes:
            self.finding(
                Y_ALIAS_BOMB, _mark(event),
                f"aliases expand to more than {self.limits.max_alias_nodes} values",
                "write the values out, or raise checks.max_alias_nodes if this is real data",
            )
            raise _Abort
        return value, size

    def _add(
        self,
        stack: list[_Frame],
        value: Any,
        size: int,
        scalar: ev.ScalarEvent | None,
        event: ev.Event,
        is_alias: bool,
    ) -> None:
        parent = stack[-1]
        parent.size += size
        if not parent.is_map:
            if is_alias or scalar is not None:
                item_path: JsonPath = (*parent.path, len(parent.container))
                self.marks[item_path] = _mark(event)
            parent.container.append(value)
            return
        if parent.key is _NO_KEY:
            mark = _mark(event)
            if isinstance(value, (dict, list)):
                self.finding(Y_NOT_MAPPING, mark, "a mapping key must be a plain value",
                             "use a string key")
                key: Any = str(value)
            elif scalar is not None and not scalar.style:
                # The key as written: YAML 1.1 would turn `on:` into True and `1.0:` into 1.0.
                key = scalar.value
            else:
                key = value if isinstance(value, str) else str(value)
            parent.key = key
            parent.key_mark = mark
            return
        key = parent.key
        parent.key = _NO_KEY
        if key == "<<" and isinstance(value, (dict, list)):
            merged = value if isinstance(value, list) else [value]
            parent.merges.extend(m for m in merged if isinstance(m, dict))
            return
        path = (*parent.path, key)
        if key in parent.container:
            first = self.marks.get(path, (0, 0))
            self.finding(
                Y_DUPLICATE, parent.key_mark,
                f"duplicate key {key!r}"
                + (f" (first defined on line {first[0]})" if first[0] else "")
                + "; the first value is kept",
                "delete or merge one of the two entries",
            )
            return
        parent.container[key] = value
        self.marks[path] = parent.key_mark


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _typed(tag: str, value: str) -> Any:
    """The Python value of a resolved scalar, shared by both builders."""
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        # Dates stay as the text the author wrote ("2026-03-01"); the schema checks them.
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value.lower() in _BOOL_TRUE
    if tag == "tag:yaml.org,2002:int":
        return yaml.constructor.SafeConstructor.construct_yaml_int(
            _CONSTRUCTOR, yaml.ScalarNode(tag, value)
        )
    if tag == "tag:yaml.org,2002:float":
        return yaml.constructor.SafeConstructor.construct_yaml_float(
            _CONSTRUCTOR, yaml.ScalarNode(tag, value)
        )
    if tag == "tag:yaml.org,2002:merge":
        return "<<"
    return value  # unknown local tags: keep the text, the schema judges it


def _offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    line = before.count("\n") + 1
    col = offset - (before.rfind("\n") + 1) + 1
    return line, col


def _syntax_hint(message: str, source_line: str) -> str:
    lowered = message.lower()
    if "tab" in lowered or source_line[: len(source_line) - len(source_line.lstrip())].count("\t"):
        return "indent with spaces, never tabs"
    if "mapping values are not allowed" in lowered:
        return "quote values that contain ': ' or check the indentation of the line above"
    if "could not find expected ':'" in lowered:
        return "a key is missing its ':' or a quoted string is not closed"
    if "found character" in lowered:
        return "quote the value: it starts with a character YAML reserves (@, `, %, |, >)"
    return "check the indentation and quoting around this line and the one before it"


class _Unusual(Exception):
    """Raised by :func:`_plain_data` on anything the careful builder must look at."""


_SCALAR, _MAP_START, _SEQ_START = ev.ScalarEvent, ev.MappingStartEvent, ev.SequenceStartEvent
_MAP_END, _SEQ_END = ev.MappingEndEvent, ev.SequenceEndEvent
_DOC_START, _STREAM_END = ev.DocumentStartEvent, ev.StreamEndEvent


def _plain_data(text: str, max_depth: int) -> Any:
    """The data of a document that needs no care, built without marks or findings.

    Nearly every file of a repository is one untagged, anchor-free document with unique
    string keys. For those, marks are only needed if some later check reports a finding, so
    this builder skips them, and with them most of the per-event work of :class:`_Builder`.
    Anything else (tags, anchors, aliases, merge keys, collection keys, duplicate keys, a second
    document, too much nesting, a syntax error) raises :class:`_Unusual`, and the file goes
    through the careful builder, which reports it. ``tests/test_loader.py`` holds the two
    builders to the same data on every file they both accept.
    """
    loader = _Loader(text)
    get = loader.get_event
    resolve: Any = loader.resolve
    containers: list[Any] = []
    keys: list[Any] = []
    root: Any = None
    documents = 0
    try:
        while True:
            try:
                event: Any = get()
            except yaml.YAMLError as exc:
                raise _Unusual from exc
            cls = event.__class__
            if cls is _SCALAR:
                if event.anchor is not None or event.tag is not None:
                    raise _Unusual
                value = event.value
                if containers:
                    top = containers[-1]
                    if top.__class__ is dict:
                        key = keys[-1]
                        if key is _NO_KEY:
                            if value == "<<" or value in top:
                                raise _Unusual
                            keys[-1] = value  # keys are kept as written, like _Builder's
                            continue
                        keys[-1] = _NO_KEY
                        if not event.style and (not value or value[0] in _RESOLVABLE_FIRST):
                            value = _plain_scalar(resolve, value, event.implicit)
                        top[key] = value
                        continue
                    if not event.style and (not value or value[0] in _RESOLVABLE_FIRST):
                        value = _plain_scalar(resolve, value, event.implicit)
                    top.append(value)
                    continue
                if not event.style and (not value or value[0] in _RESOLVABLE_FIRST):
                    value = _plain_scalar(resolve, value, event.implicit)
                root = value
            elif cls is _MAP_START or cls is _SEQ_START:
                if event.anchor is not None or event.tag is not None or \
                        len(containers) >= max_depth:
                    raise _Unusual
                if containers and containers[-1].__class__ is dict and keys[-1] is _NO_KEY:
                    raise _Unusual  # a collection as a mapping key
                containers.append({} if cls is _MAP_START else [])
                keys.append(_NO_KEY)
            elif cls is _MAP_END or cls is _SEQ_END:
                value = containers.pop()
                keys.pop()
                if not containers:
                    root = value
                    continue
                top = containers[-1]
                if top.__class__ is dict:
                    top[keys[-1]] = value
                    keys[-1] = _NO_KEY
                else:
                    top.append(value)
            elif cls is _DOC_START:
                documents += 1
                if documents > 1:
                    raise _Unusual
            elif cls is _STREAM_END:
                return root
            elif cls is not ev.StreamStartEvent and cls is not ev.DocumentEndEvent:
                raise _Unusual  # an alias, or an event this builder does not know
    finally:
        loader.dispose()


def _careful_marks(text: str, path: str, limits: Limits) -> Marks:
    builder = _Builder(text, path, limits)
    builder.build()
    return builder.marks


# Plain scalars that need resolving repeat a lot (dates, versions, statuses, numbers): their
# typed values are immutable, so they are remembered. Bounded: short values, and cleared when
# full.
_RESOLVED: dict[str, Any] = {}


def _plain_scalar(resolve: Any, value: str, implicit: Any) -> Any:
    try:
        return _RESOLVED[value]
    except KeyError:
        pass
    typed = _typed(resolve(yaml.ScalarNode, value, implicit), value)
    if len(value) <= 64:
        if len(_RESOLVED) >= 8192:
            _RESOLVED.clear()
        _RESOLVED[value] = typed
    return typed


class _DeferredMarks(Mapping[JsonPath, tuple[int, int]]):
    """Marks made by the careful builder the first time one is asked for (to place a
    finding), which in a clean repository is never."""

    def __init__(self, path: str, limits: Limits) -> None:
        self._path, self._limits = path, limits
        self._marks: Marks | None = None

    def _source(self) -> str | None:
        raise NotImplementedError

    def _load(self) -> Marks:
        if self._marks is None:
            text = self._source()
            self._marks = _careful_marks(text, self._path, self._limits) if text is not None \
                else {}
        return self._marks

    def __getitem__(self, key: JsonPath) -> tuple[int, int]:
        return self._load()[key]

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


class _TextMarks(_DeferredMarks):
    """Marks of text parsed by :func:`_plain_data` in this process."""

    def __init__(self, text: str, path: str, limits: Limits) -> None:
        super().__init__(path, limits)
        self._text = text

    def _source(self) -> str | None:
        return self._text


def parse_text(text: str, path: str, limits: Limits = Limits()) -> Parsed:
    """Parse YAML text into data, marks and findings; never raises on bad input."""
    try:
        data = _plain_data(text, limits.max_depth)
    except _Unusual:
        pass
    else:
        return Parsed(path, data, _TextMarks(text, path, limits), [], source=text)
    builder = _Builder(text, path, limits)
    data = builder.build()
    return Parsed(path, data, builder.marks, builder.findings, source=text)


def parse_text_carefully(text: str, path: str, limits: Limits = Limits()) -> Parsed:
    """:func:`parse_text` without the fast path: every mark computed at once."""
    builder = _Builder(text, path, limits)
    data = builder.build()
    return Parsed(path, data, builder.marks, builder.findings)


def decode(raw: bytes, path: str) -> tuple[str | None, list[Finding]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [make(
            Y_ENCODING, path, line, col,
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8",
            "re-save the file as UTF-8",
        )]
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, []


def read_raw(root: Path, rel: str, limits: Limits) -> tuple[bytes | None, list[Finding]]:
    """The file's bytes, or None and the finding that says why it was not read."""
    raw, problems, _info = read_stat(root, rel, limits)
    return raw, problems


def read_stat(root: Path, rel: str, limits: Limits
              ) -> tuple[bytes | None, list[Finding], os.stat_result | None]:
    """:func:`read_raw` plus the ``stat`` of the file that was read (for the cache)."""
    # One open and one fstat (no pathlib): this runs once per file of a large repository.
    info: os.stat_result | None = None
    try:
        fd = os.open(os.path.join(root, rel), os.O_RDONLY | getattr(os, "O_BINARY", 0)
                     | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block the run
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None, [make(Y_UNREADABLE, rel, 1, 1, "not a regular file")], info
            if info.st_size > limits.max_file_bytes:
                return None, [_too_large(rel, f"{info.st_size:,} bytes, over", limits)], info
            chunks = []
            remaining = limits.max_file_bytes + 1  # a file that grows while read stays capped
            while remaining > 0:
                chunk = os.read(fd, min(remaining, max(info.st_size, 65536)))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            raw = b"".join(chunks) if len(chunks) != 1 else chunks[0]
            if len(raw) > limits.max_file_bytes:  # it grew while it was read
                return None, [_too_large(rel, "over", limits)], info
            return raw, [], info
        finally:
            os.close(fd)
    except OSError as exc:
        return None, [make(Y_UNREADABLE, rel, 1, 1,
                           f"cannot read file: {exc.strerror or exc}")], info


def _too_large(rel: str, size: str, limits: Limits) -> Finding:
    return make(Y_TOO_LARGE, rel, 1, 1, f"file is {size} the cap of {limits.max_file_bytes:,}",
                "split the file, move it out of the ISMS folders, or raise checks.max_file_bytes")


def read_file(root: Path, rel: str, limits: Limits) -> Parsed:
    """Read and parse one repository file, turning every I/O or size problem into a finding."""
    raw, findings = read_raw(root, rel, limits)
    if raw is None:
        return Parsed(rel, findings=findings)
    return parse_bytes(raw, rel, limits)


class LazyMarks(_DeferredMarks):
    """Line marks of a file that was not parsed in this process (cache hit, worker process):
    the file is read and parsed again the first time one is asked for."""

    def __init__(self, root: Path, rel: str, limits: Limits) -> None:
        # The base's fields set here, not through super(): a warm run makes one per file.
        self._path, self._limits, self._marks, self._root = rel, limits, None, root

    def _source(self) -> str | None:
        raw, _problems = read_raw(self._root, self._path, self._limits)
        return decode(raw, self._path)[0] if raw is not None else None


def parse_bytes(raw: bytes, rel: str, limits: Limits) -> Parsed:
    text, findings = decode(raw, rel)
    if text is None:
        return Parsed(rel, findings=findings)
    parsed = parse_text(text, rel, limits)
    if not parsed.findings and parsed.data is None:
        parsed.findings.append(make(Y_EMPTY, rel, 1, 1, "file is empty",
                                    "add `kind:` and `id:` or delete the file"))
    elif parsed.data is not None and not isinstance(parsed.data, dict):
        parsed.findings.append(make(
            Y_NOT_MAPPING, rel, 1, 1,
            f"top level is a {_type_name(parsed.data)}, not a mapping",
            "an ISMS file holds one entity: `kind: ...`, `id: ...` and its fields",
        ))
        parsed.data = None
    return parsed


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


# --- discovery -----------------------------------------------------------------------------

YAML_SUFFIXES = (".yaml", ".yml")


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a gitignore-like glob (``**``, ``*``, ``?``) matched against a posix path."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def ignore_matcher(globs: Iterable[str]) -> Callable[[str], bool]:
    """Whether a posix path matches any of ``globs`` (see :func:`glob_to_regex`), as one
    regular expression: it is asked once per file of the repository."""
    patterns = [glob_to_regex(g).pattern for g in globs]
    if not patterns:
        return lambda _rel: False
    combined = re.compile("|".join(f"(?:{p})" for p in patterns))
    return lambda rel: combined.match(rel) is not None


def discover(
    root: Path, folders: Iterable[str], ignore: Iterable[str]
) -> tuple[list[str], list[Finding]]:
    """List YAML files under the configured folders as sorted repo-relative posix paths.

    Symlinks are never followed out of the repository: a link (to a file or folder) whose
    target lies outside is a finding; a link that stays inside is read as the file it points at
    when it is a file, and not descended into when it is a folder (its target is scanned under
    its real name already, or deliberately outside the configured folders).
    """
    ignored = ignore_matcher(ignore)
    root_real = os.path.realpath(root)
    files: set[str] = set()
    findings: list[Finding] = []
    for folder in folders:
        base = root / folder
        if not base.exists() and not base.is_symlink():
            continue
        base_rel = Path(folder).as_posix().strip("/")
        if base.is_symlink() and not is_inside(root_real, os.path.realpath(base)):
            findings.append(_symlink_finding(base_rel))
            continue
        _scan(root_real, str(base), base_rel, ignored, files, findings)
    return sorted(files), findings


def _scan(root_real: str, directory: str, rel_dir: str, ignored: Callable[[str], bool],
          files: set[str], findings: list[Finding]) -> None:
    """One folder of :func:`discover`. ``os.scandir`` tells files, folders and links apart
    without a ``stat`` per entry, which matters at tens of thousands of files."""
    try:
        with os.scandir(directory) as it:
            entries = list(it)
    except OSError:
        return
    for entry in entries:
        name = entry.name
        if name.startswith("."):
            continue
        rel = f"{rel_dir}/{name}"
        try:
            is_dir = entry.is_dir()  # follows links, as os.walk sorts them
        except OSError:
            is_dir = False
        if is_dir:
            if entry.is_symlink():
                if not is_inside(root_real, os.path.realpath(entry.path)):
                    findings.append(_symlink_finding(rel))
                continue
            if ignored(rel + "/") or ignored(rel):
                continue
            _scan(root_real, entry.path, rel, ignored, files, findings)
            continue
        if not name.endswith(YAML_SUFFIXES) or ignored(rel):
            continue
        if entry.is_symlink() and not is_inside(root_real, os.path.realpath(entry.path)):
            findings.append(_symlink_finding(rel))
            continue
        files.add(rel)


def _symlink_finding(rel: str) -> Finding:
    return make(Y_SYMLINK, rel, 1, 1, "symbolic link points outside the repository; not read",
                "copy the content into the repository or remove the link")


def iter_strings(data: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string value in a document with its path (used by text checks)."""
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from iter_strings(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from iter_strings(v, (*path, i))


def line_of(marks: Mapping[JsonPath, tuple[int, int]], path: JsonPath) -> tuple[int, int]:
    """The mark of the nearest marked ancestor of ``path`` (the key line for a value)."""
    p = tuple(path)
    while p:
        if p in marks:
            return marks[p]
        p = p[:-1]
    return marks.get((), (1, 1))


def is_language_key(key: Any) -> bool:
    return isinstance(key, str) and bool(_LANGUAGE_KEY.match(key))
