# SPDX-License-Identifier: GPL-3.0-or-later
"""Atomic file writing and the JSON report."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager

from .errors import ImageToPrintError


def check_writable(path: str) -> str:
    """Absolute path of an output file whose folder exists and is writable."""
    path = os.path.abspath(os.fspath(path))
    folder = os.path.dirname(path)
    if os.path.isdir(path):
        raise ImageToPrintError(f"output path is a folder, not a file: {path}")
    if not os.path.isdir(folder):
        raise ImageToPrintError(f"output folder does not exist: {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ImageToPrintError(f"output folder is not writable: {folder}")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str):
    """Yield a temporary path beside ``path``; rename it over ``path`` on success.

    A failure (or a writer that leaves no file) removes the temporary file, so no
    partial output is ever left under the final name.
    """
    path = check_writable(path)
    folder, name = os.path.split(path)
    stem, ext = os.path.splitext(name)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{ext}", dir=folder)
    os.close(fd)
    try:
        yield tmp
        if not os.path.exists(tmp) or os.path.getsize(tmp) == 0:
            raise ImageToPrintError(f"the exporter wrote nothing for {name}")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_json(path: str, data: dict) -> str:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, sort_keys=False)
            fh.write("\n")
    return os.path.abspath(path)
