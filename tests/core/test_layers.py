# SPDX-License-Identifier: GPL-3.0-or-later
"""The Blender-side layers: operators and panels never import each other (they share ``ui/``),
and ``ui/`` imports neither."""

import ast
import os

from conftest import REPO_ROOT


def _imports(folder):
    found = []
    for name in sorted(os.listdir(os.path.join(REPO_ROOT, folder))):
        if not name.endswith(".py"):
            continue
        tree = ast.parse(open(os.path.join(REPO_ROOT, folder, name)).read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                found.append((f"{folder}/{name}:{node.lineno}", node.module.split(".")[0]))
    return found


def test_operators_do_not_import_panels():
    assert [w for w, top in _imports("operators") if top == "panels"] == []


def test_panels_do_not_import_operators():
    assert [w for w, top in _imports("panels") if top == "operators"] == []


def test_ui_imports_neither():
    assert [w for w, top in _imports("ui") if top in ("operators", "panels")] == []
    assert _imports("ui"), "the walk found nothing"
