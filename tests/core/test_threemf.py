# SPDX-License-Identifier: GPL-3.0-or-later
"""core.threemf: a 3MF package in millimetres that reads back exactly."""

import zipfile

import numpy as np

from core.threemf import read_3mf, write_3mf


def test_round_trip_two_objects_in_millimetres(tmp_path):
    co = np.array([[0, 0, 0], [10.5, 0, 0], [0, 20.25, 0], [0, 0, 3.125]])
    tris = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [2, 0, 3]])
    path = tmp_path / "t.3mf"
    write_3mf(str(path), [("tetra <1> & \"quoted\"", co, tris), ("moved", co + 50, tris)])
    with zipfile.ZipFile(path) as zf:
        assert set(zf.namelist()) == {"[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model"}
    objects = read_3mf(str(path))
    assert [o["name"] for o in objects] == ["tetra <1> & \"quoted\"", "moved"]
    assert objects[0]["unit"] == "millimeter"
    np.testing.assert_allclose(objects[0]["vertices"], co)
    np.testing.assert_array_equal(objects[1]["triangles"], tris)
    np.testing.assert_allclose(objects[1]["vertices"], co + 50)
