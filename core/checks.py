# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks on mesh arrays in millimetres (vectorised numpy, no bpy).

Same meanings as Blender's 3D-Print Toolbox where it has the check, so counts
agree on the same mesh and thresholds:

* degenerate faces: area <= threshold**2; degenerate edges: length <= threshold;
* non-planar faces: some corner's normal differs from the face normal by more
  than half the limit (the toolbox doubles the corner angle, default 5 degrees);
* sharp edges: manifold, convex edges whose faces meet with a signed angle
  between normals above the limit (default 160 degrees);
* overhang faces: normal within (90 - limit) degrees of straight down (default
  45); unlike the toolbox, faces resting on the bed are not counted.

Beyond the toolbox: shells (connected pieces), shells floating above the bed,
non-manifold (bow-tie) vertices, the build volume, first-layer contact area,
walls thinner than the nozzle ("narrow").  Self-intersections and wall
thickness need a BVH and are measured by the Blender adapter: thickness as the
distance from each face's centre straight inward to the far side of the wall,
one ray per face cast by Geometry Nodes in C (the toolbox casts six rays per
triangle in a Python loop).
"""

from __future__ import annotations

import numpy as np

from .graph import components
from .limits import CheckDefaults as Thresholds
from .meshcheck import cross, edge_flags, fan_triangles, measurements, next_loop, rows

__all__ = ["Thresholds", "full_report", "BLOCKING"]

BED_TOLERANCE_MM = 0.01
BLOCKING = ("non_manifold_edges", "bad_contiguous_edges", "intersecting_faces", "inside_out",
            "outside_build_volume", "floating_shells")


def unit_vectors(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, n, out=np.zeros_like(v), where=n > 0)


def face_normals(co: np.ndarray, loop_vert: np.ndarray, loop_start: np.ndarray, loop_total: np.ndarray):
    """Newell normals (unit) and areas of every face.  A triangle's Newell vector is the cross product of
    two sides and a quad's that of its diagonals, so those (nearly every face) skip the sum over corners."""
    lv = np.asarray(loop_vert, dtype=np.int64)
    ls = np.asarray(loop_start, dtype=np.int64)
    lt = np.asarray(loop_total)
    newell = np.empty((len(ls), 3))
    for k in (3, 4):
        faces = np.nonzero(lt == k)[0]
        if len(faces):
            c = [rows(co, lv[ls[faces] + i]) for i in range(k)]
            newell[faces] = cross(c[1] - c[0], c[2] - c[0]) if k == 3 else cross(c[2] - c[0], c[3] - c[1])
    big = np.nonzero(lt > 4)[0]
    if len(big):
        face = np.repeat(np.arange(len(ls)), lt)
        keep = (lt > 4)[face]
        p = rows(co, lv[keep])
        q = rows(co, lv[next_loop(ls, lt, len(lv))[keep]])
        terms = np.stack([(p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2]),
                          (p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0]),
                          (p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1])], axis=1)
        sums = np.stack([np.bincount(face[keep], weights=terms[:, k], minlength=len(ls)) for k in range(3)], axis=1)
        newell[big] = sums[big]
    area = 0.5 * np.linalg.norm(newell, axis=1)
    return unit_vectors(newell), area


def ray_samples(co: np.ndarray, tris: np.ndarray, tri_face: np.ndarray, n_faces: int):
    """Per face: the centroid of its first triangle and the inward unit direction there.

    The centroid of a triangle of the face's own tessellation lies on the surface, which
    the centre of a warped quad does not (a ray from there would hit its own face).
    """
    first = np.searchsorted(tri_face, np.arange(n_faces))
    first = np.minimum(first, len(tris) - 1)
    p = np.asarray(co, dtype=np.float64)[np.asarray(tris)[first]]
    normal = unit_vectors(cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]))
    return p.mean(axis=1), -normal


def group_reduce(ufunc, keys: np.ndarray, values: np.ndarray, n: int, empty: float) -> np.ndarray:
    """``ufunc.reduce`` of ``values`` per key 0..n-1 (sort + reduceat: much faster than ufunc.at)."""
    out = np.full(n, empty, dtype=np.float64)
    if len(keys) == 0:
        return out
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.nonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])[0]
    out[sorted_keys[starts]] = ufunc.reduceat(values[order], starts)
    return out


def _bent_corners(corner: np.ndarray, face_normal: np.ndarray, cos_limit: float) -> np.ndarray:
    """Corners whose normal (flipped to the face's side) is further than the limit from the face normal."""
    length = np.sqrt((corner * corner).sum(axis=1))
    cos = np.abs((corner * face_normal).sum(axis=1)) / np.maximum(length, 1e-300)
    return (length > 1e-12) & (cos < cos_limit)


def nonplanar_faces(co, loop_vert, loop_start, loop_total, normals, limit_deg: float) -> np.ndarray:
    """Indices of faces with a corner normal more than limit/2 from the face normal.

    Quads, the common case, are done face by face; larger polygons corner by corner.
    """
    lv = np.asarray(loop_vert, dtype=np.int64)
    ls = np.asarray(loop_start, dtype=np.int64)
    lt = np.asarray(loop_total)
    cos_limit = np.cos(np.radians(limit_deg) / 2.0)
    bad = []
    quads = np.nonzero(lt == 4)[0]
    if len(quads):
        p = [rows(co, lv[ls[quads] + i]) for i in range(4)]
        fno = rows(normals, quads)
        flagged = np.zeros(len(quads), bool)
        for i in range(4):
            here, before, after = p[i], p[(i - 1) % 4], p[(i + 1) % 4]
            flagged |= _bent_corners(cross(before - here, after - here), fno, cos_limit)
        bad.append(quads[flagged])
    big = lt > 4
    if big.any():
        face = np.repeat(np.arange(len(ls)), lt)
        nxt = next_loop(ls, lt, len(lv))
        prv = np.empty_like(nxt)
        prv[nxt] = np.arange(len(lv))
        keep = big[face]
        here = rows(co, lv[keep])
        corner = cross(rows(co, lv[prv[keep]]) - here, rows(co, lv[nxt[keep]]) - here)
        flagged = _bent_corners(corner, rows(normals, face[keep]), cos_limit)
        bad.append(np.unique(face[keep][flagged]))
    return np.unique(np.concatenate(bad)) if bad else np.zeros(0, np.int64)


def edges_and_faces(loop_vert, loop_start, loop_total, loop_edge=None, edge_verts=None):
    """(edge_verts (E,2), loop_edge (L,)) from Blender's tables or derived from the faces."""
    lv = np.asarray(loop_vert, dtype=np.int64)
    if loop_edge is not None and edge_verts is not None:
        return np.asarray(edge_verts, dtype=np.int64).reshape(-1, 2), np.asarray(loop_edge, dtype=np.int64)
    nv = lv[next_loop(loop_start, loop_total, len(lv))]
    lo, hi = np.minimum(lv, nv), np.maximum(lv, nv)
    key = lo * (int(max(lv.max(initial=0), nv.max(initial=0))) + 1) + hi
    uniq, inverse = np.unique(key, return_index=False, return_inverse=True)
    first = np.zeros(len(uniq), np.int64)
    first[inverse] = np.arange(len(lv))
    return np.stack([lo[first], hi[first]], axis=1), inverse


def _first_and_last_use(loop_edge: np.ndarray, n_edges: int) -> tuple[np.ndarray, np.ndarray]:
    """For every edge, the first and the last corner that walks it (no sorting)."""
    corners = np.arange(len(loop_edge))
    first = np.full(n_edges, -1, np.int64)
    last = np.full(n_edges, -1, np.int64)
    first[loop_edge[::-1]] = corners[::-1]  # with repeated indices the last write wins
    last[loop_edge] = corners
    return first, last


def sharp_edges(co, loop_vert, loop_start, loop_total, normals, loop_edge, n_edges, limit_deg: float) -> np.ndarray:
    """Manifold convex edges whose face normals differ by more than the limit."""
    lv = np.asarray(loop_vert, dtype=np.int64)
    nxt = next_loop(loop_start, loop_total, len(lv))
    face = np.repeat(np.arange(len(loop_start)), loop_total)
    uses = np.bincount(loop_edge, minlength=n_edges)
    first, last = _first_and_last_use(loop_edge, n_edges)
    manifold = np.nonzero(uses == 2)[0]
    l1, l2 = first[manifold], last[manifold]
    n1, n2 = rows(normals, face[l1]), rows(normals, face[l2])
    direction = rows(co, lv[nxt[l1]]) - rows(co, lv[l1])
    convex = np.einsum("ij,ij->i", direction, cross(n1, n2)) > 0
    # the signed angle between the normals (negative where concave) above the limit, compared as cosines
    return manifold[convex & (np.einsum("ij,ij->i", n1, n2) < np.cos(np.radians(limit_deg)))]


def nonmanifold_vertices(loop_vert, loop_start, loop_total, loop_edge, edge_verts) -> np.ndarray:
    """Vertices whose faces form more than one fan (bow-ties, touching cones).

    Each vertex's link graph has a node per (vertex, edge) end and one link per
    face corner (from the edge before the corner to the edge after it); a
    vertex is manifold when its nodes form one connected fan.
    """
    lv = np.asarray(loop_vert, dtype=np.int64)
    if len(lv) == 0:
        return np.zeros(0, np.int64)
    nxt = next_loop(loop_start, loop_total, len(lv))
    prv = np.empty_like(nxt)
    prv[nxt] = np.arange(len(lv))
    e_out, e_in = loop_edge, loop_edge[prv]
    node_out = 2 * e_out + (edge_verts[e_out, 0] != lv)
    node_in = 2 * e_in + (edge_verts[e_in, 0] != lv)
    label = components(2 * len(edge_verts), node_out, node_in)
    used = np.zeros(2 * len(edge_verts), bool)
    used[node_out] = True
    used[node_in] = True
    roots = np.nonzero(used & (label == np.arange(len(label))))[0]
    owner = edge_verts[roots // 2, roots % 2]
    fans = np.bincount(owner, minlength=int(edge_verts.max(initial=0)) + 1)
    return np.nonzero(fans > 1)[0]


def full_report(co, loop_vert, loop_start, loop_total, tris=None, thresholds: Thresholds | None = None,
                loop_edge=None, edge_verts=None, intersecting_faces=None, wall_mm=None,
                elements: dict | None = None) -> dict:
    """Every check with stable names, a verdict and the statistics (all mm).

    ``intersecting_faces``: indices of faces cutting other faces (the Blender
    adapter finds them with a BVH).  ``wall_mm``: per face, the distance
    straight inward to the other side of the wall (inf where nothing is hit).
    Either may be a function giving it, called once everything else is checked
    (the adapter measures both in threads meanwhile).
    ``elements``, when given, is filled with ``check -> (domain, indices)`` of the
    offending faces, edges or vertices, for selecting them (kept out of the report).
    """
    t = thresholds or Thresholds()
    co = np.asarray(co, dtype=np.float64)
    lv = np.asarray(loop_vert, dtype=np.int64)
    ls = np.asarray(loop_start, dtype=np.int64)
    lt = np.asarray(loop_total, dtype=np.int64)
    if tris is None:
        tris = fan_triangles(lv, ls, lt)
    edge_verts, loop_edge = edges_and_faces(lv, ls, lt, loop_edge, edge_verts)
    n_edges = len(edge_verts)
    non_manifold, bad_contiguous = edge_flags(lv, ls, lt, loop_edge=loop_edge, edge_v1=edge_verts[:, 0],
                                              n_edges=n_edges)
    normals, face_area = face_normals(co, lv, ls, lt)
    edge_len = np.linalg.norm(rows(co, edge_verts[:, 0]) - rows(co, edge_verts[:, 1]), axis=1)
    stats, volume = measurements(co, tris)
    lo = np.asarray(stats["bbox_min_mm"])

    bed = lo[2] if len(co) else 0.0
    face_max_z = np.maximum.reduceat(co[lv, 2], ls) if len(ls) else np.zeros(0)  # faces' corners are contiguous
    on_bed = (face_max_z <= bed + BED_TOLERANCE_MM) & (normals[:, 2] < 0)
    down = np.arccos(np.clip(-normals[:, 2], -1.0, 1.0))
    overhang = (face_area > 0) & (down < np.radians(90.0 - t.overhang_deg)) & ~on_bed

    shell_label = components(len(co), edge_verts[:, 0], edge_verts[:, 1])
    used = np.zeros(len(co), bool)
    used[lv] = True
    shell_ids = np.unique(shell_label[used])
    shell_min_z = group_reduce(np.minimum, shell_label[used], co[used, 2], len(co), np.inf)
    above = shell_min_z[shell_ids] - bed
    floating_mm = np.sort(above[above > BED_TOLERANCE_MM])[::-1]

    found = {
        "non_manifold_edges": ("EDGE", non_manifold),
        "bad_contiguous_edges": ("EDGE", bad_contiguous),
        "intersecting_faces": ("FACE", None),
        "zero_area_faces": ("FACE", np.nonzero(face_area <= t.zero_mm ** 2)[0]),
        "zero_length_edges": ("EDGE", np.nonzero(edge_len <= t.zero_mm)[0]),
        "non_planar_faces": ("FACE", nonplanar_faces(co, lv, ls, lt, normals, t.nonplanar_deg)),
        "sharp_edges": ("EDGE", sharp_edges(co, lv, ls, lt, normals, loop_edge, n_edges, t.sharp_deg)),
        "thin_faces": ("FACE", None),
        "narrow_faces": ("FACE", None),
        "overhang_faces": ("FACE", np.nonzero(overhang)[0]),
        "non_manifold_vertices": ("VERT", nonmanifold_vertices(lv, ls, lt, loop_edge, edge_verts)),
    }
    if callable(intersecting_faces):
        intersecting_faces = intersecting_faces()
    if callable(wall_mm):
        wall_mm = wall_mm()
    found["intersecting_faces"] = ("FACE", intersecting_faces)
    if wall_mm is not None:
        found["thin_faces"] = ("FACE", np.nonzero(wall_mm < t.min_thickness_mm)[0])
        found["narrow_faces"] = ("FACE", np.nonzero(wall_mm < t.nozzle_mm)[0])
    finite = bool(np.isfinite(co).all()) if len(co) else True
    report = assemble(stats, volume, len(ls), n_edges, found, len(shell_ids), len(floating_mm),
                      float(face_area[on_bed].sum()), t, finite, elements)
    if len(floating_mm):
        report["floating_mm"] = [round(float(h), 3) for h in floating_mm[:10]]
    return report


def advice(report: dict) -> list[str]:
    """One line a maker can act on for each blocking check the report has."""
    checks, lines = report["checks"], []
    if checks.get("floating_shells"):
        n, heights = checks["floating_shells"], report.get("floating_mm", [])
        where = f" ({', '.join(f'{h:g}' for h in heights[:3])} mm above the bed)" if heights else ""
        lines.append(f"{n} piece{'s' if n != 1 else ''} float{'' if n != 1 else 's'} above the bed{where}: nothing "
                     "holds {0} up while printing; move {0} down onto the bed, join {0} to the rest, or remove "
                     "{0} (Make Printable drops pieces under its minimum volume)".format("them" if n != 1 else "it"))
    if checks.get("outside_build_volume"):
        size, volume = report["bbox_mm"], report["thresholds"]["build_volume_mm"]
        scale = min(v / s for v, s in zip(volume, size) if s > 0)
        lines.append(f"{' x '.join(f'{s:g}' for s in size)} mm does not fit the {' x '.join(f'{v:g}' for v in volume)} "
                     f"mm build volume: scale it to {scale * 100:.0f}% or less, or split it")
    if checks.get("intersecting_faces"):
        lines.append(f"{checks['intersecting_faces']} faces cut through others: parts overlap without being joined; "
                     "Make Printable unions them")
    if checks.get("non_manifold_edges") or checks.get("bad_contiguous_edges"):
        lines.append("the surface has holes or flipped faces: Make Printable closes and re-orients it")
    return lines


ORDER = ("non_manifold_edges", "bad_contiguous_edges", "intersecting_faces", "zero_area_faces",
         "zero_length_edges", "non_planar_faces", "sharp_edges", "thin_faces", "narrow_faces", "overhang_faces",
         "shells", "floating_shells", "non_manifold_vertices", "inside_out", "outside_build_volume")


def assemble(stats: dict, volume: float, n_faces: int, n_edges: int, found: dict, shells: int, floating: int,
             first_layer_mm2: float, t: Thresholds, finite: bool, elements: dict | None = None) -> dict:
    """The report from what the checks found: ``found`` maps a check to (domain, offending indices or
    None when not measured).  One assembly for the generic checks and the height-field ones."""
    size = np.asarray(stats["bbox_mm"])
    checks: dict = {name: None if indices is None else int(len(indices)) for name, (_, indices) in found.items()}
    checks.update({
        "shells": int(shells),
        "floating_shells": int(floating),
        "inside_out": bool(volume <= 0.0),
        "outside_build_volume": bool(np.any(size > np.asarray(t.build_volume_mm) + 1e-6)),
    })
    checks = {name: checks[name] for name in ORDER}
    if elements is not None:
        elements.update({name: (domain, np.asarray(indices)) for name, (domain, indices) in found.items()
                         if indices is not None and len(indices)})
    blocking = [name for name in BLOCKING if checks[name]]
    if not finite:
        blocking.append("non_finite_coordinates")
    volume_mm3 = abs(volume)
    return {
        **stats,
        "faces": int(n_faces),
        "edges": int(n_edges),
        "volume_cm3": round(volume_mm3 / 1000.0, 4),
        "first_layer_area_mm2": round(first_layer_mm2, 3),
        "mass_g": round(volume_mm3 / 1000.0 * t.density_g_cm3, 3),
        "checks": checks,
        "thresholds": t.to_dict(),
        "blocking": blocking,
        "printable": not blocking,
    }

