"""The command line: the root group, `check`, `explain`, `schema`, and the error handler.

Only this module and the thin command modules in isms/commands/ import click, print or exit.

Each command parses its options, calls plain functions of the core, renders their result and
returns an exit code. :func:`main` maps every exception to its exit code: an
:class:`~isms.errors.IsmsError` carries its own, click usage errors are 2, and anything else
is an internal error (3) reported without a traceback unless ``--debug``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from isms import __version__
from isms.commands import LazyGroup
from isms.commands._common import DateType, day, emit
from isms.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, IsmsError, UsageError
from isms.reporters import REPORTERS

SEVERITIES = ("error", "warning", "info")


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        out.extend(part.strip().upper() for part in value.split(",") if part.strip())
    return tuple(out)


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="isms")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
def cli(debug: bool) -> None:
    """isms: ISMS compliance-as-code.

    Policies, procedures, document sets, controls and registers live as YAML in git; isms
    checks them, computes what an auditor asks for, and bundles the evidence.
    """


@cli.command()
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(list(REPORTERS)), default="text",
              show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to FILE (atomically) instead of standard output.")
@click.option("--fail-on", type=click.Choice(SEVERITIES),
              help="Lowest severity that makes the run fail (exit 1). Default: isms.yaml "
                   "checks.fail_on, else error.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only report these codes or code prefixes (comma-separated, repeatable).")
@click.option("--ignore", multiple=True, metavar="CODES",
              help="Do not report these codes or code prefixes (comma-separated, repeatable).")
@click.option("--today", type=DateType(), help="The date to check against (default: today).")
@click.option("--quiet", "-q", is_flag=True,
              help="Text format: print only the findings that fail the run, no hints or summary.")
@click.option("--base", metavar="REF",
              help="Also check document control against git revision REF (e.g. origin/main): "
                   "changed documents need a higher version, a history entry and, when "
                   "approved, a new approval.")
@click.option("--no-cache", is_flag=True,
              help="Parse and validate every file again instead of reusing .isms_cache/.")
@click.option("--jobs", "-j", type=click.IntRange(min=1),
              help="Processes for parsing and validation (default: automatic by repository "
                   "size; 1 disables parallelism).")
def check(path: Path, fmt: str, output: Path | None, fail_on: str | None, select: tuple[str, ...],
          ignore: tuple[str, ...], today: dt.date | None, quiet: bool, base: str | None,
          no_cache: bool, jobs: int | None) -> int:
    """Check the ISMS repository at PATH (default: the current directory).

    Exit codes: 0 nothing at or above --fail-on; 1 findings fail the run; 2 the run could not
    be done as asked (bad option, missing or invalid isms.yaml, PATH not found); 3 internal
    error.
    """
    from isms.engine import CheckOptions, run_check
    from isms.reporters import get_reporter

    options = CheckOptions(today=day(today), fail_on=fail_on,
                           select=_codes(select), ignore=_codes(ignore), base=base,
                           use_cache=not no_cache, jobs=jobs)
    result = run_check(path, options)
    report = get_reporter(fmt)(result, quiet)
    emit(report, output)
    if output is not None and fmt == "text" and not quiet:
        click.echo(report.splitlines()[-1], err=True)
    return 1 if result.failed else 0


@cli.command()
@click.argument("code", required=False)
@click.option("--list", "list_", is_flag=True, help="List every finding code.")
@click.option("--markdown", is_flag=True, help="Print the docs/checks.md table.")
def explain(code: str | None, list_: bool, markdown: bool) -> int:
    """Explain a finding CODE: what it means, why it matters and how to fix it."""
    from isms.rules import all_rules, markdown_table
    from isms.rules import explain as explain_rule

    rules = all_rules()
    if markdown:
        click.echo(markdown_table(), nl=False)
        return 0
    if list_ or code is None:
        if code is None and not list_:
            raise UsageError("give a finding CODE or --list")
        for r in rules:
            click.echo(f"{r.code}  {r.severity.label:<7}  {r.name:<28}  {r.title}")
        return 0
    wanted = code.strip().upper()
    for r in rules:
        if r.code == wanted or r.name == code.strip().lower():
            click.echo(explain_rule(r), nl=False)
            return 0
    raise UsageError(f"unknown finding code {code!r}", hint="see `isms explain --list`")


@cli.group()
def cache() -> None:
    """The result cache in .isms_cache/ (safe to delete at any time)."""


@cache.command("clear")
@click.argument("path", default=".", type=click.Path(path_type=Path))
def cache_clear(path: Path) -> int:
    """Delete the cache of the repository at PATH."""
    from isms.cache import CACHE_DIR, clear
    from isms.config import find_root

    root = find_root(path)
    removed = clear(root)
    click.echo(f"removed {root / CACHE_DIR}" if removed else "no cache to remove")
    return 0


@cli.group()
def schema() -> None:
    """The JSON Schemas of the file format."""


@schema.command("export")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def schema_export(directory: Path) -> int:
    """Write the JSON Schemas and an editor mapping (file globs → schema) into DIRECTORY.

    Merge the written vscode-settings.json into .vscode/settings.json (VS Code with the
    Red Hat YAML extension) to get completion, hover help and inline errors while typing.
    """
    from isms.schema_export import export_schemas

    written = export_schemas(directory, Path.cwd())
    for path in written:
        click.echo(str(path))
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or bool(os.environ.get("ISMS_DEBUG"))
    try:
        code = cli.main(args=args, prog_name="isms", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("isms: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("isms: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code not in (0, 1) else exc.exit_code)
    except IsmsError as exc:
        click.echo(f"isms: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 - the one place that maps bugs to exit 3
        click.echo(f"isms: internal error: {type(exc).__name__}: {exc}", err=True)
        if debug:
            traceback.print_exc()
        else:
            click.echo("  This is a bug in isms. Please report it with the output of the same "
                       "command run with --debug.", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)
