# SPDX-License-Identifier: GPL-3.0-or-later
"""Every route has one shape: ``compute`` (pure, run in a worker thread by the sidebar's Create) then
``realize`` (the scene, on the main thread). Run that way, each route makes exactly what its
synchronous ``build`` makes, and a cancel during ``compute`` leaves the scene as it was."""

import threading

import bpy
import numpy as np
import pytest
from conftest import datablock_counts
from images import ring_and_island, smooth

CASES = {
    "relief": (smooth, {"width_mm": 30.0, "sample_mm": 0.5}),
    "trace": (ring_and_island, {"width_mm": 30.0}),
    "ai": (ring_and_island, {"size_mm": 30.0, "resolution": 96}),
}


def _evaluated(objects):
    depsgraph = bpy.context.evaluated_depsgraph_get()
    out = []
    for obj in objects:
        mesh = obj.evaluated_get(depsgraph).to_mesh()
        co = np.empty(len(mesh.vertices) * 3, np.float32)
        mesh.vertices.foreach_get("co", co)
        out.append((len(mesh.vertices), len(mesh.polygons), np.round(co.reshape(-1, 3).sum(axis=0), 3).tolist()))
        obj.evaluated_get(depsgraph).to_mesh_clear()
    return out


def _settings(ext, name, overrides):
    route = ext.operators.route.routes()[name]
    settings = route.settings()
    for key, value in overrides.items():
        setattr(settings, key, value)
    return route, settings


@pytest.mark.parametrize("name", sorted(CASES))
def test_compute_in_a_thread_then_realize_makes_what_build_makes(ext, scene, tmp_path, name):
    make_image, overrides = CASES[name]
    image = make_image(tmp_path / "i.png")
    route, settings = _settings(ext, name, overrides)
    made = route.build(bpy.context, image, settings)
    expected = _evaluated(made.objects)
    for obj in made.objects:
        bpy.data.objects.remove(obj)

    options = route.prepare(bpy.context, settings, {})
    box, seen = {}, []
    thread = threading.Thread(target=lambda: box.update(
        payload=route.compute(image, settings, options, lambda f, t: seen.append((f, t)), threading.Event())))
    thread.start()
    thread.join(120)
    assert "payload" in box
    assert all(0.0 <= f <= 1.0 for f, _ in seen)
    again = ext.operators.route.realized(route.realize(bpy.context, image, settings, options, box["payload"]))
    assert _evaluated(again.objects) == expected
    assert again.label.split(" ")[0] == made.label.split(" ")[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_cancel_during_compute_leaves_the_scene_unchanged(ext, scene, tmp_path, name):
    make_image, overrides = CASES[name]
    image = make_image(tmp_path / "i.png")
    route, settings = _settings(ext, name, overrides)
    cancel = threading.Event()
    cancel.set()
    before = datablock_counts()
    with pytest.raises(ext.core.errors.Cancelled):
        route.build(bpy.context, image, settings, {}, lambda f, t: None, cancel)
    assert datablock_counts() == before


def _step_until(steps, text: str) -> list:
    """Advance ``steps`` until one says ``text``; every text seen."""
    seen = []
    while not seen or seen[-1] != text:
        seen.append(next(steps)[1])
    return seen


@pytest.mark.parametrize("stage", ["repairing and checking", "cleaning", "done"])
def test_the_ai_realize_steps_closed_midway_leave_the_scene_unchanged(ext, scene, tmp_path, stage):
    """Esc between two steps of the AI route's realize (the sidebar's run) closes them: the mesh, its
    image and material made by the first step, the repair made by the second, all go."""
    make_image, overrides = CASES["ai"]
    image = make_image(tmp_path / "i.png")
    route, settings = _settings(ext, "ai", overrides)
    options = route.prepare(bpy.context, settings, {})
    payload = route.compute(image, settings, options)
    before = datablock_counts()
    steps = route.realize(bpy.context, image, settings, options, payload)
    seen = _step_until(steps, stage)
    assert seen[0] == "repairing and checking" and "reading the mesh" in seen[1:] + ["reading the mesh"]
    assert datablock_counts() != before  # the object is there between the steps
    steps.close()
    assert datablock_counts() == before


def test_make_printable_steps_closed_midway_leave_the_object_as_it_was(ext, scene):
    """Esc during Make Printable in a window closes its steps: in place or not, nothing is changed."""
    repair = ext.operators.repair
    bpy.ops.mesh.primitive_cube_add(size=0.02)
    obj = bpy.context.active_object
    obj.data.polygons[0].flip()  # something to repair
    mesh = obj.data
    for in_place in (False, True):
        before = datablock_counts()
        steps = repair.make_printable_steps(bpy.context, obj, in_place=in_place, merge_mm=0.01, min_shell_mm3=1.0,
                                            intersections='UNION', voxel_mm=0.2)
        seen = _step_until(steps, "cleaning")
        seen += _step_until(steps, "reading the mesh")  # the check after the repair
        assert seen[0] == "reading the mesh" and "finding intersections" in seen
        steps.close()
        assert datablock_counts() == before and obj.data == mesh
    target, summary = repair.make_printable(bpy.context, obj, in_place=True, merge_mm=0.01, min_shell_mm3=1.0,
                                            intersections='UNION', voxel_mm=0.2)
    assert target == obj and obj.data != mesh and summary["after"]["object"] == obj.name
    assert "inside_out" not in summary["after"]["blocking"]


def test_every_operator_runs_its_route(ext):
    route = ext.operators.route
    names = {cls.route_name for cls in ext.operators.classes if issubclass(cls, route.RouteOperator)}
    assert names == set(route.routes()) == {"relief", "trace", "ai"}
