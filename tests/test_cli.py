"""The CLI through its real entry point: exit codes, options, output files, explain."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, TODAY, findings_of


def test_exit_0_1_and_fail_on(cli):
    assert cli("check", "tests/fixtures/clean", "--today", TODAY).code == 0
    assert cli("check", "tests/fixtures/doc_control", "--today", TODAY).code == 1
    only_warnings = ("check", "tests/fixtures/doc_control", "--today", TODAY, "--select", "D005,D006")
    assert cli(*only_warnings).code == 0
    assert cli(*only_warnings, "--fail-on", "warning").code == 1
    info = ("check", "tests/fixtures/doc_control", "--today", TODAY, "--select", "D008")
    assert cli(*info, "--fail-on", "warning").code == 0
    assert cli(*info, "--fail-on", "info").code == 1


def test_select_and_ignore_accept_codes_and_prefixes(cli):
    base = ("check", "tests/fixtures/doc_control", "--today", TODAY, "--format", "json")
    assert {f[0] for f in findings_of(cli(*base, "--select", "D00"))} == {
        "D001", "D002", "D003", "D004", "D005", "D006", "D007", "D008"}
    assert {f[0] for f in findings_of(cli(*base, "--ignore", "D004", "--ignore", "D005,D007"))} == {
        "D001", "D002", "D003", "D006", "D008"}


def test_config_checks_settings_apply(cli, make_repo):
    repo = make_repo("doc_control")
    config = repo / "isms.yaml"
    config.write_text(config.read_text()
                      + "checks:\n  ignore: [D004]\n  severity: {D005: error}\n  fail_on: info\n")
    run = cli("check", str(repo), "--today", TODAY, "--format", "json")
    codes = {f["code"]: f["severity"] for f in run.json()["findings"]}
    assert "D004" not in codes
    assert codes["D005"] == "error"
    assert run.json()["fail_on"] == "info"
    assert cli("check", str(repo), "--today", TODAY, "--select", "D008").code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "does/not/exist"), "path not found"),
        (("check", "--select", "Z9"), "matches no finding code"),
        (("check", "--today", "2026-13-01"), "not a date"),
        (("check", "--format", "xml"), "Invalid value for '--format'"),
        (("explain", "Q123"), "unknown finding code"),
        (("explain",), "give a finding CODE or --list"),
        (("frobnicate",), "No such command"),
    ],
)
def test_exit_2_when_the_run_cannot_be_done(cli, args, message):
    run = cli(*args, cwd=REPO / "tests" / "fixtures" / "clean")
    assert run.code == 2
    assert message in run.err


def test_exit_2_outside_a_repository(cli, tmp_path):
    run = cli("check", str(tmp_path))
    assert run.code == 2
    assert "not an isms repository" in run.err
    assert "isms init" in run.err


def test_exit_2_for_invalid_config(cli, make_repo):
    repo = make_repo("clean")
    (repo / "isms.yaml").write_text("organisation: X\nlanguages: english\nfolders: [a, a]\n")
    run = cli("check", str(repo))
    assert run.code == 2
    assert "isms.yaml:2:1: 'english' is not of type 'array'" in run.err
    (repo / "isms.yaml").write_text("organisation: [unclosed\n")
    run = cli("check", str(repo))
    assert run.code == 2
    assert "invalid configuration: isms.yaml:2:1" in run.err


def test_check_finds_the_repository_from_a_subdirectory(cli):
    run = cli("check", "--today", TODAY, cwd=REPO / "tests" / "fixtures" / "clean" / "policies")
    assert run.code == 0
    assert "10 files checked" in run.out


def test_internal_error_is_exit_3_without_traceback_unless_debug(cli, monkeypatch):
    import isms.engine

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(isms.engine, "run_check", boom)
    run = cli("check", "tests/fixtures/clean")
    assert run.code == 3
    assert "internal error: RuntimeError: simulated bug" in run.err
    assert "Traceback" not in run.err
    run = cli("--debug", "check", "tests/fixtures/clean")
    assert run.code == 3
    assert "Traceback" in run.err


def test_output_file_is_written_atomically(cli, tmp_path):
    target = tmp_path / "out" / "report.sarif"
    run = cli("check", "tests/fixtures/doc_control", "--today", TODAY, "--format", "sarif",
              "--output", str(target))
    assert run.code == 1
    assert run.out == ""
    assert target.read_text().startswith("{")
    assert [p.name for p in target.parent.iterdir()] == ["report.sarif"]


def test_a_failed_output_write_leaves_the_old_file_whole(cli, tmp_path, monkeypatch):
    """The report is written beside the target and renamed over it: if the rename never
    happens (a crash, a full disk), the old file is still there, whole."""
    import isms.fsutil

    target = tmp_path / "report.sarif"
    target.write_text("the previous report\n")

    def no_rename(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(isms.fsutil.os, "replace", no_rename)
    run = cli("check", "tests/fixtures/doc_control", "--today", TODAY, "--format", "sarif",
              "--output", str(target))
    assert run.code != 0
    assert target.read_text() == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.sarif"]


def test_quiet_prints_only_failing_findings(cli):
    run = cli("check", "tests/fixtures/doc_control", "--today", TODAY, "--quiet")
    lines = run.out.splitlines()
    assert len(lines) == 5
    assert all(" error " in line for line in lines)
    assert cli("check", "tests/fixtures/clean", "--today", TODAY, "-q").out == ""


def test_same_input_gives_same_bytes(cli):
    args = ("check", "tests/fixtures/references", "--today", TODAY, "--format", "sarif")
    assert cli(*args).out == cli(*args).out
    # Separate processes with different hash seeds: no output order may depend on set order.
    runs = [subprocess.run([sys.executable, "-m", "isms", *args, "--no-cache"], cwd=REPO,
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
            for seed in ("1", "2", "3")]
    assert runs[0].stdout and runs[0].stdout == runs[1].stdout == runs[2].stdout


def test_explain_and_list(cli):
    run = cli("explain", "Y002")
    assert run.code == 0
    assert run.out.startswith("Y002 duplicate-key (error)\nDuplicate key in a mapping\n")
    assert "keeps the first value" in run.out
    assert cli("explain", "duplicate-key").out == run.out
    listing = cli("explain", "--list").out.splitlines()
    assert listing[0].startswith("Y001  error    yaml-syntax")
    assert any(line.startswith("D005  warning  review-overdue") for line in listing)


def test_version_and_python_m():
    out = subprocess.run([sys.executable, "-m", "isms", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "isms, version 0.1.0"


def test_console_script_runs_check(tmp_path: Path):
    exe = Path(sys.executable).parent / "isms"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "isms"]
    out = subprocess.run([*command, "check", str(REPO / "tests/fixtures/clean"), "--today", TODAY],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "10 files checked: 0 errors, 0 warnings, 0 info; passed\n"


def test_version_does_not_import_the_engine():
    code = ("import sys; from isms.cli import cli\n"
            "try:\n    cli(['--version'])\nexcept SystemExit as e:\n    assert e.code == 0\n"
            "assert 'jsonschema' not in sys.modules and 'jinja2' not in sys.modules "
            "and 'isms.engine' not in sys.modules, sorted(sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.startswith("isms, version ")


def test_check_imports_no_other_command():
    """The other commands' modules (and their options) are built only when asked for."""
    code = ("import sys; from isms.cli import main\n"
            f"try:\n    main(['check', {str(REPO / 'tests/fixtures/clean')!r}, '--today', {TODAY!r}])\n"
            "except SystemExit as e:\n    assert e.code == 0\n"
            "print(sorted(m for m in sys.modules if m.startswith('isms.commands.')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "['isms.commands._common']"


def test_every_command_is_listed_and_runs_by_name(cli):
    from isms.commands import COMMANDS

    listed = cli("--help").out
    for name in COMMANDS:
        assert f"\n  {name} " in listed, name
        assert cli(name, "--help").code == 0, name
