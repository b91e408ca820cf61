# SPDX-License-Identifier: GPL-3.0-or-later
"""Each suite's temporary files in a folder of its own, and a failure for any it leaves behind.

``install(suite)`` points ``tempfile`` (and ``TMPDIR``, which Blender processes the tests start
inherit) at ``build/tmp/<suite>-<pid>``, before anything has asked for the temp folder. At the end
of the session :func:`leftovers` lists what is still there besides pytest's own ``tmp_path``
folders; the suite fails on any, and the folder is removed. So the system temp folder sees
nothing of the tests, and a test (or the code under test) that forgets a temporary file is caught.
"""

from __future__ import annotations

import os
import shutil
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDER: list[str] = []


def install(suite: str) -> str:
    folder = os.path.join(ROOT, "build", "tmp", f"{suite}-{os.getpid()}")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = folder
    FOLDER[:] = [folder]
    return folder


def _ours(name: str) -> bool:
    # not ours: pytest's tmp_path folders, onnxruntime's session-id file (.ses) and Blender's session
    # folders (blender_XXXXXX; a process that leaves through os._exit, as bpy 4.2 needs, cannot remove
    # its own); the whole folder goes at the end of the session anyway
    return not (name.startswith(("pytest-of-", "blender_")) or name == ".ses")


def leftovers() -> list[str]:
    if not FOLDER:
        return []
    return sorted(name for name in os.listdir(FOLDER[0]) if _ours(name))


def guard():
    """An autouse fixture's body: a test that leaves a temporary file fails (its teardown errors, which
    the JUnit results and so ``make test`` count)."""
    before = set(leftovers())
    yield
    new = sorted(set(leftovers()) - before)
    if new:
        for name in new:
            path = os.path.join(FOLDER[0], name)
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
        import pytest

        pytest.fail(f"temporary files left behind: {', '.join(new[:10])}")


def finish(session) -> None:
    """pytest_sessionfinish: fail the session on leftovers; remove the folder."""
    left = leftovers()
    if left:
        import sys

        sys.stderr.write(f"\ntemporary files left behind by the tests: {', '.join(left[:10])}\n")
        if session.exitstatus == 0:
            session.exitstatus = 1
    if FOLDER:
        shutil.rmtree(FOLDER[0], ignore_errors=True)
