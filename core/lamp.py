# SPDX-License-Identifier: GPL-3.0-or-later
"""Cylinder and sphere lampshades: a relief plan on a surface of revolution, as a closed shell (mm).

``core.relief`` plans a shade (its height field ``t`` and the :class:`LampProfile` here); this module
lays it out and builds it.

The plan's ``t`` is the image unrolled: column j lies at angle ``theta_j`` round the Z axis (increasing
anticlockwise seen from above, so the image reads the right way round from outside, its middle facing -Y,
the seam at +Y), row k runs down the shade. The shell is one cross-section profile swept round the axis:
the outside skin's rows, top to bottom (vertices ``[0, top_count)``, at the base thickness), then the
inside, bottom to top. Blender's Displace modifier (RGB to XYZ) moves each outside vertex by
``depth * t`` along its own direction, which the height texture carries as ``t * direction``: the shade
stays live and every wall is between the base and base + depth thick.

Rings near a sphere's pole have fewer vertices (halved, with one row of transition triangles each time),
so its faces stay about the sample spacing wide instead of narrowing to slivers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ImageToPrintError
from .gridmesh import SolidMesh, polys
from .settings import ReliefSettings

__all__ = ["LampProfile", "build_lamp", "layout", "estimate", "spacing"]


@dataclass
class LampProfile:
    """The cross-section of a shade in the (r, z) half-plane, mm, z = 0 on the bed."""

    outer: np.ndarray  # (n, 2) the outside skin's rows at the base thickness, top to bottom (r = 0: the pole)
    normal: np.ndarray  # (n, 2) the unit direction each outside row moves as it gets thicker
    inner: np.ndarray  # (m, 2) the inside, bottom to top, ending at the pole or (cylinder) back at the top
    closed: bool  # True: the profile closes back to outer[0] (cylinder); False: it runs pole to pole (sphere)
    image_rows: tuple[int, int]  # [first, last) outside rows that carry the image (the rest: rims, pole)


def _radii(s: ReliefSettings, base: float, depth: float) -> tuple[float, float]:
    """(inner radius, base radius of the outside skin) from the outside diameter at the thickest."""
    r_in = s.diameter_mm / 2 - (base + depth)
    if r_in < 2 * (base + depth):
        raise ImageToPrintError(f"a {s.diameter_mm:g} mm {s.shape.lower()} is too small for {base + depth:g} mm "
                                f"walls: use a diameter of at least {6 * (base + depth):g} mm")
    return r_in, r_in + base


def layout(image_w: int, image_h: int, s: ReliefSettings, base: float, depth: float
           ) -> tuple[LampProfile, int, int]:
    """(profile, image rows, columns round) of a shade for an image of this size, with walls from ``base``
    to ``base + depth`` thick."""
    r_in, r_base = _radii(s, base, depth)
    r_mid = r_base + depth / 2  # the image's proportions are kept half way up the relief
    cols = image_w if s.native_resolution else max(int(round(2 * math.pi * r_mid / s.sample_mm)), 16)
    if s.shape == "CYLINDER":
        profile, ny = _cylinder(image_w, image_h, s, r_in, r_base, r_mid, cols)
        return profile, ny, cols
    return _sphere(s, r_in, r_base, r_mid, depth, cols)


def spacing(s: ReliefSettings, depth: float, cols: int) -> float:
    """The distance between columns half way up the relief."""
    return 2 * math.pi * (s.diameter_mm / 2 - depth / 2) / cols


def estimate(image_w: int, image_h: int, s: ReliefSettings, base: float, depth: float) -> dict:
    """Size, triangle count and STL size of a shade before building (for the panel read-out)."""
    profile, _ny, cols = layout(image_w, image_h, s, base, depth)
    pole, _step, ring = _rings(profile, cols)
    a, b = ring, np.roll(ring, -1)
    bands = np.where(pole | np.roll(pole, -1), np.maximum(a, b), np.where(a == b, 2 * a, 3 * np.minimum(a, b)))
    tris = int(bands.sum() if profile.closed else bands[:-1].sum())
    top = float(profile.outer[0, 1] + (0 if profile.closed else depth))
    return {
        "size_mm": [float(s.diameter_mm), float(s.diameter_mm), top],
        "samples": [cols, len(profile.outer)],
        "spacing_mm": spacing(s, depth, cols),
        "triangles": tris,
        "stl_bytes": 84 + 50 * tris,
    }


def _rows(length: float, spacing: float, least: int) -> tuple[int, float]:
    n = max(int(round(length / spacing)) + 1, least)
    return n, length / (n - 1)


def _cylinder(image_w, image_h, s, r_in, r_base, r_mid, cols) -> tuple[LampProfile, int]:
    circumference = 2 * math.pi * r_mid
    rim = float(s.rim_mm)
    height = s.height_mm if s.height_mm > 0 else circumference * image_h / image_w + 2 * rim
    n, dz = _rows(height, circumference / cols, 3)
    nr = max(int(round(rim / dz)), 1) if rim > 0 else 0
    ny = n - 2 * nr
    if ny < 2:
        raise ImageToPrintError(f"{rim:g} mm rims leave no room for the image on a {height:g} mm tall cylinder")
    z = (n - 1 - np.arange(n)) * dz
    outer = np.stack([np.full(n, r_base), z], axis=1)
    normal = np.tile([1.0, 0.0], (n, 1))
    rising = z[::-1]
    if s.lip_diameter_mm > 0:
        r_lip = s.lip_diameter_mm / 2
        if r_lip > r_in - 1.0:
            raise ImageToPrintError(f"an LED lip of {s.lip_diameter_mm:g} mm inner diameter needs an inside "
                                    f"diameter of at least {s.lip_diameter_mm + 2:g} mm; this cylinder's is "
                                    f"{2 * r_in:.1f} mm")
        k = min(max(int(round(s.lip_height_mm / dz)), 1), n - 2)  # the ledge's top on a row of the skin
        inner = np.concatenate([[[r_lip, 0.0], [r_lip, rising[k]]],
                                np.stack([np.full(n - k, r_in), rising[k:]], axis=1)])
    else:
        inner = np.stack([np.full(n, r_in), rising], axis=1)
    return LampProfile(outer, normal, inner, True, (nr, nr + ny)), ny


def _sphere(s, r_in, r_base, r_mid, depth, cols) -> tuple[LampProfile, int, int]:
    r_open = s.opening_mm / 2
    if r_open > r_in - 1.0:
        raise ImageToPrintError(f"a {s.opening_mm:g} mm opening needs an inside diameter of at least "
                                f"{s.opening_mm + 2:g} mm; this sphere's is {2 * r_in:.1f} mm")
    z_cut = -math.sqrt(r_in * r_in - r_open * r_open)
    # Every outside row thickens along its radius, so rows never cross; the lowest row's radius meets the
    # cut where it is thickest, and the stand band below the image is always thickest: the ring is flat.
    lat_out = math.asin(z_cut / (r_base + depth))
    lat_in = math.asin(z_cut / r_in)
    n, step = _rows(r_mid * (math.pi / 2 - lat_out), s.sample_mm, 6)
    nr = max(int(round(s.rim_mm / step)), 1)  # at least the ring itself
    ny = n - 1 - nr  # row 0 is the pole
    if ny < 2:
        raise ImageToPrintError(f"a {s.rim_mm:g} mm band round the opening leaves no room for the image")
    lat = math.pi / 2 - np.arange(n) * (math.pi / 2 - lat_out) / (n - 1)
    outer = r_base * np.stack([np.cos(lat), np.sin(lat)], axis=1)
    normal = np.stack([np.cos(lat), np.sin(lat)], axis=1)
    outer[0] = (0.0, r_base)
    normal[0] = (0.0, 1.0)
    lat_i = lat_in + np.arange(n) * (math.pi / 2 - lat_in) / (n - 1)
    inner = r_in * np.stack([np.cos(lat_i), np.sin(lat_i)], axis=1)
    inner[0] = (r_open, z_cut)
    inner[-1] = (0.0, r_in)
    outer[:, 1] -= z_cut
    inner[:, 1] -= z_cut
    # Rings halve towards the pole: the column count must divide down that far.
    halvings = _halvings(np.concatenate([outer[:, 0], inner[:, 0]]), max(outer[:, 0].max(), 1e-9))
    q = 1 << int(halvings.max(initial=0))
    cols = max(-(-cols // q) * q, 2 * q)
    profile = LampProfile(outer, normal, inner, False, (1, 1 + ny))
    return profile, ny, cols


def _halvings(radius: np.ndarray, r_max: float) -> np.ndarray:
    """How many times each ring's column count is halved, so that its vertices stay about as far apart as
    the widest ring's (poles, r = 0: none; :func:`_rings` then keeps neighbours within one halving)."""
    r = np.maximum(radius, 1e-12)
    h = np.floor(np.log2(r_max / r) + 1e-9).clip(0, 30).astype(np.int64)
    h[radius <= 0] = 0
    return h


def build_lamp(plan) -> SolidMesh:
    """The closed, outward-facing base shell of a lamp plan, with the Displace texture's ``t * direction``
    (``height_rgb``) and per-corner UVs (the texture wraps round at the seam)."""
    prof = plan.lamp
    assert isinstance(prof, LampProfile)
    cols = plan.cols
    n = len(prof.outer)
    points = np.concatenate([prof.outer, prof.inner])  # (K, 2)
    count = len(points)
    pole, step, ring = _rings(prof, cols)
    start = np.concatenate([[0], np.cumsum(ring)[:-1]])
    theta = 2 * math.pi * np.arange(cols) / cols + math.pi / 2  # column 0 (the seam) at +Y

    co = np.empty((int(ring.sum()), 3), np.float32)
    for k in range(count):
        r, z = points[k]
        j = np.arange(ring[k]) * step[k]
        co[start[k]:start[k] + ring[k]] = np.stack([r * np.cos(theta[j]), r * np.sin(theta[j]),
                                                    np.full(ring[k], z)], axis=1)
    top_count = int(start[n]) if n < count else len(co)

    # Faces: (profile row, unwrapped column) at each corner, so the UVs can wrap at the seam.
    quads: list[np.ndarray] = []
    tris: list[np.ndarray] = []
    bands = range(count if prof.closed else count - 1)
    for a in bands:
        b = (a + 1) % count
        quads_ab, tris_ab = _band(a, b, pole[a], pole[b], step[a], step[b], cols)
        quads.append(quads_ab)
        tris.append(tris_ab)
    q = np.concatenate(quads) if quads else np.empty((0, 4, 2), np.int64)
    tr = np.concatenate(tris) if tris else np.empty((0, 3, 2), np.int64)

    def vid(corners: np.ndarray) -> np.ndarray:
        k, jj = corners[..., 0], corners[..., 1]
        return np.where(pole[k], start[k], start[k] + (jj % cols) // step[k])

    loop_vert, loop_start, loop_total = polys((vid(q), 4), (vid(tr), 3))
    corners = np.concatenate([q.reshape(-1, 2), tr.reshape(-1, 2)])
    k, jj = corners[:, 0], corners[:, 1]
    outside = k < n
    u = (np.where(pole[k], 0, jj) + 0.5) / cols  # a pole is one vertex: all its corners on one texel
    v = np.where(outside, (n - 1 - np.minimum(k, n - 1) + 0.5) / n, 0.5 / n)
    loop_uv = np.stack([u, v], axis=1).astype(np.float32)
    first, last = prof.image_rows
    z_lo, z_hi = prof.outer[last - 1, 1], prof.outer[first, 1]
    image_row = np.where(outside, np.clip(k - first, 0, last - first - 1),
                         np.clip((z_hi - points[k, 1]) / max(z_hi - z_lo, 1e-9), 0, 1) * (last - first - 1))
    cu = 1.0 - u if plan.mirrored else u  # the colours follow the mirrored relief
    color = np.stack([cu, 1.0 - (image_row + 0.5) / (last - first)], axis=1).astype(np.float32)

    dirs = np.empty((n, cols, 3), np.float32)
    dirs[..., 0] = prof.normal[:, None, 0] * np.cos(theta)[None, :]
    dirs[..., 1] = prof.normal[:, None, 0] * np.sin(theta)[None, :]
    dirs[..., 2] = prof.normal[:, None, 1]
    height_rgb = plan.t[..., None] * dirs

    uv = np.zeros((len(co), 2), np.float32)  # per vertex: its own texel (what Displace reads), from its corners
    uv[loop_vert] = loop_uv
    uv[:, 0] %= 1.0
    return SolidMesh(co=co, loop_vert=loop_vert, loop_start=loop_start, loop_total=loop_total, uv=uv,
                     uv_color=None, top_count=top_count, loop_uv=loop_uv, loop_uv_color=color,
                     height_rgb=height_rgb)


def _rings(prof: LampProfile, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each profile point: whether it is a pole, the columns between its ring's vertices, and how many
    vertices its ring has."""
    points = np.concatenate([prof.outer, prof.inner])
    pole = points[:, 0] <= 0
    halve = np.zeros(len(points), np.int64)
    if not prof.closed:
        halve = _halvings(points[:, 0], float(prof.outer[:, 0].max()))
        while True:  # neighbouring rings differ by one halving at most (a pole fans to any ring)
            seen = np.where(pole, 99, halve)
            fixed = np.minimum(halve, np.minimum(np.r_[seen[1:], 99], np.r_[99, seen[:-1]]) + 1)
            if (fixed == halve).all():
                break
            halve = fixed
    step = np.where(pole, cols, 1 << halve)
    return pole, step, np.where(pole, 1, cols // step)


def _corners(*corner: tuple[int, np.ndarray]) -> np.ndarray:
    """(F, k, 2) faces from k corners, each (profile row, unwrapped columns of the F faces)."""
    return np.stack([np.stack([np.full_like(cols, row), cols], axis=1) for row, cols in corner], axis=1)


def _band(a: int, b: int, pole_a: bool, pole_b: bool, step_a: int, step_b: int, cols: int):
    """The faces between profile rows a and b, as (row, unwrapped column) corners, winding outward for a
    profile that runs down the outside and up the inside (along the profile x round the axis)."""
    none4, none3 = np.empty((0, 4, 2), np.int64), np.empty((0, 3, 2), np.int64)
    if pole_a and pole_b:
        return none4, none3
    if pole_a or pole_b:  # a fan round the pole
        s = step_b if pole_a else step_a
        j = np.arange(0, cols, s)
        if pole_a:
            return none4, _corners((a, j), (b, j), (b, j + s))
        return none4, _corners((a, j), (b, j), (a, j + s))
    if step_a == step_b:
        j = np.arange(0, cols, step_a)
        return _corners((a, j), (b, j), (b, j + step_a), (a, j + step_a)), none3
    # One row has half the vertices: per coarse segment, two fine segments meet it in three triangles.
    s = max(step_a, step_b)
    h = s // 2
    j = np.arange(0, cols, s)
    if step_a > step_b:  # the coarse row first
        tris = [((a, j), (b, j), (b, j + h)), ((a, j), (b, j + h), (a, j + s)),
                ((a, j + s), (b, j + h), (b, j + s))]
    else:
        tris = [((a, j), (b, j), (a, j + h)), ((a, j + h), (b, j), (b, j + s)),
                ((a, j + h), (b, j + s), (a, j + s))]
    return none4, np.concatenate([_corners(*t) for t in tris])
