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


def leftovers() -> list[str]:
    if not FOLDER:
        return []
    # .ses: onnxruntime's session-id file, one per process, not ours to remove
    return sorted(name for name in os.listdir(FOLDER[0]) if not name.startswith("pytest-of-") and name != ".ses")


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
