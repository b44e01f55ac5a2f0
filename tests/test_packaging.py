"""The wheel carries its data files (schemas, catalogs), read through importlib.resources."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from conftest import REPO
from isms.schema import SCHEMA_NAMES


def test_wheel_contains_package_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True,
    )
    (wheel,) = tmp_path.glob("isms-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in SCHEMA_NAMES:
        assert f"isms/schemas/{name}.schema.json" in names
    assert "isms/catalogs/iso27001-2022.yaml" in names
    assert "isms/catalogs/gbt22239-2019-l3.yaml" in names
    assert "isms/catalogs/mappings/iso27001-2022--gbt22239-2019-l3.yaml" in names
    assert "isms/py.typed" in names
    for module in ("isms/cli.py", "isms/commands/__init__.py", "isms/commands/scaffold.py",
                   "isms/reporters/sarif.py"):
        assert module in names
    reference = {n for n in names if n.startswith("isms/reference/")}
    assert "isms/reference/isms.yaml" in reference
    kinds = {"policies": 8, "procedures": 21, "documents": 66, "controls": 93}
    for folder, count in kinds.items():
        assert len([n for n in reference if n.startswith(f"isms/reference/{folder}/")]) == count
    assert any(n.startswith("isms/reference/registers/") for n in reference)
    assert any(n.endswith(".csv") for n in reference)
