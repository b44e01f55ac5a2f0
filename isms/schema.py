"""The JSON Schemas (package data) and validation of entities against them.

Validators are built once per process and reused for every file. Each schema violation
becomes one finding on the line of the offending key, with the JSON path, so an author can go
straight to it; unknown keys get their own code and a "did you mean" hint.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from isms.findings import Finding, Severity, make, rule
from isms.loader import JsonPath, line_of

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

MarkMap = Mapping[JsonPath, tuple[int, int]]

KINDS = (
    "policy", "procedure", "document", "control", "third-party", "activity", "risk", "asset",
    "evaluation", "evidence", "budget-standard",
)
SCHEMA_NAMES = (*KINDS, "config", "catalog", "mapping", "entity")

S_VIOLATION = rule(
    "S001", "schema-violation", Severity.ERROR, "Value does not match the file format",
    """
    A field has the wrong type, a value outside its allowed set, a bad pattern (an id, a date,
    a version) or a required field is missing. The finding names the field by its JSON path
    and says what was expected. The format is documented in docs/format.md, and `isms schema
    export` gives your editor the same rules so it flags the mistake while you type.
    """,
)
S_UNKNOWN_FIELD = rule(
    "S002", "unknown-field", Severity.ERROR, "Unknown field",
    """
    The file has a key that its kind does not define. Unknown keys are almost always typos
    (`implemented-by` for `implemented_by`, `owners` for `owner`) and would otherwise be
    silently ignored. Fix the spelling (the hint suggests the closest known field), or, for
    your own extension data, start the key with `x-`.
    """,
)


@cache
def schema_text(name: str) -> str:
    return (resources.files("isms") / "schemas" / f"{name}.schema.json").read_text("utf-8")


@cache
def load_schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text(name))
    return data


@cache
def validator(name: str) -> Draft202012Validator:
    """The detailed validator (imported on first use: valid documents never need it)."""
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator(load_schema(name), format_checker=FormatChecker(("date",)))


def json_path(path: JsonPath) -> str:
    out = "$"
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", str(part)):
            out += f".{part}"
        else:
            out += f"[{json.dumps(str(part), ensure_ascii=False)}]"
    return out


def _subschema_description(error: ValidationError) -> str:
    schema = error.schema if isinstance(error.schema, dict) else {}
    desc = schema.get("description", "")
    examples = schema.get("examples")
    if examples:
        shown = json.dumps(examples[0], ensure_ascii=False)
        if len(shown) <= 60:
            return f"{desc} e.g. {shown}".strip()
    return str(desc)


def _message(error: ValidationError) -> str:
    v = error.validator
    inst = error.instance
    if v == "required":
        return str(error.message).replace(" is a required property", " is required")
    if v == "enum":
        allowed = ", ".join(str(x) for x in list(error.validator_value))  # type: ignore[arg-type]
        return f"{_short(inst)} is not one of: {allowed}"
    if v == "const":
        return f"{_short(inst)} must be {error.validator_value!r}"
    if v == "pattern":
        return f"{_short(inst)} does not have the expected form"
    if v == "format":
        return f"{_short(inst)} is not a valid {error.validator_value}"
    if v == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{_short(inst)} is a {_json_type(inst)}, expected {expected}"
    if v == "uniqueItems":
        return "the list contains the same item twice"
    return str(error.message)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _known_properties(schema: dict[str, Any], root: dict[str, Any]) -> list[str]:
    if "$ref" in schema and "properties" not in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return _known_properties(target, root)
    return list(schema.get("properties", {}))


@cache
def fast_validator(name: str) -> Any:
    """A compiled validator (jsonschema-rs) that only answers valid/invalid, ~100× faster.

    Most documents are valid, so this decides the common case; the detailed validator runs
    only on documents it rejects, to report each violation with its line. None when the
    compiled validator is not installed (isms then validates everything in Python).
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - jsonschema-rs has wheels for common platforms
        return None
    return jsonschema_rs.validator_for(load_schema(name), validate_formats=True)


def schema_errors(name: str, data: Any) -> Iterator[ValidationError]:
    """Every violation of schema ``name`` by ``data``; the compiled validator settles the
    usual case, a valid document, without the detailed one."""
    fast = fast_validator(name)
    if fast is not None and fast.is_valid(data):
        return iter(())
    return validator(name).iter_errors(data)


def validate(kind: str, data: dict[str, Any], path: str, marks: MarkMap) -> list[Finding]:
    """Validate one entity against its kind's schema; one finding per violation."""
    findings: list[Finding] = []
    for error in schema_errors(kind, data):
        findings.extend(_to_findings(error, path, marks, load_schema(kind)))
    return findings


def _to_findings(
    error: ValidationError, path: str, marks: MarkMap, root: dict[str, Any]
) -> Iterator[Finding]:
    where: JsonPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = _known_properties(schema, root)
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        for key in error.instance:
            if key in known or any(p.search(str(key)) for p in patterns):
                continue
            key_path = (*where, key)
            line, col = line_of(marks, key_path)
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = (f"did you mean `{close[0]}`?" if close
                    else "known fields: " + ", ".join(known) if known else "")
            yield make(S_UNKNOWN_FIELD, path, line, col, f"unknown field {str(key)!r}",
                       hint, json_path(key_path))
        return
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        line, col = line_of(marks, where)
        yield make(S_VIOLATION, path, line, col, _message(error),
                   f"add `{missing}:`" if missing else "", json_path((*where, missing)))
        return
    line, col = line_of(marks, where)
    yield make(S_VIOLATION, path, line, col, f"{json_path(where)}: {_message(error)}",
               _subschema_description(error), json_path(where))
