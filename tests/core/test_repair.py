# SPDX-License-Identifier: GPL-3.0-or-later
"""core.repair: which elements a Make Printable pass removes."""

import numpy as np

from core.repair import interior_faces, loose_elements, small_shells


def test_loose_edges_and_vertices():
    edge_verts = np.array([[0, 1], [1, 2], [2, 0], [3, 4]])
    loop_edge = np.array([0, 1, 2])  # one triangle uses edges 0-2
    edges, verts = loose_elements(6, edge_verts, loop_edge)
    assert edges.tolist() == [3]
    assert verts.tolist() == [3, 4, 5]


def test_interior_face_has_every_edge_shared_three_ways():
    # face 0 uses edges 0,1,2 each used by three faces; face 1 has a normal edge 3
    loop_edge = np.array([0, 1, 2, 0, 1, 3, 2, 0, 1, 2])
    loop_start = np.array([0, 3, 6])
    loop_total = np.array([3, 3, 4])
    assert interior_faces(loop_start, loop_total, loop_edge, 4).tolist() == [0, 2]


def test_small_shells_keep_the_big_one_and_never_everything():
    tetra = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], float)
    tris = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [2, 0, 3]])
    edges = np.array([[0, 1], [1, 2], [2, 0], [0, 3], [1, 3], [2, 3]])
    co = np.vstack([tetra, tetra * 0.1 + 50])
    all_tris = np.vstack([tris, tris + 4])
    all_edges = np.vstack([edges, edges + 4])
    faces, count = small_shells(co, all_tris, np.arange(8), all_edges, 1.0)
    assert count == 1 and faces.tolist() == [4, 5, 6, 7]
    faces, count = small_shells(co, all_tris, np.arange(8), all_edges, 1e6)
    assert count == 0 and len(faces) == 0
