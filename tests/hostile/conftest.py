# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile input and faults, against the installed extension in real Blender (the bpy 5.2 wheel).

The fixtures are the Blender tier's own (``tests/blender/conftest.py``): the zip built by
Blender's tool, installed into an isolated user folder. Cases that could kill the process
(signals, an importer that aborts) run the real command line, ``./image-to-print``, in a
child process.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "blender_tier_conftest", os.path.join(os.path.dirname(HERE), "blender", "conftest.py"))
_tier = importlib.util.module_from_spec(_spec)
sys.modules["blender_tier_conftest"] = _tier
_spec.loader.exec_module(_tier)

installed, ext, scene = _tier.installed, _tier.ext, _tier.scene
_no_temporary_files_left = _tier._no_temporary_files_left
pytest_sessionfinish, pytest_unconfigure = _tier.pytest_sessionfinish, _tier.pytest_unconfigure
datablock_counts, ROOT = _tier.datablock_counts, _tier.ROOT
