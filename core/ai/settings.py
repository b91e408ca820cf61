# SPDX-License-Identifier: GPL-3.0-or-later
"""AI-mesh settings: plain data (no numpy). Each field is the one declaration of its setting
(``core/schema.py``): the sidebar, the operator and the ``ai`` command derive from it."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..schema import from_dict, setting

BACKENDS = (
    ("builtin", "Built-in (geometric)", "Inflate the outline and add the image's shading: not AI, offline, no model"),
    ("onnx", "Depth Model (ONNX)", "A local depth model (Depth Anything V2 Small, Apache-2.0): offline"),
    ("hunyuan", "Hunyuan3D-2 Server", "Your own Hunyuan3D-2 API server (Tencent community licence)"),
    ("tripo", "Tripo API", "Tripo's cloud service with your API key (needs online access)"),
)


@dataclass
class AISettings:
    """Every option of the AI-mesh route, in millimetres."""

    backend: str = setting("builtin", "Backend", "How the shape is inferred", items=BACKENDS)
    size_mm: float = setting(80.0, "Size", "Largest dimension of the result", unit="mm", min=1.0, soft_max=500.0)
    flat_back: bool = setting(True, "Flat Back", "A flat back that lies on the bed (off: mirrored front and back)",
                              flag="--symmetric", flag_value=False,
                              flag_help="mirrored back instead of a flat back")
    min_thickness_mm: float = setting(1.2, "Thinnest Part", "Thinnest the object may be anywhere, at its "
                                      "outline too", unit="mm", min=0.1, soft_max=10.0)
    inflation: float = setting(1.0, "Inflation", "How far the shape bulges: 1 is round (a disc becomes a ball, "
                               "or a dome with a flat back), less is flatter", min=0.0, soft_max=2.0)
    detail_mm: float = setting(0.6, "Detail", "Built-in backend: relief from the image's shading",
                               unit="mm", min=0.0, soft_max=5.0)
    depth_mm: float = setting(4.0, "Depth Detail", "Depth-model backend: how far the nearest point stands out",
                              unit="mm", min=0.0, soft_max=30.0)
    mask_path: str = setting("", "Mask Image", "Built-in and depth-model backends: an image of the object's "
                             "outline (white or opaque: the object), for a photograph whose object cannot be "
                             "told from its background", path=True, flag="--mask")
    resolution: int = setting(320, "Resolution", "Samples along the longest side", min=16, max=2048)
    timeout_s: float = setting(240.0, "Timeout", "Remote backends: deadline for the whole job", unit="s",
                               min=0.1, max=86400.0, ui=False, flag="--timeout")

    @classmethod
    def from_dict(cls, values: dict) -> AISettings:
        return from_dict(cls, values)

    def to_dict(self) -> dict:
        return asdict(self)
