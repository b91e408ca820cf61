# SPDX-License-Identifier: GPL-3.0-or-later
"""AI-inferred meshes: one image to a full 3D object, behind one backend interface.

A backend takes a :class:`Job` and returns either a :class:`HeightFields` result
(front and back heights over a foreground mask, turned into a closed solid by
:func:`core.ai.solid.heightfields_to_solid`) or a :class:`MeshFile` (a GLB/OBJ
from a remote service, imported by Blender).  Backends report progress through
a callback and stop when the cancel event is set; none of them touches bpy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ImageToPrintError
from ..image import LoadedImage


class Cancelled(ImageToPrintError):
    """The user cancelled the job."""

    def __init__(self):
        super().__init__("cancelled")


@dataclass
class Job:
    """Everything a backend needs, as plain values (safe to hand to a worker thread)."""

    image: LoadedImage
    size_mm: float = 80.0  # largest dimension of the result
    flat_back: bool = True
    min_thickness_mm: float = 1.2
    inflation: float = 0.6  # height of the bulge relative to the half-width of the shape
    detail_mm: float = 0.6  # relief detail from the image's shading (built-in backend)
    depth_mm: float = 4.0  # how far the nearest point stands out (depth model backend)
    model: str = "depth-anything-v2-small"  # which depth model's pre- and post-processing
    resolution: int = 320  # samples along the longest side of the height fields
    model_path: str = ""
    server: str = ""
    api_key: str = ""
    timeout_s: float = 600.0
    max_download_mb: float = 200.0


@dataclass
class HeightFields:
    """Front and back heights in mm (back measured downward) over a foreground mask."""

    front: np.ndarray  # (rows, cols) float32, mm
    back: np.ndarray  # (rows, cols) float32, mm
    mask: np.ndarray  # (rows, cols) bool
    spacing_mm: float
    warnings: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


@dataclass
class MeshFile:
    path: str
    warnings: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)


Progress = Callable[[float, str], None]


class Backend:
    """One way to infer a 3D object from an image."""

    name = ""
    label = ""
    description = ""
    licence = ""
    output = "heightfield"  # or "mesh"
    network = False

    def available(self, job: Job) -> tuple[bool, str]:
        return True, ""

    def run(self, job: Job, progress: Progress, cancel: threading.Event) -> HeightFields | MeshFile:
        raise NotImplementedError


def check_cancel(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled()


def backends() -> dict[str, Backend]:
    from .builtin import BuiltinBackend
    from .depth import OnnxDepthBackend
    from .remote import HunyuanBackend, TripoBackend

    return {b.name: b for b in (BuiltinBackend(), OnnxDepthBackend(), HunyuanBackend(), TripoBackend())}


def run_job(backend_name: str, job: Job, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> HeightFields | MeshFile:
    """Validate, pick the backend and run it (synchronously, in the calling thread)."""
    registry = backends()
    if backend_name not in registry:
        raise ImageToPrintError(f"unknown backend '{backend_name}' (choose from {', '.join(registry)})")
    if not (job.size_mm > 0 and job.min_thickness_mm > 0 and job.inflation >= 0 and job.detail_mm >= 0):
        raise ImageToPrintError("size and minimum thickness must be positive; inflation and detail not negative")
    if not 16 <= job.resolution <= 2048:
        raise ImageToPrintError(f"resolution must be between 16 and 2048 samples, got {job.resolution}")
    backend = registry[backend_name]
    ok, reason = backend.available(job)
    if not ok:
        raise ImageToPrintError(reason)
    return backend.run(job, progress or (lambda fraction, text: None), cancel or threading.Event())
