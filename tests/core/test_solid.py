# SPDX-License-Identifier: GPL-3.0-or-later
"""core.solid: the closed base solid, checked after displacing its top like Blender's modifier."""

from __future__ import annotations

import numpy as np
import pytest
from core_helpers import (
    assert_closed_outward,
    boundary_loops,
    displace,
    faces,
    grid_positions,
    make_image,
    make_plan,
    mesh_tris,
    native,
    top_boundary_edges,
)

from core import meshcheck
from core.relief import estimate, plan_relief
from core.settings import ReliefSettings
from core.solid import build_solid


def random_t(rows, cols, seed=0):
    return np.random.default_rng(seed).random((rows, cols)).astype(np.float32)


def fan_volume(plan) -> float:
    """Volume under the displaced top of a full grid, quads split (r+1,c)-(r,c+1) as fan_triangles does."""
    z = plan.base_mm + plan.depth_mm * plan.t.astype(np.float64)
    z00, z01, z10, z11 = z[:-1, :-1], z[:-1, 1:], z[1:, :-1], z[1:, 1:]
    half = plan.spacing_mm ** 2 / 2
    return float((half * ((z10 + z11 + z01) / 3 + (z10 + z01 + z00) / 3)).sum())


def bbox(co):
    return co.max(axis=0) - co.min(axis=0)


def assert_bowtie_free(mesh):
    """Every vertex on the top's boundary starts exactly one boundary edge (no two loops share it)."""
    edges = top_boundary_edges(mesh)
    starts = np.bincount([a for a, _ in edges], minlength=mesh.top_count)
    ends = np.bincount([b for _, b in edges], minlength=mesh.top_count)
    assert starts.max() == 1
    np.testing.assert_array_equal(starts, ends)
    return edges


# --- the plain grid -----------------------------------------------------------------------------

def test_small_grid_has_exact_counts():
    plan = make_plan(random_t(4, 5))  # 5 columns x 4 rows of samples
    mesh = build_solid(plan)
    quads, ring = 4 * 3, 2 * 4 + 2 * 3
    assert ring == 14
    assert mesh.top_count == 20
    assert len(mesh.co) == 20 + 14 + 1  # top, bottom ring, fan centre
    assert list(np.bincount(mesh.loop_total)) == [0, 0, 0, ring, quads + ring]
    assert mesh.triangles == quads * 2 + ring * 2 + ring == 66
    assert len(mesh_tris(mesh)) == 66
    assert mesh.loop_start[0] == 0
    np.testing.assert_array_equal(mesh.loop_start[1:], np.cumsum(mesh.loop_total)[:-1])
    assert len(mesh.loop_vert) == mesh.loop_total.sum()
    assert mesh.loop_vert.dtype == np.int32 and mesh.co.dtype == np.float32
    assert estimate(5, 4, ReliefSettings(width_mm=4.0, native_resolution=True))["triangles"] == 66


def test_grid_is_closed_and_outward():
    plan = make_plan(random_t(9, 13, seed=1))
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert meshcheck.basic_report(co, mesh.loop_vert, mesh.loop_start, mesh.loop_total)["printable"]


def test_grid_top_is_flat_at_the_base_before_displacement():
    plan = make_plan(random_t(4, 5), base=1.25)
    mesh = build_solid(plan)
    np.testing.assert_array_equal(mesh.co[:mesh.top_count, 2], 1.25)
    np.testing.assert_array_equal(mesh.co[mesh.top_count:, 2], 0.0)


def test_grid_is_centred_with_the_plans_size():
    plan = make_plan(random_t(7, 11), spacing=0.4)
    mesh = build_solid(plan)
    co = displace(mesh, plan)
    width, height = plan.size_mm
    assert (width, height) == pytest.approx((4.0, 2.4))
    np.testing.assert_allclose(bbox(co)[:2], [width, height], atol=1e-5)
    np.testing.assert_allclose(co.min(axis=0)[:2], [-width / 2, -height / 2], atol=1e-5)
    assert co[:, 2].min() == 0.0


@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
def test_constant_height_volume_is_width_times_height_times_thickness(t):
    plan = make_plan(np.full((6, 8), t, np.float32), spacing=0.5, base=1.0, depth=2.0)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    expected = 3.5 * 2.5 * (1.0 + 2.0 * t)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(expected, rel=1e-6)


def test_planar_ramp_volume_is_exact():
    rows, cols = 5, 9
    t = np.tile(np.linspace(0.0, 1.0, cols, dtype=np.float32), (rows, 1))
    plan = make_plan(t, spacing=0.25, base=1.0, depth=3.0)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    expected = 2.0 * 1.0 * (1.0 + 3.0 * 0.5)  # mean height of a plane = its mid value
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(expected, rel=1e-6)


def test_random_height_field_volume_matches_the_triangulated_surface():
    plan = make_plan(random_t(10, 14, seed=5), spacing=0.3, base=0.8, depth=2.2)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(fan_volume(plan), rel=1e-6)


def test_height_uv_points_at_pixel_centres():
    plan = make_plan(random_t(4, 5))
    mesh = build_solid(plan)
    rows, cols = plan.rows, plan.cols
    uv = mesh.uv[:-1]  # all but the fan centre, which has no pixel
    np.testing.assert_allclose(mesh.uv[-1], [0.5, 0.5])
    col = uv[:, 0] * cols - 0.5
    row = rows - 1 - (uv[:, 1] * rows - 0.5)
    np.testing.assert_allclose(col, np.rint(col), atol=1e-4)
    np.testing.assert_allclose(row, np.rint(row), atol=1e-4)
    # the top vertices are the grid in row-major order, row 0 = top of the image = +y
    r, c = grid_positions(mesh, plan)
    top = slice(0, mesh.top_count)
    np.testing.assert_array_equal(r[top], np.repeat(np.arange(rows), cols))
    np.testing.assert_array_equal(c[top], np.tile(np.arange(cols), rows))
    assert mesh.co[0, 1] > mesh.co[cols, 1]
    assert mesh.co[0, 0] < mesh.co[1, 0]
    assert tuple(mesh.uv[0]) == pytest.approx((0.5 / cols, (rows - 0.5) / rows))
    assert mesh.uv_per_loop().shape == (len(mesh.loop_vert), 2)


def test_bottom_ring_sits_under_the_top_ring():
    plan = make_plan(random_t(4, 5))
    mesh = build_solid(plan)
    bottom = mesh.co[mesh.top_count:-1]
    assert (bottom[:, 2] == 0).all()
    top_xy = {tuple(p) for p in mesh.co[:mesh.top_count, :2].round(5)}
    assert {tuple(p) for p in bottom[:, :2].round(5)} <= top_xy
    np.testing.assert_allclose(mesh.co[-1], [0.0, 0.0, 0.0], atol=1e-6)  # fan centre


def test_minimal_two_by_two_grid():
    plan = make_plan(np.zeros((2, 2), np.float32))
    mesh = build_solid(plan)
    assert mesh.triangles == 2 + 3 * 4
    assert_closed_outward(mesh, plan)


# --- colour UVs and the image area --------------------------------------------------------------

def test_colour_uv_covers_the_image_area_only():
    s = native(width_mm=20.0, frame_width_mm=2.0)
    plan = plan_relief(make_image(np.full((6, 11), 0.5, np.float32)), s)
    mesh = build_solid(plan)
    r, c = grid_positions(mesh, plan)
    (r0, c0), (ny, nx) = plan.image_origin, plan.image_shape
    first = np.nonzero((r == r0) & (c == c0))[0][0]
    last = np.nonzero((r == r0 + ny - 1) & (c == c0 + nx - 1))[0][0]
    np.testing.assert_allclose(mesh.uv_color[first], [0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(mesh.uv_color[last], [1.0, 0.0], atol=1e-6)
    corner = np.nonzero((r == 0) & (c == 0))[0][0]
    assert mesh.uv_color[corner][0] < 0 and mesh.uv_color[corner][1] > 1  # the frame lies outside
    assert mesh.uv_color_per_loop().shape == (len(mesh.loop_vert), 2)


# --- masked layouts: alpha cut, islands, holes, bow-ties ----------------------------------------

def masked_plan(mask, seed=0, **kw):
    mask = np.asarray(mask, bool)
    return make_plan(random_t(*mask.shape, seed=seed), mask=mask, **kw)


def test_alpha_cut_with_a_hole_is_closed():
    mask = np.ones((8, 10), bool)
    mask[3:5, 4:6] = False  # removes a 3x3 block of cells
    plan = masked_plan(mask)
    mesh = build_solid(plan)
    assert_closed_outward(mesh, plan)
    edges = assert_bowtie_free(mesh)
    assert boundary_loops(edges) == 2
    cells = 7 * 9 - 9
    assert mesh.triangles == 2 * cells * 2 + 2 * len(edges)


def test_separate_islands_are_each_closed():
    mask = np.zeros((8, 12), bool)
    mask[1:4, 1:5] = True
    mask[4:7, 7:11] = True
    plan = masked_plan(mask, base=1.0, depth=0.0)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert boundary_loops(assert_bowtie_free(mesh)) == 2
    # two 3 x 2 mm islands, 1 mm thick
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(2 * 3 * 2 * 1.0, rel=1e-6)


def test_diagonal_pixels_do_not_share_a_boundary_vertex():
    # two blocks of cells touching only at one corner: a bow-tie unless it is cleaned up
    mask = np.zeros((7, 7), bool)
    mask[1:4, 1:4] = True
    mask[3:6, 3:6] = True
    plan = masked_plan(mask)
    mesh = build_solid(plan)
    assert_closed_outward(mesh, plan)
    edges = assert_bowtie_free(mesh)
    assert boundary_loops(edges) == 1


def test_checkerboard_pixels_do_not_share_boundary_vertices():
    mask = np.zeros((11, 11), bool)
    for r in range(0, 10, 2):
        for c in range(r % 4 // 2, 10, 2):
            mask[r:r + 2, c:c + 2] = True
    plan = masked_plan(mask)
    mesh = build_solid(plan)
    assert_closed_outward(mesh, plan)
    assert_bowtie_free(mesh)


@pytest.mark.parametrize("seed", range(6))
def test_random_alpha_cut_is_closed_and_bowtie_free(seed):
    mask = np.random.default_rng(100 + seed).random((18, 23)) < 0.75
    plan = masked_plan(mask, seed=seed)
    mesh = build_solid(plan)
    assert_closed_outward(mesh, plan)
    assert_bowtie_free(mesh)
    # a vertex never hangs loose: every top vertex belongs to a top face
    used = np.zeros(mesh.top_count, bool)
    for f in faces(mesh):
        if (f < mesh.top_count).all():
            used[f] = True
    assert used.all()


def test_masked_volume_counts_only_the_kept_cells():
    mask = np.ones((6, 6), bool)
    mask[0, 0] = False  # drops one corner cell
    plan = masked_plan(mask, base=2.0, depth=0.0, spacing=0.5)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx((25 - 1) * 0.25 * 2.0, rel=1e-6)


def test_alpha_cut_end_to_end():
    grey = np.random.default_rng(7).random((20, 30)).astype(np.float32)
    yy, xx = np.mgrid[:20, :30]
    alpha = (np.hypot(yy - 9.5, xx - 14.5) < 8).astype(np.float32)  # a disc
    plan = plan_relief(make_image(grey, alpha), native(alpha_mode="CUT", width_mm=29.0))
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert boundary_loops(assert_bowtie_free(mesh)) == 1
    assert bbox(co)[0] < plan.size_mm[0] and bbox(co)[1] < plan.size_mm[1]


def test_bowtie_fill_vertex_does_not_take_a_transparent_pixels_height():
    alpha = np.zeros((7, 7), np.float32)
    alpha[1:4, 1:4] = 1.0
    alpha[3:6, 3:6] = 1.0  # two opaque squares touching at one corner
    grey = alpha.copy()  # opaque pixels white (t = 0); transparent ones stored black (t = 1)
    plan = plan_relief(make_image(grey, alpha), native(alpha_mode="CUT", width_mm=6.0))
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert co[:mesh.top_count, 2].max() == pytest.approx(plan.base_mm, abs=1e-6)


def test_adaptive_with_frame_is_closed():
    s = native(width_mm=60.0, frame_width_mm=3.0, frame_height_mm=2.0, adaptive=True, max_error_mm=0.05)
    plan = plan_relief(make_image(smooth_image(40, 60)), s)
    assert plan.adaptive and plan.image_origin[1] >= 1
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    np.testing.assert_allclose(bbox(co)[:2], plan.size_mm, atol=1e-4)


# --- curved, frame and hanging hole ------------------------------------------------------------

def test_curved_plate_uses_a_dense_bottom_and_is_closed():
    s = native(width_mm=12.0, curve_angle_deg=120.0)
    plan = plan_relief(make_image(random_t(9, 13, seed=2)), s)
    assert plan.curved
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    quads, ring = 12 * 8, 2 * 12 + 2 * 8
    assert mesh.triangles == 4 * quads + 2 * ring == estimate(13, 9, s)["triangles"]
    assert len(mesh.co) == 2 * 13 * 9
    np.testing.assert_allclose(bbox(co)[:2], plan.size_mm, atol=1e-5)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(fan_volume(plan), rel=1e-5)


def test_frame_and_hanging_hole_make_a_closed_solid_with_a_hole():
    s = native(width_mm=40.0, frame_width_mm=2.0, frame_height_mm=3.0, hole_diameter_mm=4.0)
    plan = plan_relief(make_image(random_t(21, 41, seed=3)), s)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    edges = assert_bowtie_free(mesh)
    assert boundary_loops(edges) == 2  # the outline and the hole
    width = bbox(co)[0]
    assert width == pytest.approx(plan.size_mm[0], abs=1e-5)
    assert bbox(co)[1] <= plan.size_mm[1] + 1e-5
    assert co[:, 2].max() == pytest.approx(max(3.0, s.base_mm + s.depth_mm * plan.t.max()), abs=1e-5)
    report = meshcheck.basic_report(co, mesh.loop_vert, mesh.loop_start, mesh.loop_total)
    assert report["printable"] and report["blocking"] == []


def test_frame_grid_bbox_is_the_plan_size():
    s = ReliefSettings(width_mm=30.0, sample_mm=0.5, frame_width_mm=3.0, smoothing=0.0)
    plan = plan_relief(make_image(random_t(30, 40, seed=4)), s)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    np.testing.assert_allclose(bbox(co)[:2], plan.size_mm, atol=1e-4)
    assert bbox(co)[0] == pytest.approx(30.0, abs=1e-4)


# --- adaptive -----------------------------------------------------------------------------------

def smooth_image(rows=120, cols=160):
    yy, xx = np.mgrid[:rows, :cols] / np.array([rows, cols])[:, None, None]
    return (0.5 + 0.4 * np.sin(2.2 * xx) * np.cos(1.7 * yy)).astype(np.float32)


def adaptive_plan(max_error=0.02, image=None):
    s = native(width_mm=80.0, adaptive=True, max_error_mm=max_error)
    return plan_relief(make_image(smooth_image() if image is None else image), s)


def surface_error(plan, co, tris) -> float:
    """Largest |interpolated top - height field| over all grid samples, found independently."""
    heights = plan.heights_mm().astype(np.float64)
    s = plan.spacing_mm
    top = tris[(tris < len(co)).all(axis=1)]
    worst = 0.0
    for tri in top:
        p = co[tri]
        if (p[:, 2] == 0).any():
            continue  # walls and bottom
        cols = (p[:, 0] / s + (plan.cols - 1) / 2).round().astype(int)
        rows = ((plan.rows - 1) / 2 - p[:, 1] / s).round().astype(int)
        rr, cc = np.mgrid[rows.min():rows.max() + 1, cols.min():cols.max() + 1]
        rr, cc = rr.ravel(), cc.ravel()
        (r0, r1, r2), (c0, c1, c2) = rows, cols
        det = (r1 - r0) * (c2 - c0) - (r2 - r0) * (c1 - c0)
        w1 = ((rr - r0) * (c2 - c0) - (r2 - r0) * (cc - c0)) / det
        w2 = ((r1 - r0) * (cc - c0) - (rr - r0) * (c1 - c0)) / det
        w0 = 1 - w1 - w2
        inside = (w0 >= -1e-9) & (w1 >= -1e-9) & (w2 >= -1e-9)
        z = w0 * p[0, 2] + w1 * p[1, 2] + w2 * p[2, 2]
        err = np.abs(z - heights[rr, cc])[inside]
        worst = max(worst, float(err.max(initial=0.0)))
    return worst


def test_adaptive_smooth_image_needs_far_fewer_triangles():
    plan = adaptive_plan(0.02)
    assert plan.adaptive
    mesh = build_solid(plan)
    grid = build_solid(make_plan(plan.t, spacing=plan.spacing_mm, base=plan.base_mm, depth=plan.depth_mm))
    assert mesh.triangles * 10 <= grid.triangles
    assert mesh.max_error_mm is not None and mesh.max_error_mm <= 0.02
    co = assert_closed_outward(mesh, plan)
    np.testing.assert_allclose(bbox(co)[:2], plan.size_mm, atol=1e-4)
    assert grid.max_error_mm is None


def test_adaptive_surface_stays_within_the_requested_error():
    image = smooth_image(40, 60)
    plan = adaptive_plan(0.05, image)
    mesh = build_solid(plan)
    co = displace(mesh, plan)
    err = surface_error(plan, co, mesh_tris(mesh))
    assert err <= 0.05 + 1e-4
    assert err <= mesh.max_error_mm + 1e-4


def test_adaptive_volume_matches_the_height_field():
    rows, cols = 30, 50
    t = np.tile(np.linspace(0.2, 0.9, cols, dtype=np.float32), (rows, 1))
    plan = make_plan(t, spacing=0.5, base=1.0, depth=2.0, adaptive=True, max_error=0.01)
    mesh = build_solid(plan)
    co = assert_closed_outward(mesh, plan)
    assert mesh.triangles < 30  # a plane needs only its corners
    expected = 24.5 * 14.5 * (1.0 + 2.0 * 0.55)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("seed", range(3))
def test_adaptive_on_noise_is_still_closed(seed):
    plan = make_plan(random_t(25, 31, seed=seed), adaptive=True, max_error=0.1)
    mesh = build_solid(plan)
    assert_closed_outward(mesh, plan)
    assert mesh.max_error_mm <= 0.1


@pytest.mark.parametrize("rows,cols", [(2, 2), (4, 5), (7, 3)])
def test_grid_edge_table_matches_every_corner(rows, cols):
    """The structural edge table handed to Blender must agree with the faces exactly."""
    from core.meshcheck import next_loop

    plan = make_plan(np.random.default_rng(0).random((rows, cols)).astype(np.float32))
    mesh = build_solid(plan)
    assert mesh.edges is not None and mesh.corner_edge is not None
    lv = mesh.loop_vert
    nxt = lv[next_loop(mesh.loop_start, mesh.loop_total, len(lv))]
    ends = np.sort(mesh.edges[mesh.corner_edge], axis=1)
    assert np.array_equal(ends, np.sort(np.stack([lv, nxt], axis=1), axis=1))
    keys = {tuple(e) for e in np.sort(mesh.edges, axis=1).tolist()}
    assert len(keys) == len(mesh.edges)  # no edge twice
    uses = np.bincount(mesh.corner_edge, minlength=len(mesh.edges))
    assert (uses == 2).all()  # closed: every edge between exactly two faces
