"""`isms gap`, `isms soa` and `isms risks`: the gap analysis, the Statement of Applicability and
the risk register, computed from the repository as of a day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from isms.commands._common import day, emit, options


def _options(formats: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return options(formats, "The date to assess evidence freshness and due dates against "
                            "(default: today).")


@click.command()
@click.option("--framework", "frameworks", multiple=True, metavar="F",
              help="Framework to analyse (repeatable; default: every framework in isms.yaml).")
@_options(("text", "json", "csv", "html"))
def gap(frameworks: tuple[str, ...], path: Path, fmt: str, output: Path | None,
        today: dt.date | None) -> int:
    """Gap analysis: one row per framework requirement with its status and the reason.

    Statuses: compliant, partial, gap, not-applicable (justified exclusion),
    excluded-without-justification. A framework covered through a mapping (GB/T 22239 via
    ISO/IEC 27001) shows the inherited status and the links it came through; subset and
    intersects links never give full cover on their own. The summary per theme or category
    gives coverage = compliant / (requirements - not applicable) x 100.
    """
    from isms.engine import load_repo
    from isms.gap import gap_analysis
    from isms.gap_render import GAP_FORMATS

    loaded = load_repo(path)
    reports = gap_analysis(loaded.repo, loaded.catalogs, day(today), frameworks)
    emit(GAP_FORMATS[fmt](reports), output)
    return 0


@click.command()
@_options(("text", "json", "csv", "html"))
@click.option("--framework", default="iso27001-2022", show_default=True,
              help="Catalog whose controls form the SoA (e.g. one imported from OSCAL).")
def soa(path: Path, fmt: str, output: Path | None, today: dt.date | None, framework: str) -> int:
    """The Statement of Applicability (default ISO/IEC 27001:2022, all 93 Annex A controls):
    applicability, reason, status, what implements them, evidence and its freshness."""
    from isms.engine import load_repo
    from isms.gap import statement_of_applicability
    from isms.gap_render import SOA_FORMATS

    loaded = load_repo(path)
    result = statement_of_applicability(loaded.repo, loaded.catalogs, day(today),
                                        framework)
    emit(SOA_FORMATS[fmt](result), output)
    return 0


@click.command()
@_options(("text", "json", "csv"))
def risks(path: Path, fmt: str, output: Path | None, today: dt.date | None) -> int:
    """The risk register: inherent and residual scores, appetite, treatment and overdue
    treatments, the controls behind each treatment with their real status, and heat maps."""
    from isms.engine import load_repo
    from isms.risks import risk_register
    from isms.risks_render import RISK_FORMATS

    loaded = load_repo(path)
    register = risk_register(loaded.repo, loaded.catalogs, day(today))
    emit(RISK_FORMATS[fmt](register), output)
    return 0
