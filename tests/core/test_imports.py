# SPDX-License-Identifier: GPL-3.0-or-later
"""core/ is the pure layer: importable without Blender, and never pulls bpy in.

Its layering is guarded here too, from the source (``ast``), so it holds for every
module, lazily imported ones included:

* the routes (AI meshes, tracing, reliefs) share code only through the neutral
  modules directly under ``core/`` (``raster``, ``graph``, ``gridmesh``, ...): no route
  imports another route, and a neutral module imports no route;
* no import cycles among core modules (imports inside functions count: a lazy
  import only hides a cycle until the day it runs first);
* no private (``_name``) function or value is imported from another module.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORE_DIR = os.path.join(REPO_ROOT, "core")
BLENDER_MODULES = ("bpy", "mathutils", "bmesh")
# A route is one way from an image to a print; each is a set of module prefixes.
ROUTES = {
    "ai": ("core.ai",),
    "trace": ("core.trace",),
    "relief": ("core.relief", "core.solid", "core.settings", "core.lamp"),
}


def walk_core() -> dict[str, str]:
    """Every module of the core package, from the files: dotted name -> path."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(CORE_DIR):
        dirnames[:] = sorted(d for d in dirnames if os.path.isfile(os.path.join(dirpath, d, "__init__.py")))
        for filename in sorted(filenames):
            if not filename.endswith(".py"):
                continue
            path = os.path.join(dirpath, filename)
            parts = os.path.relpath(path, REPO_ROOT)[:-3].split(os.sep)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = walk_core()
CORE_MODULES = sorted(MODULES)


def route_of(module: str) -> str | None:
    for route, prefixes in ROUTES.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return route
    return None


class Import:
    """One import statement's view of one core module it names."""

    def __init__(self, source: str, target: str, line: int, names: tuple[str, ...] = (), bound: str = ""):
        self.source, self.target, self.line, self.names, self.bound = source, target, line, names, bound

    def __repr__(self) -> str:
        what = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.source}:{self.line} imports {self.target}{what}"


def imports_of(module: str) -> list[Import]:
    """The core modules that ``module`` imports, anywhere in its source (relative imports resolved)."""
    path = MODULES[module]
    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    found.append(Import(module, alias.name, node.lineno, bound=alias.asname or ""))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[:len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in MODULES:  # from . import bitmap: the module itself
                    found.append(Import(module, submodule, node.lineno, bound=alias.asname or alias.name))
                elif base in MODULES:  # from .raster import resample: names from the module
                    names.append(alias.name)
            if names:
                found.append(Import(module, base, node.lineno, names=tuple(names)))
    return found


GRAPH = {module: imports_of(module) for module in CORE_MODULES}


def test_the_walk_finds_every_core_module():
    # a broken walk would make every guard below pass on nothing
    assert len(CORE_MODULES) >= 26
    for name in ("core", "core.ai", "core.ai.builtin", "core.trace.plan", "core.relief", "core.raster",
                 "core.graph", "core.gridmesh"):
        assert name in MODULES, name


def test_core_is_the_repository_package():
    import core

    assert os.path.dirname(os.path.abspath(core.__file__)) == os.path.join(REPO_ROOT, "core")


def test_importing_core_never_imports_bpy():
    for name in CORE_MODULES:
        importlib.import_module(name)
    assert "bpy" not in sys.modules
    assert "mathutils" not in sys.modules


# Each module alone in a fresh interpreter where Blender's modules cannot be imported: a
# finder refuses them and notes the attempt, so even an import guarded by try/except shows.
IMPORT_ALONE = """
import sys
sys.path.insert(0, sys.argv[1])
BLOCKED = sys.argv[3].split(",")
attempts = []

class RefuseBlender:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            attempts.append(name)
            raise ImportError(f"{name} is not importable in this test")
        return None

for name in BLOCKED:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, RefuseBlender())
__import__(sys.argv[2])
assert not attempts, f"tried to import {attempts}"
bad = sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED)
assert not bad, bad
"""


def test_every_core_module_imports_alone_without_blender():
    def run(name):
        command = [sys.executable, "-c", IMPORT_ALONE, REPO_ROOT, name, ",".join(BLENDER_MODULES)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        return name, result

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = list(pool.map(run, CORE_MODULES))
    failed = [f"{name}: {result.stderr.strip().splitlines()[-1] if result.stderr.strip() else result.returncode}"
              for name, result in results if result.returncode != 0]
    assert not failed, "\n".join(failed)


def test_settings_module_needs_no_numpy():
    # settings.py is imported at add-on registration: it must stay plain data.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "import core.settings\n"
        "assert 'numpy' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code, REPO_ROOT], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


# --- layering ----------------------------------------------------------------------------------

def test_the_import_graph_sees_the_imports():
    targets = {(i.source, i.target) for edges in GRAPH.values() for i in edges}
    assert ("core.trace.plan", "core.raster") in targets  # from .. import raster
    assert ("core.trace.plan", "core.trace.bitmap") in targets  # from . import bitmap
    assert ("core.ai.builtin", "core.raster") in targets  # from ..raster import ...
    assert ("core.ai", "core.ai.builtin") in targets  # inside a function
    assert route_of("core.trace.plan") == "trace" and route_of("core.solid") == "relief"
    assert route_of("core.raster") is None and route_of("core.solidity") is None


def test_no_route_imports_another_route():
    crossings = [i for edges in GRAPH.values() for i in edges
                 if route_of(i.source) and route_of(i.target) and route_of(i.source) != route_of(i.target)]
    assert not crossings, "routes share code through neutral core modules only:\n" + "\n".join(map(repr, crossings))


def test_no_neutral_module_imports_a_route():
    # a shared module that imports a route would join every route that uses it to that route
    upward = [i for edges in GRAPH.values() for i in edges if route_of(i.source) is None and route_of(i.target)]
    assert not upward, "\n".join(map(repr, upward))


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles


def test_cycle_finder_finds_cycles():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"a"}}) == [["a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_in_core():
    graph = {module: {i.target for i in edges} for module, edges in GRAPH.items()}
    cycles = find_cycles(graph)
    detail = [repr(i) for cycle in cycles for m in cycle for i in GRAPH[m] if i.target in cycle]
    assert not cycles, f"import cycles {cycles}:\n" + "\n".join(detail)


def test_no_private_names_imported_across_modules():
    private = []
    for module, edges in GRAPH.items():
        private += [f"{i!r}" for i in edges if any(n.startswith("_") and not n.startswith("__") for n in i.names)]
        private += [f"{i!r}" for i in edges if i.bound.startswith("_") and not i.bound.startswith("__")]
        # a module bound to a name (from . import bitmap) and then reached into: bitmap._helper
        bound = {i.bound: i.target for i in edges if i.bound}
        if not bound:
            continue
        with open(MODULES[module], encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                private.append(f"{module}:{node.lineno} uses {bound[node.value.id]}.{node.attr}")
    assert not private, "make shared helpers public in a neutral module:\n" + "\n".join(private)


@pytest.mark.parametrize("source, expected", [
    ("from ..solid import SolidMesh, _masked_solid\n", ["_masked_solid"]),
    ("from . import bitmap\nx = bitmap._column_distance\n", ["bitmap._column_distance"]),
])
def test_private_import_check_sees_them(tmp_path, monkeypatch, source, expected):
    # the guard above on a made-up module, to show it does catch what it is for
    path = tmp_path / "fake.py"
    path.write_text(source)
    monkeypatch.setitem(MODULES, "core.trace.fake", str(path))
    monkeypatch.setitem(GRAPH, "core.trace.fake", imports_of("core.trace.fake"))
    with pytest.raises(AssertionError) as failure:
        test_no_private_names_imported_across_modules()
    for text in expected:
        assert text in str(failure.value)
