# SPDX-License-Identifier: GPL-3.0-or-later
"""A real Blender window: Debian's Blender under Xvfb (software OpenGL), driven by ``window_driver.py``
from timers inside it, as Blender's own UI tests are. It measures how long the window stops answering
(a 20 ms heartbeat) during the modal print checks, against the window idle, and takes a picture of the
screen, saved to build/ui/window.png."""

import json
import os
import shutil

import numpy as np
from debian_run import ROOT, WORK, blender, in_root
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def test_the_window_answers_during_the_modal_checks_and_shows_the_panel(installed):
    shutil.copy(os.path.join(HERE, "window_driver.py"), os.path.join(installed, "window_driver.py"))
    empty = ("import bpy; [bpy.data.objects.remove(o) for o in list(bpy.data.objects) if o.type == 'MESH']; "
             f"bpy.ops.wm.save_as_mainfile(filepath='{WORK}/start.blend')")  # no cube over the relief
    rc, out, err = blender("-b", "--python-expr", empty)
    assert rc == 0, out + err
    display = f":{90 + os.getpid() % 100}"
    rc, out = in_root(
        f"Xvfb {display} -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & xvfb=$!; sleep 1; "
        f"DISPLAY={display} timeout 300 blender {WORK}/start.blend --enable-event-simulate "
        f"--python {WORK}/window_driver.py -- {WORK} {WORK}/sunflower.png; rc=$?; kill $xvfb; exit $rc",
        timeout=360)
    assert rc == 0, out[-3000:]
    with open(os.path.join(installed, "log.json")) as fh:
        log = json.load(fh)
    assert log["errors"] == [], log["errors"]
    gaps = log["longest_gap_s"]
    print(f"\nlongest time the window did not answer: idle {gaps['idle']:.2f} s; checks of a relief of "
          f"{log['triangles']:,} triangles: as built (height field) {gaps['relief']:.2f} s of "
          f"{log['seconds']['relief']:.2f} s, a plain copy (generic) {gaps['generic']:.2f} s of "
          f"{log['seconds']['generic']:.2f} s")
    assert log["method"] == {"relief": "height field", "generic": "generic"}
    assert log["sidebar_tab"] == "Image to Print"  # the click on its tab opened it
    assert 600_000 < log["triangles"] < 700_000
    # the relief's checks answer the window as often as drawing it does, within a second
    assert gaps["relief"] <= max(1.0, gaps["idle"] + 0.5), gaps
    picture = os.path.join(ROOT, "build", "ui", "window.png")
    os.makedirs(os.path.dirname(picture), exist_ok=True)
    shutil.copy(os.path.join(installed, "window.png"), picture)
    pixels = np.asarray(Image.open(picture).convert("RGB"), dtype=np.float64)
    assert pixels.shape == (800, 1280, 3)
    assert pixels.mean() > 30 and pixels.std() > 20  # a drawn window, not the black of a failed capture
