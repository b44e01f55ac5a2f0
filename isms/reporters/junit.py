"""JUnit XML for CI test tabs: one test suite per file with findings, one case per finding.

Findings at or above ``--fail-on`` are failures; findings below it are reported as skipped
cases so they stay visible without failing the tab.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isms.engine import CheckResult
from isms.findings import Finding


def render(result: CheckResult, quiet: bool = False) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_file[f.path].append(f)
    failing = result.failing
    root = ET.Element("testsuites", {
        "name": "isms check",
        "tests": str(max(len(result.findings), 1)),
        "failures": str(len(failing)),
        "errors": "0",
    })
    if not by_file:
        suite = ET.SubElement(root, "testsuite", {"name": "isms check", "tests": "1",
                                                  "failures": "0", "errors": "0", "skipped": "0"})
        ET.SubElement(suite, "testcase", {"classname": "isms", "name": f"{result.files} files"})
    for path in sorted(by_file):
        items = by_file[path]
        fails = [f for f in items if f in failing]
        suite = ET.SubElement(root, "testsuite", {
            "name": path,
            "tests": str(len(items)),
            "failures": str(len(fails)),
            "errors": "0",
            "skipped": str(len(items) - len(fails)),
        })
        for f in items:
            case = ET.SubElement(suite, "testcase", {
                "classname": path,
                "name": f"{f.code} {f.rule.name} at line {f.line}",
                "file": path,
                "line": str(f.line),
            })
            body = f"{path}:{f.line}:{f.col}: {f.message}" + (f"\nhint: {f.hint}" if f.hint else "")
            if f in failing:
                node = ET.SubElement(case, "failure", {
                    "type": f"{f.code} {f.severity.label}",
                    "message": f.message,
                })
                node.text = body
            else:
                node = ET.SubElement(case, "skipped", {"message": f"{f.severity.label}: {f.message}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
