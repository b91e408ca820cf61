# SPDX-License-Identifier: GPL-3.0-or-later
"""core.trace: bitmaps, the potrace engine against potracer, loops, the fast engine, the plan."""

from __future__ import annotations

import collections
import json
import re

import numpy as np
import pytest
from trace_images import logo, ring_and_island, save_mask

from core import raster
from core.errors import ImageToPrintError
from core.image import load_image
from core.trace import bitmap
from core.trace import loops as lp
from core.trace.engine_fast import _svg_loops, trace_loops
from core.trace.engine_potrace import loops_from_paths, trace_paths
from core.trace.plan import fidelity, plan_trace, validate
from core.trace.settings import MODE_PRESET, TRACE_PRESETS, TraceSettings


def flood_labels(mask, eight):
    seen = np.full(mask.shape, -1)
    n = 0
    for y, x in zip(*np.nonzero(mask)):
        if seen[y, x] >= 0:
            continue
        queue = collections.deque([(y, x)])
        seen[y, x] = n
        while queue:
            cy, cx = queue.popleft()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    if (dy or dx) and (eight or not (dy and dx)):
                        ny, nx = cy + dy, cx + dx
                        if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and seen[ny, nx] < 0:
                            seen[ny, nx] = n
                            queue.append((ny, nx))
        n += 1
    return seen, n


# --- bitmaps -------------------------------------------------------------------------------------

@pytest.mark.parametrize("eight", [True, False])
def test_labels_match_a_flood_fill(eight):
    mask = np.random.default_rng(3).random((70, 90)) < 0.45
    ref, n = flood_labels(mask, eight)
    lab, areas = raster.label(mask, eight)
    assert areas.size == n and areas.sum() == mask.sum()
    assert len(set(zip(ref[mask].tolist(), lab[mask].tolist()))) == n  # the same partition
    assert (lab[~mask] == -1).all()


def test_dilation_is_an_exact_disc():
    m = np.zeros((60, 60), bool)
    m[30, 30] = m[10, 50] = True
    y, x = np.mgrid[:60, :60]
    for r in (1.0, 4.5, 9.3):
        want = ((y - 30) ** 2 + (x - 30) ** 2 <= r * r) | ((y - 10) ** 2 + (x - 50) ** 2 <= r * r)
        assert (bitmap.dilate(m, r) == want).all()


def test_speckles_holes_and_thin_parts():
    ink = np.zeros((80, 80), bool)
    ink[10:60, 10:60] = True
    ink[30:32, 30:32] = False  # a 4 px hole
    ink[20:40, 40:50] = False  # a 200 px hole
    ink[70, 70] = True  # a speckle
    ink[65:67, 5:75] = True  # a 2 px line
    assert bitmap.count_pieces_and_holes(ink) == (3, 2)
    assert bitmap.remove_small(ink, 2)[70, 70] == False  # noqa: E712
    filled = raster.fill_holes(ink, 10)
    assert filled[30:32, 30:32].all() and not filled[20:40, 40:50].any()
    thin = bitmap.thin_parts(ink, 4.0)
    assert thin[65:67, 10:70].all() and not thin[15:25, 15:25].any()


def test_otsu_splits_black_and_white_in_the_middle():
    assert raster.otsu(np.array([0.0] * 50 + [1.0] * 50)) == pytest.approx(0.5, abs=1 / 256)
    values = np.concatenate([np.full(500, 0.2), np.full(500, 0.8)])
    assert 0.2 < raster.otsu(values) < 0.8


# --- the potrace engine ------------------------------------------------------------------------

def test_engine_matches_potracer_exactly():
    """Same paths, same straight-subpath table, same curves as potracer's own trace()."""
    import potrace

    ink = logo(500)
    ours = trace_paths(ink, turdsize=2)
    ref = potrace.Bitmap(~ink).trace(turdsize=2)
    assert len(ours) == len(ref) > 20
    for a, b in zip(ours, ref):
        assert [(q.x, q.y) for q in a.pt] == [(q.x, q.y) for q in b._path.pt]
        assert a._lon == b._path._lon
        assert [(s.tag, [(c.x, c.y) for c in s.c]) for s in a._fcurve] == \
            [(s.tag, [(c.x, c.y) for c in s.c]) for s in b._path._fcurve]


def test_potrace_loops_reproduce_the_bitmap_and_its_holes():
    ink = logo(800)
    loops = loops_from_paths(trace_paths(ink))
    f = fidelity(ink, loops)
    assert f["pixel_error_percent"] <= 1.5
    assert f["holes_traced"] == f["holes_in_image"] == raster.holes(ink)[1].size > 5


def test_fast_engine_reproduces_the_bitmap_and_its_holes():
    ink = logo(800)
    f = fidelity(ink, trace_loops(ink))
    assert f["pixel_error_percent"] <= 3.0
    assert f["holes_traced"] == f["holes_in_image"]


def test_svg_parser_applies_the_translate_and_closes_loops():
    svg = ('<svg><path d="M0 0 L10 0 C10 5 5 10 0 10 Z M2 2 L4 2 L4 4 Z " fill="#000000" '
           'transform="translate(3,4)"/></svg>')
    loops = _svg_loops(svg)
    assert [len(loop) for loop in loops] == [3, 3]
    assert loops[0][:, 1].tolist() == [[3, 4], [13, 4], [3, 14]]
    assert loops[0][1, 2].tolist() == [13, 9]  # the C's first control point
    assert loops[1][0, 0].tolist() == pytest.approx([5 + 2 / 3, 6 + 2 / 3])  # the closing line's handle


# --- loops -------------------------------------------------------------------------------------

def square(x0, y0, x1, y1):
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    nxt, prv = np.roll(pts, -1, axis=0), np.roll(pts, 1, axis=0)
    return np.stack([pts + (prv - pts) / 3, pts, pts + (nxt - pts) / 3], axis=1)


def test_rasterize_fills_at_pixel_centres_even_odd():
    filled = lp.rasterize([square(2, 3, 7, 9), square(4, 5, 5, 6)], (12, 10))
    want = np.zeros((12, 10), bool)
    want[3:9, 2:7] = True
    want[5, 4] = False
    assert (filled == want).all()


def test_nesting_and_winding():
    loops = [square(0, 0, 10, 10), square(2, 2, 8, 8)[::-1, ::-1].copy(), square(4, 4, 6, 6), square(20, 0, 25, 5)]
    oriented, depth = lp.orient(loops, y_up=True)
    assert depth.tolist() == [0, 1, 2, 0]
    areas = [lp.signed_area(lp.flatten(loop)) for loop in oriented]
    assert [a > 0 for a in areas] == [True, False, True, True]  # outlines anticlockwise, holes clockwise


def test_collinear_anchors_are_merged_and_straight_handles_kept():
    pts = np.array([[0, 0], [1, 0], [2, 0], [2, 2], [0, 2]], float)
    nxt, prv = np.roll(pts, -1, axis=0), np.roll(pts, 1, axis=0)
    loop = np.stack([pts + (prv - pts) / 3, pts, pts + (nxt - pts) / 3], axis=1)
    out = lp.merge_collinear(loop, 1e-9)
    assert out[:, 1].tolist() == [[0, 0], [2, 0], [2, 2], [0, 2]]
    assert lp.straight(out, 1e-9).all()


# --- the plan ----------------------------------------------------------------------------------

def plan(path, **kw):
    return plan_trace(load_image(path), TraceSettings(**kw))


@pytest.mark.parametrize("engine", ["POTRACE", "FAST"])
def test_plate_plan_width_holes_and_fidelity(tmp_path, engine):
    path = save_mask(tmp_path / "r.png", ring_and_island())
    p = plan(path, mode="PLATE", width_mm=50.0, height_mm=3.0, base_mm=0.0, engine=engine)
    assert [part.role for part in p.parts] == ["design"]
    assert len(p.parts[0].loops) == 4
    lo, hi = lp.bounds(p.parts[0].loops)
    assert hi[0] - lo[0] == pytest.approx(50.0, abs=1e-9)
    assert (lo + hi)[0] == pytest.approx(0.0, abs=1e-9) and (lo + hi)[1] == pytest.approx(0.0, abs=1e-9)
    assert p.stats["holes_traced"] == p.stats["holes_in_image"] == 1
    assert p.stats["pixel_error_percent"] <= (1.5 if engine == "POTRACE" else 3.0)
    assert p.size_mm[2] == 3.0
    area = sum(lp.signed_area(lp.flatten(loop)) for loop in p.parts[0].loops)
    # the smooth outline of pixel circles: within 2% of the pixel count
    assert area == pytest.approx(ring_and_island().sum() * (50 / 160) ** 2, rel=0.02)
    json.dumps(p.stats)  # report-ready
    assert any("not attached" in w for w in p.warnings)


def test_thin_strokes_are_reported_with_where(tmp_path):
    ink = np.zeros((200, 200), bool)
    ink[20:180, 20:60] = True
    ink[100:103, 60:180] = True  # 3 px at 0.25 mm/px = 0.75 mm: under 2 x 0.4 mm
    p = plan(save_mask(tmp_path / "t.png", ink), width_mm=40.0, base_mm=1.0)
    thin = [w for w in p.warnings if "narrower than 0.8 mm" in w]
    assert len(thin) == 1 and "(1 place)" in thin[0]
    x, y = (float(v) for v in re.search(r"at \(([-\d.]+), ([-\d.]+)\) mm", thin[0]).groups())
    assert 2.0 < x < 8.0 and abs(y) < 1.0  # on the stroke, which runs from x = 0 to 20 mm at y = 0
    p = plan(save_mask(tmp_path / "t.png", ink), width_mm=80.0, base_mm=1.0)  # 1.5 mm: fine
    assert not [w for w in p.warnings if "narrower" in w]


def test_cutter_wall_hugs_the_outline(tmp_path):
    ink = np.zeros((120, 120), bool)
    ink[20:100, 20:45] = True
    ink[75:100, 20:90] = True
    p = plan(save_mask(tmp_path / "l.png", ink), **TRACE_PRESETS["cutter"][2])
    blade = next(part for part in p.parts if part.role == "blade")
    widths = sorted(float(np.ptp(lp.flatten(loop)[:, 0])) for loop in blade.loops)
    assert widths == pytest.approx([80.0, 82.0], abs=0.15)  # within a working pixel (0.125 mm)
    assert blade.height == 12.0 and blade.z0 == 0.0


def test_multi_colour_layers_are_ordered_dark_to_light(tmp_path):
    from PIL import Image

    rgb = np.full((100, 100, 3), 255, np.uint8)
    rgb[10:40, 10:90] = (20, 20, 20)
    rgb[60:90, 10:90] = (150, 150, 150)
    Image.fromarray(rgb).save(tmp_path / "m.png")
    p = plan(str(tmp_path / "m.png"), mode="MULTI", colours=2, width_mm=40.0, height_mm=2.0, base_mm=0.0)
    layers = [part for part in p.parts if part.role == "layer"]
    assert len(layers) == 2
    assert layers[0].height == pytest.approx(2.0) and layers[1].height == pytest.approx(1.0)
    assert layers[0].colour[0] < layers[1].colour[0]


@pytest.mark.parametrize("kw, message", [
    (dict(width_mm=0.0), "--width must be from 1 to 5000 mm, got 0"),
    (dict(mode="ROUND"), "unknown mode"),
    (dict(threshold=1.5), "Threshold must be from 0 to 1, got 1.5"),
    (dict(mode="KEYCHAIN", hole_mm=0.0), "needs a hole"),
    (dict(mode="CUTTER", flange_thickness_mm=20.0, height_mm=12.0), "flange must be thinner"),
    (dict(bevel_mm=1.0, height_mm=2.0), "bevel"),
    (dict(mode="MULTI", colours=1), "--colours must be from 2 to 8, got 1"),
])
def test_bad_settings_are_refused_in_one_line(kw, message):
    with pytest.raises(ImageToPrintError, match=message) as info:
        validate(TraceSettings(**kw))
    assert "\n" not in str(info.value)


def test_blank_images_have_nothing_to_trace(tmp_path):
    white = save_mask(tmp_path / "w.png", np.zeros((40, 40), bool))
    with pytest.raises(ImageToPrintError, match="nothing to trace"):
        plan(white)
    black = save_mask(tmp_path / "b.png", np.ones((40, 40), bool))
    with pytest.raises(ImageToPrintError, match="whole image"):
        plan(black)


def test_presets_name_every_mode():
    assert set(MODE_PRESET) == {"PLATE", "KEYCHAIN", "CUTTER", "STAMP", "MULTI"}
    for _, (_label, _desc, values) in TRACE_PRESETS.items():
        validate(TraceSettings(**values))


def test_small_multi_colour_images_trace_smooth_outlines(tmp_path):
    """Upsampled colour layers follow the resampled image, not blocks of repeated pixels."""
    from PIL import Image

    n = 160
    y, x = np.mgrid[0:n, 0:n]
    rgb = np.full((n, n, 3), 255, np.uint8)
    rgb[np.hypot(x - 45, y - 80) < 30] = (220, 30, 30)
    rgb[(x >= 95) & (x < 145) & (y >= 55) & (y < 105)] = (30, 40, 200)
    Image.fromarray(rgb).save(tmp_path / "c.png")
    p = plan(str(tmp_path / "c.png"), mode="MULTI", colours=2, width_mm=60.0, base_mm=0.0)
    assert p.stats["upsampled"] > 1
    layers = [part for part in p.parts if part.role == "layer"]
    assert [len(part.loops) for part in layers] == [1, 1]
    assert max(lp.segment_count(part.loops) for part in layers) <= 16  # a disc and a square, not stairs
