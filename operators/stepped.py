# SPDX-License-Identifier: GPL-3.0-or-later
"""The one modal runner of steps in a window, for Check Printability, Make Printable and Export: a
generator yielding ``(fraction, what comes next)`` between stages (and returning its result) is stepped
by a timer, its progress shown in the sidebar; Esc closes it, and its own cleanup takes back what it made.
(The image routes' Create has its own runner, ``route.RouteOperator``: a worker thread, then steps.)"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any  # noqa: F401  (Any: the type comments below)

from ..ui import redraw
from ..ui.notice import tell
from ..ui.state import TASK

if TYPE_CHECKING:  # the class it is mixed into, for the type checker
    import bpy

    _Operator = bpy.types.Operator
else:
    _Operator = object


def realized(result):
    """Steps run to the end: their return value (a value that is not a generator is returned as it is, as
    ``Route.realize`` may give either)."""
    if not inspect.isgenerator(result):
        return result
    while True:
        try:
            next(result)
        except StopIteration as done:
            return done.value


def scaled(steps, start: float, end: float, prefix: str = ""):
    """``steps`` with their fractions mapped into [start, end] and ``prefix`` before their text, for
    steps run inside others (the checks inside a repair or an export); returns their value."""
    while True:
        try:
            fraction, what = next(steps)
        except StopIteration as done:
            return done.value
        yield start + (end - start) * fraction, prefix + what


class SteppedModal(_Operator):
    """Mixed into an operator: ``start_steps(context, steps)`` from its invoke or execute, and
    ``steps_done(context, value)`` for what the steps returned."""

    task_title = ""  # the progress line's prefix ("Export: writing x.stl"); "" shows the steps' own text
    where = ""  # the panel whose notice tells an error or the cancel (ui/notice.py)
    cancel_text = ""
    # plain attributes, not annotations: Blender reads class annotations as properties
    _timer = None  # type: Any
    _steps = None  # type: Any

    def _line(self, what: str) -> str:
        return f"{self.task_title}: {what}" if self.task_title else what

    def start_steps(self, context, steps) -> set:
        self._steps = steps
        TASK.update(text=self._line("starting"), fraction=0.0)
        redraw.sidebars()
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.01, window=context.window)
        wm.modal_handler_add(self)
        return {'RUNNING_MODAL'}

    def modal(self, context, event):
        from ..core.errors import ImageToPrintError

        if event.type == 'ESC':
            self.stop_steps(context)
            tell(self, context, {'WARNING'}, self.cancel_text, self.where)
            return {'CANCELLED'}
        if event.type != 'TIMER':
            return {'PASS_THROUGH'}
        try:
            fraction, what = next(self._steps)
        except StopIteration as done:
            self._steps = None
            self.stop_steps(context)
            return self.steps_done(context, done.value)
        except ImageToPrintError as exc:
            self._steps = None
            self.stop_steps(context)
            tell(self, context, {'ERROR'}, str(exc), self.where)
            return {'CANCELLED'}
        TASK.update(text=self._line(what), fraction=fraction)
        redraw.progress(TASK["text"])
        return {'RUNNING_MODAL'}

    def stop_steps(self, context) -> None:
        """The steps closed (their cleanup runs), the timer and the progress gone."""
        if self._steps is not None:
            self._steps.close()
            self._steps = None
        if self._timer is not None:
            context.window_manager.event_timer_remove(self._timer)
            self._timer = None
        TASK.update(text="", fraction=0.0)
        redraw.sidebars()

    def steps_done(self, context, value) -> set:
        raise NotImplementedError
