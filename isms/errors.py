"""Exceptions that end a run, each carrying the exit code the CLI returns.

Exit codes (documented in the README as well):

====  ==========================================================================
 0    nothing at or above ``--fail-on``
 1    findings fail the gate (not an exception: the CLI decides from the result)
 2    the run could not be done as asked: bad option, missing or invalid
      ``isms.yaml``, PATH not found
 3    internal error (a bug in isms)
130   interrupted
====  ==========================================================================
"""

from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class IsmsError(Exception):
    """A run that cannot be done as asked. The message is shown to the user as is."""

    exit_code: ClassVar[int] = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(IsmsError):
    """Options that contradict each other or name things that do not exist."""


class RepoNotFoundError(IsmsError):
    """PATH does not exist or no isms.yaml is found in it or its parents."""


class ConfigError(IsmsError):
    """isms.yaml cannot be read or does not match its schema."""


class InternalError(IsmsError):
    exit_code: ClassVar[int] = EXIT_INTERNAL
