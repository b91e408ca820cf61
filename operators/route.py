# SPDX-License-Identifier: GPL-3.0-or-later
"""One shape for every route (relief, trace, AI mesh): the adapter between its pure
pipeline in ``core`` and Blender, and the one operator runner every route uses.

Each route module defines one :class:`Route`:

* ``from_args(args) -> (settings, options)``: the command line's flags to the route's
  settings (derived from their one declaration, ``core/schema.py``) plus options that
  are not settings (a model file, a server);
* ``validate(settings)``: the core's own check, one line per problem;
* ``prepare(context, settings, options) -> options``: main thread, before the work: what
  the pipeline needs from Blender (preferences, online access);
* ``compute(image_path, settings, options, progress, cancel) -> payload``: the pure
  pipeline. It never touches ``bpy``, so the sidebar runs it in a worker thread;
* ``realize(context, image_path, settings, options, payload) -> Made``: main thread, the
  payload as objects in the scene; a failure leaves nothing behind.

``progress(fraction, text)`` is the one progress protocol and ``cancel`` (a
``threading.Event``) the one cancellation (``core.errors.Cancelled``). :meth:`Route.build`
chains the three; the command line (``cli.run_route``) calls it, and so does
:class:`RouteOperator` for the Redo panel, F3 and scripts. The sidebar's Create runs
``compute`` in a thread under a modal timer (the window stays live, Esc cancels) and
``realize`` when it is done. Whatever a build made is taken back with the same
``blender_mesh.removed_on_failure``. A new route adds a settings dataclass, a core
pipeline, one ``Route`` and one operator class on :class:`RouteOperator`: nothing else.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import bpy
from bpy.props import BoolProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

from ..ui import redraw
from ..ui.notice import clear, tell
from ..ui.state import TASK
from .stepped import realized

Progress = Callable[[float, str], None]
STEP_SLICE_S = 0.05  # the main-thread work done between two looks at the window's events
IMAGE_GLOB = "*.png;*.jpg;*.jpeg;*.tif;*.tiff;*.webp;*.bmp;*.gif"


@dataclass
class Made:
    """What one build put in the scene."""

    objects: list  # the user's objects (their data, materials, textures go with them)
    label: str  # what the command line and the reports call it
    info: dict = field(default_factory=dict)  # the route's own report fields
    warnings: list = field(default_factory=list)
    reports: list | None = None  # check reports, when the build already checked (the AI route repairs)
    parts: bool = False  # the report lists each object's checks under "parts" (one object is one part)
    preview: Any = None  # an (H, W) sRGB image in [0, 1] of the print lit from behind (relief --preview)


def _nothing_to_prepare(context, settings, options: dict) -> dict:
    return options


def _no_estimate(image_path: str, settings, options: dict) -> None:
    """Routes whose work the image's size already bounds (``max_megapixels``)."""


@dataclass
class Route:
    name: str
    title: str  # what the progress bar calls it ("Relief: planning")
    settings: type
    from_args: Callable[[Any], tuple[Any, dict]]
    validate: Callable[[Any], None]
    compute: Callable[..., Any]
    # makes the objects on the main thread; returns a Made, or is a generator of (fraction, what comes
    # next) that returns one: the sidebar's run then steps it between events, so the window answers
    # and Esc between two steps closes it (its own cleanup removes what it made)
    realize: Callable[..., Any]
    prepare: Callable[[Any, Any, dict], dict] = _nothing_to_prepare
    # bounded work: raise before any work when the result would not fit this machine
    # (options["max_triangles"]: None this machine's limit, 0 none, else the user's own)
    check_work: Callable[[str, Any, dict], None] = _no_estimate
    prints_progress: bool = False  # the command line prints its progress lines (long remote jobs)

    def build(self, context, image_path: str, settings, options=None, progress=None, cancel=None) -> Made:
        """The whole route on the calling (main) thread."""
        self.check_work(image_path, settings, dict(options or {}))
        options = self.prepare(context, settings, dict(options or {}))
        payload = self.compute(image_path, settings, options, progress, cancel)
        check_cancel(cancel)
        return realized(self.realize(context, image_path, settings, options, payload))


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


class _Work:
    """One run of a route's ``compute`` in a worker thread (no bpy there)."""

    def __init__(self, route: Route, image_path: str, settings, options: dict):
        self.route, self.image_path, self.settings, self.options = route, image_path, settings, options
        self.fraction, self.text = 0.0, "starting"
        self.payload: Any = None
        self.error: BaseException | None = None
        self.cancel = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"image-to-print {route.name}", daemon=True)

    def _progress(self, fraction: float, text: str) -> None:
        self.fraction, self.text = fraction, text
        check_cancel(self.cancel)

    def _run(self) -> None:
        try:
            self.payload = self.route.compute(self.image_path, self.settings, self.options, self._progress,
                                              self.cancel)
            check_cancel(self.cancel)
        except BaseException as exc:  # reported on the main thread
            self.error = exc


if TYPE_CHECKING:  # the class it is mixed into, for the type checker
    _Operator = bpy.types.Operator
else:
    _Operator = object


class RouteOperator(ImportHelper, _Operator):
    """What the image-to-solid operators share: a file browser on images or the sidebar's image
    (``from_scene``), the synchronous ``execute`` (Redo panel, F3, scripts, headless) and the
    sidebar's modal run (``compute`` in a thread, progress in the panel, Esc cancels and leaves
    the scene as it was). A subclass names its route and says what to report."""

    route_name = ""  # the key in routes() and in Scene.image_to_print
    build_options: dict = {}

    filter_glob: StringProperty(default=IMAGE_GLOB, options={'HIDDEN'})
    from_scene: BoolProperty(default=False, options={'HIDDEN', 'SKIP_SAVE'},
                             description="Take the settings and image from the sidebar")

    _work = None  # type: Any
    _timer = None  # type: Any
    _steps = None  # type: Any  # the realize steps, once the worker is done

    # what a route's operator adds ------------------------------------------------------
    def route_settings(self, context):
        """The route's settings from this operator's properties (and the preferences)."""
        from ..properties import preferences, settings_from

        settings = settings_from(self, routes()[self.route_name].settings)
        prefs = preferences(context)
        if prefs is not None and hasattr(settings, "max_megapixels"):
            settings.max_megapixels = prefs.max_megapixels
        if prefs is not None and hasattr(settings, "filament_library"):
            settings.filament_library = prefs.my_filaments
        return settings

    def summary(self, context, made: Made) -> tuple[set, str]:
        """The report's level and its one line, once the objects are made."""
        raise NotImplementedError

    # the shared runner -------------------------------------------------------------------
    def _take_scene_settings(self, context) -> None:
        """Copy the sidebar's settings once; the Redo panel then edits this operator's own."""
        from ..properties import copy_settings

        group = getattr(context.scene.image_to_print, self.route_name)
        copy_settings(self, group, routes()[self.route_name].settings)
        self.filepath = bpy.path.abspath(group.image_path)
        self.from_scene = False

    def _error(self, context, exc) -> set:
        from ..core.errors import Cancelled, ImageToPrintError

        title = routes()[self.route_name].title
        if isinstance(exc, Cancelled):
            tell(self, context, {'WARNING'}, f"{title} cancelled; the scene is unchanged", title)
        elif isinstance(exc, ImageToPrintError):
            tell(self, context, {'ERROR'}, str(exc), title)
        else:
            tell(self, context, {'ERROR'}, f"{title} failed: {exc}", title)
        return {'CANCELLED'}

    def _finish(self, context, made: Made) -> set:
        from ..ui.state import RESULTS

        if made.reports:
            for obj, report in zip(made.objects, made.reports):
                RESULTS[obj.name] = report
        for warning in made.warnings:
            tell(self, context, {'WARNING'}, warning, routes()[self.route_name].title)
        context.view_layer.update()
        level, text = self.summary(context, made)
        self.report(level, text)
        return {'FINISHED'}

    def execute(self, context):
        from ..core.errors import ImageToPrintError

        if self.from_scene:
            self._take_scene_settings(context)
        route = routes()[self.route_name]
        clear(route.title)
        try:
            with window_progress(context) as progress:
                made = route.build(context, bpy.path.abspath(self.filepath), self.route_settings(context),
                                   self.build_options, progress)
        except ImageToPrintError as exc:
            return self._error(context, exc)
        return self._finish(context, made)

    def invoke(self, context, event):
        from ..core.errors import ImageToPrintError

        if not self.from_scene:
            return ImportHelper.invoke(self, context, event)
        if bpy.app.background or context.window is None:
            return self.execute(context)
        self._take_scene_settings(context)
        route = routes()[self.route_name]
        clear(route.title)
        settings = self.route_settings(context)
        try:
            route.check_work(bpy.path.abspath(self.filepath), settings, dict(self.build_options))
            options = route.prepare(context, settings, dict(self.build_options))
        except ImageToPrintError as exc:
            return self._error(context, exc)
        self._work = _Work(route, bpy.path.abspath(self.filepath), settings, options)
        self._work.thread.start()
        wm = context.window_manager
        TASK.update(text=f"{route.title}: starting", fraction=0.0)
        redraw.sidebars()
        self._timer = wm.event_timer_add(0.1, window=context.window)
        wm.modal_handler_add(self)
        return {'RUNNING_MODAL'}

    def modal(self, context, event):
        from ..core.errors import Cancelled, ImageToPrintError

        work = self._work
        if event.type == 'ESC':
            work.cancel.set()
            if work.thread.is_alive():
                return {'RUNNING_MODAL'}  # the worker stops at its next stage
            return self._end(context, Cancelled())  # done, or between two realize steps: nothing is kept
        if event.type != 'TIMER':
            return {'PASS_THROUGH'}
        title = work.route.title
        if work.thread.is_alive():
            TASK.update(text=f"{title}: {work.text}", fraction=work.fraction)
            redraw.progress(TASK["text"])
            return {'RUNNING_MODAL'}
        if work.cancel.is_set():  # Esc came after the work but before its objects: nothing is made
            return self._end(context, Cancelled())
        if work.error is not None:
            return self._end(context, work.error)
        try:
            if self._steps is None:
                made = work.route.realize(context, work.image_path, work.settings, work.options, work.payload)
                if not inspect.isgenerator(made):
                    return self._end(context, None, made)
                self._steps = made
            # as many steps as fit in a slice, then back to the window (its events, Esc, a frame)
            end = time.monotonic() + STEP_SLICE_S
            fraction, text = next(self._steps)
            while time.monotonic() < end:
                fraction, text = next(self._steps)
        except StopIteration as done:
            return self._end(context, None, done.value)
        except ImageToPrintError as exc:
            return self._end(context, exc)
        TASK.update(text=f"{title}: {text}", fraction=0.9 + 0.1 * fraction)
        redraw.progress(TASK["text"])
        return {'RUNNING_MODAL'}

    def _end(self, context, error, made: Made | None = None) -> set:
        """The run's end: the realize steps closed (they remove what they made unless they finished),
        the timer and the progress gone, then the error or the result reported."""
        if self._steps is not None:
            self._steps.close()
            self._steps = None
        self._stop(context)
        if error is not None:
            return self._error(context, error)
        assert made is not None
        return self._finish(context, made)

    def _stop(self, context) -> None:
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
            self._timer = None
        TASK.update(text="", fraction=0.0)
        redraw.sidebars()
