"""Command groups beyond `check`, one module each, registered on the root group by cli.py.

Each module defines click commands that parse options, call plain functions of the core and
print; heavy imports stay inside the command functions so `isms --help` stays fast.
"""

from __future__ import annotations

import importlib

import click

# module name → attribute holding the click command or group
COMMANDS: tuple[tuple[str, str], ...] = (
    ("isms.commands.scaffold", "init"),
    ("isms.commands.scaffold", "new"),
    ("isms.commands.stats", "stats"),
    ("isms.commands.history", "diff"),
    ("isms.commands.history", "history"),
    ("isms.commands.vendors", "vendors"),
    ("isms.commands.assets", "assets"),
    ("isms.commands.budget", "budget"),
    ("isms.commands.graph", "graph"),
    ("isms.commands.gap", "gap"),
    ("isms.commands.gap", "soa"),
    ("isms.commands.report", "report"),
    ("isms.commands.report", "bundle"),
    ("isms.commands.gap", "risks"),
    ("isms.commands.interop", "export"),
    ("isms.commands.interop", "import_"),
)


def register(group: click.Group) -> None:
    for module, attr in COMMANDS:
        group.add_command(getattr(importlib.import_module(module), attr))
