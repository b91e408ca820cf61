# SPDX-License-Identifier: GPL-3.0-or-later
"""core.checks on meshes with known defects: exact counts."""

from __future__ import annotations

import numpy as np
import pytest

from core.checks import Thresholds, advice, full_report
from core.graph import components

CUBE_FACES = [[0, 3, 2, 1], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]


def cube(size=10.0, offset=(0.0, 0.0, 0.0)):
    co = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
                  float) * size + np.asarray(offset, float)
    return co, [list(f) for f in CUBE_FACES]


def arrays(co, faces):
    lv = np.array([v for f in faces for v in f])
    lt = np.array([len(f) for f in faces])
    ls = np.concatenate([[0], np.cumsum(lt)[:-1]])
    return np.asarray(co, float), lv, ls, lt


def join(*meshes):
    co, faces, base = [], [], 0
    for c, f in meshes:
        co.append(c)
        faces += [[v + base for v in face] for face in f]
        base += len(c)
    return np.vstack(co), faces


def report(co, faces, **kw):
    return full_report(*arrays(co, faces), **kw)


def test_closed_cube_passes_everything_and_measures_right():
    r = report(*cube())
    assert r["printable"] and r["blocking"] == []
    c = r["checks"]
    assert (c["non_manifold_edges"], c["bad_contiguous_edges"], c["zero_area_faces"], c["zero_length_edges"],
            c["non_planar_faces"], c["sharp_edges"], c["overhang_faces"], c["shells"], c["floating_shells"],
            c["non_manifold_vertices"], c["inside_out"], c["outside_build_volume"]) == (
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, False, False)
    assert r["volume_mm3"] == pytest.approx(1000.0)
    assert r["area_mm2"] == pytest.approx(600.0)
    assert r["first_layer_area_mm2"] == pytest.approx(100.0)
    assert r["mass_g"] == pytest.approx(1.24)
    assert r["triangles"] == 12 and r["faces"] == 6


def test_open_hole_gives_four_non_manifold_edges():
    co, faces = cube()
    r = report(co, faces[1:])
    assert r["checks"]["non_manifold_edges"] == 4
    assert "non_manifold_edges" in r["blocking"] and not r["printable"]


def test_one_flipped_face_gives_four_bad_contiguous_edges():
    co, faces = cube()
    faces[2] = faces[2][::-1]
    r = report(co, faces)
    assert r["checks"]["bad_contiguous_edges"] == 4 and r["checks"]["non_manifold_edges"] == 0


def test_inside_out_cube_is_blocking_although_the_toolbox_passes_it():
    co, faces = cube()
    r = report(co, [f[::-1] for f in faces])
    assert r["checks"]["inside_out"] is True and r["checks"]["bad_contiguous_edges"] == 0
    assert r["blocking"] == ["inside_out"]


def test_zero_area_face_and_zero_length_edge():
    co, faces = cube()
    co = np.vstack([co, co[4]])  # vertex 8 sits on vertex 4
    faces[1] = [4, 8, 5, 6, 7]  # top face with a zero-length edge 4-8
    faces[2] = [0, 1, 5, 8, 4]  # side face passing through the doubled vertex
    r = report(co, faces, thresholds=Thresholds(zero_mm=0.001))
    assert r["checks"]["zero_length_edges"] == 1
    sliver = np.array([[0, 0, 0], [10, 0, 0], [20, 0, 0]], float)  # collinear: zero area
    r2 = full_report(sliver, np.array([0, 1, 2]), np.array([0]), np.array([3]))
    assert r2["checks"]["zero_area_faces"] == 1


def test_bow_tie_vertex_between_two_cubes():
    a_co, a_faces = cube()
    b_co, b_faces = cube(offset=(10, 10, 10))
    co, faces = join((a_co, a_faces), (b_co, b_faces))
    # weld b's corner 0 onto a's corner 6: one shared vertex, two fans
    faces = [[6 if v == 8 else v for v in f] for f in faces]
    r = report(co, faces)
    assert r["checks"]["non_manifold_vertices"] == 1
    assert r["checks"]["non_manifold_edges"] == 0
    assert r["checks"]["shells"] == 1


def test_floating_shell_and_overhang_off_the_bed():
    co, faces = join(cube(), cube(offset=(0, 0, 20)))
    r = report(co, faces)
    assert r["checks"]["shells"] == 2
    assert r["checks"]["floating_shells"] == 1
    assert r["checks"]["overhang_faces"] == 1  # the floating cube's bottom; the bed face is not counted
    # a piece in the air cannot print: it blocks, the report says how high, the advice what to do
    assert r["blocking"] == ["floating_shells"] and not r["printable"]
    assert r["floating_mm"] == [20.0]
    assert advice(r) == ["1 piece floats above the bed (20 mm above the bed): nothing holds it up while printing; "
                         "move it down onto the bed, join it to the rest, or remove it (Make Printable drops pieces "
                         "under its minimum volume)"]
    assert advice(report(*cube())) == []


def test_non_planar_quad_with_the_toolbox_default():
    co = np.array([[0, 0, 0], [10, 0, 0], [10, 10, 1.0], [0, 10, 0]], float)
    lv, ls, lt = np.array([0, 1, 2, 3]), np.array([0]), np.array([4])
    bent = full_report(co, lv, ls, lt, thresholds=Thresholds(nonplanar_deg=5.0))
    assert bent["checks"]["non_planar_faces"] == 1
    loose = full_report(co, lv, ls, lt, thresholds=Thresholds(nonplanar_deg=30.0))
    assert loose["checks"]["non_planar_faces"] == 0


def test_sharp_edges_of_a_thin_wedge():
    # a wedge whose ridge faces meet at 10 degrees: the ridge is a knife edge (normals 170 apart)
    h = 10.0 / np.tan(np.radians(5))
    co = np.array([[0, -10, 0], [0, 10, 0], [20, 10, 0], [20, -10, 0], [0, 0, h], [20, 0, h]], float)
    faces = [[0, 1, 2, 3], [0, 3, 5, 4], [1, 4, 5, 2], [0, 4, 1], [3, 2, 5]]
    r = report(co, faces)
    assert r["checks"]["non_manifold_edges"] == 0 and r["checks"]["bad_contiguous_edges"] == 0
    assert r["checks"]["sharp_edges"] == 1


def test_build_volume():
    co, faces = cube(size=300.0)
    r = report(co, faces)
    assert r["checks"]["outside_build_volume"] is True and "outside_build_volume" in r["blocking"]
    r = report(co, faces, thresholds=Thresholds(build_volume_mm=(350.0, 350.0, 350.0)))
    assert r["printable"]


def test_components_labels_chains_and_islands():
    label = components(6, np.array([0, 1, 4]), np.array([1, 2, 5]))
    assert label.tolist() == [0, 0, 0, 3, 4, 4]


def test_non_planar_pentagon_and_flat_hexagon():
    bent = np.array([[0, 0, 0], [10, 0, 0], [12, 8, 2.0], [5, 12, 0], [-2, 8, 0]], float)
    flat = np.array([[20, 0, 0], [30, 0, 0], [34, 6, 0], [30, 12, 0], [20, 12, 0], [16, 6, 0]], float)
    co = np.vstack([bent, flat])
    lv = np.arange(11)
    r = full_report(co, lv, np.array([0, 5]), np.array([5, 6]), thresholds=Thresholds(nonplanar_deg=5.0))
    assert r["checks"]["non_planar_faces"] == 1
