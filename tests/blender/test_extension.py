# SPDX-License-Identifier: GPL-3.0-or-later
"""The extension itself: manifest, build, registration, menus, versions."""

import ast
import inspect
import os
import subprocess
import sys
import tomllib

import addon_utils
import bpy
import launch
import pytest
from conftest import MODULE, ROOT

MAIN_OPERATORS = {"image_to_print.relief", "image_to_print.check", "image_to_print.export",
                  "image_to_print.toolbox_check", "image_to_print.make_printable", "image_to_print.ai_mesh",
                  "image_to_print.trace"}
PANELS = ("IMAGE_TO_PRINT_PT_relief", "IMAGE_TO_PRINT_PT_relief_image", "IMAGE_TO_PRINT_PT_trace",
          "IMAGE_TO_PRINT_PT_trace_settings", "IMAGE_TO_PRINT_PT_ai",
          "IMAGE_TO_PRINT_PT_check", "IMAGE_TO_PRINT_PT_export")
OPERATORS = ("relief", "relief_preset", "check", "export", "toolbox_check", "make_printable", "select_check",
             "ai_mesh", "download_model", "trace", "trace_preset")


def manifest():
    with open(os.path.join(ROOT, "blender_manifest.toml"), "rb") as fh:
        return tomllib.load(fh)


def operator_exists(name):
    try:
        getattr(bpy.ops.image_to_print, name).get_rna_type()
    except KeyError:
        return False
    return True


def test_manifest_validates_with_blenders_tool():
    proc = subprocess.run([sys.executable, launch_tool(), "validate", ROOT], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def launch_tool():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import build_extension

    return build_extension.blender_ext_script()


def test_manifest_fields():
    data = manifest()
    assert data["id"] == "image_to_print"
    assert data["name"] == "Image to Print"
    assert data["blender_version_min"] == "4.2.0"
    assert data["license"][0].startswith("SPDX:GPL-3.0")
    assert "files" in data["permissions"]
    assert {"windows-x64", "macos-arm64", "linux-x64"} <= set(data["platforms"])
    excluded = data["build"]["paths_exclude_pattern"]
    for pattern in ("__pycache__/", ".*", "/tests/", "/tools/", "/benchmarks/"):
        assert pattern in excluded


def test_versions_agree(ext):
    version = manifest()["version"]
    installed = os.path.join(os.environ["BLENDER_USER_RESOURCES"], "extensions", "user_default",
                             "image_to_print", "blender_manifest.toml")
    with open(installed, "rb") as fh:
        assert tomllib.load(fh)["version"] == version
    zips = os.listdir(os.path.join(ROOT, "build", "dist"))
    assert f"image_to_print-{version}-linux_x64.zip" in zips
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        assert f"image_to_print-{version}-" in fh.read()


def test_zip_ships_the_wheels_and_not_the_tests(ext):
    import zipfile

    version = manifest()["version"]
    for plat, wheel_tag in (("linux_x64", "manylinux"), ("windows_x64", "win_amd64"), ("macos_arm64", "macosx")):
        with zipfile.ZipFile(os.path.join(ROOT, "build", "dist", f"image_to_print-{version}-{plat}.zip")) as zf:
            names = zf.namelist()
        wheels = [n for n in names if n.startswith("wheels/")]
        native = [n for n in wheels if not n.endswith("-any.whl") and "-py3-none-" not in n]
        ctypes_wheels = [n for n in wheels if "-py3-none-" in n and not n.endswith("-any.whl")]  # every Python
        assert [n.split("-")[0] for n in ctypes_wheels] == ["wheels/lib3mf"] and wheel_tag in ctypes_wheels[0]
        # pillow, pydelatin, onnxruntime, vtracer: each for Python 3.11 (Blender 4.2-5.0) and 3.13 (5.1+)
        assert len(native) == 8 and all(wheel_tag in n for n in native), wheels
        for tag in ("cp311-cp311", "cp313-cp313"):
            assert sorted(n.split("-")[0] for n in native if tag in n) == [
                "wheels/onnxruntime", "wheels/pillow", "wheels/pydelatin", "wheels/vtracer"], (tag, wheels)
        assert len(wheels) == 13  # + flatbuffers, packaging, protobuf, potracer (pure Python), lib3mf
        assert "__init__.py" in names and "core/relief.py" in names and "core/trace/engine_potrace.py" in names
        assert not [n for n in names if n.startswith(("tests/", "tools/", "benchmarks/", "samples/", ".ci/"))]


def test_enabled_extension_registers_everything(ext):
    assert MODULE in bpy.context.preferences.addons
    for name in OPERATORS:
        assert operator_exists(name), name
    for name in PANELS:
        panel = getattr(bpy.types, name)
        assert panel.bl_category == "Image to Print"
    assert hasattr(bpy.types.Scene, "image_to_print")
    # progress and notices live in ui.state: setting an RNA property would redraw every window per tick
    assert not [name for name in dir(bpy.types.WindowManager) if name.startswith("image_to_print")]
    assert ext.cli._handle is not None
    for menu, draw in ext.panels.MENUS:
        assert draw in getattr(bpy.types, menu)._dyn_ui_initialize(), menu


def test_every_main_operator_sits_in_a_menu(ext):
    """F3 search finds only operators reachable from menus (without Developer Extras)."""
    found = set()
    for menu, draw in ext.panels.MENUS:
        tree = ast.parse(inspect.getsource(draw))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "operator":
                found.add(node.args[0].value)
        assert menu.startswith(("TOPBAR_MT_file_", "VIEW3D_MT_"))
    assert MAIN_OPERATORS <= found


def test_disable_leaves_nothing_registered(ext):
    menus = [(getattr(bpy.types, menu), draw) for menu, draw in ext.panels.MENUS]
    cli = ext.cli
    addon_utils.disable(MODULE, default_set=True)
    try:
        assert MODULE not in bpy.context.preferences.addons
        for name in OPERATORS:
            assert not operator_exists(name), name
        for name in PANELS:
            assert not hasattr(bpy.types, name), name
        assert not hasattr(bpy.types.Scene, "image_to_print")
        assert not [name for name in dir(bpy.types.WindowManager) if name.startswith("image_to_print")]
        for menu, draw in menus:
            assert draw not in menu._dyn_ui_initialize()
        assert cli._handle is None
    finally:
        addon_utils.enable(MODULE, default_set=True)
    assert operator_exists("relief")


@pytest.mark.parametrize("name", OPERATORS)
def test_operators_have_descriptions(ext, name):
    rna = getattr(bpy.ops.image_to_print, name).get_rna_type()
    assert rna.description and not rna.description.endswith(".")


def test_the_readme_python_api_example_runs(ext, scene, tmp_path):
    """The README's Python API block, as written (its paths pointed at a sample, a logo and tmp_path)."""
    import re

    import bpy
    from core_3mf import read_3mf
    from images import ring_and_island

    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    block = re.search(r"## Python API.*?```python\n(.*?)```", text, re.S).group(1)
    block = (block.replace("/path/photo.png", os.path.join(ROOT, "samples", "sunflower.png"))
             .replace("/path/logo.png", str(ring_and_island(tmp_path / "logo.png")))
             .replace("/tmp/photo.3mf", str(tmp_path / "photo.3mf"))
             .replace("/tmp/logo.stl", str(tmp_path / "logo.stl")))
    exec(compile(block, "README.md", "exec"), {"bpy": bpy})
    assert [o["name"] for o in read_3mf(tmp_path / "photo.3mf")] == ["sunflower Lithophane (printable)"]
    from judges import stl_triangles

    size = (tmp_path / "logo.stl").stat().st_size
    assert size == 84 + 50 * stl_triangles(tmp_path / "logo.stl") and size > 84 + 50 * 1000
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".stl"] == ["logo.stl"]  # one file: one solid
