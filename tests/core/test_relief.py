# SPDX-License-Identifier: GPL-3.0-or-later
"""core.relief: settings validation, grid sizing, and image -> normalised height t."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from core_helpers import make_image, native, srgb_decode

from core.errors import ImageToPrintError
from core.gridmesh import cells_from_vertex_mask
from core.raster import resample
from core.relief import (
    MAX_GRID_VERTICES,
    PRESETS,
    ReliefSettings,
    apply_preset,
    bilateral,
    estimate,
    grid_shape,
    plan_relief,
    validate,
)


def ramp(h=4, w=6):
    """Grey levels 0..1 left to right (exact in float32 for these sizes)."""
    return np.tile(np.linspace(0.0, 1.0, w, dtype=np.float32), (h, 1))


# --- settings and presets -----------------------------------------------------------------------

def test_default_settings_and_every_preset_validate():
    validate(ReliefSettings())
    for name in PRESETS:
        validate(apply_preset(ReliefSettings(), name))


def test_apply_preset_sets_its_overrides_only():
    s = apply_preset(ReliefSettings(width_mm=42.0), "curved-lithophane")
    assert (s.mode, s.curve_angle_deg, s.width_mm) == ("LITHOPHANE", 120.0, 42.0)
    assert apply_preset(s, "relief-lighter").lighter_is_higher is True


def test_unknown_preset_is_rejected():
    with pytest.raises(ImageToPrintError, match="unknown preset 'nope'"):
        apply_preset(ReliefSettings(), "nope")


def test_settings_round_trip_through_dict_ignoring_unknown_keys():
    s = ReliefSettings(width_mm=55.5, mode="LITHOPHANE", adaptive=True)
    d = s.to_dict()
    assert ReliefSettings.from_dict({**d, "not_a_setting": 1}) == s


BAD_SETTINGS = [
    ("negative depth", dict(depth_mm=-1.0), "depth"),
    ("zero depth", dict(depth_mm=0.0), "depth"),
    ("zero base", dict(base_mm=0.0), "base"),
    ("zero width", dict(width_mm=0.0), "width"),
    ("negative width", dict(width_mm=-10.0), "width"),
    ("nan width", dict(width_mm=float("nan")), "width"),
    ("infinite width", dict(width_mm=float("inf")), "width"),
    ("zero sample spacing", dict(sample_mm=0.0), "--sample-mm must be from 0.01 to 5000 mm"),
    ("unknown mode", dict(mode="SCULPT"), "mode"),
    ("min equals max thickness", dict(mode="LITHOPHANE", min_thickness_mm=2.0, max_thickness_mm=2.0), "minimum"),
    ("min above max thickness", dict(mode="LITHOPHANE", min_thickness_mm=3.0, max_thickness_mm=1.0), "minimum"),
    ("zero min thickness", dict(mode="LITHOPHANE", min_thickness_mm=0.0), "--min-thickness"),
    ("unknown translucency", dict(mode="LITHOPHANE", translucency="FOG"), "translucency"),
    ("transmittance 1", dict(mode="LITHOPHANE", transmittance_1mm=1.0), "transmittance"),
    ("transmittance 0", dict(mode="LITHOPHANE", transmittance_1mm=0.0), "transmittance"),
    ("unknown alpha mode", dict(alpha_mode="IGNORE"), "alpha"),
    ("black point at white point", dict(black_point=0.5, white_point=0.5), "levels"),
    ("white point above 1", dict(white_point=1.5), "White Point must be from 0 to 1"),
    ("negative black point", dict(black_point=-0.1), "Black Point"),
    ("zero gamma", dict(gamma=0.0), "gamma"),
    ("negative smoothing", dict(smoothing=-1.0), "smoothing"),
    ("nan smoothing", dict(smoothing=float("nan")), "smoothing"),
    ("negative frame", dict(frame_width_mm=-1.0), "--frame must be from 0"),
    ("negative hole", dict(hole_diameter_mm=-3.0), "hole"),
    ("frame too wide", dict(width_mm=20.0, frame_width_mm=10.0), "frame width"),
    ("frame wider than plate", dict(width_mm=20.0, frame_width_mm=15.0), "frame width"),
    ("curve over 180", dict(curve_angle_deg=180.5), "curve"),
    ("negative curve", dict(curve_angle_deg=-10.0), "curve"),
    ("adaptive with zero error", dict(adaptive=True, max_error_mm=0.0), "error"),
    ("negative megapixels", dict(max_megapixels=-1.0), "megapixels"),
]


@pytest.mark.parametrize("overrides, word", [b[1:] for b in BAD_SETTINGS], ids=[b[0] for b in BAD_SETTINGS])
def test_validate_rejects_nonsense_with_one_line(overrides, word):
    with pytest.raises(ImageToPrintError) as info:
        validate(ReliefSettings(**overrides))
    msg = str(info.value)
    assert "\n" not in msg
    assert word in msg


def test_validate_accepts_edge_values():
    validate(ReliefSettings(curve_angle_deg=180.0))
    validate(ReliefSettings(curve_angle_deg=0.0))
    validate(ReliefSettings(width_mm=20.0, frame_width_mm=9.99))
    validate(ReliefSettings(black_point=0.0, white_point=1.0))
    validate(ReliefSettings(max_megapixels=0.0))
    # every number at the ends of its declared range
    validate(ReliefSettings(mode="LITHOPHANE", depth_mm=0.01, base_mm=0.01, sample_mm=0.01))
    validate(ReliefSettings(width_mm=5000.0, sample_mm=5.0, min_thickness_mm=0.01))


def test_plan_relief_validates_first():
    with pytest.raises(ImageToPrintError, match="depth"):
        plan_relief(make_image(ramp()), native(depth_mm=-1.0))


# --- grid size ----------------------------------------------------------------------------------

GRID_CASES = [
    # (image w, image h, settings overrides)
    (640, 480, dict(width_mm=100.0, sample_mm=0.2)),
    (640, 480, dict(width_mm=100.0, sample_mm=0.3)),
    (333, 1000, dict(width_mm=37.3, sample_mm=0.17)),
    (640, 480, dict(width_mm=100.0, sample_mm=0.3, frame_width_mm=5.0)),
    (500, 500, dict(width_mm=80.0, sample_mm=0.25, frame_width_mm=3.3)),
    (64, 48, dict(width_mm=100.0, native_resolution=True)),
    (64, 48, dict(width_mm=100.0, native_resolution=True, frame_width_mm=4.0)),
    (3, 2, dict(width_mm=10.0, sample_mm=50.0)),
]


@pytest.mark.parametrize("w, h, overrides", GRID_CASES)
def test_grid_width_is_exact(w, h, overrides):
    s = ReliefSettings(**overrides)
    nx, ny, nf, spacing = grid_shape(w, h, s)
    cols = nx + 2 * nf
    assert abs((cols - 1) * spacing - s.width_mm) <= 1e-9
    assert nx >= 2 and ny >= 2
    if s.frame_width_mm:
        assert nf >= 1
        assert abs(nf * spacing - s.frame_width_mm) <= spacing / 2 + 1e-9
    else:
        assert nf == 0


@pytest.mark.parametrize("w, h, overrides", GRID_CASES)
def test_grid_keeps_the_aspect_ratio_within_a_sample(w, h, overrides):
    s = ReliefSettings(**overrides)
    nx, ny, nf, spacing = grid_shape(w, h, s)
    if s.native_resolution:
        assert (nx, ny) == (w, h)
    else:
        assert abs((ny - 1) - (nx - 1) * h / w) <= 1.0


def test_grid_spacing_close_to_requested():
    nx, ny, nf, spacing = grid_shape(640, 480, ReliefSettings(width_mm=100.0, sample_mm=0.2))
    assert (nx, ny, nf) == (501, 376, 0)
    assert spacing == pytest.approx(0.2, abs=1e-12)


def test_native_resolution_uses_one_sample_per_pixel():
    nx, ny, nf, spacing = grid_shape(64, 48, ReliefSettings(width_mm=63.0, native_resolution=True))
    assert (nx, ny, nf) == (64, 48, 0)
    assert spacing == pytest.approx(1.0, abs=1e-12)


def test_frame_samples_with_native_resolution():
    nx, ny, nf, spacing = grid_shape(11, 6, ReliefSettings(width_mm=20.0, frame_width_mm=2.0, native_resolution=True))
    assert (nx, ny, nf) == (11, 6, 1)  # inner spacing 1.6 mm: the 2 mm frame rounds to one sample
    assert spacing == pytest.approx(20.0 / 12, abs=1e-12)


@pytest.mark.parametrize("w, h, overrides", GRID_CASES[:7])
def test_estimate_matches_the_plan(w, h, overrides):
    s = ReliefSettings(**overrides)
    est = estimate(w, h, s)
    nx, ny, nf, spacing = grid_shape(w, h, s)
    cols, rows = nx + 2 * nf, ny + 2 * nf
    assert est["samples"] == [cols, rows]
    assert est["spacing_mm"] == spacing
    assert est["size_mm"][0] == pytest.approx(s.width_mm, abs=1e-9)
    assert est["size_mm"][1] == pytest.approx((rows - 1) * spacing, abs=1e-9)
    assert est["size_mm"][2] == pytest.approx(s.base_mm + s.depth_mm)
    quads, ring = (cols - 1) * (rows - 1), 2 * (cols - 1) + 2 * (rows - 1)
    assert est["triangles"] == 2 * quads + 3 * ring
    assert est["stl_bytes"] == 84 + 50 * est["triangles"]


def test_estimate_lithophane_height_and_curved_triangles():
    s = ReliefSettings(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.2, width_mm=10.0, sample_mm=1.0,
                       curve_angle_deg=90.0)
    est = estimate(20, 10, s)
    assert est["samples"] == [11, 6]
    assert est["size_mm"][2] == pytest.approx(3.2)
    assert est["triangles"] == 4 * 10 * 5 + 2 * (2 * 10 + 2 * 5)


def test_estimate_height_includes_a_taller_frame():
    s = ReliefSettings(width_mm=50.0, frame_width_mm=3.0, frame_height_mm=5.0, base_mm=1.0, depth_mm=2.0)
    assert estimate(100, 100, s)["size_mm"][2] == 5.0


def test_estimate_matches_plan_relief_samples():
    s = ReliefSettings(width_mm=30.0, sample_mm=0.7, frame_width_mm=2.0)
    img = make_image(np.random.default_rng(0).random((37, 53)).astype(np.float32))
    plan = plan_relief(img, s)
    est = estimate(53, 37, s)
    assert est["samples"] == [plan.cols, plan.rows]
    assert est["spacing_mm"] == plan.spacing_mm
    assert list(plan.size_mm) == pytest.approx(est["size_mm"][:2], abs=1e-9)


def test_too_many_samples_is_refused_before_allocating():
    s = ReliefSettings(width_mm=5000.0, sample_mm=0.02)
    with pytest.raises(ImageToPrintError, match="too many"):
        plan_relief(make_image(np.zeros((2, 2), np.float32)), s)
    nx, ny, _, _ = grid_shape(2, 2, s)
    assert nx * ny > MAX_GRID_VERTICES


# --- tone mapping -------------------------------------------------------------------------------

def test_darker_is_higher_by_default():
    plan = plan_relief(make_image(ramp()), native())
    assert plan.t.shape == (4, 6)
    assert plan.t.dtype == np.float32
    np.testing.assert_array_equal(plan.t[:, 0], 1.0)  # black pixel: top of the relief
    np.testing.assert_array_equal(plan.t[:, -1], 0.0)  # white pixel: the base
    np.testing.assert_allclose(plan.t, 1.0 - ramp(), atol=1e-7)
    assert plan.vertex_mask is None
    assert (plan.curved, plan.adaptive, plan.warnings) == (False, False, [])


def test_lighter_is_higher_flips():
    plan = plan_relief(make_image(ramp()), native(lighter_is_higher=True))
    np.testing.assert_array_equal(plan.t[:, 0], 0.0)
    np.testing.assert_array_equal(plan.t[:, -1], 1.0)
    np.testing.assert_allclose(plan.t, ramp(), atol=1e-7)


def test_relief_heights_in_millimetres():
    plan = plan_relief(make_image(ramp()), native(base_mm=1.5, depth_mm=2.0))
    assert (plan.base_mm, plan.depth_mm) == (1.5, 2.0)
    heights = plan.heights_mm()
    np.testing.assert_allclose(heights[:, 0], 3.5)
    np.testing.assert_allclose(heights[:, -1], 1.5)


def test_lithophane_linear_spans_min_to_max_thickness():
    s = native(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0, translucency="LINEAR")
    plan = plan_relief(make_image(ramp()), s)
    assert plan.base_mm == 0.8
    assert plan.depth_mm == pytest.approx(2.2)
    thickness = plan.base_mm + plan.depth_mm * plan.t.astype(np.float64)
    np.testing.assert_allclose(thickness[:, 0], 3.0, atol=1e-6)  # black: thickest
    np.testing.assert_allclose(thickness[:, -1], 0.8, atol=1e-6)  # white: thinnest
    np.testing.assert_allclose(thickness, 0.8 + 2.2 * (1.0 - ramp()), atol=1e-6)


@pytest.mark.parametrize("transmittance", [0.5, 0.2, 0.85])
def test_lithophane_beer_lambert_follows_the_formula(transmittance):
    grey = np.linspace(0.0, 1.0, 33, dtype=np.float32).reshape(3, 11)
    lo, hi = 0.6, 3.4
    s = native(mode="LITHOPHANE", min_thickness_mm=lo, max_thickness_mm=hi, translucency="BEER_LAMBERT",
               transmittance_1mm=transmittance)
    plan = plan_relief(make_image(grey), s)
    thickness = plan.base_mm + plan.depth_mm * plan.t.astype(np.float64)
    T, span = transmittance, hi - lo
    L = srgb_decode(grey)
    expected = lo + np.log(T ** span + (1 - T ** span) * L) / math.log(T)
    np.testing.assert_allclose(thickness, expected, atol=2e-5)
    assert thickness[0, 0] == pytest.approx(hi, abs=1e-5)
    assert thickness[-1, -1] == pytest.approx(lo, abs=1e-5)
    # light through the plate, T ** thickness, is linear in the pixel's luminance
    light = T ** thickness
    np.testing.assert_allclose(light, T ** hi + (T ** lo - T ** hi) * L, rtol=1e-4, atol=1e-7)


def test_beer_lambert_is_thicker_than_linear_for_mid_grey():
    grey = np.full((2, 2), 0.5, np.float32)
    common = dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0)
    linear = plan_relief(make_image(grey), native(translucency="LINEAR", **common)).t[0, 0]
    beer = plan_relief(make_image(grey), native(translucency="BEER_LAMBERT", **common)).t[0, 0]
    assert linear == pytest.approx(0.5, abs=1e-6)
    assert beer != pytest.approx(linear, abs=0.01)


def test_levels_stretch_between_black_and_white_points():
    grey = np.array([[0.1, 0.2, 0.4], [0.6, 0.9, 0.3]], np.float32)
    plan = plan_relief(make_image(grey), native(black_point=0.2, white_point=0.6, lighter_is_higher=True))
    np.testing.assert_allclose(plan.t, [[0.0, 0.0, 0.5], [1.0, 1.0, 0.25]], atol=1e-6)


def test_gamma_brightens_mid_tones():
    grey = np.array([[0.25, 0.0], [1.0, 0.64]], np.float32)
    plan = plan_relief(make_image(grey), native(gamma=2.0, lighter_is_higher=True))
    np.testing.assert_allclose(plan.t, [[0.5, 0.0], [1.0, 0.8]], atol=1e-6)


def test_invert_flips_the_tones():
    plain = plan_relief(make_image(ramp()), native())
    inverted = plan_relief(make_image(ramp()), native(invert=True))
    np.testing.assert_allclose(inverted.t, 1.0 - plain.t, atol=1e-7)
    lith = plan_relief(make_image(ramp()), native(mode="LITHOPHANE", invert=True))
    np.testing.assert_allclose(lith.t, ramp(), atol=1e-7)


def test_too_small_images_are_refused():
    for shape in [(1, 1), (1, 5), (5, 1)]:
        with pytest.raises(ImageToPrintError, match=r"is \d+ x \d+ pixels: too thin to make a relief from"):
            plan_relief(make_image(np.zeros(shape, np.float32)), native())


# --- resampling and smoothing -------------------------------------------------------------------

def test_resample_same_size_is_a_copy():
    a = np.random.default_rng(1).random((5, 7)).astype(np.float32)
    out = resample(a, 7, 5, clip=True)
    np.testing.assert_array_equal(out, a)
    assert out is not a


def test_resample_down_averages_and_up_stays_in_range():
    a = np.zeros((4, 4), np.float32)
    a[:, 2:] = 1.0
    np.testing.assert_allclose(resample(a, 2, 2, clip=True), [[0.0, 1.0], [0.0, 1.0]], atol=1e-6)
    up = resample(a, 16, 16, clip=True)
    assert up.shape == (16, 16)
    assert up.min() >= 0.0 and up.max() <= 1.0  # bicubic overshoot is clipped


def test_plan_resamples_the_image_to_the_grid():
    grey = np.zeros((100, 200), np.float32)
    grey[:, 100:] = 1.0
    plan = plan_relief(make_image(grey), ReliefSettings(width_mm=20.0, sample_mm=1.0, smoothing=0.0))
    assert (plan.cols, plan.rows) == (21, 11)
    np.testing.assert_allclose(plan.t[:, :9], 1.0, atol=1e-6)
    np.testing.assert_allclose(plan.t[:, 12:], 0.0, atol=1e-6)


def test_smoothing_zero_is_identity():
    a = np.random.default_rng(2).random((6, 6)).astype(np.float32)
    assert bilateral(a, 0.0) is a


def test_bilateral_removes_noise_on_a_flat_image():
    rng = np.random.default_rng(3)
    grey = (0.5 + rng.normal(0.0, 0.02, (64, 64))).astype(np.float32)
    raw = plan_relief(make_image(grey), native(smoothing=0.0)).t
    smooth = plan_relief(make_image(grey), native(smoothing=2.0)).t
    assert smooth.std() * 2 < raw.std()
    assert smooth.mean() == pytest.approx(raw.mean(), abs=0.005)


def test_bilateral_keeps_a_step_edge():
    grey = np.full((40, 40), 0.2, np.float32)
    grey[:, 20:] = 0.8
    rng = np.random.default_rng(4)
    noisy = (grey + rng.normal(0.0, 0.02, grey.shape)).astype(np.float32)
    t = plan_relief(make_image(noisy), native(smoothing=2.0)).t
    expected = 1.0 - grey
    np.testing.assert_allclose(t[:, :17], expected[:, :17], atol=0.02)  # far from the edge
    np.testing.assert_allclose(t[:, 23:], expected[:, 23:], atol=0.02)
    # the edge itself stays a one-sample step, not a ramp
    assert (t[:, 19] - t[:, 20]).min() > 0.5
    clean = plan_relief(make_image(grey), native(smoothing=3.0)).t
    np.testing.assert_allclose(clean, expected, atol=0.02)


# --- alpha --------------------------------------------------------------------------------------

def alpha_image():
    grey = np.full((6, 8), 0.25, np.float32)
    alpha = np.ones((6, 8), np.float32)
    alpha[:, :2] = 0.0  # transparent left strip
    alpha[2:4, 5] = 0.0  # a transparent hole
    return make_image(grey, alpha)


def test_alpha_base_puts_transparent_pixels_at_the_base():
    plan = plan_relief(alpha_image(), native(alpha_mode="BASE"))
    assert plan.vertex_mask is None
    np.testing.assert_array_equal(plan.t[:, :2], 0.0)
    np.testing.assert_array_equal(plan.t[2:4, 5], 0.0)
    np.testing.assert_allclose(plan.t[:, 2:5], 0.75, atol=1e-6)


def test_alpha_cut_gives_a_vertex_mask():
    img = alpha_image()
    plan = plan_relief(img, native(alpha_mode="CUT"))
    np.testing.assert_array_equal(plan.vertex_mask, img.alpha >= 0.5)
    np.testing.assert_allclose(plan.t, 0.75, atol=1e-6)  # heights are kept; the mask cuts


def test_half_transparent_counts_as_opaque():
    grey = np.zeros((3, 4), np.float32)
    alpha = np.array([[0.5, 0.49, 1.0, 1.0]] * 3, np.float32)
    plan = plan_relief(make_image(grey, alpha), native(alpha_mode="CUT"))
    np.testing.assert_array_equal(plan.vertex_mask, [[True, False, True, True]] * 3)


def test_fully_transparent_image_is_refused():
    img = make_image(np.zeros((4, 4), np.float32), np.zeros((4, 4), np.float32))
    for mode in ("BASE", "CUT"):
        with pytest.raises(ImageToPrintError, match="fully transparent"):
            plan_relief(img, native(alpha_mode=mode))


def test_cut_leaving_no_whole_cell_is_refused():
    alpha = np.zeros((5, 5), np.float32)
    alpha[2, 2] = 1.0  # one opaque sample makes no cell
    with pytest.raises(ImageToPrintError, match="nothing left"):
        plan_relief(make_image(np.zeros((5, 5), np.float32), alpha), native(alpha_mode="CUT"))


def test_alpha_cut_outline_has_no_rim_from_hidden_colours():
    n = 101
    yy, xx = np.mgrid[:n, :n]
    disc = np.hypot(yy - 50, xx - 50) < 35
    grey = disc.astype(np.float32)  # opaque pixels white (flat: t = 0), transparent pixels stored black
    alpha = disc.astype(np.float32)
    s = ReliefSettings(alpha_mode="CUT", width_mm=50.0, sample_mm=0.7, smoothing=0.0)
    plan = plan_relief(make_image(grey, alpha), s)
    assert plan.t.shape == (104, 104)  # resampled, not native: the disc (70 of 101 pixels) spans the 50 mm
    assert plan.t[plan.vertex_mask].max() <= 0.05


def test_a_cut_out_is_as_wide_as_asked():
    """A disc with transparent margins, cut out: the disc, not the image, is 50 (or 100) mm wide, to half a
    sample; the image with its margins would have been."""
    from core.gridmesh import cells_from_vertex_mask

    n = 101
    yy, xx = np.mgrid[:n, :n]
    disc = (np.hypot(yy - 50, xx - 50) < 35).astype(np.float32)
    for width, sample in ((50.0, 0.7), (100.0, 0.2)):
        plan = plan_relief(make_image(disc, disc), ReliefSettings(alpha_mode="CUT", width_mm=width,
                                                                  sample_mm=sample, smoothing=0.0))
        used = np.flatnonzero(cells_from_vertex_mask(plan.vertex_mask).any(axis=0))
        assert abs((used[-1] + 1 - used[0]) * plan.spacing_mm - width) <= 0.5 * plan.spacing_mm
        assert plan.warnings == []


def test_a_cut_that_has_nothing_to_cut_or_splits_the_design_says_so():
    opaque = plan_relief(make_image(np.full((20, 30), 0.5, np.float32)),
                         ReliefSettings(alpha_mode="CUT", width_mm=30.0, sample_mm=1.0))
    assert opaque.vertex_mask is None and opaque.warnings == [
        "the image has no transparency: the cut-out has nothing to cut, so the whole rectangle is built"]
    two = np.zeros((40, 80), np.float32)
    two[5:35, 5:35] = 1.0
    two[5:35, 45:75] = 1.0
    plan = plan_relief(make_image(two, two), ReliefSettings(alpha_mode="CUT", width_mm=60.0, sample_mm=1.0))
    assert plan.warnings == ["the cut-out falls into 2 separate pieces, which print loose: join them in the "
                             "image, or use alpha as base (--alpha base) to keep them on one plate"]


# --- frame and hanging hole ---------------------------------------------------------------------

def test_frame_pads_with_t_frame():
    s = native(width_mm=20.0, frame_width_mm=2.0, frame_height_mm=2.0, base_mm=1.0, depth_mm=2.5)
    plan = plan_relief(make_image(np.full((6, 11), 0.5, np.float32)), s)
    assert (plan.rows, plan.cols) == (8, 13)
    assert plan.image_origin == (1, 1)
    assert plan.image_shape == (6, 11)
    t_frame = (2.0 - 1.0) / 2.5
    ring = np.ones(plan.t.shape, bool)
    ring[1:-1, 1:-1] = False
    np.testing.assert_allclose(plan.t[ring], t_frame, atol=1e-7)
    np.testing.assert_allclose(plan.t[1:-1, 1:-1], 0.5, atol=1e-6)
    assert plan.size_mm[0] == pytest.approx(20.0, abs=1e-9)
    np.testing.assert_allclose(plan.heights_mm()[0, 0], 2.0, atol=1e-6)


def test_frame_without_height_is_full_height():
    s = native(width_mm=20.0, frame_width_mm=2.0)
    plan = plan_relief(make_image(np.full((6, 11), 0.5, np.float32)), s)
    np.testing.assert_array_equal(plan.t[0], 1.0)
    np.testing.assert_array_equal(plan.t[:, -1], 1.0)


def test_frame_below_the_base_is_refused():
    s = native(width_mm=20.0, frame_width_mm=2.0, frame_height_mm=0.5, base_mm=1.0)
    with pytest.raises(ImageToPrintError, match="below the base"):
        plan_relief(make_image(np.zeros((6, 11), np.float32)), s)


def test_frame_with_alpha_cut_keeps_the_frame_solid():
    img = alpha_image()
    plan = plan_relief(img, native(width_mm=14.0, frame_width_mm=2.0, alpha_mode="CUT"))
    nf = plan.image_origin[1]
    assert nf >= 1
    assert plan.vertex_mask[:nf].all() and plan.vertex_mask[:, :nf].all()
    np.testing.assert_array_equal(plan.vertex_mask[nf:-nf, nf:-nf], img.alpha >= 0.5)


def hole_plan(**overrides):
    # 41 x 21 pixels over 40 mm: exactly 1 mm per sample
    s = native(width_mm=40.0, hole_diameter_mm=4.0, **overrides)
    return plan_relief(make_image(np.full((21, 41), 0.5, np.float32)), s)


def test_hanging_hole_adds_a_tab_with_a_hole():
    plan = hole_plan()
    extra = math.ceil(2 * (2.0 + 2.0) / 1.0)  # tab radius = hole radius + 2 mm ring
    assert extra == 8
    assert plan.spacing_mm == pytest.approx(1.0)
    assert (plan.rows, plan.cols) == (21 + extra, 41)
    assert plan.image_origin == (extra, 0)
    assert plan.image_shape == (21, 41)
    mask = plan.vertex_mask
    assert mask is not None
    assert mask[extra:].all()  # the plate itself is whole
    centre_row, centre_col = extra - 4, 20  # hole centre: one tab radius above the plate
    assert not mask[centre_row, centre_col]
    hole = ~mask[:extra] & (np.hypot(*np.mgrid[:extra, :41] - np.array([centre_row, centre_col])[:, None, None]) <= 2)
    assert hole.sum() == 13  # lattice points within 2 mm of the centre
    assert mask[centre_row, centre_col + 3] and mask[centre_row - 3, centre_col]  # the ring around it
    assert mask[1, centre_col]  # top of the tab, one tab diameter above the plate
    assert mask[0].sum() <= 1  # the first added row holds at most the apex of the tab
    assert not mask[0, 0] and not mask[extra - 1, 0]  # beside the tab: nothing
    np.testing.assert_array_equal(plan.t[:extra], 1.0)  # the tab stands at full height


def test_hanging_hole_that_does_not_fit_is_refused():
    s = native(width_mm=10.0, hole_diameter_mm=8.0)
    with pytest.raises(ImageToPrintError, match="does not fit"):
        plan_relief(make_image(np.zeros((6, 11), np.float32)), s)


def test_hanging_hole_with_frame_sits_above_the_frame():
    plan = hole_plan(frame_width_mm=2.0)
    nf = plan.image_origin[1]
    assert nf == 2
    assert plan.image_origin[0] == plan.rows - 21 - nf
    top_of_frame = plan.image_origin[0] - nf
    assert plan.vertex_mask[top_of_frame:].all()
    assert not plan.vertex_mask[:top_of_frame, 0].any()


def test_estimate_includes_the_hanging_tab():
    s = native(width_mm=40.0, hole_diameter_mm=4.0)
    plan = hole_plan()
    est = estimate(41, 21, s)
    assert est["size_mm"][1] >= (plan.rows - 2) * plan.spacing_mm - 1e-9  # the tab is at least 8 mm tall


# --- adaptive -----------------------------------------------------------------------------------

def test_adaptive_is_kept_for_a_flat_rectangular_plate():
    plan = plan_relief(make_image(ramp()), native(adaptive=True, max_error_mm=0.05))
    assert plan.adaptive is True
    assert plan.max_error_mm == 0.05
    assert plan.warnings == []


def test_adaptive_with_curve_warns_and_falls_back_to_the_grid():
    plan = plan_relief(make_image(ramp()), native(adaptive=True, curve_angle_deg=90.0))
    assert plan.adaptive is False
    assert plan.curved is True
    assert len(plan.warnings) == 1
    assert "adaptive" in plan.warnings[0] and "curved" in plan.warnings[0]


def test_adaptive_with_cut_or_hole_warns_and_falls_back_to_the_grid():
    plan = plan_relief(alpha_image(), native(adaptive=True, alpha_mode="CUT"))
    assert plan.adaptive is False and len(plan.warnings) == 1
    plan = hole_plan(adaptive=True)
    assert plan.adaptive is False and "hanging hole" in plan.warnings[0]


# --- cells --------------------------------------------------------------------------------------

def test_cells_need_all_four_corners():
    mask = np.ones((3, 4), bool)
    mask[0, 0] = False
    cells = cells_from_vertex_mask(mask)
    np.testing.assert_array_equal(cells, [[False, True, True], [True, True, True]])


def bowties(cells):
    p = np.pad(cells, 1)
    a, b, c, d = p[:-1, :-1], p[:-1, 1:], p[1:, :-1], p[1:, 1:]
    return int(((a & d & ~b & ~c) | (b & c & ~a & ~d)).sum())


def test_cells_touching_only_at_a_corner_are_joined():
    mask = np.zeros((3, 3), bool)
    mask[:2, :2] = True
    mask[1:, 1:] = True
    raw = mask[:-1, :-1] & mask[:-1, 1:] & mask[1:, :-1] & mask[1:, 1:]
    assert bowties(raw) == 1
    cells = cells_from_vertex_mask(mask)
    assert bowties(cells) == 0
    assert cells[0, 0] and cells[1, 1] and cells[0, 1]  # the upper-right cell fills the gap


@pytest.mark.parametrize("seed", range(5))
def test_cleaned_cells_never_touch_only_at_a_corner(seed):
    mask = np.random.default_rng(seed).random((30, 40)) < 0.7
    cells = cells_from_vertex_mask(mask)
    assert bowties(cells) == 0
    raw = mask[:-1, :-1] & mask[:-1, 1:] & mask[1:, :-1] & mask[1:, 1:]
    assert (cells | ~raw).all()  # cleaning only adds cells


def test_checkerboard_cells_are_cleaned():
    mask = np.zeros((20, 20), bool)
    cells_wanted = (np.indices((19, 19)).sum(axis=0) % 2) == 0
    for r, c in zip(*np.nonzero(cells_wanted)):
        mask[r:r + 2, c:c + 2] = True
    cells = cells_from_vertex_mask(mask)
    assert bowties(cells) == 0


def test_settings_are_not_mutated_by_planning():
    s = native(adaptive=True, curve_angle_deg=45.0)
    before = replace(s)
    plan_relief(make_image(ramp()), s)
    assert s == before


def test_the_backlit_preview_shows_the_picture_through_the_thickness():
    """A Beer-Lambert lithophane lit from behind gives back the picture's light (its thickness was chosen for
    that): the preview's linear light is proportional to the image's, the right way round; a cut-out's
    open parts let all the light through."""
    from core.image import srgb_to_linear
    from core.relief import backlit

    y, x = np.mgrid[0:40, 0:60]
    grey = (0.15 + 0.8 * x / 59.0 * (y < 25) + 0.3 * (y >= 25)).astype(np.float32)  # left to right, then flat
    s = native(mode="LITHOPHANE", translucency="BEER_LAMBERT", transmittance_1mm=0.5, width_mm=59.0,
               min_thickness_mm=0.8, max_thickness_mm=3.0)
    plan = plan_relief(make_image(grey), s)
    light = srgb_to_linear(backlit(plan, s))
    assert light.shape == grey.shape and light.max() <= 1.0
    seen = srgb_to_linear(grey)
    assert np.corrcoef(light.ravel(), seen.ravel())[0, 1] > 0.98
    assert np.corrcoef(light.ravel(), seen[:, ::-1].ravel())[0, 1] < 0.5
    disc = (np.hypot(y - 20, x - 30) < 15).astype(np.float32)
    cut = plan_relief(make_image(np.full((40, 60), 0.2, np.float32), disc),
                      native(mode="LITHOPHANE", alpha_mode="CUT", width_mm=59.0))
    preview = backlit(cut, s)
    assert np.allclose(preview[~cut.vertex_mask], 1.0)
    assert preview[cut.vertex_mask].min() < 0.9  # the material itself holds some light back
