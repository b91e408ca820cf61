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


@pytest.mark.parametrize("steps_taken", [1, 2])
def test_the_ai_realize_steps_closed_midway_leave_the_scene_unchanged(ext, scene, tmp_path, steps_taken):
    """Esc between two steps of the AI route's realize (the sidebar's run) closes them: the mesh, its
    image and material made by the first step, the repair made by the second, all go."""
    make_image, overrides = CASES["ai"]
    image = make_image(tmp_path / "i.png")
    route, settings = _settings(ext, "ai", overrides)
    options = route.prepare(bpy.context, settings, {})
    payload = route.compute(image, settings, options)
    before = datablock_counts()
    steps = route.realize(bpy.context, image, settings, options, payload)
    taken = [next(steps) for _ in range(steps_taken)]
    assert [text for _, text in taken] == ["repairing and checking", "done"][:steps_taken]
    assert datablock_counts() != before  # the object is there between the steps
    steps.close()
    assert datablock_counts() == before


def test_every_operator_runs_its_route(ext):
    route = ext.operators.route
    names = {cls.route_name for cls in ext.operators.classes if issubclass(cls, route.RouteOperator)}
    assert names == set(route.routes()) == {"relief", "trace", "ai"}
