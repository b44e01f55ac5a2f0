"""Output formats for `isms check`: one module per format, each with ``render(result, quiet)``
returning a string.

The registry maps format names to modules and fills the CLI's ``--format`` choices; modules
are imported only when their format is used, so listing the choices costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from isms.engine import CheckResult

REPORTERS: dict[str, str] = {
    "text": "isms.reporters.text",
    "json": "isms.reporters.json",
    "sarif": "isms.reporters.sarif",
    "junit": "isms.reporters.junit",
    "github": "isms.reporters.github",
}


def get_reporter(name: str) -> Callable[[CheckResult, bool], str]:
    module = importlib.import_module(REPORTERS[name])
    render: Callable[[CheckResult, bool], str] = module.render
    return render
