"""Filesystem helpers: atomic writes, so no reader ever sees a half-written file, and the one
rule for whether a path stays inside the repository."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to a temp file in the same directory, fsync it, then rename over ``path``.

    The rename is atomic on POSIX and Windows, so ``path`` holds either its old content or the
    new one, never a mix; on any error the temp file is removed and ``path`` is untouched.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def is_inside(root_real: str, target_real: str) -> bool:
    """Whether ``target_real`` is ``root_real`` or below it (both already ``realpath``-ed, so
    symlinks and ``..`` have been resolved and cannot lead out)."""
    return target_real == root_real or target_real.startswith(root_real.rstrip(os.sep) + os.sep)
