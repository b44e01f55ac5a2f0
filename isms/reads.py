"""Which entity fields each whole-repository check reads, recorded as it runs.

A check is a function of what it reads. When the cache is in use, every entity handed to the
entity and repository checks carries its data in a :class:`Tracked` mapping, which notes each
top-level field read, as ``(kind, field)``, in the log of the check that is running (``*``
when a check lists an entity's fields). Anything deeper in a field is reached through the
field, so the top-level record covers it. A later run whose files changed only in fields that
a check did not read reuses that check's cached result (see :mod:`isms.engine`).

The record is made by running, not by a declaration a reader must trust: a field missing from
it was not read. Two other routes lead from data to a check, and both are covered:

* The identity of every entity (its file, kind and id: :meth:`isms.model.Repo.by_id`,
  ``entities``, ``of_kind``) is the stage's *skeleton*; a change to it re-runs every check.
* A value computed once per run from the data and shared by several checks (the graph, the
  control states) goes through :func:`shared`, which replays the reads that made it into the
  log of every check that asks for it.

A check may also judge its entities one *subject* at a time (see
:meth:`isms.checks.Context.each`). Inside a subject a second log, of **dependencies**, notes
which other entities it read (by file, through :class:`Tracked`) and which links it followed
(:func:`depend`: ``@ID`` for "the entities whose reference fields name ID", ``*KIND`` for
"every entity of KIND"). After an edit only the subjects whose dependencies the edit touched
run again (see :mod:`isms.engine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

# A field of an entity kind, as a check read it; the field "*" means "which fields there are".
Field = tuple[str, str]
ALL = "*"

# The log of the check running now (None: nothing is recorded, as in a run without cache).
_LOG: list[set[Field] | None] = [None]
# The dependencies of the subject being judged now (None: outside a subject).
_DEPS: list[set[str] | None] = [None]

T = TypeVar("T")


class Tracked(Mapping[str, Any]):
    """An entity's data, noting every top-level field read in the running check's log.

    The data may be given later, as ``load(key)`` (then read on first use): a check that
    re-runs on a few changed files reads only the entities it asks for from the cache. (A key
    rather than a closure: a warm run makes ten thousand of these.) ``key`` is the entity's
    file: a read inside a subject notes it as a dependency.
    """

    __slots__ = ("_data", "_kind", "_load", "_key")

    def __init__(self, kind: str, data: Mapping[str, Any] | None,
                 load: Callable[[Any], Mapping[str, Any]] | None = None, key: Any = None
                 ) -> None:
        self._kind = kind
        self._data = data
        self._load = load
        self._key = key

    @property
    def plain(self) -> Mapping[str, Any]:
        """The data itself, read without a note: for the stage's own bookkeeping only."""
        data = self._data
        if data is None:
            assert self._load is not None
            data = self._data = self._load(self._key)
            self._load = None
        return data

    def __getitem__(self, key: str) -> Any:
        log = _LOG[0]
        if log is not None:
            log.add((self._kind, key))
            deps = _DEPS[0]
            if deps is not None and self._key is not None:
                deps.add(self._key)
        return (self._data if self._data is not None else self.plain)[key]

    def get(self, key: str, default: Any = None) -> Any:
        log = _LOG[0]
        if log is not None:
            log.add((self._kind, key))
            deps = _DEPS[0]
            if deps is not None and self._key is not None:
                deps.add(self._key)
        return (self._data if self._data is not None else self.plain).get(key, default)

    def __contains__(self, key: object) -> bool:
        log = _LOG[0]
        if log is not None and isinstance(key, str):
            log.add((self._kind, key))
            deps = _DEPS[0]
            if deps is not None and self._key is not None:
                deps.add(self._key)
        return key in (self._data if self._data is not None else self.plain)

    def __iter__(self) -> Iterator[str]:
        self._all()
        return iter(self.plain)

    def __len__(self) -> int:
        self._all()
        return len(self.plain)

    def _all(self) -> None:
        note(self._kind, ALL)
        deps = _DEPS[0]
        if deps is not None and self._key is not None:
            deps.add(self._key)

    def __repr__(self) -> str:
        return f"Tracked({self._kind!r}, {self.plain!r})"


def note(kind: str, key: str) -> None:
    """Record a read made other than through a :class:`Tracked` mapping."""
    log = _LOG[0]
    if log is not None:
        log.add((kind, key))


def depend(token: str) -> None:
    """Record a dependency of the subject being judged (see the module's docstring)."""
    deps = _DEPS[0]
    if deps is not None:
        deps.add(token)


class subject:  # noqa: N801  (a context manager)
    """Judge one subject: the fields read and the dependencies noted inside the block are
    its own (in :attr:`reads` and :attr:`deps`), not the enclosing log's."""

    def __init__(self) -> None:
        self.reads: set[Field] = set()
        self.deps: set[str] = set()
        self._outer: tuple[set[Field] | None, set[str] | None] = (None, None)

    def __enter__(self) -> subject:
        self._outer = (_LOG[0], _DEPS[0])
        _LOG[0], _DEPS[0] = self.reads, self.deps
        return self

    def __exit__(self, *exc: object) -> None:
        _LOG[0], _DEPS[0] = self._outer


class unrecorded:  # noqa: N801  (a context manager)
    """Read without noting anything: for values whose dependencies are noted another way."""

    def __enter__(self) -> unrecorded:
        self._outer = (_LOG[0], _DEPS[0])
        _LOG[0], _DEPS[0] = None, None
        return self

    def __exit__(self, *exc: object) -> None:
        _LOG[0], _DEPS[0] = self._outer


class recording:  # noqa: N801  (used as a context manager, like contextlib's)
    """Record, in :attr:`reads`, the fields read inside the ``with`` block (nested blocks
    add theirs to the enclosing one too)."""

    def __init__(self) -> None:
        self.reads: set[Field] = set()
        self._outer: set[Field] | None = None

    def __enter__(self) -> recording:
        self._outer = _LOG[0]
        _LOG[0] = self.reads
        return self

    def __exit__(self, *exc: object) -> None:
        _LOG[0] = self._outer
        if self._outer is not None:
            self._outer |= self.reads


# The dependencies of each named shared value (see :func:`shared`), by its token.
NAMED: dict[str, frozenset[str]] = {}


def shared(memo: MutableMapping[Any, tuple[Any, frozenset[Field], frozenset[str]]],
           key: Any, compute: Callable[[], T], token: str | None = None) -> tuple[T, bool]:
    """``compute()`` once per ``key``, kept in ``memo``; every caller's log gets the reads
    (and, in a subject, the dependencies) that computing it made, as if it had computed the
    value itself. Also says whether the value was computed now.

    With ``token`` (which starts with ``$``), a subject that asks depends on the token
    instead, and :data:`NAMED` holds what the token depends on: a value that many subjects
    share (a control's state) is then stored once, not once per subject that asked."""
    hit = memo.get(key)
    made = hit is None
    if hit is None:
        outer_deps = _DEPS[0]
        deps: set[str] = set()
        _DEPS[0] = deps
        try:
            with recording() as r:
                value = compute()
        finally:
            _DEPS[0] = outer_deps
        hit = memo[key] = (value, frozenset(r.reads), frozenset(deps))
    else:
        log = _LOG[0]
        if log is not None:
            log |= hit[1]
    if token is not None:
        NAMED[token] = hit[2]
    outer = _DEPS[0]
    if outer is not None:
        if token is not None:
            outer.add(token)
        else:
            outer |= hit[2]
    return hit[0], made
