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
