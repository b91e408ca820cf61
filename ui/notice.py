# SPDX-License-Identifier: GPL-3.0-or-later
"""What an operator reports, also kept for its panel: an error, a cancellation or a warning stays in
the panel that started the work (``where``: "Relief", "Trace", "AI mesh", "Check", "Export") until
that panel's next run, so it is seen where the button was pressed, not only in the status bar."""

from __future__ import annotations

from . import redraw
from .state import NOTICE

LEVELS = ("ERROR", "WARNING")


def tell(operator, context, level: set, text: str, where: str) -> None:
    """``operator.report(level, text)``; an error or a warning is added to ``where``'s notice."""
    operator.report(level, text)
    kind = next((k for k in LEVELS if k in level), None)
    if kind is None:
        return
    lines = [] if not NOTICE["text"].startswith(where + "\t") else NOTICE["text"].split("\t", 1)[1].split("\n")
    NOTICE["text"] = where + "\t" + "\n".join(lines + [f"{kind}:{text}"])
    redraw.sidebars()


def clear(where: str) -> None:
    """A new run from ``where`` starts with no notice."""
    if NOTICE["text"].startswith(where + "\t"):
        NOTICE["text"] = ""


def read(where: str) -> list[tuple[str, str]]:
    """``where``'s notice as (level, text) lines, errors first."""
    if not NOTICE["text"].startswith(where + "\t"):
        return []
    lines = [line.split(":", 1) for line in NOTICE["text"].split("\t", 1)[1].split("\n")]
    return sorted(((k, t) for k, t in lines), key=lambda kt: LEVELS.index(kt[0]))
