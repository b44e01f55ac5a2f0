"""`isms diff` and `isms history`: the ISMS's change record, read from git."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from isms.commands._common import DateType, day, emit
from isms.errors import UsageError

_PATH = click.option("-C", "--path", "path", default=".", show_default=True,
                     type=click.Path(path_type=Path),
                     help="The ISMS repository (or a folder inside it).")


def split_revisions(rev1: str, rev2: str | None) -> tuple[str, str | None]:
    """REV1 [REV2] or REV1..REV2 → (old, new); new None means the working tree."""
    if ".." in rev1:
        if "..." in rev1:
            raise UsageError(f"{rev1!r}: use REV1..REV2 (two dots) or REV1 REV2")
        if rev2 is not None:
            raise UsageError("give either REV1..REV2 or REV1 REV2, not both")
        old, new = rev1.split("..", 1)
        return old or "HEAD", new or "HEAD"
    return rev1, rev2


@click.command()
@click.argument("rev1", metavar="REV1")
@click.argument("rev2", metavar="[REV2]", required=False)
@_PATH
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True,
              help="Output format; markdown is ready to post as a pull-request comment.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE (atomically) instead of standard output.")
@click.option("--today", type=DateType(),
              help="The working tree's date, for evidence expiry (default: today).")
def diff(rev1: str, rev2: str | None, path: Path, fmt: str, output: Path | None,
         today: dt.date | None) -> int:
    """What changed in the ISMS from REV1 to REV2 (default: the working tree).

    Also accepts REV1..REV2. Lists entities added, removed, renamed and changed (version
    transition and changed fields), Statement of Applicability rows whose applicability or
    status changed, risks whose score or treatment changed, and evidence added or expired
    between the two dates (a revision's date is its commit date). Reads git offline.
    """
    from isms import gitio
    from isms.catalogs import load_catalogs
    from isms.changes import diff as compute
    from isms.changes import gap_changes
    from isms.changes_format import FORMATS
    from isms.config import CONFIG_NAME, find_root, load_config
    from isms.revision import load_revision, load_worktree

    old_ref, new_ref = split_revisions(rev1, rev2)
    root = find_root(path)
    config = load_config(root)
    w = gitio.work(root)
    old = load_revision(root, old_ref, config)
    new_dirty = False
    if new_ref is None:
        new = load_worktree(root, day(today))
        new_dirty = bool(gitio.dirty(w, [CONFIG_NAME, *config.folders]))
    else:
        new = load_revision(root, new_ref, config)
    catalogs = load_catalogs(root, config.catalogs)
    changes = compute(old, new, new_dirty=new_dirty, gaps=gap_changes(old, new, catalogs))
    emit(FORMATS[fmt](changes), output)
    return 0


@click.command()
@click.argument("entity_id", metavar="ID")
@_PATH
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
def history(entity_id: str, path: Path, fmt: str) -> int:
    """The versions of entity ID joined with the git commits that touched its file.

    A commit carries a version when the file's version there differs from its parent's
    (renames are followed). Flags versions no commit carries, commits that carry no version
    and commits whose version is not in the history.
    """
    import difflib

    from isms.doccontrol import settings
    from isms.engine import load_repo
    from isms.history import entity_history, render_json, render_text

    loaded = load_repo(path)
    entity = loaded.repo.by_id.get(entity_id)
    if entity is None:
        close = difflib.get_close_matches(entity_id, sorted(loaded.repo.by_id), n=1)
        raise UsageError(f"no entity with id {entity_id!r}",
                         hint=f"did you mean {close[0]}?" if close else "ids are case-sensitive")
    h = entity_history(loaded.config.root, entity, settings(loaded.config), loaded.config.limits)
    if fmt == "json":
        click.echo(render_json(h), nl=False)
    else:
        click.echo(render_text(h, loaded.config.languages), nl=False)
    return 0
