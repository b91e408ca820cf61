# SPDX-License-Identifier: GPL-3.0-or-later
"""3MF writer (3MF Core Specification 1.3): one mesh object per input, in millimetres.

Blender has no 3MF exporter; the format is a ZIP (OPC package) holding an XML
model, so it is written here from the evaluated mesh arrays.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import quoteattr

import numpy as np

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
 <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
 <Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>
</Types>
"""
RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
 <Relationship Target="/3D/3dmodel.model" Id="rel0"
  Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>
</Relationships>
"""


def _rows(fmt: str, values: np.ndarray) -> str:
    """Format every row of ``values`` with ``fmt`` (numpy does the loop)."""
    buf = io.StringIO()
    np.savetxt(buf, values, fmt=fmt)
    return buf.getvalue()


def model_xml(objects: list[tuple[str, np.ndarray, np.ndarray]]) -> str:
    """The 3D model part for (name, vertices (N,3) mm, triangles (M,3)) objects."""
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<model unit="millimeter" xml:lang="en-US" '
             'xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02">\n',
             ' <metadata name="Application">Image to Print</metadata>\n <resources>\n']
    for index, (name, co, tris) in enumerate(objects, start=1):
        parts.append(f'  <object id="{index}" type="model" name={quoteattr(name)}>\n   <mesh>\n    <vertices>\n')
        parts.append(_rows('     <vertex x="%.6g" y="%.6g" z="%.6g"/>', np.asarray(co, dtype=np.float64)))
        parts.append('    </vertices>\n    <triangles>\n')
        parts.append(_rows('     <triangle v1="%d" v2="%d" v3="%d"/>', np.asarray(tris, dtype=np.int64)))
        parts.append('    </triangles>\n   </mesh>\n  </object>\n')
    parts.append(' </resources>\n <build>\n')
    parts.extend(f'  <item objectid="{index}"/>\n' for index in range(1, len(objects) + 1))
    parts.append(' </build>\n</model>\n')
    return "".join(parts)


def write_3mf(path: str, objects: list[tuple[str, np.ndarray, np.ndarray]]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("3D/3dmodel.model", model_xml(objects))


def read_3mf(path: str) -> list[dict]:
    """Objects of a 3MF file as {"name", "vertices", "triangles", "unit"} (for tests and checks)."""
    import xml.etree.ElementTree as ET

    ns = {"m": "http://schemas.microsoft.com/3dmanufacturing/core/2015/02"}
    with zipfile.ZipFile(path) as zf:
        root = ET.fromstring(zf.read("3D/3dmodel.model"))
    out = []
    for obj in root.iterfind("m:resources/m:object", ns):
        verts = [[float(v.get(k, "nan")) for k in "xyz"] for v in obj.iterfind("m:mesh/m:vertices/m:vertex", ns)]
        tris = [[int(t.get(k, "-1")) for k in ("v1", "v2", "v3")]
                for t in obj.iterfind("m:mesh/m:triangles/m:triangle", ns)]
        out.append({"name": obj.get("name"), "vertices": np.array(verts), "triangles": np.array(tris, dtype=np.int64),
                    "unit": root.get("unit")})
    return out
