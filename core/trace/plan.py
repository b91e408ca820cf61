# SPDX-License-Identifier: GPL-3.0-or-later
"""From an image to the parts of a traced solid: binarise, clean, shape, trace, scale.

Every boolean step (base plate, keyring tab and hole, cutter wall and flange,
colour layers) happens on the bitmap, then each part's mask is traced. So the
loops of a part never overlap and holes nest correctly, which is what makes the
extruded curves mesh watertight (see ``../shared/reference``: trace from a
binary raster; never overlap splines).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .. import raster
from ..errors import ImageToPrintError
from ..image import LoadedImage, require_length, require_size
from ..limits import CheckDefaults
from ..schema import UNIT_MAX, check_ranges
from . import bitmap, photo
from . import loops as lp
from .settings import BASE_SHAPES, ENGINES, HOLE_POSITIONS, MODES, SOURCES, TraceSettings

MAX_WORK_PIXELS = 16e6  # upsampling small images stops here
FINE_MM = 0.1  # upsample until a pixel is at most this size
FLAT_PX = 0.02  # a Bezier segment this close to its chord is drawn as a straight line
SINK_MM = 0.2  # a design on a base reaches this far into it, so the two overlap instead of touching


@dataclass
class TracePart:
    """One curve object: loops in mm (y up, design centred on the origin), extruded from z0 up by height."""

    name: str
    role: str  # design, base, blade, flange, imprint, layer
    loops: list[np.ndarray]
    z0: float
    height: float
    bevel_mm: float = 0.0
    colour: tuple[float, float, float, float] = (0.8, 0.8, 0.8, 1.0)


@dataclass
class TracePlan:
    parts: list[TracePart]
    warnings: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def size_mm(self) -> tuple[float, float, float]:
        lo, hi = lp.bounds([loop for p in self.parts for loop in p.loops])
        top = max(p.z0 + p.height for p in self.parts)
        return float(hi[0] - lo[0]), float(hi[1] - lo[1]), float(top)


def _positive(value: float, what: str) -> None:
    if not (value > 0 and math.isfinite(value)):
        raise ImageToPrintError(f"{what} must be greater than 0 (got {value:g})")


def _non_negative(value: float, what: str) -> None:
    if not (value >= 0 and math.isfinite(value)):
        raise ImageToPrintError(f"{what} must not be negative (got {value:g})")


def validate(s: TraceSettings) -> None:
    check_ranges(s)
    for choice, allowed, what in ((s.mode, MODES, "mode"), (s.source, SOURCES, "source"),
                                  (s.engine, ENGINES, "engine"), (s.base_shape, BASE_SHAPES, "base shape"),
                                  (s.hole_position, HOLE_POSITIONS, "hole position")):
        if choice not in allowed:
            raise ImageToPrintError(f"unknown {what} {choice!r}: use one of {', '.join(a.lower() for a in allowed)}")
    _positive(s.width_mm, "width")
    _positive(s.height_mm, "height")
    _positive(s.nozzle_mm, "nozzle")
    for value, what in ((s.base_mm, "base"), (s.margin_mm, "margin"), (s.hole_mm, "hole diameter"),
                        (s.ring_mm, "ring"), (s.bevel_mm, "bevel"), (s.speckle_mm2, "speckle size"),
                        (s.hole_mm2, "hole size"), (s.smooth_mm, "smoothing"), (s.corner_radius_mm, "corner radius"),
                        (s.optimize_tolerance, "optimise tolerance"), (s.flange_mm, "flange width"),
                        (s.imprint_depth_mm, "imprint depth")):
        _non_negative(value, what)
    if s.threshold is not None and not 0.0 <= s.threshold <= 1.0:
        raise ImageToPrintError(f"threshold must be between 0 and 1, or auto (got {s.threshold:g})")
    if not 0.0 <= s.corner_threshold <= 1.3334:
        raise ImageToPrintError(f"corner threshold must be between 0 and 1.334 (got {s.corner_threshold:g})")
    if s.mode == "KEYCHAIN" and s.hole_mm <= 0:
        raise ImageToPrintError("a keychain needs a hole: set a hole diameter greater than 0")
    if s.mode == "CUTTER":
        _positive(s.wall_mm, "wall")
        if s.flange_mm > 0:
            _positive(s.flange_thickness_mm, "flange thickness")
            if s.flange_thickness_mm >= s.height_mm:
                raise ImageToPrintError("the flange must be thinner than the cutter is tall")
        if s.imprint and s.imprint_depth_mm >= s.height_mm - s.flange_thickness_mm:
            raise ImageToPrintError("the imprint depth leaves no imprint wall: make it smaller than the blade")
    if s.mode == "STAMP":
        _positive(s.base_mm, "stamp block (base)")
    if s.mode == "MULTI" and not 2 <= s.colours <= 8:
        raise ImageToPrintError(f"multi-colour needs 2 to 8 colours (got {s.colours})")
    if s.bevel_mm > 0 and 2 * s.bevel_mm >= s.height_mm:
        raise ImageToPrintError("the bevel must be less than half the design height")


# --- binarising --------------------------------------------------------------------------------

def ink_signal(img: LoadedImage, s: TraceSettings) -> tuple[np.ndarray, float, str]:
    """(signal, level, how): ink is where signal > level. Before ``invert``."""
    source = s.source
    if source == "AUTO":
        source = "ALPHA" if img.alpha is not None and (img.alpha < 0.5).any() else "LUMINANCE"
    if source == "ALPHA":
        if img.alpha is None:
            raise ImageToPrintError("the image has no transparency to use as the mask (choose another source)")
        return img.alpha.astype(np.float32), 0.5, "alpha"
    if source == "COLOR":
        rgb = img.rgba8[..., :3].astype(np.float32) / 255.0
        if s.background is None:
            bg = raster.background_colour(rgb)
        else:
            bg = np.asarray(s.background, dtype=np.float32)
        dist = raster.colour_distance(rgb, bg)
        if img.alpha is not None:
            dist = np.where(img.alpha >= 0.5, dist, 0.0)
        return dist.astype(np.float32), float(s.colour_tolerance), "background colour"
    grey = img.grey
    if img.alpha is not None:  # flatten transparency onto white
        grey = raster.over_white(grey, img.alpha)
    level = s.threshold
    how = "threshold"
    if level is None:
        level = raster.otsu(grey)
        how = "automatic threshold (Otsu)"
    return (1.0 - grey).astype(np.float32), float(1.0 - level), f"{how} {level:.3f}"


def _binary(signal: np.ndarray, level: float, invert: bool) -> np.ndarray:
    ink = signal > level
    return ~ink if invert else ink


def hard_edged(signal: np.ndarray, ink: np.ndarray) -> bool:
    """Does the ink have hard (aliased) edges? Anti-aliased edges have in-between values along them."""
    if ink.all() or not ink.any():
        return True
    on, off = float(np.median(signal[ink])), float(np.median(signal[~ink]))
    if abs(on - off) < 1e-6:
        return True
    t = (signal - off) / (on - off)
    inner = ink.copy()
    inner[1:] &= ink[:-1]
    inner[:-1] &= ink[1:]
    inner[:, 1:] &= ink[:, :-1]
    inner[:, :-1] &= ink[:, 1:]
    edge = int((ink & ~inner).sum())
    between = int(((t > 0.15) & (t < 0.85)).sum())
    return between < 0.25 * max(edge, 1)


def supersample(mask: np.ndarray, f: int, s: TraceSettings) -> np.ndarray:
    """A hard-edged mask f times finer: traced where it is, the smooth outline filled at the finer grid.
    (Resampling its pixel stairs instead would leave a wavy edge that the tracer follows.)"""
    loops = trace_mask(np.pad(mask, 1), s)
    fine = lp.rasterize([(loop - 1.0) * f for loop in loops], (mask.shape[0] * f, mask.shape[1] * f))
    return fine


@dataclass
class _Frame:
    """The working bitmap: a padded crop of the image, perhaps upsampled."""

    ink: np.ndarray
    px_mm: float  # estimated pixel size (refined from the traced outline)
    upsample: int
    how: str
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # source rows r0:r1, columns c0:c1 of the ink
    pad: int = 0

    hard: bool = False
    settings: TraceSettings | None = None

    def resample(self, values: np.ndarray) -> np.ndarray:
        """Another per-pixel channel of the source, cropped, upsampled and padded like ``ink``."""
        r0, r1, c0, c1 = self.box
        f = self.upsample
        if f > 1 and self.hard and self.settings is not None:
            out = supersample(values[r0:r1, c0:c1] >= 0.5, f, self.settings).astype(np.float32)
        elif f > 1:
            h, w = values.shape
            r0e, r1e, c0e, c1e = max(0, r0 - 2), min(h, r1 + 2), max(0, c0 - 2), min(w, c1 + 2)
            big = raster.resample(values[r0e:r1e, c0e:c1e], (c1e - c0e) * f, (r1e - r0e) * f, method="bicubic")
            out = big[(r0 - r0e) * f:(r1 - r0e) * f, (c0 - c0e) * f:(c1 - c0e) * f]
        else:
            out = values[r0:r1, c0:c1]
        return np.pad(out, self.pad)


def _working_frame(img: LoadedImage, s: TraceSettings, pad_mm: float) -> _Frame:
    signal, level, how = ink_signal(img, s)
    ink = _binary(signal, level, s.invert)
    if not ink.any():
        raise ImageToPrintError("nothing to trace: no ink after thresholding (try --invert or another --threshold)")
    if ink.mean() > 0.995:
        raise ImageToPrintError("nothing to trace: the whole image counts as ink (try --invert or another --threshold)")
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink.any(axis=0))
    px_mm = s.width_mm / float(cols[-1] + 1 - cols[0])
    f = max(1, min(8, math.ceil(px_mm / FINE_MM - 1e-9)))
    crop_w, crop_h = cols[-1] + 1 - cols[0], rows[-1] + 1 - rows[0]
    while f > 1 and crop_w * crop_h * f * f > MAX_WORK_PIXELS:
        f -= 1
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    one = 2  # one source pixel of context around the crop for resampling
    r0e, r1e = max(0, r0 - one), min(ink.shape[0], r1 + one)
    c0e, c1e = max(0, c0 - one), min(ink.shape[1], c1 + one)
    hard = f > 1 and hard_edged(signal[r0e:r1e, c0e:c1e], ink[r0e:r1e, c0e:c1e])
    if hard:
        work = supersample(ink[r0:r1, c0:c1], f, s)
    elif f > 1:
        crop = raster.resample(signal[r0e:r1e, c0e:c1e], (c1e - c0e) * f, (r1e - r0e) * f, method="bicubic")
        work = _binary(crop, level, s.invert)
        # keep exactly the upsampled bounding box of the ink
        work = work[(r0 - r0e) * f:(r1 - r0e) * f, (c0 - c0e) * f:(c1 - c0e) * f]
    else:
        work = ink[r0:r1, c0:c1]
    px_mm /= f
    pad = int(math.ceil(pad_mm / px_mm)) + 2
    work = np.pad(work, pad)
    return _Frame(work, px_mm, f, how, (int(r0), int(r1), int(c0), int(c1)), pad, hard, s)


def clean(ink: np.ndarray, s: TraceSettings, px_mm: float) -> np.ndarray:
    px2 = px_mm * px_mm
    if s.smooth_mm > 0:
        ink = bitmap.smooth(ink, s.smooth_mm / px_mm)
    ink = bitmap.remove_small(ink, max(s.speckle_mm2 / px2, 1.0) if s.speckle_mm2 > 0 else 0, eight=True)
    if s.hole_mm2 > 0:
        ink = raster.fill_holes(ink, s.hole_mm2 / px2)
    return ink


# --- tracing -----------------------------------------------------------------------------------

def trace_mask(mask: np.ndarray, s: TraceSettings) -> list[np.ndarray]:
    """Loops of a cleaned mask in pixel coordinates, with the chosen engine."""
    if not mask.any():
        return []
    if s.engine == "FAST":
        from .engine_fast import trace_loops as fast_loops

        return fast_loops(mask, corner_threshold_deg=60.0 * s.corner_threshold)
    from .engine_potrace import trace_loops as potrace_loops

    loops = potrace_loops(mask, turdsize=0, alphamax=s.corner_threshold, opticurve=s.optimize_tolerance > 0,
                        opttolerance=max(s.optimize_tolerance, 1e-9))
    return [lp.merge_collinear(lp.snap_straight(loop, FLAT_PX), FLAT_PX) for loop in loops]


# --- shapes on the bitmap ----------------------------------------------------------------------

_DIRECTIONS = {"TOP": (0.0, -1.0), "BOTTOM": (0.0, 1.0), "LEFT": (-1.0, 0.0), "RIGHT": (1.0, 0.0)}


def _tab(body: np.ndarray, s: TraceSettings, px_mm: float) -> tuple[np.ndarray, np.ndarray, tuple[float, float]]:
    """(tab mask, hole mask, hole centre px): a round tab with the keyring hole, joined to the body's extreme."""
    dx, dy = _DIRECTIONS[s.hole_position]
    ys, xs = np.nonzero(body)
    cx_all, cy_all = xs + 0.5, ys + 0.5
    reach = cx_all * dx + cy_all * dy
    extreme = reach.max()
    near = reach >= extreme - 0.5
    middle = (cx_all.mean(), cy_all.mean())
    # among the extreme pixels, the one closest to the body's middle line
    side = np.abs((cx_all[near] - middle[0]) * dy - (cy_all[near] - middle[1]) * dx)
    k = int(np.argmin(side))
    ex, ey = float(cx_all[near][k]), float(cy_all[near][k])
    r_hole = s.hole_mm / 2.0 / px_mm
    r_tab = r_hole + s.ring_mm / px_mm
    centre = (ex + dx * (r_hole + 0.5 * s.ring_mm / px_mm), ey + dy * (r_hole + 0.5 * s.ring_mm / px_mm))
    tab = bitmap.disc(body.shape, centre[0], centre[1], r_tab)
    # a neck as wide as the tab from the extreme point to the centre, so the tab is firmly attached
    h, w = body.shape
    y = np.arange(h, dtype=np.float64)[:, None] + 0.5
    x = np.arange(w, dtype=np.float64)[None, :] + 0.5
    along = (x - ex) * dx + (y - ey) * dy
    across = np.abs((x - ex) * dy - (y - ey) * dx)
    depth = r_hole + 0.5 * s.ring_mm / px_mm
    neck = (along >= -r_tab) & (along <= depth) & (across <= r_tab)
    hole = bitmap.disc(body.shape, centre[0], centre[1], r_hole)
    return (tab | (neck & bitmap.dilate(body, r_tab))) & ~hole, hole, centre


GRID_PX = 12.0  # plates, flanges and walls are shaped on a grid where their width is about this many pixels


def _factor(width_px: float) -> int:
    """How many working pixels one pixel of a coarser shaping grid spans."""
    return max(1, int(width_px // GRID_PX))


def _base_outline(design: np.ndarray, s: TraceSettings, px_mm: float) -> np.ndarray:
    margin = s.margin_mm / px_mm
    if s.base_shape == "RECTANGLE":
        rows = np.flatnonzero(design.any(axis=1))
        cols = np.flatnonzero(design.any(axis=0))
        return bitmap.rounded_rectangle(design.shape, cols[0] - margin, rows[0] - margin, cols[-1] + 1 + margin,
                                        rows[-1] + 1 + margin, s.corner_radius_mm / px_mm)
    return connected(raster.fill_holes(bitmap.dilate(design, margin)), margin)


def connected(plate: np.ndarray, margin: float) -> np.ndarray:
    """Join a plate's separate pieces with rounded bridges (a closing of growing radius)."""
    if raster.label(plate, eight=False)[1].size <= 1:
        return plate
    r = max(margin, 2.0)
    limit = max(plate.shape)
    while r < limit:
        closed = raster.fill_holes(bitmap.erode(bitmap.dilate(plate, r), r)) | plate
        if raster.label(closed, eight=False)[1].size <= 1:
            return closed
        r *= 2
    return plate


def _pad_mm(s: TraceSettings) -> float:
    pad = 0.0
    if s.base_mm > 0 or s.mode in ("STAMP",):
        pad = s.margin_mm
    if s.hole_mm > 0 and s.mode in ("PLATE", "KEYCHAIN", "MULTI"):
        pad += s.hole_mm + 2 * s.ring_mm
    if s.mode == "CUTTER":
        pad = s.wall_mm + s.flange_mm
    return pad + 1.0


def _where(mask: np.ndarray, to_mm, limit: int = 3) -> str:
    spots = bitmap.pieces_where(mask, eight=True, limit=limit)
    return ", ".join(f"({x:.1f}, {y:.1f}) mm" for _, x, y in ((a, *to_mm(cx, cy)) for a, cx, cy in spots))


NARROW_IGNORED = 0.05  # the narrowest 5% of the narrow outline does not set the width proposed
NARROW_MARGIN = 0.05  # the width proposed has this to spare, for the finer grid a wider design is checked on


@dataclass
class _Fit:
    """What the narrow-feature warning needs to know about the whole plan."""

    width_mm: float  # the design's width now (--width)
    design_mm: tuple[float, float]  # the design's size now
    overall_mm: tuple[float, float]  # every part's size now (plates and tabs do not grow with --width)
    build_mm: tuple[float, float]  # the printer's bed


def _outline_samples(loops: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(midpoints (n, 2), lengths (n,)) of the flattened outline's segments, in the loops' pixels."""
    mids, lengths = [], []
    for loop in loops:
        poly = lp.flatten(loop)
        seg = np.roll(poly, -1, axis=0) - poly
        mids.append(poly + seg / 2.0)
        lengths.append(np.hypot(seg[:, 0], seg[:, 1]))
    if not mids:
        return np.zeros((0, 2)), np.zeros(0)
    return np.concatenate(mids), np.concatenate(lengths)


def _narrow(mask: np.ndarray, width: float) -> np.ndarray:
    """Places narrower than ``width`` pixels that run at least as long as that (not a rounded end's tip)."""
    thin = bitmap.narrower_than(mask, width)
    return bitmap.remove_small(thin, max(2.0, width * width), eight=True)


def _widths(mask: np.ndarray, thin: np.ndarray, factor: int, limit: float, points: np.ndarray) -> np.ndarray:
    """The width, in working pixels, of the narrow place at each of ``points`` (working pixels, x y).

    ``thin`` marks the narrow places on a grid ``factor`` times coarser than ``mask``; they are
    measured on ``mask`` itself, ``limit`` pixels being the width they are narrower than. The
    distance from a pixel centre to the nearest background pixel centre, at most, over a narrow
    place, gives its width: a band t pixels wide has its middle (t + 1) / 2 from the background
    for odd t, t / 2 for even t (taken as t - 1: 1 px short, so the width proposed errs on the
    wide side). Where the working grid is the one checked (``factor`` 1) and small enough
    (``bitmap.FINE_PIXELS``) it is measured on a grid twice as fine, where every band is 2t
    pixels and its middle two lie t from the background: exact. Each point takes the largest such distance of
    the narrow places within half the limit of it (from a narrow place's edge to its middle).
    """
    h, w = mask.shape
    rows = np.flatnonzero(thin.any(axis=1))
    cols = np.flatnonzero(thin.any(axis=0))
    margin = int(math.ceil(limit)) + 2
    area = ((rows[-1] + 1 - rows[0]) * factor + 2 * margin) * ((cols[-1] + 1 - cols[0]) * factor + 2 * margin)
    g = 2 if factor == 1 and 4.0 * area <= bitmap.FINE_PIXELS else 1
    reach = int(math.ceil(limit * g / 2.0)) + 2  # fine pixels
    r0, r1 = max(0, rows[0] * factor - reach), min(h, (rows[-1] + 1) * factor + reach)
    c0, c1 = max(0, cols[0] * factor - reach), min(w, (cols[-1] + 1) * factor + reach)
    ink = mask[r0:r1, c0:c1]
    rr = np.minimum(np.arange(r0, r1) // factor, thin.shape[0] - 1)
    cc = np.minimum(np.arange(c0, c1) // factor, thin.shape[1] - 1)
    inside = thin[rr][:, cc] & ink
    ink, inside = np.pad(ink, 1), np.pad(inside, 1)  # outside the image is background
    if g > 1:
        ink = np.repeat(np.repeat(ink, g, axis=0), g, axis=1)
        inside = np.repeat(np.repeat(inside, g, axis=0), g, axis=1)
    depth = np.sqrt(bitmap.distance_within(~ink, float(reach)))
    depth = np.where(inside, depth, np.float32(0.0))
    for axis in (0, 1):  # the largest within a square reaching half the limit
        out = depth.copy()
        for d in range(1, min(reach, depth.shape[axis])):
            lead: list[slice] = [slice(None), slice(None)]
            lag: list[slice] = [slice(None), slice(None)]
            lead[axis], lag[axis] = slice(d, None), slice(None, -d)
            np.maximum(out[tuple(lead)], depth[tuple(lag)], out=out[tuple(lead)])
            np.maximum(out[tuple(lag)], depth[tuple(lead)], out=out[tuple(lag)])
        depth = out
    fx = np.clip(((points[:, 0] - c0 + 1) * g).astype(np.int64), 0, depth.shape[1] - 1)
    fy = np.clip(((points[:, 1] - r0 + 1) * g).astype(np.int64), 0, depth.shape[0] - 1)
    d = depth[fy, fx].astype(np.float64)
    return d if g == 2 else np.maximum(2.0 * d - 1.0, 0.0)


def _share_text(share: float) -> str:
    return "under 1%" if 0 < share < 0.005 else f"{100.0 * share:.0f}%"


def _thin_warning(mask: np.ndarray, loops: list[np.ndarray], s: TraceSettings, px_mm: float, to_mm, what: str,
                  fit: _Fit) -> str | None:
    """How much of the outline is narrower than 2 x the nozzle, where, and the --width that clears it.

    ``loops`` are the mask's traced outline (working pixels). A point of the outline is narrow
    when it lies on a narrow place; the share is of the outline's length. The width proposed
    scales the design until all but the narrowest ``NARROW_IGNORED`` of that narrow outline is
    wider than the limit (all of it, unless a few hairlines are much finer than the rest).
    """
    limit_mm = 2.0 * s.nozzle_mm
    width = limit_mm / px_mm
    factor = max(1, int(width // 6))  # a grid where the limit is about 6 px keeps the opening cheap
    m = raster.block_reduce(mask, factor) >= 0.5 if factor > 1 else mask
    wc = width / factor
    thin = _narrow(m, wc)
    if not thin.any():
        return None
    n = raster.label(thin, eight=True)[1].size
    places = f"{n} place{'s' if n != 1 else ''}"

    def scaled(cx, cy):
        return to_mm(cx * factor, cy * factor)

    where = _where(thin, scaled)
    nozzle = f"narrower than {limit_mm:g} mm (2 x the {s.nozzle_mm:g} mm nozzle)"
    mids, lengths = _outline_samples(loops)
    points = mids / factor
    ix = np.clip(points[:, 0].astype(np.int64), 0, m.shape[1] - 1)
    iy = np.clip(points[:, 1].astype(np.int64), 0, m.shape[0] - 1)
    on = bitmap.dilate(thin, 1.0)[iy, ix]  # a point on a pixel's edge lands on it or its neighbour
    total, narrow = float(lengths.sum()), float(lengths[on].sum())
    if narrow <= 0 or total <= 0:
        return f"{what}: {places} {nozzle} may not print, e.g. at {where}"
    head = (f"{what}: {_share_text(narrow / total)} of the outline ({places}) is {nozzle} and may not print, "
            f"e.g. at {where}")
    widths = _widths(mask, thin, factor, width, mids[on]) / factor  # in the coarse grid's pixels
    weights = lengths[on]
    order = np.argsort(widths, kind="stable")
    cumulative = np.cumsum(weights[order]) / narrow
    # the narrowest width once the narrowest NARROW_IGNORED of the narrow outline is left aside
    low = float(widths[order][min(int(np.searchsorted(cumulative, NARROW_IGNORED, side="right")), order.size - 1)])
    low = max(low, 0.5)  # a place under half a pixel wide: as good as a hairline
    k = wc / low * (1.0 + NARROW_MARGIN)
    left = float(weights[widths < low].sum())
    proposed = math.ceil(fit.width_mm * k)
    grown = sorted(o + (k - 1.0) * d for o, d in zip(fit.overall_mm, fit.design_mm))
    if grown[0] > min(fit.build_mm) or grown[1] > max(fit.build_mm):
        bed = " x ".join(f"{v:g}" for v in fit.build_mm)
        return (f"{head}; it would take --width {proposed} mm (now {fit.width_mm:g}) to clear it, too big for the "
                f"{bed} mm build volume: make the thin parts bolder in the source image instead")
    if left <= 0:
        return f"{head}; at --width {proposed} mm (now {fit.width_mm:g}) it would all clear it"
    return (f"{head}; at --width {proposed} mm (now {fit.width_mm:g}) all but {_share_text(left / total)} of the "
            f"outline would clear it")


def _loose_pieces_warning(body: np.ndarray, to_mm, what: str) -> str | None:
    lab, areas = raster.label(body, eight=False)
    if areas.size <= 1:
        return None
    main = int(np.argmax(areas))
    loose = (lab >= 0) & (lab != main)
    return (f"{what}: {areas.size - 1} piece{'s are' if areas.size > 2 else ' is'} not attached to the main piece "
            f"and would fall out (add a base plate), e.g. at {_where(loose, to_mm)}")


# --- colour layers -----------------------------------------------------------------------------

def colour_layers(img: LoadedImage, n: int) -> tuple[np.ndarray, list[tuple[float, float, float, float]], int]:
    """(index image, colours, background index): the image quantised to ``n`` colours plus its background."""
    from PIL import Image

    rgba = img.rgba8.astype(np.float32) / 255.0
    alpha = rgba[..., 3:4]
    rgb = raster.over_white(rgba[..., :3], alpha)
    im = Image.fromarray(np.clip(rgb * 255 + 0.5, 0, 255).astype(np.uint8), "RGB")
    q = im.quantize(colors=n + 1, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    index = np.asarray(q).astype(np.int64)
    palette = np.array(q.getpalette()[: 3 * (n + 1)], dtype=np.float64).reshape(-1, 3) / 255.0
    if img.alpha is not None and (img.alpha < 0.5).any():
        transparent = img.alpha < 0.5
        background = int(np.bincount(index[transparent]).argmax())
    else:
        background = int(np.bincount(raster.border(index)).argmax())
    colours = [(float(r), float(g), float(b), 1.0) for r, g, b in palette]
    return index, colours, background


# --- the plan ----------------------------------------------------------------------------------

def plan_trace(img: LoadedImage, s: TraceSettings, progress=None, measure: bool = True) -> TracePlan:
    """Trace ``img`` into the parts of the chosen mode. Raises ImageToPrintError on bad input.

    ``measure`` adds the fidelity figures (pixel error, holes in the image and traced) to
    the stats: the rasterised outline compared with the traced bitmap.
    """
    validate(s)
    require_size(img, 2, "trace")
    require_length(img, s.width_mm, UNIT_MAX["mm"])
    t_start = time.perf_counter()

    def report(fraction: float, text: str) -> None:
        if progress is not None:
            progress(fraction, text)

    report(0.05, "binarising")
    pad_mm = _pad_mm(s)
    layers: list[tuple[np.ndarray, tuple[float, float, float, float], float]] = []
    if s.mode == "MULTI":
        index, colours, background = colour_layers(img, s.colours)
        ink_full = index != background
        if not ink_full.any():
            raise ImageToPrintError("nothing to trace: the image is a single colour")
        fake = LoadedImage(grey=(~ink_full).astype(np.float32), alpha=None, rgba8=img.rgba8, bits=8, path=img.path)
        frame = _working_frame(fake, TraceSettings(width_mm=s.width_mm, threshold=0.5), pad_mm)
        # each colour's share of a pixel, resampled like the frame; a pixel takes its largest share
        used = [c for c in range(len(colours)) if c != background and (index == c).any()]
        shares = np.stack([frame.resample((index == c).astype(np.float32)) for c in [background] + used])
        owner = np.argmax(shares, axis=0)
        lum = [raster.luma(np.asarray(colours[c])) for c in used]
        order = np.argsort(lum, kind="stable")  # darkest first, tallest
        for rank, i in enumerate(order):
            layers.append((owner == i + 1, colours[used[i]], s.height_mm * (len(order) - rank) / len(order)))
    else:
        frame = _working_frame(img, s, pad_mm)
    px_mm = frame.px_mm
    design = clean(frame.ink, s, px_mm)
    if layers:
        layers = [(clean(m, s, px_mm) & design, colour, h) for m, colour, h in layers]
        layers = [layer for layer in layers if layer[0].any()]
        design = np.zeros_like(design)
        for m, _, _ in layers:
            design |= m
    if not design.any():
        raise ImageToPrintError("nothing to trace: every piece is smaller than the speckle size")

    report(0.2, "shaping")
    # name, role, mask, z0, height, bevel, colour, grid factor (the mask's pixel is factor x px_mm)
    masks: list[tuple[str, str, np.ndarray, float, float, float, tuple, int]] = []
    warnings: list[str] = list(img.warnings)
    tonal = photo.tonal_share(img)
    if tonal > photo.PHOTO_SHARE and frame.how != "alpha":  # an opaque mask's outline is the design itself
        warnings.append(photo.photo_warning(img, s.width_mm, tonal))
    hole_centre = None
    base = s.base_mm
    # the design reaches into the base (past a rounded bottom edge too), so they overlap
    sink = min(max(SINK_MM, s.bevel_mm), base / 2) if base > 0 else 0.0
    grey = (0.8, 0.8, 0.8, 1.0)
    accent = (0.85, 0.25, 0.2, 1.0)
    body: np.ndarray | None = design
    if s.mode in ("PLATE", "KEYCHAIN", "MULTI", "STAMP"):
        if base > 0 or s.mode == "STAMP":
            # the plate needs no finer grid than a twelfth of its margin (or of the keyring ring)
            f = _factor(min(s.margin_mm, s.ring_mm if s.hole_mm > 0 else s.margin_mm) / px_mm)
            coarse = raster.downsample(design, f, cover=True)
            plate = _base_outline(coarse, s, px_mm * f)
            if s.hole_mm > 0 and s.mode != "STAMP":
                tab, hole, (cx, cy) = _tab(plate, s, px_mm * f)
                plate = (plate | tab) & ~hole
                hole_centre = (cx * f, cy * f)
                keep_clear = bitmap.disc(design.shape, cx * f, cy * f, (s.hole_mm + s.ring_mm) / 2 / px_mm)
                design = design & ~keep_clear
                layers = [(m & ~keep_clear, c, h) for m, c, h in layers]
            masks.append(("Base", "base", plate, 0.0, base, 0.0, grey, f))
            body = plate
        elif s.hole_mm > 0:
            tab, hole, hole_centre = _tab(design, s, px_mm)
            design = (design | tab) & ~hole
            body = design
        if layers:
            for i, (m, colour, h) in enumerate(layers):
                masks.append((f"Colour {i + 1}", "layer", m, base - sink, h + sink, s.bevel_mm, colour, 1))
        else:
            masks.append(("Design", "design", design, base - sink, s.height_mm + sink, s.bevel_mm, accent, 1))
    elif s.mode == "CUTTER":
        fb = _factor(s.wall_mm / px_mm)
        outline = raster.fill_holes(raster.downsample(design, fb))
        wall = s.wall_mm / px_mm / fb
        grown = bitmap.dilate(outline, wall)
        masks.append(("Blade", "blade", grown & ~outline, 0.0, s.height_mm, 0.0, accent, fb))
        if s.flange_mm > 0 or s.imprint:
            ff = _factor((s.wall_mm + s.flange_mm) / px_mm) if s.flange_mm > 0 else fb
            out_f = raster.fill_holes(raster.downsample(design, ff))
            reach = (s.wall_mm + s.flange_mm) / px_mm / ff
            flange = bitmap.dilate(out_f, reach)
            if not s.imprint:  # a ring overlapping half the wall; with an imprint, a web under it all
                flange &= ~bitmap.dilate(out_f, s.wall_mm / 2 / px_mm / ff)
            masks.append(("Flange", "flange", flange, 0.0, s.flange_thickness_mm, 0.0, grey, ff))
        if s.imprint:
            fine = raster.downsample(design, fb)
            counters = outline & ~fine
            imprint = bitmap.dilate(counters, wall) & ~counters & bitmap.erode(outline, wall)
            if imprint.any():
                ft = s.flange_thickness_mm
                masks.append(("Imprint", "imprint", imprint, ft - min(SINK_MM, ft / 2),
                              s.height_mm - s.imprint_depth_mm - ft + min(SINK_MM, ft / 2), 0.0, accent, fb))
        pieces = raster.label(outline, eight=False)[1].size
        if pieces > 1:
            warnings.append(f"the design has {pieces} separate outlines: each gets its own cutter wall")
        body = None

    report(0.3, "tracing")
    t_trace = time.perf_counter()
    traced: list[tuple[tuple, list[np.ndarray]]] = []
    for i, spec in enumerate(masks):
        factor = spec[7]
        traced.append((spec, [loop * factor for loop in trace_mask(spec[2], s)]))
        report(0.3 + 0.6 * (i + 1) / len(masks), "tracing")
    trace_seconds = time.perf_counter() - t_trace

    # scale: the design's traced outline is width_mm wide (a cutter's inner wall hugs the design)
    if s.mode == "CUTTER":
        ref_lo, ref_hi = _design_bounds(design)
    else:
        ref_loops = [loop for m, ls in traced if m[1] in ("design", "layer") for loop in ls]
        if not ref_loops:
            raise ImageToPrintError("nothing to trace: the design vanished after cleaning (lower the speckle size)")
        ref_lo, ref_hi = lp.bounds(ref_loops)
    scale = s.width_mm / float(ref_hi[0] - ref_lo[0])
    centre = (ref_lo + ref_hi) / 2.0
    mirror = s.mode == "STAMP"
    offset = (centre[0] * scale if mirror else -centre[0] * scale, centre[1] * scale)

    def to_mm(x: float, y: float) -> tuple[float, float]:
        xm = (x - centre[0]) * scale
        return (-xm if mirror else xm, -(y - centre[1]) * scale)

    parts = []
    for (name, role, _mask, z0, h, bevel, colour, _f), loops in traced:
        if not loops:
            continue
        mm = lp.transform(loops, scale, offset, flip_y=True, mirror_x=mirror)
        mm, _ = lp.orient(mm, y_up=True)
        parts.append(TracePart(name, role, mm, z0, h, bevel, colour))

    # printability warnings specific to tracing
    all_loops = [loop for _, ls in traced for loop in ls]
    if all_loops:
        lo_all, hi_all = lp.bounds(all_loops)
        build = CheckDefaults().build_volume_mm
        fit = _Fit(s.width_mm, (s.width_mm, float(ref_hi[1] - ref_lo[1]) * scale),
                   (float(hi_all[0] - lo_all[0]) * scale, float(hi_all[1] - lo_all[1]) * scale),
                   (float(build[0]), float(build[1])))
        for (name, role, mask, *_), loops in traced:
            if role in ("design", "layer"):
                w = _thin_warning(mask, loops, s, px_mm, to_mm, name, fit)
                if w:
                    warnings.append(w)
    if base <= 0 and s.mode in ("PLATE", "KEYCHAIN") and body is not None:
        w = _loose_pieces_warning(body, to_mm, "keychain" if s.mode == "KEYCHAIN" else "plate without a base")
        if w:
            warnings.append(w)

    # fidelity of the main trace at the working resolution
    main_mask, main_loops = next(((m[2], [loop / m[7] for loop in ls]) for m, ls in traced
                                  if m[1] in ("design", "layer", "blade")), (None, None))
    stats: dict = {
        "engine": s.engine.lower(),
        "binarise": frame.how,
        "pixel_mm": round(scale, 5),
        "working_pixels": [int(frame.ink.shape[1]), int(frame.ink.shape[0])],
        "upsampled": frame.upsample,
        "parts": len(parts),
        "loops": sum(len(p.loops) for p in parts),
        "segments": sum(lp.segment_count(p.loops) for p in parts),
        "trace_seconds": round(trace_seconds, 3),
        "tonal_percent": round(100.0 * tonal, 1),  # shading rather than flat colour (core.trace.photo)
    }
    if measure and main_mask is not None and main_loops:
        stats.update(fidelity(main_mask, main_loops))
    if hole_centre is not None:
        stats["hole_centre_mm"] = [round(v, 3) for v in to_mm(*hole_centre)]
    stats["seconds"] = round(time.perf_counter() - t_start, 3)
    report(1.0, "done")
    return TracePlan(parts, warnings, stats)


def _design_bounds(design: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = np.flatnonzero(design.any(axis=1))
    cols = np.flatnonzero(design.any(axis=0))
    return np.array([cols[0], rows[0]], float), np.array([cols[-1] + 1, rows[-1] + 1], float)


def fidelity(mask: np.ndarray, loops: list[np.ndarray]) -> dict:
    """How well the filled loops reproduce the mask they were traced from."""
    filled = lp.rasterize(loops, mask.shape)
    ink = int(mask.sum())
    wrong = int((filled != mask).sum())
    _, depth = lp.orient(loops, y_up=False)
    return {
        "ink_pixels": ink,
        "pixel_error_percent": round(100.0 * wrong / max(ink, 1), 3),
        "holes_in_image": raster.holes(mask)[1].size,
        "holes_traced": int((depth % 2 == 1).sum()),
    }


def preview_mask(img: LoadedImage, s: TraceSettings, max_side: int = 256) -> tuple[np.ndarray, str]:
    """(ink mask at most ``max_side`` pixels on a side, one line about it): the live preview."""
    signal, level, how = ink_signal(img, s)
    h, w = signal.shape
    f = max(1, math.ceil(max(h, w) / max_side))
    if f > 1:
        signal = raster.block_reduce(signal, f)
    ink = _binary(signal, level, s.invert)
    return ink, f"{how}; ink {100.0 * ink.mean():.0f}% of the image"
