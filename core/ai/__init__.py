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

from ..errors import ImageToPrintError
from .backend import Backend, Cancelled, HeightFields, Job, MeshFile, Progress, check_cancel

__all__ = ["Backend", "Cancelled", "HeightFields", "Job", "MeshFile", "Progress", "backends", "check_cancel",
           "run_job"]


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
    from dataclasses import asdict

    from ..schema import check_ranges
    from .settings import AISettings

    check_ranges(AISettings.from_dict(asdict(job)))  # the job's settings, each within its declared range
    backend = registry[backend_name]
    ok, reason = backend.available(job)
    if not ok:
        raise ImageToPrintError(reason)
    result = backend.run(job, progress or (lambda fraction, text: None), cancel or threading.Event())
    result.warnings[:0] = list(job.image.warnings)
    return result
