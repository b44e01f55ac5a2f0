"""Findings and the registry of finding codes.

Every problem isms can report has a stable code (``Y002``), a slug (``duplicate-key``), a
default severity, a one-line title and an explanation that says why it matters and how to fix
it. Codes are never reused or renumbered: CI configurations and ``--ignore`` lists depend on
them. ``docs/checks.md`` is generated from this registry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    title: str
    explanation: str

    @property
    def family(self) -> str:
        return self.code.rstrip("0123456789")


RULES: dict[str, Rule] = {}

FAMILIES = {
    "Y": "Loading: YAML syntax and hostile input",
    "S": "Schema: the file format",
    "R": "References between entities and to framework requirements",
    "D": "Document control",
    "T": "Text and translations",
    "C": "Controls and the Statement of Applicability",
    "K": "Risks and their treatment",
    "G": "The dependency graph: third-party access and orphans",
    "V": "Vendors and outsourcing: SLAs, evaluations, certified staff, contracts, activity risk",
}


def rule(code: str, name: str, severity: Severity, title: str, explanation: str) -> Rule:
    """Register a finding code. Registering the same code twice is a programming error."""
    if code in RULES:
        raise RuntimeError(f"finding code {code} registered twice")
    registered = Rule(code, name, severity, title, explanation.strip())
    RULES[code] = registered
    return registered


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place. Ordering is (path, line, col, code, message): stable output."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: Severity = Severity.ERROR
    hint: str = ""
    json_path: str = ""

    @property
    def rule(self) -> Rule:
        return RULES[self.code]


def make(
    r: Rule,
    path: str,
    line: int,
    col: int,
    message: str,
    hint: str = "",
    json_path: str = "",
) -> Finding:
    return Finding(path, max(line, 1), max(col, 1), r.code, message, r.severity, hint, json_path)
