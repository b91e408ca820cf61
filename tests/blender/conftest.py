# SPDX-License-Identifier: GPL-3.0-or-later
"""Integration tests in real Blender (the ``bpy`` wheel), no mocks.

The extension is built with Blender's own ``blender_ext.py``, installed with
``bpy.ops.extensions.package_install_files`` into an isolated
``BLENDER_USER_RESOURCES`` folder, enabled, and driven through
``bpy.ops.image_to_print.*`` and its command line.
"""

import os
import sys
import tempfile

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "helpers"))  # shared by every tier: judges, fakes, cli

import launch
import tmpguard

tmpguard.install(os.path.basename(sys.prefix))  # the suite: bpy-4.2, bpy-5.3, ...
# Must be set before bpy is imported anywhere in this process.
USER = os.environ["BLENDER_USER_RESOURCES"] = tempfile.mkdtemp(prefix="image-to-print-user-")

import bpy

MODULE = launch.MODULE


@pytest.fixture(scope="session")
def installed():
    """Build the zip with Blender's tool and install it with Blender's installer, once."""
    return launch.ensure_extension(force=True)


@pytest.fixture
def ext(installed):
    """The installed, enabled extension module (bl_ext.user_default.image_to_print)."""
    assert MODULE in bpy.context.preferences.addons
    return sys.modules[MODULE]


@pytest.fixture
def scene(ext):
    """An empty scene with default units; everything made by a test is removed."""
    for collection in (bpy.data.objects, bpy.data.meshes, bpy.data.curves, bpy.data.materials, bpy.data.textures,
                       bpy.data.images, bpy.data.collections, bpy.data.node_groups):
        for block in list(collection):
            collection.remove(block)
    sc = bpy.context.scene
    sc.unit_settings.system = 'METRIC'
    sc.unit_settings.scale_length = 1.0
    sc.unit_settings.length_unit = 'METERS'
    sc.cursor.location = (0.0, 0.0, 0.0)
    ext.operators.check.RESULTS.clear()
    return sc


def pytest_unconfigure(config):
    """Exit with pytest's status, skipping the interpreter teardown.

    The bpy 4.2 module segfaults during Python's shutdown once its glTF exporter has
    run (reproduced without this extension), which would turn a green run into exit 139.
    Results, the JUnit file and the summary are all written by now.
    """
    status = getattr(config, "_image_to_print_status", None)
    if status is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(status))


def pytest_sessionfinish(session, exitstatus):
    import shutil

    shutil.rmtree(USER, ignore_errors=True)
    tmpguard.finish(session)
    session.config._image_to_print_status = session.exitstatus


CLOSED = {"non_manifold_edges": 0, "bad_contiguous_edges": 0, "inside_out": False, "intersecting_faces": 0,
          "non_manifold_vertices": 0, "floating_shells": 0}


def solid_checks(checks):
    """The checks a closed, outward, single-skin solid on the bed passes."""
    return {name: checks[name] for name in CLOSED}


def datablock_counts():
    return {name: len(getattr(bpy.data, name)) for name in ("objects", "meshes", "curves", "materials", "textures",
                                                            "images", "collections", "node_groups")}


@pytest.fixture(autouse=True)
def _no_temporary_files_left():
    yield from tmpguard.guard()
