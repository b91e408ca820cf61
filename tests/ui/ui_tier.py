# SPDX-License-Identifier: GPL-3.0-or-later
"""This tier's folder in the Debian root, its runners (tests/helpers/debian_run.py), and one run of the
window driver (also used by benchmarks/window_bench.py, in a folder of its own)."""

import json
import os
import shutil

from debian_run import ROOT, Tier

HERE = os.path.dirname(os.path.abspath(__file__))
TIER = Tier("/tmp/image-to-print-ui")
WORK = TIER.work
blender, in_root = TIER.blender, TIER.in_root


def run_window(tier: Tier, installed: str, timeout: int = 420) -> dict:
    """Run window_driver.py once in a real window, on an empty scene (no cube over the relief); its log.
    ``installed`` is the tier's work folder on this machine (:meth:`Tier.install`)."""
    shutil.copy(os.path.join(HERE, "window_driver.py"), os.path.join(installed, "window_driver.py"))
    empty = ("import bpy; [bpy.data.objects.remove(o) for o in list(bpy.data.objects) if o.type == 'MESH']; "
             f"bpy.ops.wm.save_as_mainfile(filepath='{tier.work}/start.blend')")
    rc, out, err = tier.blender("-b", "--python-expr", empty)
    assert rc == 0, out + err
    rc, out = tier.window(f"{tier.work}/start.blend", f"{tier.work}/window_driver.py", tier.work,
                          f"{tier.work}/sunflower.png", timeout=timeout)
    assert rc == 0, out[-3000:]
    with open(os.path.join(installed, "log.json")) as fh:
        return json.load(fh)


__all__ = ["ROOT", "TIER", "WORK", "blender", "in_root", "run_window"]
