# SPDX-License-Identifier: GPL-3.0-or-later
"""core.meshcheck: manifold / winding / volume checks on flat mesh arrays."""

from __future__ import annotations

import numpy as np
import pytest

from core.meshcheck import (
    basic_report,
    edge_counts,
    fan_triangles,
    long_triangles,
    next_loop,
    signed_volume,
    surface_area,
    volume_and_area,
)

CUBE_CO = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0],
                    [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], np.float64)
# outward (counter-clockwise seen from outside)
CUBE_QUADS = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]


def arrays(polys):
    loop_vert = np.array([v for p in polys for v in p], np.int32)
    loop_total = np.array([len(p) for p in polys], np.int32)
    loop_start = np.concatenate([[0], np.cumsum(loop_total)[:-1]]).astype(np.int32)
    return loop_vert, loop_start, loop_total


def blender_edges(polys, seed=0):
    """Blender-style edge arrays: edge index per loop and each edge's first vertex, in random order."""
    rng = np.random.default_rng(seed)
    keys = sorted({tuple(sorted((p[i], p[(i + 1) % len(p)]))) for p in polys for i in range(len(p))})
    keys = [keys[i] for i in rng.permutation(len(keys))]
    keys = [(b, a) if rng.random() < 0.5 else (a, b) for a, b in keys]  # Blender's edge direction is arbitrary
    index = {frozenset(k): i for i, k in enumerate(keys)}
    loop_edge = np.array([index[frozenset((p[i], p[(i + 1) % len(p)]))] for p in polys for i in range(len(p))])
    edge_v1 = np.array([k[0] for k in keys])
    return dict(loop_edge=loop_edge, edge_v1=edge_v1, n_edges=len(keys))


def report(polys, co=CUBE_CO, **kw):
    lv, ls, lt = arrays(polys)
    return basic_report(co, lv, ls, lt, **kw)


def test_cube_is_closed_with_unit_volume_and_area_six():
    lv, ls, lt = arrays(CUBE_QUADS)
    assert edge_counts(lv, ls, lt) == (0, 0)
    tris = fan_triangles(lv, ls, lt)
    assert signed_volume(CUBE_CO, tris) == pytest.approx(1.0, abs=1e-12)
    assert surface_area(CUBE_CO, tris) == pytest.approx(6.0, abs=1e-12)
    r = report(CUBE_QUADS)
    assert r == {
        "triangles": 12,
        "vertices": 8,
        "bbox_mm": [1.0, 1.0, 1.0],
        "bbox_min_mm": [0.0, 0.0, 0.0],
        "volume_mm3": 1.0,
        "signed_volume_mm3": 1.0,
        "area_mm2": 6.0,
        "checks": {"non_manifold_edges": 0, "bad_contiguous_edges": 0, "inside_out": False},
        "blocking": [],
        "printable": True,
    }


def test_volume_does_not_depend_on_position():
    moved = CUBE_CO * [2.0, 3.0, 0.5] + [100.0, -50.0, 7.0]
    r = report(CUBE_QUADS, co=moved)
    assert r["volume_mm3"] == pytest.approx(3.0)
    assert r["bbox_mm"] == [2.0, 3.0, 0.5]
    assert r["bbox_min_mm"] == [100.0, -50.0, 7.0]
    assert r["area_mm2"] == pytest.approx(2 * (6 + 1 + 1.5))


def test_missing_face_leaves_four_non_manifold_edges():
    lv, ls, lt = arrays(CUBE_QUADS[1:])
    assert edge_counts(lv, ls, lt) == (4, 0)
    r = report(CUBE_QUADS[1:])
    assert r["checks"]["non_manifold_edges"] == 4
    assert r["blocking"][0] == "non_manifold_edges"
    assert not r["printable"]


def test_flipped_face_gives_four_bad_contiguous_edges():
    polys = [q[::-1] if i == 2 else q for i, q in enumerate(CUBE_QUADS)]
    lv, ls, lt = arrays(polys)
    assert edge_counts(lv, ls, lt) == (0, 4)
    r = report(polys)
    assert r["checks"]["bad_contiguous_edges"] == 4
    assert "bad_contiguous_edges" in r["blocking"]
    assert not r["printable"]


def test_inside_out_cube_is_not_printable():
    polys = [q[::-1] for q in CUBE_QUADS]
    lv, ls, lt = arrays(polys)
    assert edge_counts(lv, ls, lt) == (0, 0)  # consistent, just the wrong way round
    r = report(polys)
    assert r["signed_volume_mm3"] == pytest.approx(-1.0)
    assert r["volume_mm3"] == pytest.approx(1.0)
    assert r["checks"]["inside_out"] is True
    assert r["blocking"] == ["inside_out"]
    assert r["printable"] is False


def test_a_face_used_three_times_is_non_manifold():
    polys = CUBE_QUADS + [[0, 1, 2]]  # adds a third face on edges 0-1 and 1-2 (and a new edge 2-0)
    lv, ls, lt = arrays(polys)
    assert edge_counts(lv, ls, lt) == (3, 0)


def test_non_finite_coordinates_block_printing():
    co = CUBE_CO.copy()
    co[6] = [np.nan, 1.0, 1.0]
    r = report(CUBE_QUADS, co=co)
    assert "non_finite_coordinates" in r["blocking"]
    assert r["printable"] is False


def test_empty_mesh():
    empty = np.zeros(0, np.int32)
    assert edge_counts(empty, empty, empty) == (0, 0)
    assert edge_counts(empty, empty, empty, n_edges=3) == (3, 0)  # loose edges only
    assert signed_volume(np.zeros((0, 3)), np.zeros((0, 3), int)) == 0.0
    assert surface_area(np.zeros((0, 3)), np.zeros((0, 3), int)) == 0.0
    r = basic_report(np.zeros((0, 3)), empty, empty, empty)
    assert r["triangles"] == 0 and r["vertices"] == 0
    assert r["checks"]["inside_out"] is True  # zero volume is not a solid
    assert r["printable"] is False


def test_next_loop_wraps_within_each_face():
    lv, ls, lt = arrays([[0, 1, 2], [3, 4, 5, 6]])
    np.testing.assert_array_equal(next_loop(ls, lt, len(lv)), [1, 2, 0, 4, 5, 6, 3])


def test_fan_triangles_counts_and_order():
    polys = [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10, 11, 12]]
    lv, ls, lt = arrays(polys)
    tris = fan_triangles(lv, ls, lt)
    assert len(tris) == 1 + 2 + 4
    np.testing.assert_array_equal(tris, [[0, 1, 2], [3, 4, 5], [3, 5, 6],
                                         [7, 8, 9], [7, 9, 10], [7, 10, 11], [7, 11, 12]])
    assert len(fan_triangles(*arrays(CUBE_QUADS))) == 12


def test_explicit_triangles_override_the_fan():
    lv, ls, lt = arrays(CUBE_QUADS)
    tris = fan_triangles(lv, ls, lt)[:6]
    assert basic_report(CUBE_CO, lv, ls, lt, tris=tris)["triangles"] == 6


@pytest.mark.parametrize("name, polys, expected", [
    ("closed", CUBE_QUADS, (0, 0)),
    ("open", CUBE_QUADS[1:], (4, 0)),
    ("flipped", [q[::-1] if i == 0 else q for i, q in enumerate(CUBE_QUADS)], (0, 4)),
    ("inside out", [q[::-1] for q in CUBE_QUADS], (0, 0)),
    ("triangulated", [t for q in CUBE_QUADS for t in ([q[0], q[1], q[2]], [q[0], q[2], q[3]])], (0, 0)),
])
@pytest.mark.parametrize("seed", range(3))
def test_blender_edge_arrays_give_the_same_answer(name, polys, expected, seed):
    lv, ls, lt = arrays(polys)
    assert edge_counts(lv, ls, lt) == expected
    assert edge_counts(lv, ls, lt, **blender_edges(polys, seed)) == expected
    with_edges = report(polys, **blender_edges(polys, seed))
    without = report(polys)
    assert with_edges == without


def test_blender_loose_edges_count_as_non_manifold():
    kw = blender_edges(CUBE_QUADS)
    lv, ls, lt = arrays(CUBE_QUADS)
    kw["edge_v1"] = np.append(kw["edge_v1"], 0)
    kw["n_edges"] += 1  # an edge no face uses
    assert edge_counts(lv, ls, lt, **kw) == (1, 0)


def test_blender_edges_without_n_edges_use_the_highest_index():
    kw = blender_edges(CUBE_QUADS)
    del kw["n_edges"]
    lv, ls, lt = arrays(CUBE_QUADS)
    assert edge_counts(lv, ls, lt, **kw) == (0, 0)


def test_tetrahedron_volume():
    co = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], float)
    tris = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [0, 3, 2]])
    assert signed_volume(co, tris) == pytest.approx(1 / 6)
    assert surface_area(co, tris) == pytest.approx(1.5 + np.sqrt(3) / 2)
    assert edge_counts(*arrays(tris.tolist())) == (0, 0)


def _grid_with_a_fan(n=20):
    """An n x n grid of unit squares (two triangles each) at z = 1 over a fan of n triangles at z = 0
    from one far vertex to the grid's bottom row: the fan's triangles are long."""
    y, x = np.mgrid[0:n + 1, 0:n + 1]
    co = np.column_stack([x.ravel(), y.ravel(), np.ones(x.size)]).astype(float)
    v = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b, c, d = v[:-1, :-1].ravel(), v[:-1, 1:].ravel(), v[1:, 1:].ravel(), v[1:, :-1].ravel()
    grid = np.concatenate([np.column_stack([a, b, c]), np.column_stack([a, c, d])])
    apex = len(co)
    co = np.vstack([co, [[n / 2, 30.0 * n, 0.0]]])
    fan = np.column_stack([v[-1, :-1], v[-1, 1:], np.full(n, apex)])
    return co, np.concatenate([grid, fan]), len(grid)


def test_long_triangles_marks_the_slivers_and_their_neighbours():
    co, tris, n_grid = _grid_with_a_fan()
    long, ring = long_triangles(co, tris, 16.0, 0.05)
    assert np.flatnonzero(long).tolist() == list(range(n_grid, len(tris)))
    # the neighbours: the grid's triangles with a corner on its last row (which the fan shares)
    on_last_row = np.isin(tris[:n_grid], np.arange(20 * 21, 21 * 21)).any(axis=1)
    assert np.array_equal(ring[:n_grid], on_last_row) and not ring[n_grid:].any() and on_last_row.sum() == 2 * 20
    assert long_triangles(co, tris[:n_grid], 16.0, 0.05) is None  # none long
    assert long_triangles(co, tris, 16.0, 0.01) is None  # too many of them: 20 of 820
    assert long_triangles(co, tris[:0], 16.0, 0.05) is None


def test_volume_and_area_of_one_gather_match_the_definitions():
    co, tris, _ = _grid_with_a_fan(4)
    p = co[tris]
    expected_area = 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1).sum()
    expected_volume = np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum() / 6.0
    assert volume_and_area(co, tris) == pytest.approx((expected_volume, expected_area), rel=1e-12)
