# SPDX-License-Identifier: GPL-3.0-or-later
"""core/ is the pure layer: importable without Blender, and never pulls bpy in."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

CORE_MODULES = ["core", "core.errors", "core.settings", "core.image", "core.relief", "core.solid",
                "core.meshcheck", "core.report"]
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_core_is_the_repository_package():
    import core

    assert os.path.dirname(os.path.abspath(core.__file__)) == os.path.join(REPO_ROOT, "core")


def test_importing_core_never_imports_bpy():
    for name in CORE_MODULES:
        importlib.import_module(name)
    assert "bpy" not in sys.modules
    assert "mathutils" not in sys.modules


def test_importing_core_in_a_fresh_interpreter_never_imports_bpy():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        f"for name in {CORE_MODULES!r}: __import__(name)\n"
        "import core.solid, core.relief\n"
        "bad = sorted(m for m in ('bpy', 'mathutils', 'bmesh') if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code, REPO_ROOT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_settings_module_needs_no_numpy():
    # settings.py is imported at add-on registration: it must stay plain data.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import core.settings\n"
        "assert 'numpy' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code, REPO_ROOT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
