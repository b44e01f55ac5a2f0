"""Findings as one JSON document, for scripts. Paths are repository-relative."""

from __future__ import annotations

from typing import TYPE_CHECKING

from isms import __version__
from isms.tabular import json_text

if TYPE_CHECKING:
    from isms.engine import CheckResult


def render(result: CheckResult, quiet: bool = False) -> str:
    counts = result.counts()
    doc = {
        "tool": {"name": "isms", "version": __version__},
        "today": result.today.isoformat(),
        "fail_on": result.fail_on.label,
        "passed": not result.failed,
        "summary": {"files": result.files, **counts},
        "findings": [
            {
                "code": f.code,
                "name": f.rule.name,
                "severity": f.severity.label,
                "path": f.path,
                "line": f.line,
                "col": f.col,
                "message": f.message,
                "hint": f.hint,
                "json_path": f.json_path,
            }
            for f in result.findings
        ],
    }
    return json_text(doc)
