"""`isms stats`."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def stats(path: Path, fmt: str) -> int:
    """Counts per kind and tier (the 8/21/66 shape), per framework theme, per status, and how
    many framework requirements procedures address."""
    from isms.engine import load_repo
    from isms.stats import compute, render_text

    loaded = load_repo(path)
    result = compute(loaded.repo, loaded.catalogs)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(result), nl=False)
    return 0
