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
from debian_tier import ROOT, USER, WORK, blender, debian_root, in_root
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


def test_a_filament_swap_3mf_makes_prusaslicer_29_change_colour_at_every_planned_height(installed):
    """Debian's Blender writes the 3MF (lib3mf, Python 3.13); lib3mf reads it back without a warning;
    Debian's PrusaSlicer 2.9 slices it from its command line with an M600 at every swap of the plan."""
    from judges import gcode_colour_changes, lib3mf_package

    rc, out, err = blender("-b", "-c", "image_to_print", "relief", f"{WORK}/sunflower.png", "-o", f"{WORK}/swap.3mf",
                           "--preset", "filament-swap",
                           "--filaments", "#202020:0.6,#c0392b:1.2,#f1c40f:2.0,#f5f5f5:4.0",
                           "--layer-height", 0.08, "--first-layer", 0.16, "--width", 30, "--sample-mm", 0.5,
                           "--report", f"{WORK}/swap.json")
    assert rc == 0, out + err
    with open(os.path.join(installed, "swap.json")) as fh:
        report = json.load(fh)
    planned = [s["z_mm"] for s in report["swaps"]]
    assert len(planned) == 3 and report["delta_e_mean"] < report["delta_e_naive"]
    package = lib3mf_package(os.path.join(installed, "swap.3mf"))
    assert package["warnings"] == [] and package["millimetres"]
    assert [o["manifold"] for o in package["objects"]] == [True]
    assert package["parts"] == ["/Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml",
                                "/Metadata/custom_gcode_per_layer.xml"]
    # the 3MF keeps the object where it is in Blender (centred on the origin): --center puts it on the bed
    rc, text = in_root(f"prusa-slicer --export-gcode --layer-height 0.08 --first-layer-height 0.16 "
                       f"--center 100,100 {WORK}/swap.3mf -o {WORK}/swap.gcode")
    assert rc == 0 and os.path.exists(os.path.join(installed, "swap.gcode")), text[-3000:]
    with open(os.path.join(installed, "swap.gcode")) as fh:
        gcode = fh.read()
    assert "PrusaSlicer 2.9" in gcode[:500]
    assert gcode_colour_changes(gcode) == pytest.approx(planned, abs=1e-6)
    with open(os.path.join(installed, "swap.swaps.txt")) as fh:
        assert [line.split()[1] for line in fh.read().splitlines()[4:]] == [f"{z:.3f}" for z in planned]
