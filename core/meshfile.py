# SPDX-License-Identifier: GPL-3.0-or-later
"""Foreign mesh files checked before Blender's importers see them.

Blender's PLY importer aborts the whole process on a malformed header, and its glTF
importer allocates whatever a file declares. :func:`precheck` reads only headers and
sizes: the counts a file declares must fit in the bytes it has. It returns the number of
triangles the file declares (for the work limit) or raises one line saying what is wrong.
"""

from __future__ import annotations

import json
import os
import struct

from .errors import ImageToPrintError

PLY_TYPES = {"char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2, "int16": 2, "uint16": 2,
             "int": 4, "uint": 4, "int32": 4, "uint32": 4, "float": 4, "float32": 4, "double": 8, "float64": 8}
GLTF_COMPONENTS = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
GLTF_TYPES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
MAX_COUNT = 2**31 - 1


def precheck(path: str) -> int:
    """The triangles ``path`` declares; ImageToPrintError when the file cannot be what it says."""
    ext = os.path.splitext(path)[1].lower()
    size = os.path.getsize(path)
    name = os.path.basename(path)
    with open(path, "rb") as fh:
        if ext == ".stl":
            return _stl(fh, size, name)
        if ext == ".ply":
            return _ply(fh, size, name)
        if ext == ".glb":
            return _glb(fh, size, name)
        if ext == ".gltf":
            return _gltf(fh, path, name)
        if ext == ".obj":
            return _obj(fh, size, name)
    return 0


def _bad(name: str, why: str) -> ImageToPrintError:
    return ImageToPrintError(f"cannot read {name}: {why}")


def _stl(fh, size: int, name: str) -> int:
    head = fh.read(84)
    if len(head) >= 84:
        (count,) = struct.unpack_from("<I", head, 80)
        if size == 84 + 50 * count:
            return count
    start = head.lstrip()[:5].lower()
    fh.seek(0)
    sample = fh.read(4096)
    if start == b"solid" and b"\0" not in sample:
        return _count(fh, b"endfacet") or _count(fh, b"ENDFACET")  # the estimate for the work limit
    if len(head) < 84:
        raise _bad(name, f"{size} bytes is too short for an STL")
    (count,) = struct.unpack_from("<I", head, 80)
    raise _bad(name, f"a binary STL of {count:,} triangles needs {84 + 50 * count:,} bytes, the file has {size:,} "
                     "(truncated or not an STL)")


def _ply(fh, size: int, name: str) -> int:
    header = b""
    while b"end_header" not in header:
        chunk = fh.read(4096)
        if not chunk or len(header) > 1 << 16:
            raise _bad(name, "no end_header in the PLY header")
        header += chunk
    end = header.index(b"end_header")
    nl = header.find(b"\n", end)
    body = size - (nl + 1 if nl >= 0 else len(header))
    try:
        lines = header[:end].decode("ascii").splitlines()
    except UnicodeDecodeError:
        raise _bad(name, "the PLY header is not text") from None
    if not lines or lines[0].strip() != "ply":
        raise _bad(name, "not a PLY file (no 'ply' line)")
    fmt = None
    elements: list[list] = []  # [name, count, fixed bytes, list (count size, item size) or None]
    for number, line in enumerate(lines[1:], start=2):
        words = line.split()
        if not words or words[0] in ("comment", "obj_info"):
            continue
        if words[0] == "format":
            if len(words) < 2 or words[1] not in ("ascii", "binary_little_endian", "binary_big_endian"):
                raise _bad(name, f"unknown PLY format on header line {number}: {line.strip()}")
            fmt = words[1]
        elif words[0] == "element":
            if len(words) != 3 or not words[2].isdigit() or int(words[2]) > MAX_COUNT:
                raise _bad(name, f"bad element count on PLY header line {number}: {line.strip()}")
            elements.append([words[1], int(words[2]), 0, []])
        elif words[0] == "property":
            if not elements:
                raise _bad(name, f"a property before any element on PLY header line {number}")
            if len(words) == 5 and words[1] == "list" and words[2] in PLY_TYPES and words[3] in PLY_TYPES:
                elements[-1][3].append((PLY_TYPES[words[2]], PLY_TYPES[words[3]]))
            elif len(words) == 3 and words[1] in PLY_TYPES:
                elements[-1][2] += PLY_TYPES[words[1]]
            else:
                raise _bad(name, f"bad property on PLY header line {number}: {line.strip()}")
        else:
            raise _bad(name, f"unknown PLY header line {number}: {line.strip()}")
    if fmt is None:
        raise _bad(name, "the PLY header has no format line")
    if fmt == "ascii":
        need = sum(e[1] for e in elements)  # at least one line per element
        fh.seek(size - body)
        have = 0
        while have < need:
            chunk = fh.read(1 << 22)
            if not chunk:
                break
            have += chunk.count(b"\n")
        if have + 1 < need:
            raise _bad(name, f"the PLY header declares {need:,} rows, the file has {have:,} lines")
    else:
        # every list holds at least its count; a face at least three corners
        need = sum(e[1] * (e[2] + sum(c + (3 * i if e[0] == "face" else 0) for c, i in e[3])) for e in elements)
        if need > body:
            raise _bad(name, f"the PLY header declares {need:,} bytes of data, the file has {body:,}")
    return next((e[1] for e in elements if e[0] == "face"), 0)


def _obj(fh, size: int, name: str) -> int:
    sample = fh.read(4096)
    if b"\0" in sample:
        raise _bad(name, "not a text OBJ file")
    return _count(fh, b"\nf ") + (1 if sample.startswith(b"f ") else 0)


def _count(fh, needle: bytes) -> int:
    """How often ``needle`` occurs in the file, read in 4 MB chunks (never the whole file at once)."""
    fh.seek(0)
    found, carry = 0, b""
    while True:
        chunk = fh.read(1 << 22)
        if not chunk:
            return found
        data = carry + chunk
        found += data.count(needle)
        carry = data[-(len(needle) - 1):]


def _gltf_document(doc, name: str, buffer_sizes: list[int]) -> int:
    if not isinstance(doc, dict):
        raise _bad(name, "the glTF JSON is not an object")
    buffers = doc.get("buffers", [])
    views = doc.get("bufferViews", [])
    try:
        declared = [int(b.get("byteLength", 0)) for b in buffers]
        for i, (want, have) in enumerate(zip(declared, buffer_sizes)):
            if want > have:
                raise _bad(name, f"buffer {i} declares {want:,} bytes, the file holds {have:,}")
        for i, v in enumerate(views):
            b = int(v.get("buffer", 0))
            end = int(v.get("byteOffset", 0)) + int(v.get("byteLength", 0))
            if not 0 <= b < len(declared) or end > declared[b]:
                raise _bad(name, f"bufferView {i} runs past its buffer")
        triangles = 0
        accessors = doc.get("accessors", [])
        for i, a in enumerate(accessors):
            count = int(a.get("count", 0))
            if count < 0 or count > MAX_COUNT:
                raise _bad(name, f"accessor {i} declares {count} elements")
            if "bufferView" in a:
                v = views[int(a["bufferView"])]
                item = GLTF_COMPONENTS.get(int(a.get("componentType", 5126)), 4) * GLTF_TYPES.get(a.get("type"), 1)
                stride = int(v.get("byteStride", 0)) or item
                need = int(a.get("byteOffset", 0)) + (stride * (count - 1) + item if count else 0)
                if need > int(v.get("byteLength", 0)):
                    raise _bad(name, f"accessor {i} needs {need:,} bytes, its bufferView holds {v.get('byteLength')}")
        for mesh in doc.get("meshes", []):
            for prim in mesh.get("primitives", []):
                if prim.get("mode", 4) != 4:
                    continue
                source = prim.get("indices", prim.get("attributes", {}).get("POSITION"))
                if source is not None:
                    triangles += int(accessors[int(source)].get("count", 0)) // 3
    except (TypeError, ValueError, IndexError, AttributeError, KeyError):
        raise _bad(name, "the glTF JSON does not follow the glTF 2.0 layout") from None
    return triangles


def _glb(fh, size: int, name: str) -> int:
    head = fh.read(12)
    if len(head) < 12 or head[:4] != b"glTF":
        raise _bad(name, "not a GLB file (no glTF header)")
    version, length = struct.unpack_from("<II", head, 4)
    if version != 2:
        raise _bad(name, f"GLB version {version}; only glTF 2.0 is read")
    if length > size:
        raise _bad(name, f"the GLB header says {length:,} bytes, the file has {size:,} (truncated?)")
    offset, doc, binary = 12, None, 0
    while offset + 8 <= length:
        fh.seek(offset)
        clen, ctype = struct.unpack("<I4s", fh.read(8))
        if offset + 8 + clen > length:
            raise _bad(name, f"a GLB chunk of {clen:,} bytes runs past the end of the file")
        if ctype == b"JSON" and doc is None:
            try:
                doc = json.loads(fh.read(clen).decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise _bad(name, "the GLB's JSON chunk does not parse") from None
        elif ctype == b"BIN\x00":
            binary = clen
        offset += 8 + clen
    if doc is None:
        raise _bad(name, "the GLB has no JSON chunk")
    buffers = doc.get("buffers", []) if isinstance(doc, dict) else []
    sizes = [binary if i == 0 and "uri" not in b else (1 << 62) for i, b in enumerate(buffers)]
    return _gltf_document(doc, name, sizes)


def _gltf(fh, path: str, name: str) -> int:
    try:
        doc = json.loads(fh.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _bad(name, "the glTF JSON does not parse") from None
    sizes = []
    for b in doc.get("buffers", []) if isinstance(doc, dict) else []:
        uri = b.get("uri", "") if isinstance(b, dict) else ""
        if isinstance(uri, str) and uri.startswith("data:"):
            sizes.append(len(uri) * 3 // 4)
        else:
            file = os.path.join(os.path.dirname(path), str(uri))
            sizes.append(os.path.getsize(file) if os.path.isfile(file) else 0)
    return _gltf_document(doc, name, sizes)
