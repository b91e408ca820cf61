# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside Debian's Blender in a real window (Xvfb): drives it from timers, as a person would use it.

A heartbeat timer every 20 ms records when the window answers. Steps: the window idle for 2 s (the
longest gap between heartbeats: what software OpenGL costs anyway); a relief made and the sidebar's
Image to Print tab shown; the modal Check Printability on the relief (height-field checks) and on a
plain copy of its mesh (generic checks), each timed with its longest gap; a picture of the screen
(ImageMagick's ``import``: Blender's own screenshot reads black under Xvfb). Writes ``log.json``.

    blender start.blend --enable-event-simulate --python window_driver.py -- OUT IMAGE
"""

import json
import subprocess
import sys
import time

import bpy

OUT, IMAGE = sys.argv[sys.argv.index("--") + 1:][:2]
beats: list = []
log: dict = {"longest_gap_s": {}, "seconds": {}, "method": {}, "errors": []}
state: dict = {"step": "settle", "t": time.perf_counter()}


def heartbeat():
    beats.append(time.perf_counter())
    return 0.02


def longest_gap(t0: float, t1: float) -> float:
    b = [t0] + [x for x in beats if t0 <= x <= t1] + [t1]
    return max(b2 - b1 for b1, b2 in zip(b, b[1:]))


def view3d() -> dict:
    win = bpy.context.window_manager.windows[0]
    area = next(a for a in win.screen.areas if a.type == 'VIEW_3D')
    return {"window": win, "screen": win.screen, "area": area,
            "region": next(r for r in area.regions if r.type == 'WINDOW')}


def results() -> dict:
    return sys.modules[next(m for m in sys.modules if m.endswith("image_to_print.operators.check"))].RESULTS


def select(obj) -> None:
    for o in bpy.context.scene.objects:
        o.select_set(o is obj)
    bpy.context.view_layer.objects.active = obj


def start_check(name: str) -> None:
    select(bpy.data.objects[name])
    results().clear()
    with bpy.context.temp_override(**view3d()):
        bpy.ops.image_to_print.check('INVOKE_DEFAULT')
    state.update(t=time.perf_counter())


def finish(reason: str = "") -> None:
    if reason:
        log["errors"].append(reason)
    with open(OUT + "/log.json", "w") as fh:
        json.dump(log, fh)
    bpy.ops.wm.quit_blender()


def step():
    try:
        return _step()
    except Exception as exc:  # reported to the test, which fails on it
        finish(f"{type(exc).__name__}: {exc}")
        return None


def _step():
    now, s = time.perf_counter(), state["step"]
    if s == "settle" and now - state["t"] > 1.5:  # the first frames drawn
        state.update(step="idle", t=now)
    elif s == "idle" and now - state["t"] > 2.0:
        log["longest_gap_s"]["idle"] = longest_gap(state["t"], now)
        v = view3d()
        with bpy.context.temp_override(**v):
            bpy.ops.image_to_print.relief(filepath=IMAGE, width_mm=100.0, sample_mm=0.15)
        relief = bpy.context.active_object
        relief.name = "relief"
        depsgraph = bpy.context.evaluated_depsgraph_get()
        copy = bpy.data.objects.new("copy", bpy.data.meshes.new_from_object(relief.evaluated_get(depsgraph)))
        copy.matrix_world = relief.matrix_world
        bpy.context.scene.collection.objects.link(copy)
        log["triangles"] = sum(len(p.vertices) - 2 for p in copy.data.polygons)
        v["area"].spaces[0].show_region_ui = True
        state.update(step="tab", t=now)
    elif s == "tab" and now - state["t"] > 0.5:  # click the sidebar's Image to Print tab, as a person would
        sidebar = next(r for r in view3d()["area"].regions if r.type == 'UI')
        x, y = sidebar.x + sidebar.width - 9, sidebar.y + sidebar.height - 185  # Item, Tool, View, then ours
        win = view3d()["window"]
        win.event_simulate(type='MOUSEMOVE', value='NOTHING', x=x, y=y)
        win.event_simulate(type='LEFTMOUSE', value='PRESS', x=x, y=y)
        win.event_simulate(type='LEFTMOUSE', value='RELEASE', x=x, y=y)
        state.update(step="tab shown", t=now)
    elif s == "tab shown" and now - state["t"] > 0.5:
        sidebar = next(r for r in view3d()["area"].regions if r.type == 'UI')
        log["sidebar_tab"] = sidebar.active_panel_category
        start_check("relief")
        state.update(step="relief")
    elif s in ("relief", "generic") and results():
        log["longest_gap_s"][s] = longest_gap(state["t"], now)
        log["seconds"][s] = now - state["t"]
        log["method"][s] = next(iter(results().values())).get("method", "generic")
        if s == "relief":
            start_check("copy")
            state.update(step="generic")
        else:
            select(bpy.data.objects["relief"])
            bpy.data.objects["copy"].hide_set(True)
            with bpy.context.temp_override(**view3d()):
                bpy.ops.view3d.view_axis(type='TOP')
                bpy.ops.view3d.view_selected()  # the relief filling the view, seen from above
            for area in view3d()["screen"].areas:
                area.tag_redraw()
            state.update(step="picture", t=now)
    elif s in ("relief", "generic") and now - state["t"] > 120:
        finish(f"the {s} check did not finish in 120 s")
        return None
    elif s == "picture" and now - state["t"] > 1.0:
        subprocess.run(["import", "-window", "root", OUT + "/window.png"], check=False)
        finish()
        return None
    return 0.05


bpy.app.timers.register(heartbeat, persistent=True)
bpy.app.timers.register(step, first_interval=0.5, persistent=True)
