# SPDX-License-Identifier: GPL-3.0-or-later
"""core.lamp: cylinder and sphere lampshades, closed and outward, sized in mm, the right way round."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from core_helpers import make_image, mesh_tris
from shade_reading import reads

from core import meshcheck
from core.errors import ImageToPrintError
from core.lamp import build_lamp, estimate
from core.relief import apply_preset, backlit, plan_relief
from core.settings import ReliefSettings
from core.solid import build_solid


def lamp(shape, **kw) -> ReliefSettings:
    s = apply_preset(ReliefSettings(), f"{shape}-lamp")
    return replace(s, **{**dict(diameter_mm=60.0, sample_mm=0.8, smoothing=0.0), **kw})


def gamma_image(w=120, h=60):
    """A dark bar with an arm to its right at the top (a 'Γ', which no turn of a ring makes into its mirror),
    on light grey."""
    grey = np.full((h, w), 0.9, np.float32)
    grey[5:55, 20:35] = 0.05
    grey[5:18, 35:80] = 0.05
    return grey


def displaced(mesh, plan) -> np.ndarray:
    """What Blender's Displace (RGB to XYZ, REPEAT, no interpolation) makes of the base shell, in mm."""
    co = mesh.co.astype(np.float64).copy()
    h, w = mesh.height_rgb.shape[:2]
    uv = mesh.uv_per_loop()
    col = np.floor((uv[:, 0] % 1.0) * w).astype(int)
    row = h - 1 - np.floor(uv[:, 1] * h).astype(int)
    move = np.zeros_like(co)
    move[mesh.loop_vert] = mesh.height_rgb[row, col]
    co[:mesh.top_count] += plan.depth_mm * move[:mesh.top_count]
    return co


def shell(shape, image=None, **kw):
    plan = plan_relief(make_image(gamma_image() if image is None else image), lamp(shape, **kw))
    mesh = build_solid(plan)
    return plan, mesh, displaced(mesh, plan)


@pytest.mark.parametrize("shape,kw", [("cylinder", {}), ("cylinder", {"lip_diameter_mm": 40.0}),
                                      ("cylinder", {"rim_mm": 0.0, "height_mm": 30.0}), ("sphere", {}),
                                      ("sphere", {"rim_mm": 0.0, "opening_mm": 20.0})])
def test_shades_are_closed_outward_and_every_corner_agrees_on_its_vertex(shape, kw):
    plan, mesh, co = shell(shape, **kw)
    assert meshcheck.edge_counts(mesh.loop_vert, mesh.loop_start, mesh.loop_total) == (0, 0)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) > 0
    # Displace reads a vertex's texel from its corners' UVs: every corner of a vertex must name the same one.
    h, w = mesh.height_rgb.shape[:2]
    uv = mesh.uv_per_loop()
    texel = np.floor((uv[:, 1]) * h).astype(int) * w + np.floor((uv[:, 0] % 1.0) * w).astype(int)
    top = mesh.loop_vert < mesh.top_count
    first = np.full(mesh.top_count, -1)
    first[mesh.loop_vert[top]] = texel[top]
    assert (first[mesh.loop_vert[top]] == texel[top]).all()
    assert co[:, 2].min() == pytest.approx(0.0, abs=1e-4)  # on the bed


def test_a_cylinder_is_as_wide_and_tall_as_asked_and_its_walls_within_min_and_max():
    plan, mesh, co = shell("cylinder", height_mm=45.0)
    r = np.hypot(co[:, 0], co[:, 1])
    assert 2 * r.max() == pytest.approx(60.0, abs=1e-3)  # the rims are at the thickest
    assert co[:, 2].max() == pytest.approx(45.0, abs=1e-4)
    r_in = 30.0 - 3.0
    outside = r[:mesh.top_count] - r_in
    assert outside.min() >= 0.8 - 1e-4 and outside.max() <= 3.0 + 1e-4
    assert np.ptp(outside) > 2.0  # the image is there: light and dark walls
    assert np.abs(r[mesh.top_count:] - r_in).max() < 1e-4  # the inside is smooth


def test_a_cylinder_height_follows_the_image_aspect_ratio():
    plan, mesh, co = shell("cylinder")  # a 2:1 image, once round at mid-wall, plus 3 mm rims
    circumference = 2 * math.pi * (30.0 - 2.2 / 2)
    assert co[:, 2].max() == pytest.approx(circumference / 2 + 6.0, abs=plan.spacing_mm)


def test_an_led_lip_is_a_ledge_of_the_asked_inner_diameter_and_height():
    plan, mesh, co = shell("cylinder", lip_diameter_mm=40.0, lip_height_mm=2.0)
    r = np.hypot(co[:, 0], co[:, 1])
    assert 2 * r.min() == pytest.approx(40.0, abs=1e-3)
    ledge = co[np.abs(r - 20.0) < 1e-3]
    assert ledge[:, 2].min() == pytest.approx(0.0, abs=1e-4)
    assert ledge[:, 2].max() == pytest.approx(2.0, abs=plan.spacing_mm / 2)
    no_lip = shell("cylinder")[1]
    bare = meshcheck.signed_volume(displaced(no_lip, plan), mesh_tris(no_lip))
    lipped = meshcheck.signed_volume(co, mesh_tris(mesh))
    assert lipped - bare == pytest.approx(math.pi * (27.0 ** 2 - 20.0 ** 2) * ledge[:, 2].max(), rel=0.01)


def test_a_sphere_is_the_asked_diameter_with_a_flat_ring_round_the_opening():
    black = np.zeros((60, 120), np.float32)
    plan, mesh, co = shell("sphere", image=black, opening_mm=30.0)
    centre_z = plan.lamp.inner[-1, 1] - 27.0  # the inside pole lies r_in above the centre
    radius = np.linalg.norm(co - [0.0, 0.0, centre_z], axis=1)
    assert radius[:mesh.top_count].max() == pytest.approx(30.0, abs=1e-3)
    assert radius[:mesh.top_count].min() == pytest.approx(30.0, abs=1e-3)  # black: thickest everywhere
    bed = co[np.abs(co[:, 2]) < 1e-4]
    ring = np.hypot(bed[:, 0], bed[:, 1])
    assert ring.min() == pytest.approx(15.0, abs=1e-3)  # the opening
    assert ring.max() == pytest.approx(math.sqrt(30.0 ** 2 - (27.0 ** 2 - 15.0 ** 2)), abs=1e-3)
    assert np.isclose(co[:, 2], 0.0, atol=1e-4).sum() == len(bed)


def test_sphere_rings_thin_out_towards_the_pole_instead_of_making_slivers():
    plan, mesh, co = shell("sphere")
    tris = mesh_tris(mesh)
    p = co[tris]
    edges = np.linalg.norm(p - np.roll(p, 1, axis=1), axis=2)
    assert edges.min() > 0.2 * plan.spacing_mm, edges.min()
    assert mesh.co.shape[0] < 2 * plan.rows * plan.cols * 0.9  # fewer vertices than the full grid


def image_correlations(plan, mesh, co, shape):
    centre = None if shape == "cylinder" else plan.lamp.inner[-1, 1] - (30.0 - 3.0)  # inside pole: r_in up
    return reads(co[:mesh.top_count], plan.lamp, 1.0 - gamma_image(), centre)


@pytest.mark.parametrize("shape", ["cylinder", "sphere"])
def test_shades_read_the_right_way_round_from_outside_and_from_inside_when_asked(shape):
    plan, mesh, co = shell(shape, rim_mm=plan_rim(shape))
    seen = image_correlations(plan, mesh, co, shape)
    assert seen["straight"] > 0.9 and seen["mirrored"] < 0.6, seen
    plan, mesh, co = shell(shape, rim_mm=plan_rim(shape), inside_view=True)
    seen = image_correlations(plan, mesh, co, shape)
    assert seen["mirrored"] > 0.9 and seen["straight"] < 0.6, seen
    # the preview shows what the viewer sees: the image as it is, either way
    outside = plan_relief(make_image(gamma_image()), lamp(shape, rim_mm=plan_rim(shape)))
    assert np.allclose(backlit(plan, lamp(shape, inside_view=True)), backlit(outside, lamp(shape)))
    assert not np.allclose(plan.t, outside.t)


def plan_rim(shape):
    return 0.0 if shape == "cylinder" else 3.0


def test_the_middle_of_the_image_faces_front_and_the_seam_is_at_the_back():
    grey = np.full((60, 120), 0.9, np.float32)
    grey[:, 55:65] = 0.0  # a dark stripe down the middle
    plan, mesh, co = shell("cylinder", image=grey, rim_mm=0.0)
    top = co[:mesh.top_count]
    thick = np.hypot(top[:, 0], top[:, 1]) > 29.0
    assert top[thick, 1].max() < -25.0  # all of it at -Y, where Blender's front view looks from


BAD = [
    ("cylinder", dict(alpha_mode="CUT"), "cannot cut out"),
    ("sphere", dict(frame_width_mm=5.0), "frame and a hanging hole"),
    ("cylinder", dict(diameter_mm=12.0), "too small for 3 mm walls"),
    ("sphere", dict(opening_mm=55.0), "55 mm opening needs an inside diameter"),
    ("cylinder", dict(lip_diameter_mm=53.0), "LED lip of 53 mm"),
    ("cylinder", dict(height_mm=5.0, rim_mm=3.0), "rims leave no room"),
]


@pytest.mark.parametrize("shape,kw,message", BAD)
def test_impossible_shades_are_one_clear_line(shape, kw, message):
    with pytest.raises(ImageToPrintError, match=message):
        plan_relief(make_image(gamma_image()), lamp(shape, **kw))


def test_a_curved_plate_needs_an_angle_and_a_flat_one_with_an_angle_is_still_curved():
    with pytest.raises(ImageToPrintError, match="curve angle above 0"):
        plan_relief(make_image(gamma_image()), ReliefSettings(shape="CURVED"))
    assert plan_relief(make_image(gamma_image()), ReliefSettings(curve_angle_deg=90.0, sample_mm=2.0)).curved


def test_the_estimate_is_close_to_what_is_built():
    for shape in ("cylinder", "sphere"):
        s = lamp(shape)
        plan = plan_relief(make_image(gamma_image()), s)
        mesh = build_lamp(plan)
        est = estimate(120, 60, s, plan.base_mm, plan.depth_mm)
        built = int((mesh.loop_total - 2).sum())
        assert est["triangles"] == built, shape
        assert est["size_mm"][0] == 60.0
        assert est["samples"] == [plan.cols, plan.rows]
