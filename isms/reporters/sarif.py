"""SARIF 2.1.0 for code-scanning annotations (validated against the official schema in tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from isms import __version__

if TYPE_CHECKING:
    from isms.engine import CheckResult
from isms.findings import Severity
from isms.tabular import json_text

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: CheckResult, quiet: bool = False) -> str:
    rules = list(result.rules)
    index = {r.code: i for i, r in enumerate(rules)}
    doc = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "isms",
                        "version": __version__,
                        "rules": [
                            {
                                "id": r.code,
                                "name": r.name,
                                "shortDescription": {"text": r.title},
                                "fullDescription": {"text": r.explanation},
                                "help": {
                                    "text": r.explanation,
                                    "markdown": f"**{r.code} {r.name}**: {r.title}\n\n"
                                                f"{r.explanation}",
                                },
                                "defaultConfiguration": {"level": LEVEL[r.severity]},
                            }
                            for r in rules
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": f.code,
                        "ruleIndex": index[f.code],
                        "level": LEVEL[f.severity],
                        "message": {
                            "text": f.message + (f" (hint: {f.hint})" if f.hint else "")
                        },
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": quote(f.path, safe="/"),
                                        "uriBaseId": "%SRCROOT%",
                                    },
                                    "region": {"startLine": f.line, "startColumn": f.col},
                                }
                            }
                        ],
                    }
                    for f in result.findings
                ],
                "invocations": [{"executionSuccessful": True}],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json_text(doc)
