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


ROUTE_MODULES = ("operators/relief.py", "operators/trace.py", "operators/ai.py")


def _function(path, name):
    tree = ast.parse(open(os.path.join(REPO_ROOT, path)).read())
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    return next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name), defined


def test_every_route_has_the_same_shape():
    for path in ROUTE_MODULES:
        tree = ast.parse(open(os.path.join(REPO_ROOT, path)).read())
        names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        assert {"_from_args", "_validate", "_compute", "_realize"} <= names, path
        routes = [n for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "ROUTE"]  # type: ignore
        assert len(routes) == 1, path
        classes = [n for n in tree.body if isinstance(n, ast.ClassDef)
                   and any(getattr(b, "id", "") == "RouteOperator" for b in n.bases)]
        assert len(classes) == 1, f"{path}: one operator on RouteOperator"


def test_compute_never_touches_bpy():
    """The sidebar runs each route's ``_compute`` in a worker thread, where bpy must not be used:
    it imports only from core and calls no Blender-side helper of its module."""
    for path in ROUTE_MODULES:
        fn, defined = _function(path, "_compute")
        local = {n.name for n in ast.walk(fn) if isinstance(n, ast.FunctionDef)}
        for node in ast.walk(fn):
            if isinstance(node, ast.Name):
                assert node.id not in ("bpy", "mathutils", "blender_mesh", "compat"), f"{path}:{node.lineno}"
                if node.id in defined and node.id not in local:
                    assert node.id == "check_cancel", f"{path}:{node.lineno} calls {node.id} from a worker thread"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                module = getattr(node, "module", "") or ""
                assert isinstance(node, ast.ImportFrom) and node.level == 2 and module.split(".")[0] == "core", \
                    f"{path}:{node.lineno} imports {module} in the worker thread"


def test_test_helpers_are_written_once():
    """A helper (any top-level function that is not a test) has one body across every tier's files."""
    seen: dict = {}
    repeated = []
    for folder, _, files in os.walk(os.path.join(REPO_ROOT, "tests")):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            for node in ast.parse(open(path).read()).body:
                body = node.body[1:] if isinstance(node, ast.FunctionDef) and ast.get_docstring(node) else \
                    getattr(node, "body", [])
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("test_") and len(body) > 1:
                    key = ast.dump(ast.Module(body=body, type_ignores=[]))
                    where = f"{os.path.relpath(path, REPO_ROOT)}:{node.name}"
                    if key in seen:
                        repeated.append(f"{where} repeats {seen[key]}")
                    seen.setdefault(key, where)
    assert len(seen) > 50, "the walk found too few helpers"
    assert repeated == []
