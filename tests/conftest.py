"""Shared fixtures: run the real CLI entry point, copy fixture repos, compare golden files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from isms.cli import main

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
GOLDEN = TESTS / "golden"
REPO = TESTS.parent
TODAY = "2026-11-15"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/* from the current output")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*args: str, cwd: Path | None = None) -> Run:
    """Run ``isms.cli.main`` in-process, exactly as the console script does."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli() -> Callable[..., Run]:
    return run_cli


@pytest.fixture(scope="session", autouse=True)
def _fixture_caches_removed() -> Any:
    """Tests that check a fixture in place leave its result cache there: remove those before
    and after the session, so that no run starts from a cache an older isms wrote and the
    source tree is left as it was found."""
    def remove() -> None:
        for cache in FIXTURES.glob("*/.isms_cache"):
            shutil.rmtree(cache, ignore_errors=True)

    remove()
    yield
    remove()


@dataclass
class StageRuns:
    """Which whole-repository checks ran (rather than came from the cache), call by call."""

    full: int = 0  # runs of the whole stage
    checks: list[str] = field(default_factory=list)  # their names, in the order run

    def since(self, mark: tuple[int, int]) -> tuple[bool, set[str]]:
        """Whether the whole stage ran since ``mark``, and which checks did."""
        return self.full > mark[0], set(self.checks[mark[1]:])

    @property
    def mark(self) -> tuple[int, int]:
        return self.full, len(self.checks)


@pytest.fixture
def stage_runs(monkeypatch: pytest.MonkeyPatch) -> StageRuns:
    import isms.checks
    import isms.engine

    seen = StageRuns()
    whole, recorded = isms.engine._whole_repo, isms.checks.run_recorded

    def count_whole(*args: Any, **kwargs: Any) -> Any:
        seen.full += 1
        return whole(*args, **kwargs)

    def count_checks(ctx: Any, checks: Any, only: Any = None, subjects: Any = None,
                     record: bool = True) -> Any:
        checks = list(checks)
        seen.checks.extend(c.name for c in checks)
        return recorded(ctx, checks, only, subjects, record)

    monkeypatch.setattr(isms.engine, "_whole_repo", count_whole)
    monkeypatch.setattr(isms.checks, "run_recorded", count_checks)
    return seen


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[[str], Path]:
    """Copy ``tests/fixtures/<name>`` into a temp dir so a test can change it freely."""

    def make(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target, symlinks=True,
                        ignore=shutil.ignore_patterns(".isms_cache"))
        return target

    return make


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    update = request.config.getoption("--update-golden")

    def compare(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.write_text(actual, encoding="utf-8")
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert actual == path.read_text(encoding="utf-8")

    return compare


def findings_of(run: Run) -> set[tuple[str, str, int]]:
    """(code, path, line) of every finding in a JSON report."""
    return {(f["code"], f["path"], f["line"]) for f in run.json()["findings"]}
