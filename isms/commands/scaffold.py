"""`isms init` and `isms new`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from isms.commands._common import DateType, day


@click.command()
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--org", "organisation", default="Example District Information Office",
              show_default=True, help="Organisation name written to isms.yaml.")
@click.option("--lang", type=click.Choice(["both", "en", "zh"]), default="both",
              show_default=True, help="Languages of the text: English, Chinese or both.")
@click.option("--minimal", is_flag=True,
              help="Policies, procedures, documents and controls only; empty registers.")
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, organisation: str, lang: str, minimal: bool, force: bool) -> int:
    """Create a new ISMS repository in DIRECTORY from the bundled reference ISMS.

    Writes isms.yaml, the reference content, .gitignore, a pre-commit configuration, editor
    schema settings and CI examples for GitHub Actions and GitLab CI. Refuses to overwrite
    existing files unless --force.
    """
    from isms.scaffold import plan_init

    plan = plan_init(directory, organisation, lang, minimal)
    written = plan.write(force)
    click.echo(f"wrote {len(written)} files to {directory}")
    click.echo(f"next: cd {directory} && isms check")
    return 0


@click.command()
@click.argument("kind")
@click.argument("ident", metavar="ID")
@click.option("--path", "path", default=".", type=click.Path(path_type=Path),
              help="The repository (default: the current directory).")
@click.option("--today", type=DateType(),
              help="Date used for history and review (default: today).")
def new(kind: str, ident: str, path: Path, today: dt.date | None) -> int:
    """Write a schema-valid skeleton for a new KIND entity with ID into its folder.

    Required fields hold TODO markers that `isms check` reports until they are replaced.
    """
    from isms.scaffold import plan_new

    plan = plan_new(path, kind, ident, day(today))
    for rel in plan.write(force=False):
        click.echo(str(plan.target / rel))
    return 0
