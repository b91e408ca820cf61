# SPDX-License-Identifier: GPL-3.0-or-later
"""The fast engine: vtracer (visioncortex, MIT, Rust), in binary spline mode.

vtracer thresholds the red channel and ignores alpha, so it is given the
already binarised mask as a greyscale PGM (ink black on white). Its SVG holds
only absolute M, L, C and Z commands, with a translate per path.
"""

from __future__ import annotations

import re

import numpy as np

from ..errors import ImageToPrintError

STRAIGHT_PX = 0.1  # a segment this close to its chord is a straight line
_PATH = re.compile(r'<path\b[^>]*?\bd="([^"]*)"[^>]*?/?>', re.S)
_TRANSLATE = re.compile(r'translate\(\s*([-+0-9.eE]+)[ ,]+([-+0-9.eE]+)\s*\)')
_TOKEN = re.compile(r"[MLCZmlcz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _svg_loops(svg: str) -> list[np.ndarray]:
    loops: list[np.ndarray] = []
    for match in _PATH.finditer(svg):
        tag = match.group(0)
        d = match.group(1)
        t = _TRANSLATE.search(tag)
        off = np.array([float(t.group(1)), float(t.group(2))]) if t else np.zeros(2)
        tokens = _TOKEN.findall(d)
        anchors: list[list] = []
        cmd = ""
        i = 0

        def close(anchors=anchors):
            if len(anchors) >= 2:
                first = anchors[0]
                last = anchors[-1]
                if np.allclose(first[1], last[1]):  # explicit return to the start point
                    first[0] = last[0]
                    anchors.pop()
                else:  # an implicit closing line
                    first[0] = first[1] + (last[1] - first[1]) / 3.0
                    last[2] = last[1] + (first[1] - last[1]) / 3.0
                if len(anchors) >= 2:
                    loops.append(np.array(anchors, dtype=np.float64))
            anchors.clear()

        while i < len(tokens):
            tok = tokens[i]
            if tok.isalpha():
                cmd = tok
                i += 1
                if cmd in "Zz":
                    close()
                continue
            if cmd in "Mm":
                if anchors:
                    close()
                p = np.array([float(tokens[i]), float(tokens[i + 1])]) + off
                anchors.append([p.copy(), p, p.copy()])
                i += 2
                cmd = "L"
            elif cmd in "Ll":
                p = np.array([float(tokens[i]), float(tokens[i + 1])]) + off
                prev = anchors[-1][1]
                anchors[-1][2] = prev + (p - prev) / 3.0
                anchors.append([p + (prev - p) / 3.0, p, p.copy()])
                i += 2
            elif cmd in "Cc":
                c1, c2, p = (np.array([float(tokens[i + 2 * k]), float(tokens[i + 2 * k + 1])]) + off
                             for k in range(3))
                anchors[-1][2] = c1
                anchors.append([c2, p, p.copy()])
                i += 6
            else:
                raise ImageToPrintError(f"unexpected SVG path command {cmd!r} from vtracer")
        close()
    return loops


def trace_loops(ink: np.ndarray, corner_threshold_deg: float = 60.0, length_threshold: float = 4.0,
                splice_threshold_deg: float = 45.0) -> list[np.ndarray]:
    """Trace a boolean ink mask with vtracer; loops in pixel-corner coordinates, y down."""
    try:
        import vtracer  # type: ignore[import-untyped]
    except ImportError as exc:  # pragma: no cover - the wheel ships with the extension
        raise ImageToPrintError("the fast engine needs the 'vtracer' package") from exc
    h, w = ink.shape
    pgm = b"P5 %d %d 255\n" % (w, h) + np.where(ink, 0, 255).astype(np.uint8).tobytes()
    svg = vtracer.convert_raw_image_to_svg(
        pgm, img_format="pnm", colormode="binary", mode="spline", filter_speckle=0,
        corner_threshold=int(round(corner_threshold_deg)), length_threshold=float(length_threshold),
        splice_threshold=int(round(splice_threshold_deg)), path_precision=3)
    from .loops import merge_collinear, snap_straight

    # vtracer fits straight pixel edges with nearly straight cubics: make them lines, then
    # drop the anchors along them (a cap fill would otherwise be full of slivers)
    return [merge_collinear(snap_straight(loop, STRAIGHT_PX), STRAIGHT_PX) for loop in _svg_loops(svg)]
