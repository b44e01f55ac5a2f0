"""`isms report`, `isms bundle` and `isms bundle verify`."""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from isms.commands._common import DateType, day
from isms.errors import UsageError

# Below this many seconds of hashing and copying no progress bar is shown.
PROGRESS_AFTER = 0.5


class _Progress:
    """A click progress bar on stderr that appears only on a terminal, and only once the work
    has taken longer than a moment; the core feeds it (bytes done, bytes in all)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: Any = None
        self.shown = 0
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < PROGRESS_AFTER:
                return
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=sys.stderr)
            self.bar.__enter__()
        elif self.bar.length != max(total, 1):
            # the next stage (hashing, then writing) has its own total: start the bar again
            self.bar.length = max(total, 1)
            self.bar.pos = 0
            self.shown = 0
        self.bar.update(max(done - self.shown, 0))
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _frameworks(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return tuple(out)


def _run(label: str, work: Callable[[_Progress], Any]) -> Any:
    progress = _Progress(label)
    try:
        return work(progress)
    finally:
        progress.close()


@click.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write the site into (new, empty, or an earlier report).")
@click.option("--lang", type=click.Choice(["zh", "en"]),
              help="Language of text fields and of the report's own words (default: the first "
                   "configured language).")
@click.option("--today", type=DateType(), help="The date the report is as of (default: today).")
@click.option("--framework", "frameworks", multiple=True, metavar="F",
              help="Limit gap analysis and evidence to these frameworks (comma-separated, "
                   "repeatable; default: every configured framework).")
@click.option("--since", metavar="REV",
              help="Add a page of what changed since git revision REV.")
def report(path: Path, out: Path, lang: str | None, today: dt.date | None,
           frameworks: tuple[str, ...], since: str | None) -> int:
    """Write the auditor report of the ISMS at PATH as a static HTML site into --out.

    Dashboard, Statement of Applicability, gap analysis per framework, document register,
    risk heat maps, check findings, evidence (copied into the site) and one page per entity.
    Self-contained: open index.html from disk, offline; nothing is fetched.
    """
    from isms.engine import load_repo
    from isms.render import render_site, write_site
    from isms.report import ReportOptions, build_site

    loaded = load_repo(path)
    options = ReportOptions(today=day(today), lang=lang,
                            frameworks=_frameworks(frameworks), since=since)

    def work(progress: _Progress) -> tuple[Any, list[str]]:
        site = build_site(loaded, options, progress)
        return site, write_site(out, site, render_site(site), progress)

    site, written = _run("writing report", work)
    click.echo(f"wrote {len(written)} files to {out} (open {out / 'index.html'})")
    for f in site.missing:
        click.echo(f"  missing evidence: {f.record}: {f.path} ({f.state})", err=True)
    return 0


@click.group(invoke_without_command=True)
@click.pass_context
@click.option("-C", "--path", "path", default=".", show_default=True,
              type=click.Path(path_type=Path), help="The ISMS repository (or a folder inside it).")
@click.option("--out", "-o", "out", type=click.Path(path_type=Path, dir_okay=False),
              help="The zip file to write.")
@click.option("--framework", "frameworks", multiple=True, metavar="F",
              help="Only the controls of these frameworks and their evidence (comma-separated, "
                   "repeatable; default: every configured framework).")
@click.option("--since", metavar="REV", help="Add a page of what changed since git revision REV.")
@click.option("--today", type=DateType(), help="The date the bundle is as of (default: today).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of the report.")
@click.option("--allow-missing", is_flag=True,
              help="Build the bundle even when evidence files are missing (they are listed in "
                   "the report and the manifest).")
def bundle(ctx: click.Context, path: Path, out: Path | None, frameworks: tuple[str, ...],
           since: str | None, today: dt.date | None, lang: str | None,
           allow_missing: bool) -> int:
    """Write an audit evidence bundle: the report, every evidence file of the included
    controls, manifest.json and SHA256SUMS, in a reproducible zip (same commit and --today,
    same bytes).

    Exit codes: 0 written; 1 evidence files are missing (nothing written; see
    --allow-missing); 2 bad options. `isms bundle verify FILE.zip` checks a bundle.
    """
    if ctx.invoked_subcommand is not None:
        return 0
    if out is None:
        raise UsageError("give --out FILE.zip (or `isms bundle verify FILE.zip`)")
    from isms.bundle import BundleOptions, build_bundle
    from isms.engine import load_repo
    from isms.fsutil import atomic_write

    loaded = load_repo(path)
    options = BundleOptions(today=day(today), lang=lang,
                            frameworks=_frameworks(frameworks), since=since,
                            allow_missing=allow_missing)
    built = _run("bundling", lambda progress: build_bundle(loaded, options, progress))
    if built.missing and not allow_missing:
        click.echo(f"isms: {len(built.missing)} evidence file(s) missing; no bundle written:",
                   err=True)
        for f in built.missing:
            click.echo(f"  {f.record}: {f.path} ({f.state})", err=True)
        click.echo("  hint: add the files, fix the paths, or pass --allow-missing", err=True)
        return 1
    assert built.data is not None
    atomic_write(out, built.data)
    for f in built.missing:
        click.echo(f"  missing evidence (allowed): {f.record}: {f.path} ({f.state})", err=True)
    click.echo(f"wrote {out}: {built.files} files, {len(built.data)} bytes, sha256 {built.sha256}")
    return 0


@bundle.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def bundle_verify(file: Path) -> int:
    """Re-hash every file of bundle FILE against manifest.json and SHA256SUMS.

    Exit 0 when intact; 1 listing each modified, missing, extra or unsafe entry. Nothing is
    extracted: entries are read from the zip in memory, and names such as ../x or /etc/x are
    reported, never followed.
    """
    from isms.bundle import verify

    result = verify(file)
    if result.ok:
        click.echo(f"{file}: intact: {result.checked} files match manifest.json and SHA256SUMS"
                   + (f" (commit {result.commit[:12]}, as of {result.today})"
                      if result.commit else f" (as of {result.today})" if result.today else ""))
        return 0
    for p in result.problems:
        click.echo(f"{p.kind}: {p.path}" + (f" ({p.detail})" if p.detail else ""))
    click.echo(f"{file}: NOT intact: {len(result.problems)} problem(s)", err=True)
    return 1
