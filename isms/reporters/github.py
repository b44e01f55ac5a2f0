"""GitHub Actions workflow commands: one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isms.engine import CheckResult
from isms.findings import Severity
from isms.reporters.text import summary

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: CheckResult, quiet: bool = False) -> str:
    lines = []
    for f in result.findings:
        message = f.message + (f"\nhint: {f.hint}" if f.hint else "")
        lines.append(
            f"::{COMMAND[f.severity]} file={_prop(f.path)},line={f.line},col={f.col},"
            f"title={_prop(f'{f.code} {f.rule.name}')}::{_data(message)}"
        )
    lines.append(summary(result))
    return "\n".join(lines) + "\n"
