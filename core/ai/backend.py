# SPDX-License-Identifier: GPL-3.0-or-later
"""The backend interface of the AI route: the job, its two kinds of result, the
:class:`Backend` base class, progress and cancelling (see ``core.ai``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import Cancelled, ImageToPrintError  # noqa: F401  (Cancelled: raised by check_cancel)
from ..image import LoadedImage
from .settings import AISettings

_AI = AISettings()


@dataclass
class Job:
    """Everything a backend needs, as plain values (safe to hand to a worker thread)."""

    image: LoadedImage
    # the route's settings (declared once, in core/ai/settings.py)
    backend: str = _AI.backend
    size_mm: float = _AI.size_mm  # largest dimension of the result
    flat_back: bool = _AI.flat_back
    min_thickness_mm: float = _AI.min_thickness_mm
    inflation: float = _AI.inflation  # height of the bulge relative to the half-width of the shape
    detail_mm: float = _AI.detail_mm  # relief detail from the image's shading (built-in backend)
    depth_mm: float = _AI.depth_mm  # how far the nearest point stands out (depth model backend)
    model: str = "depth-anything-v2-small"  # which depth model's pre- and post-processing
    resolution: int = _AI.resolution  # samples along the longest side of the height fields
    mask_path: str = _AI.mask_path  # an image of the object's outline, instead of finding it
    model_path: str = ""
    server: str = ""
    api_key: str = ""
    timeout_s: float = _AI.timeout_s
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
