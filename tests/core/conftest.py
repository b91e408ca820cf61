# SPDX-License-Identifier: GPL-3.0-or-later
"""pytest setup for the pure-Python ``core`` tests.

The repository root is itself the Blender extension package (its
``__init__.py`` imports ``bpy``), so it is never imported here.  Instead the
root goes on ``sys.path`` so that ``core`` is importable as a top-level
package (``core`` only uses relative imports within itself).  This folder goes
on ``sys.path`` too, for ``core_helpers.py``, and so does ``tests/helpers``, the helpers
every tier shares.
"""

from __future__ import annotations

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
for _path in (HERE, os.path.join(REPO_ROOT, "tests", "helpers"), REPO_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import tmpguard

tmpguard.install(f"core-{sys.version_info[0]}.{sys.version_info[1]}")


def pytest_sessionfinish(session, exitstatus):
    tmpguard.finish(session)


@pytest.fixture(autouse=True)
def _no_temporary_files_left():
    yield from tmpguard.guard()
