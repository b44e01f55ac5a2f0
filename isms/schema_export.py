"""`isms schema export`: the schemas as files, plus an editor mapping from file globs to them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from isms.fsutil import atomic_write
from isms.schema import SCHEMA_NAMES, schema_text

# Folders that hold one kind get that kind's schema; mixed folders get the dispatching one.
EDITOR_GLOBS: dict[str, list[str]] = {
    "policy": ["policies/**/*.yaml", "policies/**/*.yml"],
    "procedure": ["procedures/**/*.yaml", "procedures/**/*.yml"],
    "document": ["documents/**/*.yaml", "documents/**/*.yml"],
    "control": ["controls/**/*.yaml", "controls/**/*.yml"],
    "entity": ["registers/**/*.yaml", "registers/**/*.yml", "evidence/**/*.yaml",
               "evidence/**/*.yml"],
    "config": ["isms.yaml"],
}

SETTINGS_NAME = "vscode-settings.json"


def export_schemas(directory: Path, workspace: Path) -> list[Path]:
    """Write every schema and the mapping; return the paths written, sorted."""
    written = []
    for name in SCHEMA_NAMES:
        target = directory / f"{name}.schema.json"
        atomic_write(target, schema_text(name))
        written.append(target)
    rel = Path(os.path.relpath(directory.resolve(), workspace.resolve())).as_posix()
    mapping = {
        f"./{rel}/{name}.schema.json": globs for name, globs in EDITOR_GLOBS.items()
    }
    settings = {"yaml.schemas": mapping}
    target = directory / SETTINGS_NAME
    atomic_write(target, json.dumps(settings, indent=2) + "\n")
    written.append(target)
    return sorted(written)
