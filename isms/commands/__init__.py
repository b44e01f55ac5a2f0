"""Command groups beyond `check`, one module each, imported by the root group when one of
their commands is asked for (:class:`LazyGroup`).

Each module defines click commands that parse options, call plain functions of the core and
print; heavy imports stay inside the command functions so `isms --help` stays fast.
"""

from __future__ import annotations

import importlib

import click

# command name → (module, attribute holding the click command or group)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("isms.commands.scaffold", "init"),
    "new": ("isms.commands.scaffold", "new"),
    "stats": ("isms.commands.stats", "stats"),
    "diff": ("isms.commands.history", "diff"),
    "history": ("isms.commands.history", "history"),
    "vendors": ("isms.commands.vendors", "vendors"),
    "assets": ("isms.commands.assets", "assets"),
    "budget": ("isms.commands.budget", "budget"),
    "graph": ("isms.commands.graph", "graph"),
    "gap": ("isms.commands.gap", "gap"),
    "soa": ("isms.commands.gap", "soa"),
    "report": ("isms.commands.report", "report"),
    "bundle": ("isms.commands.report", "bundle"),
    "risks": ("isms.commands.gap", "risks"),
    "export": ("isms.commands.interop", "export"),
    "import": ("isms.commands.interop", "import_"),
}


class LazyGroup(click.Group):
    """The root group: the commands in :data:`COMMANDS` are imported when asked for by name
    (or all, to list them in the help), so `isms check` builds none of their hundred-odd
    options, each of which looks up its translations on disk."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMANDS:
            module, attr = COMMANDS[cmd_name]
            found = getattr(importlib.import_module(module), attr)
            assert isinstance(found, click.Command) and found.name == cmd_name
            self.add_command(found)
        return found
