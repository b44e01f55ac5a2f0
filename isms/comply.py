"""Moving a strongdm/comply repository into isms: `isms import comply`.

comply keeps policies (``policies/*.md``), procedures (``procedures/*.md``) and narratives
(``narratives/*.md``) as Markdown with YAML front matter. Like comply itself, the front matter
is everything before the first ``---`` line and the body everything after it; no leading
``---`` is needed (a file that does start with a ``---`` line has its front matter between
the first two).

What each becomes:

* a **policy** or **narrative** → an isms ``policy`` with id ``POL-<acronym>`` (the file name
  when there is no acronym), a **procedure** → an isms ``procedure`` with id ``PRC-<id>``,
  attached to the policy given with ``--policy`` (default: the first imported policy, else
  the first policy of the repository);
* every one is a ``draft`` (drafts need no approval) owned by ``--owner``; ``name`` is the
  title and the Markdown body the ``text`` (``{{.Name}}`` replaced by the company name from
  comply.yml);
* ``majorRevisions`` become ``history`` oldest first, versions 0.1.0, 0.2.0, ..., and the
  last one is the ``version`` (no revisions: one 0.1.0 entry dated the day of the import);
* ``satisfies`` (framework → control ids) becomes ``requirements`` where the framework names
  a loaded catalog (``--framework KEY=CATALOG``, the catalog id, or a key such as
  ``ISO 27001`` that the catalog id starts with) and the id is in it; everything else is
  reported and kept under ``x-comply.unmapped`` so nothing is lost; ``cron`` and the source
  file are kept under ``x-comply`` too.

Ids that collide (two comply files, or a repository entity that did not come from the same
comply file) are reported and not imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from isms.datetext import DATE_FORMS, parse_date
from isms.errors import UsageError
from isms.i18n import natural_key
from isms.import_plan import EntityChange, ImportPlan, Problem, action_of
from isms.scaffold import FOLDER_OF_KIND, ID_PATTERN

if TYPE_CHECKING:
    from isms.catalogs import Catalog, Catalogs
    from isms.model import Repo

# Read in this order: on an id collision the earlier file keeps the id.
FOLDERS = (("policies", "policy"), ("procedures", "procedure"), ("narratives", "narrative"))
_DELIMITER = re.compile(r"^---[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class ComplyDoc:
    source: str                 # path inside the comply repository, e.g. policies/access.md
    type: str                   # policy | procedure | narrative
    meta: Mapping[str, Any]
    body: str


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(front matter, body) split at the first ``---`` line; None when there is none."""
    match = _DELIMITER.search(text)
    if match is None:
        return None
    head = text[:match.start()]
    if not head.strip():
        second = _DELIMITER.search(text, match.end())
        if second is not None:
            return text[match.end():second.start()], text[second.end():]
    return head, text[match.end():]


def read_comply(directory: Path) -> tuple[list[ComplyDoc], list[Problem], str, int]:
    """The documents of a comply repository, the files that could not be read, the company
    name from comply.yml ('' when there is none) and the number of Markdown files."""
    import yaml

    if not directory.is_dir():
        raise UsageError(f"not a directory: {directory}")
    found = [sub for sub, _ in FOLDERS if (directory / sub).is_dir()]
    if not found:
        raise UsageError(f"{directory} has none of narratives/, policies/, procedures/",
                         hint="give the root of a strongdm/comply repository")
    problems: list[Problem] = []
    company = ""
    config = directory / "comply.yml"
    if config.is_file():
        try:
            data = yaml.safe_load(config.read_text(encoding="utf-8"))
            if isinstance(data, Mapping) and isinstance(data.get("name"), str):
                company = data["name"]
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(Problem("comply.yml", f"cannot be read: {exc}", "note"))
    docs: list[ComplyDoc] = []
    files = 0
    for sub, kind in FOLDERS:
        folder = directory / sub
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            rel = f"{sub}/{path.name}"
            files += 1
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                problems.append(Problem(rel, f"cannot be read: {exc}"))
                continue
            parts = split_front_matter(text)
            if parts is None:
                problems.append(Problem(rel, "no `---` line: comply documents are YAML front "
                                             "matter, a `---` line, then the Markdown body"))
                continue
            try:
                meta = yaml.safe_load(parts[0]) if parts[0].strip() else {}
            except yaml.YAMLError as exc:
                problems.append(Problem(rel, f"front matter is not valid YAML: "
                                             f"{str(exc).splitlines()[0]}"))
                continue
            if not isinstance(meta, Mapping):
                problems.append(Problem(rel, "front matter is not a mapping of fields"))
                continue
            docs.append(ComplyDoc(rel, kind, meta, parts[1]))
    return docs, problems, company, files


def _id_part(value: Any) -> str:
    text = str(value) if isinstance(value, (str, int)) else ""
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-.").upper()


def _framework_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


def resolve_framework(key: str, catalogs: Catalogs, explicit: Mapping[str, str]) -> Catalog | None:
    """The catalog a comply `satisfies` key names: given with --framework, the catalog id, or
    a key the catalog id starts with once case and punctuation are ignored (ISO 27001 →
    iso27001-2022). Ambiguous keys match nothing."""
    if key in explicit:
        return catalogs.catalogs.get(explicit[key])
    if key in catalogs.catalogs:
        return catalogs.catalogs[key]
    wanted = _framework_key(key)
    if not wanted:
        return None
    matches = [c for cid, c in sorted(catalogs.catalogs.items())
               if _framework_key(cid).startswith(wanted)]
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Options:
    owner: str
    language: str
    today: dt.date
    policy: str | None = None
    frameworks: Mapping[str, str] | None = None


class _Planner:
    def __init__(self, repo: Repo, catalogs: Catalogs, options: Options, company: str) -> None:
        self.repo = repo
        self.catalogs = catalogs
        self.options = options
        self.company = company
        self.problems: list[Problem] = []

    def text(self, value: str) -> dict[str, str]:
        return {self.options.language: value}

    def satisfies(self, doc: ComplyDoc) -> tuple[list[str], dict[str, list[str]]]:
        raw = doc.meta.get("satisfies")
        if raw is None:
            return [], {}
        if not isinstance(raw, Mapping):
            self.problems.append(Problem(doc.source, "satisfies is not a mapping of framework "
                                                     "to control ids; ignored", "note"))
            return [], {}
        mapped: list[str] = []
        unmapped: dict[str, list[str]] = {}
        for key in sorted(raw, key=str):
            ids = raw[key]
            ids = [str(i) for i in ids if isinstance(i, (str, int, float))] \
                if isinstance(ids, list) else [str(ids)] if isinstance(ids, (str, int)) else []
            catalog = resolve_framework(str(key), self.catalogs, self.options.frameworks or {})
            missing: list[str] = []
            for control in ids:
                ref = None
                if catalog is not None:
                    for candidate in (control, f"A.{control}"):
                        if catalog.resolves(candidate):
                            ref = f"{catalog.id}:{candidate}"
                            break
                if ref is None:
                    missing.append(control)
                elif ref not in mapped:
                    mapped.append(ref)
            if missing:
                unmapped[str(key)] = missing
                if catalog is None:
                    why = (f"no catalog matches framework {str(key)!r} (loaded: "
                           f"{', '.join(sorted(self.catalogs.catalogs)) or 'none'}; map it with "
                           f"--framework '{key}=CATALOG')")
                else:
                    why = f"not in catalog {catalog.id}"
                self.problems.append(Problem(doc.source, f"satisfies {key} {', '.join(missing)} "
                                                         f"not mapped: {why}; kept in "
                                                         f"x-comply.unmapped", "note"))
        return mapped, unmapped

    def history(self, doc: ComplyDoc, before: Any = None) -> list[dict[str, Any]]:
        """The revisions as history; without any, the history written by an earlier import
        (``before``) or one entry dated today."""
        raw = doc.meta.get("majorRevisions")
        entries: list[tuple[dt.date, str]] = []
        for i, rev in enumerate(raw if isinstance(raw, list) else []):
            if not isinstance(rev, Mapping):
                self.problems.append(Problem(doc.source, f"majorRevisions[{i}] is not "
                                                         "{date, comment}; skipped", "note"))
                continue
            day = parse_date(rev.get("date"))
            if day is None:
                self.problems.append(Problem(
                    doc.source, f"majorRevisions[{i}] date {rev.get('date')!r} is not a date "
                                f"({DATE_FORMS}); revision skipped", "note"))
                continue
            comment = rev.get("comment")
            entries.append((day, comment.strip() if isinstance(comment, str) and comment.strip()
                            else "Revision"))
        if not entries:
            if isinstance(before, list) and before:
                return list(before)
            entries = [(self.options.today, "Imported from strongdm/comply")]
        entries.sort(key=lambda e: e[0])   # stable: same-day revisions keep their order
        return [{"version": f"0.{n}.0", "date": day.isoformat(), "author": self.options.owner,
                 "change": self.text(comment)} for n, (day, comment) in enumerate(entries, 1)]

    def body(self, doc: ComplyDoc) -> str:
        text = doc.body.strip()
        if self.company:
            text = text.replace("{{.Name}}", self.company)
        if re.search(r"\bTODO\b", text):
            self.problems.append(Problem(doc.source, "the body contains TODO markers: `isms "
                                                     "check` reports T002 until they are "
                                                     "resolved", "note"))
        return text

    def entity(self, doc: ComplyDoc, ident: str, policy: str | None,
               before: Any = None) -> dict[str, Any]:
        kind = "procedure" if doc.type == "procedure" else "policy"
        name = doc.meta.get("name")
        title = name.strip() if isinstance(name, str) and name.strip() else Path(doc.source).stem
        history = self.history(doc, before)
        last = history[-1] if isinstance(history[-1], Mapping) else {}
        requirements, unmapped = self.satisfies(doc)
        data: dict[str, Any] = {"kind": kind, "id": ident}
        if kind == "procedure":
            data["policy"] = policy
        data.update({"title": self.text(title), "version": last.get("version", "0.1.0"),
                     "status": "draft", "owner": self.options.owner})
        if requirements:
            data["requirements"] = requirements
        body = self.body(doc)
        if body:
            data["text"] = self.text(body)
        data["history"] = history
        extra: dict[str, Any] = {"source": doc.source, "type": doc.type}
        acronym = doc.meta.get("acronym")
        if isinstance(acronym, str) and acronym:
            extra["acronym"] = acronym
        cron = doc.meta.get("cron")
        if isinstance(cron, str) and cron:
            extra["cron"] = cron
        if unmapped:
            extra["unmapped"] = unmapped
        data["x-comply"] = extra
        return data

    def ident(self, doc: ComplyDoc) -> str | None:
        if doc.type == "procedure":
            part = _id_part(doc.meta.get("id")) or _id_part(Path(doc.source).stem)
            ident = f"PRC-{part}"
        else:
            part = _id_part(doc.meta.get("acronym")) or _id_part(Path(doc.source).stem)
            ident = f"POL-{part}"
        if not part or not ID_PATTERN.match(ident):
            self.problems.append(Problem(doc.source, f"cannot make an id from {part!r}"))
            return None
        return ident


def plan_comply_import(repo: Repo, catalogs: Catalogs, directory: Path,
                       options: Options) -> ImportPlan:
    """What importing the comply repository at ``directory`` would create or change."""
    from isms.schema import validate

    if options.owner not in repo.config.roles:
        raise UsageError(f"--owner {options.owner!r} is not a role in isms.yaml",
                         hint="roles: " + ", ".join(sorted(repo.config.roles)))
    docs, problems, company, files = read_comply(directory)
    planner = _Planner(repo, catalogs, options, company)
    planner.problems.extend(problems)

    chosen: dict[str, ComplyDoc] = {}
    for doc in docs:
        ident = planner.ident(doc)
        if ident is None:
            continue
        if ident in chosen:
            planner.problems.append(Problem(doc.source, f"{ident} is also the id of "
                                                        f"{chosen[ident].source}; not imported "
                                                        "(give one of them another acronym or id)"))
            continue
        existing = repo.by_id.get(ident)
        if existing is not None:
            marker = existing.get("x-comply")
            same = isinstance(marker, Mapping) and marker.get("source") == doc.source
            if not same:
                planner.problems.append(Problem(doc.source, f"{ident} already exists in "
                                                            f"{existing.path}; not imported"))
                continue
        chosen[ident] = doc

    policies = sorted((i for i, d in chosen.items() if d.type != "procedure"), key=natural_key)
    policy = options.policy
    if policy is not None and policy not in policies and \
            (policy not in repo.by_id or repo.by_id[policy].kind != "policy"):
        raise UsageError(f"--policy {policy}: no such policy in the repository or the import")
    if policy is None:
        existing_policies = sorted((e.id for e in repo.of_kind("policy")), key=natural_key)
        candidates = policies or existing_policies
        policy = candidates[0] if candidates else None
        if policy is not None and any(d.type == "procedure" for d in chosen.values()):
            planner.problems.append(Problem(str(directory.name or directory), f"procedures "
                                            f"attached to {policy} (choose with --policy)",
                                            "note"))

    changes: list[EntityChange] = []
    root = repo.config.root
    for ident in sorted(chosen, key=natural_key):
        doc = chosen[ident]
        if doc.type == "procedure" and policy is None:
            planner.problems.append(Problem(doc.source, f"{ident}: no policy to attach the "
                                                        "procedure to (give --policy)"))
            continue
        existing = repo.by_id.get(ident)
        data = planner.entity(doc, ident, policy,
                              existing.get("history") if existing is not None else None)
        kind = str(data["kind"])
        rel = existing.path if existing is not None else f"{FOLDER_OF_KIND[kind]}/{ident}.yaml"
        if existing is None and (root / rel).exists():
            planner.problems.append(Problem(doc.source, f"{rel} exists but does not define "
                                                        f"{ident}; not imported"))
            continue
        findings = validate(kind, data, rel, {})
        if findings:
            for f in findings:
                planner.problems.append(Problem(doc.source, f"{ident} {f.json_path}: {f.message}"))
            continue
        action, diffs = action_of(existing.data if existing is not None else None, data)
        changes.append(EntityChange(kind, ident, action, rel, data, diffs, doc.source,
                                    f"Imported by `isms import comply` from {doc.source}."))
    ordered = sorted(planner.problems, key=lambda p: (p.where, p.severity, p.message))
    return ImportPlan(tuple(changes), tuple(ordered), f"{directory.name or directory}: {files} "
                                                      f"Markdown file{'s' if files != 1 else ''}")


def parse_framework_options(values: Sequence[str]) -> dict[str, str]:
    """``--framework 'ISO 27001=iso27001-2022'`` options as a mapping."""
    out: dict[str, str] = {}
    for value in values:
        key, sep, target = value.rpartition("=")
        if not sep or not key.strip() or not target.strip():
            raise UsageError(f"--framework {value!r}: write KEY=CATALOG, e.g. TSC=soc2-tsc")
        out[key.strip()] = target.strip()
    return out
