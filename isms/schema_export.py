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


def schema_files(rel_dir: str) -> tuple[dict[str, str], dict[str, object]]:
    """The schema files under ``rel_dir`` and the editor settings that point at them."""
    files = {f"{rel_dir}/{name}.schema.json": schema_text(name) for name in SCHEMA_NAMES}
    mapping = {f"./{rel_dir}/{name}.schema.json": globs for name, globs in EDITOR_GLOBS.items()}
    return files, {"yaml.schemas": mapping}


def export_schemas(directory: Path, workspace: Path) -> list[Path]:
    """Write every schema and the mapping; return the paths written, sorted."""
    rel = Path(os.path.relpath(directory.resolve(), workspace.resolve())).as_posix()
    files, settings = schema_files(rel)
    written = []
    for name in SCHEMA_NAMES:
        target = directory / f"{name}.schema.json"
        atomic_write(target, files[f"{rel}/{name}.schema.json"])
        written.append(target)
    target = directory / SETTINGS_NAME
    atomic_write(target, json.dumps(settings, indent=2) + "\n")
    written.append(target)
    return sorted(written)
