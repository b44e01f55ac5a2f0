"""What the command modules share: the date option type, the PATH/--format/--output/--today
options, and how output is written (standard output, or a file atomically)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from isms.errors import UsageError

FORMATS = ("text", "csv", "json")


class DateType(click.ParamType):  # type: ignore[type-arg]
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date in the form YYYY-MM-DD", param, ctx)


def options(formats: tuple[str, ...] = FORMATS,
            today_help: str = "The date to report on (default: today).",
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """PATH, --format, --output and --today, in that order on the command line help."""

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        func = click.option("--today", type=DateType(), help=today_help)(func)
        func = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
                            help="Write the report to FILE (atomically) instead of standard "
                                 "output.")(func)
        func = click.option("--format", "fmt", type=click.Choice(formats), default="text",
                            show_default=True, help="Output format.")(func)
        return click.argument("path", default=".", type=click.Path(path_type=Path))(func)

    return wrap


report_options = options()


def emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from isms.fsutil import atomic_write

    atomic_write(output, text)


def day(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def known_third_party(repo: Any, ident: str | None) -> str | None:
    """``ident`` when it names a third party of ``repo``; a usage error otherwise."""
    if ident is None:
        return None
    entity = repo.by_id.get(ident)
    if entity is None or entity.kind != "third-party":
        known = ", ".join(sorted(e.id for e in repo.of_kind("third-party")))
        raise UsageError(f"--third-party: {ident!r} is not a third party",
                         hint=f"known: {known}" if known else "the repository has no third parties")
    return ident
