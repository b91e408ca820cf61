# SPDX-License-Identifier: GPL-3.0-or-later
"""One output file written atomically (see ``core/outputs.py`` for several at once), and the JSON report."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager

from .outputs import Outputs


@contextmanager
def atomic_path(path: str, inputs=()):
    """Yield a temporary path beside ``path``; verify it and rename it over ``path`` on success.

    A failure (or a writer that leaves no file, or an incomplete one) removes the temporary
    file, so no partial output is ever left under the final name.
    """
    with Outputs([path], inputs) as out:
        yield out.temp(path)
        out.commit()


def dump_json(tmp: str, data: dict) -> None:
    """The report's format: indented, keys in order, a final newline."""
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2, sort_keys=False)
        fh.write("\n")


def write_json(path: str, data: dict) -> str:
    with atomic_path(path) as tmp:
        dump_json(tmp, data)
    return os.path.abspath(path)
