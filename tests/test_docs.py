"""Generated documentation and the README's promises stay true."""

from __future__ import annotations

import re

from conftest import REPO
from isms.rules import all_rules, markdown_table


def test_checks_md_matches_the_registry(cli):
    committed = (REPO / "docs" / "checks.md").read_text("utf-8")
    assert committed == markdown_table(), "regenerate: isms explain --markdown > docs/checks.md"
    assert cli("explain", "--markdown").out == committed
    for r in all_rules():
        assert f"| {r.code} | `{r.name}` |" in committed


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text("utf-8")
    commands = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    setup = commands[0].strip().splitlines()
    assert len(setup) == 2, "README set-up is two commands"
    ci = (REPO / ".ci" / "run").read_text("utf-8")
    assert setup[1] in ci


def test_readme_lists_every_exit_code():
    readme = (REPO / "README.md").read_text("utf-8")
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in readme
