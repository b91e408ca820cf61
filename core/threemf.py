# SPDX-License-Identifier: GPL-3.0-or-later
"""3MF through lib3mf (the 3MF Consortium's library, BSD-2-Clause): mesh objects in millimetres, plus
the package parts slicers read (their colour-change schedules).

lib3mf's Python binding is ctypes over its C ABI. Its ``SetGeometry`` copies every vertex into a ctypes
struct one by one (seconds for a million-vertex relief), so the geometry goes in and out through the same
C functions with numpy buffers; everything else uses the binding as it is.
"""

from __future__ import annotations

import ctypes

import numpy as np

from .errors import ImageToPrintError

# The relationship slicer parts hang from (lib3mf needs one; slicers find the parts by name).
ATTACHMENT_RELATION = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail-custom"


def _lib3mf():
    try:
        import lib3mf
    except ImportError:  # the extension bundles its wheel, core's requirements install it
        raise ImageToPrintError("lib3mf is not installed: it writes 3MF files (pip install lib3mf)") from None
    return lib3mf, lib3mf.get_wrapper()


def _set_geometry(lib3mf, wrapper, mesh, co: np.ndarray, tris: np.ndarray) -> None:
    co = np.require(co, np.float32, ["C", "W"])  # ctypes maps writable buffers only
    tris = np.require(tris, np.uint32, ["C", "W"])
    vertices = (lib3mf.Position * len(co)).from_buffer(co)
    triangles = (lib3mf.Triangle * len(tris)).from_buffer(tris)
    wrapper.checkError(mesh, wrapper.lib.lib3mf_meshobject_setgeometry(
        mesh._handle, ctypes.c_uint64(len(co)), vertices, ctypes.c_uint64(len(tris)), triangles))


def write_3mf(path: str, objects: list[tuple[str, np.ndarray, np.ndarray]],
              parts: dict[str, bytes] | None = None) -> None:
    """Write (name, vertices (N, 3) mm, triangles (M, 3)) objects, each a build item, and ``parts``
    (package path -> bytes, e.g. ``Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml``)."""
    lib3mf, wrapper = _lib3mf()
    model = wrapper.CreateModel()
    model.SetUnit(lib3mf.ModelUnit.MilliMeter)
    model.GetMetaDataGroup().AddMetaData("", "Application", "Image to Print", "xs:string", False)
    for name, co, tris in objects:
        mesh = model.AddMeshObject()
        mesh.SetName(name)
        _set_geometry(lib3mf, wrapper, mesh, co, tris)
        model.AddBuildItem(mesh, wrapper.GetIdentityTransform())
    for uri, data in (parts or {}).items():
        attachment = model.AddAttachment("/" + uri.lstrip("/"), ATTACHMENT_RELATION)
        attachment.ReadFromBuffer(data)
    # Through callbacks into a file Python opens: lib3mf's own file path handling is not Unicode-safe.
    failed: list[BaseException] = []
    with open(path, "wb") as fh:
        def write(address, size, _user):
            try:
                fh.write(ctypes.string_at(address, size))
            except BaseException as exc:  # ctypes cannot raise through C: keep it for after
                failed.append(exc)

        def seek(position, _user):
            try:
                fh.seek(position)
            except BaseException as exc:
                failed.append(exc)

        write_cb, seek_cb = lib3mf.WriteCallback(write), lib3mf.SeekCallback(seek)
        try:
            model.QueryWriter("3mf").WriteToCallback(write_cb, seek_cb, None)
        except lib3mf.ELib3MFException as exc:
            raise OSError(f"lib3mf could not write the file ({exc})") from None
    if failed:
        raise failed[0]


def read_3mf(path: str, strict: bool = True) -> dict:
    """A 3MF package as lib3mf reads it: {"objects": [{"name", "vertices", "triangles"}], "unit", "parts"
    (package path -> bytes), "warnings" (lib3mf's, in strict mode)}."""
    lib3mf, wrapper = _lib3mf()
    model = wrapper.CreateModel()
    reader = model.QueryReader("3mf")
    reader.SetStrictModeActive(strict)
    reader.AddRelationToRead(ATTACHMENT_RELATION)
    with open(path, "rb") as fh:  # read here: lib3mf's own file path handling is not Unicode-safe
        data = bytearray(fh.read())
    wrapper.checkError(reader, wrapper.lib.lib3mf_reader_readfrombuffer(
        reader._handle, ctypes.c_uint64(len(data)), (ctypes.c_uint8 * len(data)).from_buffer(data)))
    warnings = [reader.GetWarning(i)[1] for i in range(reader.GetWarningCount())]
    objects = []
    meshes = model.GetMeshObjects()
    while meshes.MoveNext():
        mesh = meshes.GetCurrentMeshObject()
        co = np.empty((mesh.GetVertexCount(), 3), np.float32)
        tris = np.empty((mesh.GetTriangleCount(), 3), np.uint32)
        need = ctypes.c_uint64(0)
        wrapper.checkError(mesh, wrapper.lib.lib3mf_meshobject_getvertices(
            mesh._handle, ctypes.c_uint64(len(co)), need, (lib3mf.Position * len(co)).from_buffer(co)))
        wrapper.checkError(mesh, wrapper.lib.lib3mf_meshobject_gettriangleindices(
            mesh._handle, ctypes.c_uint64(len(tris)), need, (lib3mf.Triangle * len(tris)).from_buffer(tris)))
        objects.append({"name": mesh.GetName(), "vertices": co.astype(np.float64),
                        "triangles": tris.astype(np.int64)})
    parts = {}
    for i in range(model.GetAttachmentCount()):
        attachment = model.GetAttachment(i)
        parts[attachment.GetPath().lstrip("/")] = bytes(attachment.WriteToBuffer())
    unit = {lib3mf.ModelUnit.MilliMeter: "millimeter"}.get(model.GetUnit(), str(model.GetUnit()))
    return {"objects": objects, "unit": unit, "parts": parts, "warnings": warnings}
