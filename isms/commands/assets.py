"""`isms assets`: failures, downtime, MTBF and availability; renewal candidates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from isms.commands._common import DateType, day, emit, report_options


@click.command()
@report_options
@click.option("--from", "start", type=DateType(),
              help="First day of the period (default: `assets.period_months` before --to).")
@click.option("--to", "end", type=DateType(), help="Last day of the period (default: --today).")
def assets(path: Path, fmt: str, output: Path | None, today: dt.date | None,
           start: dt.date | None, end: dt.date | None) -> int:
    """Asset reliability per asset, type and maintaining vendor, and renewal candidates."""
    from isms import outsourcing_reports as out
    from isms.assets import asset_report, default_period
    from isms.engine import load_repo
    from isms.errors import UsageError
    from isms.outsourcing_config import asset_settings

    loaded = load_repo(path)
    settings = asset_settings(loaded.config.raw)
    end = end or day(today)
    start = start or default_period(end, settings)[0]
    if start > end:
        raise UsageError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    report = asset_report(loaded.repo, settings, start, end)
    if fmt == "json":
        text = out.assets_json(report, loaded.config.languages)
    else:
        text = out.assets_text(report) if fmt == "text" else out.assets_csv(report)
    emit(text, output)
    return 0
