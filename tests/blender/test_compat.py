# SPDX-License-Identifier: GPL-3.0-or-later
"""Regression tests for the differences between Blender 4.2 LTS and 5.3 (operators/compat.py).

Each runs on every Blender of the matrix (4.2.23, 4.5.x, 5.2.3, 5.3.0) and asserts what
that version does, so a version where a difference appears or goes is caught.
"""

import ast
import functools
import inspect
import os
import struct
import sys

import bmesh
import bpy
import pytest
from conftest import ROOT

VERSION = bpy.app.version[:2]


def test_only_the_wheels_for_this_python_are_installed(ext):
    """One zip carries cp311 and cp313 wheels; Blender installs the ones matching its Python."""
    import glob

    lib = os.path.join(os.environ["BLENDER_USER_RESOURCES"], "extensions", ".local", "lib")
    assert os.listdir(lib) == [f"python{sys.version_info.major}.{sys.version_info.minor}"]
    site = os.path.join(lib, os.listdir(lib)[0], "site-packages")
    versions = sorted(os.path.basename(d) for d in glob.glob(os.path.join(site, "*.dist-info")))
    assert versions == ["flatbuffers-25.12.19.dist-info", "lib3mf-2.5.0.dist-info", "onnxruntime-1.31.1.dist-info",
                        "packaging-26.3.dist-info",
                        "pillow-13.0.0.dist-info", "potracer-0.0.4.dist-info", "protobuf-7.36.2.dist-info",
                        "pydelatin-0.4.0.dist-info", "vtracer-0.6.15.dist-info"]
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
    natives = [os.path.basename(p) for p in glob.glob(os.path.join(site, "**", "*.so"), recursive=True)
               if os.path.basename(p).startswith(("_", "vtracer", "onnxruntime_pybind"))]
    assert natives and all(tag in n for n in natives if "cpython" in n), natives
    import lib3mf
    import vtracer  # the extension's own copies import on this Python

    assert vtracer.__file__.startswith(site) and lib3mf.__file__.startswith(site)
    assert lib3mf.get_wrapper().GetLibraryVersion()[:2] == (2, 5)  # its C library loads: a ctypes wheel


def _gn_object():
    me = bpy.data.meshes.new("gn")
    obj = bpy.data.objects.new("gn", me)
    bpy.context.scene.collection.objects.link(obj)
    ng = bpy.data.node_groups.new("gn", 'GeometryNodeTree')
    ng.interface.new_socket("Geometry", in_out='INPUT', socket_type='NodeSocketGeometry')
    ng.interface.new_socket("Height", in_out='INPUT', socket_type='NodeSocketFloat')
    ng.interface.new_socket("Geometry", in_out='OUTPUT', socket_type='NodeSocketGeometry')
    group_in, group_out = ng.nodes.new('NodeGroupInput'), ng.nodes.new('NodeGroupOutput')
    cube = ng.nodes.new('GeometryNodeMeshCube')
    scale = ng.nodes.new('ShaderNodeCombineXYZ')
    transform = ng.nodes.new('GeometryNodeTransform')
    ng.links.new(group_in.outputs["Height"], scale.inputs["Z"])
    scale.inputs["X"].default_value = scale.inputs["Y"].default_value = 1.0
    ng.links.new(cube.outputs["Mesh"], transform.inputs["Geometry"])
    ng.links.new(scale.outputs["Vector"], transform.inputs["Scale"])
    ng.links.new(transform.outputs["Geometry"], group_out.inputs["Geometry"])
    modifier = obj.modifiers.new("gn", 'NODES')
    modifier.node_group = ng
    return obj, modifier, ng


def test_geometry_nodes_inputs_are_set_on_every_version(ext, scene):
    """5.2 turned modifier inputs from ID properties into RNA (``modifier[id] = v`` raises TypeError)."""
    compat = ext.operators.compat
    obj, modifier, ng = _gn_object()
    identifier = next(i.identifier for i in ng.interface.items_tree if i.name == "Height")
    if VERSION >= (5, 2):
        with pytest.raises(TypeError):
            modifier[identifier] = 3.0
    compat.node_input_set(modifier, "Height", 3.0)
    assert compat.node_input_get(modifier, "Height") == pytest.approx(3.0)
    evaluated = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
    zs = [v.co.z for v in evaluated.data.vertices]
    assert max(zs) - min(zs) == pytest.approx(3.0)
    with pytest.raises(KeyError):
        compat.node_input_set(modifier, "Depth", 1.0)


def _stl_triangles(path):
    with open(path, "rb") as fh:
        fh.seek(80)
        return struct.unpack("<I", fh.read(4))[0]


def test_stl_export_writes_the_viewport_mesh_the_checks_read(ext, scene, tmp_path):
    """From 5.2 ``wm.stl_export`` evaluates for render unless told otherwise."""
    compat = ext.operators.compat
    me = bpy.data.meshes.new("cube")
    bm = bmesh.new()
    bmesh.ops.create_cube(bm, size=0.01)
    bm.to_mesh(me)
    bm.free()
    obj = bpy.data.objects.new("cube", me)
    scene.collection.objects.link(obj)
    subsurf = obj.modifiers.new("render only", 'SUBSURF')
    subsurf.levels, subsurf.render_levels = 0, 2
    for other in bpy.context.selected_objects:
        other.select_set(False)
    obj.select_set(True)
    path = str(tmp_path / "c.stl")
    compat.stl_export(filepath=path, export_selected_objects=True, apply_modifiers=True)
    assert _stl_triangles(path) == 12  # the viewport's cube, not the render's 192 triangles
    obj_path = str(tmp_path / "c.obj")
    compat.obj_export(filepath=obj_path, export_selected_objects=True, apply_modifiers=True, export_materials=False)
    with open(obj_path) as fh:
        assert sum(line.startswith("f ") for line in fh) == 6
    has_mode = "evaluation_mode" in {p.identifier for p in bpy.ops.wm.stl_export.get_rna_type().properties}
    assert has_mode == (VERSION >= (5, 2))


def test_boolean_solvers_are_the_ones_each_version_has(ext):
    solvers = ext.operators.compat.boolean_solvers()
    expected = {(4, 2): ('FAST', 'EXACT'), (4, 5): ('FAST', 'EXACT', 'MANIFOLD')}.get(
        VERSION, ('FLOAT', 'EXACT', 'MANIFOLD'))
    assert solvers == expected
    assert ext.operators.compat.has_manifold_boolean() == (VERSION >= (4, 5))


def _spheres(name, offsets):
    me = bpy.data.meshes.new(name)
    bm = bmesh.new()
    for offset in offsets:
        made = bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16, radius=0.01)
        bmesh.ops.translate(bm, verts=made["verts"], vec=offset)
    bm.to_mesh(me)
    bm.free()
    obj = bpy.data.objects.new(name, me)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def test_make_printable_unites_by_manifold_where_blender_has_it(ext, scene):
    """Manifold (4.5+) unites overlapping parts to the same volume as Exact; 4.2 uses Exact."""
    repair = ext.operators.repair
    check = ext.operators.check.check_object
    offsets = [(0, 0, 0.01), (0.012, 0, 0.01)]
    obj = _spheres("spheres", offsets)
    assert check(bpy.context, obj)["checks"]["intersecting_faces"] > 0
    target, summary = repair.make_printable(bpy.context, obj, in_place=False, merge_mm=0.01, min_shell_mm3=1.0,
                                            intersections='UNION', voxel_mm=0.1)
    assert summary["intersections_by"] == ('MANIFOLD' if VERSION >= (4, 5) else 'EXACT')
    after = summary["after"]
    assert after["checks"]["shells"] == 1 and after["checks"]["non_manifold_edges"] == 0
    if VERSION >= (4, 5):  # 4.2's Exact leaves sliver faces on the seam that the check counts as crossing
        assert after["printable"], after["blocking"]
        assert after["checks"]["intersecting_faces"] == 0
    exact = repair._apply_modifier(bpy.context, obj.data.copy(), {
        "type": 'BOOLEAN', "operation": 'UNION', "operand_type": 'COLLECTION', "solver": 'EXACT', "use_self": True})
    bm = bmesh.new()
    bm.from_mesh(exact)
    exact_mm3 = bm.calc_volume() * 1e9
    bm.free()
    assert after["volume_mm3"] == pytest.approx(exact_mm3, rel=1e-4)
    assert not [m for m in bpy.data.meshes if m.name.startswith(".image_to_print")]
    assert not [c for c in bpy.data.collections if c.name.startswith(".image_to_print")]


def _sources():
    for folder in ("operators", "panels"):
        for name in sorted(os.listdir(os.path.join(ROOT, folder))):
            if name.endswith(".py"):
                yield os.path.join(folder, name)
    yield "cli.py"
    yield "properties.py"
    yield "__init__.py"


OPTIONAL = {"bpy.ops.mesh.print3d_check_all"}  # the 3D-Print Toolbox's, called only when it is installed
WRAPPERS = {"compat.stl_export": "bpy.ops.wm.stl_export", "compat.obj_export": "bpy.ops.wm.obj_export"}


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def test_calls_into_blender_match_this_versions_signatures(ext):
    """Every ``bpy.ops`` call names options this Blender has, and no call passes an optional argument
    by position (keyword-only from 5.1) or by a keyword a version renamed."""
    problems, checked = [], 0
    for rel in _sources():
        with open(os.path.join(ROOT, rel)) as fh:
            tree = ast.parse(fh.read())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func)
            if name is None:
                continue
            name = WRAPPERS.get(name, name)
            if not name.startswith("bpy.") or name.startswith("bpy.types.") or name in OPTIONAL:
                continue
            keywords = [k.arg for k in node.keywords if k.arg is not None]
            checked += 1
            where = f"{rel}:{node.lineno} {name}"
            if name.startswith("bpy.ops."):
                if name.count(".") != 3:
                    continue  # a method of an operator (get_rna_type, idname), not a call of one
                _, _, module, op = name.split(".")
                try:
                    rna = getattr(getattr(bpy.ops, module), op).get_rna_type()
                except (AttributeError, KeyError):
                    problems.append(f"{where}: no such operator")
                    continue
                known = {p.identifier for p in rna.properties}
                problems += [f"{where}: no option {k!r}" for k in keywords if k not in known]
                continue
            try:
                target = functools.reduce(getattr, name.split(".")[1:], bpy)
            except AttributeError:
                problems.append(f"{where}: not in this Blender")
                continue
            try:
                signature = inspect.signature(target)
            except (TypeError, ValueError):
                continue  # a C function without a signature: RNA checks its own arguments at run time
            try:
                signature.bind(*node.args, **{k: None for k in keywords})
            except TypeError as err:
                if not any(isinstance(a, ast.Starred) for a in node.args):
                    problems.append(f"{where}: {err}")
    assert not problems, problems
    assert checked > 40, checked  # the walk really finds our calls


NO_NUMPY = """
import sys
sys.modules["numpy"] = None  # this Python has no numpy, as in distribution builds of Blender
import bpy
import addon_utils
addon_utils.enable({module!r}, default_set=True)
print("enabled:", {module!r} in bpy.context.preferences.addons)
print("registered:", sorted(n for n in dir(bpy.types) if n.startswith("IMAGE_TO_PRINT")))
print("scene settings:", hasattr(bpy.types.Scene, "image_to_print"))
"""


def test_a_blender_without_numpy_gets_one_line_and_nothing_half_registered(ext):
    import subprocess

    from conftest import MODULE

    proc = subprocess.run([sys.executable, "-c", NO_NUMPY.format(module=MODULE)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    lines = [line for line in out.splitlines() if "Image to Print" in line]
    assert lines == [f"Add-on Image to Print needs numpy, which this Blender's Python "
                     f"{sys.version_info[0]}.{sys.version_info[1]} does not have: install it (Debian and Ubuntu: "
                     "'apt install python3-numpy'; Fedora: 'dnf install python3-numpy'; Arch: 'pacman -S "
                     "python-numpy'), then enable the extension again"], out
    assert "enabled: False" in out and "registered: []" in out and "scene settings: False" in out, out
