"""Human-readable findings: ``path:line:col: CODE severity message`` plus a hint line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isms.engine import CheckResult


def _plural(n: int, word: str) -> str:
    if word == "info":
        return f"{n} info"
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(result: CheckResult) -> str:
    counts = result.counts()
    parts = ", ".join(_plural(counts[s], s) for s in ("error", "warning", "info"))
    verdict = (f"failed (--fail-on {result.fail_on.label})" if result.failed
               else "passed")
    files = _plural(result.files, "file")
    return f"{files} checked: {parts}; {verdict}"


def render(result: CheckResult, quiet: bool = False) -> str:
    """``quiet`` prints only the findings that fail the gate, without hints or summary."""
    lines = []
    shown = result.failing if quiet else result.findings
    for f in shown:
        lines.append(f"{f.path}:{f.line}:{f.col}: {f.code} {f.severity.label} {f.message}")
        if f.hint and not quiet:
            lines.append(f"    hint: {f.hint}")
    if not quiet:
        lines.append(summary(result))
    return "\n".join(lines) + ("\n" if lines else "")
