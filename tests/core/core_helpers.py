# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the ``core`` tests (made importable by conftest.py)."""

from __future__ import annotations

import numpy as np

from core import meshcheck
from core.image import LoadedImage
from core.relief import ReliefPlan
from core.settings import ReliefSettings

# --- images -------------------------------------------------------------------------------------

def srgb_decode(v):
    """sRGB -> linear light, written out independently of core.image (float64)."""
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def make_image(grey, alpha=None, path="<memory>") -> LoadedImage:
    """A decoded image straight from arrays (rows top to bottom), no file involved."""
    grey = np.ascontiguousarray(grey, dtype=np.float32)
    g8 = np.round(grey * 255).astype(np.uint8)
    a8 = np.full_like(g8, 255) if alpha is None else np.round(np.asarray(alpha) * 255).astype(np.uint8)
    rgba8 = np.dstack([g8, g8, g8, a8])
    if alpha is not None:
        alpha = np.ascontiguousarray(alpha, dtype=np.float32)
    return LoadedImage(grey=grey, alpha=alpha, rgba8=rgba8, bits=8, path=path)


def native(**overrides) -> ReliefSettings:
    """Settings that sample the image one vertex per pixel with no smoothing."""
    values = dict(native_resolution=True, smoothing=0.0)
    values.update(overrides)
    return ReliefSettings(**values)


def make_plan(t, *, spacing=1.0, base=1.0, depth=2.0, mask=None, curved=False, adaptive=False,
              max_error=0.02, origin=(0, 0), image_shape=None) -> ReliefPlan:
    """A ReliefPlan built by hand, to test the solid builder on exact inputs."""
    t = np.ascontiguousarray(t, dtype=np.float32)
    return ReliefPlan(t=t, vertex_mask=mask, spacing_mm=spacing, base_mm=base, depth_mm=depth,
                      curved=curved, adaptive=adaptive, max_error_mm=max_error, image_origin=origin,
                      image_shape=image_shape if image_shape is not None else t.shape)


# --- meshes -------------------------------------------------------------------------------------

def grid_positions(mesh, plan) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of every vertex, recovered from its height-texture UV (pixel centres)."""
    col = mesh.uv[:, 0] * plan.cols - 0.5
    row = plan.rows - 1 - (mesh.uv[:, 1] * plan.rows - 0.5)
    return np.rint(row).astype(np.int64), np.rint(col).astype(np.int64)


def displace(mesh, plan) -> np.ndarray:
    """The mesh coordinates after Blender's Displace modifier: top z = base + depth * t."""
    co = mesh.co.astype(np.float64).copy()
    row, col = grid_positions(mesh, plan)
    top = slice(0, mesh.top_count)
    co[top, 2] = plan.base_mm + plan.depth_mm * plan.t[row[top], col[top]].astype(np.float64)
    return co


def mesh_tris(mesh) -> np.ndarray:
    return meshcheck.fan_triangles(mesh.loop_vert, mesh.loop_start, mesh.loop_total)


def faces(mesh) -> list[np.ndarray]:
    return [mesh.loop_vert[s:s + k] for s, k in zip(mesh.loop_start, mesh.loop_total)]


def top_boundary_edges(mesh) -> list[tuple[int, int]]:
    """Directed boundary edges of the top surface (faces made only of top vertices)."""
    directed = set()
    for f in faces(mesh):
        if (f < mesh.top_count).all():
            for a, b in zip(f, np.roll(f, -1)):
                directed.add((int(a), int(b)))
    return [(a, b) for a, b in directed if (b, a) not in directed]


def boundary_loops(edges: list[tuple[int, int]]) -> int:
    """Number of closed loops formed by directed edges where each vertex has one outgoing edge."""
    nxt = dict(edges)
    seen: set[int] = set()
    loops = 0
    for start in nxt:
        if start in seen:
            continue
        loops += 1
        v = start
        while v not in seen:
            seen.add(v)
            v = nxt[v]
    return loops


def assert_closed_outward(mesh, plan) -> np.ndarray:
    """The displaced mesh is watertight, consistently wound and outward; returns its coordinates."""
    co = displace(mesh, plan)
    assert meshcheck.edge_counts(mesh.loop_vert, mesh.loop_start, mesh.loop_total) == (0, 0)
    assert meshcheck.signed_volume(co, mesh_tris(mesh)) > 0
    return co



def blender_tris(co, mesh) -> np.ndarray:
    """Triangles as Blender's tessellation makes them: a quad splits 0-2, or 1-3 when the 0-2 split's
    triangles face apart (its is_quad_flip test, in float32); other faces as fans."""
    tris = mesh_tris(mesh)
    quads = mesh.loop_total == 4
    starts = mesh.loop_start[quads]
    q = np.stack([mesh.loop_vert[starts + i] for i in range(4)], axis=1)
    p = co.astype(np.float32)[q]
    d12, d13, d14 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]
    flip = np.einsum("ij,ij->i", np.cross(d12, d13), np.cross(d14, d13)) > 0
    first_tri = np.concatenate([[0], np.cumsum(mesh.loop_total - 2)[:-1]])[quads]
    tris[first_tri[flip]] = q[flip][:, [0, 1, 3]]
    tris[first_tri[flip] + 1] = q[flip][:, [1, 2, 3]]
    return tris
