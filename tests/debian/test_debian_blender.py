# SPDX-License-Identifier: GPL-3.0-or-later
"""The real ``blender`` binary: Debian trixie's own Blender (4.3.2, Python 3.13, numpy from python3-numpy).

It runs in a debootstrap root (scripts/debian-blender.sh). The zip every other suite
installs is installed here with ``blender --command extension install-file``, as a
user of a distribution's Blender would, and the command line runs as
``blender -b -c image_to_print ...``. Outputs are judged by admesh on the host.
"""

import glob
import json
import os
import shutil
import subprocess
import sys

import pytest
from debian_tier import ROOT, USER, WORK, blender, debian_root
from judges import admesh, stl_triangles


def test_it_is_debians_blender_on_python_313(installed):
    rc, out, err = blender("-b", "--python-expr", "import sys, bpy; print('PY', sys.version_info[:2], bpy.app.version)")
    assert rc == 0, out + err
    line = next(x for x in out.splitlines() if x.startswith("PY "))
    assert line.startswith("PY (3, 13) (4, 3")


def test_the_cp313_wheels_were_installed(installed):
    site = glob.glob(os.path.join(debian_root() + USER, "extensions", ".local", "lib", "python*", "site-packages"))
    assert [os.path.basename(os.path.dirname(s)) for s in site] == ["python3.13"]
    assert glob.glob(os.path.join(site[0], "PIL", "_imaging.cpython-313-*.so"))
    assert glob.glob(os.path.join(site[0], "vtracer", "*cpython-313*.so"))


def test_relief_command_writes_a_closed_printable_stl(installed):

    rc, out, err = blender("-b", "-c", "image_to_print", "relief", f"{WORK}/sunflower.png",
                           "-o", f"{WORK}/relief.stl", "--report", f"{WORK}/relief.json", "--width", 60,
                           "--sample-mm", 0.5)
    assert rc == 0, out + err
    assert f"wrote {WORK}/relief.stl" in out
    stl = os.path.join(installed, "relief.stl")
    with open(os.path.join(installed, "relief.json")) as fh:
        report = json.load(fh)
    assert report["printable"] is True and report["blender"].startswith("4.3")
    assert report["checks"]["non_manifold_edges"] == 0
    stats = admesh(stl)
    assert stats["facets"] == stl_triangles(stl) > 1000
    assert stats["disconnected_facets"] == 0
    assert stats["size"][0] == pytest.approx(60.0, abs=0.01)


def test_trace_command_sets_geometry_nodes_inputs_on_43(installed):
    """Debian's 4.3 has the old ID-property modifier inputs: the trace solid's Height must still apply."""

    rc, out, err = blender("-b", "-c", "image_to_print", "trace", f"{WORK}/sunflower.png", "-o", f"{WORK}/t.stl",
                           "--width", 40, "--height", 3, "--base", 0)
    assert rc == 0, out + err
    stats = admesh(os.path.join(installed, "t.stl"))
    assert stats["size"][2] == pytest.approx(3.0, abs=0.01)


def test_bad_input_is_one_line_and_a_non_zero_exit(installed):
    rc, out, err = blender("-b", "-c", "image_to_print", "relief", f"{WORK}/missing.png", "-o", f"{WORK}/m.stl")
    assert rc != 0
    assert "Traceback" not in out + err
    ours = [line for line in err.splitlines() if line.startswith("image_to_print:")]
    assert len(ours) == 1 and "missing.png" in ours[0], err
    assert not os.path.exists(os.path.join(installed, "m.stl"))
