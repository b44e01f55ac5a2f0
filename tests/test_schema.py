"""The shipped JSON Schemas: generated, complete for editors, and exported with a mapping."""

from __future__ import annotations

import importlib.util
import json

from jsonschema import Draft202012Validator

from conftest import REPO
from isms.schema import SCHEMA_NAMES, load_schema


def _generator():
    spec = importlib.util.spec_from_file_location("gen_schemas", REPO / "tools" / "gen_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_schemas_match_the_generator():
    gen = _generator()
    for name, schema in gen.all_schemas().items():
        committed = (REPO / "isms" / "schemas" / f"{name}.schema.json").read_text("utf-8")
        assert committed == gen.render(schema), f"run python tools/gen_schemas.py ({name})"


def test_every_schema_is_valid_with_id_and_documented_properties():
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == f"urn:isms:schema:v1:{name}"
        undocumented = []

        def walk(node, path, undocumented=undocumented):
            if isinstance(node, dict):
                for key, sub in (node.get("properties") or {}).items():
                    if path.endswith("/if"):
                        continue
                    if not (sub.get("description") and sub.get("examples")):
                        undocumented.append(f"{path}/{key}")
                for key, sub in node.items():
                    walk(sub, f"{path}/{key}", undocumented)
            elif isinstance(node, list):
                for i, sub in enumerate(node):
                    walk(sub, f"{path}/{i}", undocumented)

        walk(schema, "")
        assert undocumented == [], name


def test_entity_schema_dispatches_on_kind():
    from jsonschema import Draft202012Validator as V

    validator = V(load_schema("entity"))
    assert not list(validator.iter_errors({"kind": "asset", "id": "AST-1", "type": "server"}))
    errors = list(validator.iter_errors({"kind": "asset", "id": "AST-1", "type": "toaster"}))
    assert errors


def test_schema_export_writes_schemas_and_editor_mapping(cli, tmp_path):
    run = cli("schema", "export", "schemas", cwd=tmp_path)
    assert run.code == 0
    written = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert written == sorted([f"{n}.schema.json" for n in SCHEMA_NAMES] + ["vscode-settings.json"])
    settings = json.loads((tmp_path / "schemas" / "vscode-settings.json").read_text())
    mapping = settings["yaml.schemas"]
    assert mapping["./schemas/policy.schema.json"] == ["policies/**/*.yaml", "policies/**/*.yml"]
    assert "registers/**/*.yaml" in mapping["./schemas/entity.schema.json"]
    assert mapping["./schemas/config.schema.json"] == ["isms.yaml"]
    exported = json.loads((tmp_path / "schemas" / "control.schema.json").read_text())
    assert exported == load_schema("control")


def _documents():
    from isms.loader import Limits, read_file

    for base in [REPO, *sorted((REPO / "tests" / "fixtures").iterdir())]:
        for folder in ("policies", "procedures", "documents", "controls", "registers", "evidence"):
            for path in sorted((base / folder).rglob("*.yaml")) if (base / folder).is_dir() else []:
                data = read_file(base, path.relative_to(base).as_posix(), Limits()).data
                if isinstance(data, dict) and data.get("kind") in SCHEMA_NAMES:
                    yield data


def _mutations(data):
    """Each top-level field replaced by a wrong value, removed, or an unknown key added."""
    for key, value in data.items():
        for wrong in (None, 12345, "not-valid value", [], {"x": 1}, "2026-02-30"):
            if wrong != value:
                yield {**data, key: wrong}
        yield {k: v for k, v in data.items() if k != key}
    yield {**data, "unknown_field": 1}


def test_fast_validator_agrees_with_the_detailed_one():
    from isms.schema import fast_validator, validator

    checked = 0
    for data in _documents():
        kind = data["kind"]
        fast, full = fast_validator(kind), validator(kind)
        assert fast is not None
        for candidate in [data, *_mutations(data)][:60]:
            assert fast.is_valid(candidate) == full.is_valid(candidate), (kind, candidate)
            checked += 1
    assert checked > 10_000
