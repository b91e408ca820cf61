# SPDX-License-Identifier: GPL-3.0-or-later
"""The height-field checks (core.gridcheck) give the generic checks' counts, elements and sizes on
the relief the route builds, and refuse anything that is no longer that construction."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import blender_tris, displace, make_plan

from core.checks import Thresholds, full_report
from core.gridcheck import grid_report
from core.gridmesh import grid_topology
from core.solid import build_solid

GENERIC_ONLY = ("thin_faces", "narrow_faces")  # measured another way (straight down, not along normals)


def relief(rows=23, cols=31, spacing=0.2, base=1.0, depth=2.5, seed=3):
    """A relief with slopes, a plateau, knife-edge ridges and random spikes, as the route builds it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols]
    t = 0.5 + 0.4 * np.sin(x / 3.0) * np.cos(y / 2.0)
    t[4:8, 5:12] = 1.0
    t[12, 3:20] = 4.0  # a ridge one sample wide: sharp edges either side
    t[-1, 7] = t[9, 0] = 3.0  # spikes on the rim: sharp edges against the walls
    t += 0.3 * rng.random((rows, cols)) ** 6
    plan = make_plan(t, spacing=spacing, base=base, depth=depth)
    mesh = build_solid(plan)
    return plan, mesh, displace(mesh, plan)


def both(co, mesh, thresholds=None):
    got, want = {}, {}
    fast = grid_report(co, *mesh.grid, thresholds, elements=got)
    slow = full_report(co, mesh.loop_vert, mesh.loop_start, mesh.loop_total, tris=blender_tris(co, mesh),
                       thresholds=thresholds, loop_edge=mesh.corner_edge, edge_verts=mesh.edges,
                       intersecting_faces=np.zeros(0, np.int64), wall_mm=np.full(len(mesh.loop_start), np.inf),
                       elements=want)
    return fast, slow, got, want


def test_the_route_records_the_grid_and_its_topology_is_the_builders():
    plan, mesh, _ = relief()
    assert mesh.grid == (plan.rows, plan.cols)
    lv, ls, lt = grid_topology(*mesh.grid)
    assert np.array_equal(lv, mesh.loop_vert) and np.array_equal(ls, mesh.loop_start)
    assert np.array_equal(lt, mesh.loop_total)


@pytest.mark.parametrize("thresholds", [Thresholds(), Thresholds(nonplanar_deg=1.0, sharp_deg=120.0),
                                        Thresholds(zero_mm=0.25, overhang_deg=0.0)])
def test_counts_and_elements_are_the_generic_checks(thresholds):
    _, mesh, co = relief()
    fast, slow, got, want = both(co, mesh, thresholds)
    for name, value in slow["checks"].items():
        if name not in GENERIC_ONLY:
            assert fast["checks"][name] == value, name
    for name in set(got) | set(want):
        if name not in GENERIC_ONLY:
            assert np.array_equal(np.sort(got[name][1]), np.sort(want[name][1])), name
    assert fast["checks"]["sharp_edges"] > 0 and fast["checks"]["non_planar_faces"] > 0
    for key in ("triangles", "vertices", "faces", "edges", "bbox_mm", "bbox_min_mm", "first_layer_area_mm2"):
        assert fast[key] == slow[key], key
    assert fast["volume_mm3"] == pytest.approx(slow["volume_mm3"], abs=2e-3)
    assert fast["area_mm2"] == pytest.approx(slow["area_mm2"], abs=2e-3)
    assert fast["printable"] and fast["method"] == "height field"


def test_quads_blender_splits_the_other_way_are_measured_that_way():
    _, mesh, co = relief(depth=12.0)
    tris = blender_tris(co, mesh)
    flipped = (tris[: 2 * (mesh.grid[0] - 1) * (mesh.grid[1] - 1): 2] != mesh.loop_vert[
        mesh.loop_start[: (mesh.grid[0] - 1) * (mesh.grid[1] - 1)]][:, None]).any(axis=1)
    assert flipped.sum() > 0
    fast, slow, _, _ = both(co, mesh)
    assert fast["volume_mm3"] == pytest.approx(slow["volume_mm3"], abs=2e-3)


def test_thickness_is_the_height_of_the_solid_under_each_face():
    _, mesh, co = relief(base=0.5, depth=1.0)
    elements: dict = {}
    report = grid_report(co, *mesh.grid, Thresholds(min_thickness_mm=0.8, nozzle_mm=0.4), elements=elements)
    rows, cols = mesh.grid
    nq = (rows - 1) * (cols - 1)
    thin = elements["thin_faces"][1]
    z = co[: rows * cols, 2].reshape(rows, cols)
    first = blender_tris(co, mesh)[0: 2 * nq: 2]  # each quad's first triangle
    assert np.array_equal(thin[thin < nq], np.nonzero(co[first, 2].mean(axis=1) < 0.8)[0])
    assert 0 < len(thin[thin < nq]) < nq
    # nothing on the top is under 0.5 mm; walls are narrow where the top drops inward below the height of
    # their first triangle's centre (fins along the rim, the two spikes among them)
    narrow = elements["narrow_faces"][1]
    n_ring = 2 * (rows + cols - 2)
    assert report["checks"]["narrow_faces"] == len(narrow) > 0
    assert (narrow >= nq).all() and (narrow < nq + n_ring).all()
    walls = mesh.loop_vert[mesh.loop_start[narrow][:, None] + np.arange(2)]  # (b, a) on the top
    assert {(rows - 1) * cols + 7, 9 * cols} <= set(walls.ravel().tolist())
    def inward(v):  # the top over the next two samples (0.4 mm) straight in from a rim vertex
        r, c = divmod(v, cols)
        step = (-1, 0) if r == rows - 1 else (1, 0) if r == 0 else (0, 1) if c == 0 else (0, -1)
        return min(z[r + k * step[0], c + k * step[1]] for k in (1, 2))

    for b, a in walls.tolist():
        assert min(inward(a), inward(b)) < (z.flat[a] + z.flat[b]) / 3.0


@pytest.mark.parametrize("damage", ["jitter_x", "tilt", "lift_bottom", "mirror", "sink_top", "nan"])
def test_anything_but_that_height_field_is_left_to_the_generic_checks(damage):
    _, mesh, co = relief()
    co = co.copy()
    rows, cols = mesh.grid
    if damage == "jitter_x":
        co[5 * cols + 4, 0] += 0.05
    elif damage == "tilt":
        co[:, 2] += 0.1 * co[:, 1]
    elif damage == "lift_bottom":
        co[rows * cols + 3, 2] += 0.3
    elif damage == "mirror":
        co[:, 0] *= -1
    elif damage == "sink_top":
        co[2 * cols + 2, 2] = -0.1
    else:
        co[7, 2] = np.nan
    assert grid_report(co, rows, cols) is None
