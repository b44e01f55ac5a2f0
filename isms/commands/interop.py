"""`isms export ...` and `isms import ...`: exchanging the ISMS with other tools and formats.

The two groups are shared by every interchange format. Each format adds its own subcommands
below its own marked section (OSCAL here; the Excel workbook and strongdm/comply commands are
added to the same `export` / `import_` groups in their own sections), and keeps its logic in a
core module (`isms.oscal`, ...): these commands only parse options, call it, write and print.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from isms.commands._common import DateType, day


@click.group()
def export() -> None:
    """Export the ISMS for other tools: OSCAL documents, an Excel workbook."""


@click.group("import")
def import_() -> None:
    """Import from other tools: OSCAL catalogs, Excel registers, strongdm/comply."""


# Other formats: add `@export.command("NAME")` / `@import_.command("NAME")` subcommands in a
# section of their own, like the OSCAL one below.

# --- OSCAL ------------------------------------------------------------------------------------


@export.command("oscal")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write the OSCAL JSON files into (created when missing).")
@click.option("--framework", "frameworks", multiple=True, metavar="F",
              help="Framework to export (repeatable; default: every framework in isms.yaml).")
@click.option("--today", type=DateType(),
              help="The day of the export: evidence freshness, gap statuses and every OSCAL "
                   "timestamp (YYYY-MM-DDT00:00:00Z) use it (default: today).")
def export_oscal(path: Path, out: Path, frameworks: tuple[str, ...],
                 today: dt.date | None) -> int:
    """Write the ISMS as OSCAL 1.2.1 JSON into DIR: per framework a catalog, a profile, a
    system security plan, an assessment plan and assessment results, and a mapping collection
    per cross-framework mapping. Same repository and --today give the same bytes."""
    from isms.engine import load_repo
    from isms.fsutil import atomic_write
    from isms.oscal import export_documents
    from isms.tabular import json_text

    loaded = load_repo(path)
    documents = export_documents(loaded.repo, loaded.catalogs, day(today),
                                 frameworks)
    for name in sorted(documents):
        atomic_write(out / name, json_text(documents[name]))
        click.echo(str(out / name))
    return 0


@import_.command("oscal-catalog")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--id", "catalog_id", required=True, metavar="ID",
              help="The catalog id to give it (lower case, e.g. nist-800-53r5): requirements "
                   "are then referenced as ID:REQ.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Directory to write ID.yaml into (default: print it). Put it in the "
                   "repository's `catalogs` folder (isms.yaml `catalogs:`) to use it.")
def import_oscal_catalog(file: Path, catalog_id: str, out: Path | None) -> int:
    """Turn an OSCAL catalog (JSON) into an isms framework catalog: groups (nested), controls
    and their enhancements (as children with `parent`), withdrawn controls marked, titles
    kept. `isms gap --framework ID` and `isms soa` can use it."""
    from isms.fsutil import atomic_write
    from isms.oscal_import import catalog_from_oscal, read_oscal_catalog, render_catalog_yaml

    imported = catalog_from_oscal(read_oscal_catalog(file), catalog_id)
    text = render_catalog_yaml(imported)
    if out is None:
        click.echo(text, nl=False)
        return 0
    target = out / f"{catalog_id}.yaml"
    atomic_write(target, text)
    click.echo(f"{target}: {imported.summary()}", err=True)
    return 0


# --- Excel workbooks ----------------------------------------------------------------------------

# The register kinds `isms import xlsx` reads (isms.register_columns.LAYOUTS; kept here so
# `isms --help` does not load the schemas).
XLSX_KINDS = ("risk", "third-party", "activity", "asset", "evaluation")


@export.command("xlsx")
@click.argument("path", default=".", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The .xlsx file to write (atomically).")
@click.option("--today", type=DateType(),
              help="The day of the export: gap statuses, risk and certificate states, asset "
                   "figures and the document dates use it (default: today).")
def export_xlsx(path: Path, out: Path, today: dt.date | None) -> int:
    """Write one Excel workbook for auditors: the Statement of Applicability, coverage and gap
    per framework, the risk, third-party, staff, activity, asset and evaluation registers,
    vendor scorecards and the document register. Header rows are frozen and filtered. Same
    repository and --today give the same bytes; `isms import xlsx` reads the register sheets
    back."""
    from isms.engine import load_repo
    from isms.fsutil import atomic_write
    from isms.workbook import build_workbook
    from isms.xlsx import workbook_bytes

    on = day(today)
    loaded = load_repo(path)
    book = build_workbook(loaded.repo, loaded.catalogs, on)
    atomic_write(out, workbook_bytes(book.sheets, on, book.title))
    for name, why in book.left_out:
        click.echo(f"isms: note: sheet {name!r} left out: {why}", err=True)
    click.echo(f"{out}: {len(book.sheets)} sheets: " + ", ".join(s.name for s in book.sheets))
    return 0


@import_.command("xlsx")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--kind", required=True, type=click.Choice(XLSX_KINDS),
              help="What the sheet's rows are.")
@click.option("--sheet", metavar="NAME",
              help="The sheet to read (default: the one named like the kind's register, e.g. "
                   "'Risks', else the first).")
@click.option("--mapping", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="YAML file mapping column headers to field paths (`Risk level: likelihood`, "
                   "`Remarks: null` to ignore), for layouts the built-in headers do not cover.")
@click.option("--repo", "repo_path", default=".", type=click.Path(path_type=Path),
              help="The ISMS repository (default: the current directory).")
@click.option("--today", type=DateType(),
              help="The day `isms check` is previewed for on what would be written.")
@click.option("--write", is_flag=True, help="Write the new entities (default: dry run).")
@click.option("--update", is_flag=True,
              help="With --write, also rewrite existing entities the sheet changes.")
def import_xlsx(file: Path, kind: str, sheet: str | None, mapping: Path | None, repo_path: Path,
                today: dt.date | None, write: bool, update: bool) -> int:
    """Read a register from an Excel workbook: columns by header (English or Chinese, any case
    and spacing), dates as dates or text, merged cells, blank and total rows skipped. Prints
    per entity what would be created, updated or left unchanged, and every row that cannot be
    imported with its sheet, row and column. Exit 1 when any row could not be imported."""
    from isms.engine import load_repo
    from isms.import_plan import apply, render, with_preview
    from isms.xlsx_import import plan_import, read_mapping

    loaded = load_repo(repo_path)
    columns = read_mapping(mapping, kind) if mapping is not None else None
    plan = with_preview(plan_import(loaded.repo, file, kind, columns, sheet), loaded.repo,
                        loaded.catalogs, day(today))
    written = apply(loaded.config.root, plan, update) if write else []
    click.echo(render(plan, write, update, written), nl=False)
    return 1 if plan.errors else 0


# --- strongdm/comply ----------------------------------------------------------------------------


@import_.command("comply")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--repo", "repo_path", default=".", type=click.Path(path_type=Path),
              help="The ISMS repository (default: the current directory).")
@click.option("--owner", metavar="ROLE",
              help="Role that owns the imported drafts (default: the first role in isms.yaml).")
@click.option("--policy", metavar="ID",
              help="Policy the procedures implement (default: the first imported policy).")
@click.option("--framework", "frameworks", multiple=True, metavar="KEY=CATALOG",
              help="Map a comply `satisfies` framework to a catalog, e.g. 'TSC=soc2-tsc' "
                   "(repeatable; ISO 27001 → iso27001-2022 is found by itself).")
@click.option("--lang", metavar="LANG",
              help="Language of the comply text (default: en when configured, else the first "
                   "language of isms.yaml).")
@click.option("--today", type=DateType(),
              help="Date of the history entry of documents without majorRevisions, and the "
                   "day `isms check` is previewed for (default: today).")
@click.option("--write", is_flag=True, help="Write the new drafts (default: dry run).")
@click.option("--update", is_flag=True,
              help="With --write, also rewrite drafts imported earlier from the same files.")
def import_comply(directory: Path, repo_path: Path, owner: str | None, policy: str | None,
                  frameworks: tuple[str, ...], lang: str | None, today: dt.date | None,
                  write: bool, update: bool) -> int:
    """Turn a strongdm/comply repository (policies/, procedures/, narratives/ as Markdown with
    front matter) into isms draft policies and procedures: body → text, majorRevisions →
    history, satisfies → requirements where a catalog has the ids (the rest is reported).
    Dry run by default; exit 1 when a document could not be imported."""
    from isms.comply import Options, parse_framework_options, plan_comply_import
    from isms.engine import load_repo
    from isms.errors import UsageError
    from isms.import_plan import apply, render, with_preview

    loaded = load_repo(repo_path)
    config = loaded.config
    if owner is None:
        if not config.roles:
            raise UsageError("isms.yaml defines no roles", hint="add one, or give --owner")
        owner = next(iter(config.roles))
    languages = config.languages or ("en",)
    language = lang or ("en" if "en" in languages else languages[0])
    options = Options(owner, language, day(today), policy,
                      parse_framework_options(frameworks))
    plan = with_preview(plan_comply_import(loaded.repo, loaded.catalogs, directory, options),
                        loaded.repo, loaded.catalogs, options.today)
    written = apply(config.root, plan, update) if write else []
    click.echo(render(plan, write, update, written), nl=False)
    return 1 if plan.errors else 0
