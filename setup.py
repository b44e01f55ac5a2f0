"""Build hook: ship the top-level reference ISMS inside the wheel as isms/reference/.

The reference content lives once, at the top of the repository (where it is checked by
`isms check` like any ISMS); this copies it into the built package so `isms init` can scaffold
from it after a plain `pip install`. In a source checkout, isms finds the same folders
directly (see isms/reference.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
REFERENCE = ("isms.yaml", "policies", "procedures", "documents", "controls", "registers", "evidence")


class BuildWithReference(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "isms" / "reference"
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in REFERENCE:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name,
                                ignore=shutil.ignore_patterns("__pycache__", ".*"))
            elif source.is_file():
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithReference})
