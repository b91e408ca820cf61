# SPDX-License-Identifier: GPL-3.0-or-later
"""Exported files judged by the tools slicers and viewers trust.

admesh and PrusaSlicer (``prusa-slicer --info``) for STL, the Khronos glTF
Validator for GLB.  ``make test`` installs them (scripts/install-tools.sh);
a missing tool is a test failure, not a skip.
"""

import json
import os
import re
import shutil
import struct
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _tool(name):
    path = shutil.which(name)
    assert path, f"{name} is not installed: run `bash scripts/install-tools.sh`"
    return path


def admesh(stl_path) -> dict:
    # admesh can spin forever on a binary STL it mistakes for ASCII: always bounded.
    out = subprocess.run([_tool("admesh"), str(stl_path)], capture_output=True, text=True, check=True,
                         timeout=300).stdout

    def number(label):
        m = re.search(rf"{re.escape(label)}\s*:\s*(\d+)(?:\s+(\d+))?", out)
        assert m, f"admesh printed no '{label}':\n{out}"
        return int(m.group(1))

    return {
        "facets": number("Number of facets"),
        "disconnected_facets": number("Total disconnected facets"),
        "parts": number("Number of parts"),
        "degenerate_facets": number("Degenerate facets"),
        "backwards_edges": number("Backwards edges"),
        "facets_reversed": number("Facets reversed"),
        "volume": float(re.search(r"Volume\s*:\s*([-\d.]+)", out).group(1)),
        "size": [float(hi) - float(lo) for axis in "XYZ" for lo, hi in
                 re.findall(rf"Min {axis} =\s*([-\d.e+]+), Max {axis} =\s*([-\d.e+]+)", out)],
    }


def prusa_info(path) -> dict:
    out = subprocess.run([_tool("prusa-slicer"), "--info", str(path)], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    info = dict(re.findall(r"^(\w+)\s*=\s*(.+?)\s*$", out, re.M))
    assert "manifold" in info, f"prusa-slicer --info printed no 'manifold':\n{out}"
    return info


def gltf_validate(glb_path) -> dict:
    node = _tool("node")
    script = os.path.join(ROOT, "scripts", "gltf_validate.js")
    proc = subprocess.run([node, script, str(glb_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 2), f"glTF validator failed to run: {proc.stderr}"
    return json.loads(proc.stdout)


def glb_json(glb_path) -> dict:
    with open(glb_path, "rb") as fh:
        data = fh.read()
    magic, version, _length = struct.unpack_from("<4sII", data, 0)
    assert magic == b"glTF" and version == 2
    chunk_len, chunk_type = struct.unpack_from("<I4s", data, 12)
    assert chunk_type == b"JSON"
    return json.loads(data[20:20 + chunk_len])


def stl_triangles(stl_path) -> int:
    with open(stl_path, "rb") as fh:
        fh.seek(80)
        (count,) = struct.unpack("<I", fh.read(4))
    assert os.path.getsize(stl_path) == 84 + 50 * count, "not a binary STL of the stated size"
    return count


def lib3mf_package(path) -> dict:
    """What lib3mf itself (its plain Python API, strict mode) reads in a 3MF: its warnings, unit, objects
    (name, vertex and triangle counts) and the package parts of the relationships slicers' files use."""
    import lib3mf

    wrapper = lib3mf.get_wrapper()
    model = wrapper.CreateModel()
    reader = model.QueryReader("3mf")
    reader.SetStrictModeActive(True)
    reader.AddRelationToRead("http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail-custom")
    with open(path, "rb") as fh:
        reader.ReadFromBuffer(fh.read())
    objects = []
    meshes = model.GetMeshObjects()
    while meshes.MoveNext():
        mesh = meshes.GetCurrentMeshObject()
        objects.append({"name": mesh.GetName(), "vertices": mesh.GetVertexCount(),
                        "triangles": mesh.GetTriangleCount(), "manifold": mesh.IsManifoldAndOriented()})
    return {"warnings": [reader.GetWarning(i)[1] for i in range(reader.GetWarningCount())],
            "millimetres": model.GetUnit() == lib3mf.ModelUnit.MilliMeter, "objects": objects,
            "parts": sorted(model.GetAttachment(i).GetPath() for i in range(model.GetAttachmentCount()))}


def gcode_colour_changes(gcode: str) -> list[float]:
    """The heights (mm) at which PrusaSlicer's G-code changes colour: each M600 under its layer's ;Z:."""
    z, out = None, []
    for line in gcode.splitlines():
        if line.startswith(";Z:"):
            z = float(line[3:])
        elif line.split(";")[0].strip() == "M600":
            out.append(z)
    return out
