"""`isms vendors`: SLA attainment, scorecards, certified staff and activity risk levels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from isms.commands._common import day, emit, known_third_party, report_options

if TYPE_CHECKING:
    from isms.periods import Period


@click.group()
def vendors() -> None:
    """Outsourcing governance: SLAs, vendor scorecards, certified staff, activity risk."""


def _period(text: str | None) -> Period | None:
    if text is None:
        return None
    from isms.errors import UsageError
    from isms.periods import parse_period

    period = parse_period(text)
    if period is None:
        raise UsageError(f"--period: {text!r} is not a month, quarter or year",
                         hint="write 2026-10, 2026-Q3 or 2026")
    return period


@vendors.command()
@report_options
@click.option("--third-party", "third_party", metavar="ID", help="Only this third party.")
@click.option("--period", metavar="PERIOD",
              help="A month (2026-10), quarter (2026-Q3) or year (2026); default: every month.")
def scorecard(path: Path, fmt: str, output: Path | None, today: dt.date | None,
              third_party: str | None, period: str | None) -> int:
    """Weighted vendor scores and grades per period, with trends and flags.

    A month's score weighs the mean SLA attainment, the satisfaction survey and the expert
    review (weights, scale and grade bands under `vendors` in isms.yaml); a quarter or a year
    is the mean of its monthly scores, naming the months missing.
    """
    from isms import outsourcing_reports as out
    from isms.engine import load_repo
    from isms.outsourcing_config import vendor_settings
    from isms.scorecard import scorecard as compute

    wanted = _period(period)
    loaded = load_repo(path)
    party = known_third_party(loaded.repo, third_party)
    card = compute(loaded.repo, vendor_settings(loaded.config.raw), day(today), wanted,
                   None if party is None else [party])
    render = {"text": out.scorecard_text, "csv": out.scorecard_csv, "json": out.scorecard_json}
    emit(render[fmt](card), output)
    return 0


@vendors.command()
@report_options
@click.option("--third-party", "third_party", metavar="ID", help="Only this third party.")
@click.option("--period", metavar="PERIOD",
              help="A month, quarter or year (its months); default: every evaluation.")
def sla(path: Path, fmt: str, output: Path | None, today: dt.date | None,
        third_party: str | None, period: str | None) -> int:
    """SLA attainment: every measured value against its target, and the breaches."""
    from isms import outsourcing_reports as out
    from isms.engine import load_repo
    from isms.sla import sla_attainment

    wanted = _period(period)
    loaded = load_repo(path)
    party = known_third_party(loaded.repo, third_party)
    result = sla_attainment(loaded.repo, wanted, party)
    render = {"text": out.sla_text, "csv": out.sla_csv, "json": out.sla_json}
    emit(render[fmt](result), output)
    return 0


@vendors.command()
@report_options
@click.option("--third-party", "third_party", metavar="ID", help="Only this third party.")
def staff(path: Path, fmt: str, output: Path | None, today: dt.date | None,
          third_party: str | None) -> int:
    """Certified-staff audit: certificates, certifications and contracts on --today."""
    from isms import outsourcing_reports as out
    from isms.engine import load_repo
    from isms.outsourcing_config import vendor_settings
    from isms.staff import staff_audit

    loaded = load_repo(path)
    party = known_third_party(loaded.repo, third_party)
    audit = staff_audit(loaded.repo, vendor_settings(loaded.config.raw), day(today), party)
    render = {"text": out.staff_text, "csv": out.staff_csv, "json": out.staff_json}
    emit(render[fmt](audit), output)
    return 0


@vendors.command()
@report_options
@click.option("--third-party", "third_party", metavar="ID", help="Only this third party.")
def risk(path: Path, fmt: str, output: Path | None, today: dt.date | None,
         third_party: str | None) -> int:
    """Risk level of each third-party activity, how it was reached, and missing controls."""
    from isms import outsourcing_reports as out
    from isms.activity_risk import assess_activities
    from isms.engine import load_repo
    from isms.outsourcing_config import activity_risk_settings

    loaded = load_repo(path)
    party = known_third_party(loaded.repo, third_party)
    risks = assess_activities(loaded.repo, activity_risk_settings(loaded.config.raw), party)
    render = {"text": out.risk_text, "csv": out.risk_csv, "json": out.risk_json}
    emit(render[fmt](risks), output)
    return 0
