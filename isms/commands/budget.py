"""`isms budget`: next year's O&M budget by the ratio coefficient and workload methods."""

from __future__ import annotations

from pathlib import Path

import click

from isms.commands._common import FORMATS, emit


@click.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--year", type=int, required=True, help="The budget year (its budget-standard file).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the budget to FILE (atomically) instead of standard output.")
def budget(path: Path, year: int, fmt: str, output: Path | None) -> int:
    """The O&M budget for --year by both methods of its budget standard, line by line.

    Asset ratio coefficient method: value × rate × age, criticality and other factors.
    Workload method: services × person-days × labour rate by grade, plus spare parts.
    """
    from isms import outsourcing_reports as out
    from isms.budget import compute_budget, find_standard
    from isms.engine import load_repo

    loaded = load_repo(path)
    result = compute_budget(loaded.repo, find_standard(loaded.repo, year))
    languages = loaded.config.languages
    if fmt == "json":
        text = out.budget_json(result)
    elif fmt == "csv":
        text = out.budget_csv(result, languages)
    else:
        text = out.budget_text(result, languages)
    emit(text, output)
    return 0
