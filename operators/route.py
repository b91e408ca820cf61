# SPDX-License-Identifier: GPL-3.0-or-later
"""One shape for every route (relief, trace, AI mesh): the adapter between its pure
pipeline in ``core`` and Blender.

Each route module defines one :class:`Route` with the same three calls:

* ``from_args(args) -> (settings, options)``: the command line's flags to the route's
  settings (derived from their one declaration, ``core/schema.py``) plus options that
  are not settings (a model file, a server);
* ``validate(settings)``: the core's own check, one line per problem;
* ``build(context, image_path, settings, options, progress, cancel) -> Made``: the
  objects in the scene. ``progress(fraction, text)`` is the one progress protocol and
  ``cancel`` (a ``threading.Event``) the one cancellation; a failed or cancelled build
  leaves nothing behind (``blender_mesh.remove_datablocks``).

The operators, the modal runner and the command line (``cli.run_route``) all go
through it, and take back what it made with the same ``blender_mesh.removed_on_failure``.
A new route adds a settings dataclass, a core pipeline and one ``Route`` here: nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import bpy

Progress = Callable[[float, str], None]


@dataclass
class Made:
    """What one build put in the scene."""

    objects: list  # the user's objects (their data, materials, textures go with them)
    label: str  # what the command line and the reports call it
    info: dict = field(default_factory=dict)  # the route's own report fields
    warnings: list = field(default_factory=list)
    reports: list | None = None  # check reports, when the build already checked (the AI route repairs)
    parts: bool = False  # the report lists each object's checks under "parts" (one object is one part)


@dataclass
class Route:
    name: str
    settings: type
    from_args: Callable[[Any], tuple[Any, dict]]
    validate: Callable[[Any], None]
    build: Callable[..., Made]
    prints_progress: bool = False  # the command line prints its progress lines (long remote jobs)


def check_cancel(cancel) -> None:
    """Between stages: stop if the user pressed Esc (raises ``core.errors.Cancelled``)."""
    if cancel is not None and cancel.is_set():
        from ..core.errors import Cancelled

        raise Cancelled()


@contextlib.contextmanager
def window_progress(context):
    """A :data:`Progress` that drives the window's progress indicator, or None headless."""
    wm = context.window_manager if not bpy.app.background else None
    if wm is None:
        yield None
        return
    wm.progress_begin(0, 100)
    try:
        yield lambda fraction, _text: wm.progress_update(int(100 * fraction))
    finally:
        wm.progress_end()


def routes() -> dict[str, Route]:
    """Every route, by name (imported when first asked for)."""
    from .ai import ROUTE as AI
    from .relief import ROUTE as RELIEF
    from .trace import ROUTE as TRACE

    return {r.name: r for r in (RELIEF, TRACE, AI)}
