# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs inside Debian's Blender in a real window (Xvfb) and uses it as a person would, from timers,
with Blender's own event simulation (clicks, keys, typing), as Blender's UI tests do.

The scenario (``scenario()``) is a generator: it yields a number of seconds to wait, or ``until(...)``
a condition. A heartbeat timer every 20 ms records when the window answers: the longest gap between
two beats is how long the window did not answer. Every draw of our panels is recorded, with the state
the scenario is in ("no image", "image chosen", "running", "finished", "failed") and any exception.
Pictures of the screen are taken with ImageMagick's ``import`` (Blender's own screenshot reads black
under Xvfb); the sidebar's rectangle is logged with each, for the test to cut the panel out.
Writes ``log.json`` in OUT.

    blender start.blend --enable-event-simulate --python window_driver.py -- OUT IMAGE
"""

import json
import math
import os
import subprocess
import sys
import time
import traceback

import bpy

OUT, IMAGE = sys.argv[sys.argv.index("--") + 1:][:2]
BAD = os.path.join(OUT, "broken.png")  # a PNG whose header reads and whose pixels do not
BIG = os.path.join(OUT, "big.png")  # the image at 3 x its size: a trace long enough to press Esc in
PKG = next(m for m in sys.modules if m.endswith(".image_to_print"))
beats: list = []
tasks: list = []  # what our running task said at each beat
log: dict = {"gaps": {}, "seconds": {}, "method": {}, "errors": [], "drawn": {}, "shots": {}, "esc": {},
             "f3": {}, "menus": {}, "notice": {}, "preview": {}}
STATE = ["start"]


def heartbeat():
    beats.append(time.perf_counter())
    tasks.append(ours("ui.state").TASK["text"])
    return 0.02


def longest_gap(t0: float, t1: float) -> float:
    b = [t0] + [x for x in beats if t0 <= x <= t1] + [t1]
    return max(b2 - b1 for b1, b2 in zip(b, b[1:]))


def timeline(t0: float, t1: float) -> list:
    """(seconds from t0, the task) at each beat where the task changed or the window had stalled."""
    out, last, previous = [], None, t0
    for t, task in zip(beats, tasks):
        if t0 <= t <= t1 and (task != last or t - previous > 0.1):
            out.append((round(t - t0, 3), round(t - previous, 3), task))
            last = task
        if t0 <= t <= t1:
            previous = t
    return out


# --- what the scenario uses ------------------------------------------------------------------------
def window():
    return bpy.context.window_manager.windows[0]


def view3d() -> dict:
    win = window()
    area = next(a for a in win.screen.areas if a.type == 'VIEW_3D')
    return {"window": win, "screen": win.screen, "area": area,
            "region": next(r for r in area.regions if r.type == 'WINDOW')}


def sidebar():
    return next(r for r in view3d()["area"].regions if r.type == 'UI')


def ours(name: str):
    return sys.modules[f"{PKG}.{name}"]


def wm():
    return bpy.context.window_manager


def scene_state() -> tuple:
    """What the scene holds: objects, meshes, curves and collections, by name."""
    return (sorted(o.name for o in bpy.data.objects), sorted(m.name for m in bpy.data.meshes),
            sorted(c.name for c in bpy.data.curves), sorted(c.name for c in bpy.data.collections))


def until(condition, timeout: float, what: str):
    return ("until", condition, timeout, what)


def click(x: int, y: int, win=None) -> None:
    win = win or window()
    win.event_simulate(type='MOUSEMOVE', value='NOTHING', x=x, y=y)
    win.event_simulate(type='LEFTMOUSE', value='PRESS', x=x, y=y)
    win.event_simulate(type='LEFTMOUSE', value='RELEASE', x=x, y=y)


def key(name: str, win=None, **modifiers) -> None:
    win = win or window()
    win.event_simulate(type=name, value='PRESS', **modifiers)
    win.event_simulate(type=name, value='RELEASE', **modifiers)


def type_text(text: str) -> None:
    for ch in text:
        name = 'SPACE' if ch == " " else ch.upper()
        window().event_simulate(type=name, value='PRESS', unicode=ch)
        window().event_simulate(type=name, value='RELEASE')


def mouse_to_viewport() -> None:
    r = view3d()["region"]
    window().event_simulate(type='MOUSEMOVE', value='NOTHING', x=r.x + r.width // 2, y=r.y + r.height // 2)


def shot(name: str) -> None:
    """A picture of the whole screen, and where the sidebar is on it (x, y from the top, w, h)."""
    for area in window().screen.areas:
        area.tag_redraw()
    subprocess.run(["import", "-window", "root", os.path.join(OUT, name + ".png")], check=False)
    r, height = sidebar(), window().height
    log["shots"][name] = [r.x, height - (r.y + r.height), r.width, r.height]


# Panel headers: with every panel above closed, the k-th panel's header is this far from the
# sidebar's top (pixels at UI scale 1: Blender's panel header is 28 px high with its gap).
PANELS = ["IMAGE_TO_PRINT_PT_relief", "IMAGE_TO_PRINT_PT_trace", "IMAGE_TO_PRINT_PT_ai",
          "IMAGE_TO_PRINT_PT_check", "IMAGE_TO_PRINT_PT_export"]
HEADER_TOP, HEADER_STEP = 12, 28


def header(k: int) -> tuple:
    r, s = sidebar(), bpy.context.preferences.system.ui_scale
    return r.x + int(60 * s), r.y + r.height - int((HEADER_TOP + k * HEADER_STEP) * s)


def watch_panels() -> None:
    """Record every draw of our panels (and any exception it raises) under the scenario's state."""
    for cls in bpy.types.Panel.__subclasses__():
        if getattr(cls, "bl_category", "") == "Image to Print":
            cls.draw = recording(cls.draw, cls.__name__)


def recording(original, name):
    # exactly (self, context): Blender passes as many arguments as the function declares
    def draw(self, context):
        try:
            original(self, context)
        except Exception as exc:
            log["errors"].append(f"{name} in state {STATE[0]!r}: {type(exc).__name__}: {exc}")
            raise
        drawn = log["drawn"].setdefault(STATE[0], [])
        if name not in drawn:
            drawn.append(name)

    return draw


def each_panel(prefix: str):
    """Open each of our panels in turn (the others closed, as clicking their headers does), take a
    picture of it, close it; the Relief panel is left open at the end."""
    yield from toggle(0, open_=False)
    for k, name in enumerate(PANELS):
        yield from toggle(k, open_=True)
        shot(f"{prefix}-{name.rsplit('_', 1)[1]}")
        yield 0.2
        yield from toggle(k, open_=False)
    yield from toggle(0, open_=True)


def toggle(k: int, open_: bool):
    """Click the k-th header; check by the draws that the panel opened (or closed)."""
    STATE.append(STATE[0])
    STATE[0] = "probe"
    log["drawn"].pop("probe", None)
    click(*header(k))
    yield 0.4
    log["drawn"].pop("probe", None)
    for area in window().screen.areas:
        area.tag_redraw()
    yield 0.4
    STATE[0] = STATE.pop()
    drew = PANELS[k] in log["drawn"].pop("probe", [])
    if drew != open_:
        raise AssertionError(f"clicking the header of {PANELS[k]} at {header(k)} did not "
                             f"{'open' if open_ else 'close'} it")


def timed(name: str, start, done, timeout: float):
    """Start an operator and wait for it; the longest gap between heartbeats while it ran."""
    t0 = time.perf_counter()
    start()
    yield until(done, timeout, f"{name} did not finish in {timeout} s")
    t1 = time.perf_counter()
    log["gaps"][name], log["seconds"][name] = longest_gap(t0, t1), t1 - t0


def not_running() -> bool:
    return not ours("ui.state").TASK["text"]


def create(route: str):
    t0 = time.perf_counter()
    with bpy.context.temp_override(**view3d()):
        result = getattr(bpy.ops.image_to_print, route)('INVOKE_DEFAULT', from_scene=True)
    log.setdefault("create", []).append((route, sorted(result), round(time.perf_counter() - t0, 3)))


def select(obj) -> None:
    for o in bpy.context.scene.objects:
        o.select_set(o is obj)
    bpy.context.view_layer.objects.active = obj


def check(obj) -> None:
    select(obj)
    ours("ui.state").RESULTS.clear()
    with bpy.context.temp_override(**view3d()):
        bpy.ops.image_to_print.check('INVOKE_DEFAULT')


def make_printable(obj) -> None:
    select(obj)
    with bpy.context.temp_override(**view3d()):
        bpy.ops.image_to_print.make_printable('INVOKE_DEFAULT')


def export_through_the_browser(obj, filename: str):
    """Export ``obj`` as a user does: the Export panel's STL button opens the file browser, a name is
    typed, Enter."""
    select(obj)
    with bpy.context.temp_override(**view3d()):
        bpy.ops.image_to_print.export('INVOKE_DEFAULT', file_format='STL')
    yield until(lambda: len(wm().windows) > 1, 5.0, "Export opened no file browser")
    yield 0.5
    browser = wm().windows[-1]
    params = next(a.spaces.active for a in browser.screen.areas if a.type == 'FILE_BROWSER').params
    params.directory = OUT.encode()
    params.filename = filename
    yield 0.3
    key('RET', win=browser)
    yield until(lambda: len(wm().windows) == 1, 5.0, "the file browser did not close on Enter")


def esc_cancels(name: str, start, after: float, timeout: float, writes: str = ""):
    """Start a long operator, press Esc ``after`` seconds in: the scene must be as it was (and the file
    ``writes`` not written)."""
    before = scene_state()
    t0 = time.perf_counter()
    log.setdefault("esc_t0", {})[name] = t0
    started = start()
    if started is not None:  # a start through the window's own steps (the file browser)
        yield from started
    yield after
    t_esc = time.perf_counter()
    task = ours("ui.state").TASK["text"]
    mouse_to_viewport()
    key('ESC')
    yield until(not_running, timeout, f"{name} did not stop after Esc")
    t1 = time.perf_counter()
    yield 0.3
    unchanged = scene_state() == before and not (writes and os.path.exists(writes))
    log["esc"][name] = {"unchanged": unchanged, "esc_to_stop_s": t1 - t_esc,
                        "ran_s": t1 - t0, "notice": ours("ui.state").NOTICE["text"],
                        "gap_s": longest_gap(t0, t1), "esc_at_s": t_esc - t0, "task_at_esc": task,
                        "timeline": timeline(t0, t1),
                        "said": sorted({x for t, x in [*zip(beats, tasks), *said] if t0 <= t <= t1 and x})}


def f3(text: str):
    """F3, type ``text``, Enter: the first entry found runs; ours opens its file browser."""
    mouse_to_viewport()
    key('F3')
    yield 0.5
    type_text(text)
    yield 0.8
    shot("f3-" + text.replace(" ", "-"))
    key('RET')
    yield until(lambda: len(wm().windows) > 1, 5.0, f"F3 '{text}': no file browser opened")
    yield 0.5
    browser = wm().windows[-1]
    space = next(a.spaces.active for a in browser.screen.areas if a.type == 'FILE_BROWSER')
    log["f3"][text] = space.active_operator.bl_idname if space.active_operator else None
    before = scene_state()
    key('ESC', win=browser)
    yield until(lambda: len(wm().windows) == 1, 5.0, "the file browser did not close on Esc")
    log["f3"][text + " unchanged"] = scene_state() == before


def menu(name: str):
    """Open a menu at the mouse, take its picture, close it; list the entries that are ours."""
    functions = getattr(bpy.types, name)._dyn_ui_initialize()
    log["menus"][name] = [f.__name__ for f in functions if f.__module__.startswith(PKG)]
    r = view3d()["region"]
    window().event_simulate(type='MOUSEMOVE', value='NOTHING', x=r.x + 200, y=r.y + r.height - 40)
    yield 0.2
    with bpy.context.temp_override(**view3d()):
        bpy.ops.wm.call_menu(name=name)
    yield 0.6
    shot("menu-" + name)
    key('ESC')
    yield 0.3


# Where Blender 4.3 puts things at UI scale 1 in a 1280 x 800 window (checked by their effect, not assumed):
CREATE_FROM_TOP = 360  # the Relief panel's Create button, below the sidebar's top, with an image chosen
REDO_WIDTH_AT = (239, 609)  # the Width field of the F9 popup (x, y from the window's top)


def redo_with_f9():
    """Create from the sidebar by clicking its button, then F9 and a new Width typed in the popup: the
    relief is rebuilt at that width (one object, not a second one)."""
    settings = bpy.context.scene.image_to_print.relief
    settings.width_mm, settings.sample_mm = 60.0, 0.5
    before = set(bpy.data.objects)
    yield 0.5
    r = sidebar()
    click(r.x + r.width // 2 - 20, r.y + r.height - CREATE_FROM_TOP)
    yield until(lambda: set(bpy.data.objects) - before and not_running(), 30,
                "clicking Create in the Relief panel made nothing")
    yield 0.5
    made = next(iter(set(bpy.data.objects) - before))
    name = made.name
    log["redo"] = {"before_mm": round(made.dimensions.x * 1000, 3),
                   "last": [o.bl_idname for o in wm().operators][-1:]}
    mouse_to_viewport()
    key('F9')
    yield 0.8
    shot("redo-f9")
    x, y = REDO_WIDTH_AT[0], window().height - REDO_WIDTH_AT[1]
    window().event_simulate(type='MOUSEMOVE', value='NOTHING', x=x, y=y)
    yield 0.2
    click(x, y)  # a click on a number field edits it as text
    yield 0.3
    key('A', ctrl=True)
    for ch in "80":
        digit = {"8": 'EIGHT', "0": 'ZERO'}[ch]
        window().event_simulate(type=digit, value='PRESS', unicode=ch)
        window().event_simulate(type=digit, value='RELEASE')
    key('RET')
    yield 2.0
    rebuilt = [o for o in bpy.data.objects if o.name.startswith(name.split(".")[0])]  # the same name again
    log["redo"].update(after_mm=[round(o.dimensions.x * 1000, 3) for o in rebuilt], name=name,
                       objects=sorted(o.name for o in bpy.data.objects), notice=ours("ui.state").NOTICE["text"])
    shot("redo-done")
    key('ESC')
    yield 0.3


def shades_and_swaps():
    """A cylinder lithophane and a filament-swap relief, each made by its operator and selected, with the
    sidebar showing what each adds to the Relief panel: the lamp lit from behind, the editable swap list."""
    made = {}
    for name, options in (("lamp", dict(mode='LITHOPHANE', shape='CYLINDER', diameter_mm=60.0, sample_mm=0.8)),
                          ("swap", dict(mode='SWAP', shape='FLAT', width_mm=40.0, sample_mm=0.5, base_mm=0.48,
                                        depth_mm=1.6))):
        before = set(bpy.data.objects)
        with bpy.context.temp_override(**view3d()):
            bpy.ops.image_to_print.relief('EXEC_DEFAULT', filepath=IMAGE, **options)
        new = [o for o in bpy.data.objects if o not in before]
        obj = new[0]
        for other in bpy.context.scene.objects:
            other.hide_set(other is not obj)
        select(obj)
        with bpy.context.temp_override(**view3d()):
            bpy.ops.view3d.view_selected()
        # (solid shading: the material preview's shaders take longer to compile here than a test should wait;
        # the Blender tier checks the materials' colours against the plan)
        yield 1.5  # the backlit picture's icon is made in the background
        shot("lamp-backlit" if name == "lamp" else "swap-plan")
        made[name] = {"object": obj.name, "backlit": obj.get("image_to_print_backlit", ""),
                      "swaps": [[e.layer, list(e.colour)] for e in getattr(obj, "image_to_print_swaps", [])]}
    log["shades"] = made


def preview_pixels():
    import numpy as np

    item = ours("ui.trace_preview")._state["previews"]["trace"]
    return np.asarray(item.image_pixels_float[:], dtype=np.float32)


# --- the scenario ----------------------------------------------------------------------------------
def scenario():
    yield 1.5  # the first frames drawn
    t0 = time.perf_counter()
    yield 2.0
    log["gaps"]["idle"] = longest_gap(t0, time.perf_counter())
    watch_panels()
    v = view3d()
    v["area"].spaces[0].show_region_ui = True
    yield 0.5
    r = sidebar()  # click the sidebar's Image to Print tab: Item, Tool, View, then ours
    click(r.x + r.width - 9, r.y + r.height - 185)
    yield 0.5
    log["sidebar_tab"] = sidebar().active_panel_category
    log["sidebar_rect"] = [r.x, r.y, r.width, r.height]

    # every panel, before any image is chosen
    STATE[0] = "no image"
    yield from each_panel("empty")

    # an image chosen in each route
    settings = bpy.context.scene.image_to_print
    for group in (settings.relief, settings.trace, settings.ai):
        group.image_path = IMAGE
    settings.relief.width_mm, settings.relief.sample_mm = 100.0, 0.15
    STATE[0] = "image chosen"
    yield 1.0  # the trace preview is made in a timer
    yield from each_panel("image")

    # the live trace preview follows the threshold
    trace = settings.trace
    trace.auto_threshold = False
    for value in (0.3, 0.7):
        trace.threshold = value
        yield from toggle(0, open_=False)
        yield from toggle(1, open_=True)
        yield 1.0
        ink = preview_pixels()
        log["preview"][str(value)] = float((ink[0::4] < 0.5).mean())  # the share of ink in the preview
        shot(f"preview-{value}")
        yield from toggle(1, open_=False)
        yield from toggle(0, open_=True)
    trace.auto_threshold = True

    # Create: the relief, in its modal run, the progress bar in the panel
    STATE[0] = "running"
    t0 = time.perf_counter()
    create("relief")
    task = ours("ui.state").TASK
    yield until(lambda: "starting" not in task["text"], 30, "the relief did not start")
    if task["text"]:  # still running: its progress bar in the panel
        log["task_while_running"] = task["text"]
        shot("running-relief")
    yield until(not_running, 120, "the relief did not finish in 120 s")
    t1 = time.perf_counter()
    # what the window showed at its beats, and every line the run set between them (a beat can miss a
    # stage the worker passed while the window was busy)
    log["tasks_seen"] = sorted({t for b, t in [*zip(beats, tasks), *said] if t0 <= b <= t1 and t})
    log["gaps"]["relief create"], log["seconds"]["relief create"] = longest_gap(t0, t1), t1 - t0
    log["relief_run"] = {"timeline": timeline(t0, t1), "said": [(round(t - t0, 3), x) for t, x in said if t >= t0]}
    STATE[0] = "finished"
    relief = bpy.context.active_object
    relief.name = "relief"
    yield 0.5
    shot("finished-relief")

    # the checks, on the relief as built (height field) and on a plain copy of its mesh (generic)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    copy = bpy.data.objects.new("copy", bpy.data.meshes.new_from_object(relief.evaluated_get(depsgraph)))
    copy.matrix_world = relief.matrix_world
    bpy.context.scene.collection.objects.link(copy)
    log["triangles"] = sum(len(p.vertices) - 2 for p in copy.data.polygons)
    results = ours("ui.state").RESULTS
    for name, obj in (("relief", relief), ("generic", copy)):
        yield from timed(f"check {name}", lambda obj=obj: check(obj), lambda: results and not_running(), 120)
        log["method"][name] = next(iter(results.values())).get("method", "generic")
    copy.hide_set(True)
    select(relief)
    yield from toggle(0, open_=False)
    yield from toggle(3, open_=True)
    shot("finished-check")
    yield from toggle(3, open_=False)
    yield from toggle(0, open_=True)

    # the other routes' Create, timed
    yield from timed("trace create", lambda: create("trace"), not_running, 120)
    yield from timed("ai create", lambda: create("ai_mesh"), not_running, 180)

    # Esc cancels every long operator and leaves the scene as it was
    STATE[0] = "cancelled"
    settings.relief.sample_mm = 0.05  # long enough (about 2 s) for Esc to come while it runs
    yield from esc_cancels("relief", lambda: create("relief"), 0.3, 60)
    from PIL import Image  # the extension's own wheel

    with Image.open(IMAGE) as img:
        img.resize((img.width * 3, img.height * 3), Image.Resampling.LANCZOS).save(BIG)
    settings.trace.image_path = BIG
    yield from esc_cancels("trace", lambda: create("trace"), 0.3, 60)
    settings.trace.image_path = IMAGE
    settings.ai.resolution = 640
    yield from esc_cancels("ai", lambda: create("ai_mesh"), 0.5, 60)
    copy.hide_set(False)
    yield from esc_cancels("check", lambda: check(copy), 1.0, 60)
    yield from esc_cancels("make printable", lambda: make_printable(copy), 1.0, 60)
    yield from esc_cancels("export", lambda: export_through_the_browser(copy, "copy.stl"), 1.0, 60,
                           writes=os.path.join(OUT, "copy.stl"))
    # and an export left to finish writes its file, in its modal run
    yield from export_through_the_browser(relief, "relief.stl")
    yield until(not_running, 60, "the export of the relief did not finish")
    stl = os.path.join(OUT, "relief.stl")
    log["export"] = {"bytes": os.path.getsize(stl) if os.path.exists(stl) else 0,
                     "triangles": log["triangles"]}
    copy.hide_set(True)
    settings.relief.sample_mm = 0.15

    # a failure is told in the panel, with the panel still drawing
    STATE[0] = "failed"
    with open(IMAGE, "rb") as fh:
        data = fh.read()
    with open(BAD, "wb") as fh:
        fh.write(data[:len(data) // 3])
    settings.relief.image_path = BAD
    before = scene_state()
    create("relief")
    yield until(not_running, 30, "the relief of a broken image did not end")
    yield 0.5
    log["notice"]["failed"] = ours("ui.state").NOTICE["text"]
    log["notice"]["failed unchanged"] = scene_state() == before
    shot("failed-relief")
    settings.relief.image_path = IMAGE
    log["notice"]["after another image"] = ours("ui.state").NOTICE["text"]

    # F3 finds the three "image as" entries; File > Import and File > Export list ours
    STATE[0] = "menus"
    for text in ("image as relief", "image as traced", "image as ai"):
        yield from f3(text)
    for name in ("TOPBAR_MT_file_import", "TOPBAR_MT_file_export"):
        yield from menu(name)

    # the result, seen from above and at an angle
    for obj in bpy.context.scene.objects:
        obj.hide_set(obj.name != "relief")
    select(relief)
    with bpy.context.temp_override(**view3d()):
        bpy.ops.view3d.view_axis(type='TOP')
        bpy.ops.view3d.view_selected()
    yield 0.8
    shot("window")
    from mathutils import Euler

    rv3d = view3d()["area"].spaces[0].region_3d
    rv3d.view_rotation = Euler((math.radians(50), 0.0, math.radians(20))).to_quaternion()
    with bpy.context.temp_override(**view3d()):
        bpy.ops.view3d.view_selected()
    yield 0.8
    shot("viewport-relief")

    # the Redo panel (F9) rebuilds with a changed setting
    STATE[0] = "redo"
    yield from redo_with_f9()

    # a lampshade lit from behind, a filament-swap relief's plan: what the Relief panel shows of each
    STATE[0] = "shades"
    yield from shades_and_swaps()


def finish(reason: str = "") -> None:
    if reason:
        log["errors"].append(reason)
    log["state_at_end"] = STATE[0]
    with open(os.path.join(OUT, "log.json"), "w") as fh:
        json.dump(log, fh, indent=1)
    bpy.ops.wm.quit_blender()


RUN = scenario()
WAITING: list = [None]


def tick():
    try:
        if WAITING[0] is not None:
            _, condition, deadline, what = WAITING[0]
            if not condition():
                if time.perf_counter() > deadline:
                    raise TimeoutError(what)
                return 0.02
            WAITING[0] = None
        wait = next(RUN)
        if os.environ.get("WINDOW_DRIVER_TRACE"):
            print("driver:", RUN.gi_frame.f_lineno if RUN.gi_frame else None, STATE[0], flush=True)
    except StopIteration:
        finish()
        return None
    except Exception as exc:  # reported to the test, which fails on it
        finish(f"{type(exc).__name__}: {exc} at {traceback.format_exc().splitlines()[-3].strip()}")
        return None
    if isinstance(wait, tuple):
        WAITING[0] = (wait[0], wait[1], time.perf_counter() + wait[2], wait[3])
        return 0.02
    return wait


if os.environ.get("WINDOW_DRIVER_TRACE"):
    import threading

    gil_beats: list = []

    def _gil():
        while True:
            gil_beats.append(time.perf_counter())
            time.sleep(0.005)

    threading.Thread(target=_gil, daemon=True).start()
    log["gil_beats"] = gil_beats
    log["beats"] = beats
    view_draws: list = []
    sidebar_draws: list = []
    log["view_draws"], log["sidebar_draws"] = view_draws, sidebar_draws
    bpy.types.SpaceView3D.draw_handler_add(lambda: view_draws.append(time.perf_counter()), (), 'WINDOW',
                                           'POST_PIXEL')
    bpy.types.SpaceView3D.draw_handler_add(lambda: sidebar_draws.append(time.perf_counter()), (), 'UI',
                                           'POST_PIXEL')
said: list = []  # (when, text) of every progress line our operators set, beats or not


def _recording(progress):
    def record(text):
        said.append((time.perf_counter(), text))
        return progress(text)
    return record


ours("ui.redraw").progress = _recording(ours("ui.redraw").progress)  # operators call redraw.progress(...)
bpy.app.timers.register(heartbeat, persistent=True)
bpy.app.timers.register(tick, first_interval=0.5, persistent=True)
