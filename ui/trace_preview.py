# SPDX-License-Identifier: GPL-3.0-or-later
"""The live preview of the binarised image in the Trace panel.

The panel asks for the preview while drawing; when the image or a binarising
setting changed, a one-shot timer recomputes it outside drawing (drawing must
not change data) and redraws the sidebar. The preview lives in a
``bpy.utils.previews`` collection, never in the .blend file.
"""

from __future__ import annotations

import os

import bpy

from ..core.trace.settings import TraceSettings
from ..properties import settings_from
from . import redraw

_state: dict = {"previews": None, "key": None, "pending": None, "info": "", "image": (None, None)}
KEYS = ("source", "auto_threshold", "threshold", "invert", "pick_background", "colour_tolerance")


def _key(settings) -> tuple | None:
    path = bpy.path.abspath(settings.image_path)
    try:
        mtime = os.path.getmtime(path)
    except OSError:
        return None
    return (path, mtime, tuple(settings.background)) + tuple(getattr(settings, k) for k in KEYS)


def _collection():
    if _state["previews"] is None:
        from bpy.utils import previews

        _state["previews"] = previews.new()
    return _state["previews"]


def refresh(settings) -> str:
    """Recompute the preview for ``settings`` now; return its one-line description."""
    import numpy as np

    from ..core.errors import ImageToPrintError
    from ..core.image import load_image
    from ..core.trace.plan import preview_mask

    key = _key(settings)
    _state["key"] = key
    if key is None:
        _state["info"] = "Cannot read this image"
        return _state["info"]
    cached_key, img = _state["image"]
    try:
        if cached_key != key[:2]:
            img = load_image(key[0])
            _state["image"] = (key[:2], img)
        ink, info = preview_mask(img, settings_from(settings, TraceSettings))
    except ImageToPrintError as exc:
        _state["info"] = str(exc)
        return _state["info"]
    h, w = ink.shape
    grey = np.where(ink[::-1], 0.0, 1.0).astype(np.float32)  # previews are bottom-up
    rgba = np.empty((h, w, 4), np.float32)
    rgba[..., :3] = grey[..., None]
    rgba[..., 3] = 1.0
    preview = _collection().get("trace") or _collection().new("trace")
    preview.image_size = (w, h)
    preview.image_pixels_float.foreach_set(rgba.ravel())
    _state["info"] = info
    return info


def _timer():
    _state["pending"] = None
    scene = bpy.context.scene
    if scene is not None and hasattr(scene, "image_to_print"):
        refresh(scene.image_to_print.trace)
        redraw.sidebars()
    return None


def preview(settings) -> tuple[int | None, str]:
    """(icon id or None, description) for drawing; schedules a refresh when out of date."""
    key = _key(settings)
    if key != _state["key"] and _state["pending"] is None:
        _state["pending"] = _timer
        bpy.app.timers.register(_timer, first_interval=0.05)
    previews = _state["previews"]
    item = previews.get("trace") if previews is not None else None
    if key is None:
        return None, "Cannot read this image"
    return (item.icon_id if item is not None else None), _state["info"]


def unregister() -> None:
    if _state["pending"] is not None and bpy.app.timers.is_registered(_state["pending"]):
        bpy.app.timers.unregister(_state["pending"])
    if _state["previews"] is not None:
        from bpy.utils import previews

        previews.remove(_state["previews"])
    _state.update(previews=None, key=None, pending=None, info="", image=(None, None))
