"""Validating OSCAL documents against the official NIST OSCAL 1.2.1 JSON Schemas.

The schemas (tests/schemas/oscal/) write their patterns with `\\p{L}` and `\\p{N}`, which Python's
`re` cannot compile, so the `pattern` keyword is re-implemented with the `regex` package.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import regex
from jsonschema import Draft7Validator, ValidationError, validators

from conftest import TESTS

SCHEMAS = TESTS / "schemas" / "oscal"
SCHEMA_OF = {"catalog": "catalog", "profile": "profile", "system-security-plan": "ssp",
             "assessment-plan": "assessment-plan", "assessment-results": "assessment-results",
             "mapping-collection": "mapping"}


@functools.cache
def _compiled(pattern: str) -> Any:
    return regex.compile(pattern)


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if isinstance(instance, str) and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})


@functools.cache
def _validator(model: str) -> Any:
    schema = json.loads((SCHEMAS / f"oscal_{SCHEMA_OF[model]}_schema.json").read_text("utf-8"))
    return OscalValidator(schema)


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every schema violation, as 'path: message'; [] when the document is valid."""
    (model,) = document
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}"
                  for e in _validator(model).iter_errors(document))
