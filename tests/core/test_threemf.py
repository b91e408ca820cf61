# SPDX-License-Identifier: GPL-3.0-or-later
"""core.threemf: 3MF packages written and read by lib3mf, in millimetres, with slicer parts."""

import zipfile

import numpy as np
import pytest

from core.threemf import read_3mf, write_3mf

CO = np.array([[0, 0, 0], [10.5, 0, 0], [0, 20.25, 0], [0, 0, 3.125]])
TRIS = np.array([[0, 2, 1], [0, 1, 3], [1, 2, 3], [2, 0, 3]])


def test_round_trip_two_objects_in_millimetres_without_warnings(tmp_path):
    path = tmp_path / "t.3mf"
    write_3mf(str(path), [("tetra <1> & \"quoted\"", CO, TRIS), ("moved", CO + 50, TRIS)])
    package = read_3mf(str(path))
    assert package["warnings"] == [] and package["unit"] == "millimeter"
    objects = package["objects"]
    assert [o["name"] for o in objects] == ["tetra <1> & \"quoted\"", "moved"]
    np.testing.assert_allclose(objects[0]["vertices"], CO)
    np.testing.assert_array_equal(objects[1]["triangles"], TRIS)
    np.testing.assert_allclose(objects[1]["vertices"], CO + 50)
    with zipfile.ZipFile(path) as zf:
        model = zf.read("3D/3dmodel.model").decode()
    assert 'unit="millimeter"' in model and "Image to Print" in model


def test_slicer_parts_go_in_the_package_under_their_names(tmp_path):
    path = tmp_path / "p.3mf"
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n<custom_gcodes_per_print_z/>\n'
    write_3mf(str(path), [("t", CO, TRIS)], {"Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml": xml})
    with zipfile.ZipFile(path) as zf:
        assert zf.read("Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml") == xml
    assert read_3mf(str(path))["parts"] == {"Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml": xml}


def test_a_large_mesh_goes_through_the_bulk_path_exactly(tmp_path):
    n = 200_000
    co = np.random.default_rng(1).random((n, 3)).astype(np.float32) * 100
    i = np.arange(n - 2)
    tris = np.stack([i, i + 1, i + 2], axis=1)
    write_3mf(str(tmp_path / "b.3mf"), [("big", co, tris)])
    got = read_3mf(str(tmp_path / "b.3mf"))["objects"][0]
    np.testing.assert_array_equal(got["triangles"], tris)
    np.testing.assert_allclose(got["vertices"], co, atol=1e-5)  # lib3mf writes 6 decimals: 0.01 um


def test_an_unwritable_place_is_an_os_error_and_unicode_paths_work(tmp_path):
    with pytest.raises(OSError):
        write_3mf(str(tmp_path / "no" / "such" / "dir.3mf"), [("t", CO, TRIS)])
    path = tmp_path / "zürich ☃" / "é.3mf"
    path.parent.mkdir()
    write_3mf(str(path), [("t", CO, TRIS)])
    assert read_3mf(str(path))["objects"][0]["name"] == "t"
